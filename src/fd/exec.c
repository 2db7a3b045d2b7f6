/* forksafe: exec.  Before the new program starts, every forced fd it is
 * to get (core/inherit.c: the fds it is told about, rule 6; the pipes the
 * thread made for it, rule 8) is made inheritable, so it arrives as it
 * would without forksafe; if the exec fails, the flag is put back.
 *
 * Async-signal-safe: exec runs in children between fork and exec, and in
 * vfork children that share the parent's memory, so this file allocates
 * nothing, takes no lock and (for FS_REL_EXEC) writes nothing to the fd
 * table. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "diag/diag.h"
#include "fd/fd.h"
#include "fork/fork.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

extern char **environ;

static void set_cloexec(int fd, int on)
{
	REAL(fcntl)(fd, F_SETFD, on ? FD_CLOEXEC : 0);
}

/* In the process about to exec: the flag alone, nothing counted (an fd
 * may come twice: setting it twice is the same). */
static void release_exec(int fd, void *arg)
{
	set_cloexec(fd, 0);
}

static void restore_exec(int fd, void *arg)
{
	set_cloexec(fd, 1);
}

/* For a spawn in a parent, several threads may release the same fd at
 * once: a count in its entry keeps it inheritable until the last one
 * restores it.  An fd given twice is counted twice both ways. */
static void release_spawn(int fd, void *arg)
{
	struct fs_fdent *e = fs_fd_entry(fd);
	if (e && __atomic_fetch_add(&e->released, 1, __ATOMIC_ACQ_REL) == 0)
		set_cloexec(fd, 0);
}

static void restore_spawn(int fd, void *arg)
{
	struct fs_fdent *e = fs_fd_entry(fd);
	if (e && __atomic_sub_fetch(&e->released, 1, __ATOMIC_ACQ_REL) == 0)
		set_cloexec(fd, 1);
}

void fs_release_refs(const struct fs_newprog *np, enum fs_release_kind kind)
{
	fs_inherit_handover(np, kind == FS_REL_EXEC ? release_exec : release_spawn, NULL);
}

void fs_restore_refs(const struct fs_newprog *np, enum fs_release_kind kind)
{
	fs_inherit_handover(np, kind == FS_REL_EXEC ? restore_exec : restore_spawn, NULL);
}

/* Runs call between release and restore, keeping its errno; in
 * diagnostic mode the audit reports what the new program would inherit
 * by accident.  A child tells fork/ it execs (fs_child_exec).
 *
 * In a redirected child (spawnfork.c) that changed its environment, the
 * exec must pass the child's own (fs_spawn_env): the process's environ,
 * which execv and execvp read inside libc, is still the parent's; the
 * execvp family also searches the child's PATH (fs_spawn_execvpe). */
#define AROUND_EXEC(via, path, argv, envp, extra, nextra, site, call) ({ \
		struct fs_newprog np_ = { argv, envp, extra, nextra }; \
		fs_ensure_init(); \
		if (FS_UNLIKELY((fs_where & FS_W_FORKED) | fs_where_thread)) \
			fs_child_exec(); \
		fs_release_refs(&np_, FS_REL_EXEC); \
		if (FS_UNLIKELY(fs_cfg.diag)) \
			fs_audit_exec(via, path, &np_, site); \
		int r_ = (call); \
		int e_ = errno; \
		fs_restore_refs(&np_, FS_REL_EXEC); \
		errno = e_; \
		r_; \
	})

static int exec_ve(const char *path, char *const argv[], char *const envp[], uintptr_t site)
{
	int (*real)(const char *, char *const[], char *const[]) = REAL(execve);
	envp = fs_spawn_env(envp);
	return AROUND_EXEC("execve", path, argv, envp, NULL, 0, site, real(path, argv, envp));
}

static int exec_v(const char *path, char *const argv[], uintptr_t site)
{
	int (*real)(const char *, char *const[]) = REAL(execv);
	if (FS_UNLIKELY(fs_spawn_env_changed()))
		return exec_ve(path, argv, environ, site);
	return AROUND_EXEC("execv", path, argv, environ, NULL, 0, site, real(path, argv));
}

static int exec_vp(const char *file, char *const argv[], uintptr_t site)
{
	int (*real)(const char *, char *const[]) = REAL(execvp);
	if (FS_UNLIKELY(fs_spawn_env_changed())) {
		char *const *env = fs_spawn_env(environ);
		return AROUND_EXEC("execvp", file, argv, env, NULL, 0, site,
				   fs_spawn_execvpe(file, argv, env));
	}
	return AROUND_EXEC("execvp", file, argv, environ, NULL, 0, site, real(file, argv));
}

FS_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_ve(path, argv, envp, FS_SITE());
}

FS_EXPORT int execv(const char *path, char *const argv[])
{
	return exec_v(path, argv, FS_SITE());
}

FS_EXPORT int execvp(const char *file, char *const argv[])
{
	return exec_vp(file, argv, FS_SITE());
}

FS_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	int (*real)(const char *, char *const[], char *const[]) = REAL(execvpe);
	if (FS_UNLIKELY(fs_spawn_env_changed())) {
		envp = fs_spawn_env(envp);
		return AROUND_EXEC("execvpe", file, argv, envp, NULL, 0, FS_SITE(),
				   fs_spawn_execvpe(file, argv, envp));
	}
	return AROUND_EXEC("execvpe", file, argv, envp, NULL, 0, FS_SITE(),
			   real(file, argv, envp));
}

/* fexecve runs the file its fd names: that fd is referenced too (a
 * script run through /proc/self/fd/N needs it open in the new image). */
FS_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	int (*real)(int, char *const[], char *const[]) = REAL(fexecve);
	envp = fs_spawn_env(envp);
	return AROUND_EXEC("fexecve", NULL, argv, envp, &fd, 1, FS_SITE(),
			   real(fd, argv, envp));
}

FS_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		       int flags)
{
	int (*real)(int, const char *, char *const[], char *const[], int) = REAL(execveat);
	envp = fs_spawn_env(envp);
	return AROUND_EXEC("execveat", path, argv, envp, &dirfd, 1, FS_SITE(),
			   real(dirfd, path, argv, envp, flags));
}

/* The execl family gathers its arguments on the stack, as glibc does
 * (posix/execl.c), and goes through the cores above. */
#define GATHER_ARGS(arg0, ap, argv) \
	size_t n_ = 1; \
	va_start(ap, arg0); \
	while (va_arg(ap, char *)) \
		n_++; \
	va_end(ap); \
	char *argv[n_ + 1]; \
	argv[0] = (char *)arg0; \
	va_start(ap, arg0); \
	for (size_t i_ = 1; i_ <= n_; i_++) \
		argv[i_] = va_arg(ap, char *)

FS_EXPORT int execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	GATHER_ARGS(arg0, ap, argv);
	va_end(ap);
	return exec_v(path, argv, FS_SITE());
}

FS_EXPORT int execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	GATHER_ARGS(arg0, ap, argv);
	va_end(ap);
	return exec_vp(file, argv, FS_SITE());
}

FS_EXPORT int execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	GATHER_ARGS(arg0, ap, argv);
	char *const *envp = va_arg(ap, char *const *);
	va_end(ap);
	return exec_ve(path, argv, envp, FS_SITE());
}

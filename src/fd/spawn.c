/* forksafe: spawns.  posix_spawn, posix_spawnp and system create the
 * child inside libc (CLONE_VM|CLONE_VFORK) and it execs at once.
 *
 * The forced fds the new program is to get (core/inherit.c) reach it
 * through the spawn's own file actions: a dup2 of an fd onto itself
 * clears close-on-exec in the child only (glibc 2.29 and later, POSIX
 * issue 8), so the parent's fd stays close-on-exec and no other
 * thread's spawn can inherit it meanwhile.  The actions forksafe adds
 * run first, then the caller's.  glibc offers no way to put an action in
 * front of others, so forksafe builds the list itself, in the layout
 * glibc's spawn.h declares (posix_spawn_file_actions_t: __allocated,
 * __used, __actions); the layout of one action is learnt once from what
 * glibc's own posix_spawn_file_actions_adddup2 and _addclose build.
 * Where that cannot be done (another libc, an older glibc, a layout not
 * as expected, the first spawn made in a child after fork), the fds are
 * released in the parent for the duration of the call instead (counted
 * per fd: threads may spawn at once), as system and popen always do:
 * their spawn is inside libc.
 *
 * posix_spawn and posix_spawnp have two versions in glibc (GLIBC_2.2.5,
 * which also runs ENOEXEC files through /bin/sh, and GLIBC_2.15): each
 * of ours forwards to the same version of libc's. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "diag/diag.h"
#include "fd/fd.h"
#include <errno.h>
#include <gnu/libc-version.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

extern char **environ;

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);

/* ---- glibc's file actions ---- */

/* One file action as glibc lays it out (posix/spawn_int.h): a tag, then
 * the union of the actions' arguments, the widest an open's (fd, path,
 * flags, mode).  forksafe only ever copies actions whole and writes the
 * two fds of a dup2; the layout is checked against what glibc's own
 * functions build before any is used (learn_layout). */
struct action {
	int tag;
	union {
		struct { int fd, newfd; } dup2;
		struct { int fd; char *path; int oflag; mode_t mode; } open;
	} u;
};

static struct {
	int state;		/* 0: not learnt yet, 1: usable, 2: not usable */
	int dup2_tag;
} layout;

/* Builds a dup2(7, 7) and a close(9) with glibc's functions and checks
 * that they are where and what struct action says.  Only fields glibc
 * wrote are read.  Runs once, in the parent of a first spawn (glibc's
 * functions allocate). */
static void learn_layout(void)
{
	posix_spawn_file_actions_t fa;
	const struct action *a;
	int major = 0, minor = 0, state = 2;
	const char *v = gnu_get_libc_version();

	for (; *v >= '0' && *v <= '9'; v++)
		major = major * 10 + (*v - '0');
	if (*v == '.')
		for (v++; *v >= '0' && *v <= '9'; v++)
			minor = minor * 10 + (*v - '0');
	if ((major > 2 || (major == 2 && minor >= 29)) && posix_spawn_file_actions_init(&fa) == 0) {
		if (posix_spawn_file_actions_adddup2(&fa, 7, 7) == 0 &&
		    posix_spawn_file_actions_addclose(&fa, 9) == 0 && fa.__used == 2 &&
		    (a = (const struct action *)(const void *)fa.__actions) != NULL &&
		    a[0].u.dup2.fd == 7 && a[0].u.dup2.newfd == 7 && a[1].u.dup2.fd == 9 &&
		    a[0].tag != a[1].tag) {
			layout.dup2_tag = a[0].tag;
			state = 1;
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	__atomic_store_n(&layout.state, state, __ATOMIC_RELEASE);
}

static int layout_usable(void)
{
	int s = __atomic_load_n(&layout.state, __ATOMIC_ACQUIRE);

	/* Not in a child of a fork: glibc's functions allocate, and the
	 * allocator's locks may be held by threads that are gone. */
	if (!s && !(fs_where & FS_W_FORKED)) {
		learn_layout();
		s = __atomic_load_n(&layout.state, __ATOMIC_ACQUIRE);
	}
	return s == 1;
}

/* The fds to hand over, collected. */
struct fds {
	int *fd;
	size_t n, cap;
};

static void count_fd(int fd, void *arg)
{
	((struct fds *)arg)->cap++;
}

static void add_fd(int fd, void *arg)
{
	struct fds *f = arg;
	if (f->n < f->cap)
		f->fd[f->n++] = fd;
}

/* Memory for a list: the caller's stack buffer when it fits, else a
 * mapping (no malloc: a spawn may be made in a child after fork). */
static void *scratch(size_t need, void *stack, size_t have, size_t *mapped)
{
	void *p;

	*mapped = 0;
	if (need <= have)
		return stack;
	p = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	*mapped = need;
	return p;
}

/* Calls real with the caller's file actions preceded by a dup2(fd, fd)
 * for each fd to hand over.  Returns -1 (nothing called) when the list
 * cannot be built. */
static int spawn_with_actions(spawn_fn real, const struct fs_newprog *np, size_t nfds, pid_t *pid,
			      const char *path, const posix_spawn_file_actions_t *fa,
			      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int fd_stack[64];
	struct action act_stack[128];
	struct fds f = { NULL, 0, nfds };
	size_t fd_mapped, act_mapped, used = fa ? (size_t)fa->__used : 0, total;
	posix_spawn_file_actions_t mine;
	struct action *acts;
	int r = -1;

	if (!(f.fd = scratch(nfds * sizeof(int), fd_stack, sizeof fd_stack, &fd_mapped)))
		return -1;
	fs_inherit_handover(np, add_fd, &f);
	total = f.n + used;
	if ((total > (size_t)(int)total) ||
	    !(acts = scratch(total * sizeof *acts, act_stack, sizeof act_stack, &act_mapped)))
		goto out;
	memset(acts, 0, f.n * sizeof *acts);
	for (size_t i = 0; i < f.n; i++) {
		acts[i].tag = layout.dup2_tag;
		acts[i].u.dup2.fd = acts[i].u.dup2.newfd = f.fd[i];
	}
	if (used)
		memcpy(acts + f.n, fa->__actions, used * sizeof *acts);
	if (fa)
		mine = *fa;
	else
		posix_spawn_file_actions_init(&mine);
	mine.__actions = (void *)acts;
	mine.__used = (int)total;
	mine.__allocated = (int)total;
	r = real(pid, path, &mine, attr, argv, envp);
	if (act_mapped)
		munmap(acts, act_mapped);
out:
	if (fd_mapped) {
		int saved = errno;
		munmap(f.fd, fd_mapped);
		errno = saved;
	}
	return r;
}

static int spawn_core(spawn_fn real, const char *via, pid_t *pid, const char *path,
		      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		      char *const argv[], char *const envp[], uintptr_t site)
{
	struct fs_newprog np = { argv, envp ? envp : environ, NULL, 0 };
	struct fds count = { NULL, 0, 0 };
	int r = -1;

	fs_ensure_init();
	fs_bind_all();
	fs_inherit_handover(&np, count_fd, &count);
	/* What the child inherits before its file actions run. */
	if (FS_UNLIKELY(fs_cfg.diag))
		fs_audit_exec(via, path, &np, site);
	if (!count.cap)
		r = real(pid, path, fa, attr, argv, envp);
	else if (layout_usable())
		r = spawn_with_actions(real, &np, count.cap, pid, path, fa, attr, argv, envp);
	if (r == -1) {
		fs_release_refs(&np, FS_REL_SPAWN);
		r = real(pid, path, fa, attr, argv, envp);
		fs_restore_refs(&np, FS_REL_SPAWN);
	}
	fs_inherit_handed_over();
	return r;
}

FS_EXPORT int fs_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_core(REAL(posix_spawn), "posix_spawn", pid, path, fa, attr, argv, envp,
			  FS_SITE());
}

FS_EXPORT int fs_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_core(REAL(posix_spawnp), "posix_spawnp", pid, file, fa, attr, argv, envp,
			  FS_SITE());
}

FS_EXPORT int fs_posix_spawn_compat(pid_t *pid, const char *path,
				    const posix_spawn_file_actions_t *fa,
				    const posix_spawnattr_t *attr, char *const argv[],
				    char *const envp[])
{
	return spawn_core(REAL(posix_spawn_compat), "posix_spawn", pid, path, fa, attr, argv, envp,
			  FS_SITE());
}

FS_EXPORT int fs_posix_spawnp_compat(pid_t *pid, const char *file,
				     const posix_spawn_file_actions_t *fa,
				     const posix_spawnattr_t *attr, char *const argv[],
				     char *const envp[])
{
	return spawn_core(REAL(posix_spawnp_compat), "posix_spawnp", pid, file, fa, attr, argv,
			  envp, FS_SITE());
}

__asm__(".symver fs_posix_spawn, posix_spawn@@GLIBC_2.15");
__asm__(".symver fs_posix_spawnp, posix_spawnp@@GLIBC_2.15");
__asm__(".symver fs_posix_spawn_compat, posix_spawn@GLIBC_2.2.5");
__asm__(".symver fs_posix_spawnp_compat, posix_spawnp@GLIBC_2.2.5");

/* system runs "/bin/sh -c command" through glibc's internal spawn. */
FS_EXPORT int system(const char *command)
{
	int (*real)(const char *) = REAL(system);
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	struct fs_newprog np = { argv, environ, NULL, 0 };
	int r, saved;

	fs_ensure_init();
	fs_bind_all();
	if (!command)
		return real(command);
	fs_release_refs(&np, FS_REL_SPAWN);
	if (FS_UNLIKELY(fs_cfg.diag))
		fs_audit_exec("system", "/bin/sh", &np, FS_SITE());
	r = real(command);
	saved = errno;
	fs_restore_refs(&np, FS_REL_SPAWN);
	fs_inherit_handed_over();
	errno = saved;
	return r;
}

/* forksafe: what a redirected child (spawnfork.c) may change without
 * touching its parent.
 *
 * The child shares the parent's memory until it execs, so a libc call
 * that would change process state held in memory acts on the parent:
 * - exit() would run the parent's atexit handlers and flush its stdio
 *   buffers: in the child it is _exit(), the status kept;
 * - setenv and friends edit the environ array the parent uses: the child
 *   gets an environment of its own instead (memory it maps, which the
 *   parent unmaps), which getenv reads and exec passes on
 *   (fs_spawn_env); the process's environ is never changed, so the
 *   parent's other threads never see the child's;
 * - glibc's setuid and friends signal every thread of the parent (they
 *   walk its thread list) to change credentials process-wide: the child
 *   is a process of one thread, so the system call alone is right.
 * Signal dispositions, the mask, the working directory and the fds need
 * nothing: the kernel keeps them per process for a CLONE_VM child.
 *
 * Everywhere else each wrapper is a pass-through with one predictable
 * branch on a thread-local pointer. */
#include "config.h"
#include "core/core.h"
#include "fork/fork.h"
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

#define IN_CHILD() FS_UNLIKELY(fs_spawn_cur != NULL)

/* ---- exit ---- */

FS_EXPORT void exit(int status)
{
	if (IN_CHILD()) {
		for (;;)
			fs_raw_syscall(SYS_exit_group, status, 0, 0, 0, 0, 0);
	}
	if (FS_UNLIKELY(fs_where & FS_W_WATCHED))
		fs_auto_child_exiting();
	REAL(exit)(status);
	_exit(status);	/* not reached: for the compiler */
}

/* The fallback (core/real.h): the process ends without exit handlers. */
void FS_FALLBACK(exit)(int status)
{
	_exit(status);
}

/* ---- the child's environment ---- */

static void *child_alloc(struct fs_spawn_child *c, size_t n)
{
	struct fs_spawn_chunk *k = c->chunks;
	size_t head = (sizeof *k + 15) & ~(size_t)15, size;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!k || k->size - k->used < n) {
		size = head + n > 65536 ? (head + n + 4095) & ~(size_t)4095 : 65536;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		k = p;
		k->next = c->chunks;
		k->size = size;
		k->used = head;
		c->chunks = k;
	}
	p = (char *)k + k->used;
	k->used += n;
	return p;
}

/* Room for more entries; the first change copies the process's array. */
static int env_reserve(struct fs_spawn_child *c, size_t more)
{
	char **src = c->env ? c->env : environ, **a;
	size_t n = 0, cap;

	if (c->env && c->env_n + more < c->env_cap)
		return 0;
	if (c->env)
		n = c->env_n;
	else
		while (src && src[n])
			n++;
	cap = (n + more + 1) * 2 + 16;
	if (!(a = child_alloc(c, cap * sizeof *a)))
		return -1;
	if (n)
		memcpy(a, src, n * sizeof *a);
	a[n] = NULL;
	c->env = a;
	c->env_n = n;
	c->env_cap = cap;
	return 0;
}

/* Index of the entry "name=...", or -1. */
static long env_find(char *const *env, const char *name, size_t len)
{
	for (long i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return i;
	return -1;
}

static int valid_name(const char *name)
{
	if (name && *name && !strchr(name, '='))
		return 1;
	errno = EINVAL;
	return 0;
}

static char *child_getenv(struct fs_spawn_child *c, const char *name)
{
	char *const *env = c->env ? c->env : environ;
	long i = env_find(env, name, strlen(name));
	return i < 0 ? NULL : env[i] + strlen(name) + 1;
}

static int child_unsetenv(struct fs_spawn_child *c, const char *name, size_t len)
{
	long i;

	if (env_reserve(c, 0) < 0)
		return -1;
	while ((i = env_find(c->env, name, len)) >= 0) {
		memmove(&c->env[i], &c->env[i + 1], (c->env_n - (size_t)i) * sizeof *c->env);
		c->env_n--;
	}
	return 0;
}

/* Puts entry ("name=value", name len bytes long) in place of the first
 * entry of that name, or at the end. */
static int child_put(struct fs_spawn_child *c, char *entry, size_t len, int overwrite)
{
	long i;

	if (env_reserve(c, 1) < 0)
		return -1;
	i = env_find(c->env, entry, len);
	if (i >= 0) {
		if (overwrite)
			c->env[i] = entry;
		return 0;
	}
	c->env[c->env_n++] = entry;
	c->env[c->env_n] = NULL;
	return 0;
}

static int child_setenv(struct fs_spawn_child *c, const char *name, const char *value,
			int overwrite)
{
	size_t len = strlen(name), vlen = strlen(value);
	char *entry;

	if (!overwrite && env_find(c->env ? c->env : environ, name, len) >= 0)
		return 0;
	if (!(entry = child_alloc(c, len + vlen + 2)))
		return -1;
	memcpy(entry, name, len);
	entry[len] = '=';
	memcpy(entry + len + 1, value, vlen + 1);
	return child_put(c, entry, len, 1);
}

/* The fallback of getenv (core/real.h), and what getenv does until the
 * first fork or thread binds glibc's (fs_bind_all): every program calls
 * getenv at start-up, and a dlsym there would cost more than the search.
 * The same search glibc makes. */
char *FS_FALLBACK(getenv)(const char *name)
{
	long i;

	if (!environ || !*name)
		return NULL;
	i = env_find(environ, name, strlen(name));
	return i < 0 ? NULL : environ[i] + strlen(name) + 1;
}

FS_EXPORT char *getenv(const char *name)
{
	void *p = __atomic_load_n(&fs_real.getenv.obj, __ATOMIC_ACQUIRE);
	union { void *obj; char *(*fn)(const char *); } u = { .obj = p };

	if (IN_CHILD())
		return child_getenv(fs_spawn_cur, name);
	return p ? u.fn(name) : FS_FALLBACK(getenv)(name);
}

FS_EXPORT char *secure_getenv(const char *name)
{
	if (IN_CHILD())
		return getauxval(AT_SECURE) ? NULL : child_getenv(fs_spawn_cur, name);
	return REAL(secure_getenv)(name);
}

char *FS_FALLBACK(secure_getenv)(const char *name)
{
	return getauxval(AT_SECURE) ? NULL : FS_FALLBACK(getenv)(name);
}

FS_EXPORT int setenv(const char *name, const char *value, int overwrite)
{
	int (*real)(const char *, const char *, int);

	if (IN_CHILD())
		return valid_name(name) ? child_setenv(fs_spawn_cur, name, value, overwrite) : -1;
	real = REAL(setenv);
	return real(name, value, overwrite);
}

FS_EXPORT int unsetenv(const char *name)
{
	int (*real)(const char *);

	if (IN_CHILD())
		return valid_name(name) ? child_unsetenv(fs_spawn_cur, name, strlen(name)) : -1;
	real = REAL(unsetenv);
	return real(name);
}

/* As glibc's: a string without '=' removes the variable. */
FS_EXPORT int putenv(char *string)
{
	int (*real)(char *);
	const char *eq;

	if (IN_CHILD()) {
		if (!(eq = strchr(string, '=')))
			return child_unsetenv(fs_spawn_cur, string, strlen(string));
		return child_put(fs_spawn_cur, string, (size_t)(eq - string), 1);
	}
	real = REAL(putenv);
	return real(string);
}

FS_EXPORT int clearenv(void)
{
	int (*real)(void);
	struct fs_spawn_child *c = fs_spawn_cur;

	if (IN_CHILD()) {
		if (env_reserve(c, 0) < 0)
			return -1;
		c->env_n = 0;
		c->env[0] = NULL;
		return 0;
	}
	real = REAL(clearenv);
	return real();
}

/* ---- execvp's search, with the child's PATH ---- */

/* ENOEXEC: run the file with /bin/sh, as glibc's execvp does. */
static void exec_or_script(const char *path, char *const argv[], char *const envp[])
{
	int (*real)(const char *, char *const[], char *const[]) = REAL(execve);
	size_t argc = 0;

	real(path, argv, envp);
	if (errno != ENOEXEC)
		return;
	while (argv[argc])
		argc++;
	char *script_argv[argc + 2];
	script_argv[0] = (char *)"/bin/sh";
	script_argv[1] = (char *)path;
	for (size_t i = 1; i <= argc; i++)
		script_argv[i + 1] = argv[i];
	if (!argc)
		script_argv[2] = NULL;
	real("/bin/sh", script_argv, envp);
	errno = ENOEXEC;
}

int fs_spawn_execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct fs_spawn_child *c = fs_spawn_cur;
	const char *path = c ? child_getenv(c, "PATH") : getenv("PATH"), *p, *end;
	size_t flen = strlen(file);
	int eacces = 0;

	if (!flen) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/')) {
		exec_or_script(file, argv, envp);
		return -1;
	}
	if (flen > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path ? path : "/bin:/usr/bin";; p = end + 1) {
		char full[PATH_MAX];
		size_t dlen;
		end = strchrnul(p, ':');
		dlen = (size_t)(end - p);
		if (dlen + flen + 2 <= sizeof full) {
			memcpy(full, p, dlen);
			full[dlen] = '/';	/* an empty element is the current directory */
			memcpy(full + dlen + (dlen > 0), file, flen + 1);
			exec_or_script(full, argv, envp);
			if (errno == EACCES)
				eacces = 1;
			else if (errno != ENOENT && errno != ESTALE && errno != ENOTDIR &&
				 errno != ENODEV && errno != ETIMEDOUT)
				return -1;
		}
		if (!*end)
			break;
	}
	errno = eacces ? EACCES : ENOENT;
	return -1;
}

/* ---- credentials ---- */

/* The system call alone, in a redirected child; libc's call elsewhere. */
#define CRED_WRAPPER(name, params, args, raw_args) \
	FS_EXPORT int name params \
	{ \
		int (*real) params; \
		if (IN_CHILD()) \
			return (int)fs_sys_result(fs_raw_syscall raw_args); \
		real = REAL(name); \
		return real args; \
	}

CRED_WRAPPER(setuid, (uid_t u), (u), (SYS_setuid, u, 0, 0, 0, 0, 0))
CRED_WRAPPER(setgid, (gid_t g), (g), (SYS_setgid, g, 0, 0, 0, 0, 0))
CRED_WRAPPER(setreuid, (uid_t r, uid_t e), (r, e),
	     (SYS_setreuid, (int)r, (int)e, 0, 0, 0, 0))
CRED_WRAPPER(setregid, (gid_t r, gid_t e), (r, e),
	     (SYS_setregid, (int)r, (int)e, 0, 0, 0, 0))
CRED_WRAPPER(setresuid, (uid_t r, uid_t e, uid_t s), (r, e, s),
	     (SYS_setresuid, (int)r, (int)e, (int)s, 0, 0, 0))
CRED_WRAPPER(setresgid, (gid_t r, gid_t e, gid_t s), (r, e, s),
	     (SYS_setresgid, (int)r, (int)e, (int)s, 0, 0, 0))
CRED_WRAPPER(setgroups, (size_t n, const gid_t *list), (n, list),
	     (SYS_setgroups, (long)n, (long)list, 0, 0, 0, 0))

/* glibc's seteuid is setresuid(-1, euid, -1), refusing -1 itself
 * (sysdeps/unix/sysv/linux/seteuid.c); setegid likewise. */
#define ID_WRAPPER(name, type, nr) \
	FS_EXPORT int name(type id) \
	{ \
		int (*real)(type); \
		if (IN_CHILD()) { \
			if (id == (type)-1) { \
				errno = EINVAL; \
				return -1; \
			} \
			return (int)fs_sys_result(fs_raw_syscall(nr, -1, (int)id, -1, 0, 0, 0)); \
		} \
		real = REAL(name); \
		return real(id); \
	}

ID_WRAPPER(seteuid, uid_t, SYS_setresuid)
ID_WRAPPER(setegid, gid_t, SYS_setresgid)

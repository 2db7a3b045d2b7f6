/* forksafe: the real libc functions behind the wrappers (real.c).
 *
 * Inside the module, libc functions that forksafe also wraps are always
 * called through REAL(name), never by their public names, so wrappers
 * never recurse into each other. */
#ifndef FS_CORE_REAL_H
#define FS_CORE_REAL_H

#include "core/attr.h"
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

struct termios;
struct winsize;
struct mmsghdr;
struct timespec;
struct file_handle;

/* name, return type, parameter list, symbol version (NULL: default). */
#define FS_REAL_LIST(X) \
	X(open, int, (const char *, int, ...), NULL) \
	X(open64, int, (const char *, int, ...), NULL) \
	X(openat, int, (int, const char *, int, ...), NULL) \
	X(openat64, int, (int, const char *, int, ...), NULL) \
	X(__open, int, (const char *, int, ...), NULL) \
	X(__open64, int, (const char *, int, ...), NULL) \
	X(__open_2, int, (const char *, int), NULL) \
	X(__open64_2, int, (const char *, int), NULL) \
	X(__openat_2, int, (int, const char *, int), NULL) \
	X(__openat64_2, int, (int, const char *, int), NULL) \
	X(open_by_handle_at, int, (int, struct file_handle *, int), NULL) \
	X(fopen, FILE *, (const char *, const char *), NULL) \
	X(fopen64, FILE *, (const char *, const char *), NULL) \
	X(freopen, FILE *, (const char *, const char *, FILE *), NULL) \
	X(freopen64, FILE *, (const char *, const char *, FILE *), NULL) \
	X(tmpfile, FILE *, (void), NULL) \
	X(fdopen, FILE *, (int, const char *), NULL) \
	X(popen, FILE *, (const char *, const char *), NULL) \
	X(fclose, int, (FILE *), NULL) \
	X(pclose, int, (FILE *), NULL) \
	X(closedir, int, (void *), NULL) \
	X(mkostemp, int, (char *, int), NULL) \
	X(mkostemp64, int, (char *, int), NULL) \
	X(mkostemps, int, (char *, int, int), NULL) \
	X(mkostemps64, int, (char *, int, int), NULL) \
	X(socket, int, (int, int, int), NULL) \
	X(socketpair, int, (int, int, int, int *), NULL) \
	X(accept4, int, (int, struct sockaddr *, socklen_t *, int), NULL) \
	X(recvmsg, ssize_t, (int, struct msghdr *, int), NULL) \
	X(recvmmsg, int, (int, struct mmsghdr *, unsigned int, int, struct timespec *), NULL) \
	X(dup2, int, (int, int), NULL) \
	X(dup3, int, (int, int, int), NULL) \
	X(fcntl, int, (int, int, ...), NULL) \
	X(fcntl64, int, (int, int, ...), NULL) \
	X(ioctl, int, (int, unsigned long, ...), NULL) \
	X(close, int, (int), NULL) \
	X(close_range, int, (unsigned int, unsigned int, int), NULL) \
	X(closefrom, void, (int), NULL) \
	X(pipe2, int, (int *, int), NULL) \
	X(epoll_create1, int, (int), NULL) \
	X(eventfd, int, (unsigned int, int), NULL) \
	X(signalfd, int, (int, const sigset_t *, int), NULL) \
	X(timerfd_create, int, (int, int), NULL) \
	X(inotify_init1, int, (int), NULL) \
	X(fanotify_init, int, (unsigned int, unsigned int), NULL) \
	X(memfd_create, int, (const char *, unsigned int), NULL) \
	X(fsopen, int, (const char *, unsigned int), NULL) \
	X(fsmount, int, (int, unsigned int, unsigned int), NULL) \
	X(open_tree, int, (int, const char *, unsigned int), NULL) \
	X(posix_openpt, int, (int), NULL) \
	X(getpt, int, (void), NULL) \
	X(grantpt, int, (int), NULL) \
	X(unlockpt, int, (int), NULL) \
	X(login_tty, int, (int), NULL) \
	X(syscall, long, (long, ...), NULL) \
	X(execve, int, (const char *, char *const[], char *const[]), NULL) \
	X(execv, int, (const char *, char *const[]), NULL) \
	X(execvp, int, (const char *, char *const[]), NULL) \
	X(execvpe, int, (const char *, char *const[], char *const[]), NULL) \
	X(fexecve, int, (int, char *const[], char *const[]), NULL) \
	X(execveat, int, (int, const char *, char *const[], char *const[], int), NULL) \
	X(posix_spawn, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.15") \
	X(posix_spawnp, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.15") \
	X(posix_spawn_compat, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.2.5") \
	X(posix_spawnp_compat, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.2.5") \
	X(system, int, (const char *), NULL) \
	X(fork, pid_t, (void), NULL) \
	X(_Fork, pid_t, (void), NULL) \
	X(pthread_create, int, (void *, const void *, void *(*)(void *), void *), NULL) \
	X(__cxa_finalize, void, (void *), NULL) \
	X(sigaction, int, (int, const struct sigaction *, struct sigaction *), NULL) \
	X(signal, __sighandler_t, (int, __sighandler_t), NULL) \
	X(pthread_mutex_lock, int, (pthread_mutex_t *), NULL) \
	X(pthread_mutex_timedlock, int, (pthread_mutex_t *, const struct timespec *), NULL) \
	X(pthread_mutex_clocklock, int, (pthread_mutex_t *, clockid_t, const struct timespec *), NULL) \
	X(pthread_rwlock_rdlock, int, (pthread_rwlock_t *), NULL) \
	X(pthread_rwlock_wrlock, int, (pthread_rwlock_t *), NULL) \
	X(pthread_rwlock_timedrdlock, int, (pthread_rwlock_t *, const struct timespec *), NULL) \
	X(pthread_rwlock_timedwrlock, int, (pthread_rwlock_t *, const struct timespec *), NULL) \
	X(pthread_rwlock_clockrdlock, int, (pthread_rwlock_t *, clockid_t, const struct timespec *), NULL) \
	X(pthread_rwlock_clockwrlock, int, (pthread_rwlock_t *, clockid_t, const struct timespec *), NULL) \
	X(exit, void, (int), NULL) \
	X(getenv, char *, (const char *), NULL) \
	X(secure_getenv, char *, (const char *), NULL) \
	X(setenv, int, (const char *, const char *, int), NULL) \
	X(unsetenv, int, (const char *), NULL) \
	X(putenv, int, (char *), NULL) \
	X(clearenv, int, (void), NULL) \
	X(setuid, int, (uid_t), NULL) \
	X(setgid, int, (gid_t), NULL) \
	X(seteuid, int, (uid_t), NULL) \
	X(setegid, int, (gid_t), NULL) \
	X(setreuid, int, (uid_t, uid_t), NULL) \
	X(setregid, int, (gid_t, gid_t), NULL) \
	X(setresuid, int, (uid_t, uid_t, uid_t), NULL) \
	X(setresgid, int, (gid_t, gid_t, gid_t), NULL) \
	X(setgroups, int, (size_t, const gid_t *), NULL)

enum fs_sym_id {
#define FS_X(name, ret, args, ver) FS_ID_##name,
	FS_REAL_LIST(FS_X)
#undef FS_X
	FS_ID_COUNT
};

/* One slot per real function.  The union keeps object and function
 * pointers apart without casts between them. */
struct fs_real {
#define FS_X(name, ret, args, ver) union { void *obj; ret (*fn) args; } name;
	FS_REAL_LIST(FS_X)
#undef FS_X
};
extern struct fs_real fs_real FS_HIDDEN;

/* Binds one symbol (idempotent, lock-free, may run concurrently).
 * Returns 0 when the symbol cannot be bound now (recursion from inside
 * dlsym, or libc lacks it). */
int fs_bind(enum fs_sym_id id) FS_HIDDEN;
/* Binds every symbol, so that no later wrapper call needs dlsym: done
 * before the process forks or starts a thread. */
void fs_bind_all(void) FS_HIDDEN;

/* Returns the slot's pointer once bound (binding it now if need be), or
 * NULL when it cannot be bound (see fs_bind). */
void *fs_bind_get(enum fs_sym_id id) FS_HIDDEN;
#define REAL(name) ({ \
		void *p_ = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE); \
		if (FS_UNLIKELY(!p_)) \
			p_ = fs_bind_get(FS_ID_##name); \
		union { void *obj; __typeof__(fs_real.name.fn) fn; } u_ = { .obj = p_ }; \
		u_.fn; \
	})

#endif

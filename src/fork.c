/* forksafe: fork, and the child's "setting up" state (DESIGN §2 rule 4).
 *
 * In the child of a fork, until it execs, nothing new is forced: the
 * child is single-threaded and prepares what the next program gets.  If
 * the child starts a thread instead, it has become a program of its own
 * and forcing resumes.  Every symbol is bound before the fork, so the
 * child never needs dlsym (whose lock another parent thread may hold). */
#include "config.h"
#include "fs.h"
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

static volatile int child_mode;

void fs_enter_child_mode(void)
{
	child_mode = 1;
	fs_forcing = 0;
}

static pid_t fork_with(pid_t (*real)(void))
{
	pid_t pid;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	pid = real();
	if (pid == 0)
		fs_enter_child_mode();
	return pid;
}

pid_t fs_fork_core(uintptr_t site)
{
	fs_ensure_init();
	fs_bind_all();
	return fork_with(REAL(fork));
}

FS_EXPORT pid_t fork(void)
{
	return fs_fork_core(FS_SITE());
}

FS_EXPORT pid_t __fork(void)
{
	return fs_fork_core(FS_SITE());
}

FS_EXPORT pid_t _Fork(void)
{
	fs_ensure_init();
	fs_bind_all();
	return fork_with(REAL(_Fork));
}

FS_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			     void *(*start)(void *), void *arg)
{
	int (*real)(void *, const void *, void *(*)(void *), void *);

	fs_ensure_init();
	fs_bind_all();
	real = REAL(pthread_create);
	if (!real)
		return ENOSYS;
	if (FS_UNLIKELY(child_mode)) {
		child_mode = 0;
		fs_forcing = fs_forcing_allowed();
	}
	return real(thread, attr, start, arg);
}

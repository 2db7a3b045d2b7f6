/* Helpers for the spawn tests (FORKSAFE_FORK=spawn and auto).
 *
 * Every test program forks from a process with a second thread, so that
 * forksafe redirects its forks, and proves each redirection: the child
 * writes a global before it execs, which the parent sees only if the
 * child ran in its memory.  Without forksafe (or with the fork not
 * redirected) the programs fail. */
#ifndef FS_SPAWNTEST_H
#define FS_SPAWNTEST_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>

static int failures __attribute__((unused));

/* Results go to standard error, which is unbuffered: standard output
 * stays the program's own (a test may keep text pending in its buffer). */
__attribute__((format(printf, 2, 3))) static void check(int ok, const char *fmt, ...)
{
	va_list ap;
	fputs(ok ? "ok: " : "FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!ok)
		failures++;
}

__attribute__((unused)) static int finish(void)
{
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}

/* The second thread: it sleeps until the process ends. */
static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return arg;
}

__attribute__((unused)) static void start_idle_thread(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, idle_thread, NULL) != 0) {
		fprintf(stderr, "FAIL: pthread_create\n");
		exit(2);
	}
}

/* The proof that does not write memory (auto vetoes a child that does):
 * 'R' when the calling child runs in its parent's memory (kcmp
 * KCMP_VM), 'F' when it has memory of its own, '?' when kcmp fails.
 * need_kcmp first: where kcmp is not allowed the program skips. */
__attribute__((unused)) static char shared_with_parent(void)
{
	long r = syscall(SYS_kcmp, getpid(), getppid(), KCMP_VM, 0, 0);
	return r == 0 ? 'R' : r > 0 ? 'F' : '?';
}

__attribute__((unused)) static void need_kcmp(void)
{
	if (syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0) != 0) {
		fprintf(stderr, "SKIP: kcmp is not allowed here\n");
		exit(77);
	}
}

/* Set by a child just before it execs. */
static volatile int redirected;

/* The child's status, or -1 when it did not end within seconds (it is
 * then killed). */
__attribute__((unused)) static int wait_status(pid_t pid, int seconds)
{
	struct timespec tick = { 0, 2 * 1000 * 1000 };
	int status;

	for (long waited = 0; waited < seconds * 500L; waited++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0)
			return -2;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

__attribute__((unused)) static int exited_with(int status, int code)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

#endif

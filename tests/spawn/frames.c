/* A redirected child runs on its parent's stack: the parent must find its
 * frames, its thread-local variables and errno as they were when fork
 * returns in it.
 *
 * fork is called two functions down; the child returns through both,
 * fills 512 KiB of stack with a recursion of large frames, changes a
 * __thread variable and errno, and execs /bin/true.  The parent checks
 * the locals of every frame, the TLS value, errno, that the child ran in
 * its memory (redirection), that getpid() in the child was the pid
 * fork returned, and that no pthread_atfork handler ran (no fork
 * happened; a child handler would run in the shared memory too).  From the main thread, then from a second thread.
 * Prints "ok:" lines; exits 1 on any failure. */
#define _GNU_SOURCE
#include "spawntest.h"

static __thread int tls_value;
static volatile pid_t child_getpid;
static volatile int atfork_calls;

static void on_atfork(void)
{
	atfork_calls++;
}

static void fill(volatile char *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(i * 7 + seed);
}

static int intact(volatile char *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)(i * 7 + seed))
			return 0;
	return 1;
}

/* Returns 0 in the child, the pid in the parent; *bad counts frames
 * found changed. */
__attribute__((noinline)) static pid_t fork_below(int *bad)
{
	volatile char frame[700];
	pid_t pid;

	fill(frame, sizeof frame, 11);
	pid = fork();
	if (pid != 0 && !intact(frame, sizeof frame, 11))
		(*bad)++;
	return pid;
}

__attribute__((noinline)) static pid_t fork_in_helper(int *bad)
{
	volatile char frame[300];
	pid_t pid;

	fill(frame, sizeof frame, 5);
	pid = fork_below(bad);
	if (pid != 0 && !intact(frame, sizeof frame, 5))
		(*bad)++;
	return pid;
}

__attribute__((noinline)) static long clobber(int depth)
{
	volatile char big[8192];
	memset((char *)big, 0xa5 ^ depth, sizeof big);
	return depth ? clobber(depth - 1) + big[depth] : big[0];
}

static void run(const char *where)
{
	volatile char frame[256];
	int bad = 0, status, saved_errno;
	pid_t pid;

	fill(frame, sizeof frame, 3);
	tls_value = 1234;
	redirected = 0;
	child_getpid = 0;
	atfork_calls = 0;
	errno = EILSEQ;
	pid = fork_in_helper(&bad);
	if (pid == 0) {
		clobber(64);
		tls_value = -1;
		errno = 0;
		child_getpid = getpid();
		redirected = 1;
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	saved_errno = errno;
	status = wait_status(pid, 10);
	check(pid > 0, "%s: fork returned a pid (%d)", where, (int)pid);
	check(redirected == 1, "%s: the child ran in the parent's memory (redirected)", where);
	check(exited_with(status, 0), "%s: the child exec'd /bin/true (status %#x)", where, status);
	check(bad == 0 && intact(frame, sizeof frame, 3),
	      "%s: every frame below and above fork is intact", where);
	check(tls_value == 1234, "%s: the __thread variable is the parent's (%d)", where, tls_value);
	check(saved_errno == EILSEQ, "%s: errno is the parent's (%d)", where, saved_errno);
	check(child_getpid == pid, "%s: getpid() in the child (%d) is fork's result (%d)", where,
	      (int)child_getpid, (int)pid);
	check(atfork_calls == 0, "%s: no atfork handler ran (%d calls)", where, atfork_calls);
}

static void *thread_main(void *arg)
{
	run("second thread");
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_atfork(on_atfork, on_atfork, on_atfork);
	start_idle_thread();
	run("main thread");
	if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
		check(0, "second thread runs");
	return finish();
}

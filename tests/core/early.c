/* Wrappers before the constructor, and in signal handlers.
 * 1. earlylib's constructor (run before main, possibly before forksafe's
 *    own) opened an fd and a pipe: they must be close-on-exec.
 * 2. A signal handler that creates fds (open, pipe, dup, socket) while
 *    the main thread creates and closes fds in a loop: every fd the
 *    handler made is close-on-exec, and nothing deadlocks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

extern int earlylib_fd, earlylib_pipe[2];
static volatile sig_atomic_t handled, bad;

static int cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void handler(int sig)
{
	int p[2], fds[4], n = 0;
	fds[n++] = open("/dev/null", O_RDONLY);
	fds[n++] = socket(AF_UNIX, SOCK_DGRAM, 0);
	fds[n++] = dup(0);
	if (pipe(p) == 0) {
		bad += !cloexec(p[0]) + !cloexec(p[1]);
		close(p[0]);
		close(p[1]);
	}
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0 || !cloexec(fds[i]))
			bad++;
		close(fds[i]);
	}
	handled++;
}

int main(void)
{
	int fails = 0;
	struct sigaction sa = { .sa_handler = handler };
	struct itimerval it = { { 0, 200 }, { 0, 200 } };

	if (!(earlylib_fd >= 0 && cloexec(earlylib_fd))) {
		printf("FAIL: an fd opened in another library's constructor is not forced\n");
		fails++;
	}
	if (!(earlylib_pipe[0] >= 0 && cloexec(earlylib_pipe[0]) && cloexec(earlylib_pipe[1]))) {
		printf("FAIL: a pipe made in another library's constructor is not forced\n");
		fails++;
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; handled < 300 && i < 5000000; i++) {
		int fd = open("/dev/null", O_RDONLY);
		if (!cloexec(fd))
			bad++;
		close(fd);
	}
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	if (handled < 300 || bad) {
		printf("FAIL: %d signal handlers ran, %d fds not forced\n", (int)handled, (int)bad);
		fails++;
	} else {
		printf("ok: %d signal handlers created fds while main looped, all forced\n",
		       (int)handled);
	}
	if (!fails)
		printf("ok: fds made in another library's constructor are forced\n");
	return fails;
}

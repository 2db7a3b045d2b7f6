/* Children of a threaded fork that take their time: stall MODE
 *
 *   sleep      the child sleeps 3 s (a loop that sleeps again when a
 *              signal cuts it short), then _exit(0)
 *   exec       the child execs "sleep 2"
 *   inherited  a SIGRTMAX handler installed before the fork; the child
 *              sleeps 2 s
 *   own        the child installs a SIGRTMAX handler, then sleeps 2 s
 *
 * Prints "status=S elapsed=SECONDS" (the child's wait status, as seen
 * by the parent) and, from the child, "handler_calls=N" (calls of the
 * program's SIGRTMAX handler) and "interrupted=N" (sleeps cut short). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handler_calls;

static void program_handler(int sig)
{
	(void)sig;
	handler_calls++;
}

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Sleeps the whole time, even when signals cut a sleep short. */
static void sleep_fully(double seconds)
{
	double end = now() + seconds;
	int interrupted = 0;

	for (double left; (left = end - now()) > 0;) {
		struct timespec ts = { (time_t)left, (long)((left - (time_t)left) * 1e9) };
		if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
			interrupted++;
	}
	printf("handler_calls=%d\ninterrupted=%d\n", (int)handler_calls, interrupted);
	fflush(stdout);
}

static void child(const char *mode)
{
	if (strcmp(mode, "exec") == 0) {
		execlp("sleep", "sleep", "2", (char *)NULL);
		_exit(127);
	}
	if (strcmp(mode, "own") == 0)
		signal(SIGRTMAX, program_handler);
	sleep_fully(strcmp(mode, "sleep") == 0 ? 3 : 2);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "sleep";
	double start;
	pthread_t t;
	int status = -1;
	pid_t pid;

	if (pthread_create(&t, NULL, park, NULL) != 0)
		return 2;
	if (strcmp(mode, "inherited") == 0)
		signal(SIGRTMAX, program_handler);
	start = now();
	pid = fork();
	if (pid == 0)
		child(mode);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	printf("status=%d elapsed=%.1f\n", status, now() - start);
	return 0;
}

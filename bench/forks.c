/* bench: fork cost.
 *   forks N THREADS [MIB] [exec|spawn]
 * Touches MIB MiB, starts THREADS extra threads, then N times either
 * fork+_exit (default), fork+exec of /bin/true ("exec"), or
 * posix_spawn of /bin/true ("spawn"), each waited for, after one more
 * that is not timed.  Prints microseconds per child. */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void *idle(void *a)
{
	for (;;)
		pause();
	return a;
}

int main(int argc, char **argv)
{
	long n = atol(argv[1]), threads = atol(argv[2]);
	size_t mib = argc > 3 ? (size_t)atol(argv[3]) : 0;
	const char *how = argc > 4 ? argv[4] : "fork";
	struct timespec a, b;
	char *const args[] = { "true", NULL };

	if (mib) {
		char *p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (size_t i = 0; i < mib << 20; i += 4096)
			p[i] = 1;
	}
	for (long i = 0; i < threads; i++) {
		pthread_t t;
		pthread_create(&t, NULL, idle, NULL);
	}
	/* Round -1 is not timed: under FORKSAFE_FORK=spawn it is the call
	 * site's first fork, a real one whose child is watched (the
	 * learning); the timed rounds are the steady state. */
	for (long i = -1; i < n; i++) {
		pid_t pid;
		if (i == 0)
			clock_gettime(CLOCK_MONOTONIC, &a);
		if (!strcmp(how, "spawn")) {
			if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) != 0)
				return 1;
		} else if ((pid = fork()) == 0) {
			if (!strcmp(how, "exec"))
				execv("/bin/true", args);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000.0);
	return 0;
}

/* Runs under tests/core/allocinit.c's allocator (linked in): a thread, a
 * fork while it runs (reported in diagnostic mode, with a backtrace, once
 * forksafe is up), the child execs; prints "allocmain: ok". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *idle(void *arg)
{
	int *fds = arg;
	char c;
	return read(fds[0], &c, 1) == 1 ? NULL : arg;
}

int main(void)
{
	pthread_t t;
	int fds[2], status;
	pid_t pid;
	char *volatile mem = malloc(64);	/* links the allocator in */

	if (!mem || pipe(fds) != 0 || pthread_create(&t, NULL, idle, fds) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 1;
	if (write(fds[1], "x", 1) != 1 || pthread_join(t, NULL) != 0)
		return 1;
	puts("allocmain: ok");
	return 0;
}

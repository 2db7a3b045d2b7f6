/* Linked against libforksafe (a set-user-ID program ignores LD_PRELOAD),
 * so forksafe runs in a secure-execution process when this file is
 * installed set-user-ID.  Prints "secure=N", opens /dev/null and prints
 * "fd=N cloexec=0|1" (whether forksafe forced it), then forks while a
 * second thread runs; the child exits 0.  Exits 0 when the child did. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(void)
{
	pthread_t t;
	int status, fd;
	pid_t pid;

	printf("secure=%lu\n", getauxval(AT_SECURE));
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		return 2;
	printf("fd=%d cloexec=%d\n", fd, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	fflush(stdout);
	if (pthread_create(&t, NULL, park, NULL) != 0)
		return 2;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 2;
	return 0;
}

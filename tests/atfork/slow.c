/* A prepare handler slower than FORKSAFE_ATFORK_TIMEOUT: slow SECONDS
 * [threaded].  slow_prepare_handler sleeps SECONDS, then the fork goes
 * on; prints "status=0" when the child exited 0. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned seconds;

void slow_prepare_handler(void)
{
	sleep(seconds);
}

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int status = -1;
	pid_t pid;

	seconds = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	pthread_atfork(slow_prepare_handler, NULL, NULL);
	if (argc > 2 && pthread_create(&t, NULL, park, NULL) != 0)
		return 2;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	printf("status=%d\n", status);
	return 0;
}

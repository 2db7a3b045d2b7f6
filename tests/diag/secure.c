/* Linked against libforksafe (no LD_PRELOAD: the loader ignores it in a
 * set-user-ID program), so forksafe runs in an AT_SECURE process when
 * this file is installed set-user-ID.  Prints "secure=N", then forks
 * while a second thread runs (an mt-fork report in diagnostic mode). */
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
	int status;
	pid_t pid;

	printf("secure=%lu\n", getauxval(AT_SECURE));
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

/* Writes many long reports: manyevents FORKS HANDLERS
 *
 * Registers HANDLERS atfork handlers (each listed in every mt-fork
 * report, so lines are long), starts a second thread, then forks FORKS
 * times; each child exits at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void manyevents_handler(void)
{
}

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : 0, handlers = argc > 2 ? atoi(argv[2]) : 0;
	pthread_t t;

	for (int i = 0; i < handlers; i++)
		pthread_atfork(manyevents_handler, manyevents_handler, manyevents_handler);
	if (pthread_create(&t, NULL, park, NULL) != 0)
		return 2;
	for (int i = 0; i < forks; i++) {
		int status;
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
			return 2;
	}
	return 0;
}

/* fd2 FILE: closes fd 2, opens FILE (which becomes fd 2: the program's
 * own file), then forks while a second thread runs (an mt-fork report in
 * diagnostic mode), writes "own line" to FILE and exits 0.  Prints
 * "file fd N" on stdout.  Whether it was started with fd 2 open or not,
 * no report may land in FILE. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int fd, status;
	pid_t pid;

	if (argc != 2)
		return 2;
	close(2);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return 2;
	printf("file fd %d\n", fd);
	fflush(stdout);
	if (pthread_create(&t, NULL, park, NULL) != 0)
		return 2;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 2;
	if (write(fd, "own line\n", 9) != 9)
		return 2;
	return 0;
}

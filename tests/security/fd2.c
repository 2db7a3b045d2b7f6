/* fd2 FILE [early]: closes fd 2, opens FILE (which becomes fd 2: the
 * program's own file), then forks while a second thread runs (an
 * mt-fork report in diagnostic mode), writes "own line" to FILE and
 * exits 0.  With "early", it first forks once with the thread running,
 * before fd 2 is closed (a report from another call site, written while
 * fd 2 is still the start-up stderr).  Prints "file fd N" on stdout.
 * Whether it was started with fd 2 open or not, no report may land in
 * FILE. */
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

/* Two call sites (noipa: never folded into one). */
__attribute__((noipa)) static int fork_early(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0 ? 0 : -1;
}

__attribute__((noipa)) static int fork_late(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int fd;

	if (argc < 2)
		return 2;
	if (pthread_create(&t, NULL, park, NULL) != 0)
		return 2;
	if (argc > 2 && strcmp(argv[2], "early") == 0 && fork_early() < 0)
		return 2;
	close(2);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return 2;
	printf("file fd %d\n", fd);
	fflush(stdout);
	if (fork_late() < 0)
		return 2;
	if (write(fd, "own line\n", 9) != 9)
		return 2;
	return 0;
}

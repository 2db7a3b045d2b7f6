/* A program whose output and exit status must not change under forksafe,
 * whatever its settings: plain STATUS.  Prints to stdout from itself and
 * from a forked child, then exits with STATUS. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	printf("plain: parent before fork\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("plain: child\n");
		fflush(stdout);
		_exit(7);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 99;
	printf("plain: child exited with %d\n", WEXITSTATUS(status));
	return argc > 1 ? atoi(argv[1]) : 0;
}

/* bench: the minor page faults of one run of a program.
 *   minflt PRELOAD PATH [ARG...]
 * runs PATH with LD_PRELOAD=PRELOAD ("" for none) and prints its
 * ru_minflt (wait4: the child's alone).  The environment is made before
 * a vfork and the child only execs, so next to nothing but the program
 * itself is counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	static char *env[4096];
	static char preload[4200];
	struct rusage ru;
	int status, n = 0;
	pid_t pid;

	if (argc < 3)
		return 2;
	for (char **e = environ; *e && n < 4094; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
			env[n++] = *e;
	if (argv[1][0]) {
		snprintf(preload, sizeof preload, "LD_PRELOAD=%s", argv[1]);
		env[n++] = preload;
	}
	env[n] = NULL;
	pid = vfork();
	if (pid == 0) {
		execve(argv[2], argv + 2, env);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
		return 1;
	printf("%ld\n", ru.ru_minflt);
	return 0;
}

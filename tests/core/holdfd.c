/* Opens a file the ordinary way (forksafe forces it close-on-exec), then
 * runs a command with every "%d" in its arguments and environment
 * replaced by the fd number, through the function named by argv[1]:
 *   holdfd execvp|posix_spawnp|system|popen NUMFILE VAR=VALUE... -- CMD ARG...
 * The fd number is also written to NUMFILE, so a check can find the fd
 * without naming it.  For system and popen the arguments are joined
 * into one command string.  Exit status: the command's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char *subst(const char *s, int fd)
{
	char num[16], *out = malloc(strlen(s) * 4 + 16), *o = out;
	snprintf(num, sizeof num, "%d", fd);
	for (; *s; s++) {
		if (s[0] == '%' && s[1] == 'd') {
			o = stpcpy(o, num);
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

int main(int argc, char **argv)
{
	int fd = open("/etc/passwd", O_RDONLY), i = 3, st;
	char *args[64], cmd[4096] = "";
	int n = 0;

	if (argc < 5 || fd < 0)
		return 2;
	FILE *num = fopen(argv[2], "we");
	if (!num)
		return 2;
	fprintf(num, "%d\n", fd);
	fclose(num);
	for (; i < argc && strcmp(argv[i], "--"); i++)
		putenv(subst(argv[i], fd));
	for (i++; i < argc && n < 63; i++)
		args[n++] = subst(argv[i], fd);
	args[n] = NULL;
	for (int k = 0; k < n; k++) {
		strcat(cmd, k ? " " : "");
		strcat(cmd, args[k]);
	}
	if (!strcmp(argv[1], "execvp")) {
		execvp(args[0], args);
		return 127;
	}
	if (!strcmp(argv[1], "posix_spawnp")) {
		pid_t pid;
		if (posix_spawnp(&pid, args[0], NULL, NULL, args, environ) != 0)
			return 127;
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
	if (!strcmp(argv[1], "system")) {
		st = system(cmd);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
	if (!strcmp(argv[1], "popen")) {
		FILE *f = popen(cmd, "r");
		char buf[256];
		while (f && fgets(buf, sizeof buf, f))
			fputs(buf, stdout);
		st = f ? pclose(f) : -1;
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
	return 2;
}

/* execref: runs a command that is told about some of this program's fds.
 *
 *   execref -i FILE [-m execvp|spawn|fork|system|popen] [-f N]
 *           [-e NAME=VALUE]... -- ARG...
 *
 * Closes every fd above 2, then makes, with plain calls that do not ask
 * for close-on-exec (so forksafe forces them all):
 *   %d  an fd open on FILE (open; moved to N or above with fcntl
 *       F_DUPFD when -f N is given),
 *   %u  a second fd on FILE, which tests never name,
 *   %r %w  the two ends of a pipe.
 * In ARGs and in -e values, %d %u %r %w become those numbers (%% is %).
 * -e sets an environment variable for the command.  The command is run
 *   execvp  by execvp in this process (default),
 *   spawn   by posix_spawnp,
 *   fork    by fork and execvp in the child,
 *   system  by system() on the ARGs joined with spaces,
 *   popen   by popen(..., "r") on the same string, copying its output.
 * Exits with the command's exit status (128+N for signal N, 126 when it
 * could not be started). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int fd_d, fd_u, fd_r, fd_w;

/* s with the %-escapes replaced, in new memory. */
static char *expand(const char *s)
{
	size_t cap = strlen(s) * 4 + 16, n = 0;
	char *out = malloc(cap);

	for (; *s && n + 12 < cap; s++) {
		int v = -1;
		if (s[0] == '%' && s[1]) {
			switch (s[1]) {
			case 'd': v = fd_d; break;
			case 'u': v = fd_u; break;
			case 'r': v = fd_r; break;
			case 'w': v = fd_w; break;
			case '%': out[n++] = '%'; s++; continue;
			}
		}
		if (v < 0) {
			out[n++] = *s;
			continue;
		}
		n += (size_t)snprintf(out + n, cap - n, "%d", v);
		s++;
	}
	out[n] = '\0';
	return out;
}

static int open_fds(const char *file, int min)
{
	int p[2];

	closefrom(3);
	fd_d = open(file, O_RDONLY);
	if (fd_d >= 0 && min > 0) {
		int moved = fcntl(fd_d, F_DUPFD, min);
		close(fd_d);
		fd_d = moved;
	}
	fd_u = open(file, O_RDONLY);
	if (fd_d < 0 || fd_u < 0 || pipe(p) != 0)
		return -1;
	fd_r = p[0];
	fd_w = p[1];
	return 0;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 126;
}

static char *joined(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = calloc(1, len);
	for (char **a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

static int run_popen(const char *cmd)
{
	char buf[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	if (!p) {
		perror("execref: popen");
		return 126;
	}
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		fwrite(buf, 1, n, stdout);
	fflush(stdout);
	return exit_code(pclose(p));
}

static int run(const char *mode, char **argv)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if (strcmp(mode, "execvp") == 0) {
		execvp(argv[0], argv);
		perror("execref: execvp");
		return 126;
	}
	if (strcmp(mode, "spawn") == 0) {
		if ((errno = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ)) != 0) {
			perror("execref: posix_spawnp");
			return 126;
		}
	} else if (strcmp(mode, "fork") == 0) {
		if ((pid = fork()) == 0) {
			execvp(argv[0], argv);
			_exit(126);
		}
	} else if (strcmp(mode, "system") == 0) {
		return exit_code(system(joined(argv)));
	} else if (strcmp(mode, "popen") == 0) {
		return run_popen(joined(argv));
	} else {
		fprintf(stderr, "execref: unknown mode %s\n", mode);
		return 126;
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 126;
	return exit_code(status);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *mode = "execvp";
	char *env[16];
	int opt, nenv = 0, min = 0;

	while ((opt = getopt(argc, argv, "+i:m:f:e:")) != -1) {
		switch (opt) {
		case 'i': file = optarg; break;
		case 'm': mode = optarg; break;
		case 'f': min = atoi(optarg); break;
		case 'e': if (nenv < 16) env[nenv++] = optarg; break;
		default: return 126;
		}
	}
	if (!file || optind >= argc) {
		fprintf(stderr, "usage: execref -i FILE [-m MODE] [-f N] [-e NAME=VALUE]... -- ARG...\n");
		return 126;
	}
	if (open_fds(file, min) != 0) {
		perror("execref: set-up");
		return 126;
	}
	for (int i = 0; i < nenv; i++)
		putenv(expand(env[i]));
	for (int i = optind; i < argc; i++)
		argv[i] = expand(argv[i]);
	return run(mode, argv + optind);
}

/* fdprobe: which fds this program got.
 *
 *   fdprobe [-x] [-E NAME]... [-i ARG]... ARG...
 *
 * Every run of digits in each ARG names an fd that must be open:
 * "/dev/fd/5", "--fd=5", "5", "--fds=4,5" and "x5" all work ("x5" names
 * fd 5 in a way no program, forksafe included, takes as a reference).
 * -E NAME takes the fds from environment variable NAME: LISTEN_FDS=N
 * names fds 3 .. 3+N-1, a value with "jobserver-auth=R,W" names R and W,
 * any other value every run of digits in it.  -i ARG names nothing to
 * fdprobe: ARG is only there for forksafe to read.  -x: no other fd
 * above 2 may be open.  Exits 0 when all is as asked, 1 when a named fd
 * is missing, 2 when an unnamed fd is open, 3 for both, 4 without
 * /proc; reports on stderr. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXFD 1024
static char named[MAXFD];

static void name_digits(const char *s)
{
	while (*s) {
		if (*s >= '0' && *s <= '9') {
			long fd = strtol(s, (char **)&s, 10);
			if (fd >= 0 && fd < MAXFD)
				named[fd] = 1;
		} else {
			s++;
		}
	}
}

static void name_from_env(const char *var)
{
	const char *v = getenv(var), *js;

	if (!v) {
		fprintf(stderr, "fdprobe: %s is not set\n", var);
		return;
	}
	if (strcmp(var, "LISTEN_FDS") == 0) {
		for (int fd = 3; fd < 3 + atoi(v) && fd < MAXFD; fd++)
			named[fd] = 1;
	} else if ((js = strstr(v, "jobserver-auth=")) != NULL) {
		name_digits(js);
	} else {
		name_digits(v);
	}
}

/* Bit 1: a named fd is missing; bit 2: an unnamed one is open. */
static int probe(int exact)
{
	char open_now[MAXFD] = { 0 };
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int r = 0;

	if (!d)
		return 4;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) && fd < MAXFD)
			open_now[fd] = 1;
	}
	closedir(d);
	for (int fd = 3; fd < MAXFD; fd++) {
		if (named[fd] && !open_now[fd]) {
			fprintf(stderr, "fdprobe: fd %d was named but is not open\n", fd);
			r |= 1;
		} else if (exact && open_now[fd] && !named[fd]) {
			fprintf(stderr, "fdprobe: fd %d is open but was not named\n", fd);
			r |= 2;
		}
	}
	return r;
}

int main(int argc, char **argv)
{
	int exact = 0;

	/* Only -x, -E and -i are options: "--fd=5" is an fd to check. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-x") == 0)
			exact = 1;
		else if (strcmp(argv[i], "-E") == 0 && i + 1 < argc)
			name_from_env(argv[++i]);
		else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc)
			i++;
		else
			name_digits(argv[i]);
	}
	return probe(exact);
}

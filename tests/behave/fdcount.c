/* fdcount: how many fds this program inherited beyond 0, 1 and 2.
 *
 *   fdcount [-v]
 *
 * Lists /proc/self/fd (not counting the fd of that listing) and exits
 * with the count, capped at 100; 125 when /proc cannot be read.  With -v
 * it names each inherited fd and what it points to on stderr. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void describe(int fd)
{
	char link[64], target[256];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof target - 1);
	target[n < 0 ? 0 : n] = '\0';
	fprintf(stderr, "fdcount[%d]: inherited fd %d -> %s\n", (int)getpid(), fd, target);
}

int main(int argc, char **argv)
{
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int count = 0;

	if (!d)
		return 125;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		count++;
		if (verbose)
			describe(fd);
	}
	closedir(d);
	return count > 100 ? 100 : count;
}

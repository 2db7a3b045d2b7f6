/* Prints the fds above 2 this program started with, ascending, on one
 * line: "fds: 3 5 9" ("fds:" alone for none); with -l, also which are
 * listening sockets: "9L".  The directory it reads them from is left
 * out. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv)
{
	static int fds[1 << 16];
	int n = 0, self, listening = argc > 1 && strcmp(argv[1], "-l") == 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return 2;
	self = dirfd(d);
	while ((e = readdir(d)) && n < (int)(sizeof fds / sizeof fds[0])) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd > 2 && fd != self)
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, (size_t)n, sizeof fds[0], cmp);
	printf("fds:");
	for (int i = 0; i < n; i++) {
		int on = 0;
		socklen_t len = sizeof on;
		printf(" %d", fds[i]);
		if (listening && getsockopt(fds[i], SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on)
			putchar('L');
	}
	putchar('\n');
	return 0;
}

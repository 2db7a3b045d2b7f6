/* bench: N create+close pairs of one fd call, timed.
 *   calls WHAT N    prints nanoseconds per pair
 * WHAT: open openat dup pipe socket accept fopen mutex */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int listener(char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(path, 100, "/tmp/fsbench.%d", (int)getpid());
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	bind(l, (struct sockaddr *)&sa, sizeof sa);
	listen(l, 4096);
	return l;
}

int main(int argc, char **argv)
{
	const char *w = argv[1];
	long n = atol(argv[2]);
	struct timespec a, b;
	char path[100] = "";
	int l = -1, c = -1;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!strcmp(w, "accept")) {
		l = listener(path);
		snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		if (!strcmp(w, "open")) {
			close(open("/dev/null", O_RDONLY));
		} else if (!strcmp(w, "openat")) {
			close(openat(AT_FDCWD, "/dev/null", O_RDONLY));
		} else if (!strcmp(w, "dup")) {
			close(dup(0));
		} else if (!strcmp(w, "pipe")) {
			int p[2];
			if (pipe(p) == 0) {
				close(p[0]);
				close(p[1]);
			}
		} else if (!strcmp(w, "socket")) {
			close(socket(AF_UNIX, SOCK_STREAM, 0));
		} else if (!strcmp(w, "accept")) {
			c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			connect(c, (struct sockaddr *)&sa, sizeof sa);
			close(accept(l, NULL, NULL));
			close(c);
		} else if (!strcmp(w, "fopen")) {
			fclose(fopen("/dev/null", "r"));
		} else if (!strcmp(w, "mutex")) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (path[0])
		unlink(path);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
	return 0;
}

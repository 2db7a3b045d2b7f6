/* The race forksafe closes: worker threads create and close fds through
 * many APIs without close-on-exec while the main thread forks and execs
 * a child (this program in --count mode) that counts the fds it
 * inherited beyond 0-2.  Prints the total over all children.
 *
 *   race CHILDREN     (the parent)
 *   race --count      (the child: exit status = inherited fds, max 100) */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../common/present.h"

#define WORKERS 4
static int stop;	/* atomic: the workers read it while main sets it */

static void *worker(void *arg)
{
	long id = (long)arg;
	int sv[2], p[2];
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int fds[8], n = 0;
		fds[n++] = open("/dev/null", O_RDONLY);
		fds[n++] = socket(AF_INET, SOCK_DGRAM, 0);
		if (pipe(p) == 0) {
			fds[n++] = p[0];
			fds[n++] = p[1];
		}
		fds[n++] = dup(0);
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
			fds[n++] = sv[0];
			fds[n++] = sv[1];
		}
		fds[n++] = id & 1 ? eventfd(0, 0) : epoll_create1(0);
		FILE *f = fopen("/dev/null", "r");
		usleep(50);
		if (f)
			fclose(f);
		for (int i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[WORKERS];
	char self[4096];
	int total = 0, children;

	if (argc == 2 && strcmp(argv[1], "--count") == 0)
		return inherited_since("RACE_PRESENT");
	if (argc != 2 || (children = atoi(argv[1])) <= 0)
		return 2;
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return 2;
	self[len] = '\0';
	remember_present("RACE_PRESENT");
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < children; i++) {
		int st;
		pid_t pid = fork();
		if (pid == 0) {
			execl(self, self, "--count", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) == 127)
			return 3;
		total += WEXITSTATUS(st);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	printf("%d children inherited %d fds\n", children, total);
	return 0;
}

/* A program that takes every fd number back: logreuse DIR [closefrom|dup2]
 *
 * closefrom (the default): closes every fd from 3 up, then opens its own
 * files DIR/own.N until it holds every number that was open before (the
 * log's among them).  dup2: puts a file of its own onto each of those
 * numbers with dup2, closing what was there.  A second thread runs from
 * the start: a first fork (fork_first) makes forksafe write a report,
 * and so open its fd, before the fds are listed; then it forks twice
 * more (fork_child), so that forksafe reports while the program's files
 * sit on the log's old numbers.  Its files stay open until exit
 * (the summary is written then).  Prints the fds open at start
 * ("start fd N -> TARGET") and "reused N files up to fd M". */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 256

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* The fds from 3 up, each printed as "start fd N -> TARGET". */
static int open_fds(int *fds)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		die("/proc/self/fd");
	while ((e = readdir(d)) != NULL && n < MAX_FDS) {
		char path[64], target[4096];
		int fd = atoi(e->d_name);
		ssize_t len;
		if (fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof target - 1);
		target[len > 0 ? len : 0] = '\0';
		printf("start fd %d -> %s\n", fd, target);
		fds[n++] = fd;
	}
	closedir(d);
	return n;
}

static int open_own(const char *dir, int n)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/own.%d", dir, n);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	return fd;
}

/* Returns the highest number taken. */
static int take_by_closefrom(const char *dir, const int *fds, int n, int *count)
{
	int high = 2, fd = 2;

	for (int i = 0; i < n; i++)
		if (fds[i] > high)
			high = fds[i];
	closefrom(3);
	while (fd < high)
		fd = open_own(dir, (*count)++);
	return fd;
}

static int take_by_dup2(const char *dir, const int *fds, int n, int *count)
{
	int high = 2;

	for (int i = 0; i < n; i++) {
		int fd = open_own(dir, (*count)++);
		if (dup2(fd, fds[i]) != fds[i])
			die("dup2");
		close(fd);
		if (fds[i] > high)
			high = fds[i];
	}
	return high;
}

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* fork's result: the child leaves at once, the parent reaps it. */
static void child_leaves(pid_t pid)
{
	int status;

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		die("fork");
}

__attribute__((noipa)) static void fork_child(void)
{
	child_leaves(fork());
}

/* Another call site than fork_child's (noipa: never folded into it). */
__attribute__((noipa)) static void fork_first(void)
{
	child_leaves(fork());
}

int main(int argc, char **argv)
{
	int fds[MAX_FDS], n, count = 0, high;
	pthread_t t;

	if (argc < 2) {
		fprintf(stderr, "usage: logreuse DIR [closefrom|dup2]\n");
		return 2;
	}
	/* A first report, so that forksafe's fd (opened on the first line it
	 * writes) is among those listed and taken. */
	if (pthread_create(&t, NULL, park, NULL) != 0)
		die("pthread_create");
	fork_first();
	n = open_fds(fds);
	if (argc > 2 && strcmp(argv[2], "dup2") == 0)
		high = take_by_dup2(argv[1], fds, n, &count);
	else
		high = take_by_closefrom(argv[1], fds, n, &count);
	fork_child();
	fork_child();
	printf("reused %d files up to fd %d\n", count, high);
	return 0;
}

/* race: the race close-on-exec has to win.
 *
 *   race [CHILDREN [-v]]
 *   race --count [-v]        (the child)
 *
 * Three threads keep making and closing fds through many entry points,
 * never asking for close-on-exec, each holding its last few open; the
 * main thread meanwhile starts CHILDREN (default 200) copies of this
 * program in --count mode, by fork+execve, posix_spawn, vfork+execve
 * (with a minimal environment) and fork+execl (with this program's) in
 * turn, no fd named in their arguments.  A child exits with the number
 * of fds it inherited beyond 0-2 (at most 100; -v names them on
 * stderr).  Prints
 *   children=N leaked=TOTAL leaking_children=K
 * and exits 0, or 2 when a child could not be started or run (exit
 * status above 100, or a signal).  race.sh asserts TOTAL is 0 under
 * forksafe and above 0 without it.
 *
 * Also run under ThreadSanitizer in CI: the threads share only what
 * they read and write atomically. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 3
#define NSLOTS 6
#define NKINDS 22

/* What one slot holds: up to two fds, or a stream. */
struct slot {
	int fd[2];
	FILE *f;
};

struct worker {
	pthread_t tid;
	int base;		/* a file to copy, receive and accept from */
	int pair[2];		/* to pass fds over (SCM_RIGHTS) */
	int listener;
	struct sockaddr_un addr;
	unsigned long rounds;
	struct slot slots[NSLOTS];
};

static const char *file = "/proc/self/exe";
static char tmpdir[] = "/tmp/raceXXXXXX";
static int stop;	/* atomic: the workers read it while main sets it */
static sigset_t usr2;

static int one(int fd, struct slot *s)
{
	s->fd[0] = fd;
	return fd;
}

static int two(int r, const int p[2], struct slot *s)
{
	if (r == 0) {
		s->fd[0] = p[0];
		s->fd[1] = p[1];
	}
	return r;
}

static int stream(FILE *f, struct slot *s)
{
	s->f = f;
	return f ? 0 : -1;
}

/* Connects to the worker's own listener and accepts it. */
static int accepted(struct worker *w, struct slot *s)
{
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int fd = -1;

	if (c >= 0 && connect(c, (struct sockaddr *)&w->addr, sizeof w->addr) == 0)
		fd = accept(w->listener, NULL, NULL);
	if (c >= 0)
		close(c);
	return one(fd, s);
}

/* Sends w->base to itself and receives it without MSG_CMSG_CLOEXEC. */
static int received(struct worker *w, struct slot *s)
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof u.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int fd = -1;

	memset(u.buf, 0, sizeof u.buf);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &w->base, sizeof(int));
	if (sendmsg(w->pair[0], &m, 0) != 1)
		return -1;
	m.msg_controllen = sizeof u.buf;
	if (recvmsg(w->pair[1], &m, 0) == 1 && (c = CMSG_FIRSTHDR(&m)) != NULL &&
	    c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return one(fd, s);
}

static int temp(struct slot *s)
{
	char name[sizeof tmpdir + 16];
	int fd;

	snprintf(name, sizeof name, "%s/tXXXXXX", tmpdir);
	if ((fd = mkstemp(name)) >= 0)
		unlink(name);
	return one(fd, s);
}

/* Makes one thing of the given kind, without close-on-exec. */
static int make(struct worker *w, int kind, struct slot *s)
{
	int p[2];

	switch (kind) {
	case 0: return one(open(file, O_RDONLY), s);
	case 1: return one(openat(AT_FDCWD, file, O_RDONLY), s);
	case 2: return one(socket(AF_UNIX, SOCK_DGRAM, 0), s);
	case 3: return two(socketpair(AF_UNIX, SOCK_STREAM, 0, p), p, s);
	case 4: return two(pipe(p), p, s);
	case 5: return two(pipe2(p, O_NONBLOCK), p, s);
	case 6: return one(dup(w->base), s);
	case 7: return one(fcntl(w->base, F_DUPFD, 3), s);
	case 8: return one(eventfd(0, 0), s);
	case 9: return one(epoll_create(1), s);
	case 10: return stream(fopen(file, "r"), s);
	case 11: return accepted(w, s);
	case 12: return one(memfd_create("race", 0), s);
	case 13: return one(timerfd_create(CLOCK_MONOTONIC, 0), s);
	case 14: return one(inotify_init(), s);
	case 15: return one(signalfd(-1, &usr2, 0), s);
	case 16: return temp(s);
	case 17: return stream(tmpfile(), s);
	case 18: return received(w, s);
	case 19: return one(socket(AF_INET, SOCK_DGRAM, 0), s);
	case 20: return one(epoll_create1(0), s);
	default: return one((int)syscall(SYS_openat, AT_FDCWD, file, O_RDONLY), s);
	}
}

static void release(struct slot *s)
{
	if (s->f)
		fclose(s->f);
	for (int i = 0; i < 2; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	s->f = NULL;
	s->fd[0] = s->fd[1] = -1;
}

static void *churn(void *arg)
{
	struct worker *w = arg;
	unsigned long n = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *s = &w->slots[n % NSLOTS];
		release(s);
		if (make(w, (int)(n % NKINDS), s) < 0) {
			fprintf(stderr, "race: kind %d failed: %s\n", (int)(n % NKINDS),
				strerror(errno));
			exit(2);
		}
		__atomic_store_n(&w->rounds, ++n, __ATOMIC_RELEASE);
	}
	for (int i = 0; i < NSLOTS; i++)
		release(&w->slots[i]);
	return NULL;
}

static int worker_init(struct worker *w, int i)
{
	for (int k = 0; k < NSLOTS; k++) {
		w->slots[k].fd[0] = w->slots[k].fd[1] = -1;
		w->slots[k].f = NULL;
	}
	w->addr.sun_family = AF_UNIX;
	snprintf(w->addr.sun_path, sizeof w->addr.sun_path, "%s/s%d", tmpdir, i);
	w->base = open(file, O_RDONLY | O_CLOEXEC);
	w->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->base < 0 || w->listener < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, w->pair) != 0 ||
	    bind(w->listener, (struct sockaddr *)&w->addr, sizeof w->addr) != 0 ||
	    listen(w->listener, 8) != 0)
		return -1;
	return pthread_create(&w->tid, NULL, churn, w) == 0 ? 0 : -1;
}

/* Waits until every worker has gone round its slots a few times. */
static void warm_up(struct worker *w)
{
	for (int i = 0; i < NTHREADS; i++)
		while (__atomic_load_n(&w[i].rounds, __ATOMIC_ACQUIRE) < 3 * NKINDS)
			sched_yield();
}

/* Starts one child by the i-th way; returns its pid or -1. */
static pid_t start_child(int i, const char *prog, char *const argv[], char *const envp[])
{
	pid_t pid = -1;

	switch (i % 4) {
	case 0:
		pid = fork();
		if (pid == 0) {
			execve(prog, argv, envp);
			_exit(127);
		}
		break;
	case 1:
		if ((errno = posix_spawn(&pid, prog, NULL, NULL, argv, envp)) != 0)
			pid = -1;
		break;
	case 2:
		pid = vfork();
		if (pid == 0) {
			execve(prog, argv, envp);
			_exit(127);
		}
		break;
	default:
		pid = fork();
		if (pid == 0) {
			/* execl: the parent's environment, the module with it */
			if (argv[2])
				execl(prog, argv[0], argv[1], argv[2], (char *)NULL);
			else
				execl(prog, argv[0], argv[1], (char *)NULL);
			_exit(127);
		}
		break;
	}
	return pid;
}

/* Adds what the child reported; returns -1 when it did not report. */
static int collect(pid_t pid, long *total, int *leaking)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) > 100) {
		fprintf(stderr, "race: child %d failed (status %#x)\n", (int)pid, status);
		return -1;
	}
	*total += WEXITSTATUS(status);
	*leaking += WEXITSTATUS(status) > 0;
	return 0;
}

/* The child: the fds it inherited beyond 0-2 (capped at 100 for an exit
 * status); with verbose, each one and what it is, on stderr. */
static int count_inherited(int verbose)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[64], target[256];
	int count = 0;

	if (!d)
		return 125;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		ssize_t n;
		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		count++;
		if (!verbose)
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = '\0';
		fprintf(stderr, "race[%d]: inherited fd %d -> %s\n", (int)getpid(), fd, target);
	}
	closedir(d);
	return count > 100 ? 100 : count;
}

int main(int argc, char **argv)
{
	static struct worker w[NTHREADS];
	int verbose = argc > 2 && strcmp(argv[2], "-v") == 0;
	int children = argc > 1 ? atoi(argv[1]) : 200, leaking = 0, bad = 0;
	char *cargv[] = { "race", "--count", verbose ? "-v" : NULL, NULL };
	char *cenv[] = { "PATH=/usr/bin:/bin", NULL };
	char self[4096];
	ssize_t len;
	long total = 0;

	if (argc > 1 && strcmp(argv[1], "--count") == 0)
		return count_inherited(verbose);
	len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (children <= 0 || len <= 0) {
		fprintf(stderr, "usage: race [CHILDREN [-v]] (and /proc mounted)\n");
		return 2;
	}
	self[len] = '\0';
	closefrom(3);	/* only what this program makes may be counted */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	if (!mkdtemp(tmpdir))
		return 2;
	for (int i = 0; i < NTHREADS; i++)
		if (worker_init(&w[i], i) != 0) {
			perror("race: set-up");
			return 2;
		}
	warm_up(w);
	for (int i = 0; i < children; i++) {
		pid_t pid = start_child(i, self, cargv, cenv);
		if (pid < 0 || collect(pid, &total, &leaking) != 0)
			bad++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].tid, NULL);
		unlink(w[i].addr.sun_path);
	}
	rmdir(tmpdir);
	printf("children=%d leaked=%ld leaking_children=%d\n", children, total, leaking);
	return bad ? 2 : 0;
}

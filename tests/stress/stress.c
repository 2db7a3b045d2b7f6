/* Stress: 8 threads for SECONDS create and close fds through the wrapped
 * APIs (round_of_fds, round_of_more_fds) and check that every fd they hold stays theirs (a byte written to
 * a pipe comes back), 2 of them also fork+exec, posix_spawn and system()
 * children that count the fds they inherited, a 1 ms timer's signal
 * handler creates fds, and one thread dlopens and dlcloses a library with
 * atfork handlers (never while a fork runs them: see unload_lock).
 * Exit 0 when no child inherited an fd, no fd was lost or changed, and
 * every fd was close-on-exec; it must also end (the
 * driver runs it under timeout: a deadlock fails).
 *   stress SECONDS LIBRARY      stress --count */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
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
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "present.h"

#define THREADS 8
extern char **environ;
static int stop;	/* atomic: the workers read it while main sets it */
static volatile long ops, children, inherited, lost, not_cloexec, sig_fds, dl_cycles;
static char self[4096], *library;
/* A library must not be unmapped while a fork runs its handlers: that
 * crashes with glibc's registry as with forksafe's (glibc does not make
 * dlclose wait for a fork).  Forks hold this for reading, dlclose for
 * writing; dlopen (its constructor registers handlers) runs freely. */
static pthread_rwlock_t unload_lock = PTHREAD_RWLOCK_INITIALIZER;

static int cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void add(volatile long *c, long n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static void check_fd(int fd)
{
	if (fd >= 0 && !cloexec(fd))
		add(&not_cloexec, 1);
}

static void run_child(int how)
{
	char *args[] = { self, "--count", NULL };
	pid_t pid = -1;
	int st;

	if (how == 0) {
		pthread_rwlock_rdlock(&unload_lock);
		if ((pid = fork()) == 0) {
			execv(self, args);
			_exit(127);
		}
		pthread_rwlock_unlock(&unload_lock);
	} else if (how == 1) {
		if (posix_spawn(&pid, self, NULL, NULL, args, environ) != 0)
			pid = -1;
	} else {
		char cmd[4200];
		snprintf(cmd, sizeof cmd, "%s --count", self);
		st = system(cmd);
		add(&children, 1);
		if (WIFEXITED(st) && WEXITSTATUS(st) != 127)
			add(&inherited, WEXITSTATUS(st));
		return;
	}
	if (pid < 0)
		return;
	waitpid(pid, &st, 0);
	add(&children, 1);
	if (WIFEXITED(st) && WEXITSTATUS(st) != 127)
		add(&inherited, WEXITSTATUS(st));
	else
		add(&lost, 1000);	/* the child failed: counted as an error */
}

/* One round of fd work; the pipe proves fds stay the program's. */
static void round_of_fds(void)
{
	int p[2], sv[2], fds[10], n = 0;
	char c = 'x';

	if (pipe(p) != 0)
		return;
	fds[n++] = open("/dev/null", O_RDONLY);
	fds[n++] = socket(AF_INET, SOCK_DGRAM, 0);
	fds[n++] = dup(p[0]);
	fds[n++] = eventfd(0, 0);
	fds[n++] = epoll_create1(0);
	fds[n++] = fcntl(p[1], F_DUPFD, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		fds[n++] = sv[0];
		fds[n++] = sv[1];
	}
	FILE *f = fopen("/dev/null", "r");
	check_fd(p[0]);
	check_fd(p[1]);
	for (int i = 0; i < n; i++)
		check_fd(fds[i]);
	if (f)
		check_fd(fileno(f));
	if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1 || c != 'x')
		add(&lost, 1);
	if (f)
		fclose(f);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && close(fds[i]) != 0)
			add(&lost, 1);
	if (close(p[0]) != 0 || close(p[1]) != 0)
		add(&lost, 1);
	add(&ops, n + 3);
}

/* Sends fd over a socketpair and returns the fd that arrives
 * (recvmsg with SCM_RIGHTS), or -1. */
static int pass_fd(int fd)
{
	int sv[2], got = -1;
	char byte = 'f', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof cbuf };
	struct cmsghdr *c;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(sv[0], &m, 0) == 1) {
		memset(cbuf, 0, sizeof cbuf);
		m.msg_controllen = sizeof cbuf;
		if (recvmsg(sv[1], &m, 0) == 1 && (c = CMSG_FIRSTHDR(&m)) &&
		    c->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(c), sizeof got);
	}
	close(sv[0]);
	close(sv[1]);
	return got;
}

/* The other wrapped calls: openat, pipe2, memfd_create, timerfd_create,
 * signalfd, inotify_init1, accept4 and accept (a unix socket of this
 * thread), recvmsg with SCM_RIGHTS, mkstemp, tmpfile, opendir.  Not dup2
 * and dup3: their fds are left inheritable on purpose (how a program
 * hands an fd to a child), so a concurrent child may inherit them. */
static void round_of_more_fds(long id)
{
	int q[2], fds[16], n = 0, lst, cli;
	char tmpl[] = "/tmp/fs-stress-XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t mask;

	fds[n++] = openat(AT_FDCWD, "/dev/null", O_RDONLY);
	if (pipe2(q, 0) == 0) {
		fds[n++] = q[0];
		fds[n++] = q[1];
	}
	fds[n++] = memfd_create("stress", 0);
	fds[n++] = timerfd_create(CLOCK_MONOTONIC, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	fds[n++] = signalfd(-1, &mask, 0);
	fds[n++] = inotify_init1(0);
	fds[n++] = pass_fd(fds[0]);
	if ((fds[n] = mkstemp(tmpl)) >= 0) {
		unlink(tmpl);
		n++;
	}
	/* Abstract unix socket names: nothing to clean up. */
	snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "fs-stress-%d-%ld", (int)getpid(), id);
	lst = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lst >= 0 && bind(lst, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(lst, 2) == 0) {
		for (int k = 0; k < 2; k++) {
			cli = socket(AF_UNIX, SOCK_STREAM, 0);
			if (cli >= 0 && connect(cli, (struct sockaddr *)&sa, sizeof sa) == 0)
				fds[n++] = k ? accept4(lst, NULL, NULL, 0) : accept(lst, NULL, NULL);
			fds[n++] = cli;
		}
	}
	fds[n++] = lst;
	FILE *t = tmpfile();
	DIR *d = opendir("/");
	for (int i = 0; i < n; i++)
		check_fd(fds[i]);
	if (t)
		check_fd(fileno(t));
	if (d)
		check_fd(dirfd(d));
	if (t)
		fclose(t);
	if (d)
		closedir(d);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && close(fds[i]) != 0)
			add(&lost, 1);
	add(&ops, n + 4);
}

static void *worker(void *arg)
{
	long id = (long)arg;
	for (long i = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
		round_of_fds();
		if (i % 4 == 0)
			round_of_more_fds(id);
		if (id < 2 && i % 20 == 0)
			run_child((int)((i / 20) % 3));
	}
	return NULL;
}

static void *loader(void *arg)
{
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		void *h = dlopen(library, RTLD_NOW);
		if (h) {
			pthread_rwlock_wrlock(&unload_lock);
			dlclose(h);
			pthread_rwlock_unlock(&unload_lock);
			add(&dl_cycles, 1);
		}
		usleep(500);
	}
	return arg;
}

static void on_alarm(int sig)
{
	int fd = open("/dev/null", O_RDONLY), p[2];
	if (fd >= 0) {
		check_fd(fd);
		close(fd);
	}
	if (pipe(p) == 0) {
		check_fd(p[0]);
		check_fd(p[1]);
		close(p[0]);
		close(p[1]);
	}
	add(&sig_fds, 3);
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS], l;
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };

	if (argc == 2 && !strcmp(argv[1], "--count"))
		return inherited_since("STRESS_PRESENT");
	if (argc != 3)
		return 2;
	library = argv[2];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return 2;
	self[len] = '\0';
	remember_present("STRESS_PRESENT");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	pthread_create(&l, NULL, loader, NULL);
	/* sleep() returns at the first SIGALRM: wait for the deadline. */
	struct timespec now, end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[1]);
	do {
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_join(l, NULL);
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	printf("%ld fd operations, %ld in signal handlers, %ld children, %ld dlopen/dlclose; "
	       "inherited %ld, lost %ld, not close-on-exec %ld\n",
	       ops, sig_fds, children, dl_cycles, inherited, lost, not_cloexec);
	return inherited || lost || not_cloexec || !children || !dl_cycles ? 1 : 0;
}

/* Coverage: every fd-creating entry point of glibc, called without
 * asking for close-on-exec, returns a close-on-exec fd under forksafe,
 * and an inheritable one without it.  Called with the flag asked for,
 * the fd is close-on-exec either way.
 *
 *   cover forced   every "plain" fd must be close-on-exec
 *   cover native   every "plain" fd must be inheritable (no forksafe)
 *
 * Prints one line per entry point and exits 1 if any is wrong.  Entry
 * points the kernel refuses here (fanotify without CAP_SYS_ADMIN...) are
 * reported as "unavailable" and not counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/openat2.h>

int __open_2(const char *, int);
int __open64_2(const char *, int);
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);

static int expect_forced;
static int failures;
static char dir[64];

static int cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

/* plain: the call did not ask for the flag. */
static void verdict(const char *name, int fd, int plain)
{
	int want = plain ? expect_forced : 1;

	if (fd < 0) {
		printf("%-24s unavailable (%s)\n", name, strerror(errno));
		return;
	}
	int got = cloexec(fd);
	printf("%-24s %s cloexec=%d%s\n", name, plain ? "plain" : "asked", got,
	       got == want ? "" : "  <-- WRONG");
	if (got != want)
		failures++;
}

static void one(const char *name, int fd, int plain)
{
	verdict(name, fd, plain);
	if (fd >= 0)
		close(fd);
}

static void pair(const char *name, int r, int fds[2], int plain)
{
	char n[64];
	if (r != 0) {
		verdict(name, -1, plain);
		return;
	}
	snprintf(n, sizeof n, "%s[0]", name);
	one(n, fds[0], plain);
	snprintf(n, sizeof n, "%s[1]", name);
	one(n, fds[1], plain);
}

static void stream(const char *name, FILE *f, int plain)
{
	verdict(name, f ? fileno(f) : -1, plain);
	if (f)
		fclose(f);
}

static char *tmpl(const char *suffix)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "%s/tmpXXXXXX%s", dir, suffix);
	return buf;
}

static void opens(void)
{
	char path[96];
	snprintf(path, sizeof path, "%s/file", dir);
	one("open", open(path, O_RDWR | O_CREAT, 0600), 1);
	one("open+O_CLOEXEC", open(path, O_RDWR | O_CLOEXEC), 0);
	one("open64", open64(path, O_RDONLY), 1);
	one("openat", openat(AT_FDCWD, path, O_RDONLY), 1);
	one("openat+O_CLOEXEC", openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC), 0);
	one("openat64", openat64(AT_FDCWD, path, O_RDONLY), 1);
	one("creat", creat(path, 0600), 1);
	one("creat64", creat64(path, 0600), 1);
	one("__open_2", __open_2(path, O_RDONLY), 1);
	one("__open64_2", __open64_2(path, O_RDONLY), 1);
	one("__openat_2", __openat_2(AT_FDCWD, path, O_RDONLY), 1);
	one("__openat64_2", __openat64_2(AT_FDCWD, path, O_RDONLY), 1);
	struct { struct file_handle h; char buf[128]; } fh = { .h.handle_bytes = 128 };
	int mount_id, mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (name_to_handle_at(AT_FDCWD, path, &fh.h, &mount_id, 0) == 0)
		one("open_by_handle_at", open_by_handle_at(mfd, &fh.h, O_RDONLY), 1);
	else
		verdict("open_by_handle_at", -1, 1);
	close(mfd);
}

static void stdio(void)
{
	char path[96];
	snprintf(path, sizeof path, "%s/file", dir);
	stream("fopen", fopen(path, "r"), 1);
	stream("fopen+e", fopen(path, "re"), 0);
	stream("fopen rb+", fopen(path, "rb+"), 1);
	stream("fopen w,ccs=UTF-8", fopen(path, "w,ccs=UTF-8"), 1);
	stream("fopen64", fopen64(path, "r"), 1);
	/* freopen keeps the stream's fd number and its close-on-exec state
	 * (glibc dup3s onto it), so the stream starts plain too. */
	FILE *f = fopen(path, "r");
	stream("freopen", freopen(path, "r", f), 1);
	f = fopen(path, "r");
	stream("freopen64", freopen64(path, "r", f), 1);
	stream("tmpfile", tmpfile(), 1);
	stream("tmpfile64", tmpfile64(), 1);
	f = popen("true", "r");
	verdict("popen", f ? fileno(f) : -1, 1);
	if (f)
		pclose(f);
	f = popen("true", "re");
	verdict("popen+e", f ? fileno(f) : -1, 0);
	if (f)
		pclose(f);
	one("mkstemp", mkstemp(tmpl("")), 1);
	one("mkstemp64", mkstemp64(tmpl("")), 1);
	one("mkstemps", mkstemps(tmpl(".x"), 2), 1);
	one("mkstemps64", mkstemps64(tmpl(".x"), 2), 1);
	one("mkostemp", mkostemp(tmpl(""), O_APPEND), 1);
	one("mkostemp+O_CLOEXEC", mkostemp(tmpl(""), O_CLOEXEC), 0);
	one("mkostemp64", mkostemp64(tmpl(""), 0), 1);
	one("mkostemps", mkostemps(tmpl(".x"), 2, 0), 1);
	one("mkostemps64", mkostemps64(tmpl(".x"), 2, 0), 1);
}

static void sockets(void)
{
	int sv[2];
	one("socket", socket(AF_UNIX, SOCK_STREAM, 0), 1);
	one("socket+SOCK_CLOEXEC", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	pair("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), sv, 1);

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bind(l, (struct sockaddr *)&sa, sizeof sa);
	listen(l, 8);
	for (int i = 0; i < 3; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect(c, (struct sockaddr *)&sa, sizeof sa);
		if (i == 0)
			one("accept", accept(l, NULL, NULL), 1);
		else if (i == 1)
			one("accept4", accept4(l, NULL, NULL, 0), 1);
		else
			one("accept4+SOCK_CLOEXEC", accept4(l, NULL, NULL, SOCK_CLOEXEC), 0);
		close(c);
	}
	close(l);
}

/* Sends fd over a socket pair and receives it with recvmsg or recvmmsg. */
static int pass_fd(int fd, int use_mmsg)
{
	int sv[2];
	char data = 'x', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof cbuf };
	struct cmsghdr *c;

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	memset(cbuf, 0, sizeof cbuf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	sendmsg(sv[0], &m, 0);
	memset(cbuf, 0, sizeof cbuf);
	m.msg_controllen = sizeof cbuf;
	if (use_mmsg) {
		struct mmsghdr mm = { .msg_hdr = m };
		if (recvmmsg(sv[1], &mm, 1, 0, NULL) != 1)
			return -1;
		m = mm.msg_hdr;
	} else if (recvmsg(sv[1], &m, 0) < 0) {
		return -1;
	}
	close(sv[0]);
	close(sv[1]);
	c = CMSG_FIRSTHDR(&m);
	if (!c)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static void misc(void)
{
	int p[2];
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);

	one("dup", dup(0), 1);
	one("fcntl F_DUPFD", fcntl(0, F_DUPFD, 10), 1);
	one("fcntl64 F_DUPFD", fcntl64(0, F_DUPFD, 10), 1);
	one("fcntl F_DUPFD_CLOEXEC", fcntl(0, F_DUPFD_CLOEXEC, 10), 0);
	pair("pipe", pipe(p), p, 1);
	pair("pipe2", pipe2(p, 0), p, 1);
	pair("pipe2+O_CLOEXEC", pipe2(p, O_CLOEXEC), p, 0);
	one("epoll_create", epoll_create(1), 1);
	one("epoll_create1", epoll_create1(0), 1);
	one("eventfd", eventfd(0, 0), 1);
	one("eventfd+EFD_CLOEXEC", eventfd(0, EFD_CLOEXEC), 0);
	one("signalfd", signalfd(-1, &mask, 0), 1);
	one("timerfd_create", timerfd_create(CLOCK_MONOTONIC, 0), 1);
	one("inotify_init", inotify_init(), 1);
	one("inotify_init1", inotify_init1(0), 1);
	one("fanotify_init", fanotify_init(FAN_CLASS_NOTIF, O_RDONLY), 1);
	one("memfd_create", memfd_create("cover", 0), 1);
	one("memfd_create+MFD_CLOEXEC", memfd_create("cover", MFD_CLOEXEC), 0);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	one("recvmsg SCM_RIGHTS", pass_fd(fd, 0), 1);
	one("recvmmsg SCM_RIGHTS", pass_fd(fd, 1), 1);
	close(fd);
}

static void ptys(void)
{
	int m, s;
	one("posix_openpt", posix_openpt(O_RDWR | O_NOCTTY), 1);
	one("getpt", getpt(), 1);
	if (openpty(&m, &s, NULL, NULL, NULL) == 0) {
		one("openpty master", m, 1);
		one("openpty slave", s, 1);
	} else {
		verdict("openpty", -1, 1);
	}
	pid_t pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		one("forkpty master", m, 1);
		waitpid(pid, NULL, 0);
	} else {
		verdict("forkpty", -1, 1);
	}
}

static void syscalls(void)
{
	char path[96];
	int p[2];
	snprintf(path, sizeof path, "%s/file", dir);
	one("syscall open", (int)syscall(SYS_open, path, O_RDONLY), 1);
	one("syscall openat", (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY), 1);
	struct open_how how = { .flags = O_RDONLY };
	one("syscall openat2", (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how), 1);
	one("syscall memfd_create", (int)syscall(SYS_memfd_create, "c", 0), 1);
	one("syscall eventfd2", (int)syscall(SYS_eventfd2, 0, 0), 1);
	one("syscall socket", (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0), 1);
	pair("syscall pipe2", (int)syscall(SYS_pipe2, p, 0), p, 1);
	one("syscall dup", (int)syscall(SYS_dup, 0), 1);
	one("syscall epoll_create1", (int)syscall(SYS_epoll_create1, 0), 1);
	one("syscall inotify_init1", (int)syscall(SYS_inotify_init1, 0), 1);
	one("syscall timerfd_create", (int)syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0), 1);
	one("syscall userfaultfd", (int)syscall(SYS_userfaultfd, 0), 1);
	one("syscall fcntl F_DUPFD", (int)syscall(SYS_fcntl, 0, F_DUPFD, 0), 1);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "forced") && strcmp(argv[1], "native"))) {
		fprintf(stderr, "usage: cover forced|native\n");
		return 2;
	}
	expect_forced = strcmp(argv[1], "forced") == 0;
	snprintf(dir, sizeof dir, "/tmp/cover.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	opens();
	stdio();
	sockets();
	misc();
	ptys();
	syscalls();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	printf("%d wrong\n", failures);
	return failures ? 1 : 0;
}

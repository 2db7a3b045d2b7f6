/* Exactness: a corpus of fd calls on success and error paths, printing
 * for each the return value, errno and the fd's status flags (F_GETFL),
 * never FD_CLOEXEC.  exact.sh runs it with and without forksafe and the
 * two outputs must be identical.  errno must also be untouched by a
 * successful call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

static char dir[64];
static int errno_touched;

/* Prints "name: ret=R errno=E fl=F" and closes a returned fd. */
static void show(const char *name, long ret, int err, int is_fd)
{
	printf("%-28s ret=%ld errno=%s", name, ret, ret < 0 ? strerrorname_np(err) : "-");
	if (is_fd && ret >= 0) {
		printf(" fl=%#x", fcntl((int)ret, F_GETFL));
		close((int)ret);
	}
	printf("\n");
}

#define CALL(name, expr, is_fd) do { \
		errno = 12345; \
		long r_ = (long)(expr); \
		int e_ = errno; \
		if (r_ >= 0 && e_ != 12345) { \
			printf("%s: errno changed on success (%d)\n", name, e_); \
			errno_touched++; \
		} \
		show(name, r_, e_, is_fd); \
	} while (0)

static void stream(const char *name, FILE *f)
{
	int e = errno;
	printf("%-28s %s errno=%s", name, f ? "FILE" : "NULL", f ? "-" : strerrorname_np(e));
	if (f) {
		printf(" fl=%#x", fcntl(fileno(f), F_GETFL));
		fclose(f);
	}
	printf("\n");
}

int main(void)
{
	char path[128], missing[128], tmp[128];
	int p[2], sv[2];

	snprintf(dir, sizeof dir, "/tmp/exact.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof path, "%s/file", dir);
	snprintf(missing, sizeof missing, "%s/missing/x", dir);
	CALL("open creat", open(path, O_RDWR | O_CREAT | O_EXCL, 0640), 1);
	CALL("open EEXIST", open(path, O_RDWR | O_CREAT | O_EXCL, 0640), 1);
	CALL("open ENOENT", open(missing, O_RDONLY), 1);
	CALL("open EISDIR", open(dir, O_WRONLY), 1);
	CALL("open ENOTDIR", open(path, O_RDONLY | O_DIRECTORY), 1);
	CALL("open O_APPEND|O_NONBLOCK", open(path, O_WRONLY | O_APPEND | O_NONBLOCK), 1);
	CALL("open O_PATH", open(path, O_PATH), 1);
	CALL("openat EBADF", openat(9999, "x", O_RDONLY), 1);
	CALL("openat dirfd", openat(open(dir, O_RDONLY | O_CLOEXEC), "file", O_RDONLY), 1);
	CALL("creat", creat(path, 0600), 1);
	CALL("creat ENOENT", creat(missing, 0600), 1);
	CALL("dup EBADF", dup(9999), 1);
	CALL("dup", dup(1), 1);
	CALL("dup2 EBADF", dup2(9999, 50), 0);
	CALL("dup2 same", dup2(1, 1), 0);
	CALL("dup3 same EINVAL", dup3(1, 1, 0), 0);
	CALL("dup3 bad flags", dup3(1, 50, 12345), 0);
	CALL("fcntl F_DUPFD", fcntl(1, F_DUPFD, 20), 1);
	CALL("fcntl F_DUPFD EINVAL", fcntl(1, F_DUPFD, -1), 1);
	CALL("fcntl F_GETFL", fcntl(1, F_GETFL) >= 0, 0);
	CALL("pipe", pipe(p) == 0 ? (close(p[0]), close(p[1]), 0) : -1, 0);
	CALL("pipe2 bad flags", pipe2(p, 0x12345678), 0);
	CALL("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK) == 0 ? fcntl(p[0], F_GETFL) : -1, 0);
	close(p[0]);
	close(p[1]);
	CALL("socket", socket(AF_UNIX, SOCK_STREAM, 0), 1);
	CALL("socket EAFNOSUPPORT", socket(12345, SOCK_STREAM, 0), 1);
	CALL("socket bad type", socket(AF_UNIX, 0x7ff, 0), 1);
	CALL("socket SOCK_NONBLOCK", socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), 1);
	CALL("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0 ? (close(sv[0]), close(sv[1]), 0) : -1, 0);
	CALL("accept ENOTSOCK", accept(1, NULL, NULL), 1);
	CALL("accept EBADF", accept(9999, NULL, NULL), 1);
	CALL("accept EINVAL (not listening)", accept(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), NULL, NULL), 1);
	CALL("accept4 bad flags", accept4(1, NULL, NULL, 0x7ffffff), 1);
	CALL("epoll_create 0", epoll_create(0), 1);
	CALL("epoll_create -1", epoll_create(-1), 1);
	CALL("epoll_create 1", epoll_create(1), 1);
	CALL("epoll_create1 bad", epoll_create1(12345), 1);
	CALL("eventfd", eventfd(3, EFD_NONBLOCK), 1);
	CALL("eventfd bad flags", eventfd(0, 0x7fffffff), 1);
	CALL("timerfd bad clock", timerfd_create(12345, 0), 1);
	CALL("inotify_init1 bad", inotify_init1(0x7fffffff), 1);
	CALL("memfd_create bad flags", memfd_create("x", 0x7fffffff), 1);
	CALL("memfd_create", memfd_create("x", MFD_ALLOW_SEALING), 1);
	sigset_t mask;
	sigemptyset(&mask);
	CALL("signalfd EBADF", signalfd(9999, &mask, 0), 1);
	snprintf(tmp, sizeof tmp, "%s/badtemplate", dir);
	CALL("mkstemp EINVAL", mkstemp(tmp), 1);
	snprintf(tmp, sizeof tmp, "%s/tXXXXXX", dir);
	CALL("mkstemp", mkstemp(tmp) >= 0, 0);
	CALL("mkostemp bad flags", mkostemp(strcpy(tmp, "/nonexistent/dirXXXXXX"), 0), 1);
	errno = 0;
	stream("fopen r", fopen(path, "r"));
	stream("fopen bad mode", fopen(path, "z"));
	stream("fopen ENOENT", fopen(missing, "r"));
	stream("fopen a+", fopen(path, "a+"));
	stream("fopen w,ccs=UTF-8", fopen(path, "w,ccs=UTF-8"));
	stream("popen bad mode", popen("true", "rw"));
	stream("tmpfile", tmpfile());
	/* EMFILE: with a limit of 16 fds. */
	struct rlimit rl = { 16, 16 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int last = -1, n = 0;
	while ((last = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	printf("%-28s errno=%s after %s\n", "open EMFILE", strerrorname_np(errno), n > 0 ? "some" : "none");
	CALL("socket EMFILE", socket(AF_UNIX, SOCK_STREAM, 0), 1);
	CALL("pipe EMFILE", pipe(p), 0);
	CALL("dup EMFILE", dup(1), 1);
	stream("fopen EMFILE", fopen(path, "r"));
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	rl.rlim_cur = rl.rlim_max = 1024;
	setrlimit(RLIMIT_NOFILE, &rl);
	for (int fd = 3; fd < 20; fd++)
		close(fd);
	if (system(cmd) != 0)
		return 2;
	return errno_touched ? 1 : 0;
}

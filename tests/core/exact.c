/* exact: a corpus of fd calls, on their success and error paths,
 * printing what a program can observe of each: exact.sh runs it with and
 * without forksafe and requires the same output.
 *
 * One line per call:
 *   name: ret=R errno=E [fd=N flags=0OCT ...] [extra] next=M
 * R is the result (fd numbers included: the sequence is deterministic,
 * exact first closes every fd above 2); E is the errno name on failure,
 * and on success "kept" when errno still holds the value set before the
 * call, else "CHANGED(name)"; flags is F_GETFL of each fd made, the fd
 * is closed afterwards; next is the lowest free fd after that, which
 * shows an fd leaked on an error path.  FD_CLOEXEC is never printed: it
 * is the one thing forksafe changes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int fcntl64(int fd, int cmd, ...);

extern char **environ;

#define SENTINEL 12345

struct how2 {
	unsigned long long flags, mode, resolve;
};

static char dir[] = "/tmp/exactXXXXXX";
static char path_buf[8][sizeof dir + 32];
static char fpath[sizeof dir + 8];	/* the scratch file, "file" */
static int dfd = -1, ffd = -1, listener = -1, sfd = -1;
static sigset_t usr2;
static struct file_handle *handle;

/* A path in the scratch directory (up to 8 at a time, round robin). */
static const char *at(const char *name)
{
	static int i;
	char *p = path_buf[i++ % 8];
	snprintf(p, sizeof path_buf[0], "%s/%s", dir, name);
	return p;
}

static int lowest_free(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0)
		close(fd);
	return fd;
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* The result part of a line, for a call that failed when failed != 0. */
static void show_errno(long ret, int failed, int err)
{
	printf(" ret=%ld", ret);
	if (failed)
		printf(" errno=%s", errname(err));
	else if (err == SENTINEL)
		printf(" errno=kept");
	else
		printf(" errno=CHANGED(%s)", errname(err));
}

static void show_fd(int fd)
{
	printf(" fd=%d flags=0%o valid=%d", fd, fcntl(fd, F_GETFL), fcntl(fd, F_GETFD) >= 0);
}

static void finish(const char *extra)
{
	printf("%s%s next=%d\n", extra && *extra ? " " : "", extra ? extra : "", lowest_free());
}

/* Prints a call that returns an fd (or -1), then closes the fd unless
 * keep is set (calls returning an fd the program already had). */
static void fd_line(const char *name, long ret, int err, int keep, const char *extra)
{
	printf("%s:", name);
	show_errno(ret, ret < 0, err);
	if (ret >= 0)
		show_fd((int)ret);
	if (ret >= 0 && !keep)
		close((int)ret);
	finish(extra);
}

/* A call returning 0 and two fds in p, or -1. */
static void pair_line(const char *name, long ret, int err, const int p[2])
{
	printf("%s:", name);
	show_errno(ret, ret != 0, err);
	if (ret == 0) {
		show_fd(p[0]);
		show_fd(p[1]);
		close(p[0]);
		close(p[1]);
	}
	finish(NULL);
}

/* A call returning a status, no fd. */
static void int_line(const char *name, long ret, int err, int failed)
{
	printf("%s:", name);
	show_errno(ret, failed, err);
	finish(NULL);
}

/* A stream (or NULL), closed with pclose for popen. */
static void file_line(const char *name, FILE *f, int err, int is_pipe)
{
	char extra[48] = "";

	printf("%s:", name);
	show_errno(f ? 0 : -1, f == NULL, err);
	if (f) {
		show_fd(fileno(f));
		if (is_pipe)
			snprintf(extra, sizeof extra, "status=%d", pclose(f));
		else
			fclose(f);
	}
	finish(extra);
}

#define CALL(errv, expr) ({ errno = SENTINEL; long call_ = (long)(expr); errv = errno; call_; })
#define FD(name, expr) do { int e_; long r_ = CALL(e_, expr); fd_line(name, r_, e_, 0, NULL); } while (0)
#define FD_KEEP(name, expr) do { int e_; long r_ = CALL(e_, expr); fd_line(name, r_, e_, 1, NULL); } while (0)
#define PAIR(name, expr, p) do { int e_; long r_ = CALL(e_, expr); pair_line(name, r_, e_, p); } while (0)
#define INT(name, expr) do { int e_; long r_ = CALL(e_, expr); int_line(name, r_, e_, r_ < 0); } while (0)
#define STREAM(name, expr) do { \
		errno = SENTINEL; FILE *f_ = (expr); int e_ = errno; \
		file_line(name, f_, e_, 0); \
	} while (0)
#define PIPE_STREAM(name, expr) do { \
		errno = SENTINEL; FILE *f_ = (expr); int e_ = errno; \
		file_line(name, f_, e_, 1); \
	} while (0)

/* A call creating path: its permission bits are printed too. */
static void created_line(const char *name, long ret, int err, const char *path)
{
	struct stat st;
	char extra[32] = "mode=none";

	if (stat(path, &st) == 0)
		snprintf(extra, sizeof extra, "mode=0%o", (unsigned)(st.st_mode & 07777));
	fd_line(name, ret, err, 0, extra);
	unlink(path);
}
#define CREATED(name, expr, path) do { \
		int e_; long r_ = CALL(e_, expr); created_line(name, r_, e_, path); \
	} while (0)

/* ---- the open family ---- */
static void open_success(void)
{
	const char *f = fpath;

	FD("open(O_RDONLY)", open(f, O_RDONLY));
	FD("open(O_WRONLY|O_APPEND)", open(f, O_WRONLY | O_APPEND));
	FD("open(O_RDWR|O_NONBLOCK)", open(f, O_RDWR | O_NONBLOCK));
	FD("open(O_WRONLY|O_APPEND|O_NONBLOCK)", open(f, O_WRONLY | O_APPEND | O_NONBLOCK));
	FD("open(O_SYNC)", open(f, O_RDONLY | O_SYNC));
	FD("open(O_DSYNC)", open(f, O_WRONLY | O_DSYNC));
	FD("open(O_DIRECT)", open(f, O_RDONLY | O_DIRECT));
	FD("open(O_NOATIME)", open(f, O_RDONLY | O_NOATIME));
	FD("open(O_PATH)", open(f, O_PATH));
	FD("open(O_DIRECTORY)", open(dir, O_RDONLY | O_DIRECTORY));
	FD("open(O_CLOEXEC)", open(f, O_RDONLY | O_CLOEXEC));
	FD("open(O_TMPFILE)", open(dir, O_TMPFILE | O_RDWR, 0600));
	CREATED("open(O_CREAT|O_EXCL, 0640)", open(at("n1"), O_CREAT | O_EXCL | O_WRONLY, 0640),
		at("n1"));
	CREATED("open(O_CREAT, 0777)", open(at("n2"), O_CREAT | O_RDWR | O_TRUNC, 0777), at("n2"));
	CREATED("open64(O_CREAT, 0601)", open64(at("n3"), O_CREAT | O_WRONLY, 0601), at("n3"));
	CREATED("openat(O_CREAT, 0620)", openat(dfd, "n4", O_CREAT | O_WRONLY, 0620), at("n4"));
	CREATED("openat64(O_CREAT, 0622)", openat64(dfd, "n5", O_CREAT | O_RDWR, 0622), at("n5"));
	CREATED("creat(0604)", creat(at("n6"), 0604), at("n6"));
	CREATED("creat64(0666)", creat64(at("n7"), 0666), at("n7"));
	FD("open64", open64(f, O_RDWR));
	FD("openat(dirfd)", openat(dfd, "file", O_RDONLY));
	FD("openat(AT_FDCWD)", openat(AT_FDCWD, f, O_WRONLY));
	FD("openat64", openat64(dfd, "file", O_RDONLY | O_NONBLOCK));
	FD("__open_2", __open_2(f, O_RDONLY));
	FD("__open64_2", __open64_2(f, O_WRONLY | O_APPEND));
	FD("__openat_2", __openat_2(dfd, "file", O_RDONLY));
	FD("__openat64_2", __openat64_2(dfd, "file", O_RDWR));
	if (handle) {
		FD("open_by_handle_at(O_RDONLY)", open_by_handle_at(dfd, handle, O_RDONLY));
		FD("open_by_handle_at(O_RDWR)", open_by_handle_at(dfd, handle, O_RDWR));
	}
}

static void open_errors(void)
{
	const char *f = fpath;
	static struct file_handle bad = { .handle_bytes = 0 };

	FD("open(missing)", open(at("missing"), O_RDONLY));
	FD("open(dir, O_WRONLY)", open(dir, O_WRONLY));
	FD("open(file/x)", open(at("file/x"), O_RDONLY));
	FD("open(O_CREAT|O_EXCL existing)", open(f, O_CREAT | O_EXCL | O_WRONLY, 0600));
	FD("open(symlink, O_NOFOLLOW)", open(at("link"), O_RDONLY | O_NOFOLLOW));
	FD("open(O_TMPFILE, no write access)", open(dir, O_TMPFILE | O_RDONLY, 0600));
	FD("open(file, O_DIRECTORY)", open(f, O_RDONLY | O_DIRECTORY));
	FD("open(\"\")", open("", O_RDONLY));
	FD("open(missing dir, O_CREAT)", open(at("nodir/x"), O_CREAT | O_WRONLY, 0600));
	FD("openat(bad dirfd)", openat(999, "file", O_RDONLY));
	FD("openat(-5)", openat(-5, "file", O_RDONLY));
	FD("openat(file as dirfd)", openat(ffd, "x", O_RDONLY));
	FD("openat64(missing)", openat64(dfd, "missing", O_RDONLY));
	FD("creat(missing dir)", creat(at("nodir/y"), 0600));
	FD("creat(dir)", creat(dir, 0600));
	FD("__open_2(missing)", __open_2(at("missing"), O_RDONLY));
	FD("__openat_2(bad dirfd)", __openat_2(999, "file", O_RDONLY));
	FD("__openat64_2(missing)", __openat64_2(dfd, "missing", O_RDONLY));
	FD("open_by_handle_at(bad mount fd)", open_by_handle_at(999, handle ? handle : &bad,
								 O_RDONLY));
	FD("open_by_handle_at(empty handle)", open_by_handle_at(dfd, &bad, O_RDONLY));
}

/* ---- stdio ---- */
static void stdio_calls(void)
{
	static const char *const modes[] = {
		"r", "r+", "a", "a+", "rb", "re", "rm", "r+b", "rbe", "ab+", "r,ccs=UTF-8",
		"rme+", "r+x", "z", "", "+r", "ze", "ab", "rz", "r+e", "rb+", "a+b",
	};
	char name[64];
	const char *f = fpath;

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		snprintf(name, sizeof name, "fopen(\"%s\")", modes[i]);
		STREAM(name, fopen(f, modes[i]));
	}
	STREAM("fopen(\"w\", new)", fopen(at("n8"), "w"));
	STREAM("fopen(\"wx\", existing)", fopen(at("n8"), "wx"));
	unlink(at("n8"));
	STREAM("fopen(\"wx\", new)", fopen(at("n8"), "wx"));
	unlink(at("n8"));
	STREAM("fopen(\"w+e\", new)", fopen(at("n8"), "w+e"));
	unlink(at("n8"));
	STREAM("fopen(\"w,ccs=UTF-8\", new)", fopen(at("n8"), "w,ccs=UTF-8"));
	unlink(at("n8"));
	STREAM("fopen(missing)", fopen(at("missing"), "r"));
	STREAM("fopen(dir, \"w\")", fopen(dir, "w"));
	STREAM("fopen64(\"a+\")", fopen64(f, "a+"));
	STREAM("fopen64(missing)", fopen64(at("missing"), "r"));
	STREAM("freopen(\"a\")", freopen(f, "a", fopen(f, "r")));
	STREAM("freopen(\"r+\")", freopen64(f, "r+", fopen(f, "r")));
	STREAM("freopen(NULL, \"r\")", freopen(NULL, "r", fopen(f, "r+")));
	STREAM("freopen(missing)", freopen(at("missing"), "r", fopen(f, "r")));
	STREAM("freopen(bad mode)", freopen(f, "z", fopen(f, "r")));
	STREAM("tmpfile", tmpfile());
	STREAM("tmpfile64", tmpfile64());
}

static void popen_calls(void)
{
	fflush(stdout);
	PIPE_STREAM("popen(\"r\")", popen("exit 3", "r"));
	PIPE_STREAM("popen(\"w\")", popen("exit 4", "w"));
	PIPE_STREAM("popen(\"re\")", popen("exit 0", "re"));
	PIPE_STREAM("popen(\"we\")", popen("exit 0", "we"));
	PIPE_STREAM("popen(\"x\")", popen("exit 0", "x"));
	PIPE_STREAM("popen(\"rw\")", popen("exit 0", "rw"));
	PIPE_STREAM("popen(\"\")", popen("exit 0", ""));
	PIPE_STREAM("popen(\"r+\")", popen("exit 0", "r+"));
	PIPE_STREAM("popen(\"er\")", popen("exit 0", "er"));
}

/* ---- mkstemp and friends ---- */
#define TEMPLATE(call, name, tmpl) do { \
		char t[sizeof dir + 32], t0[sizeof t]; \
		snprintf(t, sizeof t, "%s/%s", dir, tmpl); \
		memcpy(t0, t, sizeof t); \
		int e_; long r_ = CALL(e_, call); \
		fd_line(name, r_, e_, 0, strcmp(t, t0) ? "template=filled" : "template=unchanged"); \
		if (r_ >= 0) \
			unlink(t); \
	} while (0)

static void temp_calls(void)
{
	TEMPLATE(mkstemp(t), "mkstemp", "tXXXXXX");
	TEMPLATE(mkstemp64(t), "mkstemp64", "tXXXXXX");
	TEMPLATE(mkstemps(t, 4), "mkstemps", "tXXXXXX.txt");
	TEMPLATE(mkstemps64(t, 4), "mkstemps64", "tXXXXXX.txt");
	TEMPLATE(mkostemp(t, O_APPEND), "mkostemp(O_APPEND)", "tXXXXXX");
	TEMPLATE(mkostemp(t, O_SYNC | O_CLOEXEC), "mkostemp(O_SYNC|O_CLOEXEC)", "tXXXXXX");
	TEMPLATE(mkostemp64(t, O_NONBLOCK), "mkostemp64(O_NONBLOCK)", "tXXXXXX");
	TEMPLATE(mkostemps(t, 2, O_APPEND), "mkostemps(O_APPEND)", "tXXXXXX.s");
	TEMPLATE(mkostemps64(t, 2, 0), "mkostemps64", "tXXXXXX.s");
	TEMPLATE(mkstemp(t), "mkstemp(no X)", "bad");
	TEMPLATE(mkstemp(t), "mkstemp(5 X)", "tXXXXX");
	TEMPLATE(mkstemp(t), "mkstemp(missing dir)", "nodir/tXXXXXX");
	TEMPLATE(mkostemp(t, 0), "mkostemp(missing dir)", "nodir/tXXXXXX");
	TEMPLATE(mkstemps(t, 10), "mkstemps(suffix too long)", "tXXXXXX.s");
	TEMPLATE(mkostemp(t, O_DIRECTORY), "mkostemp(O_DIRECTORY)", "tXXXXXX");
}

/* ---- sockets ---- */
static int client(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", at("sock"));
	if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
		close(c);
		return -1;
	}
	return c;
}

#define ACCEPT(name, expr) do { \
		int client_ = client(); \
		FD(name, expr); \
		close(client_); \
	} while (0)

static void socket_calls(void)
{
	int p[2], sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	FD("socket(AF_UNIX, SOCK_STREAM)", socket(AF_UNIX, SOCK_STREAM, 0));
	FD("socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK)", socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	FD("socket(AF_INET, SOCK_STREAM)", socket(AF_INET, SOCK_STREAM, 0));
	FD("socket(AF_INET6, SOCK_DGRAM)", socket(AF_INET6, SOCK_DGRAM, 0));
	FD("socket(bad domain)", socket(9999, SOCK_STREAM, 0));
	FD("socket(bad type flags)", socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
	FD("socket(bad type)", socket(AF_UNIX, 99, 0));
	FD("socket(bad protocol)", socket(AF_UNIX, SOCK_STREAM, 99));
	PAIR("socketpair(AF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 0, p), p);
	PAIR("socketpair(SOCK_NONBLOCK)", socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, p), p);
	PAIR("socketpair(AF_INET)", socketpair(AF_INET, SOCK_STREAM, 0, p), p);
	PAIR("socketpair(bad flags)", socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, p), p);
	ACCEPT("accept", accept(listener, NULL, NULL));
	ACCEPT("accept4(0)", accept4(listener, NULL, NULL, 0));
	ACCEPT("accept4(SOCK_NONBLOCK)", accept4(listener, NULL, NULL, SOCK_NONBLOCK));
	ACCEPT("accept4(SOCK_CLOEXEC)", accept4(listener, NULL, NULL, SOCK_CLOEXEC));
	FD("accept4(bad flags)", accept4(listener, NULL, NULL, 0x100));
	FD("accept(nothing pending)", accept(listener, NULL, NULL));
	FD("accept(not listening)", accept(sock, NULL, NULL));
	FD("accept(bad fd)", accept(999, NULL, NULL));
	FD("accept(not a socket)", accept(ffd, NULL, NULL));
	FD("accept4(not a socket)", accept4(ffd, NULL, NULL, SOCK_NONBLOCK));
	close(sock);
}

/* ---- fds received in SCM_RIGHTS messages ---- */
enum recv_via { VIA_RECVMSG, VIA_RECVMMSG, VIA_SYS_RECVMSG, VIA_SYS_RECVMMSG };

static long receive(enum recv_via via, int sock, struct msghdr *m, int flags)
{
	struct mmsghdr mm = { .msg_hdr = *m };
	long r;

	switch (via) {
	case VIA_RECVMSG: return recvmsg(sock, m, flags);
	case VIA_SYS_RECVMSG: return syscall(SYS_recvmsg, sock, m, flags);
	case VIA_SYS_RECVMMSG:
		r = syscall(SYS_recvmmsg, sock, &mm, 1, flags, NULL);
		break;
	default:
		r = recvmmsg(sock, &mm, 1, flags, NULL);
		break;
	}
	*m = mm.msg_hdr;
	return r;
}

static void send_fds(int sock, int n)
{
	union { char buf[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr align; } u;
	int fds[2] = { ffd, dfd };
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(u.buf, 0, sizeof u.buf);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	if (sendmsg(sock, &m, 0) != 1)
		perror("exact: sendmsg");
}

/* Sends nsend fds over a new socket pair (none: pair is given, with a
 * message waiting), receives with a control buffer of room for nroom. */
static void recv_on(const char *name, enum recv_via via, const int pair[2], int nsend,
		    int nroom, int flags)
{
	union { char buf[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr align; } u;
	char byte, extra[64];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = nroom ? CMSG_SPACE(nroom * sizeof(int)) : 0 };
	int sv[2] = { -1, -1 }, fds[2] = { -1, -1 }, err, n = 0;
	long r;

	if (pair) {
		sv[1] = pair[1];
	} else {
		socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
		if (nsend)
			send_fds(sv[0], nsend);
	}
	r = CALL(err, receive(via, sv[1], &m, flags | MSG_DONTWAIT));
	for (struct cmsghdr *c = r < 0 ? NULL : CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) && n < 2; i++)
				memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	printf("%s:", name);
	show_errno(r, r < 0, err);
	for (int i = 0; i < n; i++) {
		show_fd(fds[i]);
		close(fds[i]);
	}
	snprintf(extra, sizeof extra, "received=%d msg_flags=%#x", n, r < 0 ? 0 : m.msg_flags);
	if (!pair) {
		close(sv[0]);
		close(sv[1]);
	}
	finish(extra);
}

static void recv_case(const char *name, enum recv_via via, int nsend, int nroom, int flags)
{
	recv_on(name, via, NULL, nsend, nroom, flags);
}

static void recv_calls(void)
{
	recv_case("recvmsg(1 fd)", VIA_RECVMSG, 1, 1, 0);
	recv_case("recvmsg(2 fds)", VIA_RECVMSG, 2, 2, 0);
	recv_case("recvmsg(MSG_CMSG_CLOEXEC)", VIA_RECVMSG, 1, 1, MSG_CMSG_CLOEXEC);
	recv_case("recvmsg(2 fds, room for 1)", VIA_RECVMSG, 2, 1, 0);
	recv_case("recvmsg(1 fd, no room)", VIA_RECVMSG, 1, 0, 0);
	recv_case("recvmsg(nothing to read)", VIA_RECVMSG, 0, 1, 0);
	recv_case("recvmmsg(1 fd)", VIA_RECVMMSG, 1, 1, 0);
	recv_case("recvmmsg(2 fds)", VIA_RECVMMSG, 2, 2, 0);
	recv_case("recvmmsg(nothing to read)", VIA_RECVMMSG, 0, 1, 0);
	recv_case("syscall(SYS_recvmsg, 1 fd)", VIA_SYS_RECVMSG, 1, 1, 0);
	recv_case("syscall(SYS_recvmmsg, 2 fds)", VIA_SYS_RECVMMSG, 2, 2, 0);
	INT("recvmsg(bad fd)", recvmsg(999, &(struct msghdr){ 0 }, 0));
	INT("recvmmsg(bad fd)", recvmmsg(999, &(struct mmsghdr){ 0 }, 1, 0, NULL));
}

/* ---- copies ---- */
static void dup_calls(void)
{
	int a = open(fpath, O_RDONLY | O_CLOEXEC);

	FD("dup", dup(a));
	FD("dup(bad fd)", dup(999));
	FD("dup(-1)", dup(-1));
	FD("dup2(a, 20)", dup2(a, 20));
	FD_KEEP("dup2(a, a)", dup2(a, a));
	FD("dup2(bad fd, 20)", dup2(999, 20));
	FD("dup2(a, -1)", dup2(a, -1));
	FD("dup2(a, 100000000)", dup2(a, 100000000));
	FD("dup2(bad fd, bad fd)", dup2(999, 999));
	FD("dup3(a, 21, 0)", dup3(a, 21, 0));
	FD("dup3(a, 22, O_CLOEXEC)", dup3(a, 22, O_CLOEXEC));
	FD("dup3(a, a, 0)", dup3(a, a, 0));
	FD("dup3(a, 23, bad flags)", dup3(a, 23, 0x1234));
	FD("dup3(bad fd, 23, 0)", dup3(999, 23, 0));
	FD("fcntl(F_DUPFD, 0)", fcntl(a, F_DUPFD, 0));
	FD("fcntl(F_DUPFD, 30)", fcntl(a, F_DUPFD, 30));
	FD("fcntl(F_DUPFD, -1)", fcntl(a, F_DUPFD, -1));
	FD("fcntl(F_DUPFD, 1<<30)", fcntl(a, F_DUPFD, 1 << 30));
	FD("fcntl(bad fd, F_DUPFD)", fcntl(999, F_DUPFD, 0));
	FD("fcntl(F_DUPFD_CLOEXEC, 5)", fcntl(a, F_DUPFD_CLOEXEC, 5));
	FD("fcntl64(F_DUPFD, 0)", fcntl64(a, F_DUPFD, 0));
	FD("fcntl64(F_DUPFD_CLOEXEC, 0)", fcntl64(a, F_DUPFD_CLOEXEC, 0));
	close(a);
}

/* fcntl's and ioctl's other commands, and the closing calls. */
static void flag_calls(void)
{
	int a = open(fpath, O_RDONLY | O_CLOEXEC);

	INT("fcntl(F_GETFL)", fcntl(a, F_GETFL));
	INT("fcntl(F_SETFL, O_NONBLOCK)", fcntl(a, F_SETFL, O_NONBLOCK));
	INT("fcntl(F_GETFL) after F_SETFL", fcntl(a, F_GETFL));
	INT("fcntl64(F_GETFL)", fcntl64(a, F_GETFL));
	INT("fcntl(F_SETFD, 0)", fcntl(a, F_SETFD, 0));
	INT("fcntl(F_SETFD, FD_CLOEXEC)", fcntl(a, F_SETFD, FD_CLOEXEC));
	INT("fcntl(bad fd, F_SETFD)", fcntl(999, F_SETFD, 0));
	INT("fcntl(bad command)", fcntl(a, 9999, 0));
	INT("ioctl(FIONCLEX)", ioctl(a, FIONCLEX));
	INT("ioctl(FIOCLEX)", ioctl(a, FIOCLEX));
	INT("ioctl(bad fd, FIONCLEX)", ioctl(999, FIONCLEX));
	INT("ioctl(not a tty, TIOCGWINSZ)", ioctl(a, TIOCGWINSZ, &(struct winsize){ 0 }));
	INT("close(bad fd)", close(999));
	INT("close(-1)", close(-1));
	INT("close_range(50, 40)", close_range(50, 40, 0));
	INT("close_range(bad flags)", close_range(60, 70, 0x1234));
	INT("close_range(60, 70)", close_range(60, 70, 0));
	close(a);
}

/* ---- pipes and the Linux fd-returning calls ---- */
static void linux_calls(void)
{
	char longname[300];
	int p[2];

	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	PAIR("pipe", pipe(p), p);
	PAIR("pipe2(0)", pipe2(p, 0), p);
	PAIR("pipe2(O_NONBLOCK)", pipe2(p, O_NONBLOCK), p);
	PAIR("pipe2(O_DIRECT)", pipe2(p, O_DIRECT), p);
	PAIR("pipe2(O_CLOEXEC|O_NONBLOCK)", pipe2(p, O_CLOEXEC | O_NONBLOCK), p);
	PAIR("pipe2(bad flags)", pipe2(p, 0x1234), p);
	FD("epoll_create(1)", epoll_create(1));
	FD("epoll_create(0)", epoll_create(0));
	FD("epoll_create(-1)", epoll_create(-1));
	FD("epoll_create1(0)", epoll_create1(0));
	FD("epoll_create1(EPOLL_CLOEXEC)", epoll_create1(EPOLL_CLOEXEC));
	FD("epoll_create1(bad flags)", epoll_create1(0x1234));
	FD("eventfd(3, EFD_NONBLOCK|EFD_SEMAPHORE)", eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE));
	FD("eventfd(bad flags)", eventfd(0, 0x1234));
	FD("signalfd(-1, SFD_NONBLOCK)", signalfd(-1, &usr2, SFD_NONBLOCK));
	FD("signalfd(-1, bad flags)", signalfd(-1, &usr2, 0x1234));
	FD("signalfd(bad fd)", signalfd(999, &usr2, 0));
	FD("signalfd(not a signalfd)", signalfd(ffd, &usr2, 0));
	FD_KEEP("signalfd(existing)", signalfd(sfd, &usr2, 0));
	FD("timerfd_create(TFD_NONBLOCK)", timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	FD("timerfd_create(bad clock)", timerfd_create(9999, 0));
	FD("timerfd_create(bad flags)", timerfd_create(CLOCK_MONOTONIC, 0x1234));
	FD("inotify_init", inotify_init());
	FD("inotify_init1(IN_NONBLOCK)", inotify_init1(IN_NONBLOCK));
	FD("inotify_init1(bad flags)", inotify_init1(0x1234));
	FD("fanotify_init", fanotify_init(FAN_CLASS_NOTIF, O_RDWR | O_LARGEFILE));
	FD("fanotify_init(FAN_NONBLOCK)", fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY));
	FD("fanotify_init(bad flags)", fanotify_init(0x80000000u, O_RDONLY));
	FD("memfd_create(MFD_ALLOW_SEALING)", memfd_create("exact", MFD_ALLOW_SEALING));
	FD("memfd_create(bad flags)", memfd_create("exact", 0x1000000));
	FD("memfd_create(long name)", memfd_create(longname, 0));
}

/* ---- pseudo-terminals ---- */
static void pty_calls(void)
{
	char extra[48];
	int m = -1, s = -1, err, status = -1;
	long r;
	pid_t pid;

	FD("posix_openpt(O_RDWR|O_NOCTTY)", posix_openpt(O_RDWR | O_NOCTTY));
	FD("posix_openpt(O_RDWR)", posix_openpt(O_RDWR));
	FD("getpt", getpt());
	printf("openpty:");
	r = CALL(err, openpty(&m, &s, NULL, NULL, NULL));
	show_errno(r, r != 0, err);
	if (r == 0) {
		show_fd(m);
		show_fd(s);
		close(m);
		close(s);
	}
	finish(NULL);
	fflush(stdout);
	pid = CALL(err, forkpty(&m, NULL, NULL, NULL));
	if (pid == 0)
		_exit(isatty(0) && isatty(1) && isatty(2) ? 7 : 8);
	if (pid > 0)
		waitpid(pid, &status, 0);
	printf("forkpty:");
	show_errno(pid > 0 ? 1 : pid, pid < 0, err);
	if (pid > 0) {
		show_fd(m);
		close(m);
	}
	snprintf(extra, sizeof extra, "child_status=%#x", status);
	finish(extra);
}

/* ---- syscall() ---- */
static long openat2_(unsigned long long flags, unsigned long long mode, size_t size)
{
	static unsigned char how[8192];
	struct how2 h = { .flags = flags, .mode = mode };

	memset(how, 0, sizeof how);
	memcpy(how, &h, sizeof h);
	if (size > sizeof h && size <= sizeof how)
		how[size - 1] = 1;	/* a nonzero byte the kernel does not know */
	return syscall(SYS_openat2, AT_FDCWD, fpath, how, size);
}

static void syscall_opens(void)
{
	FD("syscall(SYS_open)", syscall(SYS_open, fpath, O_RDWR | O_APPEND));
	FD("syscall(SYS_open, missing)", syscall(SYS_open, at("missing"), O_RDONLY));
	FD("syscall(SYS_openat, bad dirfd)", syscall(SYS_openat, 999, "file", O_RDONLY));
	FD("syscall(SYS_openat)", syscall(SYS_openat, dfd, "file", O_RDONLY | O_NONBLOCK));
	CREATED("syscall(SYS_open, O_CREAT, 0640)",
		syscall(SYS_open, at("n9"), O_CREAT | O_WRONLY, 0640), at("n9"));
	CREATED("syscall(SYS_creat, 0602)", syscall(SYS_creat, at("n10"), 0602), at("n10"));
	FD("syscall(SYS_openat2)", openat2_(O_RDONLY, 0, sizeof(struct how2)));
	FD("syscall(SYS_openat2, O_WRONLY|O_APPEND)", openat2_(O_WRONLY | O_APPEND, 0, 24));
	FD("syscall(SYS_openat2, size 8)", openat2_(O_RDONLY, 0, 8));
	FD("syscall(SYS_openat2, unknown flag)", openat2_(O_RDONLY | (1ULL << 40), 0, 24));
	FD("syscall(SYS_openat2, mode without O_CREAT)", openat2_(O_RDONLY, 0600, 24));
	FD("syscall(SYS_openat2, size 64, unknown tail)", openat2_(O_RDONLY, 0, 64));
	FD("syscall(SYS_openat2, size 300, unknown tail)", openat2_(O_RDONLY, 0, 300));
	FD("syscall(SYS_openat2, size 5000)", openat2_(O_RDONLY, 0, 5000));
	if (handle)
		FD("syscall(SYS_open_by_handle_at)",
		   syscall(SYS_open_by_handle_at, dfd, handle, O_RDONLY));
}

/* epoll_create's size, userfaultfd and the accepts. */
static void syscall_others(void)
{
	FD("syscall(SYS_epoll_create, 1)", syscall(SYS_epoll_create, 1));
	FD("syscall(SYS_epoll_create, 0)", syscall(SYS_epoll_create, 0));
	FD("syscall(SYS_epoll_create, -1)", syscall(SYS_epoll_create, -1));
	FD("syscall(SYS_epoll_create1, bad flags)", syscall(SYS_epoll_create1, 0x1234));
	FD("syscall(SYS_userfaultfd)", syscall(SYS_userfaultfd, O_NONBLOCK));
	FD("syscall(SYS_accept4, bad flags)", syscall(SYS_accept4, listener, NULL, NULL, 0x100));
	FD("syscall(SYS_accept4, nothing pending)", syscall(SYS_accept4, listener, NULL, NULL, 0));
	ACCEPT("syscall(SYS_accept)", syscall(SYS_accept, listener, NULL, NULL));
	ACCEPT("syscall(SYS_accept4, SOCK_NONBLOCK)",
	       syscall(SYS_accept4, listener, NULL, NULL, SOCK_NONBLOCK));
}

/* Copies, pairs and the other fd-creating calls. */
static void syscall_copies(void)
{
	int p[2];

	FD("syscall(SYS_dup)", syscall(SYS_dup, ffd));
	FD("syscall(SYS_dup, bad fd)", syscall(SYS_dup, 999));
	FD("syscall(SYS_dup, -1)", syscall(SYS_dup, -1));
	FD("syscall(SYS_fcntl, F_DUPFD, 40)", syscall(SYS_fcntl, ffd, F_DUPFD, 40));
	FD("syscall(SYS_fcntl, F_DUPFD, -1)", syscall(SYS_fcntl, ffd, F_DUPFD, -1));
	FD("syscall(SYS_dup2)", syscall(SYS_dup2, ffd, 41));
	FD("syscall(SYS_dup3, same fd)", syscall(SYS_dup3, ffd, ffd, 0));
	INT("syscall(SYS_fcntl, F_GETFL)", syscall(SYS_fcntl, ffd, F_GETFL));
	INT("syscall(SYS_close, bad fd)", syscall(SYS_close, 999));
	PAIR("syscall(SYS_pipe)", syscall(SYS_pipe, p), p);
	PAIR("syscall(SYS_pipe2, O_NONBLOCK)", syscall(SYS_pipe2, p, O_NONBLOCK), p);
	PAIR("syscall(SYS_pipe2, bad flags)", syscall(SYS_pipe2, p, 0x1234), p);
	PAIR("syscall(SYS_socketpair)", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, p), p);
	FD("syscall(SYS_socket)", syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	FD("syscall(SYS_socket, bad flags)", syscall(SYS_socket, AF_UNIX, SOCK_STREAM | 0x100, 0));
	FD("syscall(SYS_eventfd2)", syscall(SYS_eventfd2, 1, EFD_NONBLOCK));
	FD("syscall(SYS_eventfd2, bad flags)", syscall(SYS_eventfd2, 0, 0x1234));
	FD("syscall(SYS_eventfd)", syscall(SYS_eventfd, 2));
	FD("syscall(SYS_signalfd4, -1)", syscall(SYS_signalfd4, -1, &usr2, sizeof(long), 0));
	FD("syscall(SYS_signalfd4, bad flags)",
	   syscall(SYS_signalfd4, -1, &usr2, sizeof(long), 0x1234));
	FD_KEEP("syscall(SYS_signalfd4, existing)",
		syscall(SYS_signalfd4, sfd, &usr2, sizeof(long), 0));
	FD("syscall(SYS_memfd_create)", syscall(SYS_memfd_create, "exact", MFD_ALLOW_SEALING));
	FD("syscall(SYS_memfd_create, bad flags)", syscall(SYS_memfd_create, "exact", 0x1000000));
	FD("syscall(SYS_inotify_init)", syscall(SYS_inotify_init));
	FD("syscall(SYS_inotify_init1, bad flags)", syscall(SYS_inotify_init1, 0x1234));
	FD("syscall(SYS_timerfd_create)", syscall(SYS_timerfd_create, CLOCK_REALTIME, TFD_NONBLOCK));
}

/* ---- exec and spawn failures: errno and results ---- */
static void exec_calls(void)
{
	char *argv[] = { "exact-child", "/dev/fd/3", "--fd=4", NULL };
	pid_t pid;

	fflush(stdout);
	INT("execv(missing)", execv(at("missing"), argv));
	INT("execve(dir)", execve(dir, argv, environ));
	INT("execve(not executable)", execve(fpath, argv, environ));
	INT("execvp(missing command)", execvp("exact-no-such-command", argv));
	INT("execvpe(missing command)", execvpe("exact-no-such-command", argv, environ));
	INT("execl(missing)", execl(at("missing"), "x", "/dev/fd/3", (char *)NULL));
	INT("execlp(missing command)", execlp("exact-no-such-command", "x", (char *)NULL));
	INT("fexecve(bad fd)", fexecve(999, argv, environ));
	INT("execveat(bad dirfd)", execveat(999, "x", argv, environ, 0));
	INT("posix_spawn(missing)", posix_spawn(&pid, at("missing"), NULL, NULL, argv, environ));
	INT("posix_spawnp(missing command)",
	    posix_spawnp(&pid, "exact-no-such-command", NULL, NULL, argv, environ));
	INT("system(NULL)", system(NULL));
	INT("system(\"exit 5\")", system("exit 5"));
}

/* ---- EMFILE: every call at the fd limit, then with one fd free ---- */
static void at_limit(void)
{
	int p[2], m = -1, s = -1, err;
	long r;

	FD("EMFILE open", open(fpath, O_RDONLY));
	FD("EMFILE openat", openat(dfd, "file", O_RDONLY));
	FD("EMFILE creat", creat(at("n11"), 0600));
	FD("EMFILE socket", socket(AF_UNIX, SOCK_STREAM, 0));
	FD("EMFILE accept", accept(listener, NULL, NULL));
	FD("EMFILE dup", dup(ffd));
	FD("EMFILE fcntl(F_DUPFD)", fcntl(ffd, F_DUPFD, 0));
	FD("EMFILE epoll_create1", epoll_create1(0));
	FD("EMFILE eventfd", eventfd(0, 0));
	FD("EMFILE signalfd", signalfd(-1, &usr2, 0));
	FD("EMFILE timerfd_create", timerfd_create(CLOCK_MONOTONIC, 0));
	FD("EMFILE inotify_init1", inotify_init1(0));
	FD("EMFILE memfd_create", memfd_create("exact", 0));
	FD("EMFILE posix_openpt", posix_openpt(O_RDWR | O_NOCTTY));
	FD("EMFILE syscall(SYS_open)", syscall(SYS_open, fpath, O_RDONLY));
	PAIR("EMFILE pipe", pipe(p), p);
	PAIR("EMFILE socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, p), p);
	STREAM("EMFILE fopen", fopen(fpath, "r"));
	STREAM("EMFILE tmpfile", tmpfile());
	PIPE_STREAM("EMFILE popen", popen("exit 0", "r"));
	TEMPLATE(mkstemp(t), "EMFILE mkstemp", "tXXXXXX");
	r = CALL(err, openpty(&m, &s, NULL, NULL, NULL));
	printf("EMFILE openpty:");
	show_errno(r, r != 0, err);
	finish(NULL);
}

/* sv: a socket pair with a message of 2 fds waiting. */
static void one_free(const int sv[2])
{
	int p[2], m = -1, s = -1, err;
	long r;

	PAIR("one free: pipe", pipe(p), p);
	PAIR("one free: socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, p), p);
	PIPE_STREAM("one free: popen", popen("exit 0", "r"));
	r = CALL(err, openpty(&m, &s, NULL, NULL, NULL));
	printf("one free: openpty:");
	show_errno(r, r != 0, err);
	finish(NULL);
	STREAM("one free: tmpfile", tmpfile());
	recv_on("one free: recvmsg(2 fds)", VIA_RECVMSG, sv, 0, 2, 0);
	FD("one free: open", open(fpath, O_RDONLY));
}

static void emfile_calls(void)
{
	struct rlimit old, low;
	int fill[64], n = 0, c, sv[2];

	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = 40;
	c = client();	/* a connection waiting to be accepted */
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
	send_fds(sv[0], 1);	/* received at the limit */
	send_fds(sv[0], 2);	/* received with one fd free */
	if (setrlimit(RLIMIT_NOFILE, &low) != 0)
		perror("exact: setrlimit");
	while (n < 64 && (fill[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	printf("EMFILE: filled=%d errno=%s\n", n, errname(errno));
	at_limit();
	recv_on("EMFILE recvmsg(1 fd)", VIA_RECVMSG, sv, 0, 1, 0);
	FD("fcntl(F_DUPFD, 40) at the limit", fcntl(ffd, F_DUPFD, 40));
	FD("dup2(ffd, 45) beyond the limit", dup2(ffd, 45));
	close(fill[--n]);
	one_free(sv);
	setrlimit(RLIMIT_NOFILE, &old);
	while (n > 0)
		close(fill[--n]);
	close(c);
	close(sv[0]);
	close(sv[1]);
}

/* ---- set-up ---- */
static int make_listener(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof a.sun_path, "%s", at("sock"));
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return bind(listener, (struct sockaddr *)&a, sizeof a) || listen(listener, 16) ? -1 : 0;
}

static int setup(void)
{
	int mount_id, fd;

	umask(022);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	if (!mkdtemp(dir) || symlink("file", at("link")) != 0)
		return -1;
	snprintf(fpath, sizeof fpath, "%s/file", dir);
	fd = open(fpath, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "exact\n", 6) != 6 || close(fd) != 0)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ffd = open(fpath, O_RDONLY | O_CLOEXEC);
	sfd = signalfd(-1, &usr2, SFD_CLOEXEC);
	if (dfd < 0 || ffd < 0 || sfd < 0 || make_listener() != 0)
		return -1;
	handle = malloc(sizeof *handle + MAX_HANDLE_SZ);
	handle->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dfd, "file", handle, &mount_id, 0) != 0) {
		free(handle);
		handle = NULL;
	}
	return 0;
}

static void cleanup(void)
{
	char cmd[sizeof dir + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "exact: could not remove %s\n", dir);
}

int main(void)
{
	closefrom(3);	/* the fd numbers printed must not depend on the caller */
	if (setup() != 0) {
		perror("exact: set-up");
		return 2;
	}
	printf("set-up: dirfd=%d file=%d signalfd=%d listener=%d handle=%d\n", dfd, ffd, sfd,
	       listener, handle != NULL);
	open_success();
	open_errors();
	stdio_calls();
	popen_calls();
	temp_calls();
	socket_calls();
	recv_calls();
	dup_calls();
	flag_calls();
	linux_calls();
	pty_calls();
	syscall_opens();
	syscall_others();
	syscall_copies();
	exec_calls();
	emfile_calls();
	printf("end: next=%d\n", lowest_free());
	fflush(stdout);
	cleanup();
	return 0;
}

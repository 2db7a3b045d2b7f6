/* cover: every fd-creating entry point, called directly.
 *
 *   cover expect-forced     forksafe preloaded, FORKSAFE_CLOEXEC=force
 *   cover expect-native     no forksafe, or FORKSAFE_CLOEXEC=off / audit
 *   cover expect-keep LIST  forksafe with FORKSAFE_KEEP_FDS=LIST
 *
 * Asserts, for each entry point:
 *   - called without asking for close-on-exec, every fd it returns has
 *     FD_CLOEXEC when forced and lacks it when native ("name: cloexec=N");
 *   - called asking for it, every fd has it in every mode
 *     ("name+asked: cloexec=1"), and its status flags (F_GETFL) are the
 *     same as those of the fd made without asking: nothing else changed;
 *   - an error the environment explains (no privilege, no kernel support)
 *     is reported "skipped (ERRNO)"; any other error is a failure.
 * Then the inheritance rules (cover_rules.c).  Prints one line per
 * fd, and exits 1 after listing the failures.
 *
 * Each line of an entry point starts with the name of the function
 * called, as the table of wrapped calls (src/core/calls.h) spells it, or
 * with syscall(SYS_name) for a system call made through syscall():
 * cover.sh requires a line for every row of kind NEW and for the system
 * call of every row that names one, so a row added to the table fails
 * the test until its entry point is added here. */
#define _GNU_SOURCE
#include "cover.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
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
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* libc's own names of open and fcntl, fortify's checked opens and
 * fcntl64: declared here, called directly. */
int __open(const char *path, int flags, ...);
int __open64(const char *path, int flags, ...);
int __fcntl(int fd, int cmd, ...);
/* The mount API (glibc 2.36), weak: the program links with an older libc
 * too, where forksafe's wrapper, preloaded, is the only definition and,
 * without forksafe, the function is missing (the call fails: ENOSYS). */
int fsopen(const char *fsname, unsigned int flags) __attribute__((weak));
int fsmount(int fsfd, unsigned int flags, unsigned int attr_flags) __attribute__((weak));
int open_tree(int dfd, const char *path, unsigned int flags) __attribute__((weak));
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int fcntl64(int fd, int cmd, ...);

/* linux/openat2.h, spelled out so the test builds with older headers. */
struct how2 {
	unsigned long long flags, mode, resolve;
};

int cover_forced;
char cover_dir[] = "/tmp/coverXXXXXX";
char cover_file[sizeof cover_dir + 8];

static int nfail;
static char faillog[8192];

int failures(void)
{
	return nfail;
}

void fail(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	printf("FAIL: %s\n", line);
	nfail++;
	size_t len = strlen(faillog);
	snprintf(faillog + len, sizeof faillog - len, "  %s\n", line);
}

int cloexec_of(int fd)
{
	int f = fcntl(fd, F_GETFD);
	return f < 0 ? -1 : (f & FD_CLOEXEC) != 0;
}

void check_cloexec(const char *what, int fd, int expect)
{
	int c = cloexec_of(fd);

	printf("%s: cloexec=%d\n", what, c);
	if (c < 0)
		fail("%s: fd %d is not open", what, fd);
	else if (c != expect)
		fail("%s: cloexec=%d, expected %d", what, c, expect);
}

/* ---- the entry points ----
 * Each call puts the fds it made in out[] and returns how many (1 or 2),
 * or -1 with errno.  A call that made a stream leaves it in `stream` (and
 * sets stream_is_pipe for popen) so that it is closed the way it was
 * opened. */
static FILE *stream;
static int stream_is_pipe;
static int listener = -1, dirfd_ = -1;
static char listen_path[sizeof cover_dir + 8], new_file[sizeof cover_dir + 8];
static struct file_handle *handle;
static int handle_errno;

static int one(int fd, int out[2])
{
	out[0] = fd;
	return fd < 0 ? -1 : 1;
}

static int one_l(long fd, int out[2])
{
	return one((int)fd, out);
}

static int from_stream(FILE *f, int is_pipe, int out[2])
{
	if (!f)
		return -1;
	stream = f;
	stream_is_pipe = is_pipe;
	return one(fileno(f), out);
}

static int c_open(int out[2]) { return one(open(cover_file, O_RDONLY), out); }
static int a_open(int out[2]) { return one(open(cover_file, O_RDONLY | O_CLOEXEC), out); }
static int c_open64(int out[2]) { return one(open64(cover_file, O_RDONLY), out); }
static int a_open64(int out[2]) { return one(open64(cover_file, O_RDONLY | O_CLOEXEC), out); }
static int c___open(int out[2]) { return one(__open(cover_file, O_RDONLY), out); }
static int a___open(int out[2]) { return one(__open(cover_file, O_RDONLY | O_CLOEXEC), out); }
static int c___open64(int out[2])
{
	return one(__open64(cover_file, O_WRONLY | O_CREAT | O_APPEND, 0600), out);
}
static int a___open64(int out[2])
{
	return one(__open64(cover_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600), out);
}
static int c_openat(int out[2]) { return one(openat(dirfd_, "f", O_RDWR), out); }
static int a_openat(int out[2]) { return one(openat(dirfd_, "f", O_RDWR | O_CLOEXEC), out); }
static int c_openat64(int out[2]) { return one(openat64(dirfd_, "f", O_RDWR), out); }
static int a_openat64(int out[2]) { return one(openat64(dirfd_, "f", O_RDWR | O_CLOEXEC), out); }
static int c_ocreat(int out[2])
{
	return one(open(cover_file, O_WRONLY | O_CREAT | O_APPEND, 0600), out);
}
static int a_ocreat(int out[2])
{
	return one(open(cover_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600), out);
}
static int c_creat(int out[2]) { return one(creat(new_file, 0600), out); }
static int c_creat64(int out[2]) { return one(creat64(new_file, 0600), out); }
static int c_open_2(int out[2]) { return one(__open_2(cover_file, O_RDONLY), out); }
static int a_open_2(int out[2]) { return one(__open_2(cover_file, O_RDONLY | O_CLOEXEC), out); }
static int c_open64_2(int out[2]) { return one(__open64_2(cover_file, O_RDONLY), out); }
static int a_open64_2(int out[2])
{
	return one(__open64_2(cover_file, O_RDONLY | O_CLOEXEC), out);
}
static int c_openat_2(int out[2]) { return one(__openat_2(dirfd_, "f", O_RDONLY), out); }
static int a_openat_2(int out[2])
{
	return one(__openat_2(dirfd_, "f", O_RDONLY | O_CLOEXEC), out);
}
static int c_openat64_2(int out[2]) { return one(__openat64_2(dirfd_, "f", O_RDONLY), out); }
static int a_openat64_2(int out[2])
{
	return one(__openat64_2(dirfd_, "f", O_RDONLY | O_CLOEXEC), out);
}

/* open_by_handle_at is always called, even when no handle could be made
 * (then with a zero handle, which fails as the kernel decides). */
static int by_handle(int flags, int out[2])
{
	static struct file_handle empty;
	int r = one(open_by_handle_at(dirfd_, handle ? handle : &empty, flags), out);
	if (r < 0 && !handle)
		errno = handle_errno;
	return r;
}
static int c_by_handle(int out[2]) { return by_handle(O_RDONLY, out); }
static int a_by_handle(int out[2]) { return by_handle(O_RDONLY | O_CLOEXEC, out); }

static int c_fopen(int out[2]) { return from_stream(fopen(cover_file, "r"), 0, out); }
static int a_fopen(int out[2]) { return from_stream(fopen(cover_file, "re"), 0, out); }
static int c_fopen_rw(int out[2]) { return from_stream(fopen(cover_file, "r+b"), 0, out); }
static int a_fopen_rw(int out[2]) { return from_stream(fopen(cover_file, "r+be"), 0, out); }
static int c_fopen_ccs(int out[2])
{
	return from_stream(fopen(new_file, "w,ccs=UTF-8"), 0, out);
}
static int a_fopen_ccs(int out[2])
{
	return from_stream(fopen(new_file, "we,ccs=UTF-8"), 0, out);
}
static int c_fopen64(int out[2]) { return from_stream(fopen64(cover_file, "a"), 0, out); }
static int a_fopen64(int out[2]) { return from_stream(fopen64(cover_file, "ae"), 0, out); }

/* A stream on an inheritable fd above 2, the way a program gets one
 * from a number it was handed: freopen must force the fd it leaves. */
static FILE *inheritable_stream(void)
{
	int fd = open(cover_file, O_RDONLY);
	if (fd < 0 || fcntl(fd, F_SETFD, 0) != 0)
		return NULL;
	return fdopen(fd, "r");
}

static int reopen(FILE *(*fn)(const char *, const char *, FILE *), const char *mode,
		  int out[2])
{
	FILE *f = inheritable_stream();
	if (!f)
		return -1;
	if (fileno(f) <= 2) {
		errno = EBADF;
		return -1;
	}
	return from_stream(fn(cover_file, mode, f), 0, out);
}
static int c_freopen(int out[2]) { return reopen(freopen, "r", out); }
static int a_freopen(int out[2]) { return reopen(freopen, "re", out); }
static int c_freopen64(int out[2]) { return reopen(freopen64, "r+", out); }
static int a_freopen64(int out[2]) { return reopen(freopen64, "r+e", out); }
static int c_tmpfile(int out[2]) { return from_stream(tmpfile(), 0, out); }
static int c_tmpfile64(int out[2]) { return from_stream(tmpfile64(), 0, out); }
static int c_popen_r(int out[2]) { return from_stream(popen("exit 0", "r"), 1, out); }
static int a_popen_r(int out[2]) { return from_stream(popen("exit 0", "re"), 1, out); }
static int c_popen_w(int out[2]) { return from_stream(popen("exit 0", "w"), 1, out); }
static int a_popen_w(int out[2]) { return from_stream(popen("exit 0", "we"), 1, out); }

/* The mkstemp family: a fresh template each time, unlinked at once. */
#define TEMP(call, suffix) ({ \
		char t_[sizeof cover_dir + 32]; \
		snprintf(t_, sizeof t_, "%s/tXXXXXX%s", cover_dir, suffix); \
		int fd_ = (call); \
		if (fd_ >= 0) \
			unlink(t_); \
		fd_; \
	})
static int c_mkstemp(int out[2]) { return one(TEMP(mkstemp(t_), ""), out); }
static int c_mkstemp64(int out[2]) { return one(TEMP(mkstemp64(t_), ""), out); }
static int c_mkstemps(int out[2]) { return one(TEMP(mkstemps(t_, 2), ".s"), out); }
static int c_mkstemps64(int out[2]) { return one(TEMP(mkstemps64(t_, 2), ".s"), out); }
static int c_mkostemp(int out[2]) { return one(TEMP(mkostemp(t_, O_APPEND), ""), out); }
static int a_mkostemp(int out[2])
{
	return one(TEMP(mkostemp(t_, O_APPEND | O_CLOEXEC), ""), out);
}
static int c_mkostemp64(int out[2]) { return one(TEMP(mkostemp64(t_, O_APPEND), ""), out); }
static int a_mkostemp64(int out[2])
{
	return one(TEMP(mkostemp64(t_, O_APPEND | O_CLOEXEC), ""), out);
}
static int c_mkostemps(int out[2]) { return one(TEMP(mkostemps(t_, 2, O_SYNC), ".s"), out); }
static int a_mkostemps(int out[2])
{
	return one(TEMP(mkostemps(t_, 2, O_SYNC | O_CLOEXEC), ".s"), out);
}
static int c_mkostemps64(int out[2]) { return one(TEMP(mkostemps64(t_, 2, 0), ".s"), out); }
static int a_mkostemps64(int out[2])
{
	return one(TEMP(mkostemps64(t_, 2, O_CLOEXEC), ".s"), out);
}

static int c_socket(int out[2]) { return one(socket(AF_UNIX, SOCK_STREAM, 0), out); }
static int a_socket(int out[2])
{
	return one(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), out);
}
static int c_socket_nb(int out[2])
{
	return one(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), out);
}
static int a_socket_nb(int out[2])
{
	return one(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), out);
}
static int c_socketpair(int out[2]) { return socketpair(AF_UNIX, SOCK_STREAM, 0, out) ? -1 : 2; }
static int a_socketpair(int out[2])
{
	return socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, out) ? -1 : 2;
}

/* A connection waiting on the listener, so that accept returns at once;
 * the client end is closed once accepted. */
static int connect_client(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", listen_path);
	if (c >= 0 && connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
		close(c);
		return -1;
	}
	return c;
}

static int accepted(long fd, int client, int out[2])
{
	int saved = errno;
	close(client);
	errno = saved;
	return one_l(fd, out);
}
#define ACCEPT(call) ({ int cl_ = connect_client(); cl_ < 0 ? -1 : accepted((call), cl_, out); })
static int c_accept(int out[2]) { return ACCEPT(accept(listener, NULL, NULL)); }
static int c_accept4(int out[2]) { return ACCEPT(accept4(listener, NULL, NULL, 0)); }
static int a_accept4(int out[2]) { return ACCEPT(accept4(listener, NULL, NULL, SOCK_CLOEXEC)); }
static int c_accept4_nb(int out[2])
{
	return ACCEPT(accept4(listener, NULL, NULL, SOCK_NONBLOCK));
}
static int a_accept4_nb(int out[2])
{
	return ACCEPT(accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
}
static int c_sys_accept4(int out[2])
{
	return ACCEPT(syscall(SYS_accept4, listener, NULL, NULL, 0));
}
static int a_sys_accept4(int out[2])
{
	return ACCEPT(syscall(SYS_accept4, listener, NULL, NULL, SOCK_CLOEXEC));
}
static int c_sys_accept(int out[2]) { return ACCEPT(syscall(SYS_accept, listener, NULL, NULL)); }

/* ---- fds received over a socket (SCM_RIGHTS) ---- */
static int send_fd(int sock, int fd)
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof u.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(u.buf, 0, sizeof u.buf);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int fd_in(struct msghdr *m)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(m);
	int fd;

	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

enum recv_via { VIA_RECVMSG, VIA_RECVMMSG, VIA_SYS_RECVMSG, VIA_SYS_RECVMMSG };

static int receive(enum recv_via via, int flags, int out[2])
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
					   .msg_controllen = sizeof u.buf } };
	int sv[2], fd, r = -1;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	fd = open(cover_file, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && send_fd(sv[0], fd) == 0) {
		switch (via) {
		case VIA_RECVMSG: r = (int)recvmsg(sv[1], &mm.msg_hdr, flags); break;
		case VIA_RECVMMSG: r = recvmmsg(sv[1], &mm, 1, flags, NULL); break;
		case VIA_SYS_RECVMSG: r = (int)syscall(SYS_recvmsg, sv[1], &mm.msg_hdr, flags); break;
		case VIA_SYS_RECVMMSG: r = (int)syscall(SYS_recvmmsg, sv[1], &mm, 1, flags, NULL); break;
		}
	}
	close(fd);
	close(sv[0]);
	close(sv[1]);
	return r < 0 ? -1 : one(fd_in(&mm.msg_hdr), out);
}
static int c_recvmsg(int out[2]) { return receive(VIA_RECVMSG, 0, out); }
static int a_recvmsg(int out[2]) { return receive(VIA_RECVMSG, MSG_CMSG_CLOEXEC, out); }
static int c_recvmmsg(int out[2]) { return receive(VIA_RECVMMSG, 0, out); }
static int a_recvmmsg(int out[2]) { return receive(VIA_RECVMMSG, MSG_CMSG_CLOEXEC, out); }
static int c_sys_recvmsg(int out[2]) { return receive(VIA_SYS_RECVMSG, 0, out); }
static int a_sys_recvmsg(int out[2]) { return receive(VIA_SYS_RECVMSG, MSG_CMSG_CLOEXEC, out); }
static int c_sys_recvmmsg(int out[2]) { return receive(VIA_SYS_RECVMMSG, 0, out); }
static int a_sys_recvmmsg(int out[2])
{
	return receive(VIA_SYS_RECVMMSG, MSG_CMSG_CLOEXEC, out);
}

/* ---- copies ---- */
static int c_dup(int out[2]) { return one(dup(dirfd_), out); }
static int c_f_dupfd(int out[2]) { return one(fcntl(dirfd_, F_DUPFD, 0), out); }
static int a_f_dupfd(int out[2]) { return one(fcntl(dirfd_, F_DUPFD_CLOEXEC, 0), out); }
static int c_f_dupfd_min(int out[2]) { return one(fcntl(dirfd_, F_DUPFD, 40), out); }
static int a_f_dupfd_min(int out[2]) { return one(fcntl(dirfd_, F_DUPFD_CLOEXEC, 40), out); }
static int c_fcntl64(int out[2]) { return one(fcntl64(dirfd_, F_DUPFD, 0), out); }
static int a_fcntl64(int out[2]) { return one(fcntl64(dirfd_, F_DUPFD_CLOEXEC, 0), out); }
static int c___fcntl(int out[2]) { return one(__fcntl(dirfd_, F_DUPFD, 0), out); }
static int a___fcntl(int out[2]) { return one(__fcntl(dirfd_, F_DUPFD_CLOEXEC, 0), out); }
static int c_sys_dup(int out[2]) { return one_l(syscall(SYS_dup, dirfd_), out); }
static int c_sys_fcntl(int out[2]) { return one_l(syscall(SYS_fcntl, dirfd_, F_DUPFD, 0), out); }
static int a_sys_fcntl(int out[2])
{
	return one_l(syscall(SYS_fcntl, dirfd_, F_DUPFD_CLOEXEC, 0), out);
}

/* ---- pipes and the Linux fd-returning calls ---- */
static int c_pipe(int out[2]) { return pipe(out) ? -1 : 2; }
static int c_pipe2(int out[2]) { return pipe2(out, 0) ? -1 : 2; }
static int a_pipe2(int out[2]) { return pipe2(out, O_CLOEXEC) ? -1 : 2; }
static int c_pipe2_nb(int out[2]) { return pipe2(out, O_NONBLOCK) ? -1 : 2; }
static int a_pipe2_nb(int out[2]) { return pipe2(out, O_NONBLOCK | O_CLOEXEC) ? -1 : 2; }
static int c_epoll_create(int out[2]) { return one(epoll_create(1), out); }
static int c_epoll_create1(int out[2]) { return one(epoll_create1(0), out); }
static int a_epoll_create1(int out[2]) { return one(epoll_create1(EPOLL_CLOEXEC), out); }
static int c_eventfd(int out[2]) { return one(eventfd(0, EFD_NONBLOCK), out); }
static int a_eventfd(int out[2]) { return one(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), out); }

static sigset_t usr2;
static int c_signalfd(int out[2]) { return one(signalfd(-1, &usr2, 0), out); }
static int a_signalfd(int out[2]) { return one(signalfd(-1, &usr2, SFD_CLOEXEC), out); }
static int c_timerfd(int out[2]) { return one(timerfd_create(CLOCK_MONOTONIC, 0), out); }
static int a_timerfd(int out[2])
{
	return one(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), out);
}
static int c_inotify_init(int out[2]) { return one(inotify_init(), out); }
static int a_inotify_init(int out[2]) { return one(inotify_init1(IN_CLOEXEC), out); }
static int c_inotify_init1(int out[2]) { return one(inotify_init1(IN_NONBLOCK), out); }
static int a_inotify_init1(int out[2])
{
	return one(inotify_init1(IN_NONBLOCK | IN_CLOEXEC), out);
}
static int c_fanotify(int out[2]) { return one(fanotify_init(FAN_CLASS_NOTIF, O_RDONLY), out); }
static int a_fanotify(int out[2])
{
	return one(fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY), out);
}
static int c_memfd(int out[2]) { return one(memfd_create("cover", MFD_ALLOW_SEALING), out); }
static int a_memfd(int out[2])
{
	return one(memfd_create("cover", MFD_ALLOW_SEALING | MFD_CLOEXEC), out);
}

/* ---- the mount API ----
 * fsopen and fsmount need CAP_SYS_ADMIN (EPERM without it); open_tree
 * without OPEN_TREE_CLONE does not (an O_PATH fd).  fsmount mounts a
 * new file system context each time (made through syscall(), with the
 * flag); the mount it returns is detached and goes with its fd. */
#define FSOPEN_CLOEXEC 0x00000001		/* linux/mount.h */
#define FSMOUNT_CLOEXEC 0x00000001
#define FSCONFIG_CMD_CREATE 6
#define OPEN_TREE_CLOEXEC O_CLOEXEC

static int no_libc(void)
{
	errno = ENOSYS;
	return -1;
}

static int c_fsopen(int out[2])
{
	return fsopen ? one(fsopen("tmpfs", 0), out) : no_libc();
}
static int a_fsopen(int out[2])
{
	return fsopen ? one(fsopen("tmpfs", FSOPEN_CLOEXEC), out) : no_libc();
}

/* A tmpfs context ready to be mounted (its fd, made through syscall()
 * with the flag, is closed by the caller), or -1. */
static int fs_context(void)
{
#if defined(SYS_fsopen) && defined(SYS_fsconfig)
	int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC), err;

	if (fs >= 0 && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
		err = errno;
		close(fs);
		errno = err;
		return -1;
	}
	return fs;
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int mount_with(int sys, unsigned flags, int out[2])
{
	int fs = fs_context(), fd, err;

	if (fs < 0)
		return -1;
#ifdef SYS_fsmount
	if (sys)
		fd = (int)syscall(SYS_fsmount, fs, flags, 0);
	else
#endif
		fd = fsmount && !sys ? fsmount(fs, flags, 0) : no_libc();
	err = errno;
	close(fs);
	errno = err;
	return one(fd, out);
}
static int c_fsmount(int out[2]) { return mount_with(0, 0, out); }
static int a_fsmount(int out[2]) { return mount_with(0, FSMOUNT_CLOEXEC, out); }
static int c_open_tree(int out[2])
{
	return open_tree ? one(open_tree(dirfd_, "f", 0), out) : no_libc();
}
static int a_open_tree(int out[2])
{
	return open_tree ? one(open_tree(dirfd_, "f", OPEN_TREE_CLOEXEC), out) : no_libc();
}

/* ---- pseudo-terminals ---- */
static int c_openpt(int out[2]) { return one(posix_openpt(O_RDWR | O_NOCTTY), out); }
static int a_openpt(int out[2]) { return one(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), out); }
static int c_getpt(int out[2]) { return one(getpt(), out); }
static int c_openpty(int out[2]) { return openpty(&out[0], &out[1], NULL, NULL, NULL) ? -1 : 2; }

static int c_forkpty(int out[2])
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = forkpty(&out[0], NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return 1;
}

/* ---- raw system calls through syscall() ---- */
static int c_sys_open(int out[2]) { return one_l(syscall(SYS_open, cover_file, O_RDONLY), out); }
static int a_sys_open(int out[2])
{
	return one_l(syscall(SYS_open, cover_file, O_RDONLY | O_CLOEXEC), out);
}
static int c_sys_openat(int out[2])
{
	return one_l(syscall(SYS_openat, AT_FDCWD, cover_file, O_RDONLY), out);
}
static int a_sys_openat(int out[2])
{
	return one_l(syscall(SYS_openat, AT_FDCWD, cover_file, O_RDONLY | O_CLOEXEC), out);
}
static int c_sys_creat(int out[2]) { return one_l(syscall(SYS_creat, new_file, 0600), out); }

static int openat2_with(unsigned long long flags, int out[2])
{
	struct how2 how = { .flags = flags };
	return one_l(syscall(SYS_openat2, AT_FDCWD, cover_file, &how, sizeof how), out);
}
static int c_sys_openat2(int out[2]) { return openat2_with(O_RDONLY, out); }
static int a_sys_openat2(int out[2]) { return openat2_with(O_RDONLY | O_CLOEXEC, out); }

static int by_handle_sys(int flags, int out[2])
{
	if (!handle) {
		errno = handle_errno;
		return -1;
	}
	return one_l(syscall(SYS_open_by_handle_at, dirfd_, handle, flags), out);
}
static int c_sys_by_handle(int out[2]) { return by_handle_sys(O_RDONLY, out); }
static int a_sys_by_handle(int out[2]) { return by_handle_sys(O_RDONLY | O_CLOEXEC, out); }
static int c_sys_memfd(int out[2]) { return one_l(syscall(SYS_memfd_create, "cover", 0), out); }
static int a_sys_memfd(int out[2])
{
	return one_l(syscall(SYS_memfd_create, "cover", MFD_CLOEXEC), out);
}
static int c_sys_eventfd2(int out[2]) { return one_l(syscall(SYS_eventfd2, 0, 0), out); }
static int a_sys_eventfd2(int out[2]) { return one_l(syscall(SYS_eventfd2, 0, EFD_CLOEXEC), out); }
static int c_sys_eventfd(int out[2]) { return one_l(syscall(SYS_eventfd, 0), out); }
static int c_sys_socket(int out[2]) { return one_l(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0), out); }
static int a_sys_socket(int out[2])
{
	return one_l(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), out);
}
static int c_sys_socketpair(int out[2])
{
	return syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, out) ? -1 : 2;
}
static int a_sys_socketpair(int out[2])
{
	return syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) ? -1 : 2;
}
static int c_sys_pipe2(int out[2]) { return syscall(SYS_pipe2, out, 0) ? -1 : 2; }
static int a_sys_pipe2(int out[2]) { return syscall(SYS_pipe2, out, O_CLOEXEC) ? -1 : 2; }
static int c_sys_pipe(int out[2]) { return syscall(SYS_pipe, out) ? -1 : 2; }
static int c_sys_uffd(int out[2]) { return one_l(syscall(SYS_userfaultfd, 0), out); }
static int a_sys_uffd(int out[2]) { return one_l(syscall(SYS_userfaultfd, O_CLOEXEC), out); }

static int perf_open(unsigned long flags, int out[2])
{
	struct perf_event_attr pa;

	memset(&pa, 0, sizeof pa);
	pa.type = PERF_TYPE_SOFTWARE;
	pa.size = sizeof pa;
	pa.config = PERF_COUNT_SW_TASK_CLOCK;
	pa.disabled = 1;
	pa.exclude_kernel = 1;
	pa.exclude_hv = 1;
	return one_l(syscall(SYS_perf_event_open, &pa, 0, -1, -1, flags), out);
}
static int c_sys_perf(int out[2]) { return perf_open(0, out); }
static int a_sys_perf(int out[2]) { return perf_open(PERF_FLAG_FD_CLOEXEC, out); }
static int c_sys_epoll_create1(int out[2]) { return one_l(syscall(SYS_epoll_create1, 0), out); }
static int a_sys_epoll_create1(int out[2])
{
	return one_l(syscall(SYS_epoll_create1, EPOLL_CLOEXEC), out);
}
static int c_sys_epoll_create(int out[2]) { return one_l(syscall(SYS_epoll_create, 4), out); }
static int c_sys_inotify_init1(int out[2]) { return one_l(syscall(SYS_inotify_init1, 0), out); }
static int a_sys_inotify_init1(int out[2])
{
	return one_l(syscall(SYS_inotify_init1, IN_CLOEXEC), out);
}
static int c_sys_inotify_init(int out[2]) { return one_l(syscall(SYS_inotify_init), out); }
static int c_sys_timerfd(int out[2])
{
	return one_l(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0), out);
}
static int a_sys_timerfd(int out[2])
{
	return one_l(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC), out);
}
static int c_sys_signalfd4(int out[2])
{
	return one_l(syscall(SYS_signalfd4, -1, &usr2, sizeof(long), 0), out);
}
static int a_sys_signalfd4(int out[2])
{
	return one_l(syscall(SYS_signalfd4, -1, &usr2, sizeof(long), SFD_CLOEXEC), out);
}
static int c_sys_fanotify(int out[2])
{
	return one_l(syscall(SYS_fanotify_init, FAN_CLASS_NOTIF, O_RDONLY), out);
}
static int a_sys_fanotify(int out[2])
{
	return one_l(syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY), out);
}
#ifndef SYS_fsopen
#define SYS_fsopen (-1L)	/* ENOSYS */
#endif
#ifndef SYS_open_tree
#define SYS_open_tree (-1L)
#endif
static int c_sys_fsopen(int out[2]) { return one_l(syscall(SYS_fsopen, "tmpfs", 0), out); }
static int a_sys_fsopen(int out[2])
{
	return one_l(syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC), out);
}
static int c_sys_fsmount(int out[2]) { return mount_with(1, 0, out); }
static int a_sys_fsmount(int out[2]) { return mount_with(1, FSMOUNT_CLOEXEC, out); }
static int c_sys_open_tree(int out[2])
{
	return one_l(syscall(SYS_open_tree, dirfd_, "f", 0), out);
}
static int a_sys_open_tree(int out[2])
{
	return one_l(syscall(SYS_open_tree, dirfd_, "f", OPEN_TREE_CLOEXEC), out);
}

/* ---- the table ---- */
struct entry {
	const char *name;
	int (*unasked)(int out[2]);
	int (*asked)(int out[2]);	/* NULL: the call has no flag to ask with */
	int tolerate[4];		/* errors meaning "not available here" */
	const char *label[2];		/* names of the fds of a call making two */
};

/* No pseudo-terminals here (no /dev/ptmx or /dev/pts). */
#define NOPTY { ENOENT, ENXIO, EACCES }
/* Only the missing privilege is accepted for the mount API. */
#define NOPRIV { EPERM }
static const struct entry entries[] = {
	{ "open", c_open, a_open, {0}, {0} },
	{ "open(O_CREAT, mode)", c_ocreat, a_ocreat, {0}, {0} },
	{ "open64", c_open64, a_open64, {0}, {0} },
	{ "__open", c___open, a___open, {0}, {0} },
	{ "__open64(O_CREAT, mode)", c___open64, a___open64, {0}, {0} },
	{ "openat", c_openat, a_openat, {0}, {0} },
	{ "openat64", c_openat64, a_openat64, {0}, {0} },
	{ "creat", c_creat, NULL, {0}, {0} },
	{ "creat64", c_creat64, NULL, {0}, {0} },
	{ "__open_2", c_open_2, a_open_2, {0}, {0} },
	{ "__open64_2", c_open64_2, a_open64_2, {0}, {0} },
	{ "__openat_2", c_openat_2, a_openat_2, {0}, {0} },
	{ "__openat64_2", c_openat64_2, a_openat64_2, {0}, {0} },
	{ "open_by_handle_at", c_by_handle, a_by_handle, { EPERM, EOPNOTSUPP, ENOSYS }, {0} },
	{ "fopen", c_fopen, a_fopen, {0}, {0} },
	{ "fopen(r+b)", c_fopen_rw, a_fopen_rw, {0}, {0} },
	{ "fopen(w,ccs=UTF-8)", c_fopen_ccs, a_fopen_ccs, {0}, {0} },
	{ "fopen64", c_fopen64, a_fopen64, {0}, {0} },
	{ "freopen", c_freopen, a_freopen, {0}, {0} },
	{ "freopen64", c_freopen64, a_freopen64, {0}, {0} },
	{ "tmpfile", c_tmpfile, NULL, {0}, {0} },
	{ "tmpfile64", c_tmpfile64, NULL, {0}, {0} },
	{ "popen(r)", c_popen_r, a_popen_r, {0}, {0} },
	{ "popen(w)", c_popen_w, a_popen_w, {0}, {0} },
	{ "mkstemp", c_mkstemp, NULL, {0}, {0} },
	{ "mkstemp64", c_mkstemp64, NULL, {0}, {0} },
	{ "mkstemps", c_mkstemps, NULL, {0}, {0} },
	{ "mkstemps64", c_mkstemps64, NULL, {0}, {0} },
	{ "mkostemp", c_mkostemp, a_mkostemp, {0}, {0} },
	{ "mkostemp64", c_mkostemp64, a_mkostemp64, {0}, {0} },
	{ "mkostemps", c_mkostemps, a_mkostemps, {0}, {0} },
	{ "mkostemps64", c_mkostemps64, a_mkostemps64, {0}, {0} },
	{ "socket", c_socket, a_socket, {0}, {0} },
	{ "socket(nonblock)", c_socket_nb, a_socket_nb, {0}, {0} },
	{ "socketpair", c_socketpair, a_socketpair, {0}, {0} },
	{ "accept", c_accept, NULL, {0}, {0} },
	{ "accept4", c_accept4, a_accept4, {0}, {0} },
	{ "accept4(nonblock)", c_accept4_nb, a_accept4_nb, {0}, {0} },
	{ "recvmsg", c_recvmsg, a_recvmsg, {0}, {0} },
	{ "recvmmsg", c_recvmmsg, a_recvmmsg, {0}, {0} },
	{ "dup", c_dup, a_f_dupfd, {0}, {0} },
	{ "fcntl(F_DUPFD)", c_f_dupfd, a_f_dupfd, {0}, {0} },
	{ "fcntl(F_DUPFD, 40)", c_f_dupfd_min, a_f_dupfd_min, {0}, {0} },
	{ "fcntl64(F_DUPFD)", c_fcntl64, a_fcntl64, {0}, {0} },
	{ "__fcntl(F_DUPFD)", c___fcntl, a___fcntl, {0}, {0} },
	{ "pipe", c_pipe, a_pipe2, {0}, {0} },
	{ "pipe2", c_pipe2, a_pipe2, {0}, {0} },
	{ "pipe2(nonblock)", c_pipe2_nb, a_pipe2_nb, {0}, {0} },
	{ "epoll_create", c_epoll_create, a_epoll_create1, {0}, {0} },
	{ "epoll_create1", c_epoll_create1, a_epoll_create1, {0}, {0} },
	{ "eventfd", c_eventfd, a_eventfd, {0}, {0} },
	{ "signalfd", c_signalfd, a_signalfd, {0}, {0} },
	{ "timerfd_create", c_timerfd, a_timerfd, {0}, {0} },
	{ "inotify_init", c_inotify_init, a_inotify_init, {0}, {0} },
	{ "inotify_init1", c_inotify_init1, a_inotify_init1, {0}, {0} },
	{ "fanotify_init", c_fanotify, a_fanotify, { EPERM, ENOSYS, EINVAL }, {0} },
	{ "memfd_create", c_memfd, a_memfd, {0}, {0} },
	{ "fsopen", c_fsopen, a_fsopen, NOPRIV, {0} },
	{ "fsmount", c_fsmount, a_fsmount, NOPRIV, {0} },
	{ "open_tree", c_open_tree, a_open_tree, {0}, {0} },
	{ "posix_openpt", c_openpt, a_openpt, NOPTY, {0} },
	{ "getpt", c_getpt, NULL, NOPTY, {0} },
	{ "openpty", c_openpty, NULL, NOPTY, { "master", "slave" } },
	{ "forkpty", c_forkpty, NULL, NOPTY, { "master" } },
	{ "syscall(SYS_open)", c_sys_open, a_sys_open, {0}, {0} },
	{ "syscall(SYS_openat)", c_sys_openat, a_sys_openat, {0}, {0} },
	{ "syscall(SYS_openat2)", c_sys_openat2, a_sys_openat2, { ENOSYS }, {0} },
	{ "syscall(SYS_creat)", c_sys_creat, NULL, {0}, {0} },
	{ "syscall(SYS_open_by_handle_at)", c_sys_by_handle, a_sys_by_handle,
	  { EPERM, EOPNOTSUPP, ENOSYS }, {0} },
	{ "syscall(SYS_memfd_create)", c_sys_memfd, a_sys_memfd, {0}, {0} },
	{ "syscall(SYS_eventfd2)", c_sys_eventfd2, a_sys_eventfd2, {0}, {0} },
	{ "syscall(SYS_eventfd)", c_sys_eventfd, a_sys_eventfd2, {0}, {0} },
	{ "syscall(SYS_socket)", c_sys_socket, a_sys_socket, {0}, {0} },
	{ "syscall(SYS_socketpair)", c_sys_socketpair, a_sys_socketpair, {0}, {0} },
	{ "syscall(SYS_pipe2)", c_sys_pipe2, a_sys_pipe2, {0}, {0} },
	{ "syscall(SYS_pipe)", c_sys_pipe, a_sys_pipe2, {0}, {0} },
	{ "syscall(SYS_dup)", c_sys_dup, a_sys_fcntl, {0}, {0} },
	{ "syscall(SYS_fcntl, F_DUPFD)", c_sys_fcntl, a_sys_fcntl, {0}, {0} },
	{ "syscall(SYS_userfaultfd)", c_sys_uffd, a_sys_uffd, { EPERM, ENOSYS }, {0} },
	{ "syscall(SYS_perf_event_open)", c_sys_perf, a_sys_perf, { EACCES, ENOENT, ENOSYS, EPERM },
	  {0} },
	{ "syscall(SYS_epoll_create1)", c_sys_epoll_create1, a_sys_epoll_create1, {0}, {0} },
	{ "syscall(SYS_epoll_create)", c_sys_epoll_create, a_sys_epoll_create1, {0}, {0} },
	{ "syscall(SYS_inotify_init1)", c_sys_inotify_init1, a_sys_inotify_init1, {0}, {0} },
	{ "syscall(SYS_inotify_init)", c_sys_inotify_init, a_sys_inotify_init1, {0}, {0} },
	{ "syscall(SYS_timerfd_create)", c_sys_timerfd, a_sys_timerfd, {0}, {0} },
	{ "syscall(SYS_signalfd4)", c_sys_signalfd4, a_sys_signalfd4, {0}, {0} },
	{ "syscall(SYS_fanotify_init)", c_sys_fanotify, a_sys_fanotify, { EPERM, ENOSYS, EINVAL },
	  {0} },
	{ "syscall(SYS_fsopen)", c_sys_fsopen, a_sys_fsopen, NOPRIV, {0} },
	{ "syscall(SYS_fsmount)", c_sys_fsmount, a_sys_fsmount, NOPRIV, {0} },
	{ "syscall(SYS_open_tree)", c_sys_open_tree, a_sys_open_tree, {0}, {0} },
	{ "syscall(SYS_accept4)", c_sys_accept4, a_sys_accept4, {0}, {0} },
	{ "syscall(SYS_accept)", c_sys_accept, a_sys_accept4, {0}, {0} },
	{ "syscall(SYS_recvmsg)", c_sys_recvmsg, a_sys_recvmsg, {0}, {0} },
	{ "syscall(SYS_recvmmsg)", c_sys_recvmmsg, a_sys_recvmmsg, {0}, {0} },
};

/* ---- the driver ---- */
static int tolerated(const struct entry *e, int err)
{
	for (int i = 0; i < 4 && e->tolerate[i]; i++)
		if (e->tolerate[i] == err)
			return 1;
	return 0;
}

static void close_made(int n, const int fds[2])
{
	if (stream) {
		if (stream_is_pipe)
			pclose(stream);
		else
			fclose(stream);
		stream = NULL;
		return;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static void fd_name(char *buf, size_t n, const struct entry *e, int i, int nfds, int asked)
{
	const char *tail = asked ? "+asked" : "";

	if (e->label[i])
		snprintf(buf, n, "%s(%s)%s", e->name, e->label[i], tail);
	else if (nfds == 2)
		snprintf(buf, n, "%s[%d]%s", e->name, i, tail);
	else
		snprintf(buf, n, "%s%s", e->name, tail);
}

/* Makes the fds, checks their flag, records their status flags in
 * flags[] and closes them.  Returns how many, or -1. */
static int call_and_check(const struct entry *e, int asked, int flags[2])
{
	int fds[2] = { -1, -1 }, n, err;
	char name[128];

	errno = 0;
	n = (asked ? e->asked : e->unasked)(fds);
	if (n < 0) {
		err = errno;
		fd_name(name, sizeof name, e, 0, 1, asked);
		if (tolerated(e, err))
			printf("%s: skipped (%s)\n", name, strerrorname_np(err));
		else
			fail("%s: the call failed: %s", name, strerror(err));
		close_made(0, fds);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		fd_name(name, sizeof name, e, i, n, asked);
		check_cloexec(name, fds[i], asked ? 1 : cover_forced);
		flags[i] = fcntl(fds[i], F_GETFL);
	}
	close_made(n, fds);
	return n;
}

static void run_entry(const struct entry *e)
{
	int f0[2], f1[2], n0, n1;

	n0 = call_and_check(e, 0, f0);
	if (!e->asked)
		return;
	n1 = call_and_check(e, 1, f1);
	if (n0 < 0 || n1 < 0)
		return;
	if (n0 != n1)
		fail("%s: %d fds when asked, %d when not", e->name, n1, n0);
	for (int i = 0; i < n0 && i < n1; i++)
		if (f0[i] != f1[i])
			fail("%s: status flags %#o when asked, %#o when not", e->name, f1[i], f0[i]);
}

/* ---- set-up ---- */
static void make_handle(void)
{
	struct file_handle *h = malloc(sizeof *h + MAX_HANDLE_SZ);
	int mount_id;

	h->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dirfd_, "f", h, &mount_id, 0) == 0) {
		handle = h;
		return;
	}
	handle_errno = errno;
	free(h);
}

static int make_listener(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof a.sun_path, "%s", listen_path);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(listener, 64) != 0)
		return -1;
	return 0;
}

static int setup(void)
{
	int fd;

	if (!mkdtemp(cover_dir))
		return -1;
	snprintf(cover_file, sizeof cover_file, "%s/f", cover_dir);
	snprintf(new_file, sizeof new_file, "%s/new", cover_dir);
	snprintf(listen_path, sizeof listen_path, "%s/s", cover_dir);
	fd = open(cover_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "cover\n", 6) != 6 || close(fd) != 0)
		return -1;
	dirfd_ = open(cover_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0 || make_listener() != 0)
		return -1;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	make_handle();
	return 0;
}

static void cleanup(void)
{
	close(listener);
	close(dirfd_);
	unlink(cover_file);
	unlink(new_file);
	unlink(listen_path);
	rmdir(cover_dir);
}

/* fds 0-2 must be open, or the first new fd would be one of them. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(2);
}

static int usage(void)
{
	fprintf(stderr, "usage: cover expect-forced|expect-native|expect-keep LIST\n");
	return 2;
}

static int report(void)
{
	if (nfail) {
		printf("%d failure(s):\n%s", nfail, faillog);
		return 1;
	}
	printf("all passed\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ensure_std_fds();
	if (argc == 3 && strcmp(argv[1], "expect-keep") == 0) {
		check_keep(argv[2]);
		return report();
	}
	if (argc != 2)
		return usage();
	if (strcmp(argv[1], "expect-forced") == 0)
		cover_forced = 1;
	else if (strcmp(argv[1], "expect-native") != 0)
		return usage();
	if (setup() != 0) {
		perror("cover: set-up");
		cleanup();
		return 2;
	}
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
		run_entry(&entries[i]);
	check_rules();
	cleanup();
	return report();
}

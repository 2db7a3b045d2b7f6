/* forksafe: syscall(), for the system calls that create, copy, close or
 * change fds, and for execve.  Inline system calls (static binaries, Go)
 * never come here: that limit is documented. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "fd/fd.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/fanotify.h>
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U		/* linux/memfd.h */
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001	/* linux/mount.h */
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#define PERF_FLAG_FD_CLOEXEC (1UL << 3)	/* linux/perf_event.h */
#define CLOSE_RANGE_CLOEXEC_ (1U << 2)	/* linux/close_range.h */
/* Newer architectures (aarch64) have only the *at and flagged calls. */
#ifndef SYS_open
#define SYS_open (-1)
#endif

/* openat2's struct open_how starts with the u64 flags (linux/openat2.h). */
struct fs_open_how_head {
	uint64_t flags;
};

/* Which argument of a system call carries its close-on-exec flag, and
 * which flag: from the syscall column of the table of wrapped calls
 * (core/calls.h).  Several libc names make the same call (open, open64,
 * __open_2...): the first row found answers. */
struct cloexec_arg {
	long nr;	/* -1: none */
	int index;	/* argument index */
	long flag;
};

#define NONE { -1, -1, 0 },
#define FLAG(nr, arg, flag) { SYS_##nr, arg, (long)(flag) },
static const struct cloexec_arg cloexec_args[] = {
#define FS_X(name, ret, params, ver, kind, sys, fallback) sys
	FS_CALLS(FS_X)
#undef FS_X
};
#undef NONE
#undef FLAG

static struct cloexec_arg cloexec_arg_of(long nr)
{
	for (size_t i = 0; nr >= 0 && i < sizeof cloexec_args / sizeof cloexec_args[0]; i++)
		if (cloexec_args[i].nr == nr)
			return cloexec_args[i];
	return (struct cloexec_arg){ -1, -1, 0 };
}

/* Calls with no flag argument become their flagged twins. */
static long upgrade(long nr, long a[6])
{
	switch (nr) {
#ifdef SYS_creat
	case SYS_creat:
		a[2] = a[1];
		a[1] = O_CREAT | O_WRONLY | O_TRUNC;
		return SYS_open;
#endif
#ifdef SYS_pipe
	case SYS_pipe: a[1] = 0; return SYS_pipe2;
#endif
	case SYS_accept: a[3] = 0; return SYS_accept4;
#ifdef SYS_epoll_create
	case SYS_epoll_create:
		if ((int)a[0] <= 0)
			return nr;	/* let the kernel say EINVAL */
		a[0] = 0;
		return SYS_epoll_create1;
#endif
#ifdef SYS_eventfd
	case SYS_eventfd: a[1] = 0; return SYS_eventfd2;
#endif
#ifdef SYS_inotify_init
	case SYS_inotify_init: a[0] = 0; return SYS_inotify_init1;
#endif
#ifdef SYS_signalfd
	case SYS_signalfd: a[3] = 0; return SYS_signalfd4;
#endif
	case SYS_dup: a[1] = F_DUPFD; a[2] = 0; return SYS_fcntl;
	default: return nr;
	}
}

static long call_real(long nr, const long a[6])
{
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The fallback (core/real.h): the system call itself.  Six arguments are
 * read whatever the call takes, as in syscall() below. */
FS_NO_ASAN long FS_FALLBACK(syscall)(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return fs_sys_result(fs_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}

/* Records what a successful fd-creating call returned. */
static void record(long nr, const long a[6], long r, int forced, uintptr_t site)
{
	int *fds;

	switch (nr) {
	case SYS_socketpair: fds = (int *)a[3]; break;
	case SYS_pipe2: fds = (int *)a[0]; break;
	case SYS_recvmsg:
		fs_record_rights((struct msghdr *)a[1], forced, FS_ID_syscall, site);
		return;
	case SYS_recvmmsg:
		for (long i = 0; i < r; i++)
			fs_record_rights(&((struct mmsghdr *)a[1])[i].msg_hdr, forced, FS_ID_syscall,
					 site);
		return;
	default:
		fs_fd_created((int)r, FS_ID_syscall, forced, site);
		return;
	}
	fs_fd_created(fds[0], FS_ID_syscall, forced, site);
	fs_fd_created(fds[1], FS_ID_syscall, forced, site);
	if (forced)
		fs_inherit_note_pair(fds);
}

/* fcntl, ioctl, close, dup2/dup3, close_range: keep the table true. */
static long table_call(long nr, long a[6], uintptr_t site)
{
	long r;

	switch (nr) {
	case SYS_close:
		fs_fd_closed((int)a[0]);
		return call_real(nr, a);
	case SYS_close_range:
		if (!((unsigned)a[2] & CLOSE_RANGE_CLOEXEC_))
			fs_fd_closed_range((unsigned)a[0], (unsigned)a[1]);
		r = call_real(nr, a);
		if (r == 0 && ((unsigned)a[2] & CLOSE_RANGE_CLOEXEC_))
			fs_fd_set_by_program_range((unsigned)a[0], (unsigned)a[1]);
		return r;
	case SYS_fcntl: {
		int cmd = (int)a[1];
		int forced = (cmd == F_DUPFD && fs_forcing);
		if (forced)
			a[1] = cmd = F_DUPFD_CLOEXEC;
		r = call_real(nr, a);
		if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
			fs_fd_created((int)r, FS_ID_syscall, forced, site);
		else if (r >= 0 && cmd == F_SETFD)
			fs_fd_set_by_program((int)a[0], (a[2] & FD_CLOEXEC) != 0);
		return r;
	}
	case SYS_ioctl:
		r = call_real(nr, a);
		if (r == 0 && ((unsigned long)a[1] == FIOCLEX || (unsigned long)a[1] == FIONCLEX))
			fs_fd_set_by_program((int)a[0], (unsigned long)a[1] == FIOCLEX);
		return r;
#ifdef SYS_dup2
	case SYS_dup2:
#endif
	case SYS_dup3:
		if ((int)a[0] != (int)a[1])
			fs_fd_closed((int)a[1]);
		r = call_real(nr, a);
		if (r >= 0 && (int)a[0] != (int)a[1])
			fs_fd_created((int)r, FS_ID_syscall, 0, site);
		return r;
	}
	return call_real(nr, a);
}

static long exec_call(long nr, long a[6])
{
	int dirfd = (int)a[0];
	struct fs_newprog np = {
		.argv = (char *const *)(nr == SYS_execve ? a[1] : a[2]),
		.envp = (char *const *)(nr == SYS_execve ? a[2] : a[3]),
		.extra = nr == SYS_execveat ? &dirfd : NULL,
		.nextra = nr == SYS_execveat,
	};
	long r;
	int saved;

	fs_release_refs(&np, FS_REL_EXEC);
	r = call_real(nr, a);
	saved = errno;
	fs_restore_refs(&np, FS_REL_EXEC);
	errno = saved;
	return r;
}

static long openat2_call(long a[6], uintptr_t site)
{
	/* The caller's struct is const to the kernel: copy it to add the
	 * flag.  Sizes beyond this buffer are passed through unforced. */
	unsigned char how[256];
	size_t size = (size_t)a[3];
	struct fs_open_how_head head;
	int forced = 0;
	long r;

	if (fs_forcing && a[2] && size >= sizeof head && size <= sizeof how) {
		memcpy(how, (const void *)a[2], size);
		memcpy(&head, how, sizeof head);
		if (!(head.flags & O_CLOEXEC)) {
			head.flags |= O_CLOEXEC;
			memcpy(how, &head, sizeof head);
			a[2] = (long)how;
			forced = 1;
		}
	}
	r = call_real(SYS_openat2, a);
	if (r >= 0)
		fs_fd_created((int)r, FS_ID_syscall, forced, site);
	return r;
}

/* All six arguments are read, whatever the call takes, as glibc's own
 * syscall does (the kernel ignores the rest): the sixth comes from the
 * caller's stack, past what a caller of fewer arguments wrote there,
 * which AddressSanitizer would report. */
FS_NO_ASAN FS_EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	uintptr_t site = FS_SITE();
	struct cloexec_arg ca;
	int forced = 0;
	long r;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	fs_ensure_init();
	if (nr == SYS_execve || nr == SYS_execveat)
		return exec_call(nr, a);
#ifdef SYS_openat2
	if (nr == SYS_openat2)
		return openat2_call(a, site);
#endif
	if (fs_forcing)
		nr = upgrade(nr, a);
	ca = cloexec_arg_of(nr);
	if (ca.index < 0)
		return table_call(nr, a, site);
	/* int arguments arrive in a long whose upper half is undefined:
	 * compare them as int. */
	if (nr == SYS_signalfd4 && (int)a[0] != -1)
		return call_real(nr, a);
	if (fs_forcing && !(a[ca.index] & ca.flag)) {
		a[ca.index] |= ca.flag;
		forced = 1;
	}
	r = call_real(nr, a);
	if (r >= 0)
		record(nr, a, r, forced, site);
	if (r >= 0 && forced && (nr == SYS_recvmsg || nr == SYS_recvmmsg))
		fs_hide_cmsg_cloexec(nr == SYS_recvmsg ? (void *)a[1] : NULL,
				     nr == SYS_recvmmsg ? (void *)a[1] : NULL, (int)r);
	return r;
}

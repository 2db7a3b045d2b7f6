/* forksafe: calls that copy, close or change fds.  They keep the fd
 * table true: dup2/dup3 targets are the caller's choice (rule 2), and a
 * program that sets or clears FD_CLOEXEC itself has decided (rule 3). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436	/* the same on every architecture */
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* dup is fcntl(F_DUPFD, 0) (dup(2)); F_DUPFD_CLOEXEC adds the flag.
 * Where the module has raw system calls, the fcntl system call is made
 * directly: glibc's fcntl dispatches on the command first, which costs
 * more than the rest of this wrapper.  Neither is a cancellation point. */
/* The raw call's result when it is not a plain fd of the fast range: an
 * error (errno set here) or an fd that needs the slow path. */
__attribute__((noinline)) static int dup_result(long r, uint64_t forced, uintptr_t site)
{
	int fd = (int)fs_sys_result(r);
	return fd < 0 ? fd : fs_fd_made_slow(fd, FS_ID_dup, forced != 0, site);
}

FS_CORE int dup_core(int (*real)(int, int, ...), int oldfd, uintptr_t site)
{
	/* fs_forcing is 0 or ~0, and F_DUPFD is 0: masks, no branch. */
	_Static_assert(F_DUPFD == 0, "F_DUPFD_CLOEXEC is F_DUPFD with bits added");
	unsigned forcing = (unsigned)fs_forcing;
	int cmd = (int)(forcing & F_DUPFD_CLOEXEC);

	if (FS_HAVE_RAW) {
		/* No call on the fast path, so no stack frame: the error
		 * and the slow cases are dup_result's. */
		long r = fs_raw_syscall3(SYS_fcntl, oldfd, cmd, 0);
		/* An error (-4095..-1) is never in the fast range. */
		if (FS_UNLIKELY(!fs_fd_fast((int)r, __ATOMIC_ACQUIRE)))
			return dup_result(r, forcing & FS_META_FORCED, site ? site : FS_SITE());
		fs_fd_made_fast((int)r, FS_ID_dup, forcing & FS_META_FORCED);
		return (int)r;
	}
	return fs_fd_made(real(oldfd, cmd, 0), FS_ID_dup, forcing & FS_META_FORCED, site);
}

__attribute__((noinline)) static int dup_slow(int oldfd, uintptr_t site)
{
	fs_ensure_init();
	return dup_core(REAL(fcntl), oldfd, site);
}

FS_EXPORT int dup(int oldfd)
{
	if (FS_FAST(fcntl))
		return dup_core(fs_real.fcntl.fn, oldfd, 0);
	return dup_slow(oldfd, FS_SITE());
}

FS_EXPORT int dup2(int oldfd, int newfd)
{
	int (*real)(int, int) = REAL(dup2);
	int r;

	fs_ensure_init();
	if (oldfd != newfd)
		fs_fd_closed(newfd);
	r = real(oldfd, newfd);
	if (r >= 0 && oldfd != newfd)
		fs_fd_created(r, FS_ID_dup2, 0, FS_SITE());
	return r;
}

FS_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int (*real)(int, int, int) = REAL(dup3);
	int r;

	fs_ensure_init();
	r = real(oldfd, newfd, flags);
	if (r >= 0)
		fs_fd_created(r, FS_ID_dup3, 0, FS_SITE());
	return r;
}

/* One core for fcntl, fcntl64 and __fcntl.  The argument is read as a
 * pointer, as glibc reads it, and passed on unchanged. */
FS_CORE int fcntl_core(int (*real)(int, int, ...), int fd, int cmd, void *arg, uintptr_t site)
{
	int add = 0, r;

	fs_ensure_init();
	if (cmd == F_DUPFD && fs_forcing) {
		cmd = F_DUPFD_CLOEXEC;
		add = 1;
	}
	r = real(fd, cmd, arg);
	if (r < 0)
		return r;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		fs_fd_created(r, FS_ID_fcntl, add, site);
		break;
	case F_SETFD:
		fs_fd_set_by_program(fd, ((int)(intptr_t)arg & FD_CLOEXEC) != 0);
		break;
	case F_GETFL:
		/* The kernel keeps O_CLOEXEC in the status flags of a file
		 * made by ioctl(TIOCGPTPEER) (openpty, wrap_pty.c); where
		 * forksafe added it, the program must not see it. */
		if (FS_UNLIKELY(r & O_CLOEXEC)) {
			struct fs_fdent *e = fs_fd_entry(fd);
			if (e && (__atomic_load_n(&e->flags, __ATOMIC_RELAXED) & FS_FD_FORCED))
				r &= ~O_CLOEXEC;
		}
		break;
	}
	return r;
}

/* fcntl, fcntl64 (what fcntl becomes with _FILE_OFFSET_BITS=64) and
 * glibc's __fcntl alias: one body. */
#define FCNTL_WRAPPER(name) \
	FS_EXPORT int name(int fd, int cmd, ...) \
	{ \
		va_list ap; \
		va_start(ap, cmd); \
		void *arg = va_arg(ap, void *); \
		va_end(ap); \
		return fcntl_core(REAL(name), fd, cmd, arg, FS_SITE()); \
	}
FCNTL_WRAPPER(fcntl)
FCNTL_WRAPPER(fcntl64)
FCNTL_WRAPPER(__fcntl)

FS_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	int (*real)(int, unsigned long, ...) = REAL(ioctl);
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = real(fd, request, arg);
	if (FS_UNLIKELY(request == FIOCLEX || request == FIONCLEX) && r == 0)
		fs_fd_set_by_program(fd, request == FIOCLEX);
	return r;
}

/* The entry is cleared before the close: once the number is free another
 * thread may get it, and its new entry must not be wiped. */
__attribute__((noinline)) static int close_slow(int fd)
{
	fs_fd_closed(fd);
	return REAL(close)(fd);
}

/* Where close's fast path goes: close_first until REAL(close) is bound,
 * then the function bound, so that the fast path tests nothing but the
 * span.  Set at load (one relocation), so never NULL.  Binding close when
 * the first fd is made instead would cost a symbol lookup to every
 * program that makes fds but never calls close (ls, sed, sort...). */
static int close_first(int fd);
FS_START_DATA static int (*close_next)(int) = close_first;

/* The first closes of the fast range: close_slow's, then keeps the slot
 * once it is bound. */
static int close_first(int fd)
{
	int (*real)(int) = REAL(close);
	union { void *obj; int (*fn)(int); } bound = {
		.obj = __atomic_load_n(&fs_real.close.obj, __ATOMIC_ACQUIRE)
	};

	if (bound.obj)
		__atomic_store_n(&close_next, bound.fn, __ATOMIC_RELAXED);
	return real(fd);
}

/* The common case inline and frameless: an fd of the fast range; then a
 * tail call to libc's close. */
FS_EXPORT int close(int fd)
{
	if (FS_LIKELY(fs_fd_fast(fd, __ATOMIC_ACQUIRE))) {
		fs_fd_forget_fast(fd);
		return __atomic_load_n(&close_next, __ATOMIC_RELAXED)(fd);
	}
	return close_slow(fd);
}

FS_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int (*real)(unsigned int, unsigned int, int) = REAL(close_range);
	int r;

	if (!(flags & CLOSE_RANGE_CLOEXEC))
		fs_fd_closed_range(first, last);
	r = real(first, last, flags);
	if (r == 0 && (flags & CLOSE_RANGE_CLOEXEC))
		fs_fd_set_by_program_range(first, last);
	return r;
}

FS_EXPORT void closefrom(int lowfd)
{
	void (*real)(int) = REAL(closefrom);

	if (lowfd >= 0)
		fs_fd_closed_range((unsigned)lowfd, ~0u);
	real(lowfd);
}

/* ---- the fallbacks (core/real.h): the system calls themselves ---- */

static int fcntl_sys(int fd, int cmd, va_list ap)
{
	void *arg = va_arg(ap, void *);
	return (int)fs_sys_result(fs_raw_syscall(SYS_fcntl, fd, cmd, (long)arg, 0, 0, 0));
}

#define FCNTL_FALLBACK(name) \
	int FS_FALLBACK(name)(int fd, int cmd, ...) \
	{ \
		va_list ap; \
		va_start(ap, cmd); \
		int r = fcntl_sys(fd, cmd, ap); \
		va_end(ap); \
		return r; \
	}
FCNTL_FALLBACK(fcntl)
FCNTL_FALLBACK(fcntl64)
FCNTL_FALLBACK(__fcntl)

int FS_FALLBACK(ioctl)(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return (int)fs_sys_result(fs_raw_syscall(SYS_ioctl, fd, (long)request, (long)arg, 0, 0, 0));
}

int FS_FALLBACK(close)(int fd)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0));
}

int FS_FALLBACK(dup2)(int oldfd, int newfd)
{
	/* dup2 of an fd onto itself checks it and changes nothing. */
	if (oldfd == newfd)
		return (int)fs_sys_result(fs_raw_syscall(SYS_fcntl, oldfd, F_GETFD, 0, 0, 0, 0)) < 0
			       ? -1 : newfd;
	return (int)fs_sys_result(fs_raw_syscall(SYS_dup3, oldfd, newfd, 0, 0, 0, 0));
}

int FS_FALLBACK(dup3)(int oldfd, int newfd, int flags)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_dup3, oldfd, newfd, flags, 0, 0, 0));
}

int FS_FALLBACK(close_range)(unsigned int first, unsigned int last, int flags)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_close_range, first, last, flags, 0, 0, 0));
}

/* closefrom's, without the /proc scan glibc falls back to on kernels
 * before close_range (5.9). */
void FS_FALLBACK(closefrom)(int lowfd)
{
	int saved = errno;
	fs_raw_syscall(SYS_close_range, lowfd, ~0u, 0, 0, 0, 0);
	errno = saved;
}

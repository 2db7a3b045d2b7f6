/* forksafe: pipes and the Linux fd-returning calls, each with its own
 * close-on-exec flag. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/fanotify.h>
#include <sys/mount.h>

/* The new mount API's flags (glibc 2.36's sys/mount.h, linux/mount.h). */
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif

FS_CORE int pipe_core(int (*real)(int *, int), int fds[2], int flags, uintptr_t site)
{
	int add = fs_force(flags, O_CLOEXEC);
	int r = real(fds, flags | add);
	if (r == 0) {
		fs_fd_created(fds[0], FS_ID_pipe, add, site);
		fs_fd_created(fds[1], FS_ID_pipe, add, site);
		if (add)
			fs_inherit_note_pair(fds);
	}
	return r;
}

__attribute__((noinline)) static int pipe_slow(int fds[2], int flags, uintptr_t site)
{
	fs_ensure_init();
	return pipe_core(REAL(pipe2), fds, flags, site);
}

/* The fallback (core/real.h): the system call itself. */
int FS_FALLBACK(pipe2)(int fds[2], int flags)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_pipe2, (long)fds, flags, 0, 0, 0, 0));
}

FS_EXPORT int pipe(int fds[2])
{
	if (FS_FAST(pipe2))
		return pipe_core(fs_real.pipe2.fn, fds, 0, 0);
	return pipe_slow(fds, 0, FS_SITE());
}

FS_EXPORT int pipe2(int fds[2], int flags)
{
	if (FS_FAST(pipe2))
		return pipe_core(fs_real.pipe2.fn, fds, flags, 0);
	return pipe_slow(fds, flags, FS_SITE());
}

FS_CORE int epoll_core(int flags, uintptr_t site)
{
	int (*real)(int) = REAL(epoll_create1);
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, EPOLL_CLOEXEC);
	fd = real(flags | add);
	fs_fd_created(fd, FS_ID_epoll_create, add != 0, site);
	return fd;
}

/* epoll_create(size) is epoll_create1(0) once size is checked
 * (epoll_create(2): size must be positive, else EINVAL). */
FS_EXPORT int epoll_create(int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return epoll_core(0, FS_SITE());
}

FS_EXPORT int epoll_create1(int flags)
{
	return epoll_core(flags, FS_SITE());
}

/* signalfd creates an fd only when given -1; otherwise it changes the
 * mask of an existing one and its flags are left alone. */
FS_EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
	int (*real)(int, const sigset_t *, int) = REAL(signalfd);
	int add = 0, r;

	fs_ensure_init();
	if (fd == -1)
		add = fs_force(flags, SFD_CLOEXEC);
	r = real(fd, mask, flags | add);
	if (fd == -1)
		fs_fd_created(r, FS_ID_signalfd, add != 0, FS_SITE());
	return r;
}

FS_CORE int inotify_core(int flags, uintptr_t site)
{
	int (*real)(int) = REAL(inotify_init1);
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, IN_CLOEXEC);
	fd = real(flags | add);
	fs_fd_created(fd, FS_ID_inotify_init, add != 0, site);
	return fd;
}

/* inotify_init is inotify_init1(0) (inotify_init(2)). */
FS_EXPORT int inotify_init(void)
{
	return inotify_core(0, FS_SITE());
}

FS_EXPORT int inotify_init1(int flags)
{
	return inotify_core(flags, FS_SITE());
}

/* The calls that take their own close-on-exec flag in an argument named
 * flags: forced there, the fd recorded.  decl: the parameters; call: the
 * arguments to libc's, with flags | add in place of flags. */
#define FLAGGED(name, flag, decl, call) \
	FS_EXPORT int name decl \
	{ \
		int add, fd; \
		fs_ensure_init(); \
		add = fs_force((int)flags, flag); \
		fd = REAL(name) call; \
		fs_fd_created(fd, FS_ID_##name, add, FS_SITE()); \
		return fd; \
	}

FLAGGED(eventfd, EFD_CLOEXEC, (unsigned int initval, int flags), (initval, flags | add))
FLAGGED(timerfd_create, TFD_CLOEXEC, (int clockid, int flags), (clockid, flags | add))
FLAGGED(fanotify_init, FAN_CLOEXEC, (unsigned int flags, unsigned int event_f_flags),
	(flags | (unsigned)add, event_f_flags))
FLAGGED(memfd_create, MFD_CLOEXEC, (const char *name, unsigned int flags),
	(name, flags | (unsigned)add))
FLAGGED(fsopen, FSOPEN_CLOEXEC, (const char *fsname, unsigned int flags),
	(fsname, flags | (unsigned)add))
FLAGGED(fsmount, FSMOUNT_CLOEXEC, (int fsfd, unsigned int flags, unsigned int attr_flags),
	(fsfd, flags | (unsigned)add, attr_flags))
FLAGGED(open_tree, OPEN_TREE_CLOEXEC, (int dfd, const char *path, unsigned int flags),
	(dfd, path, flags | (unsigned)add))

/* forksafe: the open family.  One core per shape, shared by every
 * variant, so open, open64, __open, creat... cannot drift apart. */
#include "config.h"
#include "fs.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define READ_MODE(flags, last, mode) do { \
		if ((flags) & (O_CREAT | __O_TMPFILE)) { \
			va_list ap_; \
			va_start(ap_, last); \
			mode = (mode_t)va_arg(ap_, int); \
			va_end(ap_); \
		} \
	} while (0)

static int openat_core(openat_fn real_at, open_fn real, int dirfd, const char *path, int flags,
		       mode_t mode, unsigned origin, uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	if (real)
		fd = real(path, flags | add, mode);
	else if (real_at)
		fd = real_at(dirfd, path, flags | add, mode);
	else	/* called from inside dlsym: see real.c */
		fd = (int)fs_sys_result(fs_raw_syscall(SYS_openat, dirfd, (long)path, flags | add,
						       mode, 0, 0));
	fs_fd_created(fd, origin, add != 0, site);
	return fd;
}

FS_EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return openat_core(NULL, REAL(open), AT_FDCWD, path, flags, mode, FS_O_open, FS_SITE());
}

FS_EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return openat_core(NULL, REAL(open64), AT_FDCWD, path, flags, mode, FS_O_open, FS_SITE());
}

FS_EXPORT int __open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return openat_core(NULL, REAL(__open), AT_FDCWD, path, flags, mode, FS_O_open, FS_SITE());
}

FS_EXPORT int __open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return openat_core(NULL, REAL(__open64), AT_FDCWD, path, flags, mode, FS_O_open,
			   FS_SITE());
}

FS_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return openat_core(REAL(openat), NULL, dirfd, path, flags, mode, FS_O_openat, FS_SITE());
}

FS_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return openat_core(REAL(openat64), NULL, dirfd, path, flags, mode, FS_O_openat,
			   FS_SITE());
}

/* creat is open with these flags (POSIX), so the flag can be added. */
FS_EXPORT int creat(const char *path, mode_t mode)
{
	return openat_core(NULL, REAL(open), AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode,
			   FS_O_creat, FS_SITE());
}

FS_EXPORT int creat64(const char *path, mode_t mode)
{
	return openat_core(NULL, REAL(open64), AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode,
			   FS_O_creat, FS_SITE());
}

/* _FORTIFY_SOURCE's checked opens.  The real ones keep their check
 * (abort on O_CREAT without a mode), so they are called, not open. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static int open2_core(int (*real)(const char *, int), const char *path, int flags,
		      uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	if (real)
		fd = real(path, flags | add);
	else
		fd = (int)fs_sys_result(fs_raw_syscall(SYS_openat, AT_FDCWD, (long)path,
						       flags | add, 0, 0, 0));
	fs_fd_created(fd, FS_O_open, add != 0, site);
	return fd;
}

static int openat2_core(int (*real)(int, const char *, int), int dirfd, const char *path,
			int flags, uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	if (real)
		fd = real(dirfd, path, flags | add);
	else
		fd = (int)fs_sys_result(fs_raw_syscall(SYS_openat, dirfd, (long)path,
						       flags | add, 0, 0, 0));
	fs_fd_created(fd, FS_O_openat, add != 0, site);
	return fd;
}

FS_EXPORT int __open_2(const char *path, int flags)
{
	return open2_core(REAL(__open_2), path, flags, FS_SITE());
}

FS_EXPORT int __open64_2(const char *path, int flags)
{
	return open2_core(REAL(__open64_2), path, flags, FS_SITE());
}

FS_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat2_core(REAL(__openat_2), dirfd, path, flags, FS_SITE());
}

FS_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat2_core(REAL(__openat64_2), dirfd, path, flags, FS_SITE());
}

FS_EXPORT int open_by_handle_at(int mount_fd, struct file_handle *handle, int flags)
{
	int (*real)(int, struct file_handle *, int) = REAL(open_by_handle_at);
	int add, fd;

	fs_ensure_init();
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	add = fs_force(flags, O_CLOEXEC);
	fd = real(mount_fd, handle, flags | add);
	fs_fd_created(fd, FS_O_open_by_handle_at, add != 0, FS_SITE());
	return fd;
}

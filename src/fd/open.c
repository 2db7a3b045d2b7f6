/* forksafe: the open family.  One core per shape, shared by every
 * variant, so open, open64, __open, creat... cannot drift apart. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include <errno.h>
#define open fs_libc_open_decl
#define open64 fs_libc_open64_decl
#define openat fs_libc_openat_decl
#define openat64 fs_libc_openat64_decl
#include <fcntl.h>
#undef open
#undef open64
#undef openat
#undef openat64
#include <stdarg.h>
#include <sys/syscall.h>

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

/* The mode argument exists only with O_CREAT or O_TMPFILE.  On x86_64 and
 * aarch64 Linux a variadic argument travels exactly like a named one (in
 * the next argument register), so the wrappers take it as a named
 * parameter and skip the va_list prologue on every call, and pass it on
 * as it came: libc reads it only when one of those flags is set.
 * Elsewhere they read it with va_arg, only then. */
#if defined(__x86_64__) || defined(__aarch64__)
#define FS_OPEN_MODE_NAMED 1
#define OPEN_PARAMS(...) (__VA_ARGS__, mode_t mode_arg)
#define READ_MODE(flags, last, mode) (mode = mode_arg)
#else
#define OPEN_PARAMS(...) (__VA_ARGS__, ...)
#define READ_MODE(flags, last, mode) do { \
		if ((flags) & (O_CREAT | __O_TMPFILE)) { \
			va_list ap_; \
			va_start(ap_, last); \
			mode = (mode_t)va_arg(ap_, int); \
			va_end(ap_); \
		} \
	} while (0)
#endif

/* The fallbacks (core/real.h): the system call itself. */
static int open_sys(int dirfd, const char *path, int flags, mode_t mode)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_openat, dirfd, (long)path, flags, mode, 0, 0));
}

/* Their types are libc's, variadic (core/calls.h). */
#define VA_MODE(flags, mode) do { \
		if ((flags) & (O_CREAT | __O_TMPFILE)) { \
			va_list ap_; \
			va_start(ap_, flags); \
			mode = (mode_t)va_arg(ap_, int); \
			va_end(ap_); \
		} \
	} while (0)
#define OPEN_FALLBACK(name) \
	int FS_FALLBACK(name)(const char *path, int flags, ...) \
	{ \
		mode_t mode = 0; \
		VA_MODE(flags, mode); \
		return open_sys(AT_FDCWD, path, flags, mode); \
	}
#define OPENAT_FALLBACK(name) \
	int FS_FALLBACK(name)(int dirfd, const char *path, int flags, ...) \
	{ \
		mode_t mode = 0; \
		VA_MODE(flags, mode); \
		return open_sys(dirfd, path, flags, mode); \
	}
OPEN_FALLBACK(open)
OPEN_FALLBACK(open64)
OPEN_FALLBACK(__open)
OPEN_FALLBACK(__open64)
OPENAT_FALLBACK(openat)
OPENAT_FALLBACK(openat64)

int FS_FALLBACK(__open_2)(const char *path, int flags)
{
	return open_sys(AT_FDCWD, path, flags, 0);
}

int FS_FALLBACK(__open64_2)(const char *path, int flags)
{
	return open_sys(AT_FDCWD, path, flags, 0);
}

int FS_FALLBACK(__openat_2)(int dirfd, const char *path, int flags)
{
	return open_sys(dirfd, path, flags, 0);
}

int FS_FALLBACK(__openat64_2)(int dirfd, const char *path, int flags)
{
	return open_sys(dirfd, path, flags, 0);
}

int FS_FALLBACK(open_by_handle_at)(int mount_fd, struct file_handle *handle, int flags)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_open_by_handle_at, mount_fd, (long)handle,
						 flags, 0, 0, 0));
}

/* The common case: init done, the real function bound.  Everything else
 * goes through open_slow, out of line, so this path saves no more
 * registers than it needs. */
FS_CORE int open_fast(open_fn real, const char *path, int flags, mode_t mode, unsigned origin,
		      uintptr_t site)
{
	unsigned add = (unsigned)fs_force(flags, O_CLOEXEC);
	int fd = real(path, flags | (int)add, mode);
	return fs_fd_made(fd, origin, fs_forced_meta(add, O_CLOEXEC), site);
}

FS_CORE int openat_fast(openat_fn real, int dirfd, const char *path, int flags, mode_t mode,
			unsigned origin, uintptr_t site)
{
	unsigned add = (unsigned)fs_force(flags, O_CLOEXEC);
	int fd = real(dirfd, path, flags | (int)add, mode);
	return fs_fd_made(fd, origin, fs_forced_meta(add, O_CLOEXEC), site);
}

__attribute__((noinline)) static int open_slow(enum fs_call_id id, int dirfd, const char *path,
					       int flags, mode_t mode, unsigned origin,
					       uintptr_t site)
{
	union { void *obj; open_fn open; openat_fn openat; } real;

	fs_ensure_init();
	real.obj = fs_bind_get(id);
	if (id == FS_ID_openat || id == FS_ID_openat64)
		return openat_fast(real.openat, dirfd, path, flags, mode, origin, site);
	return open_fast(real.open, path, flags, mode, origin, site);
}

/* The fast path passes site 0: fs_fd_created finds it only if needed. */
#define OPEN(name, path, flags, mode, origin) ({ \
		union { void *obj; __typeof__(fs_real.name.fn) fn; } p_ = { \
			.obj = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE) }; \
		FS_LIKELY(p_.obj != NULL) \
			? open_fast(p_.fn, path, flags, mode, origin, 0) \
			: open_slow(FS_ID_##name, AT_FDCWD, path, flags, mode, origin, FS_SITE()); \
	})
#define OPENAT(name, dirfd, path, flags, mode, origin) ({ \
		union { void *obj; __typeof__(fs_real.name.fn) fn; } p_ = { \
			.obj = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE) }; \
		FS_LIKELY(p_.obj != NULL) \
			? openat_fast(p_.fn, dirfd, path, flags, mode, origin, 0) \
			: open_slow(FS_ID_##name, dirfd, path, flags, mode, origin, FS_SITE()); \
	})

FS_EXPORT int open OPEN_PARAMS(const char *path, int flags)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return OPEN(open, path, flags, mode, FS_ID_open);
}

FS_EXPORT int open64 OPEN_PARAMS(const char *path, int flags)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return OPEN(open64, path, flags, mode, FS_ID_open);
}

FS_EXPORT int __open OPEN_PARAMS(const char *path, int flags)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return OPEN(__open, path, flags, mode, FS_ID_open);
}

FS_EXPORT int __open64 OPEN_PARAMS(const char *path, int flags)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return OPEN(__open64, path, flags, mode, FS_ID_open);
}

FS_EXPORT int openat OPEN_PARAMS(int dirfd, const char *path, int flags)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return OPENAT(openat, dirfd, path, flags, mode, FS_ID_openat);
}

FS_EXPORT int openat64 OPEN_PARAMS(int dirfd, const char *path, int flags)
{
	mode_t mode = 0;
	READ_MODE(flags, flags, mode);
	return OPENAT(openat64, dirfd, path, flags, mode, FS_ID_openat);
}

/* creat is open with these flags (POSIX), so the flag can be added. */
FS_EXPORT int creat(const char *path, mode_t mode)
{
	return OPEN(open, path, O_CREAT | O_WRONLY | O_TRUNC, mode, FS_ID_creat);
}

FS_EXPORT int creat64(const char *path, mode_t mode)
{
	return OPEN(open64, path, O_CREAT | O_WRONLY | O_TRUNC, mode, FS_ID_creat);
}

/* _FORTIFY_SOURCE's checked opens.  The real ones keep their check
 * (abort on O_CREAT without a mode), so they are called, not open. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

FS_CORE int open2_core(int (*real)(const char *, int), const char *path, int flags,
		      uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	fd = real(path, flags | add);
	fs_fd_created(fd, FS_ID_open, add != 0, site);
	return fd;
}

FS_CORE int openat2_core(int (*real)(int, const char *, int), int dirfd, const char *path,
			int flags, uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	fd = real(dirfd, path, flags | add);
	fs_fd_created(fd, FS_ID_openat, add != 0, site);
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
	add = fs_force(flags, O_CLOEXEC);
	fd = real(mount_fd, handle, flags | add);
	fs_fd_created(fd, FS_ID_open_by_handle_at, add != 0, FS_SITE());
	return fd;
}

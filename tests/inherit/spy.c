/* Linked into tests/inherit/handover: forksafe's calls to fcntl go
 * through here (it binds the next fcntl after itself, and this library
 * comes before libc), so the program can count the times close-on-exec
 * was taken off an fd in the parent while it watches. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>

int spy_watching;
int spy_cleared;

static int forward(const char *name, int fd, int cmd, void *arg)
{
	int (*real)(int, int, ...) = (int (*)(int, int, ...))dlsym(RTLD_NEXT, name);
	if (spy_watching && cmd == F_SETFD && !((long)arg & FD_CLOEXEC))
		__atomic_add_fetch(&spy_cleared, 1, __ATOMIC_RELAXED);
	return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return forward("fcntl", fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return forward("fcntl64", fd, cmd, arg);
}

/* Fault injection for tests/core/faults.sh: preloaded in front of
 * forksafe, makes the mappings forksafe asks for fail with ENOMEM: the
 * fd table (MAP_NORESERVE) and the memory it shares with its children
 * (MAP_SHARED | MAP_ANONYMOUS).  Every other mapping goes through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if ((flags & MAP_NORESERVE) || ((flags & MAP_SHARED) && (flags & MAP_ANONYMOUS))) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

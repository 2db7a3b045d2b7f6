/* An allocator that, like jemalloc, initialises itself on its first
 * malloc with its lock held and opens a file there through
 * syscall(SYS_openat).  Linked into tests/core/allocmain, whose
 * libraries' constructors run before forksafe's: the first malloc (in
 * this library's constructor) reaches forksafe's syscall wrapper before
 * forksafe has initialised.  Anything forksafe does there that
 * allocates (glibc's backtrace loading its unwinder did) re-enters this
 * malloc with the lock held: this allocator then says so and exits 99
 * instead of hanging as jemalloc does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARENA ((size_t)256 << 20)
#define HEAD 16

static char *arena;
static size_t used;
static int lock_held, ready;

static void die(const char *m)
{
	if (write(2, m, strlen(m)) < 0) {
		/* exiting anyway */
	}
	_exit(99);
}

static void take(void)
{
	if (__atomic_exchange_n(&lock_held, 1, __ATOMIC_ACQUIRE))
		die("allocinit: malloc re-entered while its lock is held\n");
}

static void give(void)
{
	__atomic_store_n(&lock_held, 0, __ATOMIC_RELEASE);
}

static void first_use(void)
{
	long fd;

	arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		die("allocinit: mmap failed\n");
	fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY);
	if (fd < 0)
		die("allocinit: syscall(SYS_openat) failed\n");
	syscall(SYS_close, fd);
	ready = 1;
}

/* Blocks of any alignment up to 4096, the size kept before each. */
static void *alloc(size_t n, size_t align)
{
	char *p;

	take();
	if (!ready)
		first_use();
	used = (used + HEAD + align - 1) & ~(align - 1);
	if (used + n > ARENA) {
		give();
		errno = ENOMEM;
		return NULL;
	}
	p = arena + used;
	((size_t *)p)[-1] = n;
	used += n;
	give();
	return p;
}

void *malloc(size_t n)
{
	return alloc(n, 16);
}

void free(void *p)
{
	(void)p;
}

void *calloc(size_t a, size_t b)
{
	return alloc(a * b, 16);	/* fresh mmap'ed memory is zero */
}

void *realloc(void *p, size_t n)
{
	void *q = alloc(n, 16);
	if (q && p) {
		size_t old = ((size_t *)p)[-1];
		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

void *memalign(size_t align, size_t n)
{
	return alloc(n, align < 16 ? 16 : align);
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	return p ? ((size_t *)p)[-1] : 0;
}

__attribute__((constructor)) static void allocinit_constructor(void)
{
	void *volatile p = malloc(1);
	free(p);
}

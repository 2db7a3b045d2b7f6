/* forksafe: raw system calls, without libc.
 *
 * Used where a wrapper runs before its real function can be bound (a
 * wrapper called from inside dlsym: an allocator that opens files while
 * dlsym allocates), and on a few hot paths where glibc's function does
 * more than the system call.  x86_64 and aarch64 have the assembly
 * (FS_HAVE_RAW); elsewhere fs_raw_syscall reports ENOSYS and the callers
 * use libc instead. */
#ifndef FS_CORE_SYS_H
#define FS_CORE_SYS_H

#include <errno.h>

#if defined(__x86_64__)
#define FS_HAVE_RAW 1
static inline long fs_raw_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
/* The same with three arguments: nothing else to set up. */
static inline long fs_raw_syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define FS_HAVE_RAW 1
static inline long fs_raw_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
static inline long fs_raw_syscall3(long nr, long a, long b, long c)
{
	return fs_raw_syscall(nr, a, b, c, 0, 0, 0);
}
#else
#define FS_HAVE_RAW 0
static inline long fs_raw_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	(void)nr; (void)a; (void)b; (void)c; (void)d; (void)e; (void)f;
	return -ENOSYS;
}
static inline long fs_raw_syscall3(long nr, long a, long b, long c)
{
	(void)nr; (void)a; (void)b; (void)c;
	return -ENOSYS;
}
#endif

#endif

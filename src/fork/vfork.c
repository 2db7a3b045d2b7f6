/* forksafe: vfork.
 *
 * A vfork child runs in its parent's memory, on the calling thread's
 * stack and TLS, until it execs or exits, while the parent thread waits.
 * What it does to its fds (close, close_range, closefrom, dup2, fcntl
 * F_SETFD, ioctl FIONCLEX...) is its own, but the wrappers would record
 * it in the fd table, which is the parent's: a forced fd would lose its
 * mark while still close-on-exec in the kernel, and a later exec that
 * names it would not get it.  So the child is marked (fs_where_thread
 * FS_W_SHARED, on the thread it shares with its parent) before the
 * system call, every fd call takes the slow path while it runs
 * (fs_spawns_active), where the mark skips every table write, and the
 * parent drops the mark when vfork returns to it.
 *
 * vfork cannot be a C function: the child returns from it and runs on,
 * overwriting the frame the parent returns through.  As in glibc's
 * (sysdeps/unix/sysv/linux/x86_64/vfork.S), the wrapper keeps its
 * return address in a register across the system call (the kernel
 * gives the parent its registers back, whatever the child did), and the
 * previous mark too; the work before and after is C, called before the
 * return address is popped and tail-called after it is pushed back.
 *
 * Elsewhere (no such wrapper for the architecture) and with shadow
 * stacks on, vfork is a fork (POSIX allows it; a child that exec's or
 * _exit's cannot tell), decided like every fork (fs_fork_decide).
 *
 * Async-signal-safe: the child side allocates nothing and takes no
 * lock; the parent side runs before and after the child. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "fork/fork.h"
#include <errno.h>
#include <unistd.h>

#if FS_HAVE_VFORK
/* Before the system call, in the parent: the thread's previous mark
 * (>= 0), or -1 when the vfork is to be a fork. */
int fs_vfork_enter(void) FS_HIDDEN;
/* After it, in the parent: r is the system call's result. */
pid_t fs_vfork_leave(long r, unsigned prev) FS_HIDDEN;
/* The vfork that is a fork, tail-called: its caller is vfork's. */
pid_t fs_vfork_fork(void) FS_HIDDEN;

__asm__(
	".text\n"
	".globl vfork\n"
	".type vfork, @function\n"
	".p2align 4\n"
	"vfork:\n"
	"	.cfi_startproc\n"
	"	subq $8, %rsp\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	call fs_vfork_enter\n"
	"	addq $8, %rsp\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	testl %eax, %eax\n"
	"	js 2f\n"
	"	movl %eax, %esi\n"		/* the previous mark, for leave */
	"	popq %rdi\n"			/* the return address */
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_register %rip, %rdi\n"
	"	movl $58, %eax\n"		/* SYS_vfork */
	"	syscall\n"
	"	pushq %rdi\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %rip, 0\n"
	"	testq %rax, %rax\n"
	"	jz 1f\n"
	"	movq %rax, %rdi\n"
	"	jmp fs_vfork_leave\n"		/* the parent, or no child */
	"1:	ret\n"				/* the child, marked */
	"2:	jmp fs_vfork_fork\n"
	"	.cfi_endproc\n"
	".size vfork, .-vfork\n"
	".previous\n");

#if defined(FS_ASAN)
/* The child's frames poisoned and unpoisoned the shadow of the stack
 * below the parent's: AddressSanitizer's vfork support clears it. */
extern void __asan_handle_vfork(void *sp) __attribute__((weak));
#endif

int fs_vfork_enter(void)
{
	struct fs_fork_req q = { .via = "vfork", .kind = FS_FORK_VFORK };
	unsigned prev = fs_where_thread;

	fs_ensure_init();
	/* The child binds nothing: dlsym's lock may be another thread's. */
	fs_bind_all();
	if (fs_fork_decide(&q) != FS_FORK_DO_SHARED || fs_shadow_stack_on())
		return -1;
	/* Every fd call takes the slow path while the child runs, where
	 * the child is told apart (fs_fast_update). */
	__atomic_add_fetch(&fs_spawns_active, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fs_fast_span, 0, __ATOMIC_SEQ_CST);
	fs_where_thread = prev | FS_W_SHARED;
	return (int)prev;
}

pid_t fs_vfork_leave(long r, unsigned prev)
{
	fs_where_thread = prev;
	__atomic_sub_fetch(&fs_spawns_active, 1, __ATOMIC_SEQ_CST);
	fs_fast_update();
#if defined(FS_ASAN)
	if (__asan_handle_vfork)
		__asan_handle_vfork(__builtin_frame_address(0));
#endif
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}

pid_t fs_vfork_fork(void)
{
	return fs_fork_core(FS_SITE());
}

#else

FS_EXPORT pid_t vfork(void)
{
	return fs_fork_core(FS_SITE());
}

#endif

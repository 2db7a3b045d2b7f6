/* forksafe: a fork run as a vfork-style spawn (FORKSAFE_FORK=spawn, and
 * the sites auto mode redirects).
 *
 * The child runs in the parent's memory, on the calling thread's own
 * stack: clone(CLONE_VM | CLONE_VFORK) without a new stack.  So it
 * returns from fork through the same frames as a forked child would and
 * runs whatever the program does next, with no page table copied; the
 * calling thread waits until the child execs or exits, and the other
 * threads keep running, so no lock they hold is orphaned.
 *
 * The parent must find its stack as it left it.  Before the clone, the
 * live part of the calling thread's stack, from the stack pointer to the
 * top, is copied aside; once the child is gone, the parent copies it back
 * using registers only (the kernel keeps the parent's registers; the
 * stack memory is the child's until then), and returns the pid.  The
 * thread's static TLS (errno, the program's __thread variables), which
 * the child shares too, comes back as well: for a glibc thread it lies
 * between the stack and the thread pointer, so the top is the thread
 * pointer; the thread descriptor above it, which other threads write, is
 * left alone.  The main thread's TLS is elsewhere and copied apart.
 * All signals are blocked in the
 * parent across the clone, as glibc's posix_spawn does, so no handler
 * runs on a stack that is not the parent's yet; the child restores the
 * mask first thing.
 *
 * What the child changes elsewhere is guarded in spawnchild.c
 * (environment, exit, credentials); memory it writes through pointers is
 * shared, as with vfork: in spawn mode the user asserts the children exec.
 * A write another thread makes into the forking thread's stack while the
 * child runs (an object on main's stack that workers update) is undone
 * by the restore: such programs must not use spawn.
 *
 * x86_64 only; elsewhere, and where the stack cannot be found or saved,
 * the fork is a real one (said once in diagnostic mode). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/log.h"
#include "diag/diag.h"
#include "fork/fork.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct fs_spawn_child *fs_spawn_cur;

enum fallback {
	FB_ARCH, FB_NESTED, FB_STACK, FB_ALTSTACK, FB_SHSTK, FB_MEMORY, FB_TSAN, FB_COUNT
};

static const char *const fallback_text[FB_COUNT] = {
	[FB_ARCH] = "no vfork-style spawn on this architecture",
	[FB_NESTED] = "fork from inside a redirected child",
	[FB_STACK] = "the calling thread's stack cannot be found (/proc/self/maps)",
	[FB_ALTSTACK] = "fork on an alternate signal stack",
	[FB_SHSTK] = "shadow stack enabled",
	[FB_MEMORY] = "no memory to save the stack",
	[FB_TSAN] = "a ThreadSanitizer build (it cannot follow a child in its parent's memory)",
};

/* Each reason is said once per process, in diagnostic mode. */
static void fallback(enum fallback why, uintptr_t site)
{
	static int said[FB_COUNT];
	struct fs_event ev;

	if (!fs_cfg.diag || __atomic_exchange_n(&said[why], 1, __ATOMIC_RELAXED))
		return;
	fs_ev_begin(&ev, "spawn-fallback");
	fs_ev_str(&ev, "reason", fallback_text[why]);
	fs_ev_str(&ev, "action", "fork");
	fs_ev_caller(&ev, "caller", site);
	fs_ev_end(&ev);
}

#if defined(__x86_64__)

/* long fs_vfork_copy(uintptr_t top, void *save, size_t cap)
 *
 * Copies [rsp, top) to save, clones (CLONE_VM | CLONE_VFORK | SIGCHLD,
 * on the same stack) and returns 0 in the child.  In the parent, once
 * the child has exec'd or exited, copies save back over [rsp, top), with
 * nothing but registers, and returns the pid or -errno.  Returns -ENOBUFS
 * without cloning when [rsp, top) is larger than cap.  rbx, r12-r14 hold
 * save, length, start and the result: the kernel gives the parent its
 * own registers back, whatever the child did. */
__asm__(
	".text\n"
	".globl fs_vfork_copy\n"
	".hidden fs_vfork_copy\n"
	".type fs_vfork_copy, @function\n"
	".p2align 4\n"
	"fs_vfork_copy:\n"
	"	.cfi_startproc\n"
	"	pushq %rbx\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %rbx, 0\n"
	"	pushq %r12\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %r12, 0\n"
	"	pushq %r13\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %r13, 0\n"
	"	pushq %r14\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %r14, 0\n"
	"	movq %rdi, %rcx\n"
	"	subq %rsp, %rcx\n"
	"	cmpq %rdx, %rcx\n"
	"	ja 2f\n"
	"	movq %rsi, %rbx\n"
	"	movq %rcx, %r12\n"
	"	movq %rsp, %r13\n"
	"	movq %rsp, %rsi\n"
	"	movq %rbx, %rdi\n"
	"	cld\n"
	"	rep movsb\n"
	"	movl $56, %eax\n"		/* SYS_clone */
	"	movl $0x4111, %edi\n"		/* CLONE_VM | CLONE_VFORK | SIGCHLD */
	"	xorl %esi, %esi\n"		/* same stack */
	"	xorl %edx, %edx\n"
	"	xorl %r10d, %r10d\n"
	"	xorl %r8d, %r8d\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jz 1f\n"
	"	movq %rax, %r14\n"
	"	movq %r13, %rdi\n"
	"	movq %rbx, %rsi\n"
	"	movq %r12, %rcx\n"
	"	rep movsb\n"
	"	movq %r14, %rax\n"
	"	jmp 1f\n"
	"2:	movq $-105, %rax\n"		/* -ENOBUFS */
	"1:	popq %r14\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_restore %r14\n"
	"	popq %r13\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_restore %r13\n"
	"	popq %r12\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_restore %r12\n"
	"	popq %rbx\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_restore %rbx\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size fs_vfork_copy, .-fs_vfork_copy\n"
	".previous\n");

long fs_vfork_copy(uintptr_t top, void *save, size_t cap) __attribute__((visibility("hidden")));

#define HAVE_SPAWNFORK 1

static uintptr_t thread_pointer(void)
{
	uintptr_t tp;
	__asm__("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

/* Shadow stacks (CET) would need the child's shadow stack saved and
 * restored too, which user space cannot write: no spawn then. */
int fs_shadow_stack_on(void)
{
	static int state;	/* 0: not checked, 1: off, 2: on */
	unsigned long features = 0;
	int s = __atomic_load_n(&state, __ATOMIC_RELAXED);

	if (!s) {
		/* ARCH_SHSTK_STATUS (Linux 6.6); older kernels say EINVAL. */
		long r = fs_raw_syscall(SYS_arch_prctl, 0x5005, (long)&features, 0, 0, 0, 0);
		s = r == 0 && (features & 1) ? 2 : 1;
		__atomic_store_n(&state, s, __ATOMIC_RELAXED);
	}
	return s == 2;
}

#else
#define HAVE_SPAWNFORK 0
#endif

#if HAVE_SPAWNFORK
/* ---- the calling thread's stack ---- */

/* The mapping holding addr, from /proc/self/maps, read with system
 * calls only (no malloc: fork may be called anywhere).  Each line starts
 * "lo-hi "; only that part is parsed. */
static int mapping_of(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	char buf[2048];
	uintptr_t v[2] = { 0, 0 };
	int field = 0, found = -1;
	long fd = fs_raw_syscall(SYS_openat, AT_FDCWD, (long)"/proc/self/maps",
				 O_RDONLY | O_CLOEXEC, 0, 0, 0);
	long n;

	if (fd < 0)
		return -1;
	while (found < 0 && (n = fs_raw_syscall(SYS_read, fd, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
		for (long i = 0; i < n && found < 0; i++) {
			char c = buf[i];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (field < 2 && d >= 0) {
				v[field] = v[field] << 4 | (uintptr_t)d;
			} else if (field == 0 && c == '-') {
				field = 1;
			} else if (field == 1) {
				field = 2;
				if (v[0] <= addr && addr < v[1])
					found = 0;
			} else if (c == '\n') {
				field = 0;
				v[0] = v[1] = 0;
			}
		}
	}
	fs_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	*lo = v[0];
	*hi = v[1];
	return found;
}

/* Per thread: the mapping its stack is in, and the top to save up to. */
static __thread struct {
	uintptr_t lo, hi, top;
} stack_cache __attribute__((tls_model("initial-exec")));

/* A glibc thread's stack, static TLS and descriptor share one mapping,
 * the descriptor at the thread pointer and above: the top is the thread
 * pointer then.  The main thread's TLS is elsewhere: the top is the end
 * of its stack mapping (its arguments and environment strings). */
static uintptr_t stack_top(uintptr_t sp)
{
	uintptr_t lo, hi, tp;

	if (stack_cache.lo <= sp && sp < stack_cache.hi)
		return stack_cache.top;
	if (mapping_of(sp, &lo, &hi) < 0)
		return 0;
	tp = thread_pointer();
	stack_cache.top = tp > sp && tp <= hi ? tp : hi;
	stack_cache.lo = lo;
	stack_cache.hi = hi;
	return stack_cache.top;
}

/* Bytes of static TLS below the thread pointer.  glibc puts a thread's
 * static TLS right below it: dl_tls_static_size bytes, the descriptor
 * (struct pthread) above the thread pointer included (elf/dl-tls.c).
 * Both sizes come from glibc's private interface, which the sanitizers
 * (_dl_get_tls_static_info) and libthread_db (_thread_db_sizeof_pthread)
 * also use; 0 when either is missing: then only errno is kept. */
size_t fs_static_tls_size(void)
{
	static size_t size = 1;	/* 1: not looked up yet */
	size_t s = __atomic_load_n(&size, __ATOMIC_RELAXED), total = 0, align = 0;
	void (*info)(size_t *, size_t *);
	const uint32_t *descriptor;

	if (s != 1)
		return s;
	*(void **)&info = dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
	descriptor = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
	if (info && descriptor)
		info(&total, &align);
	s = total && total > *descriptor && total - *descriptor < ((size_t)1 << 20)
		    ? total - *descriptor : 0;
	__atomic_store_n(&size, s, __ATOMIC_RELAXED);
	return s;
}

static int on_alternate_stack(void)
{
	stack_t ss;
	return fs_raw_syscall(SYS_sigaltstack, 0, (long)&ss, 0, 0, 0, 0) == 0 &&
	       (ss.ss_flags & SS_ONSTACK);
}

#endif

#if !HAVE_SPAWNFORK
/* No spawn, so no watched child's sums need it (fork/childmem.c). */
size_t fs_static_tls_size(void)
{
	return 0;
}
#endif

/* ---- the save area ---- */

/* One mapping per spawn in flight: the child's record, then the stack
 * copy.  The last one freed is kept for the next spawn. */
struct save {
	size_t size;		/* of the mapping */
	struct fs_spawn_child child;
	char data[] __attribute__((aligned(64)));
};

#define SAVE_MAX ((size_t)256 << 20)
static struct save *spare;

static struct save *save_get(size_t need)
{
	struct save *s = __atomic_exchange_n(&spare, NULL, __ATOMIC_ACQUIRE);
	size_t size;

	if (s && s->size - sizeof *s >= need)
		return s;
	if (s)
		munmap(s, s->size);
	size = (sizeof *s + need + 0xffff) & ~(size_t)0xffff;
	s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	s->size = size;
	return s;
}

static void save_put(struct save *s)
{
	s = __atomic_exchange_n(&spare, s, __ATOMIC_ACQ_REL);
	if (s)
		munmap(s, s->size);
}

/* ---- the globals a child may assign ---- */

extern char **environ;

/* environ is referenced directly (the module reads it anyway); getopt's
 * four are found only when spawn or auto is on (fs_spawn_ready, a
 * constructor: dlsym outside any wrapper), so that the loader does not
 * look them up at start-up in every process.  Until then, and where one
 * is not found, its slot is NULL and skipped: a child assigning it is
 * then seen by auto as a memory write (a veto), not put back. */
#define KEPT 5
static const char kept_name[KEPT][8] = { "environ", "optarg", "optind", "opterr", "optopt" };
static void *kept_addr[KEPT];	/* [0]: environ, never read */
static const size_t kept_size[KEPT] = {
	sizeof(char **), sizeof(char *), sizeof(int), sizeof(int), sizeof(int),
};

__attribute__((constructor)) static void fs_spawn_ready(void)
{
	fs_ensure_init();
	if (!fs_ready || (fs_cfg.fork_mode != FS_FORK_SPAWN && fs_cfg.fork_mode != FS_FORK_AUTO))
		return;
	for (int i = 1; i < KEPT; i++)
		__atomic_store_n(&kept_addr[i], dlsym(RTLD_DEFAULT, kept_name[i]), __ATOMIC_RELEASE);
}

static void *kept_at(int i)
{
	return i == 0 ? (void *)&environ : __atomic_load_n(&kept_addr[i], __ATOMIC_ACQUIRE);
}

int fs_kept_global(unsigned i, struct fs_kept *k)
{
	if (i >= KEPT)
		return 0;
	k->addr = (uintptr_t)kept_at((int)i);
	k->size = k->addr ? kept_size[i] : 0;
	return 1;
}

struct kept_copy {
	char v[KEPT][sizeof(void *)];
};

static void kept_save(struct kept_copy *c)
{
	for (int i = 0; i < KEPT; i++)
		if (kept_at(i))
			memcpy(c->v[i], kept_at(i), kept_size[i]);
}

/* Puts back what the child assigned; nonzero when it had assigned
 * environ.  environ is put back only when it is what the child left
 * (another thread's setenv may have replaced the array meanwhile, and
 * the one saved may be freed then). */
static int kept_restore(const struct kept_copy *c, const struct fs_spawn_child *child)
{
	char **now = environ, **was;
	int env;

	memcpy(&was, c->v[0], sizeof was);
	env = now != was && (!child->execd || child->environ_at_exec == now);
	if (env)
		environ = was;
	for (int i = 1; i < KEPT; i++)
		if (kept_at(i))
			memcpy(kept_at(i), c->v[i], kept_size[i]);
	return env;
}

static void environ_assigned(uintptr_t site);

/* ---- parent and child ---- */

static void report_spawn(uintptr_t site, pid_t pid)
{
	struct fs_event ev;

	fs_ev_begin(&ev, "spawn");
	fs_ev_int(&ev, "child", pid);
	fs_ev_str(&ev, "mode", fs_cfg.fork_mode == FS_FORK_AUTO ? "auto" : "spawn");
	fs_ev_caller(&ev, "caller", site);
	fs_ev_backtrace(&ev, site);
	fs_ev_end(&ev);
}

/* The memory the child took for itself (its environment). */
static void free_child_memory(struct fs_spawn_child *c)
{
	struct fs_spawn_chunk *k = c->chunks, *next;

	for (; k; k = next) {
		next = k->next;
		munmap(k, k->size);
	}
}

static long sigmask_set(const uint64_t *set, uint64_t *old)
{
	return fs_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)set, (long)old, 8, 0, 0);
}

/* What to save: the stack up to top, and the static TLS when it is
 * not part of that (the main thread's). */
struct plan {
	uintptr_t top;
	char *tls;
	size_t tls_len, stack_cap;
	char *shadow;		/* AddressSanitizer's shadow of the stack copied, or NULL */
	size_t shadow_len;
};

/* Under AddressSanitizer (the sanitizer runs of the test suite), the
 * child's frames poison and unpoison the shadow bytes of the stack it
 * shares with its parent: they are saved and put back with the stack,
 * or the parent's own frames would look corrupted to it.  The shadow of
 * addr is at (addr >> 3) + 0x7fff8000 on x86_64 Linux. */
#if defined(FS_ASAN)
#define NO_ASAN __attribute__((no_sanitize_address, noinline))
#else
#define NO_ASAN
#endif

#if defined(FS_ASAN)
/* The child also ran below the window saved: AddressSanitizer's own
 * vfork support clears the shadow of the stack below a given point. */
extern void __asan_handle_vfork(void *sp) __attribute__((weak));
#endif

/* Bytes one at a time through volatile pointers: no memcpy call, which a
 * sanitizer would check against the shadow of the shadow. */
static NO_ASAN void copy_bytes(volatile char *d, const volatile char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = src[i];
}

static int plan_stack(struct plan *p, uintptr_t sp)
{
#if HAVE_SPAWNFORK
	uintptr_t tp = thread_pointer();
	size_t tls = fs_static_tls_size();

	if (!(p->top = stack_top(sp)))
		return -1;
	p->tls = NULL;
	p->tls_len = 0;
	if (p->top != tp && tls && tp > tls) {
		p->tls = (char *)(tp - tls);
		p->tls_len = tls;
	}
	/* The copy starts a few frames below this one: 4 KiB of room. */
	p->stack_cap = p->top - sp + 4096;
	p->shadow = NULL;
	p->shadow_len = 0;
#if defined(FS_ASAN) && defined(__x86_64__)
	p->shadow = (char *)(((sp - 4096) >> 3) + 0x7fff8000);
	p->shadow_len = (((p->top + 7) >> 3) + 0x7fff8000) - (uintptr_t)p->shadow;
#endif
	return 0;
#else
	(void)p;
	(void)sp;
	return -1;
#endif
}

int fs_spawn_possible(uintptr_t site, int threads)
{
	enum fallback why = HAVE_SPAWNFORK ? FB_COUNT : FB_ARCH;

#if defined(FS_TSAN)
	/* ThreadSanitizer keeps per-thread state that a child running on
	 * its parent's stack, in its memory, would corrupt. */
	why = FB_TSAN;
#endif
#if HAVE_SPAWNFORK
	if (why == FB_COUNT && fs_shadow_stack_on())
		why = FB_SHSTK;
#endif
	if (why == FB_COUNT)
		return 1;
	if (threads > 1)
		fallback(why, site);
	return 0;
}

/* Finds and checks the stack and takes a save area; NULL where a spawn
 * cannot be done (said once). */
static struct save *prepare(uintptr_t site, struct plan *p)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct save *s;

	/* What the process cannot do (decide() asked already: a few loads). */
	if (!fs_spawn_possible(site, 2))
		return NULL;
	if (fs_where_thread) {
		fallback(FB_NESTED, site);
		return NULL;
	}
#if HAVE_SPAWNFORK
	if (on_alternate_stack()) {
		fallback(FB_ALTSTACK, site);
		return NULL;
	}
#endif
	if (plan_stack(p, sp) < 0) {
		fallback(FB_STACK, site);
		return NULL;
	}
	if (p->stack_cap > SAVE_MAX || !(s = save_get(p->stack_cap + p->tls_len + p->shadow_len))) {
		fallback(FB_MEMORY, site);
		return NULL;
	}
	memset(&s->child, 0, sizeof s->child);
	s->child.site = site;
	return s;
}

/* The clone itself, and the parent's return to what it was.  The TLS
 * copy is made first: the child may change it as soon as it runs. */
static NO_ASAN long vfork_copy(struct save *s, const struct plan *p)
{
	long r = -ENOSYS;
	size_t cap = s->size - sizeof *s - p->tls_len - p->shadow_len;
	char *tls_copy = s->data + cap, *shadow_copy = tls_copy + p->tls_len;

	if (p->tls_len)
		copy_bytes(tls_copy, p->tls, p->tls_len);
	if (p->shadow_len)
		copy_bytes(shadow_copy, p->shadow, p->shadow_len);
#if HAVE_SPAWNFORK
	r = fs_vfork_copy(p->top, s->data, cap);
#endif
	if (r != 0 && p->shadow_len)
		copy_bytes(p->shadow, shadow_copy, p->shadow_len);
#if defined(FS_ASAN)
	if (r != 0 && __asan_handle_vfork)
		__asan_handle_vfork(__builtin_frame_address(0));
#endif
	if (r != 0 && p->tls_len)
		copy_bytes(p->tls, tls_copy, p->tls_len);
	return r;
}

NO_ASAN pid_t fs_spawnfork(uintptr_t site, int *done)
{
	uint64_t all = ~(uint64_t)0, old;
	int saved_errno = errno;
	struct kept_copy kept;
	struct plan plan;
	struct save *s;
	long r;

	*done = 0;
	if (!(s = prepare(site, &plan)))
		return -1;
	fs_bind_all();
	*done = 1;	/* in the stack copy: true in the parent and the child */
	/* Every fd call takes the slow path while the child runs, where the
	 * child is told apart (fs.h, fs_fast_update). */
	__atomic_add_fetch(&fs_spawns_active, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fs_fast_span, 0, __ATOMIC_SEQ_CST);
	kept_save(&kept);
	sigmask_set(&all, &old);
	r = vfork_copy(s, &plan);
	if (r == 0) {
		fs_spawn_cur = &s->child;
		fs_where_thread = FS_W_SHARED | FS_W_REDIRECTED;
		sigmask_set(&old, NULL);
		errno = saved_errno;
		return 0;
	}
	if (r > 0 && kept_restore(&kept, &s->child))
		environ_assigned(site);
	sigmask_set(&old, NULL);
	fs_spawn_cur = NULL;
	fs_where_thread = 0;
	__atomic_sub_fetch(&fs_spawns_active, 1, __ATOMIC_SEQ_CST);
	fs_fast_update();
	free_child_memory(&s->child);
	save_put(s);
	if (r == -ENOBUFS) {
		*done = 0;
		fallback(FB_MEMORY, site);
		errno = saved_errno;
		return -1;
	}
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	if (FS_UNLIKELY(fs_cfg.diag))
		report_spawn(site, (pid_t)r);
	errno = saved_errno;
	return (pid_t)r;
}

/* A real fork from a child in its parent's memory: the new process has
 * memory of its own, so a redirected child's environment becomes simply
 * its environment. */
void fs_spawnfork_real_child(uintptr_t site)
{
	extern char **environ;
	struct fs_spawn_child *c = fs_spawn_cur;

	if (FS_UNLIKELY(c != NULL) && c->env)
		environ = c->env;
	fs_spawn_cur = NULL;
	fs_where_thread = 0;
	if (fs_learning())
		fs_auto_child_forked(site);
}

/* ---- what a spawn cannot serve (spawn mode) ---- */

/* Sites whose redirected child did what only a process of its own may
 * do: their forks are real from then on.  Written by the child (in its
 * parent's memory, lock-free) or by the parent once the child is gone. */
#define UNSAFE_SITES 64
static uintptr_t unsafe_sites[UNSAFE_SITES];

int fs_spawn_site_ok(uintptr_t site)
{
	for (int i = 0; i < UNSAFE_SITES; i++) {
		uintptr_t s = __atomic_load_n(&unsafe_sites[i], __ATOMIC_ACQUIRE);
		if (s == site)
			return 0;
		if (!s)
			return 1;
	}
	return 1;
}

/* Once per site: the site's forks real from then on, and reported in
 * diagnostic mode (spawn mode acts; it speaks only there). */
static void site_unsafe(uintptr_t site, const char *what, const char *action)
{
	struct fs_event ev;
	int i;

	for (i = 0; i < UNSAFE_SITES; i++) {
		uintptr_t none = 0;
		if (__atomic_compare_exchange_n(&unsafe_sites[i], &none, site, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			break;
		if (none == site)
			return;
	}
	if (!fs_cfg.diag)
		return;
	fs_ev_begin(&ev, "spawn-unsafe");
	fs_ev_str(&ev, "call", what);
	fs_ev_str(&ev, "action", action);
	fs_ev_caller(&ev, "fork_caller", site);
	fs_ev_end(&ev);
}

/* The child assigned environ: put back, and said once per process in
 * spawn mode in diagnostic mode (auto mode learned that the site's
 * children do it and counts on the restore). */
static void environ_assigned(uintptr_t site)
{
	static int said;
	struct fs_event ev;

	if (fs_cfg.fork_mode != FS_FORK_SPAWN || !fs_cfg.diag ||
	    __atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		return;
	fs_ev_begin(&ev, "spawn-unsafe");
	fs_ev_str(&ev, "call", "environ assignment");
	fs_ev_str(&ev, "action", "environ put back in the parent");
	fs_ev_caller(&ev, "fork_caller", site);
	fs_ev_end(&ev);
}

void fs_spawn_child_unsafe(const char *what)
{
	struct fs_spawn_child *c = fs_spawn_cur;

	if (c)
		site_unsafe(c->site, what, "the site forks from now on");
}

/* forksafe: what forksafe knows about each fd number.
 *
 * One entry and one call site per fd number (fdtable.h shows how they
 * are laid out), in an anonymous mapping reserved when the first fd is
 * recorded, for the hard fd limit (MAP_NORESERVE: only the pages of fd
 * numbers in use are ever touched).  A process may raise its limit later (a daemon
 * started with a low one): fds beyond the mapping get entries in chunks
 * mapped when the first fd of a chunk is made, so no fd number, up to
 * the kernel's maximum, goes unrecorded.  Every update is O(1) and
 * lock-free: the thread that creates or closes an fd owns its entry for
 * that moment, as it owns the number.  Safe in signal handlers and in a
 * child after fork (the child gets a copy).  What the entries mean for
 * where an fd may go is core/inherit.c's. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

FS_START_DATA struct fs_fdent *fs_table;
FS_START_DATA int fs_table_hwm;

/* The chunks beyond the first mapping: fd cap + i * CHUNK + j is entry j
 * of chunk i, its site word the (j + 1)th below the entries.  Enough
 * chunks for every fd Linux allows (fs.nr_open is at most 2^30 on 64-bit
 * systems, less on 32-bit ones). */
#define CHUNK_SHIFT 20
#define CHUNK ((size_t)1 << CHUNK_SHIFT)
#define CHUNKS ((((size_t)1 << 30) >> CHUNK_SHIFT) + 1)
#define CHUNK_SITES (CHUNK * sizeof(uintptr_t))	/* bytes below a chunk's entries */
#define CHUNK_BYTES (CHUNK_SITES + CHUNK * sizeof(struct fs_fdent))
static struct fs_fdent *high[CHUNKS];

/* fd's chunk (*j: its index there), mapped now when make; NULL when fd
 * is not beyond the first mapping or the chunk is not mapped. */
static struct fs_fdent *chunk_of(int fd, int make, size_t *j)
{
	struct fs_fdent *t = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE), *c, *none = NULL;
	size_t cap = fs_table_cap_of(t);
	size_t i = ((size_t)fd - cap) >> CHUNK_SHIFT;
	void *p;

	*j = ((size_t)fd - cap) & (CHUNK - 1);
	/* No table yet: chunks are counted from its end, still unknown. */
	if (!t || fd < 0 || (size_t)fd < cap || i >= CHUNKS)
		return NULL;
	c = __atomic_load_n(&high[i], __ATOMIC_ACQUIRE);
	if (c || !make)
		return c;
	p = mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	c = (struct fs_fdent *)((char *)p + CHUNK_SITES);
	if (!__atomic_compare_exchange_n(&high[i], &none, c, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		munmap(p, CHUNK_BYTES);
		c = none;
	}
	return c;
}

struct fs_fdent *fs_fd_entry_high(int fd, int make)
{
	size_t j;
	struct fs_fdent *c = chunk_of(fd, make, &j);
	return c ? &c[j] : NULL;
}

uintptr_t *fs_fd_site_high(int fd)
{
	size_t j;
	struct fs_fdent *c = chunk_of(fd, 0, &j);
	return c ? (uintptr_t *)c - 1 - j : NULL;
}

/* hwm is only set once the table is mapped, so fs_table is valid for
 * every fd below it. */
/* A thread raising the limit may race with one starting a redirected
 * child (spawnfork.c: count up, then span 0): each stores, then the
 * raiser looks at the count again, all sequentially consistent, so one
 * of the two always sees the other and the span ends at 0. */
void fs_fast_update(void)
{
	unsigned hwm = (unsigned)__atomic_load_n(&fs_table_hwm, __ATOMIC_ACQUIRE);
	unsigned cap = fs_table_cap();
	unsigned lim = 3;

	if (hwm > cap)	/* the fast path's entries are the first mapping's */
		hwm = cap;
	if (__atomic_load_n(&fs_table, __ATOMIC_ACQUIRE) && !(fs_where & FS_W_SETUP) && !fs_cfg.keep.n &&
	    !fs_cfg.diag &&
	    hwm > 3 && !__atomic_load_n(&fs_spawns_active, __ATOMIC_SEQ_CST))
		lim = hwm;
	__atomic_store_n(&fs_fast_span, lim - 3, __ATOMIC_SEQ_CST);
	if (lim != 3 && __atomic_load_n(&fs_spawns_active, __ATOMIC_SEQ_CST))
		__atomic_store_n(&fs_fast_span, 0, __ATOMIC_SEQ_CST);
}

void fs_fd_closed_slow(int fd)
{
	struct fs_fdent *e;

	if (fs_where_thread ||
	    (unsigned)fd >= (unsigned)__atomic_load_n(&fs_table_hwm, __ATOMIC_ACQUIRE) ||
	    !(e = fs_fd_entry(fd)))
		return;
	__atomic_store_n(&e->flags, 0, __ATOMIC_RELEASE);
}

/* getrlimit as a system call where the module has them: the first call
 * of a libc function costs a symbol lookup, more than the call itself. */
static int hard_fd_limit(struct rlimit *rl)
{
	if (FS_HAVE_RAW)
		return (int)fs_sys_result(fs_raw_syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, 0,
							 (long)rl, 0, 0));
	return getrlimit(RLIMIT_NOFILE, rl);
}


/* The bytes of the first mapping below fs_table: the capacity word and
 * cap site words, and as many more as put fs_table in the middle of a
 * page (fdtable.h). */
#define PAGE ((size_t)4096)
static size_t table_below(size_t cap)
{
	size_t below = (cap + 1) * sizeof(uintptr_t);
	return ((below + PAGE / 2 + PAGE - 1) & ~(PAGE - 1)) - PAGE / 2;
}

static size_t table_bytes(size_t cap)
{
	return table_below(cap) + cap * sizeof(struct fs_fdent);
}

/* Sized for the hard fd limit (the soft one may be raised up to it),
 * within [64 Ki, 4 Mi] entries; halved until the mapping succeeds. */
int fs_fdtable_init(void)
{
	struct rlimit rl;
	size_t cap = 1u << 20;
	void *p;

	if (__atomic_load_n(&fs_table, __ATOMIC_ACQUIRE))
		return 0;
	if (hard_fd_limit(&rl) == 0 && rl.rlim_max != RLIM_INFINITY)
		cap = rl.rlim_max;
	if (cap < (1u << 16))
		cap = 1u << 16;
	if (cap > (1u << 22))
		cap = 1u << 22;
	while ((p = mmap(NULL, table_bytes(cap), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)) == MAP_FAILED &&
	       cap > 1024)
		cap /= 2;
	if (p == MAP_FAILED)
		return -1;
	struct fs_fdent *t = (struct fs_fdent *)((char *)p + table_below(cap));
	((uintptr_t *)t)[-1] = cap;	/* fs_table_cap_of */
	/* Two threads making their first fds at once each map one; the
	 * first published wins, with the capacity it carries. */
	struct fs_fdent *expected = NULL;
	if (!__atomic_compare_exchange_n(&fs_table, &expected, t, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		munmap(p, table_bytes(cap));
	return 0;
}

/* The table is mapped when the first fd is recorded, not at start-up: a
 * process that never makes an fd (most short commands only inherit
 * theirs) never pays for the mapping.  When it cannot be mapped, nothing
 * is forced from then on, and the program is told once.  Until it is
 * mapped fs_fast_span is 0, so every fd made takes the slow path and
 * gets here.  Async-signal-safe: mmap is a system call. */
FS_START_DATA static int table_failed;

int fs_fdtable_failed(void)
{
	return __atomic_load_n(&table_failed, __ATOMIC_RELAXED);
}

static void table_first(void)
{
	int saved = errno;	/* a failed mmap sets it: the wrapper's call succeeded */

	if (!fs_fdtable_failed() && fs_fdtable_init() < 0 &&
	    !__atomic_exchange_n(&table_failed, 1, __ATOMIC_ACQ_REL)) {
		__atomic_store_n(&fs_forcing, 0, __ATOMIC_RELEASE);
		if (fs_cfg.cloexec == FS_CLOEXEC_FORCE && !fs_cfg.shell)
			fs_msg("config", "cannot map the fd table; new fds are not forced close-on-exec");
	}
	errno = saved;
}

/* Makes fd inheritable again: the program alone would have had it so.
 * Used where a rule says forksafe must not force this fd. */
static void unforce(int fd)
{
	int saved = errno;
	REAL(fcntl)(fd, F_SETFD, 0);
	errno = saved;
}

void fs_fd_created_slow(int fd, unsigned origin, int forced, uintptr_t site)
{
	struct fs_fdent *e;
	int hwm;

	if (fd < 0)
		return;
	/* A redirected child: its fds are its own, the table its parent's.
	 * Nothing is forced in a child before exec (rule 4): what forksafe
	 * added comes off again, on the child's own fd (it has one thread:
	 * no race). */
	if (FS_UNLIKELY(fs_where_thread)) {
		if (forced)
			fs_raw_syscall(SYS_fcntl, fd, F_SETFD, 0, 0, 0, 0);
		return;
	}
	if (FS_UNLIKELY(!__atomic_load_n(&fs_table, __ATOMIC_ACQUIRE)))
		table_first();
	e = fs_fd_entry(fd);
	if (!e)
		e = fs_fd_entry_high(fd, 1);
	if (forced && (!e || fs_inherit_exempt(fd))) {
		unforce(fd);
		forced = 0;
	}
	if (!e)
		return;
	{
		struct fs_fdent n = {
			.origin = (uint16_t)origin,
			.flags = (uint8_t)(FS_FD_KNOWN | (forced ? FS_FD_FORCED : 0) |
					   (fs_where & FS_W_SETUP ? FS_FD_CHILD : 0)),
		};
		__atomic_store_n(fs_fd_site_word(fd), site, __ATOMIC_RELAXED);
		__atomic_store_n(&e->meta, n.meta, __ATOMIC_RELEASE);
	}
	hwm = __atomic_load_n(&fs_table_hwm, __ATOMIC_RELAXED);
	while (fd >= hwm &&
	       !__atomic_compare_exchange_n(&fs_table_hwm, &hwm, fd + 1, 1, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
	if (fd >= hwm)
		fs_fast_update();
}

int fs_fd_made_slow(int fd, unsigned origin, int forced, uintptr_t site)
{
	fs_fd_created_slow(fd, origin, forced, site);
	return fd;
}

/* Calls fn for each fd of [first, last] that may have an entry: below
 * the highest recorded, and in the first mapping or a mapped chunk. */
static void each_entry(unsigned first, unsigned last, void (*fn)(int fd))
{
	unsigned hwm = (unsigned)fs_fd_limit(), cap = fs_table_cap();

	if (last >= hwm)
		last = hwm - 1;	/* hwm 0: last becomes UINT_MAX, first > hwm ends it */
	for (unsigned fd = first; fd <= last && fd < hwm; fd++) {
		if (fd >= cap && !fs_fd_entry_high((int)fd, 0)) {
			/* to the next chunk */
			fd = cap + ((fd - cap) | (unsigned)(CHUNK - 1));
			if (fd >= last)
				break;
			continue;
		}
		fn((int)fd);
	}
}

static void forget(int fd)
{
	fs_fd_closed(fd);
}

void fs_fd_closed_range(unsigned first, unsigned last)
{
	if (!fs_where_thread)
		each_entry(first, last, forget);
}

void fs_fd_set_by_program(int fd, int cloexec)
{
	struct fs_fdent *e = fs_fd_entry(fd);
	if (!e || fs_where_thread)
		return;
	uint8_t f = __atomic_load_n(&e->flags, __ATOMIC_RELAXED);
	f = (uint8_t)((f & FS_FD_KNOWN) | (cloexec ? 0 : FS_FD_EXPLICIT));
	__atomic_store_n(&e->flags, f, __ATOMIC_RELEASE);
}

static void set_cloexec(int fd)
{
	fs_fd_set_by_program(fd, 1);
}

void fs_fd_set_by_program_range(unsigned first, unsigned last)
{
	each_entry(first, last, set_cloexec);
}

int fs_fdtable_mapping(uintptr_t lo, uintptr_t hi)
{
	struct fs_fdent *table = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE);
	size_t cap = fs_table_cap_of(table);
	uintptr_t t = (uintptr_t)table;

	/* the mapping begins below the sites */
	if (t && lo < t + cap * sizeof *table && t - table_below(cap) < hi)
		return 1;
	for (size_t i = 0; i < CHUNKS; i++) {
		uintptr_t c = (uintptr_t)__atomic_load_n(&high[i], __ATOMIC_ACQUIRE);
		if (c && lo < c + CHUNK * sizeof *table && c - CHUNK_SITES < hi)
			return 1;
	}
	return 0;
}

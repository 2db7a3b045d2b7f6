/* forksafe: what forksafe knows about each fd number.
 *
 * One entry per fd number, in an anonymous mapping reserved at start-up
 * (MAP_NORESERVE: only the pages of fd numbers in use are ever touched).
 * Every update is O(1) and lock-free: the thread that creates or closes
 * an fd owns its entry for that moment, as it owns the number.  Safe in
 * signal handlers and in a child after fork (the child gets a copy). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

struct fs_fdent *fs_table;
int fs_table_cap;
int fs_table_hwm;

/* hwm is only set once the table is mapped, so fs_table is valid for
 * every fd below it. */
/* A thread raising the limit may race with one starting a redirected
 * child (spawnfork.c: count up, then limit 3): each stores, then the
 * raiser looks at the count again, all sequentially consistent, so one
 * of the two always sees the other and the limit ends at 3. */
void fs_fast_update(void)
{
	unsigned hwm = (unsigned)__atomic_load_n(&fs_table_hwm, __ATOMIC_ACQUIRE);
	unsigned lim = 3;
	if (__atomic_load_n(&fs_table, __ATOMIC_ACQUIRE) && !fs_child_mode && !fs_cfg.keep.n &&
	    !fs_cfg.diag &&
	    hwm > 3 && !__atomic_load_n(&fs_spawns_active, __ATOMIC_SEQ_CST))
		lim = hwm;
	__atomic_store_n(&fs_fast_limit, lim, __ATOMIC_SEQ_CST);
	if (lim != 3 && __atomic_load_n(&fs_spawns_active, __ATOMIC_SEQ_CST))
		__atomic_store_n(&fs_fast_limit, 3, __ATOMIC_SEQ_CST);
}

void fs_fd_closed_slow(int fd)
{
	struct fs_fdent *t = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE);

	if (fs_spawn_child || !t ||
	    (unsigned)fd >= (unsigned)__atomic_load_n(&fs_table_hwm, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&t[fd].flags, 0, __ATOMIC_RELEASE);
}

/* Sized for the hard fd limit (the soft one may be raised up to it),
 * within [64 Ki, 4 Mi] entries; halved until the mapping succeeds. */
int fs_fdtable_init(void)
{
	struct rlimit rl;
	size_t cap = 1u << 20;
	void *p = MAP_FAILED;

	if (__atomic_load_n(&fs_table, __ATOMIC_ACQUIRE))
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY)
		cap = rl.rlim_max;
	if (cap < (1u << 16))
		cap = 1u << 16;
	if (cap > (1u << 22))
		cap = 1u << 22;
	for (; cap >= 1024 && p == MAP_FAILED; cap /= 2)
		p = mmap(NULL, cap * sizeof(struct fs_fdent), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	cap *= 2;	/* undo the loop's last halving */
	struct fs_fdent *expected = NULL;
	if (!__atomic_compare_exchange_n(&fs_table, &expected, (struct fs_fdent *)p, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		munmap(p, cap * sizeof(struct fs_fdent));
		return 0;
	}
	__atomic_store_n(&fs_table_cap, (int)cap, __ATOMIC_RELEASE);
	return 0;
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
	if (FS_UNLIKELY(fs_spawn_child)) {
		if (forced)
			fs_raw_syscall(SYS_fcntl, fd, F_SETFD, 0, 0, 0, 0);
		return;
	}
	e = fs_fd_entry(fd);
	if (forced && (fd <= 2 || !e || (fs_cfg.keep.n && fs_keep_has(&fs_cfg.keep, fd)))) {
		unforce(fd);
		forced = 0;
	}
	if (!e)
		return;
	__atomic_store_n(&e->site, site, __ATOMIC_RELAXED);
	__atomic_store_n(&e->origin, (uint16_t)origin, __ATOMIC_RELAXED);
	__atomic_store_n(&e->released, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->flags, (uint8_t)(FS_FD_KNOWN | (forced ? FS_FD_FORCED : 0) |
					      (fs_child_mode ? FS_FD_CHILD : 0)),
			 __ATOMIC_RELEASE);
	hwm = __atomic_load_n(&fs_table_hwm, __ATOMIC_RELAXED);
	while (fd >= hwm &&
	       !__atomic_compare_exchange_n(&fs_table_hwm, &hwm, fd + 1, 1, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
	if (fd >= hwm)
		fs_fast_update();
}

void fs_fd_closed_range(unsigned first, unsigned last)
{
	unsigned hwm = (unsigned)fs_fd_limit();
	if (fs_spawn_child)
		return;
	if (last >= hwm)
		last = hwm ? hwm - 1 : 0;
	for (unsigned fd = first; fd <= last && fd < hwm; fd++)
		fs_fd_closed((int)fd);
}

void fs_fd_set_by_program(int fd, int cloexec)
{
	struct fs_fdent *e = fs_fd_entry(fd);
	if (!e || fs_spawn_child)
		return;
	uint8_t f = __atomic_load_n(&e->flags, __ATOMIC_RELAXED);
	f = (uint8_t)((f & FS_FD_KNOWN) | (cloexec ? 0 : FS_FD_EXPLICIT));
	__atomic_store_n(&e->flags, f, __ATOMIC_RELEASE);
}

void fs_fd_set_by_program_range(unsigned first, unsigned last)
{
	unsigned hwm = (unsigned)fs_fd_limit();
	for (unsigned fd = first; fd <= last && fd < hwm; fd++)
		fs_fd_set_by_program((int)fd, 1);
}

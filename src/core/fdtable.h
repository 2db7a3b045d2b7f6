/* forksafe: what forksafe knows about each fd number (fdtable.c).
 *
 * The fd wrappers record every fd they create, copy or close here; exec,
 * spawn and the diagnostic audit read it. */
#ifndef FS_CORE_FDTABLE_H
#define FS_CORE_FDTABLE_H

#include "core/core.h"

enum fs_fd_flags {
	FS_FD_KNOWN = 1,	/* created through a wrapper */
	FS_FD_CHILD = 2,	/* made by a child between fork and exec (rule 4) */
	FS_FD_EXPLICIT = 4,	/* the program made it inheritable itself */
	/* close-on-exec set by forksafe, not the program.  Bit 19 of the
	 * entry's meta word, which is O_CLOEXEC's bit where it is 0x80000
	 * (x86_64, aarch64 and most others): a wrapper records the flag
	 * it added without shifting it (fs_forced_meta). */
	FS_FD_FORCED = 8,
};

/* What forksafe knows about one fd: one word, so that a wrapper records
 * a new fd with one store.  The call site that made it is kept apart
 * (fs_fd_site), read only on slow paths and in reports. */
struct fs_fdent {
	union {
		struct {
			uint16_t origin;	/* the call that made it: enum fs_call_id */
			uint8_t flags;		/* enum fs_fd_flags */
			uint8_t released;	/* spawns in flight that released it (parent only) */
			uint32_t peer;		/* the other end of a pipe or socket pair, + 1 */
		};
		uint64_t meta;	/* the four, for one store */
	};
};

/* The table itself (fdtable.c): one mapping for fds [0, fs_table_cap()),
 * the fast path's, that holds two arrays around the capacity word:
 *
 *	site[cap-1] ... site[1] site[0] cap | entry[0] entry[1] ... entry[cap-1]
 *	                                    ^ fs_table
 *
 * The entries go up from fs_table: a wrapper stores entry fd by index,
 * one instruction.  The call sites (one uintptr_t each) go down from the
 * word below the capacity.  fs_table is in the middle of a page, so the
 * entries and the sites of the first 255 fds share that one page.  fds
 * beyond cap (a process that raised its fd limit after start-up) are in
 * chunks mapped when first needed, laid out alike without the capacity
 * word.  The mapping is made by whichever thread makes the first fd, so
 * its size travels with it: the capacity is written before the pointer
 * is published. */
extern struct fs_fdent *fs_table FS_HIDDEN;
static inline unsigned fs_table_cap_of(const struct fs_fdent *t)
{
	return t ? (unsigned)((const uintptr_t *)t)[-1] : 0;
}
static inline unsigned fs_table_cap(void)
{
	return fs_table_cap_of(__atomic_load_n(&fs_table, __ATOMIC_ACQUIRE));
}
/* The site word of fd < fs_table_cap_of(t), t not NULL. */
static inline uintptr_t *fs_table_site(const struct fs_fdent *t, unsigned fd)
{
	return (uintptr_t *)t - 2 - fd;
}
extern int fs_table_hwm FS_HIDDEN;
/* fds in [3, 3 + fs_fast_span) take the fast path of fs_fd_created:
 * the table exists, the fd is below the highest one seen, and neither
 * child mode, FORKSAFE_KEEP_FDS nor diagnostic mode (which records call
 * sites) needs a closer look.  0 when one does.  A span rather than a
 * limit: the test is one compare with memory. */
extern unsigned fs_fast_span FS_HIDDEN;
void fs_fast_update(void) FS_HIDDEN;

/* Maps the table (done when the first fd is recorded); 0 or -1. */
int fs_fdtable_init(void) FS_HIDDEN;
/* Nonzero once the table could not be mapped: nothing is forced. */
int fs_fdtable_failed(void) FS_HIDDEN;
/* Nonzero when [lo, hi) overlaps the table's memory (fork/childmem.c
 * leaves it out).  Async-signal-safe. */
int fs_fdtable_mapping(uintptr_t lo, uintptr_t hi) FS_HIDDEN;
/* The entry of an fd beyond the first mapping, or NULL when its chunk is
 * not mapped (make: map it now).  Async-signal-safe. */
struct fs_fdent *fs_fd_entry_high(int fd, int make) FS_HIDDEN;
/* Its site word, or NULL when its chunk is not mapped.  Async-signal-safe. */
uintptr_t *fs_fd_site_high(int fd) FS_HIDDEN;
/* Returns the entry for fd, or NULL when forksafe has none for it. */
static inline struct fs_fdent *fs_fd_entry(int fd)
{
	struct fs_fdent *t = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE);
	if (FS_LIKELY(t && (unsigned)fd < fs_table_cap_of(t)))
		return &t[fd];
	return t && fd >= 0 ? fs_fd_entry_high(fd, 0) : NULL;
}
/* Returns the word that holds fd's call site, or NULL when forksafe has
 * none for it. */
static inline uintptr_t *fs_fd_site_word(int fd)
{
	struct fs_fdent *t = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE);
	if (FS_LIKELY(t && (unsigned)fd < fs_table_cap_of(t)))
		return fs_table_site(t, (unsigned)fd);
	return t && fd >= 0 ? fs_fd_site_high(fd) : NULL;
}

/* The top bits of site are free on 64-bit systems (user addresses have
 * at most 52 bits): a pipe's ends keep the tag of the thread that made
 * them there (core/inherit.c). */
#if UINTPTR_MAX > 0xffffffffu
#define FS_SITE_TAG_SHIFT 52
#define FS_SITE_MASK (((uintptr_t)1 << FS_SITE_TAG_SHIFT) - 1)
#else
#define FS_SITE_TAG_SHIFT 0
#define FS_SITE_MASK (~(uintptr_t)0)
#endif

/* The call site that made fd (a return address), 0 when unknown. */
static inline uintptr_t fs_fd_site(int fd)
{
	uintptr_t *w = fs_fd_site_word(fd);
	return w ? __atomic_load_n(w, __ATOMIC_RELAXED) & FS_SITE_MASK : 0;
}

/* origin, flags (known, forced), released and peer, as one word. */
static inline uint64_t fs_fd_meta(unsigned origin, int forced)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return origin | (uint64_t)FS_FD_KNOWN << 16 | (uint64_t)(forced != 0 ? FS_FD_FORCED : 0) << 16;
#else
	struct fs_fdent n = { .origin = (uint16_t)origin,
			      .flags = (uint8_t)(FS_FD_KNOWN | (forced != 0 ? FS_FD_FORCED : 0)) };
	return n.meta;
#endif
}

/* The slow cases of fs_fd_created: a rule that undoes the forcing (fds
 * 0-2, FORKSAFE_KEEP_FDS, fds beyond the table), a new highest fd. */
void fs_fd_created_slow(int fd, unsigned origin, int forced, uintptr_t site) FS_HIDDEN;

/* fd is in the fast range [3, 3 + fs_fast_span): its entry is current
 * and nothing special applies to it (see fs_fast_span).  fd < 0 is not. */
static inline int fs_fd_fast(int fd, int memorder)
{
	return (unsigned)fd - 3 < __atomic_load_n(&fs_fast_span, memorder);
}

/* The entry of fd of the fast range (fs_fd_fast), for a store.  Indexed
 * by fd - 3, which that test computed: the store is one instruction
 * (x86_64: mov %reg, 24(%table, %index, 8)). */
static inline struct fs_fdent *fs_fast_entry(int fd)
{
	return &(__atomic_load_n(&fs_table, __ATOMIC_RELAXED) + 3)[(unsigned)fd - 3];
}

/* Records a new fd.  forced: forksafe added the close-on-exec flag that
 * the program did not ask for.  On the path of every wrapped call: a few
 * loads and one store when nothing special applies.  A failed call (fd
 * < 0) and diagnostic mode, which records the call site, take the slow
 * path (fs_fast_span is 0 in diagnostic mode).  site 0: the caller of
 * the exported wrapper this is inlined into, found only on the slow path
 * (so the fast one keeps no register for it across the real call). */
static inline __attribute__((always_inline)) void fs_fd_created(int fd, unsigned origin,
								int forced, uintptr_t site)
{
	if (FS_UNLIKELY(!fs_fd_fast(fd, __ATOMIC_ACQUIRE))) {
		fs_fd_created_slow(fd, origin, forced, site ? site : FS_SITE());
		return;
	}
	__atomic_store_n(&fs_fast_entry(fd)->meta, fs_fd_meta(origin, forced), __ATOMIC_RELEASE);
}

/* The meta bit that says forksafe forced the flag (fs_fd_meta). */
#define FS_META_FORCED (fs_fd_meta(0, 1) & ~fs_fd_meta(0, 0))

/* FS_META_FORCED when add (0, or the one flag bit flag that forksafe
 * added, as fs_force gives it) is set, else 0: a shift, not a test. */
static inline uint64_t fs_forced_meta(unsigned add, unsigned flag)
{
	const uint64_t bit = FS_META_FORCED;
	return bit >= flag ? (uint64_t)add * (bit / flag) : (uint64_t)add / (flag / bit);
}

int fs_fd_made_slow(int fd, unsigned origin, int forced, uintptr_t site) FS_HIDDEN;

/* Records fd of the fast range (fs_fd_fast): one store. */
static inline void fs_fd_made_fast(int fd, unsigned origin, uint64_t forced)
{
	__atomic_store_n(&fs_fast_entry(fd)->meta, fs_fd_meta(origin, 0) | forced, __ATOMIC_RELEASE);
}

/* fs_fd_created for a wrapper that returns the new fd: forced is
 * fs_forced_meta's, and the slow case is a tail call, so the fast path
 * of the wrapper keeps one register across the real call and no stack
 * frame. */
static inline __attribute__((always_inline)) int fs_fd_made(int fd, unsigned origin,
							    uint64_t forced, uintptr_t site)
{
	if (FS_UNLIKELY(!fs_fd_fast(fd, __ATOMIC_ACQUIRE)))
		return fs_fd_made_slow(fd, origin, forced != 0, site ? site : FS_SITE());
	fs_fd_made_fast(fd, origin, forced);
	return fd;
}

/* The slow case of fs_fd_closed: fds 0-2, fds at or beyond
 * 3 + fs_fast_span, and every fd while the span is 0. */
void fs_fd_closed_slow(int fd) FS_HIDDEN;

/* Forgets fd of the fast range (fs_fd_fast), before it is closed. */
static inline void fs_fd_forget_fast(int fd)
{
	__atomic_store_n(&fs_fast_entry(fd)->flags, 0, __ATOMIC_RELEASE);
}

static inline void fs_fd_closed(int fd)
{
	if (FS_LIKELY(fs_fd_fast(fd, __ATOMIC_ACQUIRE)))
		fs_fd_forget_fast(fd);
	else
		fs_fd_closed_slow(fd);
}

void fs_fd_closed_range(unsigned first, unsigned last) FS_HIDDEN;
/* The program set (cloexec=1) or cleared (0) FD_CLOEXEC itself. */
void fs_fd_set_by_program(int fd, int cloexec) FS_HIDDEN;
void fs_fd_set_by_program_range(unsigned first, unsigned last) FS_HIDDEN;
/* One past the highest fd ever recorded. */
static inline int fs_fd_limit(void)
{
	return __atomic_load_n(&fs_table_hwm, __ATOMIC_RELAXED);
}

/* The flag to OR into a creating call: flag when forcing and the caller
 * did not ask for it, else 0. */
static inline int fs_force(int asked, int flag)
{
	return fs_forcing & ~asked & flag;
}

#endif

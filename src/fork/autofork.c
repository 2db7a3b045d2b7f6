/* forksafe: FORKSAFE_FORK=auto: learn, per call site, which forks can be
 * redirected to a spawn (spawnfork.c).
 *
 * A site is the return address of fork.  forksafe watches the children
 * of real forks: a child that execs having done nothing a redirected
 * child could not counts for its site.  Once a site has
 * FORKSAFE_AUTO_AFTER such children (fs_cfg.auto_after, 3 by default;
 * FORKSAFE_SPAWN_AFTER, 1, in spawn mode), none of any other kind and
 * none still running, its forks in a multi-threaded process are
 * redirected.  A site whose child ever did
 * otherwise is never redirected: it started a thread or forked
 * (fs_auto_child_unsafe), called exit, wrote memory its parent would
 * share if it were redirected (childmem.c: CPython's child rewrites the
 * interpreter's state; a child that calls malloc, printf or setenv
 * before exec), or ended without exec (by _exit, a signal, returning
 * from main: the parent finds its watch slot outliving it).  So a child
 * that works in its own memory (a prefork worker, a snapshot writer)
 * keeps real fork semantics.  Every rule is an event the child makes
 * (or the parent sees at its next fork): no time limit decides; a child
 * still running when its site forks again keeps that fork real.
 *
 * Children report through a table in a shared anonymous mapping made
 * before the first fork and inherited by every process forked from this
 * one until it execs (they run the same code at the same addresses, so
 * their sites are the same): per site the counts and the veto, per
 * watched child a slot with its pid and site, which the child frees just
 * before it execs.  No IPC and no lock: every field is updated
 * atomically. */
#include "config.h"
#include "core/core.h"
#include "core/log.h"
#include "diag/diag.h"
#include "fork/fork.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SITES 256
#define WATCH 256

enum { VETO_NONE, VETO_WRITING, VETO_SET };
enum { SAID_REDIRECT = 1, SAID_FORK = 2 };

struct site {
	uintptr_t pc;		/* 0: free */
	uint32_t good;		/* children that exec'd promptly */
	uint32_t pending;	/* watched children not yet resolved */
	uint32_t veto;		/* VETO_* */
	uint32_t said;		/* SAID_* reported already */
	char why[160];
};

/* key: site index + 1 in the high half, the child's pid in the low half
 * (0 while the slot is being filled). */
struct watch {
	uint64_t key;
};

struct table {
	struct site sites[SITES];
	struct watch watch[WATCH];
};

static struct table *table;
/* Static TLS below the thread pointer, found in the parent (dlsym) for
 * the children's memory sums. */
static size_t tls_size;

/* In a watched child (its own memory after a real fork). */
static struct {
	unsigned site;
	int slot;
} me;

static struct table *table_get(void)
{
	struct table *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE), *none = NULL;
	void *p;

	if (t)
		return t;
	p = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (__atomic_compare_exchange_n(&table, &none, (struct table *)p, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return p;
	munmap(p, sizeof *t);
	return none;
}

/* The site's index, added when new; -1 when the table is full. */
static long site_find(struct table *t, uintptr_t pc)
{
	unsigned h = (unsigned)((pc >> 2) * 0x9e3779b1u) % SITES;

	for (unsigned i = 0; i < SITES; i++) {
		struct site *s = &t->sites[(h + i) % SITES];
		uintptr_t cur = __atomic_load_n(&s->pc, __ATOMIC_ACQUIRE), none = 0;
		if (cur == pc)
			return (h + i) % SITES;
		if (cur == 0 && (__atomic_compare_exchange_n(&s->pc, &none, pc, 0, __ATOMIC_ACQ_REL,
							     __ATOMIC_ACQUIRE) || none == pc))
			return (h + i) % SITES;
	}
	return -1;
}

/* The first reason given stands. */
static void veto(struct site *s, const char *why, const char *what)
{
	uint32_t none = VETO_NONE;
	struct fs_sbuf b;

	if (!__atomic_compare_exchange_n(&s->veto, &none, VETO_WRITING, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	fs_sb_init(&b, s->why, sizeof s->why);
	fs_sb_str(&b, why);
	if (what)
		fs_sb_str(&b, what);
	fs_sb_cstr(&b);
	__atomic_store_n(&s->veto, VETO_SET, __ATOMIC_RELEASE);
}

/* ---- in the child of a real fork ---- */

static int claim_slot(struct table *t, unsigned site)
{
	uint64_t reserved = (uint64_t)(site + 1) << 32;
	pid_t pid = (pid_t)fs_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);

	for (int k = 0; k < WATCH; k++) {
		uint64_t none = 0;
		struct watch *w = &t->watch[k];
		if (!__atomic_compare_exchange_n(&w->key, &none, reserved, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&w->key, reserved | (uint32_t)pid, __ATOMIC_RELEASE);
		return k;
	}
	return -1;
}

void fs_auto_child_forked(uintptr_t pc)
{
	struct table *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
	long i;

	if (!t || (i = site_find(t, pc)) < 0 ||
	    __atomic_load_n(&t->sites[i].veto, __ATOMIC_ACQUIRE) != VETO_NONE)
		return;
	me.site = (unsigned)i;
	__atomic_add_fetch(&t->sites[i].pending, 1, __ATOMIC_ACQ_REL);
	if ((me.slot = claim_slot(t, (unsigned)i)) < 0) {
		__atomic_sub_fetch(&t->sites[i].pending, 1, __ATOMIC_ACQ_REL);
		veto(&t->sites[i], "more children at once than auto mode watches", NULL);
		return;
	}
	fs_where |= FS_W_WATCHED;
}

static void unwatch(struct table *t)
{
	__atomic_store_n(&t->watch[me.slot].key, 0, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&t->sites[me.site].pending, 1, __ATOMIC_ACQ_REL);
	fs_where &= ~FS_W_WATCHED;
}

void fs_auto_child_started(void)
{
	fs_childmem_start(tls_size);
}

/* A watched child is single-threaded: these run once each at most. */
void fs_auto_child_exec(void)
{
	struct table *t = table;
	const char *wrote;

	if (!(fs_where & FS_W_WATCHED) || fs_where_thread)
		return;
	if ((wrote = fs_childmem_changed()))
		veto(&t->sites[me.site], "a child ", wrote);
	else
		__atomic_add_fetch(&t->sites[me.site].good, 1, __ATOMIC_ACQ_REL);
	unwatch(t);
}

void fs_auto_child_unsafe(const char *what)
{
	if (!(fs_where & FS_W_WATCHED) || fs_where_thread)
		return;
	veto(&table->sites[me.site], "a child called ", what);
	unwatch(table);
}

void fs_auto_child_exiting(void)
{
	fs_auto_child_unsafe("exit");
}

/* ---- in the parent ---- */

/* 1: pid is running, 0: it has ended (gone or a zombie). */
static int running(pid_t pid)
{
	char path[48], stat[256];
	struct fs_sbuf b;
	long fd, n;
	const char *rp;

	if (fs_raw_syscall(SYS_kill, pid, 0, 0, 0, 0, 0) == -ESRCH)
		return 0;
	fs_sb_init(&b, path, sizeof path);
	fs_sb_str(&b, "/proc/");
	fs_sb_dec(&b, pid);
	fs_sb_str(&b, "/stat");
	fd = fs_raw_syscall(SYS_openat, AT_FDCWD, (long)fs_sb_cstr(&b), O_RDONLY | O_CLOEXEC, 0, 0,
			    0);
	if (fd < 0)
		return 1;
	n = fs_raw_syscall(SYS_read, fd, (long)stat, sizeof stat - 1, 0, 0, 0);
	fs_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	stat[n > 0 ? n : 0] = '\0';
	rp = strrchr(stat, ')');
	return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

/* The site's children still in their slots: one that has ended never
 * exec'd. */
static void check_watched(struct table *t, unsigned site)
{
	for (int k = 0; k < WATCH; k++) {
		struct watch *w = &t->watch[k];
		uint64_t key = __atomic_load_n(&w->key, __ATOMIC_ACQUIRE);
		pid_t pid = (pid_t)(uint32_t)key;
		if (key >> 32 != site + 1 || pid == 0 || running(pid))
			continue;
		if (__atomic_compare_exchange_n(&w->key, &key, 0, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			__atomic_sub_fetch(&t->sites[site].pending, 1, __ATOMIC_ACQ_REL);
		veto(&t->sites[site], "a child ended without exec", NULL);
	}
}

/* Each decision about a site is reported once, by whichever process of
 * the family makes it. */
static void report(struct site *s, uint32_t what, uintptr_t pc)
{
	struct fs_event ev;

	if (!fs_cfg.diag || (__atomic_fetch_or(&s->said, what, __ATOMIC_RELAXED) & what))
		return;
	fs_ev_begin(&ev, "auto");
	fs_ev_str(&ev, "decision", what == SAID_REDIRECT ? "spawn" : "fork");
	if (what == SAID_REDIRECT)
		fs_ev_int(&ev, "children", __atomic_load_n(&s->good, __ATOMIC_RELAXED));
	else
		fs_ev_str(&ev, "reason", s->why);
	fs_ev_caller(&ev, "caller", pc);
	fs_ev_str(&ev, "mode", fs_cfg.fork_mode == FS_FORK_AUTO ? "auto" : "spawn");
	fs_ev_end(&ev);
}

int fs_auto_redirect(uintptr_t pc, int threads, unsigned after)
{
	int saved = errno, r = 0;
	struct table *t = table_get();
	struct site *s;
	long i;

	if (!t || (i = site_find(t, pc)) < 0)
		goto out;
	s = &t->sites[i];
	if (__atomic_load_n(&s->veto, __ATOMIC_ACQUIRE) == VETO_NONE &&
	    __atomic_load_n(&s->pending, __ATOMIC_ACQUIRE))
		check_watched(t, (unsigned)i);
	if (__atomic_load_n(&s->veto, __ATOMIC_ACQUIRE) != VETO_NONE) {
		if (__atomic_load_n(&s->veto, __ATOMIC_ACQUIRE) == VETO_SET)
			report(s, SAID_FORK, pc);
	} else if (threads > 1 && !fs_where_thread &&
		   __atomic_load_n(&s->good, __ATOMIC_ACQUIRE) >= after &&
		   !__atomic_load_n(&s->pending, __ATOMIC_ACQUIRE)) {
		report(s, SAID_REDIRECT, pc);
		r = 1;
	} else {
		/* A real fork whose child is watched. */
		tls_size = fs_static_tls_size();
		fs_childmem_prepare();
	}
out:
	errno = saved;
	return r;
}

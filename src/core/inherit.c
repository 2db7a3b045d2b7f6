/* forksafe: where may this fd go — the rules of DESIGN §2 in one place
 * (core/inherit.h).
 *
 * Rules 1, 2, 3, 4, 5 and 7 are decided when an fd is made or changed
 * (fdtable.c records what this file says); rules 6 and 8 when a new
 * program starts: the forced fds it is to get are handed over to it
 * (fd/exec.c, fd/spawn.c, popen and system), as they would have reached
 * it without forksafe.
 *
 * Rule 8, this module's own: a program told about both ends of one of
 * the pipes (or socket pairs) the spawning thread made since its last
 * exec or spawn, without asking for close-on-exec, is a helper that
 * manages its parent's pipes itself and learns their numbers through
 * that one: all of them whose two ends are still open reach it, as
 * without forksafe.  The JVM's jspawnhelper is told "11:12:14" (both ends
 * of one pipe, and another fd), reads the numbers of the stdio pipes
 * from it, and closes their parent ends itself, failing if any is not
 * open.  A program told about one end of a pipe (a redirection to it)
 * gets that end alone, and one told about none gets none; only the
 * calling thread's pipes go, so another thread's fds never leak through
 * this rule.
 *
 * Async-signal-safe: no allocation, no lock; the per-thread list of
 * recent pipes is a small ring a signal handler may overwrite (the rule
 * then misses a pipe, as the program alone would not). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

int fs_inherit_exempt(int fd)
{
	return fd <= 2 || (fs_cfg.keep.n && fs_keep_has(&fs_cfg.keep, fd));
}

/* ---- reading an entry ---- */

struct ent {
	unsigned origin, flags;
	int peer;	/* -1: none */
};

static int entry_of(int fd, struct ent *out)
{
	struct fs_fdent *e = fd >= 0 ? fs_fd_entry(fd) : NULL;
	struct fs_fdent v;

	if (!e)
		return 0;
	v.meta = __atomic_load_n(&e->meta, __ATOMIC_ACQUIRE);
	out->origin = v.origin;
	out->flags = v.flags;
	out->peer = (int)v.peer - 1;
	return 1;
}

static int forced(int fd)
{
	struct ent e;
	return entry_of(fd, &e) && (e.flags & FS_FD_FORCED);
}

/* ---- rule 8: the pipes a thread makes for the program it runs next ---- */

#define RECENT 32
static __thread struct {
	unsigned n;
	uintptr_t tag;	/* this thread's, in the top bits of its pipes' sites */
	int fd[RECENT];
} recent __attribute__((tls_model("initial-exec")));

/* The thread's tag: a pipe whose numbers another thread took after this
 * one closed its own is not this thread's, though its ring still names
 * them (tags repeat after 4095 threads; none on 32-bit systems). */
static __attribute__((noinline, cold)) uintptr_t new_tag(void)
{
	static unsigned next;
	unsigned t;

	do
		t = __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED) & 0xfff;
	while (!t && FS_SITE_TAG_SHIFT);
	recent.tag = (uintptr_t)t << FS_SITE_TAG_SHIFT;
	return recent.tag;
}

/* The other end in the entry, the tag with the call site (site). */
static inline void note_end(struct fs_fdent *e, uintptr_t *site, int peer, uintptr_t tag)
{
	__atomic_store_n(site, (__atomic_load_n(site, __ATOMIC_RELAXED) & FS_SITE_MASK) | tag,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&e->peer, (uint32_t)peer + 1, __ATOMIC_RELEASE);
}

static int has_tag(int fd, uintptr_t tag)
{
	uintptr_t *site = fs_fd_site_word(fd);
	return site && (__atomic_load_n(site, __ATOMIC_RELAXED) & ~FS_SITE_MASK) == tag;
}

void fs_inherit_note_pair(const int fds[2])
{
	struct fs_fdent *t = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE), *a, *b;
	uintptr_t *sa, *sb;
	unsigned cap = fs_table_cap_of(t);
	uintptr_t tag = recent.tag;
	unsigned n = recent.n;
	int fd0 = fds[0], fd1 = fds[1];

	if (FS_LIKELY(t && (unsigned)fd0 < cap && (unsigned)fd1 < cap)) {
		a = &t[fd0];
		b = &t[fd1];
		sa = fs_table_site(t, (unsigned)fd0);
		sb = fs_table_site(t, (unsigned)fd1);
	} else {
		a = fs_fd_entry(fd0);
		b = fs_fd_entry(fd1);
		sa = fs_fd_site_word(fd0);
		sb = fs_fd_site_word(fd1);
	}
	if (FS_UNLIKELY(!a || !b || fs_where_thread))
		return;
	if (FS_UNLIKELY(!tag))
		tag = new_tag();
	note_end(a, sa, fd1, tag);
	note_end(b, sb, fd0, tag);
	recent.fd[n & (RECENT - 1)] = fd0;
	recent.fd[(n + 1) & (RECENT - 1)] = fd1;
	recent.n = n + 2;
}

/* Called in the parent after every fork: a store only when there is
 * something to forget, for the page it is on was just made copy-on-write
 * by the fork (a shell's every command would pay a page fault). */
void fs_inherit_handed_over(void)
{
	if (recent.n)
		recent.n = 0;
}

/* fd is one end of a pipe or socket pair made through a wrapper, and the
 * other end is still open and still its other end. */
static int pair_open(int fd)
{
	struct ent e, p;

	if (!entry_of(fd, &e) || !(e.flags & FS_FD_KNOWN) || e.peer < 0 ||
	    (e.origin != FS_ID_pipe && e.origin != FS_ID_socketpair))
		return 0;
	return entry_of(e.peer, &p) && (p.flags & FS_FD_KNOWN) && p.origin == e.origin &&
	       p.peer == fd;
}

/* fd is in the ring, still open with its other end, and this thread's. */
static int made_here(int fd)
{
	struct ent e;
	return pair_open(fd) && entry_of(fd, &e) && has_tag(fd, recent.tag) &&
	       has_tag(e.peer, recent.tag);
}



/* ---- rule 6: what the new program is told ---- */

static int listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof on;
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

struct walk {
	fs_inherit_fn fn;
	void *ctx;
	int limit;	/* one past the highest fd recorded */
	uint32_t named;	/* the slots of the thread's recent pipes named (rule 8) */
};

/* The slot of fd in the ring, or -1. */
static int ring_slot(int fd)
{
	unsigned n = recent.n < RECENT ? recent.n : RECENT;

	for (unsigned i = 0; i < n; i++)
		if (recent.fd[i] == fd)
			return (int)i;
	return -1;
}

/* Both ends of one of the recent pipes are named. */
static int pair_named(uint32_t named)
{
	for (unsigned i = 0; named >> i; i++) {
		struct ent e;
		int j;
		if ((named >> i & 1) && entry_of(recent.fd[i], &e) && e.peer >= 0 &&
		    (j = ring_slot(e.peer)) >= 0 && (named >> j & 1) && made_here(recent.fd[i]))
			return 1;
	}
	return 0;
}

static void give_range(int lo, int hi, void *arg)
{
	struct walk *w = arg;

	if (hi >= w->limit)
		hi = w->limit - 1;
	for (int fd = lo; fd <= hi; fd++) {
		if (!forced(fd))
			continue;
		w->fn(fd, w->ctx);
		if (recent.n) {
			int slot = ring_slot(fd);
			if (slot >= 0)
				w->named |= (uint32_t)1 << slot;
		}
	}
}

/* A forced listening socket listed in the environment: the sockets a
 * server hands to its next generation (nginx's NGINX="6;7;",
 * Server::Starter's ADDR=N, einhorn...) under whatever name its
 * convention uses.  Another kind of fd listed that way is only reported
 * (exec-withheld): lists of numbers are too common. */
static void give_listening(int lo, int hi, void *arg)
{
	struct walk *w = arg;

	if (lo == hi && lo < w->limit && forced(lo) && listening(lo))
		w->fn(lo, w->ctx);
}

/* Rule 6 in one pass, noting whether it names one of the thread's recent
 * pipes (rule 8). */
static void told(const struct fs_newprog *np, struct walk *w)
{
	for (int i = 0; i < np->nextra; i++)
		give_range(np->extra[i], np->extra[i], w);
	for (size_t i = 0; np->argv && np->argv[i]; i++)
		fs_fdref_arg(np->argv[i], give_range, w);
	for (size_t i = 0; np->envp && np->envp[i]; i++)
		fs_fdref_env(np->envp[i], give_range, w);
}

static void nothing(int fd, void *ctx)
{
}

/* Rule 8 for fd: made here, and the program is told about both ends of
 * one of the thread's recent pipes. */
static int made_for_it(int fd, const struct fs_newprog *np)
{
	struct walk w = { nothing, NULL, fs_fd_limit(), 0 };

	if (!recent.n || ring_slot(fd) < 0 || !made_here(fd))
		return 0;
	told(np, &w);
	return pair_named(w.named);
}

void fs_inherit_handover(const struct fs_newprog *np, fs_inherit_fn fn, void *ctx)
{
	struct walk w = { fn, ctx, fs_fd_limit(), 0 };
	unsigned n;
	int saved = errno;

	if (w.limit <= 3)
		return;
	told(np, &w);
	for (size_t i = 0; np->envp && np->envp[i]; i++)
		fs_fdref_numbers(np->envp[i], give_listening, &w);
	n = w.named && pair_named(w.named) ? (recent.n < RECENT ? recent.n : RECENT) : 0;
	for (unsigned i = 0; i < n; i++)
		if (forced(recent.fd[i]) && made_here(recent.fd[i]))
			fn(recent.fd[i], ctx);
	errno = saved;
}

/* ---- why: for the diagnostic audit ---- */

struct find {
	int fd, found;
};

static void find_range(int lo, int hi, void *arg)
{
	struct find *f = arg;
	if (lo <= f->fd && f->fd <= hi)
		f->found = 1;
}

static int named(int fd, const struct fs_newprog *np)
{
	struct find f = { fd, 0 };

	for (int i = 0; i < np->nextra && !f.found; i++)
		f.found = np->extra[i] == fd;
	for (size_t i = 0; np->argv && np->argv[i] && !f.found; i++)
		fs_fdref_arg(np->argv[i], find_range, &f);
	for (size_t i = 0; np->envp && np->envp[i] && !f.found; i++)
		fs_fdref_env(np->envp[i], find_range, &f);
	return f.found;
}

/* Listed in the environment the way servers hand sockets over: the
 * entry, or NULL. */
static const char *named_in_list(int fd, const struct fs_newprog *np)
{
	struct find f = { fd, 0 };

	for (size_t i = 0; np->envp && np->envp[i]; i++) {
		fs_fdref_numbers(np->envp[i], find_range, &f);
		if (f.found)
			return np->envp[i];
	}
	return NULL;
}

const char *fs_inherit_reason(int fd, const struct fs_newprog *np)
{
	struct ent e;
	int saved = errno;
	const char *why = NULL;

	if (fd <= 2)
		why = "a standard stream";
	else if (fs_cfg.keep.n && fs_keep_has(&fs_cfg.keep, fd))
		why = "listed in FORKSAFE_KEEP_FDS";
	else if (entry_of(fd, &e) && (e.flags & FS_FD_EXPLICIT))
		why = "made inheritable by the program";
	else if (entry_of(fd, &e) && (e.flags & FS_FD_CHILD))
		why = "made in the child before exec";
	else if (entry_of(fd, &e) && (e.flags & FS_FD_KNOWN) &&
		 (e.origin == FS_ID_dup2 || e.origin == FS_ID_dup3))
		why = "the target of dup2 or dup3";
	else if (named(fd, np))
		why = "named to the new program";
	else if (named_in_list(fd, np) && listening(fd))
		why = "a listening socket named in the environment";
	else if (made_for_it(fd, np))
		why = "a pipe the thread made for the new program";
	errno = saved;
	return why;
}

const char *fs_inherit_withheld(int fd, const struct fs_newprog *np, char *why, size_t n)
{
	struct fs_sbuf b;
	struct ent e;
	const char *entry;
	int saved = errno;

	fs_sb_init(&b, why, n);
	if (!entry_of(fd, &e) || !(e.flags & FS_FD_FORCED) || fs_inherit_reason(fd, np)) {
		errno = saved;
		return NULL;
	}
	if (pair_open(fd) && !(REAL(fcntl)(e.peer, F_GETFD) & FD_CLOEXEC)) {
		fs_sb_str(&b, "its other end, fd ");
		fs_sb_dec(&b, e.peer);
		fs_sb_str(&b, ", reaches the new program");
	} else if ((entry = named_in_list(fd, np)) != NULL) {
		fs_sb_str(&b, "named in the environment: ");
		fs_sb_quoted(&b, entry, 64);
	} else {
		errno = saved;
		return NULL;
	}
	errno = saved;
	return fs_sb_cstr(&b);
}

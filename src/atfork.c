/* forksafe: the pthread_atfork registry (DESIGN §5).
 *
 * glibc's pthread_atfork is linked into each binary (libc_nonshared.a)
 * and calls __register_atfork(prepare, parent, child, __dso_handle):
 * forksafe interposes that, keeps every handler with the object that
 * registered it, and runs the handlers itself around the real fork —
 * prepare in reverse registration order, parent and child in order, as
 * POSIX says.  Handlers stay out of libc's own list, so a fork that
 * forksafe redirects to a spawn runs none (no fork happens).
 *
 * An object that is unloaded drops its handlers: its destructors call
 * __cxa_finalize(__dso_handle), wrapped here; and after any dlclose the
 * next fork checks that each handler still lies in a loaded object.
 *
 * Entries are only appended (chunks from mmap, never freed); a fork runs
 * the entries that existed when it started, so a handler that registers
 * another (glibc 2.36 skips those too) cannot loop or deadlock.  The
 * registration lock is never held while handlers run, and the child
 * resets it: the thread that held it did not survive the fork. */
#include "config.h"
#include "fs.h"
#include "symbolize.h"
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define CHUNK 128
#define MAX_CHUNKS 64

struct handler {
	void (*prepare)(void);
	void (*parent)(void);
	void (*child)(void);
	void *dso;
	int dead;
};

static struct handler first_chunk[CHUNK];
static struct handler *chunks[MAX_CHUNKS] = { first_chunk };
static unsigned count;		/* entries in use */
static int reg_lock;
static unsigned dlclose_gen, checked_gen;

static struct handler *entry(unsigned i)
{
	return &chunks[i / CHUNK][i % CHUNK];
}

static void lock(void)
{
	while (__atomic_exchange_n(&reg_lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void unlock(void)
{
	__atomic_store_n(&reg_lock, 0, __ATOMIC_RELEASE);
}

static int add(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso)
{
	int r = 0;

	lock();
	if (count % CHUNK == 0 && count / CHUNK >= 1) {
		unsigned c = count / CHUNK;
		void *p = c < MAX_CHUNKS ? mmap(NULL, CHUNK * sizeof(struct handler),
						 PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
					 : MAP_FAILED;
		if (p == MAP_FAILED) {
			r = ENOMEM;
			goto out;
		}
		chunks[c] = p;
	}
	*entry(count) = (struct handler){ prepare, parent, child, dso, 0 };
	__atomic_store_n(&count, count + 1, __ATOMIC_RELEASE);
out:
	unlock();
	return r;
}

FS_EXPORT int __register_atfork(void (*prepare)(void), void (*parent)(void),
				void (*child)(void), void *dso)
{
	return add(prepare, parent, child, dso);
}

/* The compat pthread_atfork@GLIBC_2.2.5 of old binaries: no DSO handle;
 * the object is found from the handler addresses when needed. */
FS_EXPORT int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	return add(prepare, parent, child, NULL);
}

FS_EXPORT void __cxa_finalize(void *dso)
{
	void (*real)(void *) = REAL(__cxa_finalize);
	unsigned n = __atomic_load_n(&count, __ATOMIC_ACQUIRE);

	if (dso)
		for (unsigned i = 0; i < n; i++)
			if (entry(i)->dso == dso)
				entry(i)->dead = 1;
	if (real)
		real(dso);
}

FS_EXPORT int dlclose(void *handle)
{
	int (*real)(void *) = REAL(dlclose);
	int r;

	if (!real)
		return -1;
	r = real(handle);
	__atomic_add_fetch(&dlclose_gen, 1, __ATOMIC_RELEASE);
	return r;
}

static int loaded(void (*fn)(void))
{
	Dl_info info;
	return !fn || dladdr((void *)fn, &info) != 0;
}

/* After a dlclose, a handler whose code is gone is never called. */
static void drop_unloaded(unsigned n)
{
	unsigned gen = __atomic_load_n(&dlclose_gen, __ATOMIC_ACQUIRE);
	if (gen == checked_gen)
		return;
	for (unsigned i = 0; i < n; i++) {
		struct handler *h = entry(i);
		if (!h->dead && !(loaded(h->prepare) && loaded(h->parent) && loaded(h->child)))
			h->dead = 1;
	}
	checked_gen = gen;
}

/* Lock-free in the common case: entries are complete before count
 * covers them (release store in add).  Writing nothing here matters:
 * every page written around a fork costs a copy-on-write fault. */
unsigned fs_atfork_snapshot(void)
{
	unsigned n = __atomic_load_n(&count, __ATOMIC_ACQUIRE);

	if (n && __atomic_load_n(&dlclose_gen, __ATOMIC_ACQUIRE) != checked_gen) {
		lock();
		n = count;
		drop_unloaded(n);
		unlock();
	}
	return n;
}

/* ---- running the handlers ---- */

/* A prepare handler that blocks longer than FORKSAFE_ATFORK_TIMEOUT is
 * reported while it blocks, from a watchdog thread that lives only while
 * the prepare handlers run (diagnostic mode, handlers present). */
struct watch {
	sem_t done;
	volatile unsigned current;	/* index of the running handler + 1 */
	unsigned reported;
};

static void report_slow(const struct handler *h, unsigned seconds)
{
	struct fs_event ev;
	fs_ev_begin(&ev, "atfork-slow");
	fs_ev_code(&ev, "handler", (uintptr_t)h->prepare);
	fs_ev_int(&ev, "seconds", seconds);
	fs_ev_str(&ev, "phase", "prepare");
	fs_ev_end(&ev);
}

static void *watchdog(void *arg)
{
	struct watch *w = arg;
	struct timespec t;

	for (;;) {
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += fs_cfg.atfork_timeout;
		if (sem_timedwait(&w->done, &t) == 0)
			return NULL;
		unsigned cur = w->current;
		if (errno == ETIMEDOUT && cur && cur != w->reported) {
			report_slow(entry(cur - 1), fs_cfg.atfork_timeout);
			w->reported = cur;
		}
	}
}

static int live_handlers(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!entry(i)->dead && entry(i)->prepare)
			return 1;
	return 0;
}

void fs_atfork_prepare(unsigned n)
{
	struct watch w = { .current = 0, .reported = 0 };
	pthread_t tid;
	int watching = 0;

	if (!n)
		return;
	if (fs_cfg.diag && fs_cfg.atfork_timeout > 0 && live_handlers(n) &&
	    sem_init(&w.done, 0, 0) == 0)
		watching = REAL(pthread_create)(&tid, NULL, watchdog, &w) == 0;
	for (unsigned i = n; i-- > 0;) {
		struct handler *h = entry(i);
		if (h->dead || !h->prepare)
			continue;
		w.current = i + 1;
		h->prepare();
	}
	if (watching) {
		sem_post(&w.done);
		pthread_join(tid, NULL);
	}
}

void fs_atfork_parent(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!entry(i)->dead && entry(i)->parent)
			entry(i)->parent();
}

void fs_atfork_child(unsigned n)
{
	if (__atomic_load_n(&reg_lock, __ATOMIC_RELAXED))
		reg_lock = 0;
	for (unsigned i = 0; i < n; i++)
		if (!entry(i)->dead && entry(i)->child)
			entry(i)->child();
}

/* For the mt-fork report: "library: prepare=... parent=... child=..." */
void fs_ev_atfork(struct fs_event *ev, unsigned n)
{
	fs_ev_list_begin(ev, "atfork");
	for (unsigned i = 0; i < n; i++) {
		struct handler *h = entry(i);
		void (*fns[3])(void) = { h->prepare, h->parent, h->child };
		static const char *const names[3] = { "prepare", "parent", "child" };
		char mem[768];
		struct fs_sbuf b;

		if (h->dead)
			continue;
		fs_sb_init(&b, mem, sizeof mem);
		for (int k = 0; k < 3; k++) {
			if (k)
				fs_sb_char(&b, ' ');
			fs_sb_str(&b, names[k]);
			fs_sb_char(&b, '=');
			if (fns[k])
				fs_symbolize_code((uintptr_t)fns[k], &b);
			else
				fs_sb_str(&b, "none");
		}
		fs_ev_list_item(ev, fs_sb_cstr(&b));
	}
	fs_ev_list_end(ev);
}

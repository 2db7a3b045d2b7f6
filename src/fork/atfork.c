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
 * The table is only appended to, under reg_lock, which is never held
 * while calling into the dynamic loader (dladdr, dlsym): a constructor of
 * a library being dlopen'ed registers its handlers with the loader's lock
 * held, and a fork symbolizing with that lock wanted while holding
 * reg_lock would deadlock with it.  A fork takes no lock: it counts
 * itself in `iterating` while it runs handlers and checks each entry's
 * dead flag just before calling it.  An object being unloaded (its
 * destructors call __cxa_finalize(__dso_handle), wrapped here) marks its
 * handlers dead and does not wait, as glibc 2.35 and later do: a fork
 * that has not reached them yet skips them.  Dead entries are reclaimed
 * (the live ones moved down, in order) when a new one is added while no
 * fork is running handlers, so a program that dlopens and dlcloses a
 * library forever keeps a small table.  The child resets the lock and
 * the count: the threads of the parent did not survive the fork. */
#include "config.h"
#include "core/core.h"
#include "core/log.h"
#include "diag/diag.h"
#include "fork/fork.h"
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
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
	void *dso;		/* __dso_handle, or NULL (old pthread_atfork) */
	void *base;		/* load address of the object with the code */
	int dead;
};

static struct handler first_chunk[CHUNK];
static struct handler *chunks[MAX_CHUNKS] = { first_chunk };
/* In .data: every exit reads it (__cxa_finalize), and in .bss that read
 * would fault in a page of its own. */
FS_START_DATA static unsigned count;	/* entries in use */
static unsigned ndead;		/* of which dead: reclaimed by add() */
static int have_compat;		/* an entry without a DSO handle was added */
static int reg_lock;
static int iterating;		/* forks running handlers */
static int compacting;		/* add() is moving entries */

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

/* A fork about to run handlers: entries stay where they are until
 * leave_handlers.  Waits only while add() moves entries (a few copies,
 * with signals blocked: a signal handler of that thread cannot fork
 * into this wait). */
static void enter_handlers(void)
{
	for (;;) {
		__atomic_add_fetch(&iterating, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&compacting, __ATOMIC_SEQ_CST))
			return;
		__atomic_sub_fetch(&iterating, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&compacting, __ATOMIC_ACQUIRE))
			sched_yield();
	}
}

static void leave_handlers(void)
{
	__atomic_sub_fetch(&iterating, 1, __ATOMIC_RELEASE);
}

/* Moves the live entries down over the dead ones, in order, if no fork
 * is running handlers.  Called with reg_lock held. */
static void compact(void)
{
	sigset_t all, old;
	unsigned to = 0;

	sigfillset(&all);
	if (pthread_sigmask(SIG_BLOCK, &all, &old) != 0)
		return;
	__atomic_store_n(&compacting, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&iterating, __ATOMIC_SEQ_CST) == 0) {
		for (unsigned from = 0; from < count; from++)
			if (!entry(from)->dead) {
				if (to != from)
					*entry(to) = *entry(from);
				to++;
			}
		__atomic_store_n(&count, to, __ATOMIC_RELEASE);
		ndead = 0;
	}
	__atomic_store_n(&compacting, 0, __ATOMIC_RELEASE);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Unused in a ThreadSanitizer build (libc keeps the handlers there). */
static __attribute__((unused)) int add(void (*prepare)(void), void (*parent)(void),
				       void (*child)(void), void *dso, void *base)
{
	int r = 0;

	lock();
	if (ndead)
		compact();
	if (count % CHUNK == 0 && count / CHUNK >= 1 && !chunks[count / CHUNK]) {
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
	*entry(count) = (struct handler){ prepare, parent, child, dso, base, 0 };
	__atomic_store_n(&count, count + 1, __ATOMIC_RELEASE);
out:
	unlock();
	return r;
}

#if defined(FS_TSAN)
/* Under ThreadSanitizer the registry hands every registration to libc:
 * the sanitizer's runtime registers its own handlers while it starts,
 * before it can run instrumented code (this function must not be), and
 * expects libc to run them inside the fork its interceptor makes. */
__attribute__((no_sanitize_thread)) static int libc_register(void (*prepare)(void),
							     void (*parent)(void),
							     void (*child)(void), void *dso)
{
	static int (*real)(void (*)(void), void (*)(void), void (*)(void), void *);
	if (!real)
		real = (int (*)(void (*)(void), void (*)(void), void (*)(void), void *))
			dlsym(RTLD_NEXT, "__register_atfork");
	return real ? real(prepare, parent, child, dso) : ENOMEM;
}

FS_EXPORT __attribute__((no_sanitize_thread)) int
__register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso)
{
	return libc_register(prepare, parent, child, dso);
}

FS_EXPORT __attribute__((no_sanitize_thread)) int
pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	return libc_register(prepare, parent, child, NULL);
}
#else
FS_EXPORT int __register_atfork(void (*prepare)(void), void (*parent)(void),
				void (*child)(void), void *dso)
{
	return add(prepare, parent, child, dso, NULL);
}
#endif

/* The load address of the object holding addr, or NULL. */
static void *object_base(const void *addr)
{
	Dl_info info;
	return addr && dladdr(addr, &info) ? info.dli_fbase : NULL;
}

#if !defined(FS_TSAN)
/* The compat pthread_atfork@GLIBC_2.2.5 of old binaries: no DSO handle;
 * the object is found from the handler addresses (before reg_lock). */
FS_EXPORT int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	void *base = object_base((void *)(prepare ? prepare : parent ? parent : child));
	if (base)
		__atomic_store_n(&have_compat, 1, __ATOMIC_RELEASE);
	return add(prepare, parent, child, NULL, base);
}
#endif

/* ---- libc's __cxa_finalize ----
 * Every process calls the wrapper below at exit (each executable and
 * library built as position-independent code calls __cxa_finalize from
 * its destructor), so finding the real function must cost little: a
 * dlsym there (and the first call of dlsym itself) was the largest part
 * of what the module added to /bin/true.  It is found as dlsym(RTLD_NEXT)
 * finds it: in the first object loaded after this one that defines it,
 * looked up in that object's GNU hash table.  The objects are walked
 * from this module's own link map where the dynamic loader left it for
 * lazy binding (x86_64: the second word of .got.plt, checked to be ours
 * by its dynamic section), else with dl_iterate_phdr.  An object
 * without a GNU hash table, or whose definition is not a plain
 * function, is left to dlsym (REAL). */
struct next_def {
	const char *name;
	uint32_t hash;		/* GNU hash of name */
	int give_up;		/* leave it to dlsym */
	void *found;
};

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static int same_name(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Looks q->name up in the object loaded at base with dynamic section
 * dyn; nonzero when the search ends there (found, or given up). */
static int lookup_in(uintptr_t base, const ElfW(Dyn) *dyn, struct next_def *q)
{
	const uint32_t *gh = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const ElfW(Half) *versym = NULL;

	/* glibc relocates the addresses of a writable dynamic section in
	 * place (x86_64), not those of a read-only one. */
#define DYN_ADDR(p) ((p) < base ? base + (p) : (p))
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_GNU_HASH)
			gh = (const uint32_t *)DYN_ADDR(dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_SYMTAB)
			symtab = (const ElfW(Sym) *)DYN_ADDR(dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			strtab = (const char *)DYN_ADDR(dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_VERSYM)
			versym = (const ElfW(Half) *)DYN_ADDR(dyn->d_un.d_ptr);
	}
#undef DYN_ADDR
	if (!symtab || !strtab)
		return 0;	/* exports nothing */
	if (!gh) {
		q->give_up = 1;
		return 1;
	}

	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2], shift = gh[3];
	const ElfW(Addr) *bloom = (const ElfW(Addr) *)(gh + 4);
	const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
	const uint32_t *chain = buckets + nbuckets;
	const unsigned bits = sizeof(ElfW(Addr)) * 8;
	ElfW(Addr) mask = (ElfW(Addr))1 << (q->hash % bits) |
			  (ElfW(Addr))1 << ((q->hash >> shift) % bits);

	if (!nbuckets || !bloom_size || (bloom[(q->hash / bits) % bloom_size] & mask) != mask)
		return 0;
	for (uint32_t i = buckets[q->hash % nbuckets]; i >= symoffset; i++) {
		uint32_t h = chain[i - symoffset];
		const ElfW(Sym) *sym = &symtab[i];
		/* A hidden version (versym bit 15) is not what dlsym gives. */
		if ((h | 1) == (q->hash | 1) && sym->st_shndx != SHN_UNDEF &&
		    same_name(strtab + sym->st_name, q->name) && !(versym && (versym[i] & 0x8000))) {
			unsigned bind = sym->st_info >> 4, type = sym->st_info & 0xf;
			if (type != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK))
				q->give_up = 1;
			else
				q->found = (void *)(base + sym->st_value);
			return 1;
		}
		if (h & 1)
			break;
	}
	return 0;
}

extern ElfW(Dyn) _DYNAMIC[] FS_HIDDEN;

/* Through this module's link map: 0 when it is not to be had. */
static int find_by_link_map(struct next_def *q)
{
#if defined(__x86_64__)
	extern void *_GLOBAL_OFFSET_TABLE_[] FS_HIDDEN;
	/* Zero when the loader binds everything at start-up (LD_BIND_NOW). */
	const struct link_map *self = _GLOBAL_OFFSET_TABLE_[1];

	if (!self || self->l_ld != _DYNAMIC)
		return 0;
	/* Read without the loader's lock: the module is preloaded, so the
	 * objects from here to libc were loaded with the program and are
	 * never unloaded; dlopen'ed objects come after libc in the list, and
	 * the walk stops at libc.  (A module itself dlopen'ed would find libc
	 * before it, walk the objects loaded after it, find nothing there in
	 * general, and fall back to dlsym.) */
	for (const struct link_map *l = self->l_next; l; l = l->l_next)
		if (lookup_in(l->l_addr, l->l_ld, q))
			break;
	return 1;
#else
	(void)q;
	return 0;
#endif
}

struct next_walk {
	struct next_def *q;
	int after;		/* this module has been passed */
};

static int find_next(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct next_walk *w = arg;
	const ElfW(Dyn) *dyn = NULL;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	if (!w->after) {
		w->after = dyn == _DYNAMIC;
		return 0;
	}
	return lookup_in(info->dlpi_addr, dyn, w->q);
}

/* Found once; concurrent finders store the same pointer. */
static void (*libc_finalize(void))(void *)
{
	FS_START_DATA static void *real;	/* in .data: see count */
	void *p = __atomic_load_n(&real, __ATOMIC_ACQUIRE);

	if (!p) {
		struct next_def q = { "__cxa_finalize", gnu_hash("__cxa_finalize"), 0, NULL };
		if (!find_by_link_map(&q)) {
			struct next_walk w = { &q, 0 };
			dl_iterate_phdr(find_next, &w);
		}
		if (!q.found || q.give_up)
			return REAL(__cxa_finalize);
		p = q.found;
		__atomic_store_n(&real, p, __ATOMIC_RELEASE);
	}
	union { void *obj; void (*fn)(void *); } u = { .obj = p };
	return u.fn;
}

/* An object's destructors are running (dlclose, or exit): its handlers
 * are never called again. */
FS_EXPORT void __cxa_finalize(void *dso)
{
	void (*real)(void *) = libc_finalize();
	if (dso && __atomic_load_n(&count, __ATOMIC_ACQUIRE)) {
		/* Entries without a DSO handle are known by the object's load
		 * address; dladdr runs before reg_lock, never under it. */
		void *base = __atomic_load_n(&have_compat, __ATOMIC_ACQUIRE) ? object_base(dso) : NULL;
		lock();
		for (unsigned i = 0; i < count; i++) {
			struct handler *h = entry(i);
			if (h->dead)
				continue;
			if (h->dso == dso || (!h->dso && h->base && h->base == base)) {
				__atomic_store_n(&h->dead, 1, __ATOMIC_RELEASE);
				ndead++;
			}
		}
		unlock();
	}
	real(dso);
}

/* How many entries there are (for the mt-fork report and to decide
 * whether prepare has anything to do).  Writes nothing: every page
 * written around a fork costs a copy-on-write fault. */
unsigned fs_atfork_snapshot(void)
{
	return __atomic_load_n(&count, __ATOMIC_ACQUIRE);
}

/* ---- running the handlers ---- */

/* A prepare handler that blocks longer than FORKSAFE_ATFORK_TIMEOUT is
 * reported while it blocks, from a watchdog thread that lives only while
 * the prepare handlers run (diagnostic mode, handlers present).  The
 * watchdog is detached and its state static, never waited for: it
 * symbolizes, which takes the loader's lock, and a prepare handler that
 * dlopens must not wait for it.
 * A few slots do: a fork with handlers rarely overlaps another. */
struct watch {
	sem_t done;
	void (*volatile fn)(void);	/* the prepare handler running */
	volatile unsigned current;	/* its turn, from 1 */
	unsigned reported;
	int busy;
};

static struct watch watches[4];

static void report_slow(void (*fn)(void), unsigned seconds)
{
	struct fs_event ev;
	fs_ev_begin(&ev, "atfork-slow");
	fs_ev_code(&ev, "handler", (uintptr_t)fn);
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
			break;
		unsigned cur = w->current;
		if (errno == ETIMEDOUT && cur && cur != w->reported) {
			report_slow(w->fn, fs_cfg.atfork_timeout);
			w->reported = cur;
		}
	}
	sem_destroy(&w->done);
	__atomic_store_n(&w->busy, 0, __ATOMIC_RELEASE);
	return NULL;
}

static struct watch *start_watchdog(unsigned n)
{
	pthread_attr_t attr;
	pthread_t tid;
	int live = 0, ok;

	for (unsigned i = 0; i < n && !live; i++)
		live = !entry(i)->dead && entry(i)->prepare;
	if (!live)
		return NULL;
	for (unsigned i = 0; i < sizeof watches / sizeof watches[0]; i++) {
		struct watch *w = &watches[i];
		if (__atomic_exchange_n(&w->busy, 1, __ATOMIC_ACQUIRE))
			continue;
		w->fn = NULL;
		w->current = w->reported = 0;
		if (sem_init(&w->done, 0, 0) != 0) {
			w->busy = 0;
			return NULL;
		}
		ok = pthread_attr_init(&attr) == 0;
		ok = ok && pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
		     REAL(pthread_create)(&tid, &attr, watchdog, w) == 0;
		pthread_attr_destroy(&attr);
		if (ok)
			return w;
		sem_destroy(&w->done);
		__atomic_store_n(&w->busy, 0, __ATOMIC_RELEASE);
		return NULL;
	}
	return NULL;
}

/* Runs the prepare handlers; returns how many entries the fork covers
 * (those that existed now: glibc too skips handlers registered during a
 * fork).  fs_atfork_parent or fs_atfork_child must follow. */
unsigned fs_atfork_prepare(void)
{
	struct watch *w = NULL;
	unsigned n;

	enter_handlers();
	n = __atomic_load_n(&count, __ATOMIC_ACQUIRE);
	if (fs_cfg.diag && fs_cfg.atfork_timeout > 0)
		w = start_watchdog(n);
	for (unsigned i = n; i-- > 0;) {
		struct handler *h = entry(i);
		if (__atomic_load_n(&h->dead, __ATOMIC_ACQUIRE) || !h->prepare)
			continue;
		if (w) {
			w->fn = h->prepare;
			w->current = n - i;
		}
		h->prepare();
	}
	if (w)
		sem_post(&w->done);
	return n;
}

void fs_atfork_parent(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!__atomic_load_n(&entry(i)->dead, __ATOMIC_ACQUIRE) && entry(i)->parent)
			entry(i)->parent();
	leave_handlers();
}

/* In the child, which has one thread: the lock, the counts and the
 * watchdogs of the parent's other threads are gone. */
void fs_atfork_child(unsigned n)
{
	reg_lock = 0;
	compacting = 0;
	iterating = 0;
	for (unsigned i = 0; i < sizeof watches / sizeof watches[0]; i++)
		watches[i].busy = 0;
	for (unsigned i = 0; i < n; i++)
		if (!entry(i)->dead && entry(i)->child)
			entry(i)->child();
}

/* For the mt-fork report: "prepare=... parent=... child=..." per live
 * entry, at most LISTED.  The entries are copied under reg_lock and
 * symbolized after it (dladdr takes the loader's lock). */
#define LISTED 64
void fs_ev_atfork(struct fs_event *ev, unsigned n)
{
	struct handler copy[LISTED];
	unsigned k = 0, more = 0;

	lock();
	if (n > count)
		n = count;
	for (unsigned i = 0; i < n; i++) {
		if (entry(i)->dead)
			continue;
		if (k < LISTED)
			copy[k++] = *entry(i);
		else
			more++;
	}
	unlock();
	fs_ev_list_begin(ev, "atfork");
	for (unsigned i = 0; i < k; i++) {
		struct handler *h = &copy[i];
		void (*fns[3])(void) = { h->prepare, h->parent, h->child };
		static const char *const names[3] = { "prepare", "parent", "child" };
		char mem[768];
		struct fs_sbuf b;

		fs_sb_init(&b, mem, sizeof mem);
		for (int f = 0; f < 3; f++) {
			if (f)
				fs_sb_char(&b, ' ');
			fs_sb_str(&b, names[f]);
			fs_sb_char(&b, '=');
			if (fns[f])
				fs_symbolize_code((uintptr_t)fns[f], &b);
			else
				fs_sb_str(&b, "none");
		}
		fs_ev_list_item(ev, fs_sb_cstr(&b));
	}
	if (more) {
		char mem[64];
		struct fs_sbuf b;
		fs_sb_init(&b, mem, sizeof mem);
		fs_sb_str(&b, "and ");
		fs_sb_udec(&b, more);
		fs_sb_str(&b, " more");
		fs_ev_list_item(ev, fs_sb_cstr(&b));
	}
	fs_ev_list_end(ev);
}

/* forksafe: what a watched child wrote of its memory before exec (auto
 * mode, autofork.c).
 *
 * A redirected child runs in its parent's memory: whatever it writes,
 * the parent finds written (CPython's child rewrites the interpreter's
 * state after fork; a child that calls malloc or printf changes the
 * allocator's or stdio's).  A real fork's child writes its own copy, so
 * auto mode learns it from the children it watches: when a child starts
 * (the end of fork in the child, after the atfork handlers) each private
 * writable mapping of the process is summed, and summed again when the
 * child execs; a mapping whose sum changed, or that went away, vetoes the
 * site.  Left out, because a redirected child's writes there never reach
 * the parent: the forking thread's stack and static TLS (spawnfork.c
 * copies them back), forksafe's own data and fd table (a redirected child
 * writes neither), shared mappings (a real fork shares them too), and the
 * globals spawnfork.c puts back after every redirected child (environ:
 * libuv's child assigns it before exec), and each object's table of
 * lazily bound functions (.got.plt: a child's first call of a function
 * writes there what its parent's would) with the dynamic loader's own
 * data (the lookup counts it keeps there).  Pages never touched read as
 * zeros and pages of a private file mapping nobody wrote are the file's
 * (/proc/self/pagemap says which), so a child that only reads them
 * changes nothing.
 *
 * Each sum costs a read of /proc/self/maps, of the pagemap of the
 * mappings counted, and of every page of the process's own in them: once at the start and once at the
 * exec of a watched child, only while its site is learning (a few
 * children per site).  Async-signal-safe: system calls only, no lock, no
 * allocation (the child of a threaded fork may have orphaned the
 * allocator's). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "fork/fork.h"
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

#if defined(__x86_64__)

#define PAGE 4096u
#define REGIONS 4096

struct region {
	uintptr_t lo, hi;
	uint64_t sum;
};

/* The child's own copy: forksafe's data is left out of the sums. */
static struct region regions[REGIONS];
static unsigned nregions;
static int started;
static const char *cannot;	/* why the memory cannot be watched */
/* AddressSanitizer is in the process (found in the parent): its shadow
 * memory, [0x7fff8000, 0x10007fff8000) on x86_64 Linux, is terabytes of
 * reservation, and follows the memory it describes, which is summed. */
static int asan;
#define ASAN_SHADOW_LO 0x7fff8000u
#define ASAN_SHADOW_HI 0x10007fff8000u
/* A mapping larger than this (1 TiB) is a reservation too large to read
 * the pagemap of: the child is not watched then. */
#define MAX_PAGES ((uintptr_t)1 << 28)
static uintptr_t tls_lo, tls_hi;	/* the static TLS, page-aligned */
static uint64_t zero_sum;
static char zeros[PAGE] __attribute__((aligned(64)));

/* Memory left out word by word: the kept globals, then the lazy-binding
 * tables found in the parent (fs_childmem_prepare). */
#define SKIPS 512
static struct fs_kept skips[SKIPS];
static unsigned nskips;

static int got_range(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t pltgot = 0, relsz = 0;
	const ElfW(Dyn) *d = NULL;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC)
			d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
		/* the dynamic loader's writable data */
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) &&
		    info->dlpi_addr == *(const uintptr_t *)arg && nskips < SKIPS) {
			skips[nskips].addr = info->dlpi_addr + ph->p_vaddr;
			skips[nskips].size = ph->p_memsz;
			nskips++;
		}
	}
	for (; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_PLTGOT)
			pltgot = d->d_un.d_ptr;	/* glibc has relocated it */
		else if (d->d_tag == DT_PLTRELSZ)
			relsz = d->d_un.d_val;
	}
	if (pltgot && relsz && nskips < SKIPS) {
		/* three reserved entries, then one per PLT relocation */
		skips[nskips].addr = pltgot;
		skips[nskips].size = (3 + relsz / sizeof(ElfW(Rela))) * sizeof(void *);
		nskips++;
	}
	return nskips == SKIPS;
}

void fs_childmem_prepare(void)
{
	struct fs_kept k;
	uintptr_t loader = getauxval(AT_BASE);

	asan = dlsym(RTLD_DEFAULT, "__asan_init") != NULL;
	nskips = 0;
	for (unsigned i = 0; fs_kept_global(i, &k) && nskips < SKIPS; i++)
		skips[nskips++] = k;
	dl_iterate_phdr(got_range, &loader);
}

/* The pages read are anyone's: a sanitizer must not check the reads
 * (heap redzones are poisoned) nor the memory's shadow. */
static FS_NO_ASAN uint64_t page_sum(const unsigned char *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t a = 0x9e3779b97f4a7c15u, b = 0xc2b2ae3d27d4eb4fu;

	for (unsigned i = 0; i < PAGE / 8; i += 2) {
		a = (a ^ w[i]) * 0x100000001b3u;
		b = (b ^ w[i + 1]) * 0x100000001b3u;
	}
	return a ^ (b >> 1);
}

/* A page holding one of the globals spawnfork.c puts back: summed with
 * them as zeros. */
static FS_NO_ASAN uint64_t page_sum_kept(uintptr_t page)
{
	unsigned char copy[PAGE] __attribute__((aligned(8)));
	const volatile unsigned char *src = (const volatile unsigned char *)page;

	for (unsigned i = 0; i < PAGE; i++)	/* no memcpy: unchecked */
		copy[i] = src[i];
	for (unsigned i = 0; i < nskips; i++) {
		uintptr_t lo = skips[i].addr, hi = lo + skips[i].size;
		if (lo < page)
			lo = page;
		if (hi > page + PAGE)
			hi = page + PAGE;
		if (lo < hi)
			memset(copy + (lo - page), 0, hi - lo);
	}
	return page_sum(copy);
}

static int page_has_kept(uintptr_t page)
{
	for (unsigned i = 0; i < nskips; i++)
		if (skips[i].addr < page + PAGE && page < skips[i].addr + skips[i].size)
			return 1;
	return 0;
}

/* The sum of [lo, hi).  Only pages of the process's own (present or
 * swapped, and not the file's page: bits 62-63 and 61 of the pagemap)
 * are read: a page never touched reads as zeros, a page of a private
 * file mapping nobody wrote is the file's (reading it could even fault,
 * past the end of a truncated file), and a page written becomes one of
 * the process's own.  Without the pagemap every page is read. */
static uint64_t region_sum(uintptr_t lo, uintptr_t hi, long pagemap)
{
	uint64_t sum = 0x243f6a8885a308d3u, map[512];
	uintptr_t p = lo;
	int have_map = pagemap >= 0;

	while (p < hi) {
		size_t n = (hi - p) / PAGE, got;
		if (n > 512)
			n = 512;
		got = n;
		if (have_map) {
			long r = fs_raw_syscall(SYS_pread64, pagemap, (long)map, (long)(n * 8),
						(long)(p / PAGE * 8), 0, 0);
			if (r <= 0)
				have_map = 0;
			else
				got = (size_t)r / 8;
		}
		for (size_t i = 0; i < got; i++, p += PAGE) {
			uint64_t s;
			if (have_map && (!(map[i] >> 62) || (map[i] >> 61 & 1)))
				s = zero_sum;
			else if (p >= tls_lo && p < tls_hi)
				s = 0;
			else
				s = page_has_kept(p) ? page_sum_kept(p) : page_sum((const void *)p);
			sum = (sum ^ s) * 0x100000001b3u + 1;
		}
	}
	return sum;
}

/* ---- /proc/self/maps, read with system calls ---- */

struct mapping {
	uintptr_t lo, hi;
	char perms[4];
	unsigned long inode;
	const char *path;	/* "" for anonymous memory */
};

static unsigned long hex(const char **s)
{
	unsigned long v = 0;
	for (;; (*s)++) {
		char c = **s;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return v;
		v = v << 4 | (unsigned long)d;
	}
}

static void skip_field(const char **s)
{
	while (**s && **s != ' ')
		(*s)++;
	while (**s == ' ')
		(*s)++;
}

static int parse(const char *line, struct mapping *m)
{
	const char *s = line;
	m->lo = hex(&s);
	if (*s++ != '-')
		return -1;
	m->hi = hex(&s);
	if (*s++ != ' ' || strlen(s) < 5)
		return -1;
	memcpy(m->perms, s, 4);
	s += 5;
	skip_field(&s);	/* offset */
	skip_field(&s);	/* device */
	m->inode = 0;
	while (*s >= '0' && *s <= '9')
		m->inode = m->inode * 10 + (unsigned long)(*s++ - '0');
	while (*s == ' ')
		s++;
	m->path = s;
	return 0;
}

/* Calls fn for each mapping; stops when fn returns nonzero.  -1 when
 * the file cannot be read. */
static int each_mapping(int (*fn)(const struct mapping *, void *), void *arg)
{
	char buf[4096], line[512];
	size_t len = 0;
	int stop = 0;
	long fd = fs_raw_syscall(SYS_openat, AT_FDCWD, (long)"/proc/self/maps",
				 O_RDONLY | O_CLOEXEC, 0, 0, 0), n;

	if (fd < 0)
		return -1;
	while (!stop && (n = fs_raw_syscall(SYS_read, fd, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
		for (long i = 0; i < n && !stop; i++) {
			struct mapping m;
			if (buf[i] != '\n') {
				if (len < sizeof line - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if (parse(line, &m) == 0)
				stop = fn(&m, arg);
		}
	}
	fs_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	return 0;
}

/* ---- which mappings count ---- */

struct walk {
	uintptr_t stack;	/* an address on the forking thread's stack */
	uintptr_t self;		/* an address in forksafe's code */
	unsigned long self_inode;	/* forksafe's file, once seen */
	uintptr_t prev_hi;	/* the previous mapping */
	int prev_self;		/* ...was forksafe's */
	long pagemap;
	unsigned at;		/* check: the next region to compare */
	int changed;
	const char *what;
};

/* A private writable mapping whose writes a redirected child would
 * leave in its parent. */
static int counts(const struct mapping *m, struct walk *w)
{
	int self = (w->self_inode && m->inode == w->self_inode) ||
		   (w->self >= m->lo && w->self < m->hi);
	int anon_tail = !m->inode && m->lo == w->prev_hi && w->prev_self;

	if (self && m->inode)
		w->self_inode = m->inode;
	w->prev_hi = m->hi;
	w->prev_self = self;
	if (self || anon_tail)
		return 0;	/* forksafe's own code, data and bss */
	if (m->perms[0] != 'r' || m->perms[1] != 'w' || m->perms[3] != 'p')
		return 0;
	if (w->stack >= m->lo && w->stack < m->hi)
		return 0;
	if (fs_fdtable_mapping(m->lo, m->hi))
		return 0;
	if (asan && m->lo >= ASAN_SHADOW_LO && m->hi <= ASAN_SHADOW_HI)
		return 0;
	return 1;
}

static int record(const struct mapping *m, void *arg)
{
	struct walk *w = arg;

	if (!counts(m, w))
		return 0;
	if (nregions == REGIONS) {
		cannot = "more mappings than auto mode watches";
		return 1;
	}
	if ((m->hi - m->lo) / PAGE > MAX_PAGES) {
		cannot = "a mapping too large to watch";
		return 1;
	}
	regions[nregions].lo = m->lo;
	regions[nregions].hi = m->hi;
	regions[nregions].sum = region_sum(m->lo, m->hi, w->pagemap);
	nregions++;
	return 0;
}

static int compare(const struct mapping *m, void *arg)
{
	struct walk *w = arg;
	struct region *r;

	if (!counts(m, w))
		return 0;
	/* Mappings come in address order: a region passed over is gone. */
	while (w->at < nregions && regions[w->at].hi <= m->lo) {
		w->changed = 1;
		w->what = "a mapping it unmapped";
		return 1;
	}
	if (w->at == nregions || regions[w->at].lo >= m->hi)
		return 0;	/* new since the start: the child's own */
	r = &regions[w->at++];
	if (r->lo != m->lo || r->hi != m->hi) {
		w->changed = 1;
		w->what = *m->path ? m->path : "memory whose mapping it changed";
		return 1;
	}
	if (region_sum(m->lo, m->hi, w->pagemap) != r->sum) {
		w->changed = 1;
		w->what = *m->path ? m->path : "[anonymous memory]";
		return 1;
	}
	return 0;
}

static void walk_init(struct walk *w)
{
	memset(w, 0, sizeof *w);
	w->stack = (uintptr_t)__builtin_frame_address(0);
	w->self = (uintptr_t)&walk_init;
	w->pagemap = fs_raw_syscall(SYS_openat, AT_FDCWD, (long)"/proc/self/pagemap",
				    O_RDONLY | O_CLOEXEC, 0, 0, 0);
}

static void walk_end(struct walk *w)
{
	if (w->pagemap >= 0)
		fs_raw_syscall(SYS_close, w->pagemap, 0, 0, 0, 0, 0);
}

void fs_childmem_start(size_t tls_size)
{
	struct walk w;
	uintptr_t tp;

	__asm__("movq %%fs:0, %0" : "=r"(tp));
	tls_lo = (tp - tls_size) & ~(uintptr_t)(PAGE - 1);
	tls_hi = (tp + 2 * PAGE) & ~(uintptr_t)(PAGE - 1);
	zero_sum = page_sum((const unsigned char *)zeros);
	nregions = 0;
	cannot = NULL;
#if defined(FS_TSAN)
	/* Its shadow is terabytes; and no fork is redirected under it. */
	cannot = "a ThreadSanitizer build";
	return;
#endif
	walk_init(&w);
	if (each_mapping(record, &w) != 0 && !cannot)
		cannot = "/proc/self/maps cannot be read";
	walk_end(&w);
	started = !cannot;
}

const char *fs_childmem_changed(void)
{
	struct walk w;
	static char what[160];
	struct fs_sbuf b;

	fs_sb_init(&b, what, sizeof what);
	if (!started) {
		fs_sb_str(&b, "could not be watched: ");
		fs_sb_str(&b, cannot ? cannot : "its memory could not be read");
		return fs_sb_cstr(&b);
	}
	walk_init(&w);
	each_mapping(compare, &w);
	walk_end(&w);
	if (!w.changed && w.at < nregions) {
		w.changed = 1;
		w.what = "a mapping it unmapped";
	}
	started = 0;
	if (!w.changed)
		return NULL;
	fs_sb_str(&b, "wrote memory before exec: ");
	fs_sb_str(&b, w.what);
	return fs_sb_cstr(&b);
}

#else

void fs_childmem_prepare(void)
{
}

void fs_childmem_start(size_t tls_size)
{
	(void)tls_size;
}

const char *fs_childmem_changed(void)
{
	return NULL;
}

#endif

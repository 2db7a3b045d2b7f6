/* forksafe: the real libc functions (core/real.h says how the module
 * calls them).
 *
 * Each slot is bound on first use after start-up with dlsym(RTLD_NEXT)
 * (dlvsym where libc has several versions of a name), so another
 * preloaded shim after forksafe still sees the calls, and start-up pays
 * only for the symbols the program uses.  A slot is never filled before
 * fs_init is done (bind_slot): a bound slot tells a wrapper's fast path
 * that start-up has run.  Binding takes no lock of ours: concurrent binders
 * store the same pointer.  dlsym does not allocate when it finds the
 * name (it does when it fails, to keep the error message: only a name
 * this libc lacks gets there).  A thread-local flag catches the one
 * recursion that could loop forever: dlsym calling an allocator that
 * opens a file, whose wrapper would bind again; that call takes the
 * row's fallback.  Async-signal-safe once every slot is bound
 * (fs_bind_all). */
#include "config.h"
#include "core/core.h"
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

/* In .data: a process that binds anything (every exit binds
 * __cxa_finalize) would otherwise fault in a .bss page for it. */
FS_START_DATA struct fs_real fs_real;

/* The fallbacks of the table's last column: forksafe's own (OWN, in the
 * file of the wrapper), or one made here that fails as "not
 * implemented".  A made one takes no parameters: it is called through
 * the real function's type, whose arguments it ignores (a caller-cleaned
 * call on every ABI the module builds for). */
#define OWN(name, ret, params) ret FS_FALLBACK(name) params FS_HIDDEN;
#define NOSYS_INT(name, ret, params) \
	static ret FS_FALLBACK(name)(void) { errno = ENOSYS; return (ret)-1; }
#define NOSYS_PTR(name, ret, params) \
	static ret FS_FALLBACK(name)(void) { errno = ENOSYS; return NULL; }
#define NOSYS_ERR(name, ret, params) \
	static ret FS_FALLBACK(name)(void) { return ENOSYS; }
#define NOSYS_SIG(name, ret, params) \
	static ret FS_FALLBACK(name)(void) { errno = ENOSYS; return SIG_ERR; }
#define NOSYS_VOID(name, ret, params) static ret FS_FALLBACK(name)(void) { }
#define FS_X(name, ret, params, ver, kind, sys, fallback) fallback(name, ret, params)
FS_CALLS(FS_X)
#undef FS_X

/* The table, without a pointer in it: every pointer in static data is a
 * relocation the loader makes at start-up in every process, for nothing
 * until a call needs it.  Names and versions are offsets into one block
 * of strings; a row's slot is its index in fs_real (one pointer-sized
 * union per row, in the table's order); fallbacks come from a switch. */
static const struct strings {
#define FS_X(n, ret, params, ver, kind, sys, fallback) \
	char name_##n[sizeof #n]; char ver_##n[sizeof ver];
	FS_CALLS(FS_X)
#undef FS_X
} strings = {
#define FS_X(n, ret, params, ver, kind, sys, fallback) #n, ver,
	FS_CALLS(FS_X)
#undef FS_X
};

static const struct {
	unsigned short name, version;	/* offsets in strings; version: "" is the default */
	unsigned char kind;		/* enum fs_call_kind */
} syms[FS_ID_COUNT] = {
#define FS_X(n, ret, params, ver, kind, sys, fallback) \
	[FS_ID_##n] = { offsetof(struct strings, name_##n), offsetof(struct strings, ver_##n), \
			FS_KIND_##kind },
	FS_CALLS(FS_X)
#undef FS_X
};

_Static_assert(sizeof(struct strings) < 65536, "the offsets fit in 16 bits");
_Static_assert(sizeof(struct fs_real) == FS_ID_COUNT * sizeof(void *),
	       "one pointer-sized slot per row, in the table's order");

static void **slot_of(enum fs_call_id id)
{
	return (void **)&fs_real + id;
}

static const char *string_at(unsigned off)
{
	return (const char *)&strings + off;
}

static void *fallback_of(enum fs_call_id id)
{
	switch (id) {
#define FS_X(n, ret, params, ver, kind, sys, fallback) \
	case FS_ID_##n: return (void *)FS_FALLBACK(n);
	FS_CALLS(FS_X)
#undef FS_X
	default: return NULL;
	}
}

static __thread int binding __attribute__((tls_model("initial-exec")));

/* "posix_spawn_compat" names the GLIBC_2.2.5 posix_spawn: the slot name
 * without its suffix. */
static const char *symbol_name(const char *slot, char *buf, size_t n)
{
	static const char suffix[] = "_compat";
	size_t len = 0;

	/* No strstr: this runs at exit in every process (__cxa_finalize),
	 * and a first call through the PLT costs a symbol lookup. */
	while (slot[len])
		len++;
	if (len < sizeof suffix || len - (sizeof suffix - 1) >= n)
		return slot;
	len -= sizeof suffix - 1;
	for (size_t i = 0; i < sizeof suffix - 1; i++)
		if (slot[len + i] != suffix[i])
			return slot;
	for (size_t i = 0; i < len; i++)
		buf[i] = slot[i];
	buf[len] = '\0';
	return buf;
}

/* Looks the real function up, or NULL (from inside dlsym, or a name
 * this libc lacks). */
static void *lookup(enum fs_call_id id)
{
	char buf[32];
	const char *version = string_at(syms[id].version);
	void *p;

	if (binding || syms[id].kind == FS_KIND_SYSONLY)
		return NULL;
	binding = 1;
	const char *name = symbol_name(string_at(syms[id].name), buf, sizeof buf);
	if (*version)
		p = dlvsym(RTLD_NEXT, name, version);
	else
		p = dlsym(RTLD_NEXT, name);
	binding = 0;
	return p;
}

/* A slot is filled only once start-up is done, so a wrapper that finds
 * its slot bound knows start-up has run too (FS_FAST: one test on the
 * path of every call).  Before that, each call looks its function up
 * again: only the calls made before the constructor, or while fs_init
 * runs, do. */
static void *bind_slot(enum fs_call_id id)
{
	void *p = __atomic_load_n(slot_of(id), __ATOMIC_ACQUIRE);

	if (p || !(p = lookup(id)))
		return p;
	if (__atomic_load_n(&fs_ready, __ATOMIC_ACQUIRE))
		__atomic_store_n(slot_of(id), p, __ATOMIC_RELEASE);
	return p;
}

int fs_bind(enum fs_call_id id)
{
	return bind_slot(id) != NULL;
}

void *fs_bind_get(enum fs_call_id id)
{
	void *p = bind_slot(id);
	return p ? p : fallback_of(id);
}

void fs_bind_all(void)
{
	static volatile int all_bound;
	if (all_bound || !__atomic_load_n(&fs_ready, __ATOMIC_ACQUIRE))
		return;
	for (int id = 0; id < FS_ID_COUNT; id++)
		fs_bind((enum fs_call_id)id);
	all_bound = 1;
}

const char *fs_call_name(unsigned id)
{
	return id < FS_ID_COUNT ? string_at(syms[id].name) : "unknown";
}

/* forksafe: the real libc functions (core/real.h says how the module
 * calls them).
 *
 * Each slot is bound on first use with dlsym(RTLD_NEXT) (dlvsym where
 * libc has several versions of a name), so another preloaded shim after
 * forksafe still sees the calls, and start-up pays only for the symbols
 * the program uses.  Binding takes no lock of ours: concurrent binders
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
#include <string.h>

struct fs_real fs_real;

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

static const struct {
	const char *name;
	const char *version;
	void **slot;
	void *fallback;
	enum fs_call_kind kind;
} syms[FS_ID_COUNT] = {
#define FS_X(n, ret, params, ver, kind, sys, fallback) \
	[FS_ID_##n] = { #n, ver, &fs_real.n.obj, (void *)FS_FALLBACK(n), FS_KIND_##kind },
	FS_CALLS(FS_X)
#undef FS_X
};

static __thread int binding __attribute__((tls_model("initial-exec")));

/* "posix_spawn_compat" names the GLIBC_2.2.5 posix_spawn: the slot name
 * without its suffix. */
static const char *symbol_name(const char *slot, char *buf, size_t n)
{
	const char *suffix = strstr(slot, "_compat");
	size_t len = suffix ? (size_t)(suffix - slot) : strlen(slot);
	if (!suffix || len >= n)
		return slot;
	memcpy(buf, slot, len);
	buf[len] = '\0';
	return buf;
}

int fs_bind(enum fs_call_id id)
{
	char buf[32];
	void *p;

	if (*syms[id].slot)
		return 1;
	if (binding || syms[id].kind == FS_KIND_SYSONLY)
		return 0;
	binding = 1;
	const char *name = symbol_name(syms[id].name, buf, sizeof buf);
	if (syms[id].version)
		p = dlvsym(RTLD_NEXT, name, syms[id].version);
	else
		p = dlsym(RTLD_NEXT, name);
	binding = 0;
	if (!p)
		return 0;
	__atomic_store_n(syms[id].slot, p, __ATOMIC_RELEASE);
	return 1;
}

void *fs_bind_get(enum fs_call_id id)
{
	if (fs_bind(id))
		return __atomic_load_n(syms[id].slot, __ATOMIC_ACQUIRE);
	return syms[id].fallback;
}

void fs_bind_all(void)
{
	static volatile int all_bound;
	if (all_bound)
		return;
	for (int id = 0; id < FS_ID_COUNT; id++)
		fs_bind((enum fs_call_id)id);
	all_bound = 1;
}

const char *fs_call_name(unsigned id)
{
	return id < FS_ID_COUNT ? syms[id].name : "unknown";
}

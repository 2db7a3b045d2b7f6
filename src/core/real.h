/* forksafe: the real libc functions behind the wrappers (real.c).
 *
 * Inside the module, libc functions that forksafe also wraps are always
 * called through REAL(name), never by their public names, so wrappers
 * never recurse into each other. */
#ifndef FS_CORE_REAL_H
#define FS_CORE_REAL_H

#include "core/attr.h"
#include "core/calls.h"
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

struct termios;
struct winsize;
struct mmsghdr;
struct timespec;
struct file_handle;

/* One slot per real function.  The union keeps object and function
 * pointers apart without casts between them. */
struct fs_real {
#define FS_X(name, ret, params, ver, kind, sys, fallback) \
	union { void *obj; ret (*fn) params; } name;
	FS_CALLS(FS_X)
#undef FS_X
};
extern struct fs_real fs_real FS_HIDDEN;

/* The one way the module calls libc's functions: REAL(name)(args).
 *
 * It is never NULL.  The slot is bound on first use once start-up is
 * done (fs_bind; before that each use looks the function up, so a bound
 * slot also says start-up has run); when that cannot be done now, REAL
 * gives the row's fallback instead (the last
 * column of core/calls.h: the raw system call, a spinning lock, the
 * environment read directly, or "not implemented"), and binding is tried
 * again on the next call.  Binding fails only from inside dlsym (an
 * allocator that dlsym calls, opening a file or taking a lock: the
 * wrapper must not enter dlsym again) and for a name this libc lacks.
 * Binding never allocates, takes no lock and loads no library, so a
 * wrapper may run anywhere: before the constructor, inside another
 * library's constructor, inside an allocator's initialisation. */
#define REAL(name) ({ \
		void *p_ = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE); \
		if (FS_UNLIKELY(!p_)) \
			p_ = fs_bind_get(FS_ID_##name); \
		union { void *obj; __typeof__(fs_real.name.fn) fn; } u_ = { .obj = p_ }; \
		u_.fn; \
	})

/* The slot's function, binding it now if need be; the row's fallback
 * when it cannot be bound now.  Never NULL. */
void *fs_bind_get(enum fs_call_id id) FS_HIDDEN;
/* Binds one symbol (idempotent, lock-free, may run concurrently).
 * Returns 0 when it cannot be bound now. */
int fs_bind(enum fs_call_id id) FS_HIDDEN;
/* Binds every symbol, so that no later wrapper call needs dlsym: done
 * before the process forks or starts a thread, so a child after fork and
 * a signal handler in a threaded process never enter dlsym. */
void fs_bind_all(void) FS_HIDDEN;
/* The name of a row of the table ("open"): reports say which call
 * created an fd with it. */
const char *fs_call_name(unsigned id) FS_HIDDEN;
/* The name of a fallback function (OWN in the table). */
#define FS_FALLBACK(name) fs_fallback_##name

#endif

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
#define FS_X(name, ret, params, ver, kind, sys) union { void *obj; ret (*fn) params; } name;
	FS_CALLS(FS_X)
#undef FS_X
};
extern struct fs_real fs_real FS_HIDDEN;

/* Binds one symbol (idempotent, lock-free, may run concurrently).
 * Returns 0 when the symbol cannot be bound now (recursion from inside
 * dlsym, or libc lacks it). */
int fs_bind(enum fs_call_id id) FS_HIDDEN;
/* Binds every symbol, so that no later wrapper call needs dlsym: done
 * before the process forks or starts a thread. */
void fs_bind_all(void) FS_HIDDEN;

/* Returns the slot's pointer once bound (binding it now if need be), or
 * NULL when it cannot be bound (see fs_bind). */
void *fs_bind_get(enum fs_call_id id) FS_HIDDEN;
/* The name of a row of the table ("open"): reports say which call
 * created an fd with it. */
const char *fs_call_name(unsigned id) FS_HIDDEN;
#define REAL(name) ({ \
		void *p_ = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE); \
		if (FS_UNLIKELY(!p_)) \
			p_ = fs_bind_get(FS_ID_##name); \
		union { void *obj; __typeof__(fs_real.name.fn) fn; } u_ = { .obj = p_ }; \
		u_.fn; \
	})

#endif

/* forksafe: the core every other part of the module builds on —
 * configuration, start-up, where the code is running, the real
 * functions.  See src/README for the layout and which way calls go. */
#ifndef FS_CORE_CORE_H
#define FS_CORE_CORE_H

#include <stddef.h>
#include <stdint.h>
#include "core/attr.h"
#include "core/settings.h"
#include "core/parse.h"
#include "core/real.h"
#include "core/sys.h"

/* ---- configuration (settings.h, read by init.c) ---- */
extern struct fs_config fs_cfg FS_HIDDEN;

/* ---- start-up (init.c) ---- */
/* Nonzero once init has run. */
extern volatile int fs_ready FS_HIDDEN;
void fs_init(void) FS_HIDDEN;
/* The program's name as glibc's program_invocation_short_name has it. */
const char *fs_program_name(void) FS_HIDDEN;

static inline void fs_ensure_init(void)
{
	if (FS_UNLIKELY(!fs_ready))
		fs_init();
}

/* Nonzero when name is bound, which implies init has run (a slot is
 * filled only after start-up, core/real.c): the wrapper may take its
 * fast path; otherwise it calls its out-of-line slow twin.  Such a fast
 * path passes site 0 to fs_fd_created (see there); a helper that is not
 * inlined into the exported wrapper never does. */
#define FS_FAST(name) FS_LIKELY(__atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE) != NULL)

/* ---- where the code runs ---- */
/* ~0 while new fds are to be forced close-on-exec (FORKSAFE_CLOEXEC is
 * force and the process is not a child between fork and exec), else 0:
 * a mask, so fs_force needs no branch. */
extern volatile int fs_forcing FS_HIDDEN;
/* Whether the configuration and the fd table allow forcing at all. */
int fs_forcing_allowed(void) FS_HIDDEN;
/* Where the code runs: one state, in two words because a child that
 * runs in its parent's memory is a matter of one thread (the parent's
 * other threads go on beside it), everything else a matter of the
 * process.  Each bit is set and cleared in one place, named here.
 *
 * fs_where, the process (bits FS_W_*): written only in the child of a
 * fork, which is single-threaded when it is written, and read by every
 * wrapper that cares: one load and a mask test. */
enum {
	/* The child of a real fork (fork/fork.c): the parent's other
	 * threads are gone, and any loader lock but those glibc resets in
	 * the child may be held forever (diag/symbolize.c, fd/spawn.c). */
	FS_W_FORKED = 1,
	/* ...that prepares an exec: until it execs or starts a thread,
	 * nothing new is forced (DESIGN §2 rule 4).  Cleared by
	 * pthread_create (fork/fork.c). */
	FS_W_SETUP = 2,
	/* ...of a fork made while other threads ran, and
	 * FORKSAFE_CHILD_LOCKS checks the locks it waits on
	 * (fork/childlock.c). */
	FS_W_LOCKCHECK = 4,
	/* ...that has started threads of its own: a lock may be held by a
	 * live thread of the child (fork/childlock.c). */
	FS_W_THREADS = 8,
	/* ...that auto mode watches until it execs (fork/autofork.c). */
	FS_W_WATCHED = 16,
};
extern volatile unsigned fs_where FS_HIDDEN;

/* fs_where_thread, the calling thread (bits FS_W_*): nonzero only on a
 * thread whose stack and TLS a child is running on, in its parent's
 * memory, while the parent thread is suspended.  Such a child must not
 * write the fd table (the parent's fds, not its own) and leaves its new
 * fds as the program made them (it prepares the next program, rule 4);
 * the process-wide bits of fs_where are its parent's, not its own.  Off
 * the hot paths: while any such child runs, fs_fast_span is 0
 * (fs_spawns_active), so every fd created or closed takes the slow
 * path, which tests this. */
enum {
	/* A child in its parent's memory: a vfork child (fork/vfork.c) or
	 * a fork redirected to a spawn. */
	FS_W_SHARED = 1,
	/* ...the latter (fork/spawnfork.c): fs_spawn_cur holds what it
	 * changed that the parent must not see. */
	FS_W_REDIRECTED = 2,
};
extern __thread unsigned fs_where_thread __attribute__((tls_model("initial-exec"))) FS_HIDDEN;

static inline int fs_in_shared_child(void)
{
	return FS_UNLIKELY(fs_where_thread != 0);
}

/* Children running in this process's memory now (in the parent). */
extern int fs_spawns_active FS_HIDDEN;

/* errno-style result of a raw system call, for the fallbacks. */
static inline long fs_sys_result(long r)
{
	extern int *__errno_location(void);
	if (r < 0 && r > -4096) {
		*__errno_location() = (int)-r;
		return -1;
	}
	return r;
}

#endif

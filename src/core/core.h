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
/* In the child of a fork, until it execs or starts a thread: nothing new
 * is forced (DESIGN §2 rule 4).  Set by fork/fork.c. */
extern volatile int fs_child_mode FS_HIDDEN;
/* This process is the child of a real fork: the parent's other threads
 * are gone, and any loader lock but those glibc resets in the child may
 * be held forever (diag/symbolize.c). */
extern volatile int fs_forked_child FS_HIDDEN;
/* ~0 in a child that runs in its parent's memory, on the forking thread
 * (a fork redirected to a spawn, fork/spawnfork.c): it must not write
 * the fd table (the parent's fds, not its own) and must leave its new
 * fds as the program made them (it prepares the next program, DESIGN §2
 * rule 4).  0 everywhere else.  Thread-local: the parent's other
 * threads go on.  Off the hot paths: while any such child runs,
 * fs_fast_span is 0 (fs_spawns_active), so every fd created or closed
 * takes the slow path, which tests this. */
extern __thread int fs_spawn_child __attribute__((tls_model("initial-exec"))) FS_HIDDEN;
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

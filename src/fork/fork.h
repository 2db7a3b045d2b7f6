/* forksafe: fork, its atfork registry, and children (src/fork).
 *
 * fork.c decides what a fork does (FORKSAFE_FORK); atfork.c keeps the
 * pthread_atfork handlers; childlock.c watches the children of
 * multi-threaded forks; spawnfork.c, spawnchild.c and autofork.c run
 * forks as vfork-style spawns (FORKSAFE_FORK=spawn and auto), and
 * childmem.c sees what auto mode's watched children write; vfork.c
 * marks vfork children. */
#ifndef FS_FORK_FORK_H
#define FS_FORK_FORK_H

#include <sys/types.h>
#include "core/core.h"

struct fs_event;

/* ---- fork (fork.c) ---- */
/* What kind of child a fork makes. */
enum fs_fork_kind {
	FS_FORK_SETUP,	/* one expected to exec (rule 4): fork, _Fork, forkpty */
	FS_FORK_WORK,	/* one that goes on as the program: daemon */
	FS_FORK_VFORK,	/* one in the parent's memory until it execs: vfork */
};
/* What the fork is to be. */
enum fs_fork_action {
	FS_FORK_DO_REAL,	/* a real fork */
	FS_FORK_DO_SPAWN,	/* a vfork-style spawn (spawnfork.c) */
	FS_FORK_DO_SHARED,	/* a vfork with its child marked (vfork.c) */
};
struct fs_fork_req {
	const char *via;	/* the function the program called */
	uintptr_t site;		/* its caller */
	enum fs_fork_kind kind;
	unsigned handlers;	/* atfork entries that exist (fs_atfork_snapshot) */
	int threads;		/* set by fs_fork_decide: the thread count, 0 if not counted */
};
/* The one fork decision (FORKSAFE_FORK, its checks and reports; may
 * abort the process). */
enum fs_fork_action fs_fork_decide(struct fs_fork_req *q) FS_HIDDEN;
/* Called in the child of every fork forksafe sees: stop forcing until
 * the child execs or starts a thread (DESIGN §2 rule 4). */
void fs_enter_child_mode(void) FS_HIDDEN;
/* From the exec wrappers, just before the real exec, in a child of a
 * fork or a child in its parent's memory: the stall timer goes, auto
 * mode counts the exec, a redirected child notes its environ. */
void fs_child_exec(void) FS_HIDDEN;
/* fork with forksafe's checks, for the wrappers that fork inside libc
 * (forkpty); site: the caller reported. */
pid_t fs_fork_core(uintptr_t site) FS_HIDDEN;

/* ---- vfork (vfork.c) ---- */
#if defined(__x86_64__)
#define FS_HAVE_VFORK 1
/* Shadow stacks (CET) are on: no child may return through its parent's
 * frames (spawnfork.c). */
int fs_shadow_stack_on(void) FS_HIDDEN;
#else
#define FS_HAVE_VFORK 0
#endif

/* ---- the atfork registry (atfork.c) ---- */
/* Entries that exist now; a fork runs exactly these. */
unsigned fs_atfork_snapshot(void) FS_HIDDEN;
unsigned fs_atfork_prepare(void) FS_HIDDEN;
void fs_atfork_parent(unsigned n) FS_HIDDEN;
void fs_atfork_child(unsigned n) FS_HIDDEN;
/* Adds the "atfork" list to a report: the first n registered handlers,
 * by object. */
void fs_ev_atfork(struct fs_event *ev, unsigned n) FS_HIDDEN;

/* ---- children of multi-threaded forks (childlock.c) ---- */
void fs_mt_child_start(uintptr_t site) FS_HIDDEN;
/* Before exec: removes the stall timer, so nothing of it survives. */
void fs_child_disarm(void) FS_HIDDEN;

/* ---- forks run as spawns (spawnfork.c, spawnchild.c) ---- */
struct fs_spawn_chunk;

/* What a redirected child changed that its parent must not see: filled
 * in by the child, read and undone by the parent once it resumes.  It
 * lives in the parent's save area, outside the stack that is restored. */
struct fs_spawn_child {
	uintptr_t site;		/* return address of the fork */
	char **env;		/* the child's own environment, or NULL */
	size_t env_n, env_cap;
	struct fs_spawn_chunk *chunks;	/* the child's memory, freed by the parent */
	char **environ_at_exec;	/* environ when it last tried to exec */
	int execd;		/* it tried to */
};

/* A piece of memory a redirected child maps for itself. */
struct fs_spawn_chunk {
	struct fs_spawn_chunk *next;
	size_t size, used;
};

/* Set in a redirected child (the suspended parent thread's TLS, which the
 * child shares; fs_where_thread has FS_W_REDIRECTED then), NULL
 * everywhere else. */
extern __thread struct fs_spawn_child *fs_spawn_cur
	__attribute__((tls_model("initial-exec"))) FS_HIDDEN;
/* Runs the child of a fork as a vfork-style spawn, in the parent's
 * memory.  *done = 0: it could not be done here (said once in
 * diagnostic mode); make a real fork.  Otherwise returns as fork does:
 * the child's pid in the parent (the child has exec'd or exited by
 * then), 0 in the child, -1 and errno when no child could be made.
 * No atfork handler runs. */
pid_t fs_spawnfork(uintptr_t site, int *done) FS_HIDDEN;

/* In the child of every real fork (not a redirected one): a redirected
 * child's fork ends its sharing; auto mode starts watching the child. */
void fs_spawnfork_real_child(uintptr_t site) FS_HIDDEN;

/* The environment an exec in this process should pass: in a redirected
 * child that changed its environment, its own where envp is the
 * process's environ (execv, execvp and execl pass environ); envp itself
 * everywhere else (NULL stays NULL: Linux runs the program with an empty
 * environment then). */
static inline char *const *fs_spawn_env(char *const envp[])
{
	extern char **environ;
	struct fs_spawn_child *c = fs_spawn_cur;
	if (__builtin_expect(c != NULL, 0) && c->env && envp == environ)
		return c->env;
	return envp;
}

/* Nonzero in a redirected child that changed its environment: execvp
 * and execvpe must then search the child's PATH (fs_spawn_execvpe). */
static inline int fs_spawn_env_changed(void)
{
	struct fs_spawn_child *c = fs_spawn_cur;
	return __builtin_expect(c != NULL, 0) && c->env != NULL;
}

/* execvpe with the PATH of the child's own environment (glibc's reads
 * the process's environ, which a redirected child never changes). */
int fs_spawn_execvpe(const char *file, char *const argv[], char *const envp[]) FS_HIDDEN;

/* In a redirected child (spawn mode): it did something a spawn cannot
 * serve (started a thread, forked, ...): reported, and the site is a
 * real fork from then on.  what names it. */
void fs_spawn_child_unsafe(const char *what) FS_HIDDEN;
/* Zero for a site whose redirected child did so (spawn mode). */
int fs_spawn_site_ok(uintptr_t site) FS_HIDDEN;
/* Zero where no fork can be redirected at all: an architecture without
 * the spawn, a ThreadSanitizer build, a shadow stack.  Said once (in
 * diagnostic mode) when threads > 1, the fork that would have been. */
int fs_spawn_possible(uintptr_t site, int threads) FS_HIDDEN;

/* The globals a redirected child may assign (libuv's child sets
 * environ before exec) that its parent gets back when the child is gone:
 * the i-th, 0 past the last. */
struct fs_kept {
	uintptr_t addr;
	size_t size;
};
int fs_kept_global(unsigned i, struct fs_kept *k) FS_HIDDEN;
/* Bytes of static TLS below the thread pointer; binds with dlsym the
 * first time: call it before a fork. */
size_t fs_static_tls_size(void) FS_HIDDEN;

/* ---- a watched child's memory (childmem.c) ---- */
/* In the parent, before a fork whose child is to be watched: finds
 * what the sums leave out (dl_iterate_phdr: not in a child). */
void fs_childmem_prepare(void) FS_HIDDEN;
/* At the start of a watched child: sums its memory. */
void fs_childmem_start(size_t tls_size) FS_HIDDEN;
/* At its exec: NULL when it wrote nothing a redirected child would
 * leave in its parent, else why not ("wrote memory before exec: PATH",
 * "could not be watched: WHY"). */
const char *fs_childmem_changed(void) FS_HIDDEN;

/* ---- auto mode (autofork.c) ---- */
/* Before every fork in auto mode, and in spawn mode unless
 * FORKSAFE_SPAWN_AFTER=0 (whatever the thread count): nonzero when the
 * fork should be redirected (threads > 1 and the site earned it: after
 * children that exec'd cleanly).  Otherwise a real fork whose child is
 * watched.  Reports each decision about a site once (`auto` event). */
int fs_auto_redirect(uintptr_t site, int threads, unsigned after) FS_HIDDEN;
/* Whether forks are watched to learn from (auto, and spawn unless
 * FORKSAFE_SPAWN_AFTER=0). */
static inline int fs_learning(void)
{
	return fs_cfg.fork_mode == FS_FORK_AUTO ||
	       (fs_cfg.fork_mode == FS_FORK_SPAWN && fs_cfg.spawn_after != 0);
}
/* In a real-fork child, from the exec wrappers, just before the real
 * exec: the child exec'd (promptly or not). */
void fs_auto_child_exec(void) FS_HIDDEN;
/* In a real-fork child: it did something a redirected child could not
 * (started a thread, forked, exited without exec...): its site is
 * never redirected.  what names it for the report. */
void fs_auto_child_unsafe(const char *what) FS_HIDDEN;
/* From the exit wrapper in a watched child. */
void fs_auto_child_exiting(void) FS_HIDDEN;
/* Called by fs_spawnfork_real_child. */
void fs_auto_child_forked(uintptr_t site) FS_HIDDEN;
/* In a watched child, once fork is done there (atfork handlers run):
 * what it writes from here on counts. */
void fs_auto_child_started(void) FS_HIDDEN;

#endif

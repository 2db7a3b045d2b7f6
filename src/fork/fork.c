/* forksafe: fork.
 *
 * A fork in a process with more than one thread copies only the calling
 * thread; locks the others held stay locked in the child.  FORKSAFE_FORK
 * says what to do then (allow, warn, abort); diagnostic mode reports it.
 * Counting threads costs one stat(2), and only when a mode or diagnostic
 * mode needs it.  The pthread_atfork handlers run here (atfork.c).
 *
 * In the child of a fork, until it execs, nothing new is forced (DESIGN
 * §2 rule 4): the child is single-threaded and prepares what the next
 * program gets.  If the child starts a thread instead, it has become a
 * program of its own and forcing resumes.  Every symbol is bound before
 * the fork, so the child never needs dlsym (whose lock another parent
 * thread may hold). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "core/log.h"
#include "diag/diag.h"
#include "fork/fork.h"
#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>


/* The child writes as few pages as it can: each is a copy-on-write
 * fault (fs_where, fs_forcing and fs_fast_span share a line). */
void fs_enter_child_mode(void)
{
	fs_where |= FS_W_SETUP;
	fs_forcing = 0;
	fs_fast_span = 0;
}

static const char *const mode_names[] = { "allow", "warn", "abort", "spawn", "auto" };

static void report_mt_fork(const char *via, int threads, unsigned handlers, uintptr_t site,
			   const char *action)
{
	struct fs_event ev;

	fs_ev_begin(&ev, "mt-fork");
	fs_ev_int(&ev, "threads", threads);
	fs_ev_str(&ev, "via", via);
	fs_ev_str(&ev, "action", action);
	fs_ev_caller(&ev, "caller", site);
	fs_ev_backtrace(&ev, site);
	fs_ev_atfork(&ev, handlers);
	fs_ev_end(&ev);
}

/* Threads are counted only where a setting needs the count. */
static inline __attribute__((always_inline)) int count_threads(void)
{
	static int no_proc_said;
	int threads = fs_thread_count();

	if (threads < 0 && !__atomic_exchange_n(&no_proc_said, 1, __ATOMIC_RELAXED))
		fs_msg("warning", "cannot count threads (/proc/self/task is unavailable); "
				  "forks are not checked");
	return threads;
}

/* Applies FORKSAFE_FORK to a fork made while other threads run; returns
 * only if the fork may go ahead (as a spawn when redirect is set).
 * spawn and auto speak only in diagnostic mode: they act, they do not
 * warn. */
static inline __attribute__((always_inline)) void fork_policy(const struct fs_fork_req *q,
								int redirect)
{
	enum fs_fork_mode m = fs_cfg.fork_mode;

	fs_stat_event(FS_ST_MT_FORK, q->site);
	if (fs_cfg.diag || m == FS_FORK_WARN || m == FS_FORK_ABORT)
		report_mt_fork(q->via, q->threads, q->handlers, q->site,
			       redirect ? "spawn" : m == FS_FORK_AUTO || m == FS_FORK_SPAWN ? "fork"
											: mode_names[m]);
	if (m == FS_FORK_ABORT)
		abort();
}

/* Whether this fork is to run as a spawn (spawnfork.c).  Both modes
 * learn per call site (autofork.c) from the children of every fork,
 * threaded or not: a site is redirected once that many of its children
 * (FORKSAFE_AUTO_AFTER, 3; FORKSAFE_SPAWN_AFTER, 1) exec'd having done
 * nothing a redirected child could not, so a site whose child writes
 * its parent's state (CPython's) is never redirected.  spawn mode with
 * FORKSAFE_SPAWN_AFTER=0 trusts every site at once (the user asserts
 * that the children exec); a redirected child is then one thread of a
 * threaded process in all but name: its fork is tried too, and falls
 * back, said once (spawnfork.c).  In both, a site whose redirected child
 * did what a spawn cannot serve stays a real fork (fs_spawn_site_ok).
 * Where no spawn can be made at all (fs_spawn_possible), nothing is
 * learnt. */
static inline __attribute__((always_inline)) int want_spawn(int threads, uintptr_t site)
{
	if (!fs_spawn_possible(site, threads))
		return 0;
	if (!fs_learning())	/* spawn, FORKSAFE_SPAWN_AFTER=0 */
		return (threads > 1 || (fs_where_thread & FS_W_REDIRECTED)) &&
		       fs_spawn_site_ok(site);
	return fs_spawn_site_ok(site) &&
	       fs_auto_redirect(site, threads,
				fs_cfg.fork_mode == FS_FORK_AUTO ? fs_cfg.auto_after
								 : fs_cfg.spawn_after);
}

/* The one fork decision, for every way a program forks (fork, __fork,
 * _Fork, daemon, forkpty, vfork): what the fork is to be, after
 * FORKSAFE_FORK's checks (which may report, or abort the process).
 * Threads are counted only where a setting needs the count; the common
 * case (allow, no diagnostics) costs two loads and a branch.
 *
 * A vfork runs its child in the parent's memory already: no lock is
 * orphaned and no page table is copied, so there is nothing to check;
 * it is a shared child wherever forksafe can mark one (vfork.c), else
 * a real fork, which POSIX allows a vfork to be. */
static inline __attribute__((always_inline)) enum fs_fork_action decide(struct fs_fork_req *q)
{
	int redirect = 0;

	if (q->kind == FS_FORK_VFORK)
		return FS_HAVE_VFORK ? FS_FORK_DO_SHARED : FS_FORK_DO_REAL;
	if (FS_LIKELY(fs_cfg.fork_mode == FS_FORK_ALLOW && !fs_cfg.diag &&
		      fs_cfg.child_locks == FS_LOCKS_WAIT))
		return FS_FORK_DO_REAL;	/* nothing needs the count */
	q->threads = count_threads();
	if (FS_UNLIKELY(fs_cfg.fork_mode >= FS_FORK_SPAWN) && q->kind == FS_FORK_SETUP)
		redirect = want_spawn(q->threads, q->site);
	if (q->threads > 1)
		fork_policy(q, redirect);
	return redirect ? FS_FORK_DO_SPAWN : FS_FORK_DO_REAL;
}

/* The same, out of line, for vfork.c; fork_checked inlines it. */
enum fs_fork_action fs_fork_decide(struct fs_fork_req *q)
{
	return decide(q);
}

/* The child of a real fork, before it returns to the program: a
 * process of its own (fs_where anew; a child that ran in its parent's
 * memory is no longer one), and what it inherited of its parent's state
 * undone. */
static void real_child(const struct fs_fork_req *q, unsigned ran)
{
	fs_where = FS_W_FORKED;
	/* Other threads' redirected children stay with the parent. */
	if (FS_UNLIKELY(__atomic_load_n(&fs_spawns_active, __ATOMIC_RELAXED))) {
		fs_spawns_active = 0;
		fs_fast_update();
	}
	if (FS_UNLIKELY(fs_cfg.fork_mode >= FS_FORK_SPAWN) || FS_UNLIKELY(fs_where_thread != 0))
		fs_spawnfork_real_child(q->site);
	if (q->handlers)
		fs_atfork_child(ran);
	if (q->kind == FS_FORK_SETUP)
		fs_enter_child_mode();
	if (q->threads > 1)
		fs_mt_child_start(q->site);
	if (FS_UNLIKELY(fs_where & FS_W_WATCHED))
		fs_auto_child_started();
}

/* A fork with forksafe's checks and its atfork registry: prepare
 * handlers before, parent or child handlers after (none for _Fork, as
 * in glibc).  A FS_FORK_SETUP child is expected to exec (rule 4); only
 * such a fork may be redirected to a spawn, and then no handler runs
 * (no fork happens, DESIGN §5). */
static pid_t fork_checked(pid_t (*real)(void), const char *via, int handlers,
			  enum fs_fork_kind kind, uintptr_t site)
{
	struct fs_fork_req q = { .via = via, .site = site, .kind = kind };
	unsigned ran = 0;
	int saved, done;
	pid_t pid;

	fs_ensure_init();
	fs_bind_all();
	if (handlers)
		q.handlers = fs_atfork_snapshot();
	if (decide(&q) == FS_FORK_DO_SPAWN) {
		pid = fs_spawnfork(site, &done);
		if (done)
			return pid;
		/* A redirected child's fork (spawn mode) is a real one, and
		 * its site forks for real from then on. */
		if (fs_where_thread & FS_W_REDIRECTED)
			fs_spawn_child_unsafe(via);
	}
	/* A watched child (auto mode) that forks is doing work of its own. */
	if (FS_UNLIKELY(fs_where & FS_W_WATCHED))
		fs_auto_child_unsafe(via);
	if (q.handlers)
		ran = fs_atfork_prepare();
	pid = real();
	if (pid == 0) {
		real_child(&q, ran);
	} else {
		/* The thread's recent pipes went with the child (rule 8). */
		if (pid > 0 && kind == FS_FORK_SETUP)
			fs_inherit_handed_over();
		if (q.handlers) {
			saved = errno;
			fs_atfork_parent(ran);
			errno = saved;
		}
	}
	return pid;
}

void fs_child_exec(void)
{
	extern char **environ;
	struct fs_spawn_child *c = fs_spawn_cur;

	if (fs_where_thread & FS_W_REDIRECTED) {
		if (c) {
			c->environ_at_exec = environ;
			c->execd = 1;
		}
		return;
	}
	if (fs_where_thread)
		return;
	fs_child_disarm();
	if (fs_where & FS_W_WATCHED)
		fs_auto_child_exec();
}

pid_t fs_fork_core(uintptr_t site)
{
	return fork_checked(REAL(fork), "fork", 1, FS_FORK_SETUP, site);
}

FS_EXPORT pid_t fork(void)
{
	return fork_checked(REAL(fork), "fork", 1, FS_FORK_SETUP, FS_SITE());
}

FS_EXPORT pid_t __fork(void)
{
	return fork_checked(REAL(fork), "fork", 1, FS_FORK_SETUP, FS_SITE());
}

/* _Fork runs no atfork handlers and resets no locks: the checks apply
 * all the more. */
FS_EXPORT pid_t _Fork(void)
{
	return fork_checked(REAL(_Fork), "_Fork", 0, FS_FORK_SETUP, FS_SITE());
}

/* daemon forks inside libc, where a fork wrapper cannot see it: it is
 * made here the way glibc makes it (misc/daemon.c).  Its child goes on
 * as the program, so it is not a child that sets up an exec. */
FS_EXPORT int daemon(int nochdir, int noclose)
{
	struct stat st;
	int fd;

	switch (fork_checked(REAL(fork), "daemon", 1, FS_FORK_WORK, FS_SITE())) {
	case -1: return -1;
	case 0: break;
	default: _exit(0);
	}
	if (setsid() == -1)
		return -1;
	if (!nochdir && chdir("/") != 0) {
		/* glibc ignores this failure too */
	}
	if (noclose)
		return 0;
	fd = REAL(open)(_PATH_DEVNULL, O_RDWR, 0);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		REAL(close)(fd);
		return -1;
	}
	REAL(dup2)(fd, 0);
	REAL(dup2)(fd, 1);
	REAL(dup2)(fd, 2);
	if (fd > 2)
		REAL(close)(fd);
	return 0;
}

/* A thread started in the child of a fork: the child has become a
 * program of its own (forcing resumes, auto mode's site is vetoed, the
 * lock check learns that owners may be alive).  A redirected child's
 * thread would run in its parent's memory and outlive the parent's
 * wait: it is refused (-1, EAGAIN as when threads run out), said, and
 * the site forks from then on.  A vfork child's is the program's own
 * business. */
static int child_thread(unsigned w)
{
	if (fs_where_thread) {
		if (!(fs_where_thread & FS_W_REDIRECTED))
			return 0;
		fs_spawn_child_unsafe("pthread_create");
		return -1;
	}
	if (w & FS_W_WATCHED)
		fs_auto_child_unsafe("pthread_create");
	fs_where = (fs_where & ~FS_W_SETUP) | FS_W_THREADS;
	if (w & FS_W_SETUP) {
		fs_forcing = fs_forcing_allowed();
		fs_fast_update();
	}
	return 0;
}

FS_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			     void *(*start)(void *), void *arg)
{
	int (*real)(void *, const void *, void *(*)(void *), void *);
	unsigned w = fs_where;

	fs_ensure_init();
	fs_bind_all();
	real = REAL(pthread_create);
	if ((FS_UNLIKELY((w & FS_W_FORKED) && !(w & FS_W_THREADS)) || fs_in_shared_child()) &&
	    child_thread(w) < 0)
		return EAGAIN;
	return real(thread, attr, start, arg);
}

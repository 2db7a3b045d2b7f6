/* forksafe: locks that would never be released, in the child of a
 * multi-threaded fork (FORKSAFE_CHILD_LOCKS), and children that neither
 * exec nor exit (FORKSAFE_CHILD_TIMEOUT).
 *
 * A glibc mutex records its owner's thread id, for normal mutexes too
 * (nptl/pthread_mutex_lock.c); a rwlock records its writer's.  In the
 * child of a fork the only thread alive is the one that forked, so a lock
 * whose owner is another thread id can never be released: waiting on it
 * hangs forever.  But the child may start threads of its own (CPython's
 * multiprocessing manager does) and these take locks too: an owner is
 * dead only when it is no live thread of this process, which
 * tgkill(getpid(), owner, 0) tells (ESRCH), one system call, made only
 * for a lock that is held by another thread, and only if the lock still
 * names that owner afterwards (it may have released it and exited in
 * between: still_dead_owner).  The check runs only in
 * such a child (fs_where FS_W_LOCKCHECK), never in a vfork child of it
 * (another process, whose parent's threads are alive); in every other
 * process the wrappers cost one predictable branch.
 *
 * "break" resets the lock to unlocked, keeping its kind, and then takes
 * it.  That is unsafe in general: the data the lock protected may be
 * half-updated by a thread that no longer exists.  It still beats
 * hanging in a child that only needs to get to exec (a logging lock taken
 * on the way), and it is never the default. */
#include "config.h"
#include "core/core.h"
#include "core/log.h"
#include "diag/diag.h"
#include "fork/fork.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <ucontext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>


/* Mutex kinds forksafe can judge: not robust, PI or PP (their lock word
 * protocol differs). */
#define MUTEX_KIND_PLAIN_MASK (16 | 32 | 64)

static const char *const lock_policy_names[] = { "wait", "abort", "break" };

static void report(const char *kind, const void *lock, int owner, const char *fn,
		   uintptr_t site)
{
	struct fs_event ev;

	fs_ev_begin(&ev, "child-deadlock");
	fs_ev_str(&ev, "lock_kind", kind);
	{
		char mem[32];
		struct fs_sbuf b;
		fs_sb_init(&b, mem, sizeof mem);
		fs_sb_hex(&b, (uintptr_t)lock);
		fs_ev_str(&ev, "lock", fs_sb_cstr(&b));
	}
	if (owner > 0)
		fs_ev_int(&ev, "owner_tid", owner);
	else
		fs_ev_str(&ev, "owner_tid", "readers");
	fs_ev_str(&ev, "function", fn);
	fs_ev_str(&ev, "action", lock_policy_names[fs_cfg.child_locks]);
	fs_ev_caller(&ev, "caller", site);
	fs_ev_backtrace(&ev, site);
	fs_ev_end(&ev);
}

/* Returns 1 when the lock was reset (the caller then takes it). */
static int orphaned(const char *kind, const void *lock, int owner, const char *fn,
		    uintptr_t site)
{
	report(kind, lock, owner, fn, site);
	if (fs_cfg.child_locks == FS_LOCKS_BREAK)
		return 1;
	abort();
}

/* tid is no live thread of this process.  Async-signal-safe. */
static int dead(int tid)
{
	long pid = fs_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	return tid != gettid() && fs_raw_syscall(SYS_tgkill, pid, tid, 0, 0, 0, 0) == -ESRCH;
}

/* *owner_word still names tid, a dead thread, after the liveness check:
 * an owner read just before it released the lock and exited (a
 * short-lived thread of the child) has gone, but so has its hold, and
 * the word says so by now (glibc clears the owner before it releases the
 * lock).  Checked twice around a second liveness check, so that a new
 * thread given the same id meanwhile is not taken for the dead one. */
static int still_dead_owner(const int *owner_word, int tid)
{
	return __atomic_load_n(owner_word, __ATOMIC_ACQUIRE) == tid && dead(tid) &&
	       __atomic_load_n(owner_word, __ATOMIC_ACQUIRE) == tid;
}

static void mutex_check(pthread_mutex_t *m, const char *fn, uintptr_t site)
{
	int owner = __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);

	if (!__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) || owner <= 0 ||
	    owner == gettid() || (m->__data.__kind & MUTEX_KIND_PLAIN_MASK) || fs_where_thread ||
	    !dead(owner) || !__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) ||
	    !still_dead_owner(&m->__data.__owner, owner))
		return;
	if (orphaned("mutex", m, owner, fn, site)) {
		m->__data.__lock = 0;
		m->__data.__count = 0;
		m->__data.__owner = 0;
		m->__data.__nusers = 0;
	}
}

/* A writer that is gone, or (for a write lock) readers that are gone:
 * the reader count is glibc's __readers >> 3 (nptl/pthread_rwlock_common.c).
 * Readers are not recorded by thread: they are known to be gone only
 * while the child has no thread but the one that forked. */
static void rwlock_check(pthread_rwlock_t *rw, int write, const char *fn, uintptr_t site)
{
	int writer = __atomic_load_n(&rw->__data.__cur_writer, __ATOMIC_RELAXED);
	unsigned readers = __atomic_load_n(&rw->__data.__readers, __ATOMIC_RELAXED) >> 3;

	if (fs_where_thread)
		return;
	if (writer > 0 && writer != gettid()) {
		if (!dead(writer) || !still_dead_owner(&rw->__data.__cur_writer, writer) ||
		    !orphaned("rwlock", rw, writer, fn, site))
			return;
	} else if (write && readers > 0 && !(fs_where & FS_W_THREADS)) {
		if (!orphaned("rwlock", rw, 0, fn, site))
			return;
	} else {
		return;
	}
	unsigned int flags = rw->__data.__flags;
	int shared = rw->__data.__shared;
	memset(rw, 0, sizeof *rw);
	rw->__data.__flags = flags;
	rw->__data.__shared = shared;
}

FS_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	int (*real)(pthread_mutex_t *) = REAL(pthread_mutex_lock);
	if (FS_UNLIKELY(fs_where & FS_W_LOCKCHECK))
		mutex_check(m, "pthread_mutex_lock", FS_SITE());
	return real(m);
}

FS_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t)
{
	int (*real)(pthread_mutex_t *, const struct timespec *) = REAL(pthread_mutex_timedlock);
	if (FS_UNLIKELY(fs_where & FS_W_LOCKCHECK))
		mutex_check(m, "pthread_mutex_timedlock", FS_SITE());
	return real(m, t);
}

FS_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t c, const struct timespec *t)
{
	int (*real)(pthread_mutex_t *, clockid_t, const struct timespec *) =
		REAL(pthread_mutex_clocklock);
	if (FS_UNLIKELY(fs_where & FS_W_LOCKCHECK))
		mutex_check(m, "pthread_mutex_clocklock", FS_SITE());
	return real(m, c, t);
}

#define RWLOCK_WRAPPER(name, write) \
	FS_EXPORT int name(pthread_rwlock_t *rw) \
	{ \
		int (*real)(pthread_rwlock_t *) = REAL(name); \
		if (FS_UNLIKELY(fs_where & FS_W_LOCKCHECK)) \
			rwlock_check(rw, write, #name, FS_SITE()); \
		return real(rw); \
	}

RWLOCK_WRAPPER(pthread_rwlock_rdlock, 0)
RWLOCK_WRAPPER(pthread_rwlock_wrlock, 1)

/* The fallbacks (core/real.h), for a lock taken from inside dlsym (an
 * allocator's): spin on the trylock, which forksafe does not wrap. */
int FS_FALLBACK(pthread_mutex_lock)(pthread_mutex_t *m)
{
	int r;
	while ((r = pthread_mutex_trylock(m)) == EBUSY)
		sched_yield();
	return r;
}

int FS_FALLBACK(pthread_rwlock_rdlock)(pthread_rwlock_t *rw)
{
	int r;
	while ((r = pthread_rwlock_tryrdlock(rw)) == EBUSY)
		sched_yield();
	return r;
}

int FS_FALLBACK(pthread_rwlock_wrlock)(pthread_rwlock_t *rw)
{
	int r;
	while ((r = pthread_rwlock_trywrlock(rw)) == EBUSY)
		sched_yield();
	return r;
}

#define RWLOCK_TIMED_WRAPPER(name, write, params, args) \
	FS_EXPORT int name params \
	{ \
		int (*real) params = REAL(name); \
		if (FS_UNLIKELY(fs_where & FS_W_LOCKCHECK)) \
			rwlock_check(rw, write, #name, FS_SITE()); \
		return real args; \
	}

RWLOCK_TIMED_WRAPPER(pthread_rwlock_timedrdlock, 0,
		     (pthread_rwlock_t *rw, const struct timespec *t), (rw, t))
RWLOCK_TIMED_WRAPPER(pthread_rwlock_timedwrlock, 1,
		     (pthread_rwlock_t *rw, const struct timespec *t), (rw, t))
RWLOCK_TIMED_WRAPPER(pthread_rwlock_clockrdlock, 0,
		     (pthread_rwlock_t *rw, clockid_t c, const struct timespec *t), (rw, c, t))
RWLOCK_TIMED_WRAPPER(pthread_rwlock_clockwrlock, 1,
		     (pthread_rwlock_t *rw, clockid_t c, const struct timespec *t), (rw, c, t))

/* ---- stalled children ---- */

/* The child of a multi-threaded fork gets a one-shot timer on SIGRTMAX
 * (diagnostic mode, FORKSAFE_CHILD_TIMEOUT set).  exec deletes the timer
 * and resets the handler; the exec wrappers also disarm it and drop a
 * signal already pending, so nothing of it reaches the new program. */
static timer_t stall_timer;
static int stall_armed;
static uintptr_t stall_site;

/* The interrupted instruction: the backtrace starts there, not in the
 * handler's own frames. */
static uintptr_t interrupted_pc(void *uc)
{
#if defined(__x86_64__)
	return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#else
	return 0;
#endif
}

static void stall_handler(int sig, siginfo_t *si, void *uc)
{
	struct fs_event ev;

	if (si->si_code != SI_TIMER)
		return;
	fs_ev_begin(&ev, "child-stall");
	fs_ev_int(&ev, "seconds", fs_cfg.child_timeout);
	fs_ev_caller(&ev, "fork_caller", stall_site);
	fs_ev_backtrace_from(&ev, interrupted_pc(uc), 1);
	fs_ev_end(&ev);
}

static void arm_stall_timer(uintptr_t site)
{
	struct sigaction sa = { .sa_sigaction = stall_handler, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMAX };
	struct itimerspec its = { .it_value = { .tv_sec = fs_cfg.child_timeout } };
	struct sigaction old;

	/* A child that handles SIGRTMAX itself is left alone. */
	if (REAL(sigaction)(SIGRTMAX, NULL, &old) != 0 || old.sa_handler != SIG_DFL)
		return;
	sigemptyset(&sa.sa_mask);
	if (REAL(sigaction)(SIGRTMAX, &sa, NULL) != 0)
		return;
	if (timer_create(CLOCK_MONOTONIC, &sev, &stall_timer) != 0 ||
	    timer_settime(stall_timer, 0, &its, NULL) != 0) {
		REAL(sigaction)(SIGRTMAX, &old, NULL);
		return;
	}
	stall_site = site;
	stall_armed = 1;
}

void fs_child_disarm(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	/* A vfork child's timers are its own (none): the flag is its parent's. */
	if (!stall_armed || fs_where_thread)
		return;
	stall_armed = 0;
	timer_delete(stall_timer);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMAX);
	while (sigtimedwait(&set, &si, &zero) == SIGRTMAX)
		;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	REAL(sigaction)(SIGRTMAX, &dfl, NULL);
}

/* In the child of a fork made while other threads ran. */
void fs_mt_child_start(uintptr_t site)
{
	if (fs_cfg.child_locks != FS_LOCKS_WAIT)
		fs_where |= FS_W_LOCKCHECK;
	if (fs_cfg.diag && fs_cfg.child_timeout > 0)
		arm_stall_timer(site);
}

/* A child that takes SIGRTMAX for itself gets it to itself: the stall
 * timer is removed before its handler or mask is installed. */
FS_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int (*real)(int, const struct sigaction *, struct sigaction *) = REAL(sigaction);
	if (FS_UNLIKELY(stall_armed) && sig == SIGRTMAX && act)
		fs_child_disarm();
	return real(sig, act, old);
}

FS_EXPORT __sighandler_t signal(int sig, __sighandler_t handler)
{
	__sighandler_t (*real)(int, __sighandler_t) = REAL(signal);
	if (FS_UNLIKELY(stall_armed) && sig == SIGRTMAX)
		fs_child_disarm();
	return real(sig, handler);
}

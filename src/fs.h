/* forksafe: internal declarations shared by the module's files.
 *
 * Everything here has hidden visibility; only the wrapped libc names are
 * exported (see libforksafe.map).  Inside the module, libc functions that
 * forksafe also wraps are always called through REAL(name), never by their
 * public names, so wrappers never recurse into each other. */
#ifndef FS_H
#define FS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <signal.h>
#include <spawn.h>
#include <pthread.h>
#include <time.h>
#include "fs_parse.h"
#include "fs_sys.h"

#define FS_EXPORT __attribute__((visibility("default")))

/* A ThreadSanitizer build of the module (the sanitizer runs of the test
 * suite): see atfork.c and spawnfork.c for what it changes. */
#if defined(__SANITIZE_THREAD__)
#define FS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FS_TSAN 1
#endif
#endif
#define FS_LIKELY(x) __builtin_expect(!!(x), 1)
#define FS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FS_SITE() ((uintptr_t)__builtin_return_address(0))
/* The shared cores of the wrappers: inlined, so each wrapper is one
 * short function on the path of every call. */
#define FS_CORE static inline __attribute__((always_inline))

struct termios;
struct winsize;
struct mmsghdr;
struct timespec;
struct file_handle;

/* name, return type, parameter list, symbol version (NULL: default). */
#define FS_REAL_LIST(X) \
	X(open, int, (const char *, int, ...), NULL) \
	X(open64, int, (const char *, int, ...), NULL) \
	X(openat, int, (int, const char *, int, ...), NULL) \
	X(openat64, int, (int, const char *, int, ...), NULL) \
	X(__open, int, (const char *, int, ...), NULL) \
	X(__open64, int, (const char *, int, ...), NULL) \
	X(__open_2, int, (const char *, int), NULL) \
	X(__open64_2, int, (const char *, int), NULL) \
	X(__openat_2, int, (int, const char *, int), NULL) \
	X(__openat64_2, int, (int, const char *, int), NULL) \
	X(open_by_handle_at, int, (int, struct file_handle *, int), NULL) \
	X(fopen, FILE *, (const char *, const char *), NULL) \
	X(fopen64, FILE *, (const char *, const char *), NULL) \
	X(freopen, FILE *, (const char *, const char *, FILE *), NULL) \
	X(freopen64, FILE *, (const char *, const char *, FILE *), NULL) \
	X(tmpfile, FILE *, (void), NULL) \
	X(fdopen, FILE *, (int, const char *), NULL) \
	X(popen, FILE *, (const char *, const char *), NULL) \
	X(fclose, int, (FILE *), NULL) \
	X(pclose, int, (FILE *), NULL) \
	X(closedir, int, (void *), NULL) \
	X(mkostemp, int, (char *, int), NULL) \
	X(mkostemp64, int, (char *, int), NULL) \
	X(mkostemps, int, (char *, int, int), NULL) \
	X(mkostemps64, int, (char *, int, int), NULL) \
	X(socket, int, (int, int, int), NULL) \
	X(socketpair, int, (int, int, int, int *), NULL) \
	X(accept4, int, (int, struct sockaddr *, socklen_t *, int), NULL) \
	X(recvmsg, ssize_t, (int, struct msghdr *, int), NULL) \
	X(recvmmsg, int, (int, struct mmsghdr *, unsigned int, int, struct timespec *), NULL) \
	X(dup2, int, (int, int), NULL) \
	X(dup3, int, (int, int, int), NULL) \
	X(fcntl, int, (int, int, ...), NULL) \
	X(fcntl64, int, (int, int, ...), NULL) \
	X(ioctl, int, (int, unsigned long, ...), NULL) \
	X(close, int, (int), NULL) \
	X(close_range, int, (unsigned int, unsigned int, int), NULL) \
	X(closefrom, void, (int), NULL) \
	X(pipe2, int, (int *, int), NULL) \
	X(epoll_create1, int, (int), NULL) \
	X(eventfd, int, (unsigned int, int), NULL) \
	X(signalfd, int, (int, const sigset_t *, int), NULL) \
	X(timerfd_create, int, (int, int), NULL) \
	X(inotify_init1, int, (int), NULL) \
	X(fanotify_init, int, (unsigned int, unsigned int), NULL) \
	X(memfd_create, int, (const char *, unsigned int), NULL) \
	X(fsopen, int, (const char *, unsigned int), NULL) \
	X(fsmount, int, (int, unsigned int, unsigned int), NULL) \
	X(open_tree, int, (int, const char *, unsigned int), NULL) \
	X(posix_openpt, int, (int), NULL) \
	X(getpt, int, (void), NULL) \
	X(grantpt, int, (int), NULL) \
	X(unlockpt, int, (int), NULL) \
	X(login_tty, int, (int), NULL) \
	X(syscall, long, (long, ...), NULL) \
	X(execve, int, (const char *, char *const[], char *const[]), NULL) \
	X(execv, int, (const char *, char *const[]), NULL) \
	X(execvp, int, (const char *, char *const[]), NULL) \
	X(execvpe, int, (const char *, char *const[], char *const[]), NULL) \
	X(fexecve, int, (int, char *const[], char *const[]), NULL) \
	X(execveat, int, (int, const char *, char *const[], char *const[], int), NULL) \
	X(posix_spawn, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.15") \
	X(posix_spawnp, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.15") \
	X(posix_spawn_compat, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.2.5") \
	X(posix_spawnp_compat, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
		const posix_spawnattr_t *, char *const[], char *const[]), "GLIBC_2.2.5") \
	X(system, int, (const char *), NULL) \
	X(fork, pid_t, (void), NULL) \
	X(_Fork, pid_t, (void), NULL) \
	X(pthread_create, int, (void *, const void *, void *(*)(void *), void *), NULL) \
	X(__cxa_finalize, void, (void *), NULL) \
	X(sigaction, int, (int, const struct sigaction *, struct sigaction *), NULL) \
	X(signal, __sighandler_t, (int, __sighandler_t), NULL) \
	X(pthread_mutex_lock, int, (pthread_mutex_t *), NULL) \
	X(pthread_mutex_timedlock, int, (pthread_mutex_t *, const struct timespec *), NULL) \
	X(pthread_mutex_clocklock, int, (pthread_mutex_t *, clockid_t, const struct timespec *), NULL) \
	X(pthread_rwlock_rdlock, int, (pthread_rwlock_t *), NULL) \
	X(pthread_rwlock_wrlock, int, (pthread_rwlock_t *), NULL) \
	X(pthread_rwlock_timedrdlock, int, (pthread_rwlock_t *, const struct timespec *), NULL) \
	X(pthread_rwlock_timedwrlock, int, (pthread_rwlock_t *, const struct timespec *), NULL) \
	X(pthread_rwlock_clockrdlock, int, (pthread_rwlock_t *, clockid_t, const struct timespec *), NULL) \
	X(pthread_rwlock_clockwrlock, int, (pthread_rwlock_t *, clockid_t, const struct timespec *), NULL) \
	X(exit, void, (int), NULL) \
	X(getenv, char *, (const char *), NULL) \
	X(secure_getenv, char *, (const char *), NULL) \
	X(setenv, int, (const char *, const char *, int), NULL) \
	X(unsetenv, int, (const char *), NULL) \
	X(putenv, int, (char *), NULL) \
	X(clearenv, int, (void), NULL) \
	X(setuid, int, (uid_t), NULL) \
	X(setgid, int, (gid_t), NULL) \
	X(seteuid, int, (uid_t), NULL) \
	X(setegid, int, (gid_t), NULL) \
	X(setreuid, int, (uid_t, uid_t), NULL) \
	X(setregid, int, (gid_t, gid_t), NULL) \
	X(setresuid, int, (uid_t, uid_t, uid_t), NULL) \
	X(setresgid, int, (gid_t, gid_t, gid_t), NULL) \
	X(setgroups, int, (size_t, const gid_t *), NULL)

enum fs_sym_id {
#define FS_X(name, ret, args, ver) FS_ID_##name,
	FS_REAL_LIST(FS_X)
#undef FS_X
	FS_ID_COUNT
};

/* One slot per real function.  The union keeps object and function
 * pointers apart without casts between them. */
struct fs_real {
#define FS_X(name, ret, args, ver) union { void *obj; ret (*fn) args; } name;
	FS_REAL_LIST(FS_X)
#undef FS_X
};
extern struct fs_real fs_real __attribute__((visibility("hidden")));

/* Binds one symbol (idempotent, lock-free, may run concurrently).
 * Returns 0 when the symbol cannot be bound now (recursion from inside
 * dlsym, or libc lacks it). */
int fs_bind(enum fs_sym_id id) __attribute__((visibility("hidden")));
/* Binds every symbol, so that no later wrapper call needs dlsym: done
 * before the process forks or starts a thread. */
void fs_bind_all(void) __attribute__((visibility("hidden")));

/* Returns the slot's pointer once bound (binding it now if need be), or
 * NULL when it cannot be bound (see fs_bind). */
void *fs_bind_get(enum fs_sym_id id) __attribute__((visibility("hidden")));
#define REAL(name) ({ \
		void *p_ = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE); \
		if (FS_UNLIKELY(!p_)) \
			p_ = fs_bind_get(FS_ID_##name); \
		union { void *obj; __typeof__(fs_real.name.fn) fn; } u_ = { .obj = p_ }; \
		u_.fn; \
	})

/* Nonzero when name is bound and init has run: the wrapper may take its
 * fast path; otherwise it calls its out-of-line slow twin.  Such a fast
 * path passes site 0 to fs_fd_created (see there); a helper that is not
 * inlined into the exported wrapper never does. */
#define FS_FAST(name) \
	FS_LIKELY(__atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE) != NULL && fs_ready)

/* ---- configuration and state (init.c) ---- */
struct fs_config {
	enum fs_cloexec_mode cloexec;
	struct fs_keep keep;
	int shell;	/* the program is a shell: never forced (init.c) */
	int diag;	/* FORKSAFE_DIAG */
	int secure;	/* AT_SECURE: no file paths from the environment */
	enum fs_fork_mode fork_mode;
	enum fs_child_locks child_locks;	/* FORKSAFE_CHILD_LOCKS */
	unsigned child_timeout;		/* FORKSAFE_CHILD_TIMEOUT, seconds, 0: off */
	unsigned atfork_timeout;	/* FORKSAFE_ATFORK_TIMEOUT, seconds, 0: off */
	unsigned auto_after;		/* FORKSAFE_AUTO_AFTER: children before auto redirects */
	enum fs_log_format log_format;
	enum fs_log_kind log_kind;
	char log_path[4096];
};
extern struct fs_config fs_cfg __attribute__((visibility("hidden")));
/* Nonzero once init has run. */
extern volatile int fs_ready __attribute__((visibility("hidden")));
/* ~0 while new fds are to be forced close-on-exec (FORKSAFE_CLOEXEC is
 * force and the process is not a child between fork and exec), else 0:
 * a mask, so fs_force needs no branch. */
extern volatile int fs_forcing __attribute__((visibility("hidden")));
void fs_init(void) __attribute__((visibility("hidden")));
/* Whether the configuration and the fd table allow forcing at all. */
int fs_forcing_allowed(void) __attribute__((visibility("hidden")));
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

static inline void fs_ensure_init(void)
{
	if (FS_UNLIKELY(!fs_ready))
		fs_init();
}

/* ---- fork and child mode (fork.c) ---- */
/* Called in the child of every fork forksafe sees: stop forcing until
 * the child execs or starts a thread (DESIGN §2 rule 4). */
void fs_enter_child_mode(void) __attribute__((visibility("hidden")));
extern volatile int fs_child_mode __attribute__((visibility("hidden")));
/* This process is the child of a real fork (set in the child, on the
 * line above): the parent's other threads are gone, and any loader lock
 * but those glibc resets in the child may be held forever (symbolize.c). */
extern volatile int fs_forked_child __attribute__((visibility("hidden")));
pid_t fs_fork_core(uintptr_t site) __attribute__((visibility("hidden")));

/* ---- the atfork registry (atfork.c) ---- */
/* Entries that exist now; a fork runs exactly these. */
unsigned fs_atfork_snapshot(void) __attribute__((visibility("hidden")));
unsigned fs_atfork_prepare(void) __attribute__((visibility("hidden")));
void fs_atfork_parent(unsigned n) __attribute__((visibility("hidden")));
void fs_atfork_child(unsigned n) __attribute__((visibility("hidden")));

/* ---- children of multi-threaded forks (childlock.c) ---- */
/* Nonzero in the child of a multi-threaded fork when locks are checked. */
extern volatile int fs_lockcheck __attribute__((visibility("hidden")));
void fs_mt_child_start(uintptr_t site) __attribute__((visibility("hidden")));
/* Before exec: removes the stall timer, so nothing of it survives. */
void fs_child_disarm(void) __attribute__((visibility("hidden")));

/* ---- redirected children (spawnfork.c) ---- */
/* ~0 in a child that a fork was redirected to (FORKSAFE_FORK=spawn or
 * auto): it runs in its parent's memory, on the forking thread, so it
 * must not write the fd table (the parent's fds, not its own) and must
 * leave its new fds as the program made them (it prepares the next
 * program, DESIGN §2 rule 4).  0 everywhere else.  Thread-local: the
 * parent's other threads go on.  Off the hot paths: while any redirected
 * child runs, fs_fast_limit is 3 (fs_spawns_active), so every fd created
 * or closed takes the slow path, which tests this. */
extern __thread int fs_spawn_child
	__attribute__((tls_model("initial-exec"), visibility("hidden")));
/* Redirected children running now (in the parent). */
extern int fs_spawns_active __attribute__((visibility("hidden")));

/* ---- the fd table (fdtable.c) ---- */
enum fs_fd_flags {
	FS_FD_KNOWN = 1,	/* created through a wrapper */
	FS_FD_FORCED = 2,	/* close-on-exec set by forksafe, not the program */
	FS_FD_EXPLICIT = 4,	/* the program made it inheritable itself */
	FS_FD_CHILD = 8,	/* made by a child between fork and exec (rule 4) */
};

/* Where an fd came from: the wrapped function, for reports. */
enum fs_origin {
	FS_O_NONE = 0,
#define FS_ORIGIN_LIST(X) \
	X(open) X(openat) X(creat) X(open_by_handle_at) X(fopen) X(freopen) \
	X(tmpfile) X(popen) X(mkstemp) X(socket) X(socketpair) X(accept) \
	X(recvmsg) X(dup) X(dup2) X(dup3) X(fcntl) X(pipe) X(epoll_create) \
	X(eventfd) X(signalfd) X(timerfd_create) X(inotify_init) X(fanotify_init) \
	X(memfd_create) X(fsopen) X(fsmount) X(open_tree) X(posix_openpt) \
	X(openpty) X(syscall)
#define FS_X(n) FS_O_##n,
	FS_ORIGIN_LIST(FS_X)
#undef FS_X
	FS_O_COUNT
};
const char *fs_origin_name(unsigned origin) __attribute__((visibility("hidden")));

struct fs_fdent {
	uintptr_t site;		/* return address of the creating call */
	union {
		struct {
			uint16_t origin;	/* enum fs_origin */
			uint8_t flags;		/* enum fs_fd_flags */
			uint8_t released;	/* spawns in flight that released it (parent only) */
		};
		uint32_t meta;	/* the three, for one store */
	};
	uint32_t pad;
};

/* The table itself (fdtable.c): entries for fds [0, fs_table_cap). */
extern struct fs_fdent *fs_table __attribute__((visibility("hidden")));
extern int fs_table_cap __attribute__((visibility("hidden")));
extern int fs_table_hwm __attribute__((visibility("hidden")));
/* fds in [3, fs_fast_limit) take the fast path of fs_fd_created: the
 * table exists, the fd is below the highest one seen, and neither child
 * mode, FORKSAFE_KEEP_FDS nor diagnostic mode (which records call sites)
 * needs a closer look.  3 when one does. */
extern unsigned fs_fast_limit __attribute__((visibility("hidden")));
void fs_fast_update(void) __attribute__((visibility("hidden")));

int fs_fdtable_init(void) __attribute__((visibility("hidden")));
/* Returns the entry for fd, or NULL when fd is outside the table. */
static inline struct fs_fdent *fs_fd_entry(int fd)
{
	struct fs_fdent *t = __atomic_load_n(&fs_table, __ATOMIC_ACQUIRE);
	if (!t || (unsigned)fd >= (unsigned)__atomic_load_n(&fs_table_cap, __ATOMIC_RELAXED))
		return NULL;
	return &t[fd];
}

/* origin, flags (known, forced) and released, as one word. */
static inline uint32_t fs_fd_meta(unsigned origin, int forced)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return origin | (uint32_t)FS_FD_KNOWN << 16 | (uint32_t)(forced != 0) << 17;
#else
	struct fs_fdent n = { .origin = (uint16_t)origin,
			      .flags = (uint8_t)(FS_FD_KNOWN | (forced != 0) << 1) };
	return n.meta;
#endif
}

/* The slow cases of fs_fd_created: a rule that undoes the forcing (fds
 * 0-2, FORKSAFE_KEEP_FDS, fds beyond the table), a new highest fd. */
void fs_fd_created_slow(int fd, unsigned origin, int forced, uintptr_t site) __attribute__((visibility("hidden")));

/* fd is in the fast range [3, fs_fast_limit): its entry is current and
 * nothing special applies to it (see fs_fast_limit).  fd < 0 is not. */
static inline int fs_fd_fast(int fd, int memorder)
{
	return (unsigned)fd - 3 < __atomic_load_n(&fs_fast_limit, memorder) - 3;
}

/* Records a new fd.  forced: forksafe added the close-on-exec flag that
 * the program did not ask for.  On the path of every wrapped call: a few
 * loads and one store when nothing special applies.  A failed call (fd
 * < 0) and diagnostic mode, which records the call site, take the slow
 * path (fs_fast_limit is 3 in diagnostic mode).  site 0: the caller of
 * the exported wrapper this is inlined into, found only on the slow path
 * (so the fast one keeps no register for it across the real call). */
static inline __attribute__((always_inline)) void fs_fd_created(int fd, unsigned origin,
								int forced, uintptr_t site)
{
	if (FS_UNLIKELY(!fs_fd_fast(fd, __ATOMIC_RELAXED))) {
		fs_fd_created_slow(fd, origin, forced, site ? site : FS_SITE());
		return;
	}
	__atomic_store_n(&__atomic_load_n(&fs_table, __ATOMIC_RELAXED)[fd].meta,
			 fs_fd_meta(origin, forced), __ATOMIC_RELEASE);
}

/* The slow case of fs_fd_closed: fds 0-2, fds at or beyond
 * fs_fast_limit, and every fd while the limit is 3. */
void fs_fd_closed_slow(int fd) __attribute__((visibility("hidden")));

/* Forgets fd of the fast range (fs_fd_fast), before it is closed. */
static inline void fs_fd_forget_fast(int fd)
{
	__atomic_store_n(&__atomic_load_n(&fs_table, __ATOMIC_RELAXED)[fd].flags, 0,
			 __ATOMIC_RELEASE);
}

static inline void fs_fd_closed(int fd)
{
	if (FS_LIKELY(fs_fd_fast(fd, __ATOMIC_ACQUIRE)))
		fs_fd_forget_fast(fd);
	else
		fs_fd_closed_slow(fd);
}

void fs_fd_closed_range(unsigned first, unsigned last) __attribute__((visibility("hidden")));
/* The program set (cloexec=1) or cleared (0) FD_CLOEXEC itself. */
void fs_fd_set_by_program(int fd, int cloexec) __attribute__((visibility("hidden")));
void fs_fd_set_by_program_range(unsigned first, unsigned last) __attribute__((visibility("hidden")));
/* One past the highest fd ever recorded. */
static inline int fs_fd_limit(void)
{
	return __atomic_load_n(&fs_table_hwm, __ATOMIC_RELAXED);
}

/* The flag to OR into a creating call: flag when forcing and the caller
 * did not ask for it, else 0. */
static inline int fs_force(int asked, int flag)
{
	return fs_forcing & ~asked & flag;
}

/* recvmsg/recvmmsg: clears the MSG_CMSG_CLOEXEC the kernel echoes in
 * msg_flags when forksafe added it (wrap_socket.c). */
struct mmsghdr;
void fs_hide_cmsg_cloexec(struct msghdr *msg, struct mmsghdr *vec, int n) __attribute__((visibility("hidden")));

/* ---- exec and spawn (exec.c) ---- */
enum fs_release_kind {
	FS_REL_EXEC,	/* in the process about to exec (maybe a vfork child): no table writes */
	FS_REL_SPAWN,	/* in a parent around a spawn: counted, may run concurrently */
};
void fs_release_refs(char *const argv[], char *const envp[], const int *extra, int nextra,
		     enum fs_release_kind kind) __attribute__((visibility("hidden")));
void fs_restore_refs(char *const argv[], char *const envp[], const int *extra, int nextra,
		     enum fs_release_kind kind) __attribute__((visibility("hidden")));

/* ---- messages and the diagnostic log (log.c) ---- */
/* Writes "forksafe[PID]: what: text" to stderr.  Async-signal-safe. */
void fs_msg(const char *what, const char *text) __attribute__((visibility("hidden")));

/* One report line.  Build it on the stack with fs_ev_*, then fs_ev_end
 * writes it.  Async-signal-safe; errno is kept from begin to end. */
struct fs_event {
	struct fs_sbuf b;
	int json, nfields, in_list, list_dropped, to_stderr, saved_errno;
	size_t good_len;
	char mem[4096];
};
void fs_ev_begin(struct fs_event *ev, const char *name) __attribute__((visibility("hidden")));
/* The same, for a line that goes to standard error whatever FORKSAFE_LOG
 * says (configuration messages). */
void fs_ev_begin_stderr(struct fs_event *ev, const char *name) __attribute__((visibility("hidden")));
/* Writes the configuration messages init collected. */
void fs_config_flush(void) __attribute__((visibility("hidden")));
void fs_ev_str(struct fs_event *ev, const char *key, const char *v) __attribute__((visibility("hidden")));
void fs_ev_int(struct fs_event *ev, const char *key, long long v) __attribute__((visibility("hidden")));
void fs_ev_list_begin(struct fs_event *ev, const char *key) __attribute__((visibility("hidden")));
void fs_ev_list_item(struct fs_event *ev, const char *v) __attribute__((visibility("hidden")));
void fs_ev_list_end(struct fs_event *ev) __attribute__((visibility("hidden")));
void fs_ev_end(struct fs_event *ev) __attribute__((visibility("hidden")));
/* Opens the log when diagnostic mode starts. */
void fs_log_start(void) __attribute__((visibility("hidden")));
/* Nonzero when fd is forksafe's own log fd. */
int fs_log_private_fd(int fd) __attribute__((visibility("hidden")));

/* ---- diagnostics (diag.c) ---- */
/* Threads in the process now, or -1 when /proc cannot tell. */
int fs_thread_count(void) __attribute__((visibility("hidden")));
/* Adds "caller" (symbol+offset (object)) and "backtrace" fields for the
 * code that called the wrapper at site. */
void fs_ev_caller(struct fs_event *ev, const char *key, uintptr_t site) __attribute__((visibility("hidden")));
void fs_ev_backtrace(struct fs_event *ev, uintptr_t site) __attribute__((visibility("hidden")));
void fs_ev_backtrace_from(struct fs_event *ev, uintptr_t site, int exact_first) __attribute__((visibility("hidden")));
/* Like fs_ev_caller for an exact code address (a function, an
 * interrupted instruction). */
void fs_ev_code(struct fs_event *ev, const char *key, uintptr_t pc) __attribute__((visibility("hidden")));
/* Adds the "atfork" list: the first n registered handlers, by object. */
void fs_ev_atfork(struct fs_event *ev, unsigned n) __attribute__((visibility("hidden")));
/* The exec-time audit: reports each fd the new program would inherit by
 * accident.  via: the wrapper ("execve", "posix_spawn"...). */
void fs_audit_exec(const char *via, const char *path, char *const argv[], char *const envp[],
		   uintptr_t site) __attribute__((visibility("hidden")));
/* Puts the summary counts in memory shared with children. */
void fs_stats_start(void) __attribute__((visibility("hidden")));
enum fs_stat_id { FS_ST_MT_FORK, FS_ST_EXEC_LEAK, FS_ST_FORK_ABORT, FS_ST_COUNT };
void fs_stat_event(enum fs_stat_id id, uintptr_t site) __attribute__((visibility("hidden")));

/* ---- raw system calls: fs_sys.h ---- */

#endif

/* forksafe: what diagnostic mode reports about forks and execs.
 *
 * Everything here may run in a child between fork and exec or in a
 * vfork child: stack buffers, system calls and the loader's lookups
 * (symbolize.c: in a fork child only through dladdr, whose lock glibc
 * resets in the child) — no malloc, no stdio, no lock of forksafe's. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/log.h"
#include "core/inherit.h"
#include "diag/diag.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int dir_fd_number(const char *name);
/* Set once glibc's backtrace has loaded its unwinder (libgcc_s). */
static int unwinder_ready;

/* Calls fn(dirfd, number, arg) for each numeric entry of a /proc
 * directory (fds, tasks), without opendir (no malloc).  Returns -1 when
 * the directory cannot be opened. */
static int for_each_number(const char *path, void (*fn)(int dir, int number, void *arg),
			   void *arg)
{
	char buf[2048];
	int dir = REAL(open)(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return -1;
	for (;;) {
#if FS_HAVE_RAW
		/* The system call: getdents64 would ask every process to
		 * have GLIBC_2.30 checked at start-up. */
		ssize_t n = fs_raw_syscall3(SYS_getdents64, dir, (long)buf, sizeof buf);
#else
		ssize_t n = getdents64(dir, buf, sizeof buf);
#endif
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			int number = dir_fd_number(d->d_name);
			off += d->d_reclen;
			if (number >= 0)
				fn(dir, number, arg);
		}
	}
	REAL(close)(dir);
	return 0;
}

/* Counts a task whose state is not Z or X (gone). */
static void count_live(int dir, int tid, void *arg)
{
	char path[32], stat[512];
	struct fs_sbuf p;
	int fd;
	ssize_t len;

	fs_sb_init(&p, path, sizeof path);
	fs_sb_dec(&p, tid);
	fs_sb_str(&p, "/stat");
	fd = REAL(openat)(dir, fs_sb_cstr(&p), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;	/* gone already */
	len = read(fd, stat, sizeof stat - 1);
	REAL(close)(fd);
	if (len <= 0)
		return;
	stat[len] = '\0';
	const char *rp = strrchr(stat, ')');
	if (rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'))
		return;
	(*(int *)arg)++;
}

/* A thread just joined may still be listed until the kernel releases it
 * (pthread_join returns when its tid is cleared, a little before): when
 * the links say several threads, the ones whose state is already Z or X
 * are not counted.  Costs a directory read, so it is done only where a
 * stale count would do harm: before FORKSAFE_FORK=abort aborts. */
static int live_threads(int listed)
{
	int live = 0;

	if (for_each_number("/proc/self/task", count_live, &live) < 0 || !live)
		return listed;
	return live;
}

/* /proc/self/task has 2 + one link per thread (procfs; Chromium reads
 * the same).  Exact at this moment, whoever made the threads. */
int fs_thread_count(void)
{
	struct stat st;
	if (stat("/proc/self/task", &st) != 0 || st.st_nlink < 3)
		return -1;
	if (st.st_nlink == 3)
		return 1;
	/* Only abort must not act on a thread that has just gone. */
	if (fs_cfg.fork_mode != FS_FORK_ABORT)
		return (int)st.st_nlink - 2;
	return live_threads((int)st.st_nlink - 2);
}

/* The counts live in a shared mapping made when diagnostic mode starts,
 * so what a child reports between fork and exec (its exec leaks) counts
 * in the summary of the process that started diagnostics. */
#define SITE_SLOTS 256
struct stats {
	pid_t owner;
	unsigned long counts[FS_ST_COUNT];
	uintptr_t sites[FS_ST_COUNT][SITE_SLOTS];
	unsigned distinct[FS_ST_COUNT];
};
static struct stats local_stats, *stats = &local_stats;

static void ev_symbol(struct fs_event *ev, const char *key, uintptr_t pc,
		      int (*symbolize)(uintptr_t, struct fs_sbuf *))
{
	char mem[512];
	struct fs_sbuf b;

	fs_sb_init(&b, mem, sizeof mem);
	symbolize(pc, &b);
	fs_ev_str(ev, key, fs_sb_cstr(&b));
}

/* On standard error, programs read what they print (a test runner parses
 * its workers' last line, a test compares a child's stderr): each event
 * is shown there once per call site, and repeats are only counted.  A
 * log file or syslog gets every report. */
/* A report that comes with the end of the process (FORKSAFE_FORK=abort,
 * FORKSAFE_CHILD_LOCKS=abort) explains a death: it is always shown. */
static int ends_process(const char *name)
{
	return (fs_cfg.fork_mode == FS_FORK_ABORT && strcmp(name, "mt-fork") == 0) ||
	       (fs_cfg.child_locks == FS_LOCKS_ABORT && strcmp(name, "child-deadlock") == 0);
}

static void key_event(struct fs_event *ev, uintptr_t site)
{
	uintptr_t h = 5381;

	if (ev->keyed || ev->to_stderr)
		return;
	ev->keyed = 1;
	if (!fs_log_to_stderr() || ends_process(ev->name))
		return;
	for (const char *p = ev->name; p && *p; p++)
		h = h * 33 + (unsigned char)*p;
	if (!fs_stat_first(FS_ST_SHOWN, site ^ (h << 1))) {
		ev->held_back = 1;
		__atomic_add_fetch(&stats->counts[FS_ST_SHOWN], 1, __ATOMIC_RELAXED);
	}
}

void fs_ev_caller(struct fs_event *ev, const char *key, uintptr_t site)
{
	key_event(ev, site);
	if (ev->held_back)
		return;	/* not written: no need to name anything */
	ev_symbol(ev, key, site, fs_symbolize);
}

void fs_ev_code(struct fs_event *ev, const char *key, uintptr_t pc)
{
	ev_symbol(ev, key, pc, fs_symbolize_code);
}

/* The frames above the wrapper: from site (the wrapper's return address)
 * outwards, at most 8.  glibc's backtrace loads its unwinder once; init
 * does that first call when diagnostic mode starts. */
void fs_ev_backtrace(struct fs_event *ev, uintptr_t site)
{
	fs_ev_backtrace_from(ev, site, 0);
}

/* exact_first: site is an interrupted instruction, not a return address. */
void fs_ev_backtrace_from(struct fs_event *ev, uintptr_t site, int exact_first)
{
	void *frames[40];
	int n, start = 0, shown = 0;

	if (ev->held_back || !__atomic_load_n(&unwinder_ready, __ATOMIC_ACQUIRE))
		return;
	n = backtrace(frames, 40);

	for (int i = 0; i < n; i++) {
		if ((uintptr_t)frames[i] == site) {
			start = i;
			break;
		}
	}
	fs_ev_list_begin(ev, "backtrace");
	for (int i = start; i < n && shown < 8; i++, shown++) {
		char mem[384];
		struct fs_sbuf b;
		fs_sb_init(&b, mem, sizeof mem);
		if (i == start && exact_first)
			fs_symbolize_code((uintptr_t)frames[i], &b);
		else
			fs_symbolize((uintptr_t)frames[i], &b);
		fs_ev_list_item(ev, fs_sb_cstr(&b));
	}
	fs_ev_list_end(ev);
}

/* ---- counts for the summary at exit ---- */

static void stats_start(void);

/* Diagnostic mode, or a setting that reports, is on (called once by
 * init, maybe from inside a wrapper): the summary counts, the log. */
void fs_diag_start(void)
{
	if (fs_cfg.diag)
		stats_start();
	fs_log_start();
}

/* From the constructor, outside every wrapper: glibc's backtrace loads
 * its unwinder on first use, with dlopen and malloc.  Done here, never
 * from a wrapper (an allocator's initialisation opening a file with its
 * lock held would deadlock in its own malloc) nor in a child after fork
 * (where the loader's lock may be held forever).  Until then reports
 * carry no backtrace. */
void fs_diag_ready(void)
{
	void *frame[2];

	backtrace(frame, 2);
	__atomic_store_n(&unwinder_ready, 1, __ATOMIC_RELEASE);
}

static void stats_start(void)
{
	void *p = mmap(NULL, sizeof(struct stats), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		stats = p;
	stats->owner = getpid();
}

/* Nonzero the first time key is seen for id in this process and the
 * children it forks (a set in the shared counts). */
int fs_stat_first(enum fs_stat_id id, uintptr_t key)
{
	key = key * 2 + 1;	/* never 0, the free slot */
	for (unsigned i = 0, h = (unsigned)(key >> 1) % SITE_SLOTS; i < SITE_SLOTS; i++) {
		uintptr_t *slot = &stats->sites[id][(h + i) % SITE_SLOTS], none = 0;
		if (__atomic_load_n(slot, __ATOMIC_RELAXED) == key)
			return 0;
		if (__atomic_compare_exchange_n(slot, &none, key, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return 1;
		if (none == key)
			return 0;
	}
	return 1;	/* full: said again rather than never */
}

void fs_stat_event(enum fs_stat_id id, uintptr_t site)
{
	__atomic_add_fetch(&stats->counts[id], 1, __ATOMIC_RELAXED);
	for (unsigned i = 0, h = (unsigned)(site >> 2) % SITE_SLOTS; i < SITE_SLOTS; i++) {
		uintptr_t *slot = &stats->sites[id][(h + i) % SITE_SLOTS], none = 0;
		if (__atomic_load_n(slot, __ATOMIC_RELAXED) == site)
			return;
		if (__atomic_compare_exchange_n(slot, &none, site, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			__atomic_add_fetch(&stats->distinct[id], 1, __ATOMIC_RELAXED);
			return;
		}
		if (none == site)
			return;
	}
}

/* The summary at exit, when there is something to say.  In a log file or
 * syslog: when anything was reported.  On standard error: only when
 * repeats were held back (not_shown), and only when standard error is a
 * terminal, where a person reads it; when it is a pipe or a file,
 * another program may be reading it (a test runner that parses its
 * workers' last line), and nothing is added after the program's own
 * last line.  Test runners should set FORKSAFE_LOG to a file. */
__attribute__((destructor)) static void fs_summary(void)
{
	struct fs_event ev;

	/* Only the process that started diagnostics sums up: its children's
	 * events are in its counts. */
	if (!fs_ready || !fs_cfg.diag || stats->owner != getpid() ||
	    (!stats->counts[FS_ST_MT_FORK] && !stats->counts[FS_ST_EXEC_LEAK]))
		return;
	if (fs_log_to_stderr() && (!stats->counts[FS_ST_SHOWN] || !fs_log_stderr_is_terminal()))
		return;
	fs_ev_begin(&ev, "summary");
	fs_ev_int(&ev, "mt_forks", (long long)stats->counts[FS_ST_MT_FORK]);
	fs_ev_int(&ev, "mt_fork_sites", stats->distinct[FS_ST_MT_FORK]);
	fs_ev_int(&ev, "exec_leaks", (long long)stats->counts[FS_ST_EXEC_LEAK]);
	fs_ev_int(&ev, "exec_leak_sites", stats->distinct[FS_ST_EXEC_LEAK]);
	if (fs_log_to_stderr())
		fs_ev_int(&ev, "not_shown", (long long)stats->counts[FS_ST_SHOWN]);
	fs_ev_end(&ev);
}

/* ---- the exec-time audit ---- */

static void describe_inet(struct fs_sbuf *out, const unsigned char *addr, int len, unsigned port)
{
	for (int i = 0; i < len; i++) {
		if (len == 4) {
			if (i)
				fs_sb_char(out, '.');
			fs_sb_udec(out, addr[i]);
		} else if (i % 2 == 0) {
			static const char hex[] = "0123456789abcdef";
			unsigned v = (unsigned)(addr[i] << 8 | addr[i + 1]);
			int started = 0;
			fs_sb_str(out, i ? ":" : "[");
			for (int shift = 12; shift >= 0; shift -= 4) {
				unsigned d = (v >> shift) & 15;
				if (d || started || shift == 0) {
					fs_sb_char(out, hex[d]);
					started = 1;
				}
			}
		}
	}
	if (len == 16)
		fs_sb_char(out, ']');
	fs_sb_char(out, ':');
	fs_sb_udec(out, port);
}

static void describe_socket(int fd, struct fs_sbuf *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	fs_sb_str(out, "socket");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		fs_sb_str(out, " inet ");
		describe_inet(out, (const unsigned char *)&in->sin_addr, 4, ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		fs_sb_str(out, " inet6 ");
		describe_inet(out, (const unsigned char *)&in6->sin6_addr, 16,
			      ntohs(in6->sin6_port));
	} else if (ss.ss_family == AF_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;
		size_t n = len > offsetof(struct sockaddr_un, sun_path)
				   ? len - offsetof(struct sockaddr_un, sun_path) : 0;
		fs_sb_str(out, " unix");
		if (n > 0 && un->sun_path[0]) {
			fs_sb_char(out, ' ');
			fs_sb_mem(out, un->sun_path, strnlen(un->sun_path, n));
		} else if (n > 1) {
			fs_sb_str(out, " @");
			fs_sb_mem(out, un->sun_path + 1, n - 1);
		}
	} else {
		fs_sb_str(out, " family ");
		fs_sb_udec(out, ss.ss_family);
	}
}

/* A short description of what fd is: a path, "socket inet 127.0.0.1:80",
 * "pipe", "eventfd"... */
static void describe_fd(int fd, struct fs_sbuf *out)
{
	char path[64], target[512];
	struct fs_sbuf p;
	ssize_t n;

	fs_sb_init(&p, path, sizeof path);
	fs_sb_str(&p, "/proc/self/fd/");
	fs_sb_dec(&p, fd);
	n = readlink(fs_sb_cstr(&p), target, sizeof target - 1);
	if (n < 0) {
		fs_sb_str(out, "unknown");
		return;
	}
	target[n] = '\0';
	if (strncmp(target, "socket:", 7) == 0) {
		describe_socket(fd, out);
	} else if (strncmp(target, "pipe:", 5) == 0) {
		fs_sb_str(out, "pipe");
	} else if (strncmp(target, "anon_inode:", 11) == 0) {
		const char *k = target + 11;
		size_t len = strlen(k);
		if (*k == '[' && len > 2)
			fs_sb_mem(out, k + 1, len - 2);
		else
			fs_sb_str(out, k);
	} else {
		fs_sb_str(out, target);
	}
}

/* What created fd, for a report: the call and where, or that it was
 * open when the program started. */
static void ev_origin(struct fs_event *ev, int fd)
{
	struct fs_fdent *e = fs_fd_entry(fd);
	uint8_t f = e ? __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) : 0;

	if (f & FS_FD_KNOWN) {
		fs_ev_str(ev, "created_by", fs_call_name(e->origin));
		fs_ev_caller(ev, "created_at", fs_fd_site(fd));
	} else {
		fs_ev_str(ev, "created_by", "unknown");
		fs_ev_str(ev, "created_at", "open at start-up or made by a raw system call");
	}
}

static void ev_fd(struct fs_event *ev, int fd)
{
	char mem[600];
	struct fs_sbuf b;

	fs_sb_init(&b, mem, sizeof mem);
	describe_fd(fd, &b);
	fs_ev_int(ev, "fd", fd);
	fs_ev_str(ev, "what", fs_sb_cstr(&b));
}

static void report_leak(int fd, const char *via, const char *path, uintptr_t site)
{
	struct fs_event ev;
	struct fs_fdent *e = fs_fd_entry(fd);
	uint8_t f = e ? __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) : 0;

	fs_ev_begin(&ev, "exec-leak");
	ev_fd(&ev, fd);
	ev_origin(&ev, fd);
	fs_ev_str(&ev, "exec", path ? path : "");
	fs_ev_str(&ev, "via", via);
	fs_ev_caller(&ev, "exec_at", site);
	fs_ev_end(&ev);
	fs_stat_event(FS_ST_EXEC_LEAK, e && (f & FS_FD_KNOWN) ? fs_fd_site(fd) : 0);
}

/* A forced fd the new program does not get but may expect (why). */
static void report_withheld(int fd, const char *why, const char *via, const char *path,
			    uintptr_t site)
{
	struct fs_event ev;

	fs_ev_begin(&ev, "exec-withheld");
	ev_fd(&ev, fd);
	fs_ev_str(&ev, "because", why);
	ev_origin(&ev, fd);
	fs_ev_str(&ev, "exec", path ? path : "");
	fs_ev_str(&ev, "via", via);
	fs_ev_caller(&ev, "exec_at", site);
	fs_ev_str(&ev, "hint", "list it in FORKSAFE_KEEP_FDS if the program expects it");
	fs_ev_end(&ev);
}

/* ---- fds open when the program started ---- */

/* Whether the process that started this program ran forksafe in
 * diagnostic mode: then the fds this program found open at start-up were
 * that process's to report (as its leaks, or as what it had found open
 * itself), and they are not reported again here.  Read once, from that
 * process's environment, when the first such fd is seen; a child of a
 * fork keeps its parent's answer (the program started there).  Without
 * /proc, or without the right to read it, the answer is no. */
static int started_by_diag = -1;

static int entry_says(const char *entry, size_t len, int *diag, int *preload)
{
	if (len >= 16 && memcmp(entry, "FORKSAFE_DIAG=1", 16) == 0)
		*diag = 1;
	if (len > 11 && memcmp(entry, "LD_PRELOAD=", 11) == 0 &&
	    memmem(entry, len, "libforksafe", 11))
		*preload = 1;
	return *diag && *preload;
}

static int parent_ran_diag(void)
{
	char path[40], buf[4096], cur[512];
	struct fs_sbuf b;
	size_t len = 0;
	int fd, diag = 0, preload = 0, yes = 0;
	ssize_t n;

	fs_sb_init(&b, path, sizeof path);
	fs_sb_str(&b, "/proc/");
	fs_sb_dec(&b, getppid());
	fs_sb_str(&b, "/environ");
	fd = REAL(open)(fs_sb_cstr(&b), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (!yes && (n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n && !yes; i++) {
			if (buf[i]) {
				if (len < sizeof cur)
					cur[len++] = buf[i];
				continue;
			}
			yes = entry_says(cur, len, &diag, &preload);
			len = 0;
		}
	}
	REAL(close)(fd);
	return yes;
}

/* fd, open at start-up, is reported at most once by this program and the
 * children it forks, and not at all when the process that started it
 * ran diagnostics. */
static int report_inherited(int fd)
{
	if (__atomic_load_n(&started_by_diag, __ATOMIC_RELAXED) < 0)
		__atomic_store_n(&started_by_diag, parent_ran_diag(), __ATOMIC_RELAXED);
	return !started_by_diag && fs_stat_first(FS_ST_INHERITED, (uintptr_t)fd);
}

/* Before main: the program just started.  A fork child keeps the answer
 * (it runs the same program) and an exec resets it. */
__attribute__((constructor)) static void started(void)
{
	if (fs_where & FS_W_FORKED)
		return;
	started_by_diag = -1;
}

struct audit {
	const struct fs_newprog *np;
	const char *via, *path;
	uintptr_t site;
};

/* One open fd: reported if the new program would inherit it by accident.
 * The directory's own fd is close-on-exec, so it is never reported. */
static void audit_one(int dir, int fd, void *arg)
{
	const struct audit *a = arg;
	struct fs_fdent *e;
	char mem[256];
	const char *why;
	int fl;

	if (fd <= 2 || fd == dir || fs_log_private_fd(fd))
		return;
	fl = REAL(fcntl)(fd, F_GETFD);
	if (fl < 0)
		return;
	if (fl & FD_CLOEXEC) {
		if ((why = fs_inherit_withheld(fd, a->np, mem, sizeof mem)) != NULL)
			report_withheld(fd, why, a->via, a->path, a->site);
		return;
	}
	if (fs_inherit_reason(fd, a->np))
		return;
	e = fs_fd_entry(fd);
	if (e && (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & FS_FD_KNOWN))
		report_leak(fd, a->via, a->path, a->site);
	else if (report_inherited(fd))
		report_leak(fd, a->via, a->path, a->site);
}

/* "17" -> 17; anything else ("." "..") -> -1. */
static int dir_fd_number(const char *name)
{
	long v = 0;
	if (!*name)
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*name - '0');
	}
	return (int)v;
}

void fs_audit_exec(const char *via, const char *path, const struct fs_newprog *np,
		   uintptr_t site)
{
	struct audit a = { .np = np, .via = via, .path = path, .site = site };
	int saved = errno;

	if (!fs_cfg.diag || fs_cfg.shell || fs_cfg.cloexec == FS_CLOEXEC_OFF)
		return;
	for_each_number("/proc/self/fd", audit_one, &a);
	errno = saved;
}

/* forksafe: the diagnostic log and standard error.
 *
 * Every report is one line, built in a stack buffer and written with one
 * write(2) (one send for syslog): no stdio, no allocation, no lock, errno
 * preserved.  So reports can be written from signal handlers, from a
 * child after fork, and from a vfork child.
 *
 * forksafe writes only into fds of its own, never into one the program
 * owns:
 * - standard error is fd 2 as it was when the program started: start-up
 *   records whether fd 2 was open and which file it was (device and
 *   inode).  The first message makes a private copy of it (close-on-exec,
 *   above the numbers a program normally uses), and only while fd 2 is
 *   still that file: a program started with fd 2 closed, whose next file
 *   then became fd 2, never gets a message in it.  Every message, report
 *   and warning goes through that copy.
 * - the log (FORKSAFE_LOG) is opened on a private number too.
 * Neither is opened before the first line is written.
 * Both are checked by identity before every write: a program that closes
 * every fd and reuses the numbers (closefrom(3), then its own files)
 * never finds a line in its files.  The log file is then reopened, the
 * stderr copy made again only if fd 2 is still the start-up file, and
 * otherwise the line is dropped.
 *
 * The log file is opened without blocking and without following any
 * symlink on its path, and used only if it is a regular file of the
 * process's effective user that nobody else may write (or a character
 * device such as /dev/null); open_file_log says what else is refused. */
#include "config.h"
#include "core/core.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_NO_SYMLINKS
#define RESOLVE_NO_SYMLINKS 0x04
#endif
struct fs_open_how {
	unsigned long long flags, mode, resolve;
};

/* The lowest number forksafe's own fds are moved to. */
#define FS_PRIVATE_FD_MIN 1000

struct identity {
	dev_t dev;
	ino_t ino;
};

static int log_fd = -1;
static struct identity log_id;
static int err_fd = -1;			/* the private copy of standard error */
/* Written at start-up (fs_log_init): in .data, on the page the loader
 * writes anyway, not on a page of .bss of their own. */
FS_START_DATA static struct identity err_id;	/* fd 2 when the program started */
FS_START_DATA static int err_usable;		/* fd 2 was open when it started */

#if defined(__x86_64__)
/* gettid without its GLIBC_2.30 version (core/glibcver.h).
 * Async-signal-safe. */
int fs_gettid(void)
{
	return (int)fs_raw_syscall3(SYS_gettid, 0, 0, 0);
}
#endif

/* On x86_64 the kernel's struct stat is libc's: the system call, which
 * start-up makes (fs_log_init) without the symbol lookup of a first call
 * of fstat. */
static int identity_of(int fd, struct identity *id)
{
	struct stat st;
#if defined(__x86_64__)
	if (fs_raw_syscall3(SYS_fstat, fd, (long)&st, 0) != 0)
		return -1;
#else
	if (fstat(fd, &st) != 0)
		return -1;
#endif
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

static int same_identity(int fd, const struct identity *id)
{
	struct identity now;
	return identity_of(fd, &now) == 0 && now.dev == id->dev && now.ino == id->ino;
}

/* Moves fd to a private number (close-on-exec), closing the original. */
static int move_private(int fd)
{
	struct rlimit rl;
	int min = FS_PRIVATE_FD_MIN, moved;

	if (fd < 0)
		return -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= (rlim_t)min + 16)
		min = rl.rlim_cur > 32 ? (int)rl.rlim_cur - 16 : 3;
	moved = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, min);
	if (moved < 0)
		moved = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, 3);
	REAL(close)(fd);
	return moved;
}

/* Start-up (fs_init, before anything can be said): whether fd 2 is open
 * and which file it is.  One fstat; the copy is made when first needed. */
void fs_log_init(void)
{
	err_usable = identity_of(2, &err_id) == 0;
}

/* The private copy of the start-up standard error, or -1 when there is
 * none to be had (fd 2 was closed at start-up, or is another file now).
 * Async-signal-safe; two threads racing keep one copy. */
static int stderr_fd(void)
{
	int fd = __atomic_load_n(&err_fd, __ATOMIC_ACQUIRE), mine, expected;

	if (fd >= 0 && same_identity(fd, &err_id))
		return fd;
	/* Gone or reused by the program: never close it, it is not ours. */
	if (!err_usable || !same_identity(2, &err_id))
		return -1;
	mine = move_private(REAL(fcntl)(2, F_DUPFD_CLOEXEC, 3));
	if (mine < 0 || !same_identity(mine, &err_id)) {
		if (mine >= 0)
			REAL(close)(mine);
		return -1;
	}
	expected = fd;
	if (__atomic_compare_exchange_n(&err_fd, &expected, mine, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return mine;
	/* Another thread made one first: use it. */
	REAL(close)(mine);
	return expected;
}

/* A short description of an errno value, for messages (strerror is not
 * async-signal-safe). */
static void errno_text(struct fs_sbuf *b, int e)
{
	static const struct { int e; const char *text; } names[] = {
		{ ENOSPC, "no space left on device" }, { EDQUOT, "disk quota exceeded" },
		{ EFBIG, "file too large" }, { EIO, "input/output error" },
		{ EROFS, "read-only file system" }, { EACCES, "permission denied" },
		{ EPERM, "operation not permitted" }, { ENOENT, "no such file or directory" },
		{ ENOTDIR, "a component of the path is not a directory" },
		{ ELOOP, "a symbolic link is on the path" },
		{ ENXIO, "no such device or address, as for a FIFO with no reader" },
		{ EISDIR, "is a directory" }, { ENAMETOOLONG, "name too long" },
		{ EMFILE, "too many open files" }, { ENFILE, "too many open files in the system" },
		{ EPIPE, "broken pipe" },
		{ EAGAIN, "would block" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].e == e) {
			fs_sb_str(b, names[i].text);
			return;
		}
	}
	fs_sb_str(b, "errno ");
	fs_sb_dec(b, e);
}

static int sys_openat(int dir, const char *path, int flags, int mode)
{
	if (FS_HAVE_RAW)
		return (int)fs_sys_result(fs_raw_syscall(SYS_openat, dir, (long)path, flags, mode,
							 0, 0));
	return REAL(openat)(dir, path, flags, mode);
}

/* Opens path (absolute) with flags, following no symlink anywhere on it:
 * openat2 with RESOLVE_NO_SYMLINKS where the kernel has it, else one
 * directory at a time, each opened with O_NOFOLLOW and O_DIRECTORY.  A
 * symlink fails with ELOOP. */
static int open_no_symlinks(const char *path, int flags, int mode)
{
	struct fs_open_how how = { (unsigned long long)flags, (unsigned long long)mode,
				   RESOLVE_NO_SYMLINKS };
	char name[256];
	int dir, next, fd;
	const char *p;

	if (FS_HAVE_RAW) {
		fd = (int)fs_sys_result(fs_raw_syscall(SYS_openat2, AT_FDCWD, (long)path,
						       (long)&how, sizeof how, 0, 0));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != E2BIG))
			return fd;
	}
	/* The walk: "/" first, then each directory below it. */
	dir = sys_openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (dir < 0)
		return -1;
	for (p = path;;) {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n >= sizeof name) {
			REAL(close)(dir);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		if (!*p) {	/* the last component: the file itself */
			fd = sys_openat(dir, n ? name : ".", flags | O_NOFOLLOW, mode);
			REAL(close)(dir);
			return fd;
		}
		next = sys_openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (next < 0) {
			/* A symlink to a directory fails as "not a directory". */
			struct stat st;
			int e = errno;
			if (e == ENOTDIR && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				e = ELOOP;
			REAL(close)(dir);
			errno = e;
			return -1;
		}
		REAL(close)(dir);
		dir = next;
	}
}

/* Opens FORKSAFE_LOG, or says in why it will not (and returns -1).
 *
 * - without blocking (O_NONBLOCK, cleared once the file is accepted): a
 *   FIFO planted at the path never stops the program;
 * - following no symlink, on any component of the path;
 * - created 0600 if absent; appended to, never truncated;
 * - an existing file only if it is a regular file owned by the effective
 *   user, with one link, that neither group nor others may write; or a
 *   character device (/dev/null, /dev/full, a terminal). */
static int open_file_log(struct fs_sbuf *why)
{
	struct stat st;
	int fd = open_no_symlinks(fs_cfg.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
				  O_NOCTTY | O_NONBLOCK, 0600);
	int fl;

	if (fd < 0) {
		errno_text(why, errno);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		errno_text(why, errno);
	} else if (S_ISCHR(st.st_mode)) {
		goto accepted;	/* a device: /dev/null, /dev/full, a terminal */
	} else if (!S_ISREG(st.st_mode)) {
		fs_sb_str(why, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" :
			       S_ISBLK(st.st_mode) ? "a block device" : "not a regular file");
		fs_sb_str(why, ", not a regular file");
	} else if (st.st_uid != geteuid()) {
		fs_sb_str(why, "owned by uid ");
		fs_sb_dec(why, st.st_uid);
		fs_sb_str(why, ", not by this process's effective uid ");
		fs_sb_dec(why, geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fs_sb_str(why, "writable by group or others (mode ");
		fs_sb_char(why, (char)('0' + ((st.st_mode >> 6) & 7)));
		fs_sb_char(why, (char)('0' + ((st.st_mode >> 3) & 7)));
		fs_sb_char(why, (char)('0' + (st.st_mode & 7)));
		fs_sb_char(why, ')');
	} else if (st.st_nlink != 1) {
		fs_sb_str(why, "has ");
		fs_sb_dec(why, (long long)st.st_nlink);
		fs_sb_str(why, " hard links");
	} else {
		goto accepted;
	}
	REAL(close)(fd);
	return -1;
accepted:
	fl = REAL(fcntl)(fd, F_GETFL);
	if (fl < 0 || REAL(fcntl)(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		errno_text(why, errno);
		REAL(close)(fd);
		return -1;
	}
	return move_private(fd);
}

static int open_syslog(struct fs_sbuf *why)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	int fd = REAL(socket)(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		errno_text(why, errno);
		if (fd >= 0)
			REAL(close)(fd);
		return -1;
	}
	return move_private(fd);
}

/* Reports go to standard error from now on: the log was refused. */
static int log_refused;

/* Opens the log.  A destination refused is said once, with why; reports
 * then go to standard error. */
static int open_log(void)
{
	static int failed_said;
	char whymem[200];
	struct fs_sbuf why;
	int fd;

	fs_sb_init(&why, whymem, sizeof whymem);
	switch (fs_cfg.log_kind) {
	case FS_LOGDEST_FILE: fd = open_file_log(&why); break;
	case FS_LOGDEST_SYSLOG: fd = open_syslog(&why); break;
	default: return -1;
	}
	if (fd >= 0)
		return fd;
	__atomic_store_n(&log_refused, 1, __ATOMIC_RELAXED);
	if (!__atomic_exchange_n(&failed_said, 1, __ATOMIC_RELAXED)) {
		char mem[600];
		struct fs_sbuf b;
		fs_sb_init(&b, mem, sizeof mem);
		fs_sb_str(&b, "FORKSAFE_LOG: cannot open ");
		fs_sb_str(&b, fs_cfg.log_kind == FS_LOGDEST_FILE ? fs_cfg.log_path : "/dev/log");
		fs_sb_str(&b, " (");
		fs_sb_str(&b, fs_sb_cstr(&why));
		fs_sb_str(&b, "); reports go to stderr");
		fs_msg("warning", fs_sb_cstr(&b));
	}
	return -1;
}

/* Returns the log fd, valid and still forksafe's, or -1 for standard
 * error.  Async-signal-safe and lock-free: log_fd is -1 (none yet), -2
 * (a thread is installing one) or the fd, whose identity log_id holds
 * (written only by the thread that moved log_fd to -2, before it
 * publishes the fd).  A thread that finds another installing, or loses
 * the race to install, opens a copy of its own for this one line and
 * sets *temp: the caller closes it after writing. */
static int current_log_fd(int *temp)
{
	int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE), mine, expected;
	struct identity id;

	*temp = 0;
	if (fs_cfg.log_kind == FS_LOGDEST_STDERR || __atomic_load_n(&log_refused, __ATOMIC_RELAXED))
		return -1;
	if (fd >= 0) {
		id.dev = __atomic_load_n(&log_id.dev, __ATOMIC_RELAXED);
		id.ino = __atomic_load_n(&log_id.ino, __ATOMIC_RELAXED);
		if (same_identity(fd, &id))
			return fd;
	}
	/* Gone or reused by the program: never close it, it is not ours. */
	mine = open_log();
	if (mine < 0 || identity_of(mine, &id) != 0) {
		if (mine >= 0)
			REAL(close)(mine);
		return -1;
	}
	expected = fd;
	if (fd == -2 || !__atomic_compare_exchange_n(&log_fd, &expected, -2, 0, __ATOMIC_ACQ_REL,
						     __ATOMIC_ACQUIRE)) {
		*temp = 1;
		return mine;
	}
	__atomic_store_n(&log_id.dev, id.dev, __ATOMIC_RELAXED);
	__atomic_store_n(&log_id.ino, id.ino, __ATOMIC_RELAXED);
	__atomic_store_n(&log_fd, mine, __ATOMIC_RELEASE);
	return mine;
}

int fs_log_private_fd(int fd)
{
	return fd >= 0 && (fd == __atomic_load_n(&log_fd, __ATOMIC_RELAXED) ||
			   fd == __atomic_load_n(&err_fd, __ATOMIC_RELAXED));
}

int fs_log_to_stderr(void)
{
	int temp, fd = current_log_fd(&temp);
	if (temp)
		REAL(close)(fd);
	return fd < 0;
}

/* Nothing is opened before the first line: an fd of forksafe's in a
 * program that lists its own fds (a test of close_fds, a daemon that
 * checks what it inherited) would change what it sees. */
void fs_log_start(void)
{
}

int fs_log_stderr_is_terminal(void)
{
	int fd = stderr_fd();
	return fd >= 0 && isatty(fd);
}

/* Writes it all; returns 0, or the errno of the write that failed. */
static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void write_stderr(const char *p, size_t len)
{
	int fd = stderr_fd();
	if (fd >= 0)
		write_all(fd, p, len);
}

/* A log that cannot take a report (a full disk, a quota) is said once on
 * standard error: reports are being lost. */
static void say_lost(int e)
{
	static int said;
	char mem[600];
	struct fs_sbuf b;

	if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		return;
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_str(&b, "FORKSAFE_LOG: cannot write to ");
	fs_sb_str(&b, fs_cfg.log_kind == FS_LOGDEST_FILE ? fs_cfg.log_path : "/dev/log");
	fs_sb_str(&b, " (");
	errno_text(&b, e);
	fs_sb_str(&b, "); reports are being lost");
	fs_msg("warning", fs_sb_cstr(&b));
}

static void write_line(const char *p, size_t len)
{
	int temp, fd = current_log_fd(&temp), e;

	if (fd < 0) {
		write_stderr(p, len);
		return;
	}
	if (fs_cfg.log_kind == FS_LOGDEST_SYSLOG) {
		/* A report must never fail the program. */
		if (send(fd, p, len, MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
		    errno != ENOBUFS)
			say_lost(errno);
	} else if ((e = write_all(fd, p, len)) != 0) {
		say_lost(e);
	}
	if (temp)
		REAL(close)(fd);
}

/* ---- events ---- */

/* Text reports: a control byte (below 0x20, and 0x7f) is escaped as the
 * JSON format escapes it (\u001b), so a file name holding \r or ESC can
 * neither forge nor hide a line on a terminal; inside a quoted value, "
 * and \ are escaped with a backslash too (quoted: 1). */
static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void text_escaped(struct fs_sbuf *b, const char *s, int quoted)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (is_control(c)) {
			char esc[6] = { '\\', 'u', '0', '0', "0123456789abcdef"[c >> 4],
					"0123456789abcdef"[c & 15] };
			fs_sb_mem(b, esc, 6);
			continue;
		}
		if (quoted && (c == '"' || c == '\\'))
			fs_sb_char(b, '\\');
		fs_sb_char(b, (char)c);
	}
}

/* A text value is written bare only when it has no space, quote,
 * backslash or control byte. */
static int needs_quotes(const char *v)
{
	if (!v || !*v)
		return 1;
	for (; *v; v++)
		if (*v == ' ' || *v == '"' || *v == '\\' || is_control((unsigned char)*v))
			return 1;
	return 0;
}

static void fs_ev_begin_common(struct fs_event *ev, const char *name, int syslog_prefix);

/* The program's name as started (argv[0] without its directory), so a log
 * that many processes share says which program wrote each report
 * (forksafe report groups by it).  Cut to 64 bytes: argv[0] is the
 * caller's to choose and must not crowd out the report's own fields. */
static void program_name(struct fs_sbuf *b)
{
	char name[65];
	const char *prog = fs_program_name();
	size_t n = strnlen(prog, sizeof name - 1);

	memcpy(name, prog, n);
	name[n] = '\0';
	fs_sb_json_str(b, name);
}

/* Marks the end of a complete field: a line too long for the buffer is
 * cut back to it, so it stays valid JSON. */
static void field_done(struct fs_event *ev)
{
	if (!ev->b.truncated)
		ev->good_len = ev->b.len;
}

static void key(struct fs_event *ev, const char *k)
{
	if (ev->json) {
		fs_sb_str(&ev->b, ",\"");
		fs_sb_str(&ev->b, k);
		fs_sb_str(&ev->b, "\":");
	} else {
		if (ev->nfields++)
			fs_sb_char(&ev->b, ' ');
		fs_sb_str(&ev->b, k);
		fs_sb_char(&ev->b, '=');
	}
}

void fs_ev_begin_stderr(struct fs_event *ev, const char *name)
{
	fs_ev_begin_common(ev, name, 0);
	ev->to_stderr = 1;
}

void fs_ev_begin(struct fs_event *ev, const char *name)
{
	fs_ev_begin_common(ev, name, fs_cfg.log_kind == FS_LOGDEST_SYSLOG);
}

static void fs_ev_begin_common(struct fs_event *ev, const char *name, int syslog_prefix)
{
	int saved = errno;

	ev->saved_errno = saved;
	ev->to_stderr = 0;
	ev->keyed = 0;
	ev->held_back = 0;
	ev->name = name;
	ev->list_dropped = 0;
	ev->json = fs_cfg.log_format == FS_LOG_JSON;
	ev->nfields = 0;
	ev->in_list = 0;
	fs_sb_init(&ev->b, ev->mem, sizeof ev->mem);
	if (syslog_prefix)
		fs_sb_str(&ev->b, "<12>");	/* LOG_USER | LOG_WARNING */
	if (ev->json) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		fs_sb_str(&ev->b, "{\"event\":\"");
		fs_sb_json_str(&ev->b, name);
		fs_sb_str(&ev->b, "\",\"pid\":");
		fs_sb_dec(&ev->b, getpid());
		fs_sb_str(&ev->b, ",\"tid\":");
		fs_sb_dec(&ev->b, gettid());
		fs_sb_str(&ev->b, ",\"time\":\"");
		fs_sb_time_iso(&ev->b, ts.tv_sec, ts.tv_nsec);
		fs_sb_str(&ev->b, "\",\"program\":\"");
		program_name(&ev->b);
		fs_sb_char(&ev->b, '"');
	} else {
		fs_sb_str(&ev->b, "forksafe[");
		fs_sb_dec(&ev->b, getpid());
		fs_sb_str(&ev->b, "]: ");
		fs_sb_str(&ev->b, name);
		fs_sb_str(&ev->b, ":");
		ev->nfields = 0;
		fs_sb_char(&ev->b, ' ');
	}
	field_done(ev);
}

void fs_ev_str(struct fs_event *ev, const char *k, const char *v)
{
	key(ev, k);
	if (ev->json) {
		fs_sb_char(&ev->b, '"');
		fs_sb_json_str(&ev->b, v ? v : "");
		fs_sb_char(&ev->b, '"');
	} else if (!needs_quotes(v)) {
		fs_sb_str(&ev->b, v);
	} else {
		fs_sb_char(&ev->b, '"');
		text_escaped(&ev->b, v, 1);
		fs_sb_char(&ev->b, '"');
	}
	field_done(ev);
}

void fs_ev_int(struct fs_event *ev, const char *k, long long v)
{
	key(ev, k);
	fs_sb_dec(&ev->b, v);
	field_done(ev);
}

void fs_ev_list_begin(struct fs_event *ev, const char *k)
{
	key(ev, k);
	fs_sb_char(&ev->b, ev->json ? '[' : '"');
	ev->in_list = 0;
}

void fs_ev_list_item(struct fs_event *ev, const char *v)
{
	/* Keep room for the rest of the line: an item that does not fit is
	 * counted and named at the end of the list instead. */
	if (ev->b.len + strlen(v) + 8 + 256 > ev->b.cap) {
		ev->list_dropped++;
		return;
	}
	if (ev->in_list++)
		fs_sb_str(&ev->b, ev->json ? "," : " < ");
	if (ev->json) {
		fs_sb_char(&ev->b, '"');
		fs_sb_json_str(&ev->b, v);
		fs_sb_char(&ev->b, '"');
	} else {
		/* Items are joined by " < " inside one quoted value. */
		text_escaped(&ev->b, v, 1);
	}
}

void fs_ev_list_end(struct fs_event *ev)
{
	if (ev->list_dropped) {
		char mem[32];
		struct fs_sbuf b;
		int dropped = ev->list_dropped;
		fs_sb_init(&b, mem, sizeof mem);
		fs_sb_char(&b, '+');
		fs_sb_dec(&b, dropped);
		fs_sb_str(&b, " more");
		ev->list_dropped = 0;
		if (ev->in_list++)
			fs_sb_str(&ev->b, ev->json ? "," : " < ");
		if (ev->json)
			fs_sb_char(&ev->b, '"');
		fs_sb_str(&ev->b, fs_sb_cstr(&b));
		if (ev->json)
			fs_sb_char(&ev->b, '"');
	}
	fs_sb_char(&ev->b, ev->json ? ']' : '"');
	field_done(ev);
}

void fs_ev_end(struct fs_event *ev)
{
	/* A line cut short ends at its last complete field, flagged. */
	if (ev->b.len + 24 > ev->b.cap)
		ev->b.truncated = 1;
	if (ev->b.truncated) {
		ev->b.len = ev->good_len + 24 > ev->b.cap ? ev->b.cap - 24 : ev->good_len;
		ev->b.truncated = 0;
		fs_sb_str(&ev->b, ev->json ? ",\"truncated\":true" : " truncated=1");
	}
	if (ev->json)
		fs_sb_char(&ev->b, '}');
	fs_sb_char(&ev->b, '\n');
	if (ev->to_stderr)
		write_stderr(ev->b.p, ev->b.len);
	else if (!ev->held_back)
		write_line(ev->b.p, ev->b.len);
	errno = ev->saved_errno;
}

/* Configuration messages and warnings go to standard error whatever the
 * log settings (they are about the settings themselves), through the
 * same private copy as every report; control bytes in text are escaped. */
void fs_msg(const char *what, const char *text)
{
	char mem[1024];
	struct fs_sbuf b;
	int saved = errno;

	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_str(&b, "forksafe[");
	fs_sb_dec(&b, getpid());
	fs_sb_str(&b, "]: ");
	fs_sb_str(&b, what);
	fs_sb_str(&b, ": ");
	text_escaped(&b, text, 0);
	if (b.len + 1 >= b.cap)
		b.len = b.cap - 2;
	fs_sb_char(&b, '\n');
	write_stderr(b.p, b.len);
	errno = saved;
}

/* forksafe: the diagnostic log.
 *
 * Every report is one line, built in a stack buffer and written with one
 * write(2) (one send for syslog): no stdio, no allocation, no lock, errno
 * preserved.  So reports can be written from signal handlers, from a
 * child after fork, and from a vfork child.
 *
 * The log fd is forksafe's own: close-on-exec, duplicated above the
 * numbers a program normally uses, and checked before every write
 * (device and inode recorded when it was opened).  A program that closes
 * every fd and reuses the numbers (closefrom(3), then its own files)
 * never finds a log line in its files: the file log is reopened, the
 * stderr copy is made again from fd 2 only if fd 2 is still the original
 * stderr, and otherwise the report is dropped. */
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

/* The lowest number forksafe's own fds are moved to. */
#define FS_PRIVATE_FD_MIN 1000

struct identity {
	dev_t dev;
	ino_t ino;
};

static int log_fd = -1;
static struct identity log_id;
static struct identity stderr_id;	/* fd 2 when diagnostic mode started */
static int stderr_id_valid;

static int identity_of(int fd, struct identity *id)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
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

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= (rlim_t)min + 16)
		min = rl.rlim_cur > 32 ? (int)rl.rlim_cur - 16 : 3;
	moved = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, min);
	if (moved < 0)
		moved = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, 3);
	REAL(close)(fd);
	return moved;
}

static int open_file_log(void)
{
	/* Appended to, never truncated; no symlink followed; only the owner
	 * may read it. */
	int fd = (int)fs_sys_result(fs_raw_syscall(SYS_openat, AT_FDCWD, (long)fs_cfg.log_path,
						   O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
						   O_NOFOLLOW | O_NOCTTY, 0600, 0, 0));
	return fd < 0 ? -1 : move_private(fd);
}

static int open_syslog(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	int fd = REAL(socket)(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		REAL(close)(fd);
		return -1;
	}
	return move_private(fd);
}

static int open_stderr_copy(void)
{
	if (!stderr_id_valid && identity_of(2, &stderr_id) == 0)
		stderr_id_valid = 1;
	if (!stderr_id_valid || !same_identity(2, &stderr_id))
		return -1;
	return move_private(REAL(fcntl)(2, F_DUPFD_CLOEXEC, 3));
}

/* A destination that cannot be opened is said once; reports then go to
 * standard error. */
static int open_log(void)
{
	static int failed_said;
	int fd;

	switch (fs_cfg.log_kind) {
	case FS_LOGDEST_FILE: fd = open_file_log(); break;
	case FS_LOGDEST_SYSLOG: fd = open_syslog(); break;
	default: return open_stderr_copy();
	}
	if (fd >= 0)
		return fd;
	if (!__atomic_exchange_n(&failed_said, 1, __ATOMIC_RELAXED)) {
		char mem[600];
		struct fs_sbuf b;
		fs_sb_init(&b, mem, sizeof mem);
		fs_sb_str(&b, "FORKSAFE_LOG: cannot open ");
		fs_sb_str(&b, fs_cfg.log_kind == FS_LOGDEST_FILE ? fs_cfg.log_path : "/dev/log");
		fs_sb_str(&b, "; reports go to stderr");
		fs_msg("warning", fs_sb_cstr(&b));
	}
	return open_stderr_copy();
}

/* Returns the log fd, valid and still forksafe's, or -1. */
static int current_log_fd(void)
{
	int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
	struct identity id;

	if (fd >= 0 && same_identity(fd, &log_id))
		return fd;
	/* Gone or reused by the program: never close it, it is not ours. */
	fd = open_log();
	if (fd < 0 || identity_of(fd, &id) != 0)
		return -1;
	log_id = id;
	__atomic_store_n(&log_fd, fd, __ATOMIC_RELEASE);
	return fd;
}

int fs_log_private_fd(int fd)
{
	return fd >= 0 && fd == __atomic_load_n(&log_fd, __ATOMIC_RELAXED);
}

void fs_log_start(void)
{
	if (identity_of(2, &stderr_id) == 0)
		stderr_id_valid = 1;
	current_log_fd();
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void write_line(const char *p, size_t len)
{
	int fd = current_log_fd();
	if (fd < 0)
		return;
	if (fs_cfg.log_kind == FS_LOGDEST_SYSLOG) {
		if (send(fd, p, len, MSG_NOSIGNAL) < 0) {
			/* A report must never fail the program. */
		}
		return;
	}
	write_all(fd, p, len);
}

/* ---- events ---- */

static void fs_ev_begin_common(struct fs_event *ev, const char *name, int syslog_prefix);

/* The program's name as started (argv[0] without its directory), so a log
 * that many processes share says which program wrote each report
 * (forksafe report groups by it).  Cut to 64 bytes: argv[0] is the
 * caller's to choose and must not crowd out the report's own fields. */
static void program_name(struct fs_sbuf *b)
{
	char name[65];
	size_t n = strnlen(program_invocation_short_name, sizeof name - 1);

	memcpy(name, program_invocation_short_name, n);
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
	} else if (v && *v && !strpbrk(v, " \"\t\n")) {
		fs_sb_str(&ev->b, v);
	} else {
		fs_sb_char(&ev->b, '"');
		for (; v && *v; v++) {
			if (*v == '"' || *v == '\\')
				fs_sb_char(&ev->b, '\\');
			fs_sb_char(&ev->b, *v == '\n' ? ' ' : *v);
		}
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
		for (; *v; v++)
			fs_sb_char(&ev->b, *v == '"' ? '\'' : *v);
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
		write_all(2, ev->b.p, ev->b.len);
	else
		write_line(ev->b.p, ev->b.len);
	errno = ev->saved_errno;
}

/* Configuration messages go to stderr whatever the log settings: they
 * are about the settings themselves. */
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
	fs_sb_str(&b, text);
	if (b.len + 1 >= b.cap)
		b.len = b.cap - 2;
	fs_sb_char(&b, '\n');
	if (write(2, b.p, b.len) < 0) {
		/* Nothing to do: a message must never fail the program. */
	}
	errno = saved;
}

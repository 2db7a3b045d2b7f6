/* forksafe: pure parsers and formatters.  No libc state, no allocation:
 * every function here is async-signal-safe and unit-tested with Check. */
#ifndef FS_CORE_PARSE_H
#define FS_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Nonzero when s begins with prefix.  A loop of its own, not strncmp:
 * its callers run where a first call of a libc function costs a lazy
 * symbol lookup (start-up, init.c; a forked child before exec, fdref.c). */
static inline int fs_has_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

enum fs_cloexec_mode { FS_CLOEXEC_FORCE = 0, FS_CLOEXEC_AUDIT, FS_CLOEXEC_OFF };

/* Parses a FORKSAFE_CLOEXEC value.  Returns 0, or -1 when invalid. */
int fs_parse_cloexec(const char *s, enum fs_cloexec_mode *out);

enum fs_fork_mode { FS_FORK_ALLOW = 0, FS_FORK_WARN, FS_FORK_ABORT, FS_FORK_SPAWN, FS_FORK_AUTO };
/* Parses a FORKSAFE_FORK value.  Returns 0, or -1 when invalid. */
int fs_parse_fork_mode(const char *s, enum fs_fork_mode *out);

/* "0" or "1" (FORKSAFE_DIAG).  Returns 0, or -1 when invalid. */
int fs_parse_bool01(const char *s, int *out);

enum fs_child_locks { FS_LOCKS_WAIT = 0, FS_LOCKS_ABORT, FS_LOCKS_BREAK };
int fs_parse_child_locks(const char *s, enum fs_child_locks *out);

/* A whole number of seconds in [0, max].  Returns 0, or -1 when invalid. */
int fs_parse_seconds(const char *s, unsigned max, unsigned *out);

enum fs_log_format { FS_LOG_TEXT = 0, FS_LOG_JSON };
int fs_parse_log_format(const char *s, enum fs_log_format *out);

enum fs_log_kind { FS_LOGDEST_STDERR = 0, FS_LOGDEST_SYSLOG, FS_LOGDEST_FILE };
/* FORKSAFE_LOG: "stderr", "syslog" or an absolute file path (copied into
 * path, of size n).  Returns 0, or -1 when invalid (relative path, too
 * long, empty). */
int fs_parse_log_dest(const char *s, enum fs_log_kind *kind, char *path, size_t n);

/* FORKSAFE_KEEP_FDS: fd numbers and ranges, "3,5-7". */
#define FS_KEEP_MAX 32
struct fs_keep {
	int n;
	struct { int lo, hi; } r[FS_KEEP_MAX];
};
/* Returns 0 and fills k, or -1 (k emptied) when s is not a valid list. */
int fs_keep_parse(const char *s, struct fs_keep *k);
int fs_keep_has(const struct fs_keep *k, int fd);

/* Rule 6 of DESIGN §2: the fd numbers a new program is told about.
 * fs_fdref_arg scans one argv element, fs_fdref_env one "NAME=VALUE"
 * environment entry; cb is called for each range of fd numbers found,
 * [lo, hi], 0 <= lo <= hi <= INT_MAX (one number: lo == hi; LISTEN_FDS=N:
 * [3, 3+N-1], cut at INT_MAX), duplicates possible. */
typedef void (*fs_fdref_cb)(int lo, int hi, void *ctx);
void fs_fdref_arg(const char *arg, fs_fdref_cb cb, void *ctx);
void fs_fdref_env(const char *entry, fs_fdref_cb cb, void *ctx);
/* The numbers an environment entry lists the way servers hand sockets
 * to their next generation, whatever the variable's name: a value that is
 * a list of numbers with at least one separator (, ; : or space:
 * "NGINX=6;7;", "3 4"), or numbers assigned inside a value
 * ("SERVER_STARTER_PORT=127.0.0.1:80=3").  A value that is one number
 * alone ("SHLVL=2", "COLUMNS=80") is a setting, not a list: nothing.
 * For the checks that then look at the fd itself (core/inherit.c). */
void fs_fdref_numbers(const char *entry, fs_fdref_cb cb, void *ctx);

/* fopen-style mode with 'e' (close-on-exec) added.  Returns mode itself
 * when it already has 'e' or is not a mode libc would accept (libc then
 * reports the error), buf when 'e' was inserted, or NULL when it cannot
 * be added (buf too small, flag section full). */
const char *fs_mode_add_e(const char *mode, char *buf, size_t bufsz);
/* The same for popen's "r"/"w" modes: 'e' appended. */
const char *fs_popen_mode_add_e(const char *mode, char *buf, size_t bufsz);

/* A fixed buffer for building messages without allocation. */
struct fs_sbuf {
	char *p;
	size_t len, cap;
	int truncated;
};
void fs_sb_init(struct fs_sbuf *b, char *mem, size_t cap);
void fs_sb_str(struct fs_sbuf *b, const char *s);
void fs_sb_mem(struct fs_sbuf *b, const char *s, size_t n);
void fs_sb_char(struct fs_sbuf *b, char c);
void fs_sb_dec(struct fs_sbuf *b, long long v);
void fs_sb_udec(struct fs_sbuf *b, unsigned long long v);
void fs_sb_hex(struct fs_sbuf *b, uintptr_t v);
/* Appends s quoted for a message: printable ASCII kept, others escaped,
 * at most max bytes of s. */
void fs_sb_quoted(struct fs_sbuf *b, const char *s, size_t max);
/* Appends s as the inside of a JSON string (quotes not included):
 * '"', '\\' and control bytes escaped, bytes >= 0x80 as \u00XX so the
 * line is valid JSON whatever the bytes. */
void fs_sb_json_str(struct fs_sbuf *b, const char *s);
/* Appends a UTC time as ISO 8601 with milliseconds: 2026-11-22T10:53:48.123Z */
void fs_sb_time_iso(struct fs_sbuf *b, long long sec, long nsec);
/* Terminates the string (always fits: one byte is kept for it). */
const char *fs_sb_cstr(struct fs_sbuf *b);

#endif

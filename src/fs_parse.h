/* forksafe: pure parsers and formatters.  No libc state, no allocation:
 * every function here is async-signal-safe and unit-tested with Check. */
#ifndef FS_PARSE_H
#define FS_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum fs_cloexec_mode { FS_CLOEXEC_FORCE = 0, FS_CLOEXEC_AUDIT, FS_CLOEXEC_OFF };

/* Parses a FORKSAFE_CLOEXEC value.  Returns 0, or -1 when invalid. */
int fs_parse_cloexec(const char *s, enum fs_cloexec_mode *out);

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
 * environment entry; cb is called for each fd number found (duplicates
 * possible). */
typedef void (*fs_fdref_cb)(int fd, void *ctx);
void fs_fdref_arg(const char *arg, fs_fdref_cb cb, void *ctx);
void fs_fdref_env(const char *entry, fs_fdref_cb cb, void *ctx);

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
/* Terminates the string (always fits: one byte is kept for it). */
const char *fs_sb_cstr(struct fs_sbuf *b);

#endif

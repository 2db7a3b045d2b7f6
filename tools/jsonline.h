/* forksafe report: one line of JSON, checked and taken apart in place,
 * without allocating (jsonline.c).  Pure: the fuzzer runs it on any
 * bytes. */
#ifndef FS_JSONLINE_H
#define FS_JSONLINE_H

#include <stddef.h>

#define FS_JSON_MAX_DEPTH 64	/* nesting a line may have */
#define FS_JSON_MAX_MEMBERS 64	/* top-level members recorded */

/* A top-level member, pointing into the line. */
struct fs_json_member {
	const char *key, *val;		/* key: inside its quotes; val: as written */
	size_t key_len, val_len;	/* (a string value: inside its quotes) */
	char type;			/* 's' string, 'n' number, 'o' anything else */
};

/* s[0..n) must be exactly one JSON object (whitespace around it
 * allowed).  Records its first FS_JSON_MAX_MEMBERS top-level members in
 * m and returns how many; -1 when s is anything else. */
int fs_json_object(const char *s, size_t n, struct fs_json_member *m);

/* The first member named key (compared as written, escapes and all:
 * forksafe's keys have none), or NULL. */
const struct fs_json_member *fs_json_get(const struct fs_json_member *m, int nm,
					 const char *key);

/* Decodes string member e into out, which holds max + 4 bytes: at most
 * max bytes of the value, then "..." if it was cut, then a NUL.
 * \u0000-\u00ff decode to that byte (forksafe writes each byte >= 0x80
 * of a name that way), larger code points to UTF-8, a lone surrogate to
 * U+FFFD.  Returns the length. */
size_t fs_json_string(const struct fs_json_member *e, char *out, size_t max);

/* Number member e as an integer: 1 and *out set, or 0 when it has a
 * fraction or an exponent or does not fit. */
int fs_json_int(const struct fs_json_member *e, long long *out);

#endif

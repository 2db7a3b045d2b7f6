/* forksafe: parsers for configuration values.  Pure functions. */
#include "core/parse.h"
#include <string.h>
#include <limits.h>

int fs_parse_cloexec(const char *s, enum fs_cloexec_mode *out)
{
	static const struct { const char *name; enum fs_cloexec_mode mode; } modes[] = {
		{ "force", FS_CLOEXEC_FORCE },
		{ "audit", FS_CLOEXEC_AUDIT },
		{ "off", FS_CLOEXEC_OFF },
	};
	for (size_t i = 0; s && i < sizeof modes / sizeof modes[0]; i++) {
		if (strcmp(s, modes[i].name) == 0) {
			*out = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

int fs_parse_fork_mode(const char *s, enum fs_fork_mode *out)
{
	static const char *const names[] = { "allow", "warn", "abort", "spawn", "auto" };
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum fs_fork_mode)i;
			return 0;
		}
	}
	return -1;
}

int fs_parse_child_locks(const char *s, enum fs_child_locks *out)
{
	static const char *const names[] = { "wait", "abort", "break" };
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum fs_child_locks)i;
			return 0;
		}
	}
	return -1;
}

int fs_parse_seconds(const char *s, unsigned max, unsigned *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int fs_parse_bool01(const char *s, int *out)
{
	if (s && (s[0] == '0' || s[0] == '1') && s[1] == '\0') {
		*out = s[0] == '1';
		return 0;
	}
	return -1;
}

int fs_parse_log_format(const char *s, enum fs_log_format *out)
{
	if (s && strcmp(s, "text") == 0)
		*out = FS_LOG_TEXT;
	else if (s && strcmp(s, "json") == 0)
		*out = FS_LOG_JSON;
	else
		return -1;
	return 0;
}

int fs_parse_log_dest(const char *s, enum fs_log_kind *kind, char *path, size_t n)
{
	size_t len;

	if (!s)
		return -1;
	if (strcmp(s, "stderr") == 0) {
		*kind = FS_LOGDEST_STDERR;
		return 0;
	}
	if (strcmp(s, "syslog") == 0) {
		*kind = FS_LOGDEST_SYSLOG;
		return 0;
	}
	len = strlen(s);
	if (s[0] != '/' || len + 1 > n)
		return -1;
	memcpy(path, s, len + 1);
	*kind = FS_LOGDEST_FILE;
	return 0;
}

/* Reads a decimal fd number at *sp (0 <= n <= INT_MAX), advancing *sp. */
static int read_fd_number(const char **sp, int *out)
{
	const char *s = *sp;
	long long v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > INT_MAX)
			return -1;
	}
	*sp = s;
	*out = (int)v;
	return 0;
}

int fs_keep_parse(const char *s, struct fs_keep *k)
{
	k->n = 0;
	if (!s || !*s)
		return 0;
	for (;;) {
		int lo, hi;
		if (read_fd_number(&s, &lo) < 0)
			goto bad;
		hi = lo;
		if (*s == '-') {
			s++;
			if (read_fd_number(&s, &hi) < 0 || hi < lo)
				goto bad;
		}
		if (k->n == FS_KEEP_MAX)
			goto bad;
		k->r[k->n].lo = lo;
		k->r[k->n].hi = hi;
		k->n++;
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			goto bad;
	}
bad:
	k->n = 0;
	return -1;
}

int fs_keep_has(const struct fs_keep *k, int fd)
{
	for (int i = 0; i < k->n; i++)
		if (fd >= k->r[i].lo && fd <= k->r[i].hi)
			return 1;
	return 0;
}

const char *fs_mode_add_e(const char *mode, char *buf, size_t bufsz)
{
	size_t len, flagend;

	if (mode[0] != 'r' && mode[0] != 'w' && mode[0] != 'a')
		return mode;
	/* glibc reads at most six flag characters after the first, up to a
	 * ',' (see libio/fileops.c, _IO_new_file_fopen). */
	for (flagend = 1; mode[flagend] && mode[flagend] != ','; flagend++)
		if (flagend <= 6 && mode[flagend] == 'e')
			return mode;
	if (flagend > 6)
		return NULL;
	len = strlen(mode);
	if (len + 2 > bufsz)
		return NULL;
	buf[0] = mode[0];
	buf[1] = 'e';
	memcpy(buf + 2, mode + 1, len);	/* includes the terminating NUL */
	return buf;
}

const char *fs_popen_mode_add_e(const char *mode, char *buf, size_t bufsz)
{
	size_t len = strlen(mode);
	if (strchr(mode, 'e'))
		return mode;
	if (len + 2 > bufsz)
		return NULL;
	memcpy(buf, mode, len);
	buf[len] = 'e';
	buf[len + 1] = '\0';
	return buf;
}

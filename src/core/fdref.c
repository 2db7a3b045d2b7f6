/* forksafe: finds the fd numbers a new program is told about in its
 * arguments and environment (DESIGN §2, rule 6).
 *
 * A forced fd whose number is found here is made inheritable again at
 * exec, so the new program gets it exactly as it would without forksafe.
 * A false match only lets through an fd the program alone would also
 * have let through; it never makes anything more inheritable.  The
 * patterns recognised:
 *   - an argument that is only numbers: "9" (flock 9, --status-fd 3),
 *     "3,4", "3:4:5"; and in an argument that is a command string
 *     (sh -c, system, popen), each word that is only numbers;
 *   - /dev/fd/N, /proc/self/fd/N, /proc/PID/fd/N anywhere;
 *   - "fd" or "fds" followed by '=' or ':' and a list: --fd=3, fd:3,
 *     --pass-fds=3,4, FD=5;
 *   - make's --jobserver-auth=R,W and --jobserver-fds=R,W;
 *   - shell redirections in a command string: <&N, >&N, N<, N>;
 *   - in the environment, LISTEN_FDS=N (fds 3 .. 3+N-1, systemd socket
 *     activation) and any variable whose name contains FD or ends in
 *     _SOCKET holding a list of numbers (WAYLAND_SOCKET=N);
 *   - fs_fdref_numbers: the numbers a value lists, for the rules that
 *     then check what the fd is (core/inherit.c: listening sockets handed
 *     to a new server, NGINX="6;7;").
 * Async-signal-safe: runs in a child between fork and exec. */
#include "core/parse.h"
#include <limits.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Reads a number at s; returns the end, or NULL when there is none or it
 * is out of range. */
static const char *number(const char *s, int *out)
{
	long long v = 0;
	if (!is_digit(*s))
		return NULL;
	while (is_digit(*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > INT_MAX)
			return NULL;
	}
	*out = (int)v;
	return s;
}

/* A list "N", "N,M" or "N:M:K" at s: reports each number.  Returns the
 * end of what was read. */
static const char *number_list(const char *s, fs_fdref_cb cb, void *ctx)
{
	int fd;
	const char *e;
	while ((e = number(s, &fd)) != NULL) {
		cb(fd, fd, ctx);
		s = e;
		if ((*s != ',' && *s != ':') || !is_digit(s[1]))
			break;
		s++;
	}
	return s;
}

/* Nonzero when all of s is a list of numbers. */
static int whole_list(const char *s)
{
	if (!is_digit(*s))
		return 0;
	for (; *s; s++)
		if (!is_digit(*s) && !((*s == ',' || *s == ':') && is_digit(s[1])))
			return 0;
	return 1;
}

/* These scans run at every exec, so in the child of nearly every fork,
 * before it execs.  A libc function first called there is bound lazily
 * anew in each child: the dynamic linker's symbol lookup faults in a
 * dozen pages (its own code, every library's hash tables) that the
 * child then throws away, about ten page faults per command a shell
 * runs.  So the string helpers of this file are its own (and
 * fs_has_prefix, parse.h), and it calls no libc function (memcmp of a
 * constant length is inlined). */
static const char *find_char(const char *s, char c)
{
	for (; *s; s++)
		if (*s == c)
			return s;
	return NULL;
}

static int has_blank(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n')
			return 1;
	return 0;
}

/* The patterns that may stand anywhere inside a string. */
static void scan_inside(const char *s, fs_fdref_cb cb, void *ctx)
{
	const char *start = s;
	int fd;
	const char *e;

	for (; *s; s++) {
		if (s[0] == '/' && fs_has_prefix(s, "/fd/") && is_digit(s[4])) {
			if ((e = number(s + 4, &fd)) != NULL)
				cb(fd, fd, ctx);
		} else if (lower(s[0]) == 'f' && lower(s[1]) == 'd') {
			const char *p = s + 2;
			if (lower(*p) == 's')
				p++;
			if ((*p == '=' || *p == ':') && is_digit(p[1]))
				number_list(p + 1, cb, ctx);
		} else if (s[0] == 'j' && (fs_has_prefix(s, "jobserver-auth=") ||
					   fs_has_prefix(s, "jobserver-fds="))) {
			const char *p = find_char(s, '=') + 1;
			if (is_digit(*p))
				number_list(p, cb, ctx);
		} else if ((s[0] == '<' || s[0] == '>') && s[1] == '&' && is_digit(s[2])) {
			if ((e = number(s + 2, &fd)) != NULL)
				cb(fd, fd, ctx);
		} else if (is_digit(s[0]) && (s == start || s[-1] == ' ' || s[-1] == '\t' ||
					      s[-1] == ';' || s[-1] == '|' || s[-1] == '&' ||
					      s[-1] == '(' || s[-1] == '\n')) {
			if ((e = number(s, &fd)) != NULL && (*e == '<' || *e == '>'))
				cb(fd, fd, ctx);
		}
	}
}

static int word_break(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '|' ||
	       c == '&' || c == '(' || c == ')' || c == '"' || c == '\'';
}

/* The words of a command string that are only numbers: "flock -n 9". */
static void scan_words(const char *s, fs_fdref_cb cb, void *ctx)
{
	const char *start = s;

	for (; *s; s++) {
		if (!is_digit(*s) || (s != start && !word_break(s[-1])))
			continue;
		const char *e = s;
		while (is_digit(*e) || ((*e == ',' || *e == ':') && is_digit(e[1])))
			e++;
		if (word_break(*e))
			number_list(s, cb, ctx);
		s = e - 1;
	}
}

void fs_fdref_arg(const char *arg, fs_fdref_cb cb, void *ctx)
{
	if (!arg)
		return;
	if (whole_list(arg)) {
		number_list(arg, cb, ctx);
		return;
	}
	scan_inside(arg, cb, ctx);
	if (has_blank(arg))
		scan_words(arg, cb, ctx);
}

/* Nonzero when NAME (length n) names an fd: contains "FD" in any case, or
 * ends in "_SOCKET". */
static int fd_variable(const char *name, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (lower(name[i]) == 'f' && lower(name[i + 1]) == 'd')
			return 1;
	return n >= 7 && memcmp(name + n - 7, "_SOCKET", 7) == 0;
}

void fs_fdref_env(const char *entry, fs_fdref_cb cb, void *ctx)
{
	const char *eq, *value;
	size_t n;

	if (!entry || !(eq = find_char(entry, '=')))
		return;
	n = (size_t)(eq - entry);
	value = eq + 1;
	if (n == 10 && memcmp(entry, "LISTEN_FDS", 10) == 0) {
		int count;
		const char *e = number(value, &count);
		/* 3 + count - 1 must not overflow. */
		if (e && *e == '\0' && count > 0)
			cb(3, count <= INT_MAX - 2 ? 3 + count - 1 : INT_MAX, ctx);
		return;
	}
	if (fd_variable(entry, n) && whole_list(value)) {
		number_list(value, cb, ctx);
		return;
	}
	scan_inside(value, cb, ctx);
}

static int list_sep(char c)
{
	return c == ',' || c == ';' || c == ':' || c == ' ';
}

void fs_fdref_numbers(const char *entry, fs_fdref_cb cb, void *ctx)
{
	const char *value = entry ? find_char(entry, '=') : NULL, *s;
	int list = 1, seps = 0, fd;

	if (!value || !*++value)
		return;
	/* A list: numbers and separators only, one separator at least. */
	for (s = value; *s && list; s++) {
		if (list_sep(*s))
			seps++;
		else if (!is_digit(*s))
			list = 0;
	}
	if (list && seps) {
		for (s = value; *s;) {
			const char *e = number(s, &fd);
			if (e) {
				cb(fd, fd, ctx);
				s = e;
			} else {
				while (*s && !list_sep(*s))	/* a number past INT_MAX */
					s++;
				while (list_sep(*s))
					s++;
			}
		}
		return;
	}
	/* Numbers assigned inside the value: "...=N" ending at a separator
	 * or the end. */
	for (s = value; *s; s++) {
		const char *e;
		if (*s != '=' || !is_digit(s[1]))
			continue;
		e = number(s + 1, &fd);
		if (e && (!*e || list_sep(*e)))
			cb(fd, fd, ctx);
	}
}

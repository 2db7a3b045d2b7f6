/* Unit tests of src/core/fdref.c: the fd numbers a new program is told about
 * in its arguments and environment (DESIGN §2, rule 6).  Each pattern of
 * the file's header comment is covered, and so are the look-alikes that
 * must not match (a false match is harmless, but "COLUMNS=80" must not
 * let fd 80 through). */
#include "core/parse.h"
#include "unit.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* What one parse reported, duplicates folded: the parser may report an
 * fd twice when two patterns match it. */
#define SEEN_MAX 70000
struct seen {
	unsigned calls, distinct;
	int min, max;
	int outside, big[8];	/* reported fds < 0 or >= SEEN_MAX */
	int last_lo, last_hi;	/* the last range reported */
	unsigned char fd[SEEN_MAX];
};
static struct seen seen;
static int wrong_ctx, bad_range;

static void collect_one(struct seen *s, int fd)
{
	if (fd < 0 || fd >= SEEN_MAX) {
		if (s->outside < 8)
			s->big[s->outside] = fd;
		s->outside++;
		return;
	}
	if (!s->fd[fd]++)
		s->distinct++;
	if (s->distinct == 1 || fd < s->min)
		s->min = fd;
	if (s->distinct == 1 || fd > s->max)
		s->max = fd;
}

/* No ck_assert here (each one costs a message round trip in Check); the
 * context and the ranges are checked once after.  A range reaching past
 * what is counted ends the count there, once. */
static void collect(int lo, int hi, void *ctx)
{
	struct seen *s = &seen;
	if (ctx != &seen)
		wrong_ctx++;
	if (lo > hi || lo < 0)
		bad_range++;
	s->calls++;
	s->last_lo = lo;
	s->last_hi = hi;
	for (int fd = lo; fd <= hi && fd >= 0; fd++) {
		collect_one(s, fd);
		if (fd >= SEEN_MAX)
			break;
	}
}

typedef void (*parser)(const char *, fs_fdref_cb, void *);

static void parse_into_seen(parser p, const char *s)
{
	memset(&seen, 0, sizeof seen);
	wrong_ctx = bad_range = 0;
	p(s, collect, &seen);
	ck_assert_int_eq(wrong_ctx, 0);
	ck_assert_int_eq(bad_range, 0);
}

/* The fds found in s, ascending, as "3,4" ("" for none). */
static const char *refs(parser p, const char *s)
{
	static char out[512];
	size_t len = 0;

	parse_into_seen(p, s);
	out[0] = '\0';
	for (int fd = 0; fd < SEEN_MAX && len + 16 < sizeof out; fd++)
		if (seen.fd[fd])
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%d", len ? "," : "", fd);
	for (int i = 0; i < seen.outside && i < 8 && len + 16 < sizeof out; i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%d", len ? "," : "", seen.big[i]);
	return out;
}

/* One row of a table: input and the fds expected ("" for none). */
struct row {
	const char *in, *want;
};

static void check_rows(parser p, const char *what, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = refs(p, rows[i].in);
		ck_assert_msg(strcmp(got, rows[i].want) == 0, "%s \"%s\": found \"%s\", expected \"%s\"",
			      what, rows[i].in, got, rows[i].want);
	}
}
#define ARG_ROWS(rows) check_rows(fs_fdref_arg, "argument", rows, sizeof rows / sizeof rows[0])
#define ENV_ROWS(rows) check_rows(fs_fdref_env, "environment", rows, sizeof rows / sizeof rows[0])

/* ---- arguments ---- */

START_TEST(arg_only_numbers)
{
	static const struct row rows[] = {
		{ "9", "9" }, { "3,4", "3,4" }, { "3:4:5", "3,4,5" }, { "3,4:5", "3,4,5" },
		{ "10", "10" }, { "0", "0" }, { "007", "7" }, { "2147483647", "2147483647" },
		{ "4,3", "3,4" }, { "5,5", "5" },
	};
	ARG_ROWS(rows);
}
END_TEST

START_TEST(arg_fd_paths)
{
	static const struct row rows[] = {
		{ "/dev/fd/7", "7" }, { "/proc/self/fd/12", "12" }, { "/proc/123/fd/5", "5" },
		{ "/proc/thread-self/fd/6", "6" }, { "--input=/dev/fd/8", "8" },
		{ "if=/dev/fd/3", "3" }, { "/dev/fd/63", "63" },
	};
	ARG_ROWS(rows);
}
END_TEST

START_TEST(arg_fd_options)
{
	static const struct row rows[] = {
		{ "--fd=3", "3" }, { "--status-fd=4", "4" }, { "fd:5", "5" },
		{ "--fds=6,7", "6,7" }, { "--pass-fds=3,4", "3,4" }, { "FD=5", "5" },
		{ "--Fd=5", "5" }, { "--fd=3:4", "3,4" }, { "--logger-fd=11", "11" },
	};
	ARG_ROWS(rows);
}
END_TEST

START_TEST(arg_jobserver)
{
	static const struct row rows[] = {
		{ "-j4 --jobserver-auth=3,4", "3,4" }, { "--jobserver-auth=3,4", "3,4" },
		{ "--jobserver-fds=5,6", "5,6" }, { "--jobserver-auth=fifo:/tmp/x", "" },
		{ "-j4", "" }, { "-j", "" },
	};
	ARG_ROWS(rows);
}
END_TEST

/* A command string (sh -c, system, popen): redirections and words that
 * are only numbers. */
START_TEST(arg_shell_redirections)
{
	static const struct row rows[] = {
		{ "cat <&3", "3" }, { "echo >&4", "4" }, { "echo hi >&4", "4" },
		{ "exec 5<file", "5" }, { "cmd 6>out", "6" }, { "exec 3<>f", "3" },
		{ "cmd 7>>log", "7" }, { "sh -c 'cat <&7'", "7" }, { "(cat <&8)", "8" },
		{ "a;9>x", "9" }, { "a|cat <&10", "10" }, { "x\n11<y", "11" },
		{ "flock -n 9 true", "9" }, { "flock 9", "9" }, { "cmd --fd 3", "3" },
		{ "a>3", "" },		/* a file named 3 */
		{ "cat <3", "" },	/* ditto */
		{ "echo x3>f", "" },	/* x3 is a word, not an fd */
	};
	ARG_ROWS(rows);
}
END_TEST

START_TEST(arg_no_fd)
{
	static const struct row rows[] = {
		{ "", "" }, { "abc", "" }, { "3a", "" }, { "a3", "" }, { "v1.2", "" },
		{ "1.5", "" }, { "-5", "" }, { "+5", "" }, { "-n", "" }, { "3,", "" }, { "3:", "" },
		{ ",3", "" }, { "3,,4", "" }, { "file3.txt", "" }, { "/dev/fd/", "" },
		{ "/dev/fdx/3", "" }, { "/dev/fd/x", "" }, { "fd=", "" }, { "--fd=x", "" },
		{ "fdisk", "" }, { "--fd=-1", "" }, { "<&", "" }, { "<&-", "" },
		{ "/usr/lib/x86_64-linux-gnu", "" }, { "http://host:8080/", "" },
	};
	ARG_ROWS(rows);
}
END_TEST

/* Numbers beyond INT_MAX are not fds: never reported, never wrapped. */
START_TEST(arg_huge_numbers_ignored)
{
	static const struct row rows[] = {
		{ "99999999999", "" }, { "2147483648", "" }, { "4294967299", "" },
		{ "18446744073709551619", "" }, { "/dev/fd/99999999999", "" },
		{ "/proc/self/fd/4294967299", "" }, { "--fd=99999999999", "" },
		{ "cat <&99999999999", "" }, { "exec 4294967299<f", "" },
		{ "--jobserver-auth=4294967299,4294967300", "" },
	};
	ARG_ROWS(rows);
	/* A list with a huge member: at most its valid part. */
	const char *got = refs(fs_fdref_arg, "3,99999999999");
	ck_assert_msg(strcmp(got, "3") == 0 || strcmp(got, "") == 0, "found \"%s\"", got);
	got = refs(fs_fdref_arg, "--fds=4,4294967299");
	ck_assert_msg(strcmp(got, "4") == 0 || strcmp(got, "") == 0, "found \"%s\"", got);
}
END_TEST

START_TEST(arg_null_reports_nothing)
{
	parse_into_seen(fs_fdref_arg, NULL);
	ck_assert_uint_eq(seen.calls, 0);
}
END_TEST

/* ---- environment ---- */

START_TEST(env_listen_fds)
{
	static const struct row rows[] = {
		{ "LISTEN_FDS=2", "3,4" }, { "LISTEN_FDS=1", "3" }, { "LISTEN_FDS=5", "3,4,5,6,7" },
		{ "LISTEN_FDS=0", "" }, { "LISTEN_FDS=", "" }, { "LISTEN_FDS=x", "" },
		{ "LISTEN_FDS=2x", "" }, { "LISTEN_FDS= 2", "" }, { "LISTEN_FDS=-2", "" },
		{ "LISTEN_FDS=99999999999", "" }, { "LISTEN_PID=123", "" },
		{ "LISTEN_FDNAMES=a:b", "" },
		{ "LISTEN_FDS_X=2", "2" },	/* an fd variable, not systemd's count */
	};
	ENV_ROWS(rows);
	parse_into_seen(fs_fdref_env, "LISTEN_FDS=1000");
	ck_assert_uint_eq(seen.distinct, 1000);
	ck_assert_int_eq(seen.min, 3);
	ck_assert_int_eq(seen.max, 1002);
}
END_TEST

/* A count of any size is one range from 3, without a cap (the fd table
 * decides what exists), and 3 + count - 1 never overflows: a count past
 * INT_MAX - 2 ends the range at INT_MAX. */
START_TEST(env_listen_fds_huge_count_is_one_range)
{
	static const struct { const char *entry; int hi; } rows[] = {
		{ "LISTEN_FDS=300", 302 }, { "LISTEN_FDS=100000", 100002 },
		{ "LISTEN_FDS=1000000", 1000002 }, { "LISTEN_FDS=2147483644", 2147483646 },
		{ "LISTEN_FDS=2147483645", INT_MAX }, { "LISTEN_FDS=2147483646", INT_MAX },
		{ "LISTEN_FDS=2147483647", INT_MAX },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		parse_into_seen(fs_fdref_env, rows[i].entry);
		ck_assert_msg(seen.calls == 1 && seen.last_lo == 3 && seen.last_hi == rows[i].hi,
			      "\"%s\": %u ranges, the last [%d, %d]; expected [3, %d]",
			      rows[i].entry, seen.calls, seen.last_lo, seen.last_hi, rows[i].hi);
	}
}
END_TEST

START_TEST(env_fd_variables)
{
	static const struct row rows[] = {
		{ "WAYLAND_SOCKET=7", "7" }, { "X_SOCKET=3,4", "3,4" }, { "MY_FD=8", "8" },
		{ "my_fd=5", "5" }, { "FD=5", "5" }, { "PASS_FDS=8,9", "8,9" },
		{ "MY_FD=3:4", "3,4" }, { "DBUS_STARTER_FD=10", "10" },
		{ "MY_FD=", "" }, { "MY_FD=abc", "" }, { "MY_FD=99999999999", "" },
		{ "MY_FD=-1", "" }, { "MY_FD=3,", "" }, { "NOTIFY_SOCKET=/run/systemd/notify", "" },
		{ "WAYLAND_SOCKETS=7", "" }, { "SOCKET=7", "" },
	};
	ENV_ROWS(rows);
}
END_TEST

START_TEST(env_makeflags)
{
	static const struct row rows[] = {
		{ "MAKEFLAGS= -j4 --jobserver-auth=3,4", "3,4" },
		{ "MAKEFLAGS=-j --jobserver-fds=5,6", "5,6" },
		{ "MFLAGS=-j4 --jobserver-auth=7,8", "7,8" },
		{ "MAKEFLAGS=w -j4 --jobserver-auth=fifo:/tmp/GMfifo123", "" },
		{ "MAKEFLAGS=-j4", "" }, { "MAKEFLAGS=", "" }, { "MAKEFLAGS=s -- X=3", "" },
	};
	ENV_ROWS(rows);
}
END_TEST

START_TEST(env_paths_and_redirections_in_values)
{
	static const struct row rows[] = {
		{ "INPUT=/dev/fd/6", "6" }, { "CONF=/proc/self/fd/9", "9" },
		{ "GIT_SSH_COMMAND=ssh -F /dev/fd/4", "4" }, { "CMD=cat <&5", "5" },
	};
	ENV_ROWS(rows);
}
END_TEST

/* Ordinary numeric variables must not let fds through. */
START_TEST(env_plain_numbers_are_not_fds)
{
	static const struct row rows[] = {
		{ "COLUMNS=80", "" }, { "LINES=24", "" }, { "SHLVL=1", "" }, { "HOME=/root", "" },
		{ "XDG_SESSION_ID=3", "" }, { "UID=0", "" }, { "PPID=4", "" }, { "TZ=UTC-3", "" },
		{ "JOBS=3,4", "" }, { "PATH=/usr/local/bin:/usr/bin:/bin", "" },
		{ "TERM=xterm-256color", "" }, { "LANG=C.UTF-8", "" }, { "DISPLAY=:0", "" },
		{ "SSH_CLIENT=10.0.0.1 5022 22", "" }, { "HISTSIZE=1000", "" },
		{ "NOEQUALS", "" }, { "=3", "" }, { "", "" },
	};
	ENV_ROWS(rows);
}
END_TEST

START_TEST(env_null_reports_nothing)
{
	parse_into_seen(fs_fdref_env, NULL);
	ck_assert_uint_eq(seen.calls, 0);
}
END_TEST

/* ---- numbers listed the way servers hand sockets over ---- */

START_TEST(env_number_lists)
{
	static const struct row rows[] = {
		{ "NGINX=6;", "6" }, { "NGINX=6;7;", "6,7" }, { "EINHORN_FDS=3 4 5", "3,4,5" },
		{ "X=3,4:5", "3,4,5" }, { "X=3;99999999999;4", "3,4" },
		{ "SERVER_STARTER_PORT=0.0.0.0:80=3;127.0.0.1:8080=4", "3,4" },
		{ "A=127.0.0.1:80=12", "12" },
		/* one number alone is a setting */
		{ "COLUMNS=80", "" }, { "SHLVL=2", "" }, { "N=5", "" },
		{ "PATH=/usr/bin:/bin", "" }, { "V=python3.11", "" }, { "A=x86_64", "" },
		{ "IP=10.0.0.1", "" }, { "N=-5", "" }, { "N=5x;6", "" }, { "A=b=5x", "" },
		{ "N=", "" }, { "N", "" }, { "N=;", "" },
	};
	check_rows(fs_fdref_numbers, "environment list", rows, sizeof rows / sizeof rows[0]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fdref");

	UNIT_ADD(s, arg_only_numbers);
	UNIT_ADD(s, arg_fd_paths);
	UNIT_ADD(s, arg_fd_options);
	UNIT_ADD(s, arg_jobserver);
	UNIT_ADD(s, arg_shell_redirections);
	UNIT_ADD(s, arg_no_fd);
	UNIT_ADD(s, arg_huge_numbers_ignored);
	UNIT_ADD(s, arg_null_reports_nothing);
	UNIT_ADD(s, env_listen_fds);
	UNIT_ADD(s, env_listen_fds_huge_count_is_one_range);
	UNIT_ADD(s, env_fd_variables);
	UNIT_ADD(s, env_makeflags);
	UNIT_ADD(s, env_paths_and_redirections_in_values);
	UNIT_ADD(s, env_plain_numbers_are_not_fds);
	UNIT_ADD(s, env_null_reports_nothing);
	UNIT_ADD(s, env_number_lists);
	return unit_run(s);
}

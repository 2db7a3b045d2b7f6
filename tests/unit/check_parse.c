/* Unit tests of src/core/parse.c: the configuration values, the
 * FORKSAFE_KEEP_FDS list and the fopen/popen mode rewriting. */
#include "core/parse.h"
#include "unit.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- FORKSAFE_CLOEXEC ---- */

START_TEST(cloexec_accepts_the_three_modes)
{
	enum fs_cloexec_mode m = FS_CLOEXEC_OFF;

	ck_assert_int_eq(fs_parse_cloexec("force", &m), 0);
	ck_assert_int_eq(m, FS_CLOEXEC_FORCE);
	ck_assert_int_eq(fs_parse_cloexec("audit", &m), 0);
	ck_assert_int_eq(m, FS_CLOEXEC_AUDIT);
	ck_assert_int_eq(fs_parse_cloexec("off", &m), 0);
	ck_assert_int_eq(m, FS_CLOEXEC_OFF);
}
END_TEST

/* Invalid: -1, and the caller's default is left in place. */
START_TEST(cloexec_rejects_anything_else)
{
	static const char *const bad[] = {
		"", "FORCE", "Force", "AUDIT", "Off", "force ", " force", "force\n",
		"forced", "forc", "f", "auditx", "of", "off,force", "0", "1", "on", "none",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum fs_cloexec_mode m = FS_CLOEXEC_AUDIT;
		ck_assert_msg(fs_parse_cloexec(bad[i], &m) == -1, "'%s' accepted", bad[i]);
		ck_assert_int_eq(m, FS_CLOEXEC_AUDIT);
	}
	enum fs_cloexec_mode m = FS_CLOEXEC_AUDIT;
	ck_assert_int_eq(fs_parse_cloexec(NULL, &m), -1);
	ck_assert_int_eq(m, FS_CLOEXEC_AUDIT);
}
END_TEST

/* ---- the other variables ---- */

START_TEST(fork_mode_values)
{
	static const char *const names[] = { "allow", "warn", "abort", "spawn", "auto" };
	static const enum fs_fork_mode modes[] = {
		FS_FORK_ALLOW, FS_FORK_WARN, FS_FORK_ABORT, FS_FORK_SPAWN, FS_FORK_AUTO,
	};
	enum fs_fork_mode f = FS_FORK_ALLOW;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		ck_assert_int_eq(fs_parse_fork_mode(names[i], &f), 0);
		ck_assert_int_eq(f, modes[i]);
	}
	f = FS_FORK_WARN;
	ck_assert_int_eq(fs_parse_fork_mode("Abort", &f), -1);
	ck_assert_int_eq(fs_parse_fork_mode("", &f), -1);
	ck_assert_int_eq(fs_parse_fork_mode("spawn ", &f), -1);
	ck_assert_int_eq(fs_parse_fork_mode("fork", &f), -1);
	ck_assert_int_eq(fs_parse_fork_mode(NULL, &f), -1);
	ck_assert_int_eq(f, FS_FORK_WARN);
}
END_TEST

START_TEST(child_locks_values)
{
	enum fs_child_locks l = FS_LOCKS_WAIT;

	ck_assert_int_eq(fs_parse_child_locks("abort", &l), 0);
	ck_assert_int_eq(l, FS_LOCKS_ABORT);
	ck_assert_int_eq(fs_parse_child_locks("break", &l), 0);
	ck_assert_int_eq(l, FS_LOCKS_BREAK);
	ck_assert_int_eq(fs_parse_child_locks("wait", &l), 0);
	ck_assert_int_eq(l, FS_LOCKS_WAIT);
	ck_assert_int_eq(fs_parse_child_locks("yes", &l), -1);
	ck_assert_int_eq(fs_parse_child_locks("WAIT", &l), -1);
	ck_assert_int_eq(fs_parse_child_locks("", &l), -1);
	ck_assert_int_eq(fs_parse_child_locks(NULL, &l), -1);
	ck_assert_int_eq(l, FS_LOCKS_WAIT);
}
END_TEST

START_TEST(bool01_values)
{
	int b = 7;

	ck_assert_int_eq(fs_parse_bool01("1", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(fs_parse_bool01("0", &b), 0);
	ck_assert_int_eq(b, 0);
	b = 7;
	ck_assert_int_eq(fs_parse_bool01("2", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("10", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("01", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("1 ", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("yes", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("", &b), -1);
	ck_assert_int_eq(fs_parse_bool01(NULL, &b), -1);
	ck_assert_int_eq(b, 7);
}
END_TEST

START_TEST(seconds_values)
{
	unsigned u = 42;

	ck_assert_int_eq(fs_parse_seconds("0", 100, &u), 0);
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(fs_parse_seconds("100", 100, &u), 0);
	ck_assert_uint_eq(u, 100);
	ck_assert_int_eq(fs_parse_seconds("007", 100, &u), 0);
	ck_assert_uint_eq(u, 7);
	ck_assert_int_eq(fs_parse_seconds("4294967295", UINT_MAX, &u), 0);
	ck_assert_uint_eq(u, UINT_MAX);
	ck_assert_int_eq(fs_parse_seconds("0", 0, &u), 0);
	ck_assert_uint_eq(u, 0);
	u = 42;
	static const char *const bad[] = {
		"101", "1000", "4294967296", "99999999999999999999999999", "-1", "+1",
		" 1", "1 ", "1.5", "1s", "0x10", "", "1,2",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(fs_parse_seconds(bad[i], 100, &u) == -1, "'%s' accepted", bad[i]);
	ck_assert_int_eq(fs_parse_seconds("1", 0, &u), -1);
	ck_assert_int_eq(fs_parse_seconds("4294967296", UINT_MAX, &u), -1);
	ck_assert_int_eq(fs_parse_seconds(NULL, 100, &u), -1);
	ck_assert_uint_eq(u, 42);
}
END_TEST

START_TEST(log_format_values)
{
	enum fs_log_format f = FS_LOG_JSON;

	ck_assert_int_eq(fs_parse_log_format("text", &f), 0);
	ck_assert_int_eq(f, FS_LOG_TEXT);
	ck_assert_int_eq(fs_parse_log_format("json", &f), 0);
	ck_assert_int_eq(f, FS_LOG_JSON);
	ck_assert_int_eq(fs_parse_log_format("JSON", &f), -1);
	ck_assert_int_eq(fs_parse_log_format("xml", &f), -1);
	ck_assert_int_eq(fs_parse_log_format("", &f), -1);
	ck_assert_int_eq(fs_parse_log_format(NULL, &f), -1);
	ck_assert_int_eq(f, FS_LOG_JSON);
}
END_TEST

START_TEST(log_dest_values)
{
	enum fs_log_kind k = FS_LOGDEST_FILE;
	char path[16];

	ck_assert_int_eq(fs_parse_log_dest("stderr", &k, path, sizeof path), 0);
	ck_assert_int_eq(k, FS_LOGDEST_STDERR);
	ck_assert_int_eq(fs_parse_log_dest("syslog", &k, path, sizeof path), 0);
	ck_assert_int_eq(k, FS_LOGDEST_SYSLOG);
	ck_assert_int_eq(fs_parse_log_dest("/tmp/fs.log", &k, path, sizeof path), 0);
	ck_assert_int_eq(k, FS_LOGDEST_FILE);
	ck_assert_str_eq(path, "/tmp/fs.log");
	/* 15 characters and the NUL fill the 16 bytes exactly. */
	ck_assert_int_eq(fs_parse_log_dest("/0123456789abcd", &k, path, sizeof path), 0);
	ck_assert_str_eq(path, "/0123456789abcd");
	k = FS_LOGDEST_SYSLOG;
	ck_assert_int_eq(fs_parse_log_dest("/0123456789abcde", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest("fs.log", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest("./fs.log", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest("Stderr", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest("", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest(NULL, &k, path, sizeof path), -1);
	ck_assert_int_eq(k, FS_LOGDEST_SYSLOG);
}
END_TEST

/* ---- FORKSAFE_KEEP_FDS ---- */

/* A list that parsed: -1 returned means "did not parse". */
static struct fs_keep keep;

static int parse_keep(const char *s)
{
	/* Filled first, so a failure must be seen to empty it. */
	keep.n = 1;
	keep.r[0].lo = 0;
	keep.r[0].hi = INT_MAX;
	return fs_keep_parse(s, &keep);
}

START_TEST(keep_empty_is_valid_and_empty)
{
	ck_assert_int_eq(parse_keep(""), 0);
	ck_assert_int_eq(keep.n, 0);
	ck_assert(!fs_keep_has(&keep, 0) && !fs_keep_has(&keep, 3));
	ck_assert_int_eq(parse_keep(NULL), 0);
	ck_assert_int_eq(keep.n, 0);
	struct fs_keep zero = { 0 };
	ck_assert(!fs_keep_has(&zero, 0) && !fs_keep_has(&zero, -1));
}
END_TEST

START_TEST(keep_single_numbers_and_ranges)
{
	ck_assert_int_eq(parse_keep("3"), 0);
	ck_assert_int_eq(keep.n, 1);
	ck_assert(fs_keep_has(&keep, 3));
	ck_assert(!fs_keep_has(&keep, 2) && !fs_keep_has(&keep, 4) && !fs_keep_has(&keep, -3));

	ck_assert_int_eq(parse_keep("5-7"), 0);
	ck_assert(fs_keep_has(&keep, 5) && fs_keep_has(&keep, 6) && fs_keep_has(&keep, 7));
	ck_assert(!fs_keep_has(&keep, 4) && !fs_keep_has(&keep, 8));

	ck_assert_int_eq(parse_keep("3-3"), 0);
	ck_assert_int_eq(keep.n, 1);
	ck_assert(fs_keep_has(&keep, 3) && !fs_keep_has(&keep, 2) && !fs_keep_has(&keep, 4));

	ck_assert_int_eq(parse_keep("0"), 0);
	ck_assert(fs_keep_has(&keep, 0) && !fs_keep_has(&keep, 1));
}
END_TEST

START_TEST(keep_several_items)
{
	ck_assert_int_eq(parse_keep("3,5-7,10,20-21"), 0);
	ck_assert_int_eq(keep.n, 4);
	static const int in[] = { 3, 5, 6, 7, 10, 20, 21 };
	static const int out[] = { 0, 1, 2, 4, 8, 9, 11, 19, 22, -1, INT_MAX };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		ck_assert_msg(fs_keep_has(&keep, in[i]), "%d missing", in[i]);
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
		ck_assert_msg(!fs_keep_has(&keep, out[i]), "%d kept", out[i]);
	/* Repeated and overlapping items are harmless. */
	ck_assert_int_eq(parse_keep("4,4,3-5,4-6"), 0);
	ck_assert(fs_keep_has(&keep, 3) && fs_keep_has(&keep, 6) && !fs_keep_has(&keep, 7));
}
END_TEST

START_TEST(keep_leading_zeros)
{
	ck_assert_int_eq(parse_keep("007"), 0);
	ck_assert(fs_keep_has(&keep, 7) && !fs_keep_has(&keep, 0));
	ck_assert_int_eq(parse_keep("03-010"), 0);
	ck_assert(fs_keep_has(&keep, 3) && fs_keep_has(&keep, 10) && !fs_keep_has(&keep, 11));
	ck_assert_int_eq(parse_keep("000000000000000000009"), 0);
	ck_assert(fs_keep_has(&keep, 9));
}
END_TEST

START_TEST(keep_int_max_and_overflow)
{
	ck_assert_int_eq(parse_keep("2147483647"), 0);
	ck_assert(fs_keep_has(&keep, INT_MAX) && !fs_keep_has(&keep, INT_MAX - 1));
	ck_assert_int_eq(parse_keep("3-2147483647"), 0);
	ck_assert(fs_keep_has(&keep, INT_MAX) && fs_keep_has(&keep, 3) && !fs_keep_has(&keep, 2));

	static const char *const bad[] = {
		"2147483648", "4294967299", "99999999999999999999", "3-2147483648",
		"3,2147483648", "18446744073709551619",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(parse_keep(bad[i]) == -1, "'%s' accepted", bad[i]);
		ck_assert_int_eq(keep.n, 0);
	}
}
END_TEST

/* Everything that is not "N" or "N-M" separated by single commas. */
START_TEST(keep_rejects_malformed_lists)
{
	static const char *const bad[] = {
		"7-5", "1-0",				/* reversed range */
		" 3", "3 ", "3, 4", "3 ,4", "3 -5", "3- 5",	/* spaces */
		"3,", ",3", "3,,4", ",",		/* stray commas */
		"-1", "-3-5", "3--5", "+3", "3-", "-",	/* signs, open ranges */
		"3-5-7", "x", "3x", "0x3", "3.0", "3;4", "3:4", "three", "\t3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(parse_keep(bad[i]) == -1, "'%s' accepted", bad[i]);
		ck_assert_msg(keep.n == 0, "'%s' left %d items", bad[i], keep.n);
		ck_assert(!fs_keep_has(&keep, 3));
	}
}
END_TEST

/* "3,4,...": n items, or n ranges "3-3,4-4,..." */
static void keep_list(char *buf, size_t size, int n, int ranges)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t len = strlen(buf);
		if (ranges)
			snprintf(buf + len, size - len, "%s%d-%d", i ? "," : "", i + 3, i + 3);
		else
			snprintf(buf + len, size - len, "%s%d", i ? "," : "", i + 3);
	}
}

START_TEST(keep_at_most_fs_keep_max_items)
{
	char list[1024];

	for (int ranges = 0; ranges <= 1; ranges++) {
		keep_list(list, sizeof list, FS_KEEP_MAX, ranges);
		ck_assert_int_eq(parse_keep(list), 0);
		ck_assert_int_eq(keep.n, FS_KEEP_MAX);
		ck_assert(fs_keep_has(&keep, 3) && fs_keep_has(&keep, FS_KEEP_MAX + 2));
		ck_assert(!fs_keep_has(&keep, FS_KEEP_MAX + 3));
		keep_list(list, sizeof list, FS_KEEP_MAX + 1, ranges);
		ck_assert_msg(parse_keep(list) == -1, "%d items accepted", FS_KEEP_MAX + 1);
		ck_assert_int_eq(keep.n, 0);
	}
}
END_TEST

/* ---- fopen modes ---- */

START_TEST(mode_e_inserted_after_the_first_letter)
{
	static const char *const cases[][2] = {
		{ "r", "re" }, { "w", "we" }, { "a", "ae" }, { "rb", "reb" },
		{ "r+", "re+" }, { "a+b", "ae+b" }, { "wx", "wex" },
		{ "w,ccs=UTF-8", "we,ccs=UTF-8" }, { "r,ccs=e", "re,ccs=e" },
		{ "rbxmc+", "rebxmc+" },	/* 5 flags + 'e': glibc still reads all 6 */
	};
	char buf[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *m = fs_mode_add_e(cases[i][0], buf, sizeof buf);
		ck_assert_msg(m == buf, "'%s': buf not used", cases[i][0]);
		ck_assert_str_eq(m, cases[i][1]);
	}
}
END_TEST

/* Modes that already have 'e', or that libc will reject itself. */
START_TEST(mode_unchanged_returns_the_same_pointer)
{
	static const char *const same[] = {
		"re", "we+", "rbe", "r+e", "rbxmce", "rbbbbe", "z", "", "R", "+r", "e", "br",
	};
	char buf[32];

	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		memset(buf, 'X', sizeof buf);
		ck_assert_msg(fs_mode_add_e(same[i], buf, sizeof buf) == same[i],
			      "'%s' not returned as is", same[i]);
		ck_assert_msg(buf[0] == 'X', "'%s': buf written", same[i]);
	}
}
END_TEST

START_TEST(mode_buffer_too_small)
{
	char buf[16];

	ck_assert_ptr_null(fs_mode_add_e("r", buf, 0));
	ck_assert_ptr_null(fs_mode_add_e("r", buf, 1));
	ck_assert_ptr_null(fs_mode_add_e("r", buf, 2));
	ck_assert_str_eq(fs_mode_add_e("r", buf, 3), "re");
	ck_assert_ptr_null(fs_mode_add_e("w,ccs=UTF-8", buf, 12));
	ck_assert_str_eq(fs_mode_add_e("w,ccs=UTF-8", buf, 13), "we,ccs=UTF-8");
	/* Nothing written beyond what was needed. */
	memset(buf, 'X', sizeof buf);
	ck_assert_ptr_eq(fs_mode_add_e("rb", buf, 4), buf);
	ck_assert_mem_eq(buf, "reb\0XXXX", 8);
}
END_TEST

/* glibc reads six flag characters after the first: with six already,
 * an inserted 'e' would push the last one out of its sight. */
START_TEST(mode_full_flag_section)
{
	char buf[32];

	ck_assert_ptr_null(fs_mode_add_e("rbxmc+b", buf, sizeof buf));
	ck_assert_ptr_null(fs_mode_add_e("rbbbbbbb", buf, sizeof buf));
	ck_assert_ptr_null(fs_mode_add_e("w+bbbbb,ccs=UTF-8", buf, sizeof buf));
	/* An 'e' past the sixth flag is not seen by glibc either. */
	ck_assert_ptr_null(fs_mode_add_e("rbbbbbbe", buf, sizeof buf));
}
END_TEST

static char tmp_path[] = "/tmp/fs-unit-mode.XXXXXX";

static void make_tmp_file(void)
{
	int fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "data\n", 5), 5);
	close(fd);
}

/* What glibc makes of the rewritten mode: close-on-exec, and the same
 * access mode as the original (no flag lost by the insertion). */
static void check_with_glibc(const char *mode, int accmode, int append)
{
	char buf[32];
	const char *m = fs_mode_add_e(mode, buf, sizeof buf);
	ck_assert_ptr_nonnull(m);
	FILE *f = fopen(tmp_path, m);
	ck_assert_msg(f != NULL, "fopen '%s' failed", m);
	int fd = fileno(f);
	ck_assert_msg(fcntl(fd, F_GETFD) & FD_CLOEXEC, "'%s': not close-on-exec", m);
	int fl = fcntl(fd, F_GETFL);
	ck_assert_msg((fl & O_ACCMODE) == accmode, "'%s': access mode %d", m, fl & O_ACCMODE);
	ck_assert_msg(!!(fl & O_APPEND) == append, "'%s': O_APPEND %d", m, !!(fl & O_APPEND));
	fclose(f);
}

START_TEST(mode_result_is_honoured_by_glibc)
{
	make_tmp_file();
	check_with_glibc("r", O_RDONLY, 0);
	check_with_glibc("rb", O_RDONLY, 0);
	check_with_glibc("r+", O_RDWR, 0);
	check_with_glibc("rbmcb+", O_RDWR, 0);	/* '+' becomes the sixth flag */
	check_with_glibc("a+", O_RDWR, 1);
	check_with_glibc("a", O_WRONLY, 1);
	check_with_glibc("r,ccs=UTF-8", O_RDONLY, 0);
	check_with_glibc("w", O_WRONLY, 0);
	unlink(tmp_path);
}
END_TEST

/* ---- popen modes ---- */

START_TEST(popen_mode_e_appended)
{
	char buf[8];
	const char *m;

	ck_assert_str_eq(fs_popen_mode_add_e("r", buf, sizeof buf), "re");
	ck_assert_str_eq(fs_popen_mode_add_e("w", buf, sizeof buf), "we");
	m = "re";
	ck_assert_ptr_eq(fs_popen_mode_add_e(m, buf, sizeof buf), m);
	m = "er";
	ck_assert_ptr_eq(fs_popen_mode_add_e(m, buf, sizeof buf), m);
	m = "we";
	ck_assert_ptr_eq(fs_popen_mode_add_e(m, buf, sizeof buf), m);
	ck_assert_ptr_null(fs_popen_mode_add_e("r", buf, 2));
	ck_assert_ptr_null(fs_popen_mode_add_e("r", buf, 0));
	memset(buf, 'X', sizeof buf);
	ck_assert_ptr_eq(fs_popen_mode_add_e("w", buf, 3), buf);
	ck_assert_mem_eq(buf, "we\0XX", 5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");

	UNIT_ADD(s, cloexec_accepts_the_three_modes);
	UNIT_ADD(s, cloexec_rejects_anything_else);
	UNIT_ADD(s, fork_mode_values);
	UNIT_ADD(s, child_locks_values);
	UNIT_ADD(s, bool01_values);
	UNIT_ADD(s, seconds_values);
	UNIT_ADD(s, log_format_values);
	UNIT_ADD(s, log_dest_values);
	UNIT_ADD(s, keep_empty_is_valid_and_empty);
	UNIT_ADD(s, keep_single_numbers_and_ranges);
	UNIT_ADD(s, keep_several_items);
	UNIT_ADD(s, keep_leading_zeros);
	UNIT_ADD(s, keep_int_max_and_overflow);
	UNIT_ADD(s, keep_rejects_malformed_lists);
	UNIT_ADD(s, keep_at_most_fs_keep_max_items);
	UNIT_ADD(s, mode_e_inserted_after_the_first_letter);
	UNIT_ADD(s, mode_unchanged_returns_the_same_pointer);
	UNIT_ADD(s, mode_buffer_too_small);
	UNIT_ADD(s, mode_full_flag_section);
	UNIT_ADD(s, mode_result_is_honoured_by_glibc);
	UNIT_ADD(s, popen_mode_e_appended);
	return unit_run(s);
}

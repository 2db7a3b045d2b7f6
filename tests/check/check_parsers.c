/* Unit tests (Check) of the pure parts of the module: configuration
 * parsers, the FORKSAFE_KEEP_FDS list, the rule-6 fd-reference parser,
 * the fopen/popen mode rewriting and the message formatters. */
#include "fs_parse.h"
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- fd references: collects what the parser reports ---- */
struct found {
	int n;
	int fds[64];
};

/* The parser may report an fd twice (two patterns): keep each once. */
static void collect(int fd, void *arg)
{
	struct found *f = arg;
	for (int i = 0; i < f->n; i++)
		if (f->fds[i] == fd)
			return;
	if (f->n < 64)
		f->fds[f->n++] = fd;
}

/* "3,4": what a parser (fs_fdref_arg or fs_fdref_env) found in s. */
static const char *refs(void (*parse)(const char *, fs_fdref_cb, void *), const char *s)
{
	static char out[256];
	struct found f = { 0 };
	parse(s, collect, &f);
	out[0] = '\0';
	for (int i = 0; i < f.n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", i ? "," : "", f.fds[i]);
	return out;
}
#define arg_refs(s) refs(fs_fdref_arg, s)
#define env_refs(s) refs(fs_fdref_env, s)

START_TEST(cloexec_values)
{
	enum fs_cloexec_mode m = FS_CLOEXEC_OFF;
	ck_assert_int_eq(fs_parse_cloexec("force", &m), 0);
	ck_assert_int_eq(m, FS_CLOEXEC_FORCE);
	ck_assert_int_eq(fs_parse_cloexec("audit", &m), 0);
	ck_assert_int_eq(m, FS_CLOEXEC_AUDIT);
	ck_assert_int_eq(fs_parse_cloexec("off", &m), 0);
	ck_assert_int_eq(m, FS_CLOEXEC_OFF);
	ck_assert_int_eq(fs_parse_cloexec("", &m), -1);
	ck_assert_int_eq(fs_parse_cloexec("FORCE", &m), -1);
	ck_assert_int_eq(fs_parse_cloexec("force ", &m), -1);
	ck_assert_int_eq(fs_parse_cloexec("forced", &m), -1);
	ck_assert_int_eq(fs_parse_cloexec(NULL, &m), -1);
}
END_TEST

START_TEST(other_values)
{
	enum fs_fork_mode f;
	enum fs_child_locks l;
	enum fs_log_format lf;
	enum fs_log_kind k;
	unsigned u;
	int b;
	char path[32];

	ck_assert_int_eq(fs_parse_fork_mode("auto", &f), 0);
	ck_assert_int_eq(f, FS_FORK_AUTO);
	ck_assert_int_eq(fs_parse_fork_mode("Abort", &f), -1);
	ck_assert_int_eq(fs_parse_child_locks("break", &l), 0);
	ck_assert_int_eq(l, FS_LOCKS_BREAK);
	ck_assert_int_eq(fs_parse_child_locks("yes", &l), -1);
	ck_assert_int_eq(fs_parse_bool01("1", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(fs_parse_bool01("0", &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(fs_parse_bool01("2", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("10", &b), -1);
	ck_assert_int_eq(fs_parse_bool01("", &b), -1);
	ck_assert_int_eq(fs_parse_log_format("json", &lf), 0);
	ck_assert_int_eq(lf, FS_LOG_JSON);
	ck_assert_int_eq(fs_parse_log_format("xml", &lf), -1);
	ck_assert_int_eq(fs_parse_log_dest("syslog", &k, path, sizeof path), 0);
	ck_assert_int_eq(k, FS_LOGDEST_SYSLOG);
	ck_assert_int_eq(fs_parse_log_dest("/var/log/fs.log", &k, path, sizeof path), 0);
	ck_assert_int_eq(k, FS_LOGDEST_FILE);
	ck_assert_str_eq(path, "/var/log/fs.log");
	ck_assert_int_eq(fs_parse_log_dest("fs.log", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest("", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_log_dest("/a/path/longer/than/the/buffer/given", &k, path, sizeof path), -1);
	ck_assert_int_eq(fs_parse_seconds("0", 100, &u), 0);
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(fs_parse_seconds("100", 100, &u), 0);
	ck_assert_uint_eq(u, 100);
	ck_assert_int_eq(fs_parse_seconds("101", 100, &u), -1);
	ck_assert_int_eq(fs_parse_seconds("99999999999999999999", 100, &u), -1);
	ck_assert_int_eq(fs_parse_seconds("-1", 100, &u), -1);
	ck_assert_int_eq(fs_parse_seconds("1.5", 100, &u), -1);
	ck_assert_int_eq(fs_parse_seconds("", 100, &u), -1);
}
END_TEST

START_TEST(keep_lists)
{
	struct fs_keep k;
	char many[256] = "";

	ck_assert_int_eq(fs_keep_parse("", &k), 0);
	ck_assert_int_eq(k.n, 0);
	ck_assert_int_eq(fs_keep_parse("3", &k), 0);
	ck_assert(fs_keep_has(&k, 3) && !fs_keep_has(&k, 4));
	ck_assert_int_eq(fs_keep_parse("3,5-7", &k), 0);
	ck_assert_int_eq(k.n, 2);
	ck_assert(fs_keep_has(&k, 3) && !fs_keep_has(&k, 4) && fs_keep_has(&k, 5) &&
		  fs_keep_has(&k, 7) && !fs_keep_has(&k, 8));
	ck_assert_int_eq(fs_keep_parse("3-3", &k), 0);
	ck_assert_int_eq(fs_keep_parse("007", &k), 0);
	ck_assert(fs_keep_has(&k, 7));
	ck_assert_int_eq(fs_keep_parse("7-5", &k), -1);
	ck_assert_int_eq(k.n, 0);
	ck_assert_int_eq(fs_keep_parse("3, 4", &k), -1);
	ck_assert_int_eq(fs_keep_parse("3,", &k), -1);
	ck_assert_int_eq(fs_keep_parse(",3", &k), -1);
	ck_assert_int_eq(fs_keep_parse("-3", &k), -1);
	ck_assert_int_eq(fs_keep_parse("3-", &k), -1);
	ck_assert_int_eq(fs_keep_parse("x", &k), -1);
	ck_assert_int_eq(fs_keep_parse("2147483648", &k), -1);
	ck_assert_int_eq(fs_keep_parse("2147483647", &k), 0);
	for (int i = 0; i < FS_KEEP_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%s%d", i ? "," : "", i + 3);
	ck_assert_int_eq(fs_keep_parse(many, &k), 0);
	ck_assert_int_eq(k.n, FS_KEEP_MAX);
	strcat(many, ",99");
	ck_assert_int_eq(fs_keep_parse(many, &k), -1);
}
END_TEST

START_TEST(fdref_arguments)
{
	ck_assert_str_eq(arg_refs("9"), "9");
	ck_assert_str_eq(arg_refs("3,4"), "3,4");
	ck_assert_str_eq(arg_refs("3:4:5"), "3,4,5");
	ck_assert_str_eq(arg_refs("/dev/fd/7"), "7");
	ck_assert_str_eq(arg_refs("/proc/self/fd/12"), "12");
	ck_assert_str_eq(arg_refs("/proc/123/fd/5"), "5");
	ck_assert_str_eq(arg_refs("--fd=3"), "3");
	ck_assert_str_eq(arg_refs("--status-fd=4"), "4");
	ck_assert_str_eq(arg_refs("fd:5"), "5");
	ck_assert_str_eq(arg_refs("--fds=6,7"), "6,7");
	ck_assert_str_eq(arg_refs("--jobserver-auth=fifo:/tmp/x"), "");
	ck_assert_str_eq(arg_refs("cat <&3"), "3");
	ck_assert_str_eq(arg_refs("echo hi >&4"), "4");
	ck_assert_str_eq(arg_refs("exec 5<file"), "5");
	ck_assert_str_eq(arg_refs("flock -n 9 || exit"), "9");
	ck_assert_str_eq(arg_refs("abc"), "");
	ck_assert_str_eq(arg_refs("3a"), "");
	ck_assert_str_eq(arg_refs("v1.2"), "");
	ck_assert_str_eq(arg_refs("99999999999"), "");
	ck_assert_str_eq(arg_refs(""), "");
}
END_TEST

START_TEST(fdref_environment)
{
	ck_assert_str_eq(env_refs("MAKEFLAGS= -j4 --jobserver-auth=3,4"), "3,4");
	ck_assert_str_eq(env_refs("MFLAGS=--jobserver-fds=5,6 -j"), "5,6");
	ck_assert_str_eq(env_refs("LISTEN_FDS=2"), "3,4");
	ck_assert_str_eq(env_refs("LISTEN_FDS=x"), "");
	ck_assert_str_eq(env_refs("WAYLAND_SOCKET=7"), "7");
	ck_assert_str_eq(env_refs("MY_FD=8"), "8");
	ck_assert_str_eq(env_refs("PASS_FDS=8,9"), "8,9");
	ck_assert_str_eq(env_refs("COLUMNS=80"), "");
	ck_assert_str_eq(env_refs("SHLVL=1"), "");
	ck_assert_str_eq(env_refs("HOME=/root"), "");
	ck_assert_str_eq(env_refs("INPUT=/dev/fd/6"), "6");
	ck_assert_str_eq(env_refs("NOEQUALS"), "");
}
END_TEST

START_TEST(modes)
{
	char buf[16];
	const char *m;

	ck_assert_str_eq(fs_mode_add_e("r", buf, sizeof buf), "re");
	ck_assert_str_eq(fs_mode_add_e("rb", buf, sizeof buf), "reb");
	ck_assert_str_eq(fs_mode_add_e("r+", buf, sizeof buf), "re+");
	ck_assert_str_eq(fs_mode_add_e("w,ccs=UTF-8", buf, sizeof buf), "we,ccs=UTF-8");
	m = "re";
	ck_assert_ptr_eq(fs_mode_add_e(m, buf, sizeof buf), m);
	m = "z";
	ck_assert_ptr_eq(fs_mode_add_e(m, buf, sizeof buf), m);
	ck_assert_ptr_null(fs_mode_add_e("r", buf, 2));
	ck_assert_str_eq(fs_mode_add_e("rbxmc+", buf, sizeof buf), "rebxmc+");
	ck_assert_ptr_null(fs_mode_add_e("rbxmc+b", buf, sizeof buf));
	ck_assert_str_eq(fs_popen_mode_add_e("r", buf, sizeof buf), "re");
	m = "we";
	ck_assert_ptr_eq(fs_popen_mode_add_e(m, buf, sizeof buf), m);
}
END_TEST

START_TEST(formatting)
{
	char mem[32];
	struct fs_sbuf b;

	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_dec(&b, -42);
	fs_sb_char(&b, ' ');
	fs_sb_hex(&b, 0xbeef);
	ck_assert_str_eq(fs_sb_cstr(&b), "-42 0xbeef");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_dec(&b, LLONG_MIN);
	ck_assert_str_eq(fs_sb_cstr(&b), "-9223372036854775808");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_udec(&b, ~0ULL);
	ck_assert_str_eq(fs_sb_cstr(&b), "18446744073709551615");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_quoted(&b, "a'\x01", 10);
	ck_assert_str_eq(fs_sb_cstr(&b), "'a\\x27\\x01'");
	fs_sb_init(&b, mem, 8);
	fs_sb_str(&b, "0123456789");
	ck_assert(b.truncated);
	ck_assert_str_eq(fs_sb_cstr(&b), "0123456");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_json_str(&b, "q\"\\\n\xff");
	ck_assert_str_eq(fs_sb_cstr(&b), "q\\\"\\\\\\u000a\\u00ff");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_time_iso(&b, 0, 5000000);
	ck_assert_str_eq(fs_sb_cstr(&b), "1970-01-01T00:00:00.005Z");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_time_iso(&b, 1795348428LL, 123000000);
	ck_assert_str_eq(fs_sb_cstr(&b), "2026-11-22T11:53:48.123Z");
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_time_iso(&b, 951782400LL, 0);	/* a leap day */
	ck_assert_str_eq(fs_sb_cstr(&b), "2000-02-29T00:00:00.000Z");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("forksafe parsers");
	TCase *t = tcase_create("core");
	tcase_add_test(t, cloexec_values);
	tcase_add_test(t, other_values);
	tcase_add_test(t, keep_lists);
	tcase_add_test(t, fdref_arguments);
	tcase_add_test(t, fdref_environment);
	tcase_add_test(t, modes);
	tcase_add_test(t, formatting);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Unit tests of src/core/sbuf.c: building messages in a fixed buffer.  The
 * buffer must never be overrun, must always hold a NUL-terminated
 * string, and must say when text was cut. */
#include "core/parse.h"
#include "unit.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The buffer under test sits in a larger array filled with a canary, so
 * a write past cap is seen. */
#define CANARY 0x5a
static char mem[256];
static struct fs_sbuf b;

static void start(size_t cap)
{
	ck_assert_uint_lt(cap, sizeof mem);
	memset(mem, CANARY, sizeof mem);
	fs_sb_init(&b, mem, cap);
}

static void assert_canary_after(size_t cap)
{
	for (size_t i = cap; i < sizeof mem; i++)
		ck_assert_msg((unsigned char)mem[i] == CANARY, "byte %zu written (cap %zu)", i, cap);
}

START_TEST(init_gives_an_empty_string)
{
	start(16);
	ck_assert_str_eq(fs_sb_cstr(&b), "");
	ck_assert_ptr_eq(fs_sb_cstr(&b), mem);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(b.truncated, 0);
	assert_canary_after(16);
}
END_TEST

START_TEST(appends_text)
{
	start(64);
	fs_sb_str(&b, "fd ");
	fs_sb_dec(&b, 5);
	fs_sb_char(&b, ' ');
	fs_sb_mem(&b, "->xyz", 2);
	fs_sb_str(&b, "");
	fs_sb_mem(&b, "a\0b", 3);	/* n bytes, whatever they are */
	ck_assert_uint_eq(b.len, 10);
	ck_assert_mem_eq(fs_sb_cstr(&b), "fd 5 ->a\0b", 11);
	ck_assert_int_eq(b.truncated, 0);
	/* cstr does not end the building. */
	fs_sb_str(&b, "!");
	ck_assert_mem_eq(fs_sb_cstr(&b), "fd 5 ->a\0b!", 12);
	assert_canary_after(64);
}
END_TEST

static const char *dec(long long v)
{
	start(64);
	fs_sb_dec(&b, v);
	return fs_sb_cstr(&b);
}

static const char *udec(unsigned long long v)
{
	start(64);
	fs_sb_udec(&b, v);
	return fs_sb_cstr(&b);
}

static const char *hex(uintptr_t v)
{
	start(64);
	fs_sb_hex(&b, v);
	return fs_sb_cstr(&b);
}

START_TEST(decimal_numbers)
{
	ck_assert_str_eq(dec(0), "0");
	ck_assert_str_eq(dec(7), "7");
	ck_assert_str_eq(dec(10), "10");
	ck_assert_str_eq(dec(-1), "-1");
	ck_assert_str_eq(dec(-42), "-42");
	ck_assert_str_eq(dec(INT_MIN), "-2147483648");
	ck_assert_str_eq(dec(LLONG_MAX), "9223372036854775807");
	ck_assert_str_eq(dec(LLONG_MIN), "-9223372036854775808");
	ck_assert_str_eq(dec(LLONG_MIN + 1), "-9223372036854775807");
	ck_assert_str_eq(udec(0), "0");
	ck_assert_str_eq(udec(1000), "1000");
	ck_assert_str_eq(udec(ULLONG_MAX), "18446744073709551615");
	/* Every power of ten and its neighbours, against printf. */
	char want[32];
	for (unsigned long long p = 1; p <= 1000000000000000000ULL; p *= 10) {
		for (long long d = -1; d <= 1; d++) {
			unsigned long long v = p + (unsigned long long)d;
			snprintf(want, sizeof want, "%llu", v);
			ck_assert_str_eq(udec(v), want);
			snprintf(want, sizeof want, "%lld", -(long long)v);
			ck_assert_str_eq(dec(-(long long)v), want);
		}
	}
}
END_TEST

START_TEST(hex_numbers)
{
	ck_assert_str_eq(hex(0), "0x0");
	ck_assert_str_eq(hex(9), "0x9");
	ck_assert_str_eq(hex(0x10), "0x10");
	ck_assert_str_eq(hex(0xbeef), "0xbeef");
	ck_assert_str_eq(hex(0x7f0012345678), "0x7f0012345678");
	ck_assert_str_eq(hex(UINTPTR_MAX), "0xffffffffffffffff");
}
END_TEST

static const char *quoted(const char *s, size_t max)
{
	start(128);
	fs_sb_quoted(&b, s, max);
	return fs_sb_cstr(&b);
}

START_TEST(quoted_strings)
{
	ck_assert_str_eq(quoted("force", 64), "'force'");
	ck_assert_str_eq(quoted("", 64), "''");
	ck_assert_str_eq(quoted("a b~", 64), "'a b~'");
	/* Control characters, the quote, the backslash, DEL, high bytes. */
	ck_assert_str_eq(quoted("\x01\n\t\x1b", 64), "'\\x01\\x0a\\x09\\x1b'");
	ck_assert_str_eq(quoted("it's", 64), "'it\\x27s'");
	ck_assert_str_eq(quoted("a\\b", 64), "'a\\x5cb'");
	ck_assert_str_eq(quoted("\x7f\x80\xff", 64), "'\\x7f\\x80\\xff'");
	ck_assert_int_eq(b.truncated, 0);
}
END_TEST

/* max bytes of s at most; a cut is shown with "...". */
START_TEST(quoted_strings_cut_at_max)
{
	ck_assert_str_eq(quoted("abcdef", 3), "'abc...'");
	ck_assert_str_eq(quoted("abcdef", 5), "'abcde...'");
	ck_assert_str_eq(quoted("abcdef", 6), "'abcdef'");
	ck_assert_str_eq(quoted("abc", 3), "'abc'");
	ck_assert_str_eq(quoted("abc", 100), "'abc'");
	ck_assert_str_eq(quoted("\x01\x02\x03", 2), "'\\x01\\x02...'");
	/* The cut is the message's choice, not a full buffer. */
	ck_assert_int_eq(b.truncated, 0);
}
END_TEST

START_TEST(truncation_flag_when_full)
{
	start(8);
	fs_sb_str(&b, "0123456789");
	ck_assert_int_eq(b.truncated, 1);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_str_eq(fs_sb_cstr(&b), "0123456");
	fs_sb_str(&b, "more");
	fs_sb_dec(&b, -1);
	fs_sb_hex(&b, 0xff);
	fs_sb_char(&b, 'x');
	fs_sb_quoted(&b, "q", 8);
	fs_sb_json_str(&b, "j");
	ck_assert_str_eq(fs_sb_cstr(&b), "0123456");
	ck_assert_int_eq(b.truncated, 1);
	assert_canary_after(8);
}
END_TEST

/* Exactly cap - 1 bytes fit, without the flag; one more sets it. */
START_TEST(exact_fit_is_not_truncated)
{
	start(8);
	fs_sb_str(&b, "0123");
	fs_sb_str(&b, "456");
	ck_assert_int_eq(b.truncated, 0);
	fs_sb_str(&b, "");
	fs_sb_mem(&b, "zzz", 0);
	ck_assert_int_eq(b.truncated, 0);
	ck_assert_str_eq(fs_sb_cstr(&b), "0123456");
	fs_sb_char(&b, '7');
	ck_assert_int_eq(b.truncated, 1);
	ck_assert_str_eq(fs_sb_cstr(&b), "0123456");
	assert_canary_after(8);
}
END_TEST

START_TEST(numbers_cut_when_full)
{
	start(4);
	fs_sb_dec(&b, -12345);
	ck_assert_str_eq(fs_sb_cstr(&b), "-12");
	ck_assert_int_eq(b.truncated, 1);
	start(3);
	fs_sb_hex(&b, 0xabc);
	ck_assert_str_eq(fs_sb_cstr(&b), "0x");
	ck_assert_int_eq(b.truncated, 1);
	start(21);
	fs_sb_dec(&b, LLONG_MIN);	/* 20 characters: fits exactly */
	ck_assert_int_eq(b.truncated, 0);
	ck_assert_str_eq(fs_sb_cstr(&b), "-9223372036854775808");
	assert_canary_after(21);
}
END_TEST

/* Whatever is written into whatever size: a string of at most cap - 1
 * bytes, terminated inside the buffer, nothing written past it. */
START_TEST(always_nul_terminated)
{
	for (size_t cap = 1; cap < 40; cap++) {
		start(cap);
		fs_sb_str(&b, "forksafe[");
		fs_sb_dec(&b, LLONG_MIN);
		fs_sb_str(&b, "]: ");
		fs_sb_quoted(&b, "x\x01y'z", 16);
		fs_sb_hex(&b, UINTPTR_MAX);
		fs_sb_json_str(&b, "\"\xff");
		const char *s = fs_sb_cstr(&b);
		ck_assert_ptr_eq(s, mem);
		ck_assert_msg(memchr(mem, '\0', cap) != NULL, "cap %zu: no NUL inside", cap);
		ck_assert_uint_eq(strlen(s), cap - 1);
		ck_assert_uint_eq(b.len, cap - 1);
		ck_assert_int_eq(b.truncated, 1);
		assert_canary_after(cap);
	}
}
END_TEST

static const char *json(const char *s)
{
	start(128);
	fs_sb_json_str(&b, s);
	return fs_sb_cstr(&b);
}

START_TEST(json_strings)
{
	ck_assert_str_eq(json("plain text /x"), "plain text /x");
	ck_assert_str_eq(json("q\"b\\"), "q\\\"b\\\\");
	ck_assert_str_eq(json("\n\t\x01\x1f"), "\\u000a\\u0009\\u0001\\u001f");
	ck_assert_str_eq(json("\x7f"), "\\u007f");
	ck_assert_str_eq(json("\xc3\xa9\xff"), "\\u00c3\\u00a9\\u00ff");
	ck_assert_str_eq(json(""), "");
}
END_TEST

static const char *iso(long long sec, long nsec)
{
	start(64);
	fs_sb_time_iso(&b, sec, nsec);
	return fs_sb_cstr(&b);
}

START_TEST(iso_times)
{
	ck_assert_str_eq(iso(0, 0), "1970-01-01T00:00:00.000Z");
	ck_assert_str_eq(iso(0, 5000000), "1970-01-01T00:00:00.005Z");
	ck_assert_str_eq(iso(946684799, 999999999), "1999-12-31T23:59:59.999Z");
	ck_assert_str_eq(iso(951782400, 0), "2000-02-29T00:00:00.000Z");
	ck_assert_str_eq(iso(2147483648LL, 0), "2038-01-19T03:14:08.000Z");
	ck_assert_str_eq(iso(4107542400LL, 0), "2100-03-01T00:00:00.000Z");
	ck_assert_str_eq(iso(1795348428LL, 123000000), "2026-11-22T11:53:48.123Z");
	ck_assert_str_eq(iso(-1, 0), "1969-12-31T23:59:59.000Z");
}
END_TEST

/* Against gmtime_r, one instant every 1000003 seconds from 1901 to 2200. */
START_TEST(iso_times_agree_with_gmtime)
{
	char want[64];
	struct tm tm;

	for (long long t = -2147483648LL; t < 7258118400LL; t += 1000003) {
		time_t tt = (time_t)t;
		long ms = (long)(t % 1000 + 1000) % 1000;
		ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
		size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + n, sizeof want - n, ".%03ldZ", ms);
		ck_assert_str_eq(iso(t, ms * 1000000), want);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sbuf");

	UNIT_ADD(s, init_gives_an_empty_string);
	UNIT_ADD(s, appends_text);
	UNIT_ADD(s, decimal_numbers);
	UNIT_ADD(s, hex_numbers);
	UNIT_ADD(s, quoted_strings);
	UNIT_ADD(s, quoted_strings_cut_at_max);
	UNIT_ADD(s, truncation_flag_when_full);
	UNIT_ADD(s, exact_fit_is_not_truncated);
	UNIT_ADD(s, numbers_cut_when_full);
	UNIT_ADD(s, always_nul_terminated);
	UNIT_ADD(s, json_strings);
	UNIT_ADD(s, iso_times);
	UNIT_ADD(s, iso_times_agree_with_gmtime);
	return unit_run(s);
}

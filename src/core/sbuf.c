/* forksafe: building message text in a fixed buffer, without stdio or
 * allocation, so that messages can be written from signal handlers and
 * from a child after fork. */
#include "core/parse.h"
#include <string.h>

void fs_sb_init(struct fs_sbuf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->cap = cap;
	b->len = 0;
	b->truncated = 0;
	if (cap)
		mem[0] = '\0';
}

void fs_sb_mem(struct fs_sbuf *b, const char *s, size_t n)
{
	size_t room = b->cap ? b->cap - 1 - b->len : 0;
	if (n > room) {
		n = room;
		b->truncated = 1;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void fs_sb_str(struct fs_sbuf *b, const char *s)
{
	fs_sb_mem(b, s, strlen(s));
}

void fs_sb_char(struct fs_sbuf *b, char c)
{
	fs_sb_mem(b, &c, 1);
}

void fs_sb_udec(struct fs_sbuf *b, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fs_sb_mem(b, tmp + i, sizeof tmp - i);
}

void fs_sb_dec(struct fs_sbuf *b, long long v)
{
	if (v < 0) {
		fs_sb_char(b, '-');
		fs_sb_udec(b, 0ULL - (unsigned long long)v);
	} else {
		fs_sb_udec(b, (unsigned long long)v);
	}
}

void fs_sb_hex(struct fs_sbuf *b, uintptr_t v)
{
	char tmp[2 + 2 * sizeof v];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	fs_sb_mem(b, tmp + i, sizeof tmp - i);
}

void fs_sb_quoted(struct fs_sbuf *b, const char *s, size_t max)
{
	fs_sb_char(b, '\'');
	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
			fs_sb_char(b, (char)c);
		} else {
			char esc[4] = { '\\', 'x', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15] };
			fs_sb_mem(b, esc, 4);
		}
		if (i + 1 == max && s[i + 1])
			fs_sb_str(b, "...");
	}
	fs_sb_char(b, '\'');
}

void fs_sb_json_str(struct fs_sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			fs_sb_char(b, '\\');
			fs_sb_char(b, (char)c);
		} else if (c >= 0x20 && c < 0x7f) {
			fs_sb_char(b, (char)c);
		} else {
			char esc[6] = { '\\', 'u', '0', '0', "0123456789abcdef"[c >> 4],
					"0123456789abcdef"[c & 15] };
			fs_sb_mem(b, esc, 6);
		}
	}
}

static void two_digits(struct fs_sbuf *b, int v, char after)
{
	fs_sb_char(b, (char)('0' + v / 10));
	fs_sb_char(b, (char)('0' + v % 10));
	if (after)
		fs_sb_char(b, after);
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), after
 * Howard Hinnant's public-domain algorithm "civil_from_days". */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

void fs_sb_time_iso(struct fs_sbuf *b, long long sec, long nsec)
{
	long long days = sec / 86400, rem = sec % 86400, y;
	int m, d, ms = (int)(nsec / 1000000);

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	fs_sb_dec(b, y);
	fs_sb_char(b, '-');
	two_digits(b, m, '-');
	two_digits(b, d, 'T');
	two_digits(b, (int)(rem / 3600), ':');
	two_digits(b, (int)(rem / 60 % 60), ':');
	two_digits(b, (int)(rem % 60), '.');
	fs_sb_char(b, (char)('0' + ms / 100));
	two_digits(b, ms % 100, 'Z');
}

const char *fs_sb_cstr(struct fs_sbuf *b)
{
	if (b->cap)
		b->p[b->len] = '\0';
	return b->p;
}

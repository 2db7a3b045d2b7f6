/* forksafe: building message text in a fixed buffer, without stdio or
 * allocation, so that messages can be written from signal handlers and
 * from a child after fork. */
#include "fs_parse.h"
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

const char *fs_sb_cstr(struct fs_sbuf *b)
{
	if (b->cap)
		b->p[b->len] = '\0';
	return b->p;
}

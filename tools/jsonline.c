/* forksafe report: one line of JSON, checked and taken apart in place
 * (jsonline.h).
 *
 * The grammar is RFC 8259's, but for one leniency: bytes >= 0x80 inside
 * strings are taken as they are, valid UTF-8 or not, since a log may
 * have passed through tools that wrote them raw.  Nesting is parsed by
 * recursion bounded by FS_JSON_MAX_DEPTH, so no line can exhaust the
 * stack; nothing is allocated. */
#include "jsonline.h"
#include <limits.h>
#include <string.h>

struct parser {
	const char *s;
	size_t i, n;
	struct fs_json_member *m;	/* the top-level members */
	int nm;
};

static int value(struct parser *p, int depth, char *type);

static void ws(struct parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' ||
			       p->s[p->i] == '\n'))
		p->i++;
}

static int at(const struct parser *p, char c)
{
	return p->i < p->n && p->s[p->i] == c;
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string: from after its opening quote to after its closing one. */
static int string(struct parser *p)
{
	while (p->i < p->n) {
		unsigned char c = (unsigned char)p->s[p->i++];
		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\')
			continue;
		if (p->i >= p->n)
			return -1;
		c = (unsigned char)p->s[p->i++];
		if (c == 'u') {
			if (p->n - p->i < 4)
				return -1;
			for (int k = 0; k < 4; k++)
				if (hex(p->s[p->i++]) < 0)
					return -1;
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
			return -1;
		}
	}
	return -1;
}

static int digits(struct parser *p)
{
	size_t start = p->i;
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct parser *p)
{
	if (at(p, '-'))
		p->i++;
	if (at(p, '0'))
		p->i++;
	else if (digits(p) < 0)
		return -1;
	if (at(p, '.')) {
		p->i++;
		if (digits(p) < 0)
			return -1;
	}
	if (at(p, 'e') || at(p, 'E')) {
		p->i++;
		if (at(p, '+') || at(p, '-'))
			p->i++;
		if (digits(p) < 0)
			return -1;
	}
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t len = strlen(word);
	if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0)
		return -1;
	p->i += len;
	return 0;
}

/* An object or array, its opening bracket read; members are recorded
 * only for the top-level object (depth 1). */
static int container(struct parser *p, int depth, char close)
{
	ws(p);
	if (at(p, close)) {
		p->i++;
		return 0;
	}
	for (;;) {
		struct fs_json_member mb = { 0 };
		if (close == '}') {
			if (!at(p, '"'))
				return -1;
			mb.key = p->s + ++p->i;
			if (string(p) < 0)
				return -1;
			mb.key_len = (size_t)(p->s + p->i - 1 - mb.key);
			ws(p);
			if (!at(p, ':'))
				return -1;
			p->i++;
			ws(p);
		}
		size_t start = p->i;
		if (value(p, depth, &mb.type) < 0)
			return -1;
		mb.val = p->s + start;
		mb.val_len = p->i - start;
		if (mb.type == 's') {
			mb.val++;
			mb.val_len -= 2;
		}
		if (close == '}' && depth == 1 && p->nm < FS_JSON_MAX_MEMBERS)
			p->m[p->nm++] = mb;
		ws(p);
		if (at(p, ',')) {
			p->i++;
			ws(p);
			continue;
		}
		if (!at(p, close))
			return -1;
		p->i++;
		return 0;
	}
}

static int value(struct parser *p, int depth, char *type)
{
	if (p->i >= p->n)
		return -1;
	*type = 'o';
	switch (p->s[p->i]) {
	case '{':
	case '[':
		if (depth >= FS_JSON_MAX_DEPTH)
			return -1;
		return container(p, depth + 1, p->s[p->i++] == '{' ? '}' : ']');
	case '"':
		*type = 's';
		p->i++;
		return string(p);
	case 't': return literal(p, "true");
	case 'f': return literal(p, "false");
	case 'n': return literal(p, "null");
	default:
		*type = 'n';
		return number(p);
	}
}

int fs_json_object(const char *s, size_t n, struct fs_json_member *m)
{
	struct parser p = { .s = s, .n = n, .m = m };
	char type;

	ws(&p);
	if (!at(&p, '{') || value(&p, 0, &type) < 0)
		return -1;
	ws(&p);
	return p.i == p.n ? p.nm : -1;
}

static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned long hex4(const char *s)
{
	return (unsigned long)(hex(s[0]) << 12 | hex(s[1]) << 8 | hex(s[2]) << 4 | hex(s[3]));
}

size_t fs_json_string(const struct fs_json_member *e, char *out, size_t max)
{
	const char *raw = e->val;
	size_t n = e->val_len;
	size_t len = 0;

	for (size_t i = 0; i < n;) {
		char tmp[4];
		size_t k = 1;
		if (raw[i] != '\\') {
			tmp[0] = raw[i++];
		} else if (raw[i + 1] != 'u') {
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			tmp[0] = to[strchr(from, raw[i + 1]) - from];
			i += 2;
		} else {
			unsigned long cp = hex4(raw + i + 2);
			i += 6;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= n && raw[i] == '\\' &&
			    raw[i + 1] == 'u' && hex4(raw + i + 2) >= 0xdc00 &&
			    hex4(raw + i + 2) < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(raw + i + 2) - 0xdc00);
				i += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;	/* a lone surrogate */
			}
			if (cp < 0x100)
				tmp[0] = (char)cp;	/* a byte, as forksafe writes them */
			else
				k = put_utf8(tmp, cp);
		}
		if (len + k > max) {
			memcpy(out + len, "...", 3);
			len += 3;
			break;
		}
		memcpy(out + len, tmp, k);
		len += k;
	}
	out[len] = '\0';
	return len;
}

const struct fs_json_member *fs_json_get(const struct fs_json_member *m, int nm,
					 const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; i < nm; i++)
		if (m[i].key_len == n && memcmp(m[i].key, key, n) == 0)
			return &m[i];
	return NULL;
}

int fs_json_int(const struct fs_json_member *e, long long *out)
{
	long long v = 0;
	size_t i = 0;
	int neg;

	if (e->type != 'n')
		return 0;
	neg = e->val[0] == '-';
	i = (size_t)neg;
	if (i == e->val_len)
		return 0;
	for (; i < e->val_len; i++) {
		int d = e->val[i] - '0';
		if (d < 0 || d > 9 || v > (LLONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return 1;
}

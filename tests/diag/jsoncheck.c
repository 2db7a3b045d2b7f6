/* A strict JSON checker for report logs: jsoncheck [-k KEY,...] [-f KEY]
 *
 * Every line of stdin must be one JSON object (RFC 8259: strings with
 * valid escapes and UTF-8, no control bytes, numbers in JSON syntax),
 * with unique top-level keys, including each KEY given with -k.  With -f
 * it prints the value of top-level KEY of each line ("-" when absent;
 * strings without their quotes, escapes left as written); otherwise the
 * number of lines.  Exits 1 at the first bad line, naming it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_KEYS 64
#define MAX_DEPTH 64

struct span {
	const char *p;
	size_t n;
};

struct parser {
	const char *s;
	size_t i, n;
	int depth;
	const char *err;
	int nkeys;
	struct span keys[MAX_KEYS], values[MAX_KEYS];
};

static int value(struct parser *p);

static int bad(struct parser *p, const char *why)
{
	if (!p->err)
		p->err = why;
	return -1;
}

static int peek(const struct parser *p)
{
	return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static void ws(struct parser *p)
{
	while (p->i < p->n && p->s[p->i] && strchr(" \t\r\n", p->s[p->i]))
		p->i++;
}

static int literal(struct parser *p, const char *word)
{
	size_t len = strlen(word);
	if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0)
		return bad(p, "unknown literal");
	p->i += len;
	return 0;
}

static int digits(struct parser *p)
{
	size_t start = p->i;
	while (peek(p) >= '0' && peek(p) <= '9')
		p->i++;
	return p->i > start ? 0 : bad(p, "digit expected");
}

static int number(struct parser *p)
{
	if (peek(p) == '-')
		p->i++;
	if (peek(p) == '0')
		p->i++;
	else if (digits(p) < 0)
		return -1;
	if (peek(p) == '.') {
		p->i++;
		if (digits(p) < 0)
			return -1;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->i++;
		if (peek(p) == '+' || peek(p) == '-')
			p->i++;
		if (digits(p) < 0)
			return -1;
	}
	return 0;
}

static int escape(struct parser *p)
{
	int c = peek(p);

	p->i++;
	if (c > 0 && strchr("\"\\/bfnrt", c))
		return 0;
	if (c != 'u')
		return bad(p, "bad escape");
	for (int k = 0; k < 4; k++, p->i++) {
		c = peek(p);
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return bad(p, "bad \\u escape");
	}
	return 0;
}

/* One UTF-8 sequence starting with byte c (>= 0x80), well formed. */
static int utf8(struct parser *p, int c)
{
	int more = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;

	if (more < 0 || c == 0xc0 || c == 0xc1 || c > 0xf4)
		return bad(p, "invalid UTF-8");
	for (p->i++; more > 0; more--, p->i++)
		if ((peek(p) & 0xc0) != 0x80)
			return bad(p, "invalid UTF-8");
	return 0;
}

static int string(struct parser *p, struct span *out)
{
	size_t start = ++p->i;

	for (;;) {
		int c = peek(p);
		if (c < 0)
			return bad(p, "unterminated string");
		if (c == '"')
			break;
		if (c < 0x20)
			return bad(p, "control byte in string");
		if (c == '\\') {
			p->i++;
			if (escape(p) < 0)
				return -1;
		} else if (c >= 0x80) {
			if (utf8(p, c) < 0)
				return -1;
		} else {
			p->i++;
		}
	}
	if (out) {
		out->p = p->s + start;
		out->n = p->i - start;
	}
	p->i++;
	return 0;
}

static int remember_key(struct parser *p, struct span key, size_t vstart)
{
	for (int k = 0; k < p->nkeys; k++)
		if (p->keys[k].n == key.n && memcmp(p->keys[k].p, key.p, key.n) == 0)
			return bad(p, "duplicate top-level key");
	if (p->nkeys == MAX_KEYS)
		return bad(p, "too many keys");
	p->keys[p->nkeys] = key;
	p->values[p->nkeys].p = p->s + vstart;
	p->values[p->nkeys].n = p->i - vstart;
	p->nkeys++;
	return 0;
}

static int member(struct parser *p, int top)
{
	struct span key;
	size_t vstart;

	ws(p);
	if (peek(p) != '"')
		return bad(p, "key expected");
	if (string(p, &key) < 0)
		return -1;
	ws(p);
	if (peek(p) != ':')
		return bad(p, "':' expected");
	p->i++;
	ws(p);
	vstart = p->i;
	if (value(p) < 0)
		return -1;
	return top ? remember_key(p, key, vstart) : 0;
}

/* An object (close '}') or an array (close ']'). */
static int container(struct parser *p, int close, int top)
{
	if (++p->depth > MAX_DEPTH)
		return bad(p, "nested too deeply");
	p->i++;
	ws(p);
	if (peek(p) == close) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		if ((close == '}' ? member(p, top) : value(p)) < 0)
			return -1;
		ws(p);
		if (peek(p) == close)
			break;
		if (peek(p) != ',')
			return bad(p, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
		p->i++;
	}
	p->i++;
	p->depth--;
	return 0;
}

static int value(struct parser *p)
{
	int c;

	ws(p);
	c = peek(p);
	switch (c) {
	case '{': return container(p, '}', 0);
	case '[': return container(p, ']', 0);
	case '"': return string(p, NULL);
	case 't': return literal(p, "true");
	case 'f': return literal(p, "false");
	case 'n': return literal(p, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return number(p);
		return bad(p, "value expected");
	}
}

static int line_object(struct parser *p)
{
	ws(p);
	if (peek(p) != '{')
		return bad(p, "not an object");
	if (container(p, '}', 1) < 0)
		return -1;
	ws(p);
	return p->i == p->n ? 0 : bad(p, "text after the object");
}

static const struct span *find(const struct parser *p, const char *key, size_t len)
{
	for (int k = 0; k < p->nkeys; k++)
		if (p->keys[k].n == len && memcmp(p->keys[k].p, key, len) == 0)
			return &p->values[k];
	return NULL;
}

static int has_keys(struct parser *p, const char *list)
{
	while (list && *list) {
		size_t len = strcspn(list, ",");
		if (len && !find(p, list, len)) {
			fprintf(stderr, "jsoncheck: key '%.*s' missing\n", (int)len, list);
			return bad(p, "required key missing");
		}
		list += len + (list[len] == ',');
	}
	return 0;
}

static void print_field(const struct parser *p, const char *key)
{
	const struct span *v = find(p, key, strlen(key));

	if (!v)
		puts("-");
	else if (v->n >= 2 && v->p[0] == '"')
		printf("%.*s\n", (int)v->n - 2, v->p + 1);
	else
		printf("%.*s\n", (int)v->n, v->p);
}

int main(int argc, char **argv)
{
	const char *keys = NULL, *show = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lines = 0;
	int opt;

	while ((opt = getopt(argc, argv, "k:f:")) != -1) {
		if (opt == 'k')
			keys = optarg;
		else if (opt == 'f')
			show = optarg;
		else
			return 2;
	}
	while ((len = getline(&line, &cap, stdin)) > 0) {
		struct parser p = { .s = line, .n = (size_t)len };
		lines++;
		if (line[len - 1] != '\n') {
			fprintf(stderr, "jsoncheck: line %ld: no newline at the end\n", lines);
			return 1;
		}
		p.n--;
		if (line_object(&p) < 0 || has_keys(&p, keys) < 0) {
			fprintf(stderr, "jsoncheck: line %ld, byte %zu: %s\n%s", lines, p.i + 1,
				p.err, line);
			return 1;
		}
		if (show)
			print_field(&p, show);
	}
	if (!show)
		printf("%ld\n", lines);
	free(line);
	return 0;
}

/* forksafe report: the reader and the summary (report.h).
 *
 * A log is untrusted and may hold anything: the reports of many
 * processes, a last line cut short, text-format reports, garbage, bytes
 * that are not UTF-8, lines of any length.  Each line is read on its
 * own: it is a report when it is exactly one JSON object with an "event"
 * string; any other line is counted, by reason, and skipped.
 *
 * Memory is bounded whatever the input: a line is kept only up to
 * FS_REPORT_LINE_MAX, a string value only up to VALUE_MAX bytes, nesting
 * only to MAX_DEPTH (parsed by bounded recursion), and past a number of
 * distinct strings, groups or pids the rest are still counted but no
 * longer told apart.
 *
 * Strings are byte strings.  forksafe writes every byte >= 0x80 as
 * \u00XX (sbuf.c), so \u0000-\u00ff decode to that byte and the bytes of
 * a file name come back as they were; larger code points decode to UTF-8.
 * The text summary prints valid UTF-8 as it is and escapes every other
 * byte; the JSON summary writes strings the way forksafe's logs do. */
#define _GNU_SOURCE
#include "report.h"
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 1024			/* bytes kept of a string value */
#define MAX_DEPTH 64			/* nesting a report may have */
#define MAX_MEMBERS 64			/* top-level members looked at per line */
#define MAX_STRINGS (1u << 18)		/* distinct strings kept */
#define MAX_STRING_BYTES (64u << 20)	/* and their bytes */
#define MAX_GROUPS (1u << 16)		/* distinct (kind, site) pairs kept */
#define MAX_PIDS (1u << 21)		/* distinct pids counted */
#define TALLY 8				/* distinct values kept per group and field */
#define NUMS 8				/* distinct numbers kept per group */

/* String 0 stands for every value past the limits. */
#define OVERFLOW_ID 0
#define OVERFLOW_TEXT "(more distinct values than forksafe report keeps)"

/* ---- what each kind of report is grouped by ---- */

struct spec {
	const char *kind;
	const char *title;		/* section heading */
	const char *site;		/* the field a group is made of */
	const char *site_one, *site_many;
	const char *unit;		/* what one event is */
	const char *num, *num_one, *num_many;	/* a number field, shown as a set */
	const char *by, *by_label;	/* a string field, shown by frequency */
	const char *what, *what_label;	/* another */
};

static const struct spec specs[] = {
	{ "mt-fork", "forks in threaded processes", "caller", "call site", "call sites", "forks",
	  "threads", "threads", "threads", NULL, NULL, NULL, NULL },
	{ "exec-leak", "leaked fds", "created_at", "creation site", "creation sites", "fds",
	  "fd", "fd", "fds", "created_by", "created by", "what", "what" },
	{ "child-deadlock", "child-deadlock", "caller", "call site", "call sites", "reports",
	  NULL, NULL, NULL, "function", "in", NULL, NULL },
	{ "child-stall", "child-stall", "fork_caller", "fork site", "fork sites", "reports",
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "atfork-slow", "atfork-slow", "handler", "handler", "handlers", "reports",
	  NULL, NULL, NULL, "phase", "phase", NULL, NULL },
	{ "config", "config", "variable", "variable", "variables", "reports",
	  NULL, NULL, NULL, "value", "value", NULL, NULL },
};

/* Kinds this version does not know (a newer module's) are grouped by
 * the first of these fields they have. */
static const struct spec other_spec = {
	NULL, NULL, NULL, "site", "sites", "reports", NULL, NULL, NULL, NULL, NULL, NULL, NULL
};
static const char *const site_fields[] = {
	"caller", "fork_caller", "site", "handler", "created_at", "exec_at", NULL
};

static const struct spec *spec_of(const char *kind)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
		if (strcmp(specs[i].kind, kind) == 0)
			return &specs[i];
	return &other_spec;
}

/* The summary at exit repeats what the other reports said: no section. */
static int grouped(const char *kind)
{
	return strcmp(kind, "summary") != 0;
}

/* ---- state ---- */

struct str {
	char *s;			/* NUL-terminated copy */
	size_t len;
	unsigned long as_kind;		/* reports of this kind */
	unsigned long as_program;	/* reports this program wrote */
	unsigned long unkept;		/* reports of this kind in no group */
};

struct tally {
	uint32_t id[TALLY];
	unsigned long n[TALLY];
	unsigned used;
	unsigned long rest;		/* values beyond the kept ones */
};

struct nums {
	long long v[NUMS];		/* ascending */
	unsigned used;
	int more;
	long long min, max;
};

struct group {
	uint32_t kind, site;
	unsigned long count;
	struct tally programs, by, what;
	struct nums nums;
};

struct fs_report {
	/* the line being read */
	char *line;
	size_t len;
	int too_long, oom;

	struct str *strs;
	uint32_t nstrs, strs_cap;
	uint32_t *str_slots;		/* index + 1; 0 is empty */
	uint32_t str_nslots;
	size_t str_bytes;

	struct group *groups;
	uint32_t ngroups, groups_cap;
	uint32_t *group_slots;
	uint32_t group_nslots;

	long long *pids;		/* LLONG_MIN is empty */
	uint32_t npids, pid_nslots;
	int pids_capped;

	unsigned long events, text, not_json, no_event, too_long_lines;

	/* decoded values of the line being read */
	char kind[VALUE_MAX + 4], site[VALUE_MAX + 4], program[VALUE_MAX + 4];
	char by[VALUE_MAX + 4], what[VALUE_MAX + 4];
};

static uint64_t hash_bytes(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;	/* FNV-1a */
	}
	return h;
}

#define HASH_SEED 1469598103934665603ull

/* ---- interned strings ---- */

static uint64_t str_hash(const char *s, size_t n)
{
	return hash_bytes(s, n, HASH_SEED);
}

static int strs_rehash(struct fs_report *r, uint32_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof *slots);

	if (!slots)
		return -1;
	for (uint32_t id = 0; id < r->nstrs; id++) {
		uint32_t i = (uint32_t)str_hash(r->strs[id].s, r->strs[id].len) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = id + 1;
	}
	free(r->str_slots);
	r->str_slots = slots;
	r->str_nslots = nslots;
	return 0;
}

/* The id of string s; OVERFLOW_ID past the limits; -1 out of memory. */
static long intern(struct fs_report *r, const char *s, size_t n)
{
	uint32_t i = (uint32_t)str_hash(s, n) & (r->str_nslots - 1);

	for (; r->str_slots[i]; i = (i + 1) & (r->str_nslots - 1)) {
		const struct str *e = &r->strs[r->str_slots[i] - 1];
		if (e->len == n && memcmp(e->s, s, n) == 0)
			return r->str_slots[i] - 1;
	}
	if (r->nstrs >= MAX_STRINGS || r->str_bytes + n > MAX_STRING_BYTES)
		return OVERFLOW_ID;
	if (r->nstrs == r->strs_cap) {
		uint32_t cap = r->strs_cap ? r->strs_cap * 2 : 256;
		struct str *v = realloc(r->strs, cap * sizeof *v);
		if (!v)
			return -1;
		r->strs = v;
		r->strs_cap = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, n);
	copy[n] = '\0';
	r->strs[r->nstrs] = (struct str){ .s = copy, .len = n };
	r->str_slots[i] = ++r->nstrs;
	r->str_bytes += n;
	if (r->nstrs * 2 > r->str_nslots && strs_rehash(r, r->str_nslots * 2) < 0)
		return -1;
	return r->nstrs - 1;
}

/* ---- groups: one per (kind, site) ---- */

static uint32_t group_hash(uint32_t kind, uint32_t site)
{
	uint64_t h = ((uint64_t)kind << 32 | site) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static int groups_rehash(struct fs_report *r, uint32_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof *slots);

	if (!slots)
		return -1;
	for (uint32_t g = 0; g < r->ngroups; g++) {
		uint32_t i = group_hash(r->groups[g].kind, r->groups[g].site) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = g + 1;
	}
	free(r->group_slots);
	r->group_slots = slots;
	r->group_nslots = nslots;
	return 0;
}

/* The group of (kind, site); NULL when the table is full or memory ran
 * out (r->oom set). */
static struct group *group_of(struct fs_report *r, uint32_t kind, uint32_t site)
{
	uint32_t i = group_hash(kind, site) & (r->group_nslots - 1);

	for (; r->group_slots[i]; i = (i + 1) & (r->group_nslots - 1)) {
		struct group *g = &r->groups[r->group_slots[i] - 1];
		if (g->kind == kind && g->site == site)
			return g;
	}
	if (r->ngroups >= MAX_GROUPS)
		return NULL;
	if (r->ngroups == r->groups_cap) {
		uint32_t cap = r->groups_cap ? r->groups_cap * 2 : 64;
		struct group *v = realloc(r->groups, cap * sizeof *v);
		if (!v) {
			r->oom = 1;
			return NULL;
		}
		r->groups = v;
		r->groups_cap = cap;
	}
	struct group *g = &r->groups[r->ngroups];
	memset(g, 0, sizeof *g);
	g->kind = kind;
	g->site = site;
	r->group_slots[i] = ++r->ngroups;
	if (r->ngroups * 2 > r->group_nslots && groups_rehash(r, r->group_nslots * 2) < 0) {
		r->oom = 1;
		return NULL;
	}
	return &r->groups[r->ngroups - 1];
}

static void tally_add(struct tally *t, uint32_t id)
{
	for (unsigned i = 0; i < t->used; i++) {
		if (t->id[i] == id) {
			t->n[i]++;
			return;
		}
	}
	if (t->used == TALLY) {
		t->rest++;
		return;
	}
	t->id[t->used] = id;
	t->n[t->used++] = 1;
}

static void nums_add(struct nums *s, long long v)
{
	unsigned i = 0;

	if (!s->used && !s->more) {
		s->min = s->max = v;
	} else {
		s->min = v < s->min ? v : s->min;
		s->max = v > s->max ? v : s->max;
	}
	while (i < s->used && s->v[i] < v)
		i++;
	if (i < s->used && s->v[i] == v)
		return;
	if (s->used == NUMS) {
		s->more = 1;
		return;
	}
	memmove(&s->v[i + 1], &s->v[i], (s->used - i) * sizeof s->v[0]);
	s->v[i] = v;
	s->used++;
}

/* ---- distinct pids ---- */

static int pids_rehash(struct fs_report *r, uint32_t nslots)
{
	long long *slots = malloc(nslots * sizeof *slots);

	if (!slots)
		return -1;
	for (uint32_t i = 0; i < nslots; i++)
		slots[i] = LLONG_MIN;
	for (uint32_t k = 0; k < r->pid_nslots; k++) {
		if (r->pids[k] == LLONG_MIN)
			continue;
		uint32_t i = group_hash((uint32_t)r->pids[k], (uint32_t)(r->pids[k] >> 32)) &
			     (nslots - 1);
		while (slots[i] != LLONG_MIN)
			i = (i + 1) & (nslots - 1);
		slots[i] = r->pids[k];
	}
	free(r->pids);
	r->pids = slots;
	r->pid_nslots = nslots;
	return 0;
}

static void pid_add(struct fs_report *r, long long pid)
{
	uint32_t i = group_hash((uint32_t)pid, (uint32_t)(pid >> 32)) & (r->pid_nslots - 1);

	if (pid == LLONG_MIN)
		return;
	for (; r->pids[i] != LLONG_MIN; i = (i + 1) & (r->pid_nslots - 1))
		if (r->pids[i] == pid)
			return;
	if (r->npids >= MAX_PIDS) {
		r->pids_capped = 1;
		return;
	}
	r->pids[i] = pid;
	if (++r->npids * 2 > r->pid_nslots && pids_rehash(r, r->pid_nslots * 2) < 0)
		r->oom = 1;
}

/* ---- one line of JSON ---- */

struct member {
	const char *key, *val;		/* key: inside its quotes; val: as written */
	size_t key_len, val_len;	/* (a string value: inside its quotes) */
	char type;			/* 's' string, 'n' number, 'o' anything else */
};

struct parser {
	const char *s;
	size_t i, n;
	struct member *m;		/* the top-level members */
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

/* A string; the position is after its opening quote and ends after its
 * closing one.  Bytes >= 0x80 are taken as they are, valid UTF-8 or not:
 * a log may have passed through tools that wrote them raw. */
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
		struct member mb = { 0 };
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
		if (close == '}' && depth == 1 && p->nm < MAX_MEMBERS)
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
		if (depth >= MAX_DEPTH)
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

/* Parses a line that must be one JSON object; fills m (at most
 * MAX_MEMBERS) and returns how many, or -1. */
static int parse_object(const char *s, size_t n, struct member *m)
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

/* Decodes a string the parser accepted (raw: inside its quotes) into out
 * (VALUE_MAX + 4 bytes), keeping at most VALUE_MAX bytes; a value cut
 * short ends in "...".  Returns the length. */
static size_t decode(const char *raw, size_t n, char *out)
{
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
		if (len + k > VALUE_MAX) {
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

/* The first member named key, or NULL.  forksafe's keys have no escapes:
 * a key written with them is compared as written. */
static const struct member *member(const struct member *m, int nm, const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; i < nm; i++)
		if (m[i].key_len == n && memcmp(m[i].key, key, n) == 0)
			return &m[i];
	return NULL;
}

/* A string member decoded into out; -1 when absent or not a string. */
static long string_member(const struct member *m, int nm, const char *key, char *out)
{
	const struct member *e = key ? member(m, nm, key) : NULL;
	if (!e || e->type != 's')
		return -1;
	return (long)decode(e->val, e->val_len, out);
}

/* An integer member; 0 when absent, not an integer or out of range. */
static int int_member(const struct member *m, int nm, const char *key, long long *out)
{
	const struct member *e = key ? member(m, nm, key) : NULL;
	long long v = 0;
	size_t i = 0;
	int neg;

	if (!e || e->type != 'n')
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

/* forksafe[PID]: EVENT: ..., perhaps after a syslog priority <N>. */
static int text_report(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '<') {
		for (i = 1; i < n && i < 5 && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 1 || i >= n || s[i] != '>')
			return 0;
		i++;
	}
	if (n - i < 9 || memcmp(s + i, "forksafe[", 9) != 0)
		return 0;
	i += 9;
	size_t start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > start && n - i >= 3 && memcmp(s + i, "]: ", 3) == 0;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Interns the decoded string of field key, or "(no KEY)". */
static long field_id(struct fs_report *r, const struct member *m, int nm, const char *key,
		     char *buf)
{
	long len = string_member(m, nm, key, buf);
	if (len < 0) {
		len = snprintf(buf, VALUE_MAX + 4, "(no %s)", key ? key : "site");
		if (len > VALUE_MAX)
			len = VALUE_MAX;
	}
	return intern(r, buf, (size_t)len);
}

static void count_in_group(struct fs_report *r, const struct member *m, int nm, long kind,
			   long program)
{
	const struct spec *sp = spec_of(r->kind);
	const char *site_key = sp->site;
	long site, by = -1, what = -1;
	long long num;

	for (int k = 0; !site_key && site_fields[k]; k++)
		if (member(m, nm, site_fields[k]))
			site_key = site_fields[k];
	site = field_id(r, m, nm, site_key, r->site);
	if (sp->by)
		by = field_id(r, m, nm, sp->by, r->by);
	if (sp->what)
		what = field_id(r, m, nm, sp->what, r->what);
	if (site < 0 || (sp->by && by < 0) || (sp->what && what < 0)) {
		r->oom = 1;
		return;
	}
	struct group *g = group_of(r, (uint32_t)kind, (uint32_t)site);
	if (!g) {
		r->strs[kind].unkept++;
		return;
	}
	g->count++;
	if (program >= 0)
		tally_add(&g->programs, (uint32_t)program);
	if (by >= 0)
		tally_add(&g->by, (uint32_t)by);
	if (what >= 0)
		tally_add(&g->what, (uint32_t)what);
	if (sp->num && int_member(m, nm, sp->num, &num))
		nums_add(&g->nums, num);
}

static void read_line(struct fs_report *r, const char *s, size_t n)
{
	struct member m[MAX_MEMBERS];
	long kind, program = -1, len;
	long long pid;
	int nm;

	if (blank(s, n))
		return;
	if (text_report(s, n)) {
		r->text++;
		return;
	}
	if ((nm = parse_object(s, n, m)) < 0) {
		r->not_json++;
		return;
	}
	if ((len = string_member(m, nm, "event", r->kind)) < 0) {
		r->no_event++;
		return;
	}
	if ((kind = intern(r, r->kind, (size_t)len)) < 0)
		goto oom;
	r->events++;
	r->strs[kind].as_kind++;
	if (int_member(m, nm, "pid", &pid))
		pid_add(r, pid);
	if ((len = string_member(m, nm, "program", r->program)) >= 0) {
		if ((program = intern(r, r->program, (size_t)len)) < 0)
			goto oom;
		r->strs[program].as_program++;
	}
	if (grouped(r->strs[kind].s))
		count_in_group(r, m, nm, kind, program);
	return;
oom:
	r->oom = 1;
}

/* ---- reading ---- */

struct fs_report *fs_report_new(void)
{
	struct fs_report *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->line = malloc(FS_REPORT_LINE_MAX);
	if (!r->line || strs_rehash(r, 512) < 0 || groups_rehash(r, 128) < 0 ||
	    pids_rehash(r, 128) < 0 || intern(r, OVERFLOW_TEXT, strlen(OVERFLOW_TEXT)) != OVERFLOW_ID) {
		fs_report_free(r);
		return NULL;
	}
	return r;
}

void fs_report_free(struct fs_report *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nstrs; i++)
		free(r->strs[i].s);
	free(r->strs);
	free(r->str_slots);
	free(r->groups);
	free(r->group_slots);
	free(r->pids);
	free(r->line);
	free(r);
}

static void end_line(struct fs_report *r)
{
	if (r->too_long)
		r->too_long_lines++;
	else
		read_line(r, r->line, r->len);
	r->len = 0;
	r->too_long = 0;
}

int fs_report_feed(struct fs_report *r, const char *data, size_t n)
{
	while (n > 0 && !r->oom) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (!r->too_long && take > FS_REPORT_LINE_MAX - r->len)
			r->too_long = 1;
		if (!r->too_long) {
			memcpy(r->line + r->len, data, take);
			r->len += take;
		}
		if (!nl)
			break;
		end_line(r);
		data = nl + 1;
		n -= take + 1;
	}
	return r->oom ? -1 : 0;
}

int fs_report_end(struct fs_report *r)
{
	if (r->len || r->too_long)
		end_line(r);
	return r->oom ? -1 : 0;
}

void fs_report_counts(const struct fs_report *r, struct fs_report_counts *c)
{
	memset(c, 0, sizeof *c);
	c->events = r->events;
	c->processes = r->npids;
	c->processes_capped = r->pids_capped;
	for (uint32_t i = 0; i < r->nstrs; i++)
		if (r->strs[i].as_program)
			c->programs++;
	c->text = r->text;
	c->not_json = r->not_json;
	c->no_event = r->no_event;
	c->too_long = r->too_long_lines;
}

/* ---- ordering: most frequent first, then by bytes ---- */

static int cmp_str(const struct str *a, const struct str *b)
{
	int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int cmp_count(unsigned long a, unsigned long b)
{
	return (a < b) - (a > b);
}

static int by_kind(const void *x, const void *y, void *arg)
{
	const struct str *s = arg, *a = &s[*(const uint32_t *)x], *b = &s[*(const uint32_t *)y];
	int c = cmp_count(a->as_kind, b->as_kind);
	return c ? c : cmp_str(a, b);
}

static int by_program(const void *x, const void *y, void *arg)
{
	const struct str *s = arg, *a = &s[*(const uint32_t *)x], *b = &s[*(const uint32_t *)y];
	int c = cmp_count(a->as_program, b->as_program);
	return c ? c : cmp_str(a, b);
}

static int by_group(const void *x, const void *y, void *arg)
{
	const struct fs_report *r = arg;
	const struct group *a = &r->groups[*(const uint32_t *)x];
	const struct group *b = &r->groups[*(const uint32_t *)y];
	int c = cmp_count(a->count, b->count);
	return c ? c : cmp_str(&r->strs[a->site], &r->strs[b->site]);
}

/* The ids of strings used as kinds (or programs), in order; *n set.
 * NULL when memory ran out. */
static uint32_t *sorted_strs(const struct fs_report *r, int programs, uint32_t *n)
{
	uint32_t *v = malloc((r->nstrs + 1) * sizeof *v);

	*n = 0;
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < r->nstrs; i++)
		if (programs ? r->strs[i].as_program : r->strs[i].as_kind)
			v[(*n)++] = i;
	qsort_r(v, *n, sizeof *v, programs ? by_program : by_kind, r->strs);
	return v;
}

/* The groups of kind, in order; *n set, *total their events. */
static uint32_t *sorted_groups(const struct fs_report *r, uint32_t kind, uint32_t *n)
{
	uint32_t *v = malloc((r->ngroups + 1) * sizeof *v);

	*n = 0;
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < r->ngroups; i++)
		if (r->groups[i].kind == kind)
			v[(*n)++] = i;
	qsort_r(v, *n, sizeof *v, by_group, (void *)r);
	return v;
}

struct tally_order {
	const struct str *strs;
	const struct tally *t;
};

static int by_tally(const void *x, const void *y, void *arg)
{
	const struct tally_order *o = arg;
	unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
	int c = cmp_count(o->t->n[a], o->t->n[b]);
	return c ? c : cmp_str(&o->strs[o->t->id[a]], &o->strs[o->t->id[b]]);
}

static void tally_order(const struct fs_report *r, const struct tally *t, unsigned *idx)
{
	struct tally_order o = { r->strs, t };
	for (unsigned i = 0; i < t->used; i++)
		idx[i] = i;
	qsort_r(idx, t->used, sizeof *idx, by_tally, &o);
}

/* The kind's id, or -1 when no report of it was read. */
static long kind_id(const struct fs_report *r, const char *kind)
{
	for (uint32_t i = 0; i < r->nstrs; i++)
		if (r->strs[i].as_kind && strcmp(r->strs[i].s, kind) == 0)
			return i;
	return -1;
}

struct section {
	long kind;		/* -1: no report of it was read */
	const char *name;
};

/* The kinds that get a section: mt-fork and exec-leak always, then the
 * others present, most frequent first. */
static struct section *sections(const struct fs_report *r, const uint32_t *kinds,
				uint32_t nkinds, size_t *n)
{
	struct section *v = malloc((nkinds + 2) * sizeof *v);

	*n = 0;
	if (!v)
		return NULL;
	v[(*n)++] = (struct section){ kind_id(r, "mt-fork"), "mt-fork" };
	v[(*n)++] = (struct section){ kind_id(r, "exec-leak"), "exec-leak" };
	for (uint32_t i = 0; i < nkinds; i++) {
		const char *k = r->strs[kinds[i]].s;
		if (grouped(k) && strcmp(k, "mt-fork") != 0 && strcmp(k, "exec-leak") != 0)
			v[(*n)++] = (struct section){ kinds[i], k };
	}
	return v;
}

/* ---- the text summary ---- */

/* The length of the valid UTF-8 sequence at s, 0 when there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	/* C1 controls (U+0080-U+009F) act on a terminal: escaped. */
	if (s[0] == 0xc2 && s[1] < 0xa0)
		return 0;
	return len;
}

/* A value for a terminal: valid UTF-8 as it is, every other byte and
 * every control character (and the backslash) as \xNN. */
static void put_text(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(u + i, n - i);
		if (k == 0 || (k == 1 && (u[i] < 0x20 || u[i] == 0x7f || u[i] == '\\'))) {
			fprintf(f, "\\x%02x", u[i]);
			i++;
		} else {
			fwrite(s + i, 1, k, f);
			i += k;
		}
	}
}

static void put_str(FILE *f, const struct fs_report *r, uint32_t id)
{
	put_text(f, r->strs[id].s, r->strs[id].len);
}

static const char *plural(unsigned long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#define COUNT "%7lu  "
#define INDENT "         "

static void text_header(const struct fs_report *r, FILE *f, unsigned files,
			const uint32_t *progs, uint32_t nprogs, unsigned long top)
{
	fprintf(f, "forksafe report: %u %s, %lu %s, %s%lu %s, %lu %s\n", files,
		plural(files, "log", "logs"), r->events, plural(r->events, "event", "events"),
		r->pids_capped ? "more than " : "", (unsigned long)r->npids,
		plural(r->npids, "process", "processes"), (unsigned long)nprogs,
		plural(nprogs, "program", "programs"));
	if (!nprogs)
		return;
	fputs("programs: ", f);
	for (uint32_t i = 0; i < nprogs && (!top || i < top); i++) {
		if (i)
			fputs(", ", f);
		put_str(f, r, progs[i]);
		fprintf(f, i ? " (%lu)" : " (%lu %s)", r->strs[progs[i]].as_program,
			plural(r->strs[progs[i]].as_program, "event", "events"));
	}
	if (top && nprogs > top)
		fprintf(f, ", and %lu more", (unsigned long)(nprogs - top));
	fputc('\n', f);
}

static void text_kinds(const struct fs_report *r, FILE *f, const uint32_t *kinds,
		       uint32_t nkinds, unsigned long top)
{
	unsigned long rest = 0;

	fputs("\nevents by kind\n", f);
	if (!nkinds)
		fputs(INDENT "none\n", f);
	for (uint32_t i = 0; i < nkinds; i++) {
		if (top && i >= top) {
			rest += r->strs[kinds[i]].as_kind;
			continue;
		}
		fprintf(f, COUNT, r->strs[kinds[i]].as_kind);
		put_str(f, r, kinds[i]);
		fputc('\n', f);
	}
	if (top && nkinds > top)
		fprintf(f, INDENT "and %lu more %s (%lu %s)\n", (unsigned long)(nkinds - top),
			plural(nkinds - top, "kind", "kinds"), rest, plural(rest, "event", "events"));
}

/* Values of a tally, most frequent first; with their counts when
 * counts is set and there is more than one. */
static void text_tally(const struct fs_report *r, FILE *f, const struct tally *t, int counts,
		       unsigned shown)
{
	unsigned idx[TALLY];

	tally_order(r, t, idx);
	for (unsigned i = 0; i < t->used && i < shown; i++) {
		if (i)
			fputs(", ", f);
		put_str(f, r, t->id[idx[i]]);
		if (counts && (t->used > 1 || t->rest))
			fprintf(f, " (%lu)", t->n[idx[i]]);
	}
	if (t->used > shown || t->rest) {
		fputs(", ...", f);
		if (counts && t->rest)
			fprintf(f, " (%lu)", t->rest);
	}
}

static void text_nums(FILE *f, const struct nums *s)
{
	if (s->more) {
		fprintf(f, "%lld-%lld", s->min, s->max);
		return;
	}
	for (unsigned i = 0; i < s->used; i++)
		fprintf(f, i ? ", %lld" : "%lld", s->v[i]);
}

static void text_group(const struct fs_report *r, FILE *f, const struct spec *sp,
		       const struct group *g)
{
	const char *sep = INDENT;

	fprintf(f, COUNT, g->count);
	put_str(f, r, g->site);
	fputc('\n', f);
	if (sp->by && g->by.used) {
		fprintf(f, "%s%s: ", sep, sp->by_label);
		text_tally(r, f, &g->by, 0, 3);
		sep = "; ";
	}
	if (sp->num && (g->nums.used || g->nums.more)) {
		fprintf(f, "%s%s: ", sep, g->nums.used == 1 && !g->nums.more ? sp->num_one
									  : sp->num_many);
		text_nums(f, &g->nums);
		sep = "; ";
	}
	if (sp->what && g->what.used) {
		fprintf(f, "%s%s: ", sep, sp->what_label);
		text_tally(r, f, &g->what, 0, 3);
		sep = "; ";
	}
	if (g->programs.used) {
		fprintf(f, "%sprograms: ", sep);
		text_tally(r, f, &g->programs, 1, TALLY);
		sep = "; ";
	}
	if (sep[0] == ';')
		fputc('\n', f);
}

static int text_section(const struct fs_report *r, FILE *f, long kind, const char *name,
			unsigned long top)
{
	const struct spec *sp = spec_of(name);
	const char *title = sp->title ? sp->title : name;
	unsigned long total = kind >= 0 ? r->strs[kind].as_kind : 0;
	unsigned long unkept = kind >= 0 ? r->strs[kind].unkept : 0, rest = 0;
	uint32_t n = 0, *v;

	fputc('\n', f);
	if (kind < 0) {
		fprintf(f, "%s: none\n", title);
		return 0;
	}
	v = sorted_groups(r, (uint32_t)kind, &n);
	if (!v)
		return -1;
	fprintf(f, "%s: %lu at %s%lu %s\n", title, total, unkept ? "more than " : "",
		(unsigned long)n, plural(n, sp->site_one, sp->site_many));
	for (uint32_t i = 0; i < n; i++) {
		if (top && i >= top)
			rest += r->groups[v[i]].count;
		else
			text_group(r, f, sp, &r->groups[v[i]]);
	}
	if (top && n > top)
		fprintf(f, INDENT "and %lu more %s (%lu %s)\n", (unsigned long)(n - top),
			plural(n - top, sp->site_one, sp->site_many), rest, sp->unit);
	if (unkept)
		fprintf(f, INDENT "and more %s than forksafe report keeps (%lu %s)\n",
			sp->site_many, unkept, sp->unit);
	free(v);
	return 0;
}

int fs_report_print_text(const struct fs_report *r, FILE *f, unsigned files, unsigned long top)
{
	uint32_t nprogs, nkinds;
	uint32_t *progs = sorted_strs(r, 1, &nprogs), *kinds = sorted_strs(r, 0, &nkinds);
	struct section *sec = NULL;
	size_t nsec = 0;
	int status = -1;

	if (!progs || !kinds || !(sec = sections(r, kinds, nkinds, &nsec)))
		goto out;
	text_header(r, f, files, progs, nprogs, top);
	text_kinds(r, f, kinds, nkinds, top);
	status = 0;
	for (size_t i = 0; i < nsec && status == 0; i++)
		status = text_section(r, f, sec[i].kind, sec[i].name, top);
out:
	free(progs);
	free(kinds);
	free(sec);
	return status;
}

/* ---- the JSON summary ---- */

/* A string as forksafe's logs write them: '"', '\\' and control bytes
 * escaped, every byte >= 0x80 as \u00XX, so it is valid JSON whatever
 * the bytes and decodes back to them. */
static void put_json(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\u%04x", c);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const struct fs_report *r, uint32_t id)
{
	put_json(f, r->strs[id].s, r->strs[id].len);
}

static void json_tally(const struct fs_report *r, FILE *f, const char *key,
		       const struct tally *t, const char *item)
{
	unsigned idx[TALLY];

	tally_order(r, t, idx);
	fprintf(f, ",\"%s\":[", key);
	for (unsigned i = 0; i < t->used; i++) {
		fputs(i ? ",{" : "{", f);
		fprintf(f, "\"%s\":", item);
		json_str(f, r, t->id[idx[i]]);
		fprintf(f, ",\"count\":%lu}", t->n[idx[i]]);
	}
	fprintf(f, "],\"%s_others\":%lu", key, t->rest);
}

static void json_group(const struct fs_report *r, FILE *f, const struct spec *sp,
		       const struct group *g)
{
	fputs("{\"site\":", f);
	json_str(f, r, g->site);
	fprintf(f, ",\"count\":%lu", g->count);
	if (sp->num) {
		fprintf(f, ",\"%s\":[", sp->num_many);
		for (unsigned i = 0; i < g->nums.used; i++)
			fprintf(f, i ? ",%lld" : "%lld", g->nums.v[i]);
		fputc(']', f);
		if (g->nums.more)
			fprintf(f, ",\"%s_range\":[%lld,%lld]", sp->num_many, g->nums.min,
				g->nums.max);
	}
	if (sp->by)
		json_tally(r, f, sp->by, &g->by, "value");
	if (sp->what)
		json_tally(r, f, sp->what, &g->what, "value");
	json_tally(r, f, "programs", &g->programs, "program");
	fputc('}', f);
}

static int json_section(const struct fs_report *r, FILE *f, long kind, const char *name,
			unsigned long top)
{
	const struct spec *sp = spec_of(name);
	unsigned long rest = 0;
	uint32_t n = 0, *v = NULL;

	if (kind >= 0 && !(v = sorted_groups(r, (uint32_t)kind, &n)))
		return -1;
	fputs("{\"event\":", f);
	put_json(f, name, strlen(name));
	if (sp->site)
		fprintf(f, ",\"by\":\"%s\"", sp->site);
	fprintf(f, ",\"count\":%lu,\"sites\":%lu,\"groups\":[",
		kind >= 0 ? r->strs[kind].as_kind : 0, (unsigned long)n);
	for (uint32_t i = 0; i < n; i++) {
		if (top && i >= top) {
			rest += r->groups[v[i]].count;
			continue;
		}
		if (i)
			fputc(',', f);
		json_group(r, f, sp, &r->groups[v[i]]);
	}
	fprintf(f, "],\"more_sites\":%lu,\"more_count\":%lu,\"unkept\":%lu}",
		top && n > top ? (unsigned long)(n - top) : 0, rest,
		kind >= 0 ? r->strs[kind].unkept : 0);
	free(v);
	return 0;
}

static void json_list(const struct fs_report *r, FILE *f, const char *key, const char *item,
		      const char *count, const uint32_t *ids, uint32_t n, int programs,
		      unsigned long top)
{
	unsigned long more = 0;

	fprintf(f, ",\"%s\":[", key);
	for (uint32_t i = 0; i < n; i++) {
		unsigned long c = programs ? r->strs[ids[i]].as_program : r->strs[ids[i]].as_kind;
		if (top && i >= top) {
			more++;
			continue;
		}
		fprintf(f, "%s{\"%s\":", i ? "," : "", item);
		json_str(f, r, ids[i]);
		fprintf(f, ",\"%s\":%lu}", count, c);
	}
	fprintf(f, "],\"more_%s\":%lu", key, more);
}

int fs_report_print_json(const struct fs_report *r, FILE *f, unsigned files, unsigned long top)
{
	uint32_t nprogs, nkinds;
	uint32_t *progs = sorted_strs(r, 1, &nprogs), *kinds = sorted_strs(r, 0, &nkinds);
	struct section *sec = NULL;
	size_t nsec = 0;
	int status = -1;

	if (!progs || !kinds || !(sec = sections(r, kinds, nkinds, &nsec)))
		goto out;
	fprintf(f, "{\"logs\":%u,\"events\":%lu,\"processes\":%lu,\"processes_capped\":%s,"
		   "\"skipped\":{\"text\":%lu,\"not_json\":%lu,\"no_event\":%lu,\"too_long\":%lu}",
		files, r->events, (unsigned long)r->npids, r->pids_capped ? "true" : "false",
		r->text, r->not_json, r->no_event, r->too_long_lines);
	json_list(r, f, "programs", "program", "events", progs, nprogs, 1, top);
	json_list(r, f, "kinds", "event", "count", kinds, nkinds, 0, top);
	fputs(",\"sections\":[", f);
	status = 0;
	for (size_t i = 0; i < nsec && status == 0; i++) {
		if (i)
			fputc(',', f);
		status = json_section(r, f, sec[i].kind, sec[i].name, top);
	}
	fputs("]}\n", f);
out:
	free(progs);
	free(kinds);
	free(sec);
	return status;
}

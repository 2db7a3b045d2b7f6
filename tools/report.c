/* forksafe report: the reader (report.h); the summary is printed by
 * report_print.c.
 *
 * A log is untrusted and may hold anything: the reports of many
 * processes, a last line cut short, text-format reports, garbage, bytes
 * that are not UTF-8, lines of any length.  Each line is read on its
 * own: it is a report when it is exactly one JSON object with an "event"
 * string; any other line is counted, by reason, and skipped.
 *
 * Memory is bounded whatever the input: a line is kept only up to
 * FS_REPORT_LINE_MAX, a string value only up to VALUE_MAX bytes, nesting
 * only to FS_JSON_MAX_DEPTH (jsonline.c), and past a number of
 * distinct strings, groups or pids the rest are still counted but no
 * longer told apart.
 *
 * Strings are byte strings: forksafe writes every byte >= 0x80 as
 * \u00XX (sbuf.c), and jsonline.c decodes \u0000-\u00ff to that byte, so
 * the bytes of a file name come back as they were. */
#define _GNU_SOURCE
#include "jsonline.h"
#include "report_int.h"
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- what each kind of report is grouped by ---- */

static const struct rp_spec specs[] = {
	{ .kind = "mt-fork", .title = "forks in threaded processes", .site = "caller",
	  .site_one = "call site", .site_many = "call sites", .unit = "forks",
	  .num = "threads", .num_one = "threads", .num_many = "threads" },
	{ .kind = "exec-leak", .title = "leaked fds", .site = "created_at",
	  .site_one = "creation site", .site_many = "creation sites", .unit = "fds",
	  .num = "fd", .num_one = "fd", .num_many = "fds",
	  .by = "created_by", .by_label = "created by", .what = "what", .what_label = "what" },
	{ .kind = "child-deadlock", .site = "caller",
	  .site_one = "call site", .site_many = "call sites", .unit = "reports",
	  .by = "function", .by_label = "in" },
	{ .kind = "child-stall", .site = "fork_caller",
	  .site_one = "fork site", .site_many = "fork sites", .unit = "reports" },
	{ .kind = "atfork-slow", .site = "handler",
	  .site_one = "handler", .site_many = "handlers", .unit = "reports",
	  .by = "phase", .by_label = "phase" },
	{ .kind = "config", .site = "variable",
	  .site_one = "variable", .site_many = "variables", .unit = "reports",
	  .by = "value", .by_label = "value" },
};

/* Kinds this version does not know (a newer module's) are grouped by
 * the first of site_fields they have. */
static const struct rp_spec other_spec = {
	.site_one = "site", .site_many = "sites", .unit = "reports"
};
static const char *const site_fields[] = {
	"caller", "fork_caller", "site", "handler", "created_at", "exec_at", NULL
};

/* Names may hold any byte, NUL included: compared with their length. */
static int named(const char *s, size_t len, const char *name)
{
	return len == strlen(name) && memcmp(s, name, len) == 0;
}

const struct rp_spec *fs_rp_spec_of(const char *kind, size_t len)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
		if (named(kind, len, specs[i].kind))
			return &specs[i];
	return &other_spec;
}

/* The summary at exit repeats what the other reports said: no section. */
int fs_rp_grouped(const char *kind, size_t len)
{
	return !named(kind, len, "summary");
}

/* ---- interned strings ---- */

static uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
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
		const struct rp_str *e = &r->strs[r->str_slots[i] - 1];
		if (e->len == n && memcmp(e->s, s, n) == 0)
			return r->str_slots[i] - 1;
	}
	if (r->nstrs >= MAX_STRINGS || r->str_bytes + n > MAX_STRING_BYTES)
		return OVERFLOW_ID;
	if (r->nstrs == r->strs_cap) {
		uint32_t cap = r->strs_cap ? r->strs_cap * 2 : 256;
		struct rp_str *v = realloc(r->strs, cap * sizeof *v);
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
	r->strs[r->nstrs] = (struct rp_str){ .s = copy, .len = n };
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

/* The group of (kind, site); NULL when the table is full (unless
 * beyond is set) or memory ran out (r->oom set). */
static struct rp_group *group_of(struct fs_report *r, uint32_t kind, uint32_t site, int beyond)
{
	uint32_t i = group_hash(kind, site) & (r->group_nslots - 1);

	for (; r->group_slots[i]; i = (i + 1) & (r->group_nslots - 1)) {
		struct rp_group *g = &r->groups[r->group_slots[i] - 1];
		if (g->kind == kind && g->site == site)
			return g;
	}
	if (r->ngroups >= MAX_GROUPS && !beyond)
		return NULL;
	if (r->ngroups == r->groups_cap) {
		uint32_t cap = r->groups_cap ? r->groups_cap * 2 : 64;
		struct rp_group *v = realloc(r->groups, cap * sizeof *v);
		if (!v) {
			r->oom = 1;
			return NULL;
		}
		r->groups = v;
		r->groups_cap = cap;
	}
	struct rp_group *g = &r->groups[r->ngroups];
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

static void tally_add(struct rp_tally *t, uint32_t id)
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

static void nums_add(struct rp_nums *s, long long v)
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

/* A string member decoded into out (VALUE_MAX + 4 bytes); -1 when absent
 * or not a string. */
static long string_member(const struct fs_json_member *m, int nm, const char *key, char *out)
{
	const struct fs_json_member *e = key ? fs_json_get(m, nm, key) : NULL;
	if (!e || e->type != 's')
		return -1;
	return (long)fs_json_string(e, out, VALUE_MAX);
}

static int int_member(const struct fs_json_member *m, int nm, const char *key, long long *out)
{
	const struct fs_json_member *e = key ? fs_json_get(m, nm, key) : NULL;
	return e && fs_json_int(e, out);
}

/* Interns the decoded string of field key, or "(no KEY)". */
static long field_id(struct fs_report *r, const struct fs_json_member *m, int nm, const char *key,
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

static void count_in_group(struct fs_report *r, const struct fs_json_member *m, int nm, long kind,
			   long program)
{
	const struct rp_spec *sp = fs_rp_spec_of(r->strs[kind].s, r->strs[kind].len);
	const char *site_key = sp->site;
	long site, by = -1, what = -1;
	long long num;

	for (int k = 0; !site_key && site_fields[k]; k++)
		if (fs_json_get(m, nm, site_fields[k]))
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
	struct rp_group *g = group_of(r, (uint32_t)kind, (uint32_t)site, 0);
	/* Past the limit, a kind this version knows still counts its new sites
	 * together (one group more per known kind); any other kind's reports
	 * are only counted. */
	if (!g && !r->oom && sp->kind)
		g = group_of(r, (uint32_t)kind, OVERFLOW_ID, 1);
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
	struct fs_json_member m[FS_JSON_MAX_MEMBERS];
	long kind, program = -1, len;
	long long pid;
	int nm;

	if (blank(s, n))
		return;
	if (text_report(s, n)) {
		r->text++;
		return;
	}
	if ((nm = fs_json_object(s, n, m)) < 0) {
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
	if (fs_rp_grouped(r->strs[kind].s, r->strs[kind].len))
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
	if (strs_rehash(r, 512) < 0 || groups_rehash(r, 128) < 0 ||
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

/* Room for n more bytes of the line: the buffer grows as lines do, up
 * to FS_REPORT_LINE_MAX.  0, or -1 when the line is too long or memory
 * ran out (r->oom set). */
static int line_room(struct fs_report *r, size_t n)
{
	size_t cap = r->line_cap ? r->line_cap : 4096;
	char *p;

	if (n > FS_REPORT_LINE_MAX - r->len)
		return -1;
	if (r->len + n <= r->line_cap)
		return 0;
	while (cap < r->len + n)
		cap *= 2;
	if (cap > FS_REPORT_LINE_MAX)
		cap = FS_REPORT_LINE_MAX;
	if (!(p = realloc(r->line, cap))) {
		r->oom = 1;
		return -1;
	}
	r->line = p;
	r->line_cap = cap;
	return 0;
}

int fs_report_feed(struct fs_report *r, const char *data, size_t n)
{
	while (n > 0 && !r->oom) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (!r->too_long && line_room(r, take) < 0)
			r->too_long = 1;
		if (!r->too_long && take) {
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

/* forksafe report: the summary of what report.c read, as text for a
 * person or as one JSON object (report.h).  Every list is most frequent
 * first, ties in byte order, so the same logs always give the same
 * summary.  The text prints valid UTF-8 as it is and escapes every other
 * byte; the JSON writes strings the way forksafe's logs do. */
#define _GNU_SOURCE
#include "report_int.h"
#include <stdlib.h>
#include <string.h>

static int cmp_str(const struct rp_str *a, const struct rp_str *b)
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
	const struct rp_str *s = arg, *a = &s[*(const uint32_t *)x], *b = &s[*(const uint32_t *)y];
	int c = cmp_count(a->as_kind, b->as_kind);
	return c ? c : cmp_str(a, b);
}

static int by_program(const void *x, const void *y, void *arg)
{
	const struct rp_str *s = arg, *a = &s[*(const uint32_t *)x], *b = &s[*(const uint32_t *)y];
	int c = cmp_count(a->as_program, b->as_program);
	return c ? c : cmp_str(a, b);
}

/* Groups by kind, then most frequent first, then by site. */
static int by_group(const void *x, const void *y, void *arg)
{
	const struct fs_report *r = arg;
	const struct rp_group *a = &r->groups[*(const uint32_t *)x];
	const struct rp_group *b = &r->groups[*(const uint32_t *)y];
	int c = (a->kind > b->kind) - (a->kind < b->kind);
	if (!c)
		c = cmp_count(a->count, b->count);
	return c ? c : cmp_str(&r->strs[a->site], &r->strs[b->site]);
}

struct tally_order {
	const struct rp_str *strs;
	const struct rp_tally *t;
};

static int by_tally(const void *x, const void *y, void *arg)
{
	const struct tally_order *o = arg;
	unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
	int c = cmp_count(o->t->n[a], o->t->n[b]);
	return c ? c : cmp_str(&o->strs[o->t->id[a]], &o->strs[o->t->id[b]]);
}

static void tally_order(const struct fs_report *r, const struct rp_tally *t, unsigned *idx)
{
	struct tally_order o = { r->strs, t };
	for (unsigned i = 0; i < t->used; i++)
		idx[i] = i;
	qsort_r(idx, t->used, sizeof *idx, by_tally, &o);
}

struct section {
	long kind;		/* its string, or -1: no report of it was read */
	const struct rp_spec *spec;
};

/* Everything in the order it is printed, sorted once. */
struct order {
	uint32_t *progs, nprogs;	/* programs, most reports first */
	uint32_t *kinds, nkinds;	/* kinds, most reports first */
	uint32_t *groups;		/* every group, by kind, most frequent first */
	uint32_t *first, *count;	/* per string, as a kind: where its groups are */
	struct section *sec;		/* mt-fork, exec-leak, the others present */
	size_t nsec;
};

static int is(const struct rp_str *s, const char *name)
{
	return s->len == strlen(name) && memcmp(s->s, name, s->len) == 0;
}

static struct section section_of(const struct fs_report *r, const struct order *o,
				 const char *name)
{
	for (uint32_t i = 0; i < o->nkinds; i++)
		if (is(&r->strs[o->kinds[i]], name))
			return (struct section){ o->kinds[i], fs_rp_spec_of(name, strlen(name)) };
	return (struct section){ -1, fs_rp_spec_of(name, strlen(name)) };
}

static void order_free(struct order *o)
{
	free(o->progs);
	free(o->kinds);
	free(o->groups);
	free(o->first);
	free(o->count);
	free(o->sec);
}

/* Returns 0, or -1 when memory ran out. */
static int order_make(const struct fs_report *r, struct order *o)
{
	memset(o, 0, sizeof *o);
	o->progs = malloc((r->nstrs + 1) * sizeof *o->progs);
	o->kinds = malloc((r->nstrs + 1) * sizeof *o->kinds);
	o->groups = malloc((r->ngroups + 1) * sizeof *o->groups);
	o->first = calloc(r->nstrs + 1, sizeof *o->first);
	o->count = calloc(r->nstrs + 1, sizeof *o->count);
	o->sec = malloc((r->nstrs + 2) * sizeof *o->sec);
	if (!o->progs || !o->kinds || !o->groups || !o->first || !o->count || !o->sec) {
		order_free(o);
		return -1;
	}
	for (uint32_t i = 0; i < r->nstrs; i++) {
		if (r->strs[i].as_program)
			o->progs[o->nprogs++] = i;
		if (r->strs[i].as_kind)
			o->kinds[o->nkinds++] = i;
	}
	qsort_r(o->progs, o->nprogs, sizeof *o->progs, by_program, r->strs);
	qsort_r(o->kinds, o->nkinds, sizeof *o->kinds, by_kind, r->strs);
	for (uint32_t g = 0; g < r->ngroups; g++)
		o->groups[g] = g;
	qsort_r(o->groups, r->ngroups, sizeof *o->groups, by_group, (void *)r);
	for (uint32_t i = 0; i < r->ngroups; i++) {
		uint32_t k = r->groups[o->groups[i]].kind;
		if (!o->count[k]++)
			o->first[k] = i;
	}
	o->sec[o->nsec++] = section_of(r, o, "mt-fork");
	o->sec[o->nsec++] = section_of(r, o, "exec-leak");
	for (uint32_t i = 0; i < o->nkinds; i++) {
		const struct rp_str *k = &r->strs[o->kinds[i]];
		if (fs_rp_grouped(k->s, k->len) && !is(k, "mt-fork") && !is(k, "exec-leak"))
			o->sec[o->nsec++] = (struct section){ o->kinds[i],
							      fs_rp_spec_of(k->s, k->len) };
	}
	return 0;
}

/* The sections shown: mt-fork and exec-leak, then as many others as top
 * allows (a log of garbage may hold any number of kinds). */
static size_t sections_shown(const struct order *o, unsigned long top)
{
	return top && o->nsec > 2 + top ? 2 + top : o->nsec;
}

static unsigned long events_of(const struct fs_report *r, const struct section *s, size_t n)
{
	unsigned long events = 0;
	for (size_t i = 0; i < n; i++)
		events += r->strs[s[i].kind].as_kind;
	return events;
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
static void text_tally(const struct fs_report *r, FILE *f, const struct rp_tally *t, int counts,
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

static void text_nums(FILE *f, const struct rp_nums *s)
{
	if (s->more) {
		fprintf(f, "%lld-%lld", s->min, s->max);
		return;
	}
	for (unsigned i = 0; i < s->used; i++)
		fprintf(f, i ? ", %lld" : "%lld", s->v[i]);
}

static void text_group(const struct fs_report *r, FILE *f, const struct rp_spec *sp,
		       const struct rp_group *g)
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

static void text_section(const struct fs_report *r, FILE *f, const struct order *o,
			 const struct section *sec, unsigned long top)
{
	const struct rp_spec *sp = sec->spec;
	const uint32_t *v = sec->kind >= 0 ? o->groups + o->first[sec->kind] : NULL;
	uint32_t n = sec->kind >= 0 ? o->count[sec->kind] : 0;
	unsigned long unkept = sec->kind >= 0 ? r->strs[sec->kind].unkept : 0, rest = 0;
	uint32_t over = 0;

	fputc('\n', f);
	if (sp->title)
		fputs(sp->title, f);
	else
		put_str(f, r, (uint32_t)sec->kind);	/* a name from the log */
	if (sec->kind < 0) {
		fputs(": none\n", f);
		return;
	}
	/* Sites past the limits are in no group, or in the group of the
	 * overflow string: the count of sites is then a lower bound. */
	for (uint32_t i = 0; i < n; i++)
		if (r->groups[v[i]].site == OVERFLOW_ID)
			over = 1;
	if ((unkept || over) && n == (uint32_t)over)
		fprintf(f, ": %lu at more %s than forksafe report keeps\n",
			r->strs[sec->kind].as_kind, sp->site_many);
	else
		fprintf(f, ": %lu at %s%lu %s\n", r->strs[sec->kind].as_kind,
			unkept || over ? "more than " : "", (unsigned long)(n - over),
			plural(n - over, sp->site_one, sp->site_many));
	for (uint32_t i = 0; i < n; i++) {
		if (top && i >= top)
			rest += r->groups[v[i]].count;
		else
			text_group(r, f, sp, &r->groups[v[i]]);
	}
	if (top && n > top)
		fprintf(f, INDENT "and %lu more %s (%lu %s)\n", (unsigned long)(n - top),
			plural(n - top, sp->site_one, sp->site_many), rest, sp->unit);
	if (unkept && n)
		fprintf(f, INDENT "and more %s than forksafe report keeps (%lu %s)\n",
			sp->site_many, unkept, sp->unit);
}

int fs_report_print_text(const struct fs_report *r, FILE *f, unsigned files, unsigned long top)
{
	struct order o;
	size_t shown;

	if (order_make(r, &o) < 0)
		return -1;
	text_header(r, f, files, o.progs, o.nprogs, top);
	text_kinds(r, f, o.kinds, o.nkinds, top);
	shown = sections_shown(&o, top);
	for (size_t i = 0; i < shown; i++)
		text_section(r, f, &o, &o.sec[i], top);
	if (shown < o.nsec)
		fprintf(f, "\nand %lu more kinds of report (%lu events)\n",
			(unsigned long)(o.nsec - shown), events_of(r, o.sec + shown, o.nsec - shown));
	order_free(&o);
	return 0;
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
		       const struct rp_tally *t, const char *item)
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

static void json_group(const struct fs_report *r, FILE *f, const struct rp_spec *sp,
		       const struct rp_group *g)
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

static void json_section(const struct fs_report *r, FILE *f, const struct order *o,
			 const struct section *sec, unsigned long top)
{
	const struct rp_spec *sp = sec->spec;
	const uint32_t *v = sec->kind >= 0 ? o->groups + o->first[sec->kind] : NULL;
	uint32_t n = sec->kind >= 0 ? o->count[sec->kind] : 0;
	unsigned long rest = 0;

	fputs("{\"event\":", f);
	if (sec->kind >= 0)
		json_str(f, r, (uint32_t)sec->kind);
	else
		put_json(f, sp->kind, strlen(sp->kind));
	if (sp->site)
		fprintf(f, ",\"by\":\"%s\"", sp->site);
	fprintf(f, ",\"count\":%lu,\"sites\":%lu,\"groups\":[",
		sec->kind >= 0 ? r->strs[sec->kind].as_kind : 0, (unsigned long)n);
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
		sec->kind >= 0 ? r->strs[sec->kind].unkept : 0);
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
	struct order o;
	size_t shown;

	if (order_make(r, &o) < 0)
		return -1;
	fprintf(f, "{\"logs\":%u,\"events\":%lu,\"processes\":%lu,\"processes_capped\":%s,"
		   "\"skipped\":{\"text\":%lu,\"not_json\":%lu,\"no_event\":%lu,\"too_long\":%lu}",
		files, r->events, (unsigned long)r->npids, r->pids_capped ? "true" : "false",
		r->text, r->not_json, r->no_event, r->too_long_lines);
	json_list(r, f, "programs", "program", "events", o.progs, o.nprogs, 1, top);
	json_list(r, f, "kinds", "event", "count", o.kinds, o.nkinds, 0, top);
	fputs(",\"sections\":[", f);
	shown = sections_shown(&o, top);
	for (size_t i = 0; i < shown; i++) {
		if (i)
			fputc(',', f);
		json_section(r, f, &o, &o.sec[i], top);
	}
	fprintf(f, "],\"more_sections\":%lu}\n", (unsigned long)(o.nsec - shown));
	order_free(&o);
	return 0;
}

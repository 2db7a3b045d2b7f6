/* forksafe report: what the reader (report.c) keeps and the printer
 * (report_print.c) shows.  Internal to the command. */
#ifndef FS_REPORT_INT_H
#define FS_REPORT_INT_H

#include "report.h"
#include <stdint.h>

#define VALUE_MAX 1024			/* bytes kept of a string value */
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

struct rp_spec {
	const char *kind;
	const char *title;		/* section heading; NULL: the kind */
	const char *site;		/* the field a group is made of */
	const char *site_one, *site_many;
	const char *unit;		/* what one event is */
	const char *num, *num_one, *num_many;	/* a number field, shown as a set */
	const char *by, *by_label;	/* a string field, shown by frequency */
	const char *what, *what_label;	/* another */
};

/* The kind's spec; kinds this version does not know get a generic one. */
const struct rp_spec *fs_rp_spec_of(const char *kind, size_t len);
/* Whether reports of kind are grouped into a section. */
int fs_rp_grouped(const char *kind, size_t len);

/* ---- state ---- */

struct rp_str {
	char *s;			/* NUL-terminated copy */
	size_t len;
	unsigned long as_kind;		/* reports of this kind */
	unsigned long as_program;	/* reports this program wrote */
	unsigned long unkept;		/* reports of this kind in no group */
};

struct rp_tally {
	uint32_t id[TALLY];
	unsigned long n[TALLY];
	unsigned used;
	unsigned long rest;		/* values beyond the kept ones */
};

struct rp_nums {
	long long v[NUMS];		/* ascending */
	unsigned used;
	int more;
	long long min, max;
};

struct rp_group {
	uint32_t kind, site;
	unsigned long count;
	struct rp_tally programs, by, what;
	struct rp_nums nums;
};

struct fs_report {
	/* the line being read */
	char *line;
	size_t len, line_cap;
	int too_long, oom;

	struct rp_str *strs;
	uint32_t nstrs, strs_cap;
	uint32_t *str_slots;		/* index + 1; 0 is empty */
	uint32_t str_nslots;
	size_t str_bytes;

	struct rp_group *groups;
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

#endif

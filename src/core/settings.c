/* forksafe: the FORKSAFE_* settings, read through a lookup function.
 * Pure: no libc state, no allocation (core/settings.h). */
#include "core/settings.h"
#include <string.h>

struct reader {
	struct fs_config *c;
	fs_config_get get;
	void *ctx;
	struct fs_config_error *errs;
	int nerrs, bad;
};

static void invalid(struct reader *r, const char *var, const char *value, const char *accepted,
		    const char *fallback)
{
	struct fs_sbuf b;

	if (r->bad < r->nerrs) {
		struct fs_config_error *e = &r->errs[r->bad];
		e->var = var;
		e->accepted = accepted;
		e->fallback = fallback;
		e->ignored = 0;
		fs_sb_init(&b, e->value, sizeof e->value);
		fs_sb_quoted(&b, value, 64);
		fs_sb_cstr(&b);
	}
	r->bad++;
}

/* A valid value not taken in a secure-execution process. */
static void ignored(struct reader *r, const char *var, const char *accepted,
		    const char *fallback)
{
	const char *v = r->get(var, r->ctx);
	int at = r->bad;

	invalid(r, var, v ? v : "", accepted, fallback);
	if (at < r->nerrs)
		r->errs[at].ignored = 1;
}

/* Secure execution: what the caller's environment may not change
 * (settings.h says which and why). */
static void secure_limits(struct reader *r, struct fs_config *c)
{
	const char *v;

	if (c->cloexec != FS_CLOEXEC_FORCE) {
		ignored(r, "FORKSAFE_CLOEXEC", "force", "force");
		c->cloexec = FS_CLOEXEC_FORCE;
	}
	if (c->keep.n) {
		ignored(r, "FORKSAFE_KEEP_FDS", "an empty list", "an empty list");
		c->keep.n = 0;
	}
	if (c->fork_mode != FS_FORK_ALLOW && c->fork_mode != FS_FORK_WARN) {
		ignored(r, "FORKSAFE_FORK", "allow, warn", c->diag ? "warn" : "allow");
		c->fork_mode = c->diag ? FS_FORK_WARN : FS_FORK_ALLOW;
	}
	/* Diagnostic mode's default (abort) is not taken either. */
	if (c->child_locks != FS_LOCKS_WAIT && (v = r->get("FORKSAFE_CHILD_LOCKS", r->ctx)) &&
	    strcmp(v, "wait") != 0)
		ignored(r, "FORKSAFE_CHILD_LOCKS", "wait", "wait");
	c->child_locks = FS_LOCKS_WAIT;
	if (c->log_kind == FS_LOGDEST_FILE) {
		ignored(r, "FORKSAFE_LOG", "stderr, syslog", "stderr");
		c->log_kind = FS_LOGDEST_STDERR;
		c->log_path[0] = '\0';
	}
}

static void read_seconds(struct reader *r, const char *var, unsigned max, unsigned *out,
			 unsigned def, const char *accepted, const char *fallback)
{
	const char *v = r->get(var, r->ctx);

	*out = def;
	if (v && fs_parse_seconds(v, max, out) < 0) {
		*out = def;
		invalid(r, var, v, accepted, fallback);
	}
}

int fs_config_read(struct fs_config *c, fs_config_get get, void *ctx,
		   struct fs_config_error *errs, int nerrs)
{
	struct reader r = { c, get, ctx, errs, nerrs, 0 };
	const char *v;

	c->cloexec = FS_CLOEXEC_FORCE;
	if ((v = get("FORKSAFE_CLOEXEC", ctx)) && fs_parse_cloexec(v, &c->cloexec) < 0) {
		c->cloexec = FS_CLOEXEC_FORCE;
		invalid(&r, "FORKSAFE_CLOEXEC", v, "force, audit, off", "force");
	}
	c->keep.n = 0;
	if ((v = get("FORKSAFE_KEEP_FDS", ctx)) && fs_keep_parse(v, &c->keep) < 0)
		invalid(&r, "FORKSAFE_KEEP_FDS", v,
			"fd numbers and ranges such as 3,5-7, at most 32 items", "an empty list");
	c->diag = 0;
	if ((v = get("FORKSAFE_DIAG", ctx)) && fs_parse_bool01(v, &c->diag) < 0) {
		c->diag = 0;
		invalid(&r, "FORKSAFE_DIAG", v, "0, 1", "0");
	}
	/* Diagnostic mode changes two defaults: forks in threaded code are
	 * reported, and a child waiting on an orphaned lock is stopped. */
	c->fork_mode = c->diag ? FS_FORK_WARN : FS_FORK_ALLOW;
	if ((v = get("FORKSAFE_FORK", ctx)) && fs_parse_fork_mode(v, &c->fork_mode) < 0) {
		c->fork_mode = c->diag ? FS_FORK_WARN : FS_FORK_ALLOW;
		invalid(&r, "FORKSAFE_FORK", v, "allow, warn, abort, spawn, auto",
			c->diag ? "warn" : "allow");
	}
	c->child_locks = c->diag ? FS_LOCKS_ABORT : FS_LOCKS_WAIT;
	if ((v = get("FORKSAFE_CHILD_LOCKS", ctx)) &&
	    fs_parse_child_locks(v, &c->child_locks) < 0) {
		c->child_locks = c->diag ? FS_LOCKS_ABORT : FS_LOCKS_WAIT;
		invalid(&r, "FORKSAFE_CHILD_LOCKS", v, "wait, abort, break",
			c->diag ? "abort" : "wait");
	}
	read_seconds(&r, "FORKSAFE_ATFORK_TIMEOUT", 86400, &c->atfork_timeout, 5,
		     "whole seconds from 0 (off) to 86400", "5");
	read_seconds(&r, "FORKSAFE_CHILD_TIMEOUT", 86400, &c->child_timeout, 0,
		     "whole seconds from 0 (off) to 86400", "0 (off)");
	c->auto_after = 3;
	if ((v = get("FORKSAFE_AUTO_AFTER", ctx)) &&
	    (fs_parse_seconds(v, 1000, &c->auto_after) < 0 || c->auto_after == 0)) {
		c->auto_after = 3;
		invalid(&r, "FORKSAFE_AUTO_AFTER", v, "a whole number from 1 to 1000", "3");
	}
	read_seconds(&r, "FORKSAFE_SPAWN_AFTER", 1000, &c->spawn_after, 1,
		     "a whole number from 0 (trust every site) to 1000", "1");
	c->log_format = FS_LOG_TEXT;
	if ((v = get("FORKSAFE_LOG_FORMAT", ctx)) && fs_parse_log_format(v, &c->log_format) < 0) {
		c->log_format = FS_LOG_TEXT;
		invalid(&r, "FORKSAFE_LOG_FORMAT", v, "text, json", "text");
	}
	c->log_kind = FS_LOGDEST_STDERR;
	c->log_path[0] = '\0';
	v = get("FORKSAFE_LOG", ctx);
	if (v && fs_parse_log_dest(v, &c->log_kind, c->log_path, sizeof c->log_path) < 0) {
		c->log_kind = FS_LOGDEST_STDERR;
		c->log_path[0] = '\0';
		invalid(&r, "FORKSAFE_LOG", v, "stderr, syslog, an absolute file path", "stderr");
	}
	if (c->secure)
		secure_limits(&r, c);
	return r.bad;
}

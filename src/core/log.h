/* forksafe: messages and the diagnostic log (log.c).
 *
 * Every report is one line built on the stack and written with one
 * system call: async-signal-safe, no allocation, errno kept. */
#ifndef FS_CORE_LOG_H
#define FS_CORE_LOG_H

#include "core/core.h"

/* Writes "forksafe[PID]: what: text" to standard error: the private copy
 * of fd 2 as it was at start-up, never a later fd 2.  Async-signal-safe. */
void fs_msg(const char *what, const char *text) FS_HIDDEN;

/* One report line.  Build it on the stack with fs_ev_*, then fs_ev_end
 * writes it.  Async-signal-safe; errno is kept from begin to end. */
struct fs_event {
	struct fs_sbuf b;
	int json, nfields, in_list, list_dropped, to_stderr, saved_errno;
	/* On standard error each event is shown once per call site (the
	 * first code address a report names, diag/diag.c): a repeat is
	 * counted (held_back) and not written. */
	int keyed, held_back;
	const char *name;
	size_t good_len;
	char mem[4096];
};
void fs_ev_begin(struct fs_event *ev, const char *name) FS_HIDDEN;
/* The same, for a line that goes to standard error whatever FORKSAFE_LOG
 * says (configuration messages). */
void fs_ev_begin_stderr(struct fs_event *ev, const char *name) FS_HIDDEN;
/* Writes the configuration messages init collected. */
void fs_config_flush(void) FS_HIDDEN;
void fs_ev_str(struct fs_event *ev, const char *key, const char *v) FS_HIDDEN;
void fs_ev_int(struct fs_event *ev, const char *key, long long v) FS_HIDDEN;
void fs_ev_list_begin(struct fs_event *ev, const char *key) FS_HIDDEN;
void fs_ev_list_item(struct fs_event *ev, const char *v) FS_HIDDEN;
void fs_ev_list_end(struct fs_event *ev) FS_HIDDEN;
void fs_ev_end(struct fs_event *ev) FS_HIDDEN;
/* Diagnostic mode starts.  The log is opened, and the copy of standard
 * error made, only when the first line is written: a program that gets
 * no report sees no fd of forksafe's. */
void fs_log_start(void) FS_HIDDEN;
/* Nonzero when standard error (the start-up fd 2) is a terminal. */
int fs_log_stderr_is_terminal(void) FS_HIDDEN;
/* Nonzero when fd is forksafe's own log fd. */
int fs_log_private_fd(int fd) FS_HIDDEN;
/* Start-up: whether fd 2 is open, and which file it is (fs_init). */
void fs_log_init(void) FS_HIDDEN;
/* Nonzero when reports go to standard error (no log, or it was refused). */
int fs_log_to_stderr(void) FS_HIDDEN;

#endif

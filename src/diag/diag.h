/* forksafe: diagnostics (src/diag): what diagnostic mode reports about
 * forks and execs, and naming code addresses in reports.
 *
 * Everything here may run in a child between fork and exec or in a
 * vfork child: no malloc, no stdio, no lock of forksafe's. */
#ifndef FS_DIAG_DIAG_H
#define FS_DIAG_DIAG_H

#include "core/core.h"
#include "core/log.h"

/* Threads in the process now, or -1 when /proc cannot tell. */
int fs_thread_count(void) FS_HIDDEN;
/* Adds "caller" (symbol+offset (object)) and "backtrace" fields for the
 * code that called the wrapper at site.  The first site an event names
 * keys it: on standard error an event is shown once per call site in
 * the process and the children it forks, repeats are counted for the
 * summary (fs_ev_end drops them). */
void fs_ev_caller(struct fs_event *ev, const char *key, uintptr_t site) FS_HIDDEN;
void fs_ev_backtrace(struct fs_event *ev, uintptr_t site) FS_HIDDEN;
void fs_ev_backtrace_from(struct fs_event *ev, uintptr_t site, int exact_first) FS_HIDDEN;
/* Like fs_ev_caller for an exact code address (a function, an
 * interrupted instruction). */
void fs_ev_code(struct fs_event *ev, const char *key, uintptr_t pc) FS_HIDDEN;
/* The exec-time audit: reports each fd the new program would inherit by
 * accident.  via: the wrapper ("execve", "posix_spawn"...). */
struct fs_newprog;
void fs_audit_exec(const char *via, const char *path, const struct fs_newprog *np,
		   uintptr_t site) FS_HIDDEN;
/* Starts diagnostics (init.c, once): the log, the summary counts in
 * memory shared with children, the unwinder. */
void fs_diag_start(void) FS_HIDDEN;
/* From the constructor: reports may carry backtraces from now on. */
void fs_diag_ready(void) FS_HIDDEN;
enum fs_stat_id {
	FS_ST_MT_FORK, FS_ST_EXEC_LEAK, FS_ST_FORK_ABORT, FS_ST_INHERITED,
	FS_ST_SHOWN,	/* event and call site shown on stderr; count: repeats not shown */
	FS_ST_COUNT
};
void fs_stat_event(enum fs_stat_id id, uintptr_t site) FS_HIDDEN;
int fs_stat_first(enum fs_stat_id id, uintptr_t key) FS_HIDDEN;

/* ---- naming code addresses (symbolize.c) ---- */
/* For a return address (a caller, a backtrace frame).
 * Appends "func+0x1c (libfoo.so.1)" for pc, or "libfoo.so.1+0x1234" when
 * no symbol covers it, or "0x7f..." when pc is in no loaded object.
 * Returns 1 if a symbol was found, 0 otherwise. */
int fs_symbolize(uintptr_t pc, struct fs_sbuf *out) FS_HIDDEN;
/* The same for the address of an instruction or a function's start (an
 * atfork handler, an interrupted instruction). */
int fs_symbolize_code(uintptr_t pc, struct fs_sbuf *out) FS_HIDDEN;

#endif

/* forksafe: where may this fd go (inherit.c).
 *
 * Every rule of DESIGN §2 that decides whether an fd reaches a new
 * program lives here: fdtable.c asks it when an fd is made, exec, the
 * spawns and popen/system ask it which forced fds the new program is to
 * get, and the diagnostic audit asks it why an inheritable fd is there on
 * purpose.  Async-signal-safe: it runs in children between fork and exec
 * and in vfork children. */
#ifndef FS_CORE_INHERIT_H
#define FS_CORE_INHERIT_H

#include "core/core.h"

/* A new fd must not stay forced (rules 1 and 7): fds 0-2, and the fds
 * of FORKSAFE_KEEP_FDS. */
int fs_inherit_exempt(int fd) FS_HIDDEN;

/* A pipe or socket pair was made with close-on-exec forced (rule 8):
 * the two ends know each other, and the thread that made them remembers
 * them until its next exec or spawn. */
void fs_inherit_note_pair(const int fds[2]) FS_HIDDEN;

/* What an exec or spawn tells the new program. */
struct fs_newprog {
	char *const *argv;
	char *const *envp;
	const int *extra;	/* fds the call itself names (fexecve's, execveat's) */
	int nextra;
};

/* Calls fn(fd, ctx) for each forced fd the new program is to get (an
 * fd may come more than once): those it is told about (rule 6), the
 * listening sockets its environment lists, and, when it is told about both
 * ends of one of the pipes the calling thread made since its last exec or
 * spawn, all of those (rule 8).  Only fds forksafe forced and that are still so are
 * given.  errno kept. */
typedef void (*fs_inherit_fn)(int fd, void *ctx);
void fs_inherit_handover(const struct fs_newprog *np, fs_inherit_fn fn, void *ctx) FS_HIDDEN;

/* The calling thread's exec or spawn is done: the pipes it had made went
 * to that program (rule 8 starts again). */
void fs_inherit_handed_over(void) FS_HIDDEN;

/* Why fd, inheritable at this exec, reaches the new program on purpose:
 * a short reason for reports, or NULL when it does by accident (the
 * diagnostic audit). */
const char *fs_inherit_reason(int fd, const struct fs_newprog *np) FS_HIDDEN;

/* Why fd, close-on-exec at this exec because forksafe forced it, may be
 * one the new program expects: a short reason, or NULL.  For reports
 * only (exec-withheld): forksafe does not act on it. */
const char *fs_inherit_withheld(int fd, const struct fs_newprog *np, char *why, size_t n) FS_HIDDEN;

#endif

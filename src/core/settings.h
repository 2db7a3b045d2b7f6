/* forksafe: the FORKSAFE_* settings (settings.c).
 *
 * Pure: the module reads them from its environment at start-up
 * (init.c), the launcher checks its options with the same code. */
#ifndef FS_CORE_SETTINGS_H
#define FS_CORE_SETTINGS_H

#include <stddef.h>
#include "core/parse.h"

struct fs_config {
	enum fs_cloexec_mode cloexec;
	struct fs_keep keep;
	int shell;	/* the program is a shell: never forced (init.c) */
	int diag;	/* FORKSAFE_DIAG */
	int secure;	/* AT_SECURE: no file paths from the environment */
	enum fs_fork_mode fork_mode;
	enum fs_child_locks child_locks;	/* FORKSAFE_CHILD_LOCKS */
	unsigned child_timeout;		/* FORKSAFE_CHILD_TIMEOUT, seconds, 0: off */
	unsigned atfork_timeout;	/* FORKSAFE_ATFORK_TIMEOUT, seconds, 0: off */
	unsigned auto_after;		/* FORKSAFE_AUTO_AFTER: children before auto redirects */
	unsigned spawn_after;		/* FORKSAFE_SPAWN_AFTER: the same for spawn, 0: at once */
	enum fs_log_format log_format;
	enum fs_log_kind log_kind;
	char log_path[4096];
};

/* An invalid setting: its variable, the value (quoted for a message),
 * what is accepted and what is used instead. */
struct fs_config_error {
	const char *var, *accepted, *fallback;
	int ignored;	/* valid, but not taken in a secure-execution process:
			 * accepted then says what is taken there */
	char value[72];
};

/* Looks a variable up: its value, or NULL when it is not set. */
typedef const char *(*fs_config_get)(const char *name, void *ctx);

/* Reads every setting through get into c (c->secure must be set).  Each
 * invalid value gets its default and is described in errs (the first
 * nerrs of them).  Returns how many values were invalid or ignored.
 *
 * Secure execution (c->secure: AT_SECURE, a set-user-ID or set-group-ID
 * program, which loads the module only from /etc/ld.so.preload): the
 * environment is its caller's, so only settings that cannot make the
 * program behave worse are taken.  Taken: FORKSAFE_DIAG,
 * FORKSAFE_LOG=stderr|syslog, FORKSAFE_LOG_FORMAT, FORKSAFE_FORK=allow|warn,
 * FORKSAFE_CHILD_LOCKS=wait, FORKSAFE_CLOEXEC=force, FORKSAFE_CHILD_TIMEOUT
 * and FORKSAFE_ATFORK_TIMEOUT (they only report).  Ignored, each said
 * (errs[].ignored): FORKSAFE_LOG naming a file (stderr instead),
 * FORKSAFE_FORK=abort|spawn|auto (allow, warn in diagnostic mode),
 * FORKSAFE_CHILD_LOCKS=abort|break (wait, also in diagnostic mode),
 * FORKSAFE_CLOEXEC=audit|off (force), FORKSAFE_KEEP_FDS (empty).
 * FORKSAFE_AUTO_AFTER and FORKSAFE_SPAWN_AFTER have no effect there
 * (spawn and auto are never on).
 * FORKSAFE_ONLY and FORKSAFE_SKIP are ignored by init.c. */
int fs_config_read(struct fs_config *c, fs_config_get get, void *ctx,
		   struct fs_config_error *errs, int nerrs);


#endif

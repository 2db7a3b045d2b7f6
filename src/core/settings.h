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
	enum fs_log_format log_format;
	enum fs_log_kind log_kind;
	char log_path[4096];
};

/* An invalid setting: its variable, the value (quoted for a message),
 * what is accepted and what is used instead. */
struct fs_config_error {
	const char *var, *accepted, *fallback;
	char value[72];
};

/* Looks a variable up: its value, or NULL when it is not set. */
typedef const char *(*fs_config_get)(const char *name, void *ctx);

/* Reads every setting through get into c (c->secure must be set: under
 * AT_SECURE, no file path is taken).  Each invalid value gets its
 * default and is described in errs (the first nerrs of them).  Returns
 * how many values were invalid. */
int fs_config_read(struct fs_config *c, fs_config_get get, void *ctx,
		   struct fs_config_error *errs, int nerrs);

#endif

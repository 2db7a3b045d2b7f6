/* forksafe: start-up.  fs_init reads the settings once (settings.c) and
 * makes the fd table; the constructor makes sure it has run before main.
 *
 * fs_init may run from any wrapper: before the constructor (another
 * library's constructor opening a file), inside an allocator's own
 * initialisation (jemalloc opens files with its lock held), in several
 * threads at once.  So it allocates nothing, loads no library and takes
 * no lock; one thread does the work, and a call that arrives while it is
 * under way, from another thread or from inside it, does not wait: it
 * goes through to libc unforced, as if forksafe were not there yet. */
#include "config.h"
#include "core/settings.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/log.h"
#include "diag/diag.h"
#include <errno.h>
#include <fnmatch.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <stdlib.h>
#include <string.h>

struct fs_config fs_cfg;
/* The state every wrapper reads, and a fork child writes, kept on one
 * cache line so a child after fork takes one copy-on-write fault for it. */
#define FS_HOT __attribute__((section(".data.fs_hot")))
FS_HOT __attribute__((aligned(64))) volatile int fs_ready;
FS_HOT volatile int fs_forcing;
FS_HOT volatile int fs_child_mode;
FS_HOT unsigned fs_fast_limit = 3;
FS_HOT volatile int fs_forked_child;
__thread int fs_spawn_child;
int fs_spawns_active;

/* Invalid settings, kept until the log format is known, then written
 * once each (fs_config_flush), on standard error, in that format. */
#define MAX_CONFIG_ERRORS 16
static struct fs_config_error config_errors[MAX_CONFIG_ERRORS];
static int nconfig_errors;

void fs_config_flush(void)
{
	static int flushed;
	int n = nconfig_errors;

	if (__atomic_exchange_n(&flushed, 1, __ATOMIC_RELAXED))
		return;
	for (int i = 0; i < n && i < MAX_CONFIG_ERRORS; i++) {
		struct fs_event ev;
		if (fs_cfg.log_format == FS_LOG_TEXT) {
			/* FORKSAFE_X='v' is not valid (accepted: a, b); using a */
			char mem[512];
			struct fs_sbuf b;
			fs_sb_init(&b, mem, sizeof mem);
			fs_sb_str(&b, config_errors[i].var);
			fs_sb_char(&b, '=');
			fs_sb_str(&b, config_errors[i].value);
			fs_sb_str(&b, config_errors[i].ignored
					      ? " is ignored in a set-user-ID or set-group-ID process "
						"(taken there: "
					      : " is not valid (accepted: ");
			fs_sb_str(&b, config_errors[i].accepted);
			fs_sb_str(&b, "); using ");
			fs_sb_str(&b, config_errors[i].fallback);
			fs_msg("config", fs_sb_cstr(&b));
			continue;
		}
		fs_ev_begin_stderr(&ev, "config");
		fs_ev_str(&ev, "variable", config_errors[i].var);
		fs_ev_str(&ev, "value", config_errors[i].value);
		fs_ev_str(&ev, "accepted", config_errors[i].accepted);
		fs_ev_str(&ev, "using", config_errors[i].fallback);
		if (config_errors[i].ignored)
			fs_ev_str(&ev, "ignored", "secure-execution");
		fs_ev_end(&ev);
	}
}

/* getenv for forksafe's own variables, at start-up: every name begins
 * with "FORKSAFE_", so most entries are passed over on their first two
 * bytes (the module's getenv, not yet bound to libc's, would compare
 * each entry whole: a tenth of a preloaded /bin/true's instructions). */
static const char *cfg_env(const char *name, void *ctx)
{
	size_t len = strlen(name);

	for (char **e = environ; e && *e; e++)
		if ((*e)[0] == 'F' && (*e)[1] == 'O' && !strncmp(*e, name, len) && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* One glob of a comma-separated list matches the program's name or path. */
static int list_matches(const char *list, const char *name, const char *path)
{
	char glob[256];
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		if (n > 0 && n < sizeof glob) {
			memcpy(glob, p, n);
			glob[n] = '\0';
			if (fnmatch(glob, name, 0) == 0 || (path && fnmatch(glob, path, 0) == 0))
				return 1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* FORKSAFE_ONLY and FORKSAFE_SKIP: globs on the program's name or path.
 * A program out of scope keeps the module loaded but passes everything
 * through: nothing forced, checked or reported. */
static int in_scope(void)
{
	const char *only = cfg_env("FORKSAFE_ONLY", NULL), *skip = cfg_env("FORKSAFE_SKIP", NULL);
	const char *name = program_invocation_short_name;
	char path[512];
	ssize_t n;

	if ((!only || !*only) && (!skip || !*skip))
		return 1;
	if (*name == '-')
		name++;
	n = readlink("/proc/self/exe", path, sizeof path - 1);
	path[n > 0 ? n : 0] = '\0';
	if (only && *only && !list_matches(only, name, n > 0 ? path : NULL))
		return 0;
	return !(skip && *skip && list_matches(skip, name, n > 0 ? path : NULL));
}

/* FORKSAFE_ONLY or FORKSAFE_SKIP set in a secure-execution process:
 * ignored, and said (with the other settings, fs_config_flush). */
static void secure_scope(const char *var)
{
	const char *v = cfg_env(var, NULL);
	struct fs_config_error *e;
	struct fs_sbuf b;

	if (!v || !*v || nconfig_errors >= MAX_CONFIG_ERRORS)
		return;
	e = &config_errors[nconfig_errors++];
	e->var = var;
	e->accepted = "nothing";
	e->fallback = "every program";
	e->ignored = 1;
	fs_sb_init(&b, e->value, sizeof e->value);
	fs_sb_quoted(&b, v, 64);
	fs_sb_cstr(&b);
}

/* Shells are never forced.  Every numbered redirection in a shell
 * (exec 3<file) hands an fd to the commands it runs on purpose, often by
 * a convention no argument shows (a child that reads fd 3); a shell is
 * single-threaded, so there is no race to close, and it marks its own
 * fds close-on-exec.  The programs a shell runs load forksafe themselves
 * and are forced as usual.
 *
 * Lock runners are treated alike: flock FILE COMMAND (util-linux),
 * lckdo (moreutils), setlock (daemontools), s6-setlock and chpst -l
 * (runit) open and lock a file, then run COMMAND holding that fd, which
 * no argument names; whatever COMMAND leaves running in the background
 * must keep holding the lock, as their manuals say. */
static int is_shell(const char *name)
{
	static const char *const shells[] = {
		"sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "ash",
		"yash", "posh", "busybox", "rbash", "lksh", "oksh",
		"flock", "lckdo", "setlock", "s6-setlock", "chpst",
	};
	if (!name)
		return 0;
	if (*name == '-')	/* a login shell */
		name++;
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
		if (strcmp(name, shells[i]) == 0)
			return 1;
	return 0;
}

/* ~0 (all flag bits) when forcing, else 0: see fs_force. */
int fs_forcing_allowed(void)
{
	return fs_cfg.cloexec == FS_CLOEXEC_FORCE && !fs_cfg.shell && fs_fd_entry(0) != NULL ? ~0 : 0;
}

/* Diagnostic mode, or a setting that reports. */
static int reporting(const struct fs_config *c)
{
	return c->diag || c->fork_mode == FS_FORK_WARN || c->fork_mode == FS_FORK_ABORT ||
	       c->child_locks != FS_LOCKS_WAIT;
}

void fs_init(void)
{
	static struct fs_config c;	/* static: it holds a path buffer */
	static int state;		/* 0: not begun, 1: under way, 2: done */
	int none = 0;

	if (fs_ready || !__atomic_compare_exchange_n(&state, &none, 1, 0, __ATOMIC_ACQ_REL,
						     __ATOMIC_RELAXED))
		return;
	fs_log_init();	/* fd 2 as the program found it: messages go only there */
	c.secure = getauxval(AT_SECURE) != 0;
	nconfig_errors = fs_config_read(&c, cfg_env, NULL, config_errors, MAX_CONFIG_ERRORS);
	c.shell = is_shell(program_invocation_short_name);
	/* A set-user-ID program: the caller may not take it out of scope. */
	if (c.secure) {
		secure_scope("FORKSAFE_ONLY");
		secure_scope("FORKSAFE_SKIP");
	}
	if (!c.secure && !in_scope()) {
		c.cloexec = FS_CLOEXEC_OFF;
		c.diag = 0;
		c.fork_mode = FS_FORK_ALLOW;
		c.child_locks = FS_LOCKS_WAIT;
	}
	fs_cfg = c;
	if (fs_fdtable_init() < 0 && c.cloexec == FS_CLOEXEC_FORCE)
		fs_msg("config", "cannot map the fd table; new fds are not forced close-on-exec");
	fs_forcing = fs_forcing_allowed();
	fs_fast_update();
	__atomic_store_n(&fs_ready, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
	if (reporting(&c))
		fs_diag_start();
	fs_config_flush();
}

/* FORKSAFE_THIS_ONLY=1 (forksafe --this-only): this program gets the
 * module, the programs it runs do not.  Before main, the module's entry
 * is taken out of LD_PRELOAD (the variable is removed when nothing else
 * is left in it), and FORKSAFE_THIS_ONLY too.  The environment array is
 * edited in place, not through setenv: programs such as bash read main's
 * envp, which is that same array. */
static void drop_entry(char **env)
{
	for (; *env; env++)
		env[0] = env[1];
}

/* Rewrites "LD_PRELOAD=..." in place without libforksafe.so; returns 0
 * when nothing else was in it. */
static int strip_module(char *entry)
{
	char *value = entry + strlen("LD_PRELOAD="), *out = value;
	const char *p = value;

	while (*p) {
		size_t n = strcspn(p, ": ");
		const char *slash = memrchr(p, '/', n);
		const char *base = slash ? slash + 1 : p;
		size_t bn = n - (size_t)(base - p);
		int ours = bn == strlen("libforksafe.so") && memcmp(base, "libforksafe.so", bn) == 0;
		if (n && !ours) {
			if (out != value)
				*out++ = ':';
			memmove(out, p, n);	/* out never passes p */
			out += n;
		}
		p += n;
		p += strspn(p, ": ");
	}
	*out = '\0';
	return out != value;
}

static void this_only(void)
{
	const char *v = cfg_env("FORKSAFE_THIS_ONLY", NULL);

	if (!v || strcmp(v, "1") != 0 || !environ)
		return;
	for (char **e = environ; *e;) {
		if (strncmp(*e, "FORKSAFE_THIS_ONLY=", 19) == 0 ||
		    (strncmp(*e, "LD_PRELOAD=", 11) == 0 && !strip_module(*e)))
			drop_entry(e);
		else
			e++;
	}
}

/* Outside any wrapper: the one place where a library may be loaded
 * (the unwinder reports use, fs_diag_ready). */
__attribute__((constructor)) static void fs_constructor(void)
{
	fs_init();
	this_only();
	if (fs_ready && reporting(&fs_cfg))
		fs_diag_ready();
}

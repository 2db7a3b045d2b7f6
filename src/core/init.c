/* forksafe: start-up.  fs_init reads the settings once (settings.c); the
 * fd table is mapped when the first fd is made (core/fdtable.c).  The
 * constructor makes sure fs_init has run before main.
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
#include <dlfcn.h>
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
FS_HOT volatile unsigned fs_where;
FS_HOT unsigned fs_fast_span;
__thread unsigned fs_where_thread;
int fs_spawns_active;

/* Invalid settings, kept until the log format is known, then written
 * once each (fs_config_flush), on standard error, in that format. */
#define MAX_CONFIG_ERRORS 16
static struct fs_config_error config_errors[MAX_CONFIG_ERRORS];
FS_START_DATA static int nconfig_errors;
/* FORKSAFE_THIS_ONLY's value, for the constructor. */
FS_START_DATA static const char *this_only_value;

void fs_config_flush(void)
{
	FS_START_DATA static int flushed;
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

/* forksafe's own variables, found in one pass over the environment at
 * start-up: every name begins with "FORKSAFE_", so most entries are
 * passed over on their first byte or two.  Most processes have none, and
 * then no setting is looked for at all.  No libc string function is
 * called here: each first call of one through the PLT costs a symbol
 * lookup (a tenth of a preloaded /bin/true's instructions, all told). */
#define MAX_ENV_SEEN 16
struct env_seen {
	const char *v[MAX_ENV_SEEN];	/* "FORKSAFE_...=value" */
	int n;				/* how many there are (may exceed MAX_ENV_SEEN) */
};

/* The value of "NAME=value" when entry is one for name, else NULL. */
static const char *value_of(const char *entry, const char *name)
{
	while (*name)
		if (*entry++ != *name++)
			return NULL;
	return *entry == '=' ? entry + 1 : NULL;
}

static void env_scan(struct env_seen *seen)
{
	seen->n = 0;
	for (char **e = environ; e && *e; e++)
		if ((*e)[0] == 'F' && (*e)[1] == 'O' && fs_has_prefix(*e, "FORKSAFE_")) {
			if (seen->n < MAX_ENV_SEEN)
				seen->v[seen->n] = *e;
			seen->n++;
		}
}

/* fs_config_get over what env_scan found (ctx); the whole environment
 * again only when there were more FORKSAFE_ entries than it keeps. */
static const char *cfg_env(const char *name, void *ctx)
{
	const struct env_seen *seen = ctx;
	const char *v;

	if (seen->n <= MAX_ENV_SEEN) {
		for (int i = 0; i < seen->n; i++)
			if ((v = value_of(seen->v[i], name)))
				return v;
		return NULL;
	}
	for (char **e = environ; e && *e; e++)
		if ((*e)[0] == 'F' && (v = value_of(*e, name)))
			return v;
	return NULL;
}

/* The program's name: glibc's program_invocation_short_name is argv[0]
 * after its last '/' ("" without argv[0]).  The constructor is given
 * argv (glibc passes argc, argv and envp to every ELF constructor) and
 * makes the name from it, so most processes never look the variable
 * up: a data symbol the module refers to is looked up when it is
 * loaded, in every process.  Before the constructor (a wrapper called
 * from the constructor of a library initialised earlier) it is looked
 * up then, once. */
FS_START_DATA static const char *program_name;

static void program_name_from(char **argv)
{
	const char *name = "";

	if (argv && argv[0]) {
		name = argv[0];
		for (const char *p = argv[0]; *p; p++)
			if (*p == '/')
				name = p + 1;
	}
	__atomic_store_n(&program_name, name, __ATOMIC_RELEASE);
}

const char *fs_program_name(void)
{
	const char *name = __atomic_load_n(&program_name, __ATOMIC_ACQUIRE);
	const char *const *var;

	if (name)
		return name;
	var = dlsym(RTLD_DEFAULT, "program_invocation_short_name");
	name = var && *var ? *var : "";
	__atomic_store_n(&program_name, name, __ATOMIC_RELEASE);
	return name;
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
static int in_scope(struct env_seen *seen)
{
	const char *only = cfg_env("FORKSAFE_ONLY", seen), *skip = cfg_env("FORKSAFE_SKIP", seen);
	const char *name = fs_program_name();
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
static void secure_scope(const char *var, struct env_seen *seen)
{
	const char *v = cfg_env(var, seen);
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
	/* One block of strings, no pointers: nothing for the loader to
	 * relocate, and a name whose first letter begins none of them (most
	 * programs) reads no more of it. */
	static const char shells[] =
		"sh\0bash\0dash\0zsh\0ksh\0ksh93\0mksh\0pdksh\0ash\0yash\0posh\0busybox\0"
		"rbash\0lksh\0oksh\0flock\0lckdo\0setlock\0s6-setlock\0chpst\0";
	const uint32_t first = 1u << ('s' - 'a') | 1u << ('b' - 'a') | 1u << ('d' - 'a') |
			       1u << ('z' - 'a') | 1u << ('k' - 'a') | 1u << ('m' - 'a') |
			       1u << ('p' - 'a') | 1u << ('a' - 'a') | 1u << ('y' - 'a') |
			       1u << ('r' - 'a') | 1u << ('l' - 'a') | 1u << ('o' - 'a') |
			       1u << ('f' - 'a') | 1u << ('c' - 'a');

	if (!name)
		return 0;
	if (*name == '-')	/* a login shell */
		name++;
	if (*name < 'a' || *name > 'z' || !(first >> (*name - 'a') & 1))
		return 0;
	for (const char *s = shells; *s;) {
		const char *n = name;
		while (*s && *n == *s)
			n++, s++;
		if (!*s && !*n)
			return 1;
		while (*s++)	/* to the next name */
			;
	}
	return 0;
}

/* ~0 (all flag bits) when forcing, else 0: see fs_force. */
int fs_forcing_allowed(void)
{
	return fs_cfg.cloexec == FS_CLOEXEC_FORCE && !fs_cfg.shell && !fs_fdtable_failed() ? ~0 : 0;
}

/* Diagnostic mode, or a setting that reports. */
static int reporting(const struct fs_config *c)
{
	return c->diag || c->fork_mode == FS_FORK_WARN || c->fork_mode == FS_FORK_ABORT ||
	       c->child_locks != FS_LOCKS_WAIT;
}

void fs_init(void)
{
	FS_START_DATA static int state;	/* 0: not begun, 1: under way, 2: done */
	struct fs_config *c = &fs_cfg;	/* read in place: it holds a 4 KiB path buffer */
	struct env_seen seen;
	int none = 0;

	if (fs_ready || !__atomic_compare_exchange_n(&state, &none, 1, 0, __ATOMIC_ACQ_REL,
						     __ATOMIC_RELAXED))
		return;
	fs_log_init();	/* fd 2 as the program found it: messages go only there */
	env_scan(&seen);
	/* Secure execution limits only what FORKSAFE_ variables ask for (the
	 * defaults are within its limits), so without one it is not looked
	 * up: getauxval's first call costs a symbol lookup. */
	c->secure = seen.n && getauxval(AT_SECURE) != 0;
	nconfig_errors = fs_config_read(c, cfg_env, &seen, config_errors, MAX_CONFIG_ERRORS);
	this_only_value = seen.n ? cfg_env("FORKSAFE_THIS_ONLY", &seen) : NULL;
	c->shell = is_shell(fs_program_name());
	/* A set-user-ID program: the caller may not take it out of scope. */
	if (c->secure && seen.n) {
		secure_scope("FORKSAFE_ONLY", &seen);
		secure_scope("FORKSAFE_SKIP", &seen);
	}
	if (!c->secure && seen.n && !in_scope(&seen)) {
		c->cloexec = FS_CLOEXEC_OFF;
		c->diag = 0;
		c->fork_mode = FS_FORK_ALLOW;
		c->child_locks = FS_LOCKS_WAIT;
	}
	fs_forcing = fs_forcing_allowed();
	fs_fast_update();
	__atomic_store_n(&fs_ready, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
	if (reporting(c))
		fs_diag_start();
	if (nconfig_errors)
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
	const char *v = this_only_value;

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
__attribute__((constructor)) static void fs_constructor(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)envp;
	if (!__atomic_load_n(&program_name, __ATOMIC_ACQUIRE))
		program_name_from(argv);
	fs_init();
	this_only();
	if (fs_ready && reporting(&fs_cfg))
		fs_diag_ready();
}

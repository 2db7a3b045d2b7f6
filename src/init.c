/* forksafe: configuration, read once from the environment.
 *
 * fs_init may run from any wrapper, before the constructor (another
 * library's constructor opening a file), and in several threads at once:
 * it takes no lock, every thread computes the same values, and the
 * constructor only makes sure it has run before main. */
#include "config.h"
#include "fs.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fs_config fs_cfg;
volatile int fs_ready;
volatile int fs_forcing;

/* One message per variable per process, even if init races. */
static void config_error(int *once, const char *var, const char *value, const char *accepted,
			 const char *fallback)
{
	char mem[512];
	struct fs_sbuf b;

	if (__atomic_exchange_n(once, 1, __ATOMIC_RELAXED))
		return;
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_str(&b, var);
	fs_sb_char(&b, '=');
	fs_sb_quoted(&b, value, 64);
	fs_sb_str(&b, " is not valid (accepted: ");
	fs_sb_str(&b, accepted);
	fs_sb_str(&b, "); using ");
	fs_sb_str(&b, fallback);
	fs_msg("config", fs_sb_cstr(&b));
}

static void read_config(struct fs_config *c)
{
	static int once_cloexec, once_keep;
	const char *v;

	c->cloexec = FS_CLOEXEC_FORCE;
	if ((v = getenv("FORKSAFE_CLOEXEC")) && fs_parse_cloexec(v, &c->cloexec) < 0) {
		c->cloexec = FS_CLOEXEC_FORCE;
		config_error(&once_cloexec, "FORKSAFE_CLOEXEC", v, "force, audit, off", "force");
	}
	if ((v = getenv("FORKSAFE_KEEP_FDS")) && fs_keep_parse(v, &c->keep) < 0)
		config_error(&once_keep, "FORKSAFE_KEEP_FDS", v,
			     "fd numbers and ranges such as 3,5-7, at most 32 items", "an empty list");
}

/* Shells are never forced.  Every numbered redirection in a shell
 * (exec 3<file) hands an fd to the commands it runs on purpose, often by
 * a convention no argument shows (a child that reads fd 3); a shell is
 * single-threaded, so there is no race to close, and it marks its own
 * fds close-on-exec.  The programs a shell runs load forksafe themselves
 * and are forced as usual. */
static int is_shell(const char *name)
{
	static const char *const shells[] = {
		"sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "ash",
		"yash", "posh", "busybox", "rbash", "lksh", "oksh",
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

int fs_forcing_allowed(void)
{
	return fs_cfg.cloexec == FS_CLOEXEC_FORCE && !fs_cfg.shell && fs_fd_entry(0) != NULL;
}

void fs_init(void)
{
	struct fs_config c = { 0 };

	if (fs_ready)
		return;
	read_config(&c);
	c.shell = is_shell(program_invocation_short_name);
	fs_cfg = c;
	if (fs_fdtable_init() < 0 && c.cloexec == FS_CLOEXEC_FORCE)
		fs_msg("config", "cannot map the fd table; new fds are not forced close-on-exec");
	fs_forcing = fs_forcing_allowed();
	__atomic_store_n(&fs_ready, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void fs_constructor(void)
{
	fs_init();
}

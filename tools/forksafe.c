/* forksafe: the launcher.
 *
 *   forksafe [OPTIONS] [--] COMMAND [ARG...]
 *   forksafe report [OPTIONS] LOG...	(report_cmd.c)
 *
 * Puts libforksafe.so in front of LD_PRELOAD (keeping what was there),
 * sets the FORKSAFE_* variables from the options, and execs COMMAND, so
 * COMMAND's exit status is the launcher's.  Usage errors exit 2; a
 * command that cannot be found exits 127, one that cannot be run 126, as
 * shells do. */
#include "config.h"
#include "report.h"
#include "core/settings.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FORKSAFE_LIBDIR
#define FORKSAFE_LIBDIR "/usr/local/lib"
#endif
#define MODULE "libforksafe.so"

static const char *prog = "forksafe";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] [--] COMMAND [ARG...]\n"
		"       %s report [--top=N] [--json] LOG...\n"
		"Run COMMAND with libforksafe.so preloaded: every fd it creates is close-on-exec,\n"
		"forks in threaded code are checked, and diagnostic mode explains what happens.\n"
		"'report' sums up JSON logs of diagnostic mode (forksafe report --help); to run\n"
		"a command named report, write forksafe -- report.\n"
		"\n"
		"Options (each sets the variable in brackets; see libforksafe(7)):\n"
		"  --diag              diagnostic mode                  [FORKSAFE_DIAG=1]\n"
		"  --fork=MODE         allow, warn, abort, spawn, auto  [FORKSAFE_FORK]\n"
		"  --cloexec=MODE      force, audit, off                [FORKSAFE_CLOEXEC]\n"
		"  --log=DEST          stderr, syslog or an absolute file path [FORKSAFE_LOG]\n"
		"  --json              one JSON object per report line [FORKSAFE_LOG_FORMAT=json]\n"
		"  --keep-fds=LIST     fds never forced, e.g. 3,5-7     [FORKSAFE_KEEP_FDS]\n"
		"  --child-locks=MODE  wait, abort, break               [FORKSAFE_CHILD_LOCKS]\n"
		"  --this-only         COMMAND gets the module, the programs it runs do not\n"
		"                                                       [FORKSAFE_THIS_ONLY=1]\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n"
		"The module is taken from $FORKSAFE_LIBRARY if set, else %s/%s\n"
		"(the launcher of a build tree takes the module built there).\n",
		prog, prog, FORKSAFE_LIBDIR, MODULE);
}

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(2);
}

struct option_spec {
	const char *name;	/* without "--" */
	const char *var;	/* variable it sets */
	const char *fixed;	/* value for a flag, NULL when it takes one */
};

static const struct option_spec options[] = {
	{ "diag", "FORKSAFE_DIAG", "1" },
	{ "this-only", "FORKSAFE_THIS_ONLY", "1" },
	{ "json", "FORKSAFE_LOG_FORMAT", "json" },
	{ "fork", "FORKSAFE_FORK", NULL },
	{ "cloexec", "FORKSAFE_CLOEXEC", NULL },
	{ "child-locks", "FORKSAFE_CHILD_LOCKS", NULL },
	{ "log", "FORKSAFE_LOG", NULL },
	{ "keep-fds", "FORKSAFE_KEEP_FDS", NULL },
};
#define NOPTIONS (sizeof options / sizeof options[0])

/* The value each option was given (the last one wins, as for setenv). */
static const char *given[NOPTIONS];

static const char *given_value(const char *var, void *ctx)
{
	for (size_t k = 0; k < NOPTIONS; k++)
		if (strcmp(options[k].var, var) == 0)
			return given[k];
	return NULL;
}

/* Every value goes through the module's own parser (core/settings.c):
 * the launcher accepts exactly what the module accepts.  The first
 * invalid one ends the launcher with status 2, naming the option. */
static void check_values(void)
{
	static struct fs_config c;	/* static: it holds a path buffer */
	struct fs_config_error err;

	c.secure = 0;
	if (fs_config_read(&c, given_value, NULL, &err, 1) == 0)
		return;
	for (size_t k = 0; k < NOPTIONS; k++) {
		if (strcmp(options[k].var, err.var) != 0)
			continue;
		fprintf(stderr, "%s: invalid value %s for --%s (accepted: %s)\n", prog, err.value,
			options[k].name, err.accepted);
		break;
	}
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(2);
}

/* Handles argv[*i] if it is an option; returns 0 at the command. */
static int parse_option(int argc, char **argv, int *i)
{
	const char *arg = argv[*i];

	if (strcmp(arg, "--") == 0) {
		(*i)++;
		return 0;
	}
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
		usage(stdout);
		exit(0);
	}
	if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0) {
		printf("forksafe %s\n", PACKAGE_VERSION);
		exit(0);
	}
	if (arg[0] != '-' || arg[1] == '\0')
		return 0;
	if (arg[1] != '-')
		die_usage("unknown option '%s'", arg);
	for (size_t k = 0; k < sizeof options / sizeof options[0]; k++) {
		const struct option_spec *o = &options[k];
		size_t n = strlen(o->name);
		const char *v;

		if (strncmp(arg + 2, o->name, n) != 0 || (arg[2 + n] && arg[2 + n] != '='))
			continue;
		if (o->fixed) {
			if (arg[2 + n])
				die_usage("option '--%s' takes no value", o->name);
			given[k] = o->fixed;
			setenv(o->var, o->fixed, 1);
			(*i)++;
			return 1;
		}
		if (arg[2 + n] == '=') {
			v = arg + 3 + n;
		} else if (*i + 1 < argc) {
			v = argv[++*i];
		} else {
			die_usage("option '%s' needs a value", arg);
			return 0;
		}
		given[k] = v;
		setenv(o->var, v, 1);
		(*i)++;
		return 1;
	}
	die_usage("unknown option '%s'", arg);
	return 0;
}

static int readable_file(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The launcher built in the build tree, and the module built beside it
 * (set by make for the build only).  The build tree's module is used
 * only when this program is that very file (same device and inode): an
 * installed copy never looks anywhere but FORKSAFE_LIBDIR, so nobody who
 * can write near the installed launcher (/usr/local/src/.libs, ...)
 * chooses what it loads. */
static int in_build_tree(void)
{
#if defined(FORKSAFE_BUILD_LAUNCHER) && defined(FORKSAFE_BUILD_MODULE)
	struct stat self, built;

	return stat("/proc/self/exe", &self) == 0 && stat(FORKSAFE_BUILD_LAUNCHER, &built) == 0 &&
	       self.st_dev == built.st_dev && self.st_ino == built.st_ino &&
	       readable_file(FORKSAFE_BUILD_MODULE);
#else
	return 0;
#endif
}

/* The module: $FORKSAFE_LIBRARY, the build tree's for the launcher of the
 * build tree, else the installed one. */
static int find_module(char *out, size_t n)
{
	const char *env = getenv("FORKSAFE_LIBRARY");

	if (env && *env) {
		if (!readable_file(env)) {
			fprintf(stderr, "%s: FORKSAFE_LIBRARY=%s: %s\n", prog, env, strerror(errno));
			return -1;
		}
		snprintf(out, n, "%s", env);
		return 0;
	}
	if (in_build_tree()) {
#ifdef FORKSAFE_BUILD_MODULE
		snprintf(out, n, "%s", FORKSAFE_BUILD_MODULE);
#endif
		return 0;
	}
	snprintf(out, n, "%s/%s", FORKSAFE_LIBDIR, MODULE);
	if (readable_file(out))
		return 0;
	fprintf(stderr, "%s: cannot find %s in %s; set FORKSAFE_LIBRARY\n", prog, MODULE,
		FORKSAFE_LIBDIR);
	return -1;
}

/* LD_PRELOAD with the module first; an existing entry is kept where it
 * was only if it is not the module itself. */
static void set_preload(const char *module)
{
	const char *old = getenv("LD_PRELOAD");
	size_t len = strlen(module) + (old ? strlen(old) : 0) + 2;
	char *v = malloc(len), *copy, *tok, *save;

	if (!v) {
		perror(prog);
		exit(2);
	}
	strcpy(v, module);
	if (old && *old) {
		copy = strdup(old);
		for (tok = strtok_r(copy, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
			if (strcmp(tok, module) == 0)
				continue;
			strcat(v, ":");
			strcat(v, tok);
		}
		free(copy);
	}
	setenv("LD_PRELOAD", v, 1);
	free(v);
}

/* Where execvp would find file, or NULL. */
static char *resolve(const char *file, char *buf, size_t n)
{
	const char *path = getenv("PATH");

	if (strchr(file, '/')) {
		snprintf(buf, n, "%s", file);
		return buf;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t dl = end ? (size_t)(end - p) : strlen(p);
		snprintf(buf, n, "%.*s%s%s", (int)dl, p, dl ? "/" : "", file);
		if (access(buf, X_OK) == 0)
			return buf;
		if (!end)
			return NULL;
		p = end;
	}
}

/* A dynamically linked ELF file has a PT_INTERP program header. */
static int statically_linked(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0, elf = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
		elf = 1;
		for (int i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize)) !=
			    (ssize_t)sizeof ph)
				break;
			if (ph.p_type == PT_INTERP)
				found = 1;
		}
	}
	close(fd);
	return elf && !found;
}

static void warn_if_unreachable(const char *file)
{
	char buf[PATH_MAX];
	struct stat st;
	const char *path = resolve(file, buf, sizeof buf);

	if (!path || stat(path, &st) != 0)
		return;
	if (statically_linked(path))
		fprintf(stderr, "%s: %s is statically linked; forksafe cannot act on it "
				"(LD_PRELOAD is not used)\n", prog, file);
	else if ((st.st_mode & S_ISUID && st.st_uid != geteuid()) ||
		 (st.st_mode & S_ISGID && st.st_gid != getegid()))
		fprintf(stderr, "%s: %s is set-user-ID or set-group-ID; the loader ignores "
				"LD_PRELOAD for it, so forksafe cannot act on it\n", prog, file);
}

int main(int argc, char **argv)
{
	char module[PATH_MAX];
	int i = 1;

	/* Only as the first argument: forksafe -- report runs a command. */
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return fs_report_main(argc - 1, argv + 1);
	while (i < argc && parse_option(argc, argv, &i))
		;
	check_values();
	if (i >= argc)
		die_usage("%s", "no command given");
	if (find_module(module, sizeof module) < 0)
		return 2;
	set_preload(module);
	warn_if_unreachable(argv[i]);
	execvp(argv[i], argv + i);
	int e = errno;
	fprintf(stderr, "%s: %s: %s\n", prog, argv[i],
		e == ENOENT ? "command not found" : strerror(e));
	return e == ENOENT ? 127 : 126;
}

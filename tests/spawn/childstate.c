/* What a redirected child changes before exec reaches the program it
 * execs, and never its parent: childstate PROBE SCRATCH_FILE
 *
 * Each case forks from a process with two threads; the child makes its
 * changes, sends its standard output to a pipe, and execs PROBE (probe.c),
 * whose report the parent reads.  Cases: setenv, unsetenv, putenv (with
 * and without overwriting); a PATH changed for execvp; clearenv; chdir,
 * dup2 of standard output onto a file, SIGPIPE ignored, SIGUSR1 blocked;
 * credentials (as root); closing every fd (forksafe must still know the
 * parent's fds afterwards: a forced fd named as /dev/fd/N reaches the next
 * program); a fork from inside the child.  Ends with "forks=N", the
 * forks the parent made.  Exits 1 on any failure. */
#define _GNU_SOURCE
#include "spawntest.h"
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <sys/stat.h>

extern char **environ;

static const char *probe, *scratch;
static int forks;

struct job {
	void (*setup)(const struct job *);
	char *const *argv;	/* the probe's arguments */
	int exec_self;		/* setup execs */
};

/* Runs one case; returns the child's status, its output in out. */
static int run(const struct job *j, char *out, size_t n)
{
	int p[2], status;
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p) != 0)
		return -3;
	redirected = 0;
	forks++;
	pid = fork();
	if (pid == 0) {
		redirected = 1;
		dup2(p[1], 1);
		j->setup(j);
		if (!j->exec_self)
			execv(probe, j->argv);
		_exit(127);
	}
	close(p[1]);
	while (len + 1 < n && (r = read(p[0], out + len, n - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	status = pid > 0 ? wait_status(pid, 30) : -3;
	check(redirected == 1, "the fork was redirected");
	return status;
}

/* The probe's "fds=" line lists fd. */
static int fd_listed(const char *out, int fd)
{
	const char *p = strstr(out, "fds=");
	char *end;

	for (p = p ? p + 4 : NULL; p && *p >= '0' && *p <= '9'; p = *end == ',' ? end + 1 : NULL)
		if (strtol(p, &end, 10) == fd)
			return 1;
	return 0;
}

static int has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = out; (p = strstr(p, line)); p += n)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

/* ---- environment ---- */

static void env_setup(const struct job *j)
{
	char *put = "C=put";
	setenv("A", "child", 1);
	unsetenv("B");
	putenv(put);
	setenv("D", "child", 0);
	(void)j;
}

static void path_setup(const struct job *j)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", probe);
	setenv("PATH", dirname(dir), 1);
	setenv("VIA_PATH", "1", 1);
	execvp("probe", j->argv);
}

static void clear_setup(const struct job *j)
{
	clearenv();
	setenv("ONLY", "1", 1);
	(void)j;
}

static void test_environment(void)
{
	char out[8192], *argv[] = { "probe", "A", "B", "C", "D", "VIA_PATH", NULL };
	char *only_argv[] = { "probe", "ONLY", "A", NULL };
	char **before = environ, *first = environ[0];
	const char *path = getenv("PATH");
	struct job env = { env_setup, argv, 0 }, path_job = { path_setup, argv, 1 },
		   clear = { clear_setup, only_argv, 0 };
	int status;

	setenv("B", "parent", 1);
	setenv("D", "parent", 1);
	before = environ;
	first = environ[0];
	status = run(&env, out, sizeof out);
	check(exited_with(status, 0), "env: the probe ran (status %#x)", status);
	check(has_line(out, "A=child") && has_line(out, "B unset") && has_line(out, "C=put") &&
	      has_line(out, "D=parent"), "env: the program sees setenv, unsetenv, putenv and "
	      "setenv without overwrite:\n%s", out);
	check(!getenv("A") && !getenv("C") && getenv("B") && !strcmp(getenv("B"), "parent") &&
	      !strcmp(getenv("D"), "parent"), "env: the parent's environment is unchanged");
	check(environ == before && environ[0] == first, "env: the parent's environ array is its own");

	status = run(&path_job, out, sizeof out);
	check(exited_with(status, 0) && has_line(out, "VIA_PATH=1"),
	      "env: execvp searches the PATH the child set (status %#x)", status);
	check(getenv("PATH") == path && !getenv("VIA_PATH"), "env: the parent's PATH is unchanged");

	status = run(&clear, out, sizeof out);
	check(exited_with(status, 0) && has_line(out, "ONLY=1") && has_line(out, "env_count=1"),
	      "env: after clearenv the program sees only what the child set:\n%s", out);
	check(getenv("B") != NULL, "env: the parent's environment survives the child's clearenv");
}

/* ---- working directory, fds, signals ---- */

static void process_setup(const struct job *j)
{
	sigset_t usr1;
	int fd = open(scratch, O_WRONLY | O_TRUNC);

	if (chdir("/") != 0 || fd < 0 || dup2(fd, 1) != 1)
		_exit(126);
	close(fd);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	(void)j;
}

static void test_process_state(void)
{
	char out[8192], cwd[4096], cwd_after[4096], *argv[] = { "probe", NULL };
	struct job job = { process_setup, argv, 0 };
	struct stat out_before, out_after;
	struct sigaction sa;
	sigset_t mask;
	FILE *f;
	size_t len;
	int status;

	check(getcwd(cwd, sizeof cwd) != NULL && fstat(1, &out_before) == 0, "state: before");
	status = run(&job, out, sizeof out);
	check(exited_with(status, 0), "state: the probe ran (status %#x)", status);
	f = fopen(scratch, "r");
	len = f ? fread(out, 1, sizeof out - 1, f) : 0;
	out[len] = '\0';
	if (f)
		fclose(f);
	check(has_line(out, "cwd=/") && has_line(out, "sigpipe=ignored") &&
	      has_line(out, "usr1_blocked=1"), "state: the program sees the directory, its "
	      "output file, SIGPIPE ignored and SIGUSR1 blocked:\n%s", out);
	check(getcwd(cwd_after, sizeof cwd_after) && !strcmp(cwd, cwd_after),
	      "state: the parent's directory is unchanged");
	check(fstat(1, &out_after) == 0 && out_before.st_ino == out_after.st_ino &&
	      out_before.st_dev == out_after.st_dev, "state: the parent's fd 1 is unchanged");
	sigaction(SIGPIPE, NULL, &sa);
	check(sa.sa_handler == SIG_DFL, "state: the parent's SIGPIPE is still the default");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	check(!sigismember(&mask, SIGUSR1), "state: SIGUSR1 is not blocked in the parent");
}

/* ---- credentials ---- */

/* The probe, opened by the parent: uid 65534 may not search the
 * directories on its path (a build under a private mktemp -d). */
static int probe_fd = -1;

static void creds_setup(const struct job *j)
{
	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(125);
	fexecve(probe_fd, j->argv, environ);
}

/* Every thread of this process (two) still has uid 0. */
static int all_threads_root(void)
{
	char path[300], line[256];
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int ok = 1, seen = 0;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		seen++;
		while (fgets(line, sizeof line, f))
			if (!strncmp(line, "Uid:", 4) && strcmp(line, "Uid:\t0\t0\t0\t0\n") != 0)
				ok = 0;
		fclose(f);
	}
	if (d)
		closedir(d);
	return ok && seen == 2;
}

static void test_credentials(void)
{
	char out[8192], *argv[] = { "probe", NULL };
	struct job job = { creds_setup, argv, 1 };
	int status;

	if (getuid() != 0) {
		printf("note: not root: the credentials case is not run\n");
		return;
	}
	probe_fd = open(probe, O_RDONLY);
	check(probe_fd >= 0, "creds: the probe opens");
	status = run(&job, out, sizeof out);
	close(probe_fd);
	check(exited_with(status, 0) && has_line(out, "ids=65534,65534,65534,0"),
	      "creds: setgroups, setgid and setuid act on the child (status %#x):\n%s", status, out);
	check(getuid() == 0 && geteuid() == 0 && getgid() == 0 && all_threads_root(),
	      "creds: the parent and each of its threads keep uid 0");
}

/* ---- closing every fd ---- */

static void close_all_setup(const struct job *j)
{
	close_range(3, ~0U, 0);
	(void)j;
}

static void named_fd_setup(const struct job *j)
{
	(void)j;
}

static void test_close_all(void)
{
	char out[8192], name[64], *argv[] = { "probe", NULL };
	char *named_argv[] = { "probe", name, NULL };
	struct job job = { close_all_setup, argv, 0 }, named = { named_fd_setup, named_argv, 0 };
	int fd = open("/dev/null", O_RDONLY), status;

	status = run(&job, out, sizeof out);
	check(exited_with(status, 0) && has_line(out, "fds="),
	      "close: the program gets no fd above 2 (status %#x):\n%s", status, out);
	check(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "close: the parent's fds are open");
	/* The child's close_range did not wipe what forksafe knows of the
	 * parent's fds: fd is still known as forced, so naming it to the next
	 * program makes it inherited (DESIGN §2 rule 6). */
	snprintf(name, sizeof name, "/dev/fd/%d", fd);
	status = run(&named, out, sizeof out);
	check(exited_with(status, 0) && fd_listed(out, fd),
	      "close: a forced fd named as %s still reaches the next program:\n%s", name, out);
	close(fd);
}

/* ---- fds the child makes for the next program (rule 4) ---- */

static volatile int child_fds[4];

static void make_fds_setup(const struct job *j)
{
	int p[2];

	child_fds[0] = open("/dev/null", O_RDONLY);
	if (pipe(p) != 0)
		_exit(122);
	child_fds[1] = p[0];
	child_fds[2] = p[1];
	child_fds[3] = dup(child_fds[0]);
	(void)j;
}

static void test_child_fds(void)
{
	char out[8192], *argv[] = { "probe", NULL };
	struct job job = { make_fds_setup, argv, 0 };
	int status = run(&job, out, sizeof out), all = 1;

	for (int i = 0; i < 4; i++)
		all &= child_fds[i] > 2 && fd_listed(out, child_fds[i]);
	check(exited_with(status, 0) && all,
	      "fds: what the child opens, pipes and dups without close-on-exec reaches the "
	      "next program unnamed (%d %d %d %d):\n%s", child_fds[0], child_fds[1],
	      child_fds[2], child_fds[3], out);
}

/* ---- a fork inside the child ---- */

static void nested_setup(const struct job *j)
{
	pid_t pid;
	int status;

	setenv("NEST", "1", 1);
	pid = fork();
	if (pid == 0) {
		execv(probe, j->argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		_exit(124);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 123);
}

static void test_nested_fork(void)
{
	char out[8192], *argv[] = { "probe", "NEST", NULL };
	struct job job = { nested_setup, argv, 1 };
	int status = run(&job, out, sizeof out);

	check(exited_with(status, 0) && has_line(out, "NEST=1"),
	      "nested: a fork in the child works and its child execs with the child's "
	      "environment (status %#x):\n%s", status, out);
	check(!getenv("NEST"), "nested: the parent's environment is unchanged");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: childstate PROBE SCRATCH_FILE\n");
		return 2;
	}
	probe = argv[1];
	scratch = argv[2];
	start_idle_thread();
	test_environment();
	test_process_state();
	test_credentials();
	test_close_all();
	test_child_fds();
	test_nested_fork();
	printf("forks=%d\n", forks);
	return finish();
}

/* cover: the inheritance rules of DESIGN §2, checked on FD_CLOEXEC.
 * In expect-native mode the same program shows what the program alone
 * does, so every expectation below is "what the program asked for",
 * except where a rule says forksafe forces (cover_forced).
 *   rule 1: an fd that lands on 0-2 is never forced;
 *   rule 2: dup2/dup3 targets get exactly what the caller asked for;
 *   rule 3: FD_CLOEXEC cleared by the program (fcntl F_SETFD, ioctl
 *           FIONCLEX, also through syscall()) stays cleared, through
 *           failed execs, posix_spawn, system and popen that name it;
 *   rule 6: a forced fd named to a spawned program is forced again once
 *           the spawn returns or the exec fails;
 *   rule 4: a child after fork or _Fork gets no forced fds until it
 *           starts a thread, then it does;
 *   rule 7: FORKSAFE_KEEP_FDS fds are never forced (expect-keep). */
#define _GNU_SOURCE
#include "cover.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Checks that fd is number want, then its flag. */
static void expect_fd(const char *what, int fd, int want, int cloexec)
{
	if (fd != want) {
		fail("%s: got fd %d, expected %d", what, fd, want);
		return;
	}
	check_cloexec(what, fd, cloexec);
}

static int open_file(int flags)
{
	return open(cover_file, O_RDONLY | flags);
}

static int open_null(int flags)
{
	return open("/dev/null", O_RDONLY | flags);
}

/* ---- rule 1 ---- */
static void rule_stdin(int saved)
{
	int fd, p[2];
	FILE *f;

	close(0);
	expect_fd("rule1: open lands on fd 0", open("/dev/null", O_RDONLY), 0, 0);
	close(0);
	expect_fd("rule1: dup lands on fd 0", dup(saved), 0, 0);
	close(0);
	expect_fd("rule1: socket lands on fd 0", socket(AF_UNIX, SOCK_DGRAM, 0), 0, 0);
	close(0);
	f = fopen("/dev/null", "r");
	expect_fd("rule1: fopen lands on fd 0", f ? fileno(f) : -1, 0, 0);
	if (f)
		fclose(f);
	expect_fd("rule1: open(O_CLOEXEC) lands on fd 0",
		  open("/dev/null", O_RDONLY | O_CLOEXEC), 0, 1);
	close(0);
	fd = pipe(p) == 0 ? p[0] : -1;
	expect_fd("rule1: pipe read end lands on fd 0", fd, 0, 0);
	if (fd == 0) {
		check_cloexec("rule1: pipe write end above 2", p[1], cover_forced);
		close(p[1]);
	}
}

static void rule_std_fds(void)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3), fd, c;

	rule_stdin(saved);
	dup2(saved, 0);
	close(saved);
	fflush(stdout);
	saved = fcntl(1, F_DUPFD_CLOEXEC, 3);
	close(1);
	fd = open("/dev/null", O_WRONLY);
	c = cloexec_of(1);
	dup2(saved, 1);
	close(saved);
	if (fd != 1 || c != 0)
		fail("rule1: open landing on fd 1 gave fd %d, cloexec=%d", fd, c);
	else
		printf("rule1: open lands on fd 1: cloexec=%d\n", c);
}

/* ---- rule 2 ---- */
static void rule_dup_targets(void)
{
	int a = open_file(0), b = open_file(0);

	check_cloexec("rule2: source fd", a, cover_forced);
	expect_fd("rule2: dup2 target", dup2(a, 50), 50, 0);
	expect_fd("rule2: dup2 onto an open forced fd", dup2(a, b), b, 0);
	expect_fd("rule2: dup3 target", dup3(a, 51, 0), 51, 0);
	expect_fd("rule2: dup3(O_CLOEXEC) target", dup3(a, 52, O_CLOEXEC), 52, 1);
	expect_fd("rule2: syscall(SYS_dup2) target", (int)syscall(SYS_dup2, a, 53), 53, 0);
	expect_fd("rule2: syscall(SYS_dup3) target", (int)syscall(SYS_dup3, a, 54, 0), 54, 0);
	expect_fd("rule2: dup2 of an fd onto itself keeps its flag", dup2(a, a), a, cover_forced);
	expect_fd("rule2: fcntl(F_DUPFD, 55) is no target", fcntl(a, F_DUPFD, 55), 55,
		  cover_forced);
	for (int fd = 50; fd <= 55; fd++)
		close(fd);
	close(a);
	close(b);
}

/* ---- rules 3 and 6: execs and spawns that name the fd ---- */
static void spawn_naming(const char *arg)
{
	char *argv[] = { "true", (char *)arg, NULL };
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "true", NULL, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
	else
		fail("posix_spawnp true failed");
}

/* An exec that fails, a posix_spawn, a system and a popen, each told
 * about fd: afterwards its flag must be what it was before. */
static void name_fd_to_children(int fd)
{
	char arg[32], cmd[64];
	char *argv[] = { "cover-absent", arg, NULL };
	FILE *p;

	snprintf(arg, sizeof arg, "/dev/fd/%d", fd);
	if (execv("/nonexistent/cover-absent", argv) != -1 || errno != ENOENT)
		fail("execv of a missing file did not fail with ENOENT");
	spawn_naming(arg);
	snprintf(cmd, sizeof cmd, "true /dev/fd/%d", fd);
	if (system(cmd) != 0)
		fail("system(%s) failed", cmd);
	snprintf(cmd, sizeof cmd, "exec true %d", fd);
	if (!(p = popen(cmd, "r")) || pclose(p) != 0)
		fail("popen(%s) failed", cmd);
}

/* Sets or clears fd's flag by one of the ways a program has. */
enum set_via { VIA_FCNTL, VIA_IOCTL, VIA_SYS_FCNTL, VIA_SYS_IOCTL };
static void set_flag(int fd, int on, enum set_via via)
{
	switch (via) {
	case VIA_FCNTL: fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0); break;
	case VIA_IOCTL: ioctl(fd, on ? FIOCLEX : FIONCLEX); break;
	case VIA_SYS_FCNTL: syscall(SYS_fcntl, fd, F_SETFD, on ? FD_CLOEXEC : 0); break;
	case VIA_SYS_IOCTL: syscall(SYS_ioctl, fd, on ? FIOCLEX : FIONCLEX); break;
	}
}

static void rule_program_decides(const char *how, enum set_via via)
{
	char what[128];
	int fd = open_file(0);

	set_flag(fd, 0, via);
	snprintf(what, sizeof what, "rule3: cleared by %s", how);
	check_cloexec(what, fd, 0);
	name_fd_to_children(fd);
	snprintf(what, sizeof what, "rule3: cleared by %s, after execs naming it", how);
	check_cloexec(what, fd, 0);
	set_flag(fd, 1, via);
	set_flag(fd, 0, via);
	set_flag(fd, 1, via);
	name_fd_to_children(fd);
	snprintf(what, sizeof what, "rule3: cleared then set by %s, after execs naming it", how);
	check_cloexec(what, fd, 1);
	close(fd);
}

static void rule_restored_after_spawn(void)
{
	int fd = open_file(0), asked = open_file(O_CLOEXEC);

	name_fd_to_children(fd);
	check_cloexec("rule6: forced fd after execs naming it", fd, cover_forced);
	name_fd_to_children(asked);
	check_cloexec("rule6: O_CLOEXEC fd after execs naming it", asked, 1);
	close(fd);
	close(asked);
}

/* ---- rule 4 ---- */
static void *idle(void *arg)
{
	return arg;
}

/* The fds a child makes, labelled by who made them. */
static void child_makes(const char *who, int expect)
{
	char what[128];
	int p[2] = { -1, -1 };
	FILE *f = fopen(cover_file, "r");

#define CHILD_CHECK(label, fd) do { \
		snprintf(what, sizeof what, "rule4: %s: %s", who, label); \
		check_cloexec(what, fd, expect); \
	} while (0)
	CHILD_CHECK("open", open_file(0));
	CHILD_CHECK("socket", socket(AF_UNIX, SOCK_STREAM, 0));
	CHILD_CHECK("pipe[0]", pipe(p) == 0 ? p[0] : -1);
	CHILD_CHECK("pipe[1]", p[1]);
	CHILD_CHECK("dup", dup(p[0]));
	CHILD_CHECK("eventfd", eventfd(0, 0));
	CHILD_CHECK("fopen", f ? fileno(f) : -1);
	CHILD_CHECK("syscall(SYS_open)", (int)syscall(SYS_open, cover_file, O_RDONLY));
#undef CHILD_CHECK
}

static void child_of(const char *via, pid_t (*forker)(void))
{
	char who[64];
	int status, before = failures();
	pthread_t t;
	pid_t pid;

	fflush(stdout);
	pid = forker();
	if (pid == 0) {
		snprintf(who, sizeof who, "child of %s", via);
		child_makes(who, 0);
		if (pthread_create(&t, NULL, idle, NULL) == 0)
			pthread_join(t, NULL);
		snprintf(who, sizeof who, "child of %s, after pthread_create", via);
		child_makes(who, cover_forced);
		fflush(stdout);
		_exit(failures() > before);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fail("rule4: the child of %s reported failures (above)", via);
}

void check_rules(void)
{
	rule_std_fds();
	rule_dup_targets();
	rule_program_decides("fcntl(F_SETFD)", VIA_FCNTL);
	rule_program_decides("ioctl(FIONCLEX)", VIA_IOCTL);
	rule_program_decides("syscall(SYS_fcntl, F_SETFD)", VIA_SYS_FCNTL);
	rule_program_decides("syscall(SYS_ioctl, FIONCLEX)", VIA_SYS_IOCTL);
	rule_restored_after_spawn();
	child_of("fork", fork);
	child_of("_Fork", _Fork);
}

/* ---- rule 7 ---- */
/* Parses "3,5-7" into keep[]; fds beyond 63 are ignored. */
static void parse_keep(const char *list, int keep[64])
{
	char *end;

	while (*list) {
		long lo = strtol(list, &end, 10), hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (long fd = lo; fd <= hi && fd < 64; fd++)
			if (fd >= 0)
				keep[fd] = 1;
		list = *end == ',' ? end + 1 : end + strlen(end);
	}
}

/* fds 3..12 in order, then each kept fd made again by other calls. */
void check_keep(const char *list)
{
	int keep[64] = { 0 }, p[2];
	char what[64];

	parse_keep(list, keep);
	closefrom(3);
	for (int want = 3; want <= 12; want++) {
		snprintf(what, sizeof what, "rule7: open -> fd %d", want);
		expect_fd(what, open_null(0), want, !keep[want]);
	}
	for (int k = 3; k <= 12; k++) {
		if (!keep[k])
			continue;
		close(k);
		snprintf(what, sizeof what, "rule7: socket -> kept fd %d", k);
		expect_fd(what, socket(AF_UNIX, SOCK_DGRAM, 0), k, 0);
		close(k);
		snprintf(what, sizeof what, "rule7: fcntl(F_DUPFD, %d) -> kept fd %d", k, k);
		expect_fd(what, fcntl(3, F_DUPFD, k), k, 0);
		close(k);
		snprintf(what, sizeof what, "rule7: open(O_CLOEXEC) -> kept fd %d", k);
		expect_fd(what, open_null(O_CLOEXEC), k, 1);
		close(k);
		close(12);
		if (pipe(p) == 0) {
			snprintf(what, sizeof what, "rule7: pipe -> kept fd %d", k);
			expect_fd(what, p[0], k, 0);
			expect_fd("rule7: pipe -> fd 12", p[1], 12, !keep[12]);
		}
	}
}

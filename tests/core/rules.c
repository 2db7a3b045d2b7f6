/* The inheritance rules of DESIGN §2, checked one by one under forksafe.
 * Each check prints "ok: ..." or "FAIL: ..."; the exit status counts the
 * failures.  Run with LD_PRELOAD (and FORKSAFE_KEEP_FDS=40 for rule 7). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void check(const char *what, int ok)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static int cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void *nothing(void *arg)
{
	return arg;
}

/* Rule 4: in a child between fork and exec nothing is forced, until the
 * child starts a thread.  Reported through the exit status. */
static int child_rules(void)
{
	int before = open("/dev/null", O_RDONLY);
	pthread_t t;
	if (cloexec(before))
		return 1;
	pthread_create(&t, NULL, nothing, NULL);
	pthread_join(t, NULL);
	int after = open("/dev/null", O_RDONLY);
	return cloexec(after) ? 0 : 2;
}

int main(void)
{
	int fd, st;

	/* Rule 1: a program that closes 0 and opens /dev/null gets fd 0,
	 * inheritable, as daemons expect. */
	int saved = dup(0);
	close(0);
	fd = open("/dev/null", O_RDONLY);
	check("rule 1: a new fd 0 is not forced", fd == 0 && !cloexec(0));
	dup2(saved, 0);
	close(saved);

	fd = open("/dev/null", O_RDONLY);
	check("a new fd 3+ is forced", cloexec(fd));
	/* Rule 2: dup2 and dup3 targets keep their POSIX meaning. */
	check("rule 2: dup2 target is inheritable", dup2(fd, 30) == 30 && !cloexec(30));
	check("rule 2: dup3 target without O_CLOEXEC is inheritable",
	      dup3(fd, 31, 0) == 31 && !cloexec(31));
	check("rule 2: dup3 target with O_CLOEXEC is close-on-exec",
	      dup3(fd, 32, O_CLOEXEC) == 32 && cloexec(32));
	/* Rule 3: the program's own decisions stand. */
	int a = open("/dev/null", O_RDONLY);
	fcntl(a, F_SETFD, 0);
	check("rule 3: fcntl(F_SETFD, 0) makes it inheritable", !cloexec(a));
	int b = open("/dev/null", O_RDONLY);
	ioctl(b, FIONCLEX);
	check("rule 3: ioctl(FIONCLEX) makes it inheritable", !cloexec(b));
	int c = open("/dev/null", O_RDONLY);
	fcntl(c, F_SETFD, 0);
	int c2 = open("/dev/null", O_RDONLY);
	check("rule 3: later opens are still forced", cloexec(c2) && !cloexec(c));
	/* Rule 4. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_rules());
	waitpid(pid, &st, 0);
	check("rule 4: a child's new fds are not forced before exec",
	      WIFEXITED(st) && WEXITSTATUS(st) != 1);
	check("rule 4: forcing resumes once the child starts a thread",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Rule 7: FORKSAFE_KEEP_FDS=40. */
	fd = fcntl(fd, F_DUPFD, 40);
	check("rule 7: an fd listed in FORKSAFE_KEEP_FDS is not forced", fd == 40 && !cloexec(40));
	fd = fcntl(fd, F_DUPFD, 41);
	check("rule 7: the next one is", fd == 41 && cloexec(41));
	/* Rule 6 (sample; tests/core/inherit.sh covers the patterns): a forced
	 * fd named in argv reaches the child, and is forced again after. */
	fd = open("/dev/null", O_RDONLY);
	char arg[32];
	snprintf(arg, sizeof arg, "/proc/self/fd/%d", fd);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "test -e \"$0\"", arg, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	check("rule 6: an fd named as /proc/self/fd/N reaches the program",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "test -e /proc/self/fd/%d", fd);
	check("rule 6: named in a system() command, it reaches it", system(cmd) == 0);
	check("rule 6: and is close-on-exec again afterwards", cloexec(fd));
	/* The check finds the file by its name, so it names no number. */
	char unnamed[] = "/tmp/rules-unnamed.XXXXXX";
	int other = mkstemp(unnamed);
	check("rule 6: (setup) a plain mkstemp fd is forced", other >= 0 && cloexec(other));
	check("rule 6: an fd not named does not reach it",
	      system("ls -l /proc/self/fd/ | grep -q rules-unnamed") != 0);
	unlink(unnamed);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}

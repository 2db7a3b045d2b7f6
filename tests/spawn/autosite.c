/* FORKSAFE_FORK=auto (and spawn) learn per fork site: autosite AFTER ROUNDS
 *
 * Six sites fork ROUNDS times each from a process with two threads:
 * - exec_site: the child execs /bin/true at once.  Its first AFTER forks
 *   are real, every later one redirected (AFTER: FORKSAFE_AUTO_AFTER).
 * - environ_site: the child assigns environ an array of its own (as
 *   libuv's does), then execs.  Redirected like exec_site; the parent's
 *   environ is its own again after every fork.
 * - work_site: the child writes to its memory and leaves with _exit,
 *   without exec (a prefork worker, a snapshot writer).
 * - thread_site: the child starts a thread, then execs.
 * - mixed_site: children exec at once, except the third, which works and
 *   leaves without exec (vetoing the site when it is watched: AFTER > 2;
 *   else it is redirected, as exec_site).
 * - write_site: the child writes a global, then execs (CPython's child
 *   rewrites the interpreter's state so): it would write its parent's
 *   memory if it were redirected.
 * All but the first two keep real fork semantics every time.  Each
 * child tells, through a pipe (no memory of its own written), whether it
 * shares its parent's memory (kcmp KCMP_VM).  Prints "site N: R..."
 * lines (R: redirected, F: real fork).  Exit status 77 where kcmp is not
 * allowed. */
#define _GNU_SOURCE
#include "spawntest.h"
#include <fcntl.h>

#define SITES 6

static volatile int child_wrote;
static int tell_fd;
static char *child_env[] = { "AUTOSITE_CHILD=1", NULL };

static void *nothing(void *arg)
{
	return arg;
}

/* 'R' when this child runs in its parent's memory, else 'F'. */
static void tell(void)
{
	char c = shared_with_parent();
	if (write(tell_fd, &c, 1) != 1)
		_exit(126);
}

/* Each site is one call of fork in a function of its own. */
__attribute__((noinline)) static pid_t exec_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		tell();
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t environ_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		tell();
		environ = child_env;
		execlp("env", "env", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t work_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		tell();
		for (int i = 0; i < 1000; i++)
			child_wrote = i + 1;
		_exit(0);
	}
	return pid;
}

__attribute__((noinline)) static pid_t thread_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		tell();
		if (pthread_create(&t, NULL, nothing, NULL) == 0)
			pthread_join(t, NULL);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t mixed_site(int round)
{
	pid_t pid = fork();
	if (pid == 0) {
		tell();
		if (round == 2)
			_exit(0);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t write_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		tell();
		child_wrote = 1;
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* One fork from a site: what the child told, '?' when it did not end
 * well. */
static char one(int site, int round, int rfd)
{
	char **env = environ, c = '?';
	pid_t pid;
	int status;

	switch (site) {
	case 0: pid = exec_site(); break;
	case 1: pid = environ_site(); break;
	case 2: pid = work_site(); break;
	case 3: pid = thread_site(); break;
	case 4: pid = mixed_site(round); break;
	default: pid = write_site(); break;
	}
	status = pid > 0 ? wait_status(pid, 10) : -3;
	if (read(rfd, &c, 1) != 1 || !exited_with(status, 0))
		return '?';
	if (environ != env || !getenv("PATH"))
		return 'E';	/* the parent's environment was lost */
	return c;
}

int main(int argc, char **argv)
{
	static const char *const names[SITES] = {
		"exec_site", "environ_site", "work_site", "thread_site", "mixed_site", "write_site",
	};
	int after = argc > 1 ? atoi(argv[1]) : 3, rounds = argc > 2 ? atoi(argv[2]) : 8;
	char seen[SITES][64] = { { 0 } }, want[64];
	int fds[2];

	if (rounds < 1 || rounds > 63 || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return 2;
	need_kcmp();
	tell_fd = fds[1];
	start_idle_thread();
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < SITES; s++)
			seen[s][r] = one(s, r, fds[0]);
	for (int s = 0; s < SITES; s++)
		printf("site %s: %s\n", names[s], seen[s]);
	for (int r = 0; r < rounds; r++)
		want[r] = r < after ? 'F' : 'R';
	want[rounds] = '\0';
	for (int s = 0; s < 2; s++)
		check(!strcmp(seen[s], want), "%s: real forks until %d children exec'd, then "
		      "redirected (%s, want %s)", names[s], after, seen[s], want);
	/* mixed_site's third child vetoes its site only if it is watched
	 * (a real fork): after more than 2 children that exec'd. */
	if (after <= 2)
		check(!strcmp(seen[4], want), "mixed_site: its third child came after the site "
		      "was learnt: redirected like exec_site (%s, want %s)", seen[4], want);
	memset(want, 'F', (size_t)rounds);
	for (int s = 2; s < SITES; s++)
		if (s != 4 || after > 2)
			check(!strcmp(seen[s], want), "%s: always a real fork (%s)", names[s],
			      seen[s]);
	return finish();
}

/* FORKSAFE_FORK=auto learns per fork site: autosite AFTER ROUNDS
 *
 * Four sites fork ROUNDS times each from a process with two threads:
 * - exec_site: the child execs /bin/true at once.  Its first AFTER forks
 *   are real, every later one redirected (AFTER: FORKSAFE_AUTO_AFTER).
 * - work_site: the child writes to its memory and leaves with _exit,
 *   without exec (a prefork worker, a snapshot writer).
 * - thread_site: the child starts a thread, then execs.
 * - mixed_site: children exec at once, except the third, which works and
 *   leaves without exec.
 * The last three keep real fork semantics every time: the parent never
 * sees what their children write.  Each child writes to a global before
 * it execs or leaves; the parent sees it only if the fork was redirected.
 * Prints "site N: R..." lines (R: redirected, F: real fork). */
#define _GNU_SOURCE
#include "spawntest.h"

static volatile int child_wrote;

static void *nothing(void *arg)
{
	return arg;
}

/* Each site is one call of fork in a function of its own. */
__attribute__((noinline)) static pid_t exec_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		child_wrote = 1;
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t work_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
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
		child_wrote = 1;
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
		child_wrote = 1;
		if (round == 2)
			_exit(0);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* One fork from a site: 'R' when the child ran in this memory, 'F' when
 * it did not, '?' when it did not end well. */
static char one(int site, int round)
{
	pid_t pid;
	int status;

	child_wrote = 0;
	switch (site) {
	case 0: pid = exec_site(); break;
	case 1: pid = work_site(); break;
	case 2: pid = thread_site(); break;
	default: pid = mixed_site(round); break;
	}
	status = pid > 0 ? wait_status(pid, 10) : -3;
	if (!exited_with(status, 0))
		return '?';
	return child_wrote ? 'R' : 'F';
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "exec_site", "work_site", "thread_site", "mixed_site" };
	int after = argc > 1 ? atoi(argv[1]) : 3, rounds = argc > 2 ? atoi(argv[2]) : 8;
	char seen[4][64] = { { 0 } }, want[64];

	if (rounds < 1 || rounds > 63)
		return 2;
	start_idle_thread();
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < 4; s++)
			seen[s][r] = one(s, r);
	for (int s = 0; s < 4; s++)
		printf("site %s: %s\n", names[s], seen[s]);
	for (int r = 0; r < rounds; r++)
		want[r] = r < after ? 'F' : 'R';
	want[rounds] = '\0';
	check(!strcmp(seen[0], want), "exec_site: real forks until %d children exec'd, then "
	      "redirected (%s, want %s)", after, seen[0], want);
	memset(want, 'F', (size_t)rounds);
	for (int s = 1; s < 4; s++)
		check(!strcmp(seen[s], want), "%s: always a real fork, the child's writes never "
		      "seen (%s)", names[s], seen[s]);
	return finish();
}

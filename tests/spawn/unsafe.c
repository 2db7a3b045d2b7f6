/* FORKSAFE_FORK=spawn and children that do what a spawn cannot serve:
 * unsafe ROUNDS
 *
 * From a process with two threads, three sites fork ROUNDS times each:
 * - thread_site: the child starts a thread, then execs.  The first
 *   child is redirected and refused the thread (EAGAIN: it would run in
 *   the parent's memory); every later fork of the site is a real one,
 *   whose child gets its thread.
 * - fork_site: the child forks (a real fork), then execs: the first
 *   child is redirected, every later fork is real.
 * - environ_site: the child assigns environ an array of its own (and
 *   getopt's optind and opterr), then
 *   execs env: every fork is redirected, the child's program sees the
 *   child's environment and the parent keeps its own.
 * Each child tells through a pipe whether it shares its parent's memory
 * (kcmp KCMP_VM) and what pthread_create returned.  Prints "site N: ..."
 * lines: R (redirected) or F (real), and for thread_site the thread's
 * result (t: started, A: EAGAIN).  Exit status 77 where kcmp is not
 * allowed. */
#define _GNU_SOURCE
#include "spawntest.h"
#include <fcntl.h>

static int tell_fd;
static char *child_env[] = { "UNSAFE_CHILD=1", NULL };

static void *nothing(void *arg)
{
	return arg;
}

static void tell(char extra)
{
	char c[2] = { shared_with_parent(), extra };
	if (write(tell_fd, c, extra ? 2 : 1) < 1)
		_exit(126);
}

__attribute__((noinline)) static pid_t thread_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		int e = pthread_create(&t, NULL, nothing, NULL);
		if (e == 0)
			pthread_join(t, NULL);
		tell(e == 0 ? 't' : e == EAGAIN ? 'A' : '?');
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t fork_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pid_t g;
		int status;
		tell(0);
		g = fork();
		if (g == 0)
			_exit(0);
		if (g < 0 || waitpid(g, &status, 0) != g)
			_exit(125);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

__attribute__((noinline)) static pid_t environ_site(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		tell(0);
		environ = child_env;
		optind = 77;	/* getopt's globals too: the parent keeps its own */
		opterr = 0;
		execlp("env", "env", (char *)NULL);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 4, fds[2], n;
	char seen[3][128] = { { 0 } }, want[128], **env = environ;

	if (rounds < 2 || rounds > 60 || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return 2;
	need_kcmp();
	tell_fd = fds[1];
	start_idle_thread();
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < 3; s++) {
			pid_t pid = s == 0 ? thread_site() : s == 1 ? fork_site() : environ_site();
			int status = pid > 0 ? wait_status(pid, 10) : -3;
			char c[2] = { '?', '?' };
			n = (int)read(fds[0], c, 2);
			if (n < 1 || !exited_with(status, 0))
				c[0] = '?';
			strncat(seen[s], c, s == 0 ? 2 : 1);
			if (environ != env || !getenv("PATH") || optind != 1 || opterr != 1)
				seen[s][strlen(seen[s]) - 1] = 'E';
		}
	printf("site thread_site: %s\nsite fork_site: %s\nsite environ_site: %s\n", seen[0],
	       seen[1], seen[2]);
	strcpy(want, "RA");
	for (int r = 1; r < rounds; r++)
		strcat(want, "Ft");
	check(!strcmp(seen[0], want), "thread_site: the redirected child is refused its thread, "
	      "later forks are real (%s, want %s)", seen[0], want);
	strcpy(want, "R");
	for (int r = 1; r < rounds; r++)
		strcat(want, "F");
	check(!strcmp(seen[1], want), "fork_site: later forks are real (%s, want %s)", seen[1],
	      want);
	memset(want, 'R', (size_t)rounds);
	want[rounds] = '\0';
	check(!strcmp(seen[2], want), "environ_site: redirected, the parent's environ kept "
	      "(%s, want %s)", seen[2], want);
	return finish();
}

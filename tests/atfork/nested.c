/* Handlers that register handlers: nested
 *
 * A's prepare handler registers P, A's parent handler registers Q (the
 * first time only).  Forks twice and prints the calls of each fork in
 * the parent and the child: the handlers registered during a fork run
 * from the next one on. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char calls[4096];
static int registered_p, registered_q;

static void record(const char *what)
{
	size_t len = strlen(calls);
	snprintf(calls + len, sizeof calls - len, "%s%s", len ? " " : "", what);
}

#define HANDLERS(name) \
	static void prepare_##name(void) { record("prepare:" #name); } \
	static void parent_##name(void) { record("parent:" #name); } \
	static void child_##name(void) { record("child:" #name); }
HANDLERS(P)
HANDLERS(Q)

static void prepare_A(void)
{
	record("prepare:A");
	if (!registered_p++)
		pthread_atfork(prepare_P, parent_P, child_P);
}

static void parent_A(void)
{
	record("parent:A");
	if (!registered_q++)
		pthread_atfork(prepare_Q, parent_Q, child_Q);
}

static void child_A(void)
{
	record("child:A");
}

static void fork_and_print(const char *tag)
{
	char child[4096];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		exit(2);
	calls[0] = '\0';
	pid = fork();
	if (pid == 0) {
		if (write(fds[1], calls, strlen(calls)) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], child, sizeof child - 1);
	child[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		exit(2);
	printf("%s parent: %s\n%s child: %s\n", tag, calls, tag, child);
}

int main(void)
{
	pthread_atfork(prepare_A, parent_A, child_A);
	fork_and_print("first");
	fork_and_print("second");
	return 0;
}

/* The order fork handlers run in: order LIBRARY [threaded]
 *
 * Registers handlers A, loads LIBRARY (which registers its own), then
 * registers C; forks and prints which handlers ran, in order, in the
 * parent and in the child ("loaded parent: prepare:C prepare:lib ...").
 * Then unloads LIBRARY, checks it is gone, and forks again ("unloaded
 * ...").  threaded: a second thread runs during the forks. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char calls[4096];

/* Called by the handlers, the library's too (exported). */
void order_record(const char *what)
{
	size_t len = strlen(calls);
	snprintf(calls + len, sizeof calls - len, "%s%s", len ? " " : "", what);
}

#define HANDLERS(name) \
	static void prepare_##name(void) { order_record("prepare:" #name); } \
	static void parent_##name(void) { order_record("parent:" #name); } \
	static void child_##name(void) { order_record("child:" #name); }
HANDLERS(A)
HANDLERS(C)

static void die(const char *what)
{
	fprintf(stderr, "order: %s\n", what);
	exit(2);
}

/* The child sends its record through a pipe: both are printed. */
static void fork_and_print(const char *tag)
{
	char child[4096];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		die("pipe");
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
		die("child");
	printf("%s parent: %s\n%s child: %s\n", tag, calls, tag, child);
}

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	void *lib;
	pthread_t t;

	if (argc < 2)
		die("usage: order LIBRARY [threaded]");
	if (argc > 2 && pthread_create(&t, NULL, park, NULL) != 0)
		die("pthread_create");
	pthread_atfork(prepare_A, parent_A, child_A);
	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib)
		die(dlerror());
	pthread_atfork(prepare_C, parent_C, child_C);
	fork_and_print("loaded");
	if (dlclose(lib) != 0)
		die("dlclose");
	if (dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD))
		die("the library is still loaded after dlclose");
	fork_and_print("unloaded");
	return 0;
}

/* Libraries with fork handlers unloaded around forks: unload LIBRARY CASE
 *
 *   during   the program registers handlers A, then loads the library; a
 *            second thread forks.  Prepare handlers run in reverse
 *            order: the library's, then A's, which sleeps 300 ms while
 *            the main thread dlcloses the library.  As in glibc 2.35 and
 *            later, dlclose does not wait for the fork, and the fork must
 *            not call the unloaded library's parent handler (its code is
 *            gone: a crash).  Prints the handlers the fork ran.
 *   cycles   loads and unloads the library 10000 times (each load
 *            registers its handlers again), then registers one more set:
 *            the registration succeeds and a fork runs the handlers that
 *            are left, once each.
 *   finalize the library registers an atexit function, then is unloaded:
 *            libc runs that function (forksafe's __cxa_finalize must
 *            reach libc's), and a fork runs no handler of the library.
 *            Prints what ran.
 * Exits 0 when the case behaved, 1 with a message when not. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char calls[4096];
static sem_t in_prepare;
static int slow_prepare_A;

/* Called by the handlers, the library's too (exported). */
void order_record(const char *what)
{
	size_t len = strlen(calls);
	snprintf(calls + len, sizeof calls - len, "%s%s", len ? " " : "", what);
	if (slow_prepare_A && !strcmp(what, "prepare:A")) {
		sem_post(&in_prepare);
		usleep(300000);
	}
}

static void prepare_A(void) { order_record("prepare:A"); }
static void parent_A(void) { order_record("parent:A"); }
static void child_A(void) { order_record("child:A"); }

static int failed(const char *what)
{
	fprintf(stderr, "unload: %s\n", what);
	return 1;
}

static pid_t fork_and_reap(void)
{
	int status;
	pid_t pid;

	calls[0] = '\0';
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return -1;
	return pid;
}

static void *forker(void *arg)
{
	*(pid_t *)arg = fork_and_reap();
	return NULL;
}

static int during(const char *path)
{
	pthread_t t;
	pid_t pid = 0;
	void *lib;

	if (pthread_atfork(prepare_A, parent_A, child_A) != 0)
		return failed("pthread_atfork");
	if (!(lib = dlopen(path, RTLD_NOW)))
		return failed(dlerror());
	sem_init(&in_prepare, 0, 0);
	slow_prepare_A = 1;
	if (pthread_create(&t, NULL, forker, &pid) != 0)
		return failed("pthread_create");
	sem_wait(&in_prepare);
	if (dlclose(lib) != 0)
		return failed("dlclose");
	pthread_join(t, NULL);
	if (pid <= 0)
		return failed("the fork failed");
	printf("%s\n", calls);
	if (dlopen(path, RTLD_NOW | RTLD_NOLOAD))
		return failed("the library is still loaded after dlclose");
	return 0;
}

static int cycles(const char *path)
{
	for (int i = 0; i < 10000; i++) {
		void *lib = dlopen(path, RTLD_NOW);
		if (!lib)
			return failed(dlerror());
		if (dlclose(lib) != 0)
			return failed("dlclose");
	}
	if (pthread_atfork(prepare_A, parent_A, child_A) != 0)
		return failed("pthread_atfork failed after 10000 loads and unloads");
	if (fork_and_reap() <= 0)
		return failed("the fork failed");
	printf("%s\n", calls);
	return 0;
}

static int finalize(const char *path)
{
	void *lib = dlopen(path, RTLD_NOW);
	int (*arm)(void);

	if (!lib)
		return failed(dlerror());
	*(void **)&arm = dlsym(lib, "lib_arm_atexit");
	if (!arm || arm() != 0)
		return failed("lib_arm_atexit");
	calls[0] = '\0';
	if (dlclose(lib) != 0)
		return failed("dlclose");
	printf("%s\n", calls);
	if (fork_and_reap() <= 0)
		return failed("the fork failed");
	printf("fork:%s\n", calls);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[2], "finalize"))
		return finalize(argv[1]);
	if (argc == 3 && !strcmp(argv[2], "during"))
		return during(argv[1]);
	if (argc == 3 && !strcmp(argv[2], "cycles"))
		return cycles(argv[1]);
	fprintf(stderr, "usage: unload LIBRARY during|cycles|finalize\n");
	return 2;
}

/* Forks in the ways the diagnostic tests ask for: mtfork MODE [PATH].
 *
 * Modes with three extra threads (four in all): exported, static,
 * marker PATH, forkpty, daemon PATH, _Fork, vfork, posix_spawn, system,
 * popen.
 * Without extra threads: single, single-marker PATH.  One thread made
 * inside libc (a SIGEV_THREAD timer): libc-thread.
 *
 * Prints "ok MODE" and exits 0 when everything it did worked.  Linked
 * with -export-dynamic: the exported functions (spawn_child_here,
 * forkpty_here, daemon_here) have dynamic symbols; static_fork_here
 * is only in .symtab. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *park(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static void start_threads(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, park, NULL) != 0)
			die("pthread_create");
	}
}

static void wait_ok(pid_t pid)
{
	int status;

	if (pid < 0)
		die("fork");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("child");
}

/* Listed in the mt-fork report's atfork list. */
void mtfork_prepare(void)
{
}

/* The reports must name these two as the caller of fork. */
__attribute__((noinline, noclone)) pid_t spawn_child_here(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return pid;
}

/* Not the same code as spawn_child_here, or the compiler folds the two
 * into one. */
static volatile int static_forks;

__attribute__((noinline, noclone)) static pid_t static_fork_here(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	static_forks++;
	return pid;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		_exit(3);
	close(fd);
}

static void fork_with_marker(const char *path)
{
	pid_t pid;

	printf("before-fork\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		touch(path);
		_exit(0);
	}
	wait_ok(pid);
	printf("after-fork\n");
}

static void timer_callback(union sigval v)
{
	(void)v;
}

/* glibc starts a helper thread for SIGEV_THREAD timers itself, not
 * through pthread_create. */
static void libc_thread(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD,
				.sigev_notify_function = timer_callback };
	timer_t timer;

	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0)
		die("timer_create");
}

__attribute__((noinline, noclone)) void forkpty_here(void)
{
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);

	if (pid == 0)
		_exit(0);
	wait_ok(pid);
	close(master);
}

__attribute__((noinline, noclone)) void daemon_here(const char *path)
{
	if (daemon(1, 1) != 0)
		die("daemon");
	/* The daemon: the only thread of a new process. */
	touch(path);
}

/* _Fork: a fork without atfork handlers (glibc 2.34). */
static void do_underscore_fork(void)
{
	pid_t pid = _Fork();
	if (pid == 0)
		_exit(0);
	wait_ok(pid);
}

static void do_vfork(void)
{
	pid_t pid = vfork();
	if (pid == 0)
		_exit(0);
	wait_ok(pid);
}

static void do_spawn(void)
{
	char *argv[] = { "true", NULL };
	pid_t pid;

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0)
		die("posix_spawn");
	wait_ok(pid);
}

static void do_popen(void)
{
	FILE *f = popen("true", "r");
	if (!f || pclose(f) != 0)
		die("popen");
}

static int threaded_mode(const char *mode, const char *path)
{
	if (strcmp(mode, "exported") == 0)
		wait_ok(spawn_child_here());
	else if (strcmp(mode, "static") == 0)
		wait_ok(static_fork_here());
	else if (strcmp(mode, "marker") == 0 && path)
		fork_with_marker(path);
	else if (strcmp(mode, "forkpty") == 0)
		forkpty_here();
	else if (strcmp(mode, "daemon") == 0 && path)
		daemon_here(path);
	else if (strcmp(mode, "_Fork") == 0)
		do_underscore_fork();
	else if (strcmp(mode, "vfork") == 0)
		do_vfork();
	else if (strcmp(mode, "posix_spawn") == 0)
		do_spawn();
	else if (strcmp(mode, "system") == 0) {
		if (system("true") != 0)
			die("system");
	} else if (strcmp(mode, "popen") == 0)
		do_popen();
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *path = argc > 2 ? argv[2] : NULL;

	pthread_atfork(mtfork_prepare, NULL, NULL);
	if (strcmp(mode, "single") == 0) {
		wait_ok(spawn_child_here());
	} else if (strcmp(mode, "single-marker") == 0 && path) {
		fork_with_marker(path);
	} else if (strcmp(mode, "libc-thread") == 0) {
		libc_thread();
		wait_ok(spawn_child_here());
	} else {
		start_threads(3);
		if (threaded_mode(mode, path) != 0) {
			fprintf(stderr, "usage: mtfork MODE [PATH]\n");
			return 2;
		}
	}
	printf("ok %s\n", mode);
	return 0;
}

/* A redirected child whose exec fails and that then exits: exits LOG
 *
 * The parent has an atexit handler (it appends "atexit pid=PID" to LOG)
 * and text in its standard output buffer, not yet written.  One child
 * execs a missing program and calls exit(3), another does the same and
 * calls _exit(127).  The parent must see both statuses; the child's exit
 * must run none of the parent's handlers and flush none of its buffers:
 * LOG ends with one line, the parent's, and "pending-text" is written
 * once, by the parent at its own exit (the shell driver counts both). */
#define _GNU_SOURCE
#include "spawntest.h"
#include <fcntl.h>

static const char *log_path;

static void at_exit(void)
{
	char line[64];
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
	int n = snprintf(line, sizeof line, "atexit pid=%d\n", (int)getpid());
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			_exit(99);
		close(fd);
	}
}

static void failed_exec(int use_exit, int code)
{
	pid_t pid;
	int status;

	redirected = 0;
	pid = fork();
	if (pid == 0) {
		redirected = 1;
		execl("/nonexistent/forksafe-test", "x", (char *)NULL);
		if (use_exit)
			exit(code);
		_exit(code);
	}
	status = wait_status(pid, 10);
	check(redirected == 1, "%s: the fork was redirected", use_exit ? "exit" : "_exit");
	check(exited_with(status, code), "%s(%d) after a failed exec: the parent sees status %d "
	      "(%#x)", use_exit ? "exit" : "_exit", code, code, status);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exits LOG\n");
		return 2;
	}
	log_path = argv[1];
	atexit(at_exit);
	start_idle_thread();
	/* Fully buffered, whatever stdout is: the text stays in the buffer. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	fputs("pending-text\n", stdout);
	failed_exec(1, 3);
	failed_exec(0, 127);
	fprintf(stderr, "parent pid=%d\n", (int)getpid());
	exit(finish());
}

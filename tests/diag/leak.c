/* Leaks a file and a socket into a new program: leak FILE [exec|spawn].
 *
 * Opens FILE (in open_the_file), a listening TCP socket on 127.0.0.1 (in
 * make_the_socket), and FILE again made inheritable on purpose (fcntl),
 * prints "file=N socket=N kept=N", then runs /bin/true through fork and
 * execv (in exec_true_here) or posix_spawn.  Exits 0 when /bin/true did. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

__attribute__((noinline, noclone)) int open_the_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	return fd;
}

__attribute__((noinline, noclone)) int make_the_socket(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1) != 0)
		die("bind");
	return fd;
}

static int open_inheritable(const char *path)
{
	int fd = open_the_file(path);
	if (fcntl(fd, F_SETFD, 0) != 0)
		die("fcntl");
	return fd;
}

__attribute__((noinline, noclone)) pid_t exec_true_here(void)
{
	char *argv[] = { "true", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	return pid;
}

static pid_t spawn_true(void)
{
	char *argv[] = { "true", NULL };
	pid_t pid;

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0)
		die("posix_spawn");
	return pid;
}

int main(int argc, char **argv)
{
	int file, sock, kept, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: leak FILE [exec|spawn]\n");
		return 2;
	}
	file = open_the_file(argv[1]);
	sock = make_the_socket();
	kept = open_inheritable(argv[1]);
	printf("file=%d socket=%d kept=%d\n", file, sock, kept);
	fflush(stdout);
	pid = argc > 2 && strcmp(argv[2], "spawn") == 0 ? spawn_true() : exec_true_here();
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("/bin/true");
	return 0;
}

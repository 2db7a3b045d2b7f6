/* A vfork child's fd calls are its own: vforktable [--probe N PATH]
 *
 * The program opens a file without O_CLOEXEC, so forksafe forces the
 * flag and records that it did.  Then, for each call a child prepares
 * its fds with (close, close_range, closefrom, dup2, fcntl F_SETFD,
 * ioctl FIONCLEX), a vfork child makes that call on the fd and exits;
 * and a fork+exec whose arguments name the fd (/dev/fd/N, DESIGN §2
 * rule 6) must find it open in the new program, as it would be without
 * forksafe.  A vfork child that wrote the parent's fd table would have
 * erased the mark, and the fd would not reach the program.  Each round
 * runs from a process with a second thread too (vfork is then the
 * cheap way to spawn).  --probe N PATH: exit 0 when fd N is open. */
#define _GNU_SOURCE
#include "spawntest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

static const char *self;

static void child_call(int how, int fd)
{
	switch (how) {
	case 0: close(fd); break;
	case 1: close_range(3, ~0U, 0); break;
	case 2: closefrom(3); break;
	case 3: dup2(0, fd); break;
	case 4: fcntl(fd, F_SETFD, FD_CLOEXEC); break;
	case 5: ioctl(fd, FIONCLEX); break;
	case 6: fcntl(fd, F_SETFD, 0); break;
	case 7: syscall(SYS_close_range, 3, ~0U, 0); break;
	}
}

static const char *const names[] = {
	"close", "close_range", "closefrom", "dup2", "fcntl(F_SETFD, FD_CLOEXEC)",
	"ioctl(FIONCLEX)", "fcntl(F_SETFD, 0)", "syscall(SYS_close_range)",
};

/* The fd reaches a program that is told about it. */
static int reaches(int fd)
{
	char num[16], path[32];
	int status;
	pid_t pid;

	snprintf(num, sizeof num, "%d", fd);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "--probe", num, path, (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static void round_of(const char *when)
{
	for (int how = 0; how < (int)(sizeof names / sizeof names[0]); how++) {
		int fd = open("/dev/null", O_RDONLY), status, e;
		pid_t pid, w;

		errno = 0;
		pid = vfork();
		if (pid == 0) {
			child_call(how, fd);
			_exit(0);
		}
		e = errno;
		w = waitpid(pid, &status, 0);
		check(pid > 0 && w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s, %s: vfork child ran and exited", when, names[how]);
		check(pid < 0 || e == 0, "%s, %s: vfork leaves errno alone (%d)", when, names[how],
		      e);
		check(fcntl(fd, F_GETFD) >= 0, "%s, %s: the fd is still open in the parent", when,
		      names[how]);
		check(reaches(fd), "%s, %s in a vfork child: the fd reaches a program named it",
		      when, names[how]);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--probe") == 0)
		return fcntl(atoi(argv[2]), F_GETFD) >= 0 ? 0 : 1;
	self = argv[0];
	round_of("one thread");
	start_idle_thread();
	round_of("two threads");
	return finish();
}

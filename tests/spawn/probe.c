/* What a program exec'd by a spawn test sees: probe [NAME...]
 *
 * Prints one line per item: each NAME ("NAME=value" or "NAME unset"),
 * "cwd=DIR", "sigpipe=default|ignored|handled", "usr1_blocked=0|1",
 * "ids=UID,EUID,GID,GROUPS" (GROUPS: how many supplementary groups),
 * "fds=N,N,..." (the fds above 2 it inherited: open and not
 * close-on-exec, unlike its own, forksafe's log included) and
 * "env_count=N". */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

static void print_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int first = 1;

	printf("fds=");
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd <= 2 || (fcntl(fd, F_GETFD) & FD_CLOEXEC))
			continue;
		printf(first ? "%d" : ",%d", fd);
		first = 0;
	}
	printf("\n");
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	char cwd[4096];
	struct sigaction sa;
	sigset_t mask;
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = getenv(argv[i]);
		if (v)
			printf("%s=%s\n", argv[i], v);
		else
			printf("%s unset\n", argv[i]);
	}
	printf("cwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
	sigaction(SIGPIPE, NULL, &sa);
	printf("sigpipe=%s\n", sa.sa_handler == SIG_DFL ? "default"
			       : sa.sa_handler == SIG_IGN ? "ignored" : "handled");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	printf("usr1_blocked=%d\n", sigismember(&mask, SIGUSR1));
	printf("ids=%d,%d,%d,%d\n", (int)getuid(), (int)geteuid(), (int)getgid(),
	       getgroups(0, NULL));
	print_fds();
	while (environ && environ[n])
		n++;
	printf("env_count=%zu\n", n);
	return 0;
}

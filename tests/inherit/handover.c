/* The fds a new program gets on purpose (core/inherit.c), case by case:
 *
 *   handover CASE FDLIST
 *
 * FDLIST is the path of tests/inherit/fdlist, which the cases run to see
 * what a child starts with.  Each case prints "ok: ..." lines and exits 1
 * on the first thing that is not as the program alone would have it:
 *
 *   pipes    a JVM-style launcher: a program told about one of the pipes
 *            the spawning thread made gets all of them (with no file
 *            actions, and with the caller's own), and only that spawn
 *            does; a program told about none gets none; another
 *            thread's pipes never reach it; the parent's fds stay
 *            close-on-exec all along (no fcntl clears the flag in the
 *            parent: spy.c counts).  Natively everything is inherited.
 *   listen   a listening socket listed in the environment under any name
 *            (nginx's NGINX="N;", Server::Starter's ADDR=N) reaches the
 *            new program; another kind of fd listed so does not (under
 *            forksafe).
 *   recvmsg  an fd received through syscall(SYS_recvmsg) is forced and
 *            reaches a program whose arguments name it.
 *   many N   LISTEN_FDS=N hands fds 3..N+2 to the new program: all of
 *            them arrive, whatever N.
 *   high     (root) a process that raises its fd limit after start-up:
 *            an fd far beyond the first table is forced, and reaches a
 *            program that names it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
extern int spy_watching, spy_cleared;	/* spy.c */

static const char *fdlist;
static int forced;	/* the module is loaded: a plain pipe is close-on-exec */

static void fail(const char *what)
{
	printf("FAIL: %s\n", what);
	exit(1);
}

static void check(int ok, const char *what)
{
	if (!ok)
		fail(what);
	printf("ok: %s\n", what);
}

static int cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

/* Runs argv with posix_spawn (fa may be NULL), its output in out. */
static void spawn_out(const posix_spawn_file_actions_t *fa, char *const argv[], char *const envp[],
		      char *out, size_t n)
{
	posix_spawn_file_actions_t mine;
	int p[2], status;
	ssize_t got = 0, r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		fail("pipe2");
	/* The caller's actions, then the output to p[1] (dup2 clears the
	 * flag on the copy). */
	if (fa)
		mine = *fa;
	else if (posix_spawn_file_actions_init(&mine) != 0)
		fail("posix_spawn_file_actions_init");
	posix_spawn_file_actions_adddup2(&mine, p[1], 1);
	spy_watching = 1;
	r = posix_spawn(&pid, argv[0], &mine, NULL, argv, envp);
	spy_watching = 0;
	if (r != 0)
		fail("posix_spawn");
	close(p[1]);
	while (got < (ssize_t)n - 1 && (r = read(p[0], out + got, n - 1 - (size_t)got)) > 0)
		got += r;
	out[got > 0 ? got : 0] = '\0';
	if (got > 0 && out[got - 1] == '\n')
		out[got - 1] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || status != 0)
		fail("the child's status");
}

/* Whether the fd list line has fd (and, with suffix 'L', as listening). */
static int lists(const char *line, int fd, const char *suffix)
{
	char want[32];
	const char *p = line;
	size_t len = (size_t)snprintf(want, sizeof want, " %d%s", fd, suffix);
	while ((p = strstr(p, want)) != NULL) {
		char c = p[len];
		if (c == ' ' || c == '\0' || (c == 'L' && !*suffix))
			return 1;
		p += len;
	}
	return 0;
}

static int other_pipe[2];

static void *make_other(void *arg)
{
	if (pipe(other_pipe) != 0)
		fail("pipe in another thread");
	return arg;
}

static void case_pipes(void)
{
	char out[4096], what[320], num[16];
	char *argv[] = { (char *)fdlist, num, NULL }, *bare[] = { (char *)fdlist, NULL };
	posix_spawn_file_actions_t fa;
	pthread_t t;
	int p[2], r[2], s2[2], q[2], u[2], x[2];

	/* A pipe this thread makes and closes, whose numbers the other
	 * thread's pipe then takes: still the other thread's. */
	if (pipe(x) != 0 || close(x[0]) != 0 || close(x[1]) != 0)
		fail("pipe");
	if (pthread_create(&t, NULL, make_other, NULL) != 0 || pthread_join(t, NULL) != 0)
		fail("pthread");
	check(other_pipe[0] == x[0] && other_pipe[1] == x[1],
	      "another thread's pipe takes the numbers of one this thread closed");

	/* Two pipes; the program is told about both ends of the first. */
	if (pipe(p) != 0 || pipe(r) != 0)
		fail("pipe");
	snprintf(num, sizeof num, "%d:%d", p[0], p[1]);
	spy_cleared = 0;
	spawn_out(NULL, argv, environ, out, sizeof out);
	snprintf(what, sizeof what, "told \"%s\", a spawn gets both of this thread's pipes "
		 "%d,%d and %d,%d (%s)", num, p[0], p[1], r[0], r[1], out);
	check(lists(out, p[0], "") && lists(out, p[1], "") && lists(out, r[0], "") &&
	      lists(out, r[1], ""), what);
	snprintf(what, sizeof what, "another thread's pipe %d,%d %s (%s)", other_pipe[0],
		 other_pipe[1], forced ? "does not" : "does (natively)", out);
	check(forced == !(lists(out, other_pipe[0], "") || lists(out, other_pipe[1], "")), what);
	spawn_out(NULL, bare, environ, out, sizeof out);
	snprintf(what, sizeof what, "the pipes %s the next spawn, told about none (%s)",
		 forced ? "do not reach" : "reach (natively)", out);
	check(forced == !lists(out, r[0], ""), what);

	/* A pipe made for the thread's own use: the spawn is told nothing,
	 * then about one end only (a redirection): that end alone. */
	if (pipe(s2) != 0)
		fail("pipe");
	spawn_out(NULL, bare, environ, out, sizeof out);
	snprintf(what, sizeof what, "a pipe %d,%d the program is not told about %s (%s)", s2[0],
		 s2[1], forced ? "does not reach it" : "reaches it (natively)", out);
	check(forced == !(lists(out, s2[0], "") || lists(out, s2[1], "")), what);
	if (pipe(s2) != 0)
		fail("pipe");
	snprintf(num, sizeof num, "%d", s2[1]);
	spawn_out(NULL, argv, environ, out, sizeof out);
	snprintf(what, sizeof what, "told about one end, %d, of a pipe, the program %s the other "
		 "(%s)", s2[1], forced ? "does not get" : "gets (natively)", out);
	check(lists(out, s2[1], "") && forced == !lists(out, s2[0], ""), what);

	/* With the caller's own file actions, which close one end. */
	if (pipe(q) != 0 || pipe(u) != 0 || posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addclose(&fa, q[0]) != 0)
		fail("pipe, file actions");
	snprintf(num, sizeof num, "%d,%d", q[0], q[1]);
	spawn_out(&fa, argv, environ, out, sizeof out);
	snprintf(what, sizeof what, "with the caller's file actions (close %d), told \"%s\": "
		 "%d, %d and %d arrive, %d does not (%s)", q[0], num, q[1], u[0], u[1], q[0], out);
	check(lists(out, q[1], "") && lists(out, u[0], "") && lists(out, u[1], "") &&
	      !lists(out, q[0], ""), what);
	check(cloexec(q[0]) == forced && cloexec(q[1]) == forced && cloexec(p[0]) == forced &&
	      cloexec(u[0]) == forced, "the parent's ends are still as they were made");
	if (forced)
		check(spy_cleared == 0, "no fcntl took close-on-exec off in the parent meanwhile");
}

static int listener(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0)
		fail("listening socket");
	return s;
}

static void case_listen(void)
{
	char out[4096], what[256], nginx[64], columns[64], starter[96];
	char *argv[] = { (char *)fdlist, "-l", NULL };
	int s = listener(), s2 = listener(), plain = socket(AF_INET, SOCK_STREAM, 0);
	char *envp[] = { nginx, columns, starter, "PATH=/bin:/usr/bin", NULL };

	snprintf(nginx, sizeof nginx, "NGINX=%d;", s);
	snprintf(columns, sizeof columns, "HANDOFF=%d;", plain);
	snprintf(starter, sizeof starter, "SERVER_STARTER_PORT=127.0.0.1:8080=%d", s2);
	spawn_out(NULL, argv, envp, out, sizeof out);
	snprintf(what, sizeof what, "listening sockets %d (%s) and %d (%s) arrive (%s)", s, nginx,
		 s2, starter, out);
	check(lists(out, s, "L") && lists(out, s2, "L"), what);
	snprintf(what, sizeof what, "a socket that is not listening, %d (%s), %s (%s)", plain,
		 columns, forced ? "does not" : "does (natively)", out);
	check(forced == !lists(out, plain, ""), what);
}

static void case_recvmsg(void)
{
	char out[4096], what[256], num[16], ctl[CMSG_SPACE(sizeof(int))], byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof ctl };
	struct cmsghdr *c;
	int sv[2], sent = open("/dev/null", O_RDONLY | O_CLOEXEC), got;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || sent < 0)
		fail("socketpair");
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sent, sizeof sent);
	if (sendmsg(sv[0], &m, 0) != 1)
		fail("sendmsg");
	memset(ctl, 0, sizeof ctl);
	m.msg_controllen = sizeof ctl;
	if (syscall(SYS_recvmsg, sv[1], &m, 0) != 1 || !(c = CMSG_FIRSTHDR(&m)))
		fail("syscall(SYS_recvmsg)");
	memcpy(&got, CMSG_DATA(c), sizeof got);
	check(cloexec(got) == forced, "the received fd is close-on-exec under forksafe only");
	snprintf(num, sizeof num, "%d", got);
	char *argv[] = { (char *)fdlist, num, NULL };
	spawn_out(NULL, argv, environ, out, sizeof out);
	snprintf(what, sizeof what, "a program whose arguments name it (%s) gets it (%s)", num, out);
	check(lists(out, got, ""), what);
}

/* Makes fds 3 .. n+2 (forced under forksafe), then execs fdlist with
 * LISTEN_FDS=n. */
static void case_many(int n)
{
	char count[32], *argv[] = { (char *)fdlist, NULL }, *envp[] = { count, NULL };
	struct rlimit rl;
	int base;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = (rlim_t)n + 64 <= rl.rlim_max ? (rlim_t)n + 64 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	close_range(3, ~0u, 0);
	base = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (base < 0 || fcntl(base, F_DUPFD_CLOEXEC, n + 10) != n + 10 || close(base) != 0)
		fail("opening /dev/null");
	base = n + 10;
	for (int fd = 3; fd < n + 3; fd++)
		if (fcntl(base, F_DUPFD, fd) != fd)
			fail("F_DUPFD");
	check(cloexec(3) == forced && cloexec(n + 2) == forced,
	      "the fds are close-on-exec under forksafe only");
	snprintf(count, sizeof count, "LISTEN_FDS=%d", n);
	execve(fdlist, argv, envp);
	fail("execve");
}

/* Raises the fd limit (root), makes an fd far beyond the table sized at
 * start-up, and names it to fdlist. */
static void case_high(void)
{
	char out[4096], what[256], num[16];
	struct rlimit rl;
	int fd, max = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");

	if (!f || fscanf(f, "%d", &max) != 1 || max < 300000)
		fail("reading /proc/sys/fs/nr_open");
	fclose(f);
	rl.rlim_cur = rl.rlim_max = (rlim_t)max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		printf("skipped: cannot raise RLIMIT_NOFILE to %d (%s)\n", max, strerror(errno));
		exit(77);
	}
	fd = fcntl(open("/dev/null", O_RDONLY | O_CLOEXEC), F_DUPFD, max - 100);
	if (fd < 0)
		fail("F_DUPFD to a high number");
	snprintf(what, sizeof what, "fd %d, beyond the table sized at start-up, is %s", fd,
		 forced ? "forced" : "inheritable (natively)");
	check(cloexec(fd) == forced, what);
	snprintf(num, sizeof num, "%d", fd);
	char *argv[] = { (char *)fdlist, num, NULL };
	spawn_out(NULL, argv, environ, out, sizeof out);
	snprintf(what, sizeof what, "a program whose arguments name it gets it (%s)", out);
	check(lists(out, fd, ""), what);
}

int main(int argc, char **argv)
{
	int p[2];

	if (argc < 3)
		return 2;
	fdlist = argv[2];
	if ((p[0] = open("/dev/null", O_RDONLY)) < 0)
		return 2;
	forced = cloexec(p[0]);
	close(p[0]);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(argv[1], "pipes") == 0)
		case_pipes();
	else if (strcmp(argv[1], "listen") == 0)
		case_listen();
	else if (strcmp(argv[1], "recvmsg") == 0)
		case_recvmsg();
	else if (strcmp(argv[1], "many") == 0 && argc > 3)
		case_many(atoi(argv[3]));
	else if (strcmp(argv[1], "high") == 0)
		case_high();
	else
		return 2;
	return 0;
}

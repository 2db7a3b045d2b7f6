/* fsdemo: what forksafe is for, in two seconds.
 *
 * Three worker threads open files, sockets and pipes the ordinary way
 * (open, socket, pipe: no close-on-exec), as most code does, while the
 * main thread runs child programs (fork + exec of this program in
 * --child mode).  Each child lists the fds it inherited beyond 0-2.
 * Without forksafe the children get the workers' fds by accident; under
 * forksafe they get none.  Run it both ways:
 *
 *   tools/fsdemo
 *   tools/forksafe -- tools/fsdemo
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#define CHILDREN 50
#define WORKERS 3

static volatile int stop;
static unsigned long opened[WORKERS];
static char datafile[PATH_MAX];

/* fds open when the demo started (a shell's, say) are not the demo's
 * doing: the child skips the ones listed in FSDEMO_PRESENT. */
static int present_at_start(int fd)
{
	const char *list = getenv("FSDEMO_PRESENT");
	char key[16];
	if (!list)
		return 0;
	snprintf(key, sizeof key, ",%d,", fd);
	return strstr(list, key) != NULL;
}

static void remember_present(void)
{
	char list[4096] = ",";
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(list);
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) && len + 16 < sizeof list)
			snprintf(list + len, sizeof list - len, "%s,", e->d_name);
	}
	closedir(d);
	setenv("FSDEMO_PRESENT", list, 1);
}

/* In the child: print "fd -> what" for each inherited fd beyond 0-2 on
 * the pipe given as argv[2], then exit. */
static int child(int report_fd)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char line[PATH_MAX + 64], path[64], target[PATH_MAX];

	if (!d)
		return 1;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd <= 2 || fd == report_fd || fd == dirfd(d) ||
		    present_at_start(fd))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		int len = snprintf(line, sizeof line, "%d %s\n", fd, target);
		if (write(report_fd, line, (size_t)len) < 0)
			break;
	}
	closedir(d);
	return 0;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	while (!stop) {
		int a = open(datafile, O_RDONLY);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int p[2] = { -1, -1 };
		if (pipe(p) != 0)
			p[0] = p[1] = -1;
		opened[id] += 4;
		usleep(200);	/* hold them a moment, as real code does */
		close(a);
		close(s);
		close(p[0]);
		close(p[1]);
	}
	return NULL;
}

/* Runs one child and reads what it inherited; returns the count and
 * keeps one example line. */
static int run_child(const char *self, char *example, size_t n)
{
	int rp[2], count = 0;
	char buf[8192], fdarg[16];
	ssize_t got, total = 0;

	/* The report pipe is the one fd the child is meant to get: it is
	 * named in its arguments, so forksafe lets it through. */
	if (pipe(rp) != 0)
		return 0;
	snprintf(fdarg, sizeof fdarg, "%d", rp[1]);
	pid_t pid = fork();
	if (pid == 0) {
		close(rp[0]);
		execl(self, self, "--child", fdarg, (char *)NULL);
		_exit(127);
	}
	close(rp[1]);
	while ((got = read(rp[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
		total += got;
	close(rp[0]);
	waitpid(pid, NULL, 0);
	buf[total] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!count && example[0] == '\0')
			snprintf(example, n, "%s", line);
		count++;
	}
	return count;
}

int main(int argc, char **argv)
{
	pthread_t t[WORKERS];
	char self[PATH_MAX], example[PATH_MAX + 64] = "";
	int leaked = 0, children_leaked = 0;
	unsigned long total = 0;

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child(atoi(argv[2]));
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	remember_present();
	snprintf(datafile, sizeof datafile, "/tmp/fsdemo.%d", (int)getpid());
	int fd = open(datafile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	usleep(2000);
	for (int i = 0; i < CHILDREN; i++) {
		int c = run_child(self, example, sizeof example);
		leaked += c;
		children_leaked += c > 0;
	}
	stop = 1;
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], NULL);
		total += opened[i];
	}
	unlink(datafile);
	printf("fsdemo: %d children started while %d threads opened %lu files, sockets and pipes\n",
	       CHILDREN, WORKERS, total);
	if (leaked)
		printf("fsdemo: %d of %d children inherited %d stray file descriptors "
		       "(e.g. fd %s)\n", children_leaked, CHILDREN, leaked, example);
	if (leaked)
		printf("fsdemo: now run it as 'forksafe -- fsdemo'\n");
	else
		printf("fsdemo: children inherited no stray file descriptors\n");
	return 0;
}

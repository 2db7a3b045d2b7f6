/* Children that take a lock another thread held at fork time:
 * deadlock mutex|rwlock CHILDREN DEADLINE_MS
 *
 * A worker thread holds the lock almost all the time (100 ms at a time,
 * released and taken again at once).  The main thread forks CHILDREN
 * children while the worker holds it; each child takes the lock
 * (pthread_mutex_lock, or pthread_rwlock_rdlock on a lock held for
 * writing), releases it and execs /bin/true.  A child still running
 * after DEADLINE_MS is killed and counted as hung.  Prints
 * "worker_tid=N" and
 * "children=N exec_ok=N hung=N aborted=N other=N". */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static int use_rwlock, held, stop;

static void hold(int on)
{
	if (use_rwlock)
		on ? pthread_rwlock_wrlock(&rwlock) : pthread_rwlock_unlock(&rwlock);
	else
		on ? pthread_mutex_lock(&mutex) : pthread_mutex_unlock(&mutex);
}

static void *worker(void *arg)
{
	struct timespec hold_time = { 0, 100 * 1000 * 1000 };

	printf("worker_tid=%d\n", gettid());
	fflush(stdout);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		hold(1);
		__atomic_store_n(&held, 1, __ATOMIC_RELEASE);
		nanosleep(&hold_time, NULL);
		__atomic_store_n(&held, 0, __ATOMIC_RELEASE);
		hold(0);
	}
	return arg;
}

__attribute__((noinline)) void child_takes_lock(void)
{
	if (use_rwlock) {
		pthread_rwlock_rdlock(&rwlock);
		pthread_rwlock_unlock(&rwlock);
	} else {
		pthread_mutex_lock(&mutex);
		pthread_mutex_unlock(&mutex);
	}
	execl("/bin/true", "true", (char *)NULL);
	_exit(127);
}

/* 0: exited 0, 1: hung (killed), 2: SIGABRT, 3: anything else. */
static int outcome(pid_t pid, long deadline_ms)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	int status;

	for (long waited = 0; waited < deadline_ms; waited += 5) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0
			       : WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? 2 : 3;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 1;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 4, count[4] = { 0 };
	long deadline = argc > 3 ? atol(argv[3]) : 300;
	pthread_t t;

	use_rwlock = argc > 1 && strcmp(argv[1], "rwlock") == 0;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	for (int i = 0; i < n; i++) {
		while (!__atomic_load_n(&held, __ATOMIC_ACQUIRE))
			usleep(1000);
		pid_t pid = fork();
		if (pid == 0)
			child_takes_lock();
		if (pid < 0)
			return 2;
		count[outcome(pid, deadline)]++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	printf("children=%d exec_ok=%d hung=%d aborted=%d other=%d\n", n, count[0], count[1],
	       count[2], count[3]);
	return 0;
}

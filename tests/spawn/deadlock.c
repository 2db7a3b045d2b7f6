/* Children that take a lock another thread holds at fork time:
 * deadlock N SECONDS
 *
 * A worker thread holds an application mutex almost all the time (5 ms,
 * then 0.2 ms free).  The main thread forks N children, each while the
 * worker holds the mutex; each child locks and unlocks it and execs
 * /bin/true.  After a real fork the child's copy of the mutex is held by
 * a thread that does not exist there: the child hangs.  A redirected
 * child shares the parent's memory, and the worker, still running,
 * releases the mutex.  A child not done within SECONDS is killed and
 * counted as hung; the first hang ends the run.  Prints
 * "children=N exec_ok=N hung=N other=N redirected=N". */
#define _GNU_SOURCE
#include "spawntest.h"

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static int held, stop;

static void *worker(void *arg)
{
	struct timespec hold = { 0, 5 * 1000 * 1000 }, gap = { 0, 200 * 1000 };

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&mutex);
		__atomic_store_n(&held, 1, __ATOMIC_RELEASE);
		nanosleep(&hold, NULL);
		__atomic_store_n(&held, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&mutex);
		nanosleep(&gap, NULL);
	}
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, seconds = argc > 2 ? atoi(argv[2]) : 3;
	int exec_ok = 0, hung = 0, other = 0, moved = 0;
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	for (int i = 0; i < n && !hung; i++) {
		while (!__atomic_load_n(&held, __ATOMIC_ACQUIRE))
			sched_yield();
		redirected = 0;
		pid_t pid = fork();
		if (pid == 0) {
			pthread_mutex_lock(&mutex);
			pthread_mutex_unlock(&mutex);
			redirected = 1;
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			return 2;
		int status = wait_status(pid, seconds);
		moved += redirected;
		if (status == -1)
			hung++;
		else if (exited_with(status, 0))
			exec_ok++;
		else
			other++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	printf("children=%d exec_ok=%d hung=%d other=%d redirected=%d\n", n, exec_ok, hung, other,
	       moved);
	check(hung == 0, "no child hangs");
	check(exec_ok == n && other == 0, "every child takes the lock and execs (%d of %d)",
	      exec_ok, n);
	check(moved == n, "every fork was redirected (%d of %d)", moved, n);
	return finish();
}

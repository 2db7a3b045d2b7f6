/* A child of a multi-threaded fork that starts threads of its own:
 * livelocks
 *
 * The child's threads hold and wait on locks like those of any program:
 * an owner that is a live thread of the child is never taken for one
 * the fork left behind.  In the child:
 * - a thread holds a mutex (then a rwlock for writing, then one for
 *   reading) until the main thread is asleep waiting on it; the main
 *   thread must wait until it is released, and find the holder's work
 *   done (a lock reset under a live holder would let it in early);
 * - four threads and the main thread add to one counter under a mutex
 *   and a rwlock, 20000 times each: the sums must come out exact;
 * - short-lived threads, 2000 of them, four at a time, each adding to a
 *   counter under the mutex and the rwlock once and exiting while the
 *   main thread adds too: an owner read just before it released the
 *   lock and exited is gone, but the lock is no orphan.
 * With FORKSAFE_CHILD_LOCKS=abort or break forksafe checks every lock
 * the child waits on; neither may report, abort or reset any of these.
 * The child exits 0 when everything held; the parent exits with the
 * child's status (a signal: 128 + its number). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 20000
#define THREADS 4

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static long counter_m, counter_rw;
static volatile int holder_done;
static pid_t main_tid;
static int held_pipe[2];
static int failures;

static void check(int ok, const char *what)
{
	fprintf(stderr, "%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

/* The main thread is asleep (waiting on a lock): its state in
 * /proc/self/task/TID/stat is S. */
static int main_asleep(void)
{
	char path[64], buf[512], *rp;
	int fd, n;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)main_tid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = (int)read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] == 'S';
}

/* kind 0: the mutex, 1: the rwlock for writing, 2: for reading. */
static void *holder(void *arg)
{
	int kind = (int)(long)arg;

	if (kind == 0)
		pthread_mutex_lock(&mutex);
	else if (kind == 1)
		pthread_rwlock_wrlock(&rwlock);
	else
		pthread_rwlock_rdlock(&rwlock);
	if (write(held_pipe[1], "h", 1) != 1)
		abort();
	/* The main thread is now on its way into the lock: wait until it
	 * sleeps there (the event), with a bound against a hang. */
	for (long i = 0; i < 20000000 && !main_asleep(); i++)
		sched_yield();
	holder_done = 1;
	if (kind == 0)
		pthread_mutex_unlock(&mutex);
	else
		pthread_rwlock_unlock(&rwlock);
	return NULL;
}

static void held_by_live_thread(int kind, const char *what)
{
	pthread_t t;
	char c;

	holder_done = 0;
	if (pthread_create(&t, NULL, holder, (void *)(long)kind) != 0 ||
	    read(held_pipe[0], &c, 1) != 1) {
		check(0, "holder thread started");
		return;
	}
	if (kind == 0)
		pthread_mutex_lock(&mutex);
	else
		pthread_rwlock_wrlock(&rwlock);
	check(holder_done, what);
	if (kind == 0)
		pthread_mutex_unlock(&mutex);
	else
		pthread_rwlock_unlock(&rwlock);
	pthread_join(t, NULL);
}

/* One to each counter, under the mutex and under the rwlock. */
static void add_once(void)
{
	pthread_mutex_lock(&mutex);
	counter_m++;
	pthread_mutex_unlock(&mutex);
	pthread_rwlock_wrlock(&rwlock);
	counter_rw++;
	pthread_rwlock_unlock(&rwlock);
}

static void check_counters(const char *label, long want)
{
	char what[96];

	snprintf(what, sizeof what, "%smutex counter exact (%ld)", label, counter_m);
	check(counter_m == want, what);
	snprintf(what, sizeof what, "%srwlock counter exact (%ld)", label, counter_rw);
	check(counter_rw == want, what);
}

static void *adder(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		add_once();
		if (i % 64 == 0) {
			pthread_rwlock_rdlock(&rwlock);
			pthread_rwlock_unlock(&rwlock);
		}
	}
	return arg;
}

#define SHORT_LIVED 2000
#define SHORT_AT_ONCE 4

static void *short_lived(void *arg)
{
	add_once();
	return arg;
}

static void owners_that_exit(void)
{
	pthread_t t[SHORT_AT_ONCE];
	long extra = 0;

	counter_m = counter_rw = 0;
	for (int i = 0; i < SHORT_LIVED / SHORT_AT_ONCE; i++) {
		for (int k = 0; k < SHORT_AT_ONCE; k++)
			if (pthread_create(&t[k], NULL, short_lived, NULL) != 0)
				abort();
		for (int k = 0; k < 8; k++, extra++)
			add_once();
		for (int k = 0; k < SHORT_AT_ONCE; k++)
			pthread_join(t[k], NULL);
	}
	check_counters("short-lived owners: ", SHORT_LIVED + extra);
}

static int child(void)
{
	pthread_t t[THREADS];

	main_tid = (pid_t)syscall(SYS_gettid);
	if (pipe(held_pipe) != 0)
		return 2;
	held_by_live_thread(0, "a mutex a live thread of the child holds is waited for");
	held_by_live_thread(1, "a rwlock a live thread holds for writing is waited for");
	held_by_live_thread(2, "a rwlock live threads hold for reading is waited for");
	owners_that_exit();
	counter_m = counter_rw = 0;
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, adder, NULL) != 0)
			return 2;
	adder(NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	check_counters("", (long)ROUNDS * (THREADS + 1));
	return failures ? 1 : 0;
}

static void *idle(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(void)
{
	pthread_t t;
	int status;
	pid_t pid;

	/* A second thread: the fork is a multi-threaded one. */
	if (pthread_create(&t, NULL, idle, NULL) != 0)
		return 2;
	pid = fork();
	if (pid == 0)
		_exit(child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

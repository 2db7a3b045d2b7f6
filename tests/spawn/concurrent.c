/* Threads that fork at once, each child with an environment of its own:
 * concurrent THREADS ROUNDS
 *
 * Each thread forks ROUNDS times; each child sets WHO to its thread's
 * name and execs sh, which exits 0 only if it sees that value.  Another
 * thread reads WHO all along: the parent's environment must never show a
 * child's change.  Every fork must be redirected (each child writes its
 * round number to its thread's slot before exec). */
#define _GNU_SOURCE
#include "spawntest.h"

#define MAX_THREADS 8

static volatile int slot[MAX_THREADS];
static int rounds, stop, leaked;

static void *forker(void *arg)
{
	int me = (int)(long)arg, bad = 0, missed = 0;
	char who[16], test[64];

	snprintf(who, sizeof who, "t%d", me);
	snprintf(test, sizeof test, "[ \"$WHO\" = %s ]", who);
	for (int r = 1; r <= rounds; r++) {
		pid_t pid = fork();
		if (pid == 0) {
			setenv("WHO", who, 1);
			slot[me] = r;
			execl("/bin/sh", "sh", "-c", test, (char *)NULL);
			_exit(127);
		}
		if (!exited_with(wait_status(pid, 10), 0))
			bad++;
		if (slot[me] != r)
			missed++;
	}
	check(bad == 0, "thread %d: each child's program sees the child's WHO (%d wrong)", me, bad);
	check(missed == 0, "thread %d: each fork was redirected (%d not)", me, missed);
	return NULL;
}

static void *reader(void *arg)
{
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		if (getenv("WHO"))
			__atomic_store_n(&leaked, 1, __ATOMIC_RELAXED);
	return arg;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t[MAX_THREADS], r;

	rounds = argc > 2 ? atoi(argv[2]) : 50;
	if (threads < 1 || threads > MAX_THREADS || pthread_create(&r, NULL, reader, NULL) != 0)
		return 2;
	for (long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, forker, (void *)i) != 0)
			return 2;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(r, NULL);
	check(!leaked && !getenv("WHO"), "the parent never sees a child's WHO");
	return finish();
}

/* A library with atfork handlers, loaded and unloaded by the stress test
 * while other threads fork.  Handlers of concurrent forks run at the same
 * time (glibc, and forksafe, hold no lock while calling them): the count
 * is atomic. */
#include <pthread.h>

static int calls;
static void count(void) { __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED); }
static void prepare(void) { count(); }
static void parent(void) { count(); }
static void child(void) { count(); }

__attribute__((constructor)) static void init(void)
{
	pthread_atfork(prepare, parent, child);
}

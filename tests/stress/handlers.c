/* A library with atfork handlers, loaded and unloaded by the stress test
 * while other threads fork. */
#include <pthread.h>

static volatile int calls;
static void prepare(void) { calls++; }
static void parent(void) { calls++; }
static void child(void) { calls++; }

__attribute__((constructor)) static void init(void)
{
	pthread_atfork(prepare, parent, child);
}

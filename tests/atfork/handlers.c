/* A library that registers fork handlers when it is loaded; they record
 * their calls through order_record, a function of the program that
 * loads it. */
#include <pthread.h>
#include <stdlib.h>

void order_record(const char *what);

void lib_prepare(void)
{
	order_record("prepare:lib");
}

void lib_parent(void)
{
	order_record("parent:lib");
}

void lib_child(void)
{
	order_record("child:lib");
}

static void lib_exit(void)
{
	order_record("atexit:lib");
}

/* Registers lib_exit with atexit: with this library's DSO handle, so
 * libc runs it when the library is unloaded (__cxa_finalize). */
int lib_arm_atexit(void)
{
	return atexit(lib_exit);
}

__attribute__((constructor)) static void lib_register(void)
{
	pthread_atfork(lib_prepare, lib_parent, lib_child);
}

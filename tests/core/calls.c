/* Prints the table of wrapped calls (src/core/calls.h), one row a line:
 *
 *   NAME KIND SYSCALL
 *
 * NAME as libc spells it (the _compat rows are the GLIBC_2.2.5 versions
 * of their name), KIND as in the table, SYSCALL the system call whose
 * close-on-exec flag syscall() forces for it, or "-".  The exports and
 * coverage tests compare what the module does with this list. */
#include <stdio.h>
#include <string.h>
#include "core/calls.h"

#define NONE "-"
#define FLAG(nr, arg, flag) #nr
static const struct {
	const char *name, *kind, *sys;
} rows[] = {
#define FS_X(name, ret, params, ver, kind, sys, fallback) { #name, #kind, sys },
	FS_CALLS(FS_X)
#undef FS_X
};

int main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *suffix = strstr(rows[i].name, "_compat");
		int len = suffix ? (int)(suffix - rows[i].name) : (int)strlen(rows[i].name);
		printf("%.*s %s %s\n", len, rows[i].name, rows[i].kind, rows[i].sys);
	}
	return 0;
}

/* Test helper: the fds a test process had when it started (a harness's,
 * a shell's) are not its doing.  remember_present() lists them in the
 * environment variable var; inherited_since() counts, in a child, the
 * open fds beyond 0-2 not in that list (capped at 100, for an exit
 * status). */
#ifndef FS_TEST_PRESENT_H
#define FS_TEST_PRESENT_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void remember_present(const char *var)
{
	char list[4096] = ",";
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(list);
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) && len + 16 < sizeof list)
			snprintf(list + len, sizeof list - len, "%s,", e->d_name);
	}
	if (d)
		closedir(d);
	setenv(var, list, 1);
}

static int inherited_since(const char *var)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	const char *present = getenv(var);
	char key[16];
	int n = 0;

	if (!d)
		return 100;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		snprintf(key, sizeof key, ",%d,", fd);
		if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d) && !(present && strstr(present, key)))
			n++;
	}
	closedir(d);
	return n > 100 ? 100 : n;
}

#endif

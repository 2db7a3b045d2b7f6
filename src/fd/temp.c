/* forksafe: mkstemp and friends, all through the mkostemp cores. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

FS_CORE int mkostemps_core(int (*real)(char *, int, int), char *tmpl, int suffixlen, int flags,
			  uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	fd = real(tmpl, suffixlen, flags | add);
	fs_fd_created(fd, FS_ID_mkstemp, add != 0, site);
	return fd;
}

FS_CORE int mkostemp_core(int (*real)(char *, int), char *tmpl, int flags, uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	fd = real(tmpl, flags | add);
	fs_fd_created(fd, FS_ID_mkstemp, add != 0, site);
	return fd;
}

FS_EXPORT int mkstemp(char *tmpl)
{
	return mkostemp_core(REAL(mkostemp), tmpl, 0, FS_SITE());
}

FS_EXPORT int mkstemp64(char *tmpl)
{
	return mkostemp_core(REAL(mkostemp64), tmpl, 0, FS_SITE());
}

FS_EXPORT int mkostemp(char *tmpl, int flags)
{
	return mkostemp_core(REAL(mkostemp), tmpl, flags, FS_SITE());
}

FS_EXPORT int mkostemp64(char *tmpl, int flags)
{
	return mkostemp_core(REAL(mkostemp64), tmpl, flags, FS_SITE());
}

FS_EXPORT int mkstemps(char *tmpl, int suffixlen)
{
	return mkostemps_core(REAL(mkostemps), tmpl, suffixlen, 0, FS_SITE());
}

FS_EXPORT int mkstemps64(char *tmpl, int suffixlen)
{
	return mkostemps_core(REAL(mkostemps64), tmpl, suffixlen, 0, FS_SITE());
}

FS_EXPORT int mkostemps(char *tmpl, int suffixlen, int flags)
{
	return mkostemps_core(REAL(mkostemps), tmpl, suffixlen, flags, FS_SITE());
}

FS_EXPORT int mkostemps64(char *tmpl, int suffixlen, int flags)
{
	return mkostemps_core(REAL(mkostemps64), tmpl, suffixlen, flags, FS_SITE());
}

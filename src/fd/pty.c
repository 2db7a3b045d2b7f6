/* forksafe: pseudo-terminals.  glibc's getpt, openpty and forkpty open
 * through internal calls without close-on-exec and take no flag, so
 * forksafe builds them from posix_openpt, which does take one, the way
 * glibc does (login/openpty.c, login/forkpty.c). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "fork/fork.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <utmp.h>

FS_CORE int openpt_core(int flags, uintptr_t site)
{
	int add, fd;

	fs_ensure_init();
	add = fs_force(flags, O_CLOEXEC);
	fd = REAL(posix_openpt)(flags | add);
	fs_fd_created(fd, FS_ID_posix_openpt, add, site);
	return fd;
}

FS_EXPORT int posix_openpt(int flags)
{
	return openpt_core(flags, FS_SITE());
}

/* getpt is posix_openpt(O_RDWR) on Linux (login/getpt.c). */
FS_EXPORT int getpt(void)
{
	return openpt_core(O_RDWR, FS_SITE());
}

/* The terminal side of an unlocked master: TIOCGPTPEER where the kernel
 * has it (no path lookup), else open by name. */
static int open_peer(int master, int add)
{
	int fd = -1;
#ifdef TIOCGPTPEER
	fd = REAL(ioctl)(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | add);
#endif
	if (fd < 0) {
		char name[128];
		if (ptsname_r(master, name, sizeof name) != 0)
			return -1;
		fd = REAL(open)(name, O_RDWR | O_NOCTTY | add);
	}
	return fd;
}

static int openpty_core(int *amaster, int *aslave, char *name, const struct termios *termp,
			const struct winsize *winp, uintptr_t site)
{
	int add, master, slave, saved;

	fs_ensure_init();
	fs_bind_all();
	add = fs_force(0, O_CLOEXEC);
	master = REAL(posix_openpt)(O_RDWR | O_NOCTTY | add);
	if (master < 0)
		return -1;
	if (REAL(grantpt)(master) != 0 || REAL(unlockpt)(master) != 0 ||
	    (slave = open_peer(master, add)) < 0)
		goto fail;
	if (termp)
		tcsetattr(slave, TCSAFLUSH, termp);
	if (winp)
		REAL(ioctl)(slave, TIOCSWINSZ, winp);
	if (name && ptsname_r(master, name, 4096) != 0) {
		REAL(close)(slave);
		goto fail;
	}
	*amaster = master;
	*aslave = slave;
	fs_fd_created(master, FS_ID_openpty, add != 0, site);
	fs_fd_created(slave, FS_ID_openpty, add != 0, site);
	return 0;
fail:
	saved = errno;
	REAL(close)(master);
	errno = saved;
	return -1;
}

FS_EXPORT int openpty(int *amaster, int *aslave, char *name, const struct termios *termp,
		      const struct winsize *winp)
{
	return openpty_core(amaster, aslave, name, termp, winp, FS_SITE());
}

/* forkpty is openpty, fork, and login_tty in the child. */
FS_EXPORT pid_t forkpty(int *amaster, char *name, const struct termios *termp,
			const struct winsize *winp)
{
	int master, slave, saved;
	uintptr_t site = FS_SITE();
	pid_t pid;

	if (openpty_core(&master, &slave, name, termp, winp, site) != 0)
		return -1;
	pid = fs_fork_core(site);
	if (pid == 0) {
		REAL(close)(master);
		fs_fd_closed(master);
		if (REAL(login_tty)(slave) != 0)
			_exit(1);
		fs_fd_closed(slave);
		return 0;
	}
	saved = errno;
	REAL(close)(slave);
	fs_fd_closed(slave);
	if (pid < 0) {
		REAL(close)(master);
		fs_fd_closed(master);
		errno = saved;
		return -1;
	}
	*amaster = master;
	errno = saved;
	return pid;
}

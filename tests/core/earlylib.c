/* A library whose constructor opens files before forksafe's constructor
 * may have run: the wrappers must already force them. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int earlylib_fd = -1, earlylib_pipe[2] = { -1, -1 };

__attribute__((constructor)) static void early(void)
{
	earlylib_fd = open("/dev/null", O_RDONLY);
	if (pipe(earlylib_pipe) != 0)
		earlylib_pipe[0] = earlylib_pipe[1] = -1;
}

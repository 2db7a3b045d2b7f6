/* A module planted where an installed launcher must never look: loaded,
 * it leaves a mark in the file $FS_PLANT_MARK names. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void planted(void)
{
	const char *mark = getenv("FS_PLANT_MARK");
	int fd;

	if (!mark || (fd = open(mark, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return;
	if (write(fd, "planted module loaded\n", 22) < 0) {
		/* nothing to do */
	}
	close(fd);
}

/* forksafe: messages.  Async-signal-safe: a fixed buffer, one write(2)
 * of the whole line, errno preserved. */
#include "config.h"
#include "fs.h"
#include <errno.h>
#include <unistd.h>

void fs_msg(const char *what, const char *text)
{
	char mem[1024];
	struct fs_sbuf b;
	int saved = errno;

	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_str(&b, "forksafe[");
	fs_sb_dec(&b, getpid());
	fs_sb_str(&b, "]: ");
	fs_sb_str(&b, what);
	fs_sb_str(&b, ": ");
	fs_sb_str(&b, text);
	if (b.len + 1 >= b.cap)
		b.len = b.cap - 2;
	fs_sb_char(&b, '\n');
	if (write(2, b.p, b.len) < 0) {
		/* Nothing to do: a message must never fail the program. */
	}
	errno = saved;
}

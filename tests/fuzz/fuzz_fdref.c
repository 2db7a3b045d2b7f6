/* libFuzzer target: the fd-reference parser of rule 6 (src/core/fdref.c).
 * Its input is the argv and environment of every exec: untrusted.  The
 * input is split at the first NUL: argument, then environment entry.
 * Asserts: no crash, no sanitizer report, every fd found is a valid
 * number whose decimal digits occur in the input. */
#include "core/parse.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	const char *text;
};

static void found(int lo, int hi, void *arg)
{
	struct ctx *c = arg;
	char digits[16];

	if (lo < 0 || hi < lo)
		abort();
	/* LISTEN_FDS=N reports [3, 3+N-1]: those need not appear literally. */
	if (lo == 3 && strstr(c->text, "LISTEN_FDS="))
		return;
	if (lo != hi)
		abort();
	snprintf(digits, sizeof digits, "%d", lo);
	if (!strstr(c->text, digits))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct ctx c;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	c.text = buf;
	fs_fdref_arg(buf, found, &c);
	size_t first = strlen(buf);
	if (first < size) {
		c.text = buf + first + 1;
		fs_fdref_env(buf + first + 1, found, &c);
		fs_fdref_numbers(buf + first + 1, found, &c);
	} else {
		fs_fdref_env(buf, found, &c);
		fs_fdref_numbers(buf, found, &c);
	}
	free(buf);
	return 0;
}

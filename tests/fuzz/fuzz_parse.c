/* libFuzzer target: every parser of an environment value (src/core/parse.c)
 * and the message formatters (src/core/sbuf.c).  The first byte picks the
 * parser; the rest is the value, as getenv would return it.
 * Asserts: no crash, no sanitizer report, and each result within its
 * documented bounds. */
#include "core/parse.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_keep(const char *s)
{
	struct fs_keep k;
	if (fs_keep_parse(s, &k) < 0) {
		if (k.n != 0)
			abort();
		return;
	}
	if (k.n < 0 || k.n > FS_KEEP_MAX)
		abort();
	for (int i = 0; i < k.n; i++)
		if (k.r[i].lo < 0 || k.r[i].hi < k.r[i].lo || !fs_keep_has(&k, k.r[i].lo))
			abort();
}

static void check_modes(const char *s)
{
	char buf[16];
	const char *m = fs_mode_add_e(s, buf, sizeof buf);
	if (m && m != s && (m != buf || m[0] != s[0] || m[1] != 'e' || strcmp(m + 2, s + 1)))
		abort();
	m = fs_popen_mode_add_e(s, buf, sizeof buf);
	if (m && m != s && (m != buf || !strchr(m, 'e')))
		abort();
}

static void check_format(const char *s)
{
	char mem[64];
	struct fs_sbuf b;
	fs_sb_init(&b, mem, sizeof mem);
	fs_sb_quoted(&b, s, 40);
	fs_sb_json_str(&b, s);
	fs_sb_dec(&b, (long long)strlen(s) - 1000);
	fs_sb_hex(&b, (uintptr_t)strlen(s));
	if (b.len >= sizeof mem || strlen(fs_sb_cstr(&b)) != b.len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	unsigned u;
	int i;
	enum fs_cloexec_mode cm;
	enum fs_fork_mode fm;
	enum fs_log_format lf;
	enum fs_log_kind lk;
	enum fs_child_locks cl;
	char path[4096];

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 8) {
	case 0: if (fs_parse_cloexec(s, &cm) == 0 && cm > FS_CLOEXEC_OFF) abort(); break;
	case 1: check_keep(s); break;
	case 2: if (fs_parse_fork_mode(s, &fm) == 0 && fm > FS_FORK_AUTO) abort(); break;
	case 3: if (fs_parse_bool01(s, &i) == 0 && i != 0 && i != 1) abort(); break;
	case 4:
		if (fs_parse_log_dest(s, &lk, path, sizeof path) == 0 && lk == FS_LOGDEST_FILE &&
		    (path[0] != '/' || strcmp(path, s)))
			abort();
		fs_parse_log_format(s, &lf);
		break;
	case 5:
		if (fs_parse_seconds(s, 86400, &u) == 0 && u > 86400) abort();
		fs_parse_child_locks(s, &cl);
		break;
	case 6: check_modes(s); break;
	default: check_format(s); break;
	}
	free(s);
	return 0;
}

/* libFuzzer target: the reader of forksafe report (tools/jsonline.c,
 * tools/report.c, tools/report_print.c).  Its input is any log a user
 * points it at: untrusted.  The first byte sets how the rest is fed
 * (bits 0-5: chunk size, 0 for all at once; bit 6: read as two logs;
 * bit 7: --top=3 or all); the rest is the log.
 * Asserts: no crash, no sanitizer report; no more reports and skipped
 * lines than lines; the JSON summary is one JSON object; the text
 * summary is printable: valid UTF-8, no control byte but newlines; the
 * whole input, read as one line of JSON, decodes within its bounds. */
#define _GNU_SOURCE
#include "jsonline.h"
#include "report.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void feed(struct fs_report *r, const uint8_t *data, size_t size, size_t step)
{
	for (size_t off = 0; off < size;) {
		size_t n = step && step < size - off ? step : size - off;
		if (fs_report_feed(r, (const char *)data + off, n) < 0)
			abort();
		off += n;
	}
	if (fs_report_end(r) < 0)
		abort();
}

/* Printable ASCII, newlines and valid UTF-8 of U+00A0 and above. */
static int printable(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t len = s[i] < 0x80 ? 1 : s[i] >= 0xc2 && s[i] < 0xe0 ? 2 :
			     s[i] >= 0xe0 && s[i] < 0xf0 ? 3 : s[i] >= 0xf0 && s[i] < 0xf5 ? 4 : 0;
		unsigned long cp;

		if (len == 0 || len > n - i)
			return 0;
		if (len == 1) {
			if ((s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		cp = s[i] & (0x7f >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < 0xa0 || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

static void check_summaries(const struct fs_report *r, unsigned logs, unsigned long top)
{
	struct fs_json_member m[FS_JSON_MAX_MEMBERS];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return;
	if (fs_report_print_json(r, f, logs, top) < 0 || fclose(f) != 0)
		abort();
	if (len < 2 || out[len - 1] != '\n' || memchr(out, '\n', len - 1) ||
	    fs_json_object(out, len - 1, m) < 0)
		abort();
	free(out);

	f = open_memstream(&out, &len);
	if (!f)
		return;
	if (fs_report_print_text(r, f, logs, top) < 0 || fclose(f) != 0)
		abort();
	if (!printable((const unsigned char *)out, len))
		abort();
	free(out);
}

/* The whole input as one line: each member decodes within its bounds. */
static void check_line(const uint8_t *data, size_t size)
{
	struct fs_json_member m[FS_JSON_MAX_MEMBERS];
	char value[64 + 4];
	long long v;
	int nm = fs_json_object((const char *)data, size, m);

	if (nm > FS_JSON_MAX_MEMBERS)
		abort();
	for (int i = 0; i < nm; i++) {
		if (m[i].key < (const char *)data || m[i].val < (const char *)data ||
		    m[i].val + m[i].val_len > (const char *)data + size)
			abort();
		if (m[i].type == 's' && (fs_json_string(&m[i], value, 64) > 64 + 3 ||
					 strlen(value) > 64 + 3))
			abort();
		fs_json_int(&m[i], &v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_report *r;
	struct fs_report_counts c;
	unsigned logs;
	unsigned long lines = 1, top;

	if (size < 1)
		return 0;
	logs = data[0] & 0x40 ? 2 : 1;
	top = data[0] & 0x80 ? 3 : 0;
	r = fs_report_new();
	if (!r)
		return 0;
	for (unsigned i = 0; i < logs; i++)
		feed(r, data + 1, size - 1, data[0] & 0x3f);
	for (size_t i = 1; i < size; i++)
		lines += data[i] == '\n';
	fs_report_counts(r, &c);
	if (c.events + c.text + c.not_json + c.no_event + c.too_long > lines * logs ||
	    c.processes > c.events || c.programs > c.events)
		abort();
	check_summaries(r, logs, top);
	fs_report_free(r);
	check_line(data + 1, size - 1);
	return 0;
}

/* forksafe report [OPTIONS] LOG...: the command around report.c.
 *
 * Reads every LOG (- is standard input) into one summary.  A log that
 * cannot be read gets a message and the others are still summed up; the
 * lines skipped get one message on standard error.  Exit status: 0, 1
 * when no log could be read (or memory or the output failed), 2 for a
 * usage error, with a message naming the argument. */
#include "config.h"
#include "report.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "forksafe report";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: forksafe report [OPTIONS] LOG...\n"
		"Sum up JSON logs of diagnostic mode (forksafe --diag --json --log=FILE):\n"
		"events by kind, the call sites that fork while threaded, where the fds that\n"
		"leak were made, and other reports by site, most frequent first, with counts\n"
		"and program names.  A LOG of - is standard input.\n"
		"\n"
		"Options:\n"
		"  --top=N      show the N most frequent entries of each list (default 10,\n"
		"               0 for all)\n"
		"  --json       print the summary as one JSON object\n"
		"  -h, --help   show this help and exit\n");
}

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'forksafe report --help' for more information.\n");
	exit(2);
}

static unsigned long parse_top(const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno) {
		fprintf(stderr, "%s: invalid value '%s' for --top (accepted: a whole number, "
				"0 for all)\n", prog, v);
		fprintf(stderr, "Try 'forksafe report --help' for more information.\n");
		exit(2);
	}
	return n;
}

static const char *log_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

/* Feeds one log to r.  Returns 0 when it was read to its end, 1 when it
 * could not be (said on stderr), -1 when memory ran out. */
static int read_log(struct fs_report *r, const char *path)
{
	static char buf[1 << 16];
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int status = 0;

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, log_name(path), strerror(errno));
			status = 1;
			break;
		}
		if (n == 0)
			break;
		if (fs_report_feed(r, buf, (size_t)n) < 0) {
			status = -1;
			break;
		}
	}
	if (fs_report_end(r) < 0)
		status = -1;
	if (fd != 0)
		close(fd);
	return status;
}

/* One message for every line skipped, by reason. */
static void say_skipped(const struct fs_report_counts *c)
{
	unsigned long total = c->text + c->not_json + c->no_event + c->too_long;
	const char *sep = "";

	if (!total)
		return;
	fprintf(stderr, "%s: skipped %lu %s that %s not a JSON report:", prog, total,
		total == 1 ? "line" : "lines", total == 1 ? "is" : "are");
	if (c->text) {
		fprintf(stderr, " %lu in text format", c->text);
		sep = ",";
	}
	if (c->not_json) {
		fprintf(stderr, "%s %lu not JSON or cut short", sep, c->not_json);
		sep = ",";
	}
	if (c->no_event) {
		fprintf(stderr, "%s %lu JSON without an \"event\"", sep, c->no_event);
		sep = ",";
	}
	if (c->too_long)
		fprintf(stderr, "%s %lu longer than %d bytes", sep, c->too_long, FS_REPORT_LINE_MAX);
	fputc('\n', stderr);
}

int fs_report_main(int argc, char **argv)
{
	unsigned long top = 10;
	int json = 0, i = 1, nlogs = 0, read_ok = 0, status;
	struct fs_report *r;
	struct fs_report_counts c;

	/* Options first; after -- or the first log, every argument is a log. */
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strncmp(a, "--top=", 6) == 0)
			top = parse_top(a + 6);
		else if (strcmp(a, "--top") == 0 && i + 1 < argc)
			top = parse_top(argv[++i]);
		else if (strcmp(a, "--top") == 0)
			die_usage("option '%s' needs a value", a);
		else if (strncmp(a, "--json=", 7) == 0)
			die_usage("option '%s' takes no value", "--json");
		else
			die_usage("unknown option '%s'", a);
	}
	nlogs = argc - i;
	if (nlogs <= 0)
		die_usage("%s", "no log given (name a file, or - for standard input)");
	r = fs_report_new();
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	for (; i < argc; i++) {
		status = read_log(r, argv[i]);
		if (status < 0) {
			fprintf(stderr, "%s: out of memory reading %s\n", prog, log_name(argv[i]));
			fs_report_free(r);
			return 1;
		}
		read_ok += status == 0;
	}
	if (!read_ok) {
		fprintf(stderr, "%s: no log could be read\n", prog);
		fs_report_free(r);
		return 1;
	}
	fs_report_counts(r, &c);
	say_skipped(&c);
	status = json ? fs_report_print_json(r, stdout, (unsigned)read_ok, top)
		      : fs_report_print_text(r, stdout, (unsigned)read_ok, top);
	fs_report_free(r);
	if (status < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: standard output: %s\n", prog, strerror(errno));
		return 1;
	}
	return 0;
}

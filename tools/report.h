/* forksafe report: reads the JSON logs diagnostic mode writes and sums
 * them up: events by kind, the call sites that fork while threaded, the
 * places leaked fds were made, most frequent first.
 *
 * Pure: nothing of the preload module and no I/O but the stream a
 * summary is printed to, so the launcher and the fuzzer
 * (tests/fuzz/fuzz_report.c) share it. */
#ifndef FS_REPORT_H
#define FS_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Lines longer than this are skipped whole: forksafe writes at most
 * 4 KiB per report, so anything longer is not one of its reports. */
#define FS_REPORT_LINE_MAX (256 * 1024)

struct fs_report;

/* NULL when out of memory. */
struct fs_report *fs_report_new(void);
void fs_report_free(struct fs_report *r);

/* Feeds n bytes of a log; a line may be split across calls.  Returns 0,
 * or -1 when memory ran out (the report is then incomplete). */
int fs_report_feed(struct fs_report *r, const char *data, size_t n);
/* The end of one log: its last line is read even without a newline, and
 * no line runs on into the next log.  Returns 0, or -1 as above. */
int fs_report_end(struct fs_report *r);

/* What was read, and the lines skipped, by reason. */
struct fs_report_counts {
	unsigned long events;		/* reports read */
	unsigned long processes;	/* distinct pids */
	int processes_capped;		/* more pids than counted */
	unsigned long programs;		/* distinct program names */
	unsigned long text;		/* text-format reports: forksafe[PID]: ... */
	unsigned long not_json;		/* not one JSON object, or cut short */
	unsigned long no_event;		/* a JSON object without an "event" string */
	unsigned long too_long;		/* longer than FS_REPORT_LINE_MAX */
};
void fs_report_counts(const struct fs_report *r, struct fs_report_counts *c);

/* The summary, as text for a person or as one JSON object.  files: how
 * many logs were read (for the header); top: entries shown per list,
 * 0 for all.  Return -1 when memory ran out, else 0. */
int fs_report_print_text(const struct fs_report *r, FILE *f, unsigned files,
			 unsigned long top);
int fs_report_print_json(const struct fs_report *r, FILE *f, unsigned files,
			 unsigned long top);

/* The command, `forksafe report [OPTIONS] LOG...` (report_cmd.c): argv[0]
 * is "report".  Returns the exit status. */
int fs_report_main(int argc, char **argv);

#endif

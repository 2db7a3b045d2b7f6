/* cover: what the entry-point table (cover.c) and the rule checks
 * (cover_rules.c) share: the expected close-on-exec state and the
 * record of failures. */
#ifndef FS_TEST_COVER_H
#define FS_TEST_COVER_H

/* 1 when fds made without asking for close-on-exec must have it
 * (expect-forced), 0 when they must not (expect-native). */
extern int cover_forced;
/* A plain file with known contents, and the scratch directory holding it. */
extern char cover_file[];
extern char cover_dir[];

/* FD_CLOEXEC of fd: 0 or 1, -1 when fd is not open. */
int cloexec_of(int fd);
/* Prints "what: cloexec=N" and records a failure unless N == expect. */
void check_cloexec(const char *what, int fd, int expect);
/* Records and prints one failure. */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Number of failures recorded so far. */
int failures(void);

/* The inheritance rules of DESIGN §2 (cover_rules.c). */
void check_rules(void);
/* FORKSAFE_KEEP_FDS: fds in list are never forced, the others are. */
void check_keep(const char *list);

#endif

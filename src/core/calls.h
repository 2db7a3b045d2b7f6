/* forksafe: every libc name the module wraps, one line each.
 *
 * From this table come the slots of the real functions and their
 * binding (real.c), the names reports give for where an fd came from
 * (fs_call_name), the table of system calls that syscall() forces
 * (fd/syscall.c), and, through tests/core/calls, the list of exported
 * symbols the exports test expects and the entry points the coverage
 * tests must reach.  Adding a wrapped call is one line here and its
 * wrapper body (FS_EXPORT, in the folder of its concern).
 *
 * X(name, return type, parameter types, symbol version, kind, system call,
 *   fallback)
 *
 *   version  the version of libc's symbol to bind, "" for the default.
 *            posix_spawn and posix_spawnp have two in glibc; the _compat
 *            rows bind the GLIBC_2.2.5 ones (fd/spawn.c).
 *   kind     NEW     creates fds: close-on-exec is forced; the coverage
 *                    tests must call it
 *            FD      copies, closes or changes fds: keeps the table true
 *            EXEC    runs a new program
 *            SPAWN   creates a child that runs a new program at once
 *            FORK    creates a child
 *            ATFORK  the atfork registry
 *            LOCK    a lock a child of a threaded fork may wait on
 *            ENV     the environment (a redirected child's own)
 *            CRED    credentials (a redirected child's own)
 *            MISC    exported for another reason (the comment says)
 *            LIBC    not exported: only bound for the module's own use
 *            SYSONLY not a libc function: a system call syscall() forces
 *   syscall  FLAG(nr, arg, flag): the system call this name makes, and
 *            the argument carrying its close-on-exec flag; NONE.  Only
 *            fd/syscall.c expands it, with the headers that define the
 *            numbers and flags (a number this architecture lacks is -1
 *            there).
 *   fallback what a call does when libc's function cannot be reached
 *            (core/real.h: a wrapper called from inside dlsym, or a name
 *            this libc lacks): OWN, forksafe's own fs_fallback_NAME,
 *            written beside the wrapper (the raw system call, a lock
 *            taken by spinning, the environment read directly); else it
 *            fails as libc reports "not implemented": NOSYS_INT (-1,
 *            errno ENOSYS), NOSYS_PTR (NULL, errno ENOSYS), NOSYS_ERR
 *            (returns ENOSYS, as pthread functions do), NOSYS_SIG
 *            (SIG_ERR, errno ENOSYS), NOSYS_VOID (does nothing).
 */
#ifndef FS_CORE_CALLS_H
#define FS_CORE_CALLS_H

#define FS_CALLS(X) \
	/* the open family (fd/open.c) */ \
	X(open, int, (const char *, int, ...), "", NEW, FLAG(open, 1, O_CLOEXEC), OWN) \
	X(open64, int, (const char *, int, ...), "", NEW, FLAG(open, 1, O_CLOEXEC), OWN) \
	X(__open, int, (const char *, int, ...), "", NEW, FLAG(open, 1, O_CLOEXEC), OWN) \
	X(__open64, int, (const char *, int, ...), "", NEW, FLAG(open, 1, O_CLOEXEC), OWN) \
	X(openat, int, (int, const char *, int, ...), "", NEW, FLAG(openat, 2, O_CLOEXEC), OWN) \
	X(openat64, int, (int, const char *, int, ...), "", NEW, \
	  FLAG(openat, 2, O_CLOEXEC), OWN) \
	X(creat, int, (const char *, mode_t), "", NEW, NONE, NOSYS_INT) \
	X(creat64, int, (const char *, mode_t), "", NEW, NONE, NOSYS_INT) \
	X(__open_2, int, (const char *, int), "", NEW, FLAG(open, 1, O_CLOEXEC), OWN) \
	X(__open64_2, int, (const char *, int), "", NEW, FLAG(open, 1, O_CLOEXEC), OWN) \
	X(__openat_2, int, (int, const char *, int), "", NEW, FLAG(openat, 2, O_CLOEXEC), OWN) \
	X(__openat64_2, int, (int, const char *, int), "", NEW, FLAG(openat, 2, O_CLOEXEC), OWN) \
	X(open_by_handle_at, int, (int, struct file_handle *, int), "", NEW, \
	  FLAG(open_by_handle_at, 2, O_CLOEXEC), OWN) \
	/* stdio and temporary files (fd/stdio.c, fd/temp.c) */ \
	X(fopen, FILE *, (const char *, const char *), "", NEW, NONE, NOSYS_PTR) \
	X(fopen64, FILE *, (const char *, const char *), "", NEW, NONE, NOSYS_PTR) \
	X(freopen, FILE *, (const char *, const char *, FILE *), "", NEW, NONE, NOSYS_PTR) \
	X(freopen64, FILE *, (const char *, const char *, FILE *), "", NEW, NONE, NOSYS_PTR) \
	X(fdopen, FILE *, (int, const char *), "", LIBC, NONE, NOSYS_PTR) \
	X(tmpfile, FILE *, (void), "", NEW, NONE, NOSYS_PTR) \
	X(tmpfile64, FILE *, (void), "", NEW, NONE, NOSYS_PTR) \
	X(popen, FILE *, (const char *, const char *), "", NEW, NONE, NOSYS_PTR) \
	X(fclose, int, (FILE *), "", FD, NONE, NOSYS_INT) \
	X(pclose, int, (FILE *), "", FD, NONE, NOSYS_INT) \
	X(closedir, int, (void *), "", FD, NONE, NOSYS_INT) \
	X(mkstemp, int, (char *), "", NEW, NONE, NOSYS_INT) \
	X(mkstemp64, int, (char *), "", NEW, NONE, NOSYS_INT) \
	X(mkostemp, int, (char *, int), "", NEW, NONE, NOSYS_INT) \
	X(mkostemp64, int, (char *, int), "", NEW, NONE, NOSYS_INT) \
	X(mkstemps, int, (char *, int), "", NEW, NONE, NOSYS_INT) \
	X(mkstemps64, int, (char *, int), "", NEW, NONE, NOSYS_INT) \
	X(mkostemps, int, (char *, int, int), "", NEW, NONE, NOSYS_INT) \
	X(mkostemps64, int, (char *, int, int), "", NEW, NONE, NOSYS_INT) \
	/* sockets (fd/socket.c) */ \
	X(socket, int, (int, int, int), "", NEW, FLAG(socket, 1, SOCK_CLOEXEC), OWN) \
	X(socketpair, int, (int, int, int, int *), "", NEW, \
	  FLAG(socketpair, 1, SOCK_CLOEXEC), NOSYS_INT) \
	X(accept, int, (int, struct sockaddr *, socklen_t *), "", NEW, NONE, NOSYS_INT) \
	X(accept4, int, (int, struct sockaddr *, socklen_t *, int), "", NEW, \
	  FLAG(accept4, 3, SOCK_CLOEXEC), NOSYS_INT) \
	X(recvmsg, ssize_t, (int, struct msghdr *, int), "", NEW, \
	  FLAG(recvmsg, 2, MSG_CMSG_CLOEXEC), NOSYS_INT) \
	X(recvmmsg, int, (int, struct mmsghdr *, unsigned int, int, struct timespec *), "", \
	  NEW, FLAG(recvmmsg, 3, MSG_CMSG_CLOEXEC), NOSYS_INT) \
	/* copies, closes and fd flags (fd/dup.c) */ \
	X(dup, int, (int), "", NEW, NONE, NOSYS_INT) \
	X(dup2, int, (int, int), "", FD, NONE, OWN) \
	X(dup3, int, (int, int, int), "", FD, NONE, OWN) \
	X(fcntl, int, (int, int, ...), "", NEW, NONE, OWN) \
	X(fcntl64, int, (int, int, ...), "", NEW, NONE, OWN) \
	X(__fcntl, int, (int, int, ...), "", NEW, NONE, OWN) \
	X(ioctl, int, (int, unsigned long, ...), "", FD, NONE, OWN) \
	X(close, int, (int), "", FD, NONE, OWN) \
	X(close_range, int, (unsigned int, unsigned int, int), "", FD, NONE, OWN) \
	X(closefrom, void, (int), "", FD, NONE, OWN) \
	/* pipes and the Linux fd-returning calls (fd/misc.c) */ \
	X(pipe, int, (int *), "", NEW, NONE, NOSYS_INT) \
	X(pipe2, int, (int *, int), "", NEW, FLAG(pipe2, 1, O_CLOEXEC), OWN) \
	X(epoll_create, int, (int), "", NEW, NONE, NOSYS_INT) \
	X(epoll_create1, int, (int), "", NEW, FLAG(epoll_create1, 0, O_CLOEXEC), NOSYS_INT) \
	X(eventfd, int, (unsigned int, int), "", NEW, FLAG(eventfd2, 1, O_CLOEXEC), NOSYS_INT) \
	X(signalfd, int, (int, const sigset_t *, int), "", NEW, \
	  FLAG(signalfd4, 3, O_CLOEXEC), NOSYS_INT) \
	X(timerfd_create, int, (int, int), "", NEW, \
	  FLAG(timerfd_create, 1, O_CLOEXEC), NOSYS_INT) \
	X(inotify_init, int, (void), "", NEW, NONE, NOSYS_INT) \
	X(inotify_init1, int, (int), "", NEW, FLAG(inotify_init1, 0, O_CLOEXEC), NOSYS_INT) \
	X(fanotify_init, int, (unsigned int, unsigned int), "", NEW, \
	  FLAG(fanotify_init, 0, FAN_CLOEXEC), NOSYS_INT) \
	X(memfd_create, int, (const char *, unsigned int), "", NEW, \
	  FLAG(memfd_create, 1, MFD_CLOEXEC), NOSYS_INT) \
	X(fsopen, int, (const char *, unsigned int), "", NEW, \
	  FLAG(fsopen, 1, FSOPEN_CLOEXEC), NOSYS_INT) \
	X(fsmount, int, (int, unsigned int, unsigned int), "", NEW, \
	  FLAG(fsmount, 1, FSMOUNT_CLOEXEC), NOSYS_INT) \
	X(open_tree, int, (int, const char *, unsigned int), "", NEW, \
	  FLAG(open_tree, 2, OPEN_TREE_CLOEXEC), NOSYS_INT) \
	X(userfaultfd, int, (int), "", SYSONLY, FLAG(userfaultfd, 0, O_CLOEXEC), NOSYS_INT) \
	X(perf_event_open, int, (void *, pid_t, int, int, unsigned long), "", SYSONLY, \
	  FLAG(perf_event_open, 4, PERF_FLAG_FD_CLOEXEC), NOSYS_INT) \
	/* pseudo-terminals (fd/pty.c) */ \
	X(posix_openpt, int, (int), "", NEW, NONE, NOSYS_INT) \
	X(getpt, int, (void), "", NEW, NONE, NOSYS_INT) \
	X(openpty, int, (int *, int *, char *, const struct termios *, const struct winsize *), \
	  "", NEW, NONE, NOSYS_INT) \
	X(forkpty, pid_t, (int *, char *, const struct termios *, const struct winsize *), \
	  "", NEW, NONE, NOSYS_INT) \
	X(grantpt, int, (int), "", LIBC, NONE, NOSYS_INT) \
	X(unlockpt, int, (int), "", LIBC, NONE, NOSYS_INT) \
	X(login_tty, int, (int), "", LIBC, NONE, NOSYS_INT) \
	/* any system call (fd/syscall.c) */ \
	X(syscall, long, (long, ...), "", NEW, NONE, OWN) \
	/* exec (fd/exec.c) */ \
	X(execve, int, (const char *, char *const[], char *const[]), "", EXEC, NONE, NOSYS_INT) \
	X(execv, int, (const char *, char *const[]), "", EXEC, NONE, NOSYS_INT) \
	X(execvp, int, (const char *, char *const[]), "", EXEC, NONE, NOSYS_INT) \
	X(execvpe, int, (const char *, char *const[], char *const[]), "", EXEC, NONE, NOSYS_INT) \
	X(execl, int, (const char *, const char *, ...), "", EXEC, NONE, NOSYS_INT) \
	X(execlp, int, (const char *, const char *, ...), "", EXEC, NONE, NOSYS_INT) \
	X(execle, int, (const char *, const char *, ...), "", EXEC, NONE, NOSYS_INT) \
	X(fexecve, int, (int, char *const[], char *const[]), "", EXEC, NONE, NOSYS_INT) \
	X(execveat, int, (int, const char *, char *const[], char *const[], int), "", EXEC, \
	  NONE, NOSYS_INT) \
	/* spawns (fd/spawn.c) */ \
	X(posix_spawn, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
			     const posix_spawnattr_t *, char *const[], char *const[]), \
	  "GLIBC_2.15", SPAWN, NONE, NOSYS_ERR) \
	X(posix_spawnp, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
			      const posix_spawnattr_t *, char *const[], char *const[]), \
	  "GLIBC_2.15", SPAWN, NONE, NOSYS_ERR) \
	X(posix_spawn_compat, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
				    const posix_spawnattr_t *, char *const[], char *const[]), \
	  "GLIBC_2.2.5", SPAWN, NONE, NOSYS_ERR) \
	X(posix_spawnp_compat, int, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
				     const posix_spawnattr_t *, char *const[], char *const[]), \
	  "GLIBC_2.2.5", SPAWN, NONE, NOSYS_ERR) \
	X(system, int, (const char *), "", SPAWN, NONE, NOSYS_INT) \
	/* fork (fork/fork.c) */ \
	X(fork, pid_t, (void), "", FORK, NONE, NOSYS_INT) \
	X(__fork, pid_t, (void), "", FORK, NONE, NOSYS_INT) \
	X(_Fork, pid_t, (void), "", FORK, NONE, NOSYS_INT) \
	X(daemon, int, (int, int), "", FORK, NONE, NOSYS_INT) \
	/* the wrapper is assembly where it can be (fork/vfork.c) */ \
	X(vfork, pid_t, (void), "", FORK, NONE, NOSYS_INT) \
	/* a thread ends child mode; auto mode watches children (fork/fork.c) */ \
	X(pthread_create, int, (void *, const void *, void *(*)(void *), void *), "", MISC, \
	  NONE, NOSYS_ERR) \
	/* the atfork registry (fork/atfork.c) */ \
	X(__register_atfork, int, (void (*)(void), void (*)(void), void (*)(void), void *), "", \
	  ATFORK, NONE, NOSYS_ERR) \
	X(pthread_atfork, int, (void (*)(void), void (*)(void), void (*)(void)), "", ATFORK, \
	  NONE, NOSYS_ERR) \
	X(__cxa_finalize, void, (void *), "", ATFORK, NONE, NOSYS_VOID) \
	/* children of threaded forks (fork/childlock.c): the stall timer's \
	 * signal, and the locks that may never be released */ \
	X(sigaction, int, (int, const struct sigaction *, struct sigaction *), "", MISC, \
	  NONE, NOSYS_INT) \
	X(signal, __sighandler_t, (int, __sighandler_t), "", MISC, NONE, NOSYS_SIG) \
	X(pthread_mutex_lock, int, (pthread_mutex_t *), "", LOCK, NONE, OWN) \
	X(pthread_mutex_timedlock, int, (pthread_mutex_t *, const struct timespec *), "", LOCK, \
	  NONE, NOSYS_ERR) \
	X(pthread_mutex_clocklock, int, (pthread_mutex_t *, clockid_t, const struct timespec *), \
	  "", LOCK, NONE, NOSYS_ERR) \
	X(pthread_rwlock_rdlock, int, (pthread_rwlock_t *), "", LOCK, NONE, OWN) \
	X(pthread_rwlock_wrlock, int, (pthread_rwlock_t *), "", LOCK, NONE, OWN) \
	X(pthread_rwlock_timedrdlock, int, (pthread_rwlock_t *, const struct timespec *), "", \
	  LOCK, NONE, NOSYS_ERR) \
	X(pthread_rwlock_timedwrlock, int, (pthread_rwlock_t *, const struct timespec *), "", \
	  LOCK, NONE, NOSYS_ERR) \
	X(pthread_rwlock_clockrdlock, int, (pthread_rwlock_t *, clockid_t, \
					    const struct timespec *), "", LOCK, NONE, NOSYS_ERR) \
	X(pthread_rwlock_clockwrlock, int, (pthread_rwlock_t *, clockid_t, \
					    const struct timespec *), "", LOCK, NONE, NOSYS_ERR) \
	/* a redirected child's own exit, environment and credentials \
	 * (fork/spawnchild.c) */ \
	X(exit, void, (int), "", MISC, NONE, OWN) \
	X(getenv, char *, (const char *), "", ENV, NONE, OWN) \
	X(secure_getenv, char *, (const char *), "", ENV, NONE, OWN) \
	X(setenv, int, (const char *, const char *, int), "", ENV, NONE, NOSYS_INT) \
	X(unsetenv, int, (const char *), "", ENV, NONE, NOSYS_INT) \
	X(putenv, int, (char *), "", ENV, NONE, NOSYS_INT) \
	X(clearenv, int, (void), "", ENV, NONE, NOSYS_INT) \
	X(setuid, int, (uid_t), "", CRED, NONE, NOSYS_INT) \
	X(setgid, int, (gid_t), "", CRED, NONE, NOSYS_INT) \
	X(seteuid, int, (uid_t), "", CRED, NONE, NOSYS_INT) \
	X(setegid, int, (gid_t), "", CRED, NONE, NOSYS_INT) \
	X(setreuid, int, (uid_t, uid_t), "", CRED, NONE, NOSYS_INT) \
	X(setregid, int, (gid_t, gid_t), "", CRED, NONE, NOSYS_INT) \
	X(setresuid, int, (uid_t, uid_t, uid_t), "", CRED, NONE, NOSYS_INT) \
	X(setresgid, int, (gid_t, gid_t, gid_t), "", CRED, NONE, NOSYS_INT) \
	X(setgroups, int, (size_t, const gid_t *), "", CRED, NONE, NOSYS_INT)

/* The kinds, for code that walks the table (real.c, tests/core/calls). */
enum fs_call_kind {
	FS_KIND_NEW, FS_KIND_FD, FS_KIND_EXEC, FS_KIND_SPAWN, FS_KIND_FORK, FS_KIND_ATFORK,
	FS_KIND_LOCK, FS_KIND_ENV, FS_KIND_CRED, FS_KIND_MISC, FS_KIND_LIBC, FS_KIND_SYSONLY,
};

/* One identifier per row: FS_ID_open... */
enum fs_call_id {
#define FS_X(name, ret, params, ver, kind, sys, fallback) FS_ID_##name,
	FS_CALLS(FS_X)
#undef FS_X
	FS_ID_COUNT
};

#endif

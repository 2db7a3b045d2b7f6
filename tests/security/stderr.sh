#!/bin/bash
# Reports and warnings go to standard error only as it was when the
# program started: a program started with fd 2 closed, whose own file
# then becomes fd 2, never finds a report or a warning in it; nor does
# one that closes fd 2 and opens its own file there (the reports then go
# to the start-up stderr, through forksafe's private copy).
. "$FS_SRCDIR/tests/diag/lib.sh"
prog="$FS_BUILDDIR/tests/security/fd2"

# Started with fd 2 closed: nothing can be said, nothing lands in the file.
shim FORKSAFE_DIAG=1 "$prog" "$T/closed.own" >"$T/closed.out" 2>&-
check_eq "fd 2 closed at start: exit status 0" 0 "$?"
check "fd 2 closed at start: the program's file is fd 2" grep -qx "file fd 2" "$T/closed.out"
check_eq "fd 2 closed at start: only the program's line in its file" "own line" \
	"$(cat "$T/closed.own")"

# The same with a warning written at report time (a log that is full).
shim FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/full "$prog" "$T/full.own" >"$T/full.out" 2>&-
check_eq "fd 2 closed, log full: exit status 0" 0 "$?"
check_eq "fd 2 closed, log full: only the program's line in its file" "own line" \
	"$(cat "$T/full.own")"

# And a configuration message.
shim FORKSAFE_DIAG=1 FORKSAFE_FORK=bogus "$prog" "$T/config.own" >"$T/config.out" 2>&-
check_eq "fd 2 closed, bad setting: only the program's line in its file" "own line" \
	"$(cat "$T/config.own")"

# Started with fd 2 open, then replaced by the program's own file before
# anything was said: forksafe has no copy of the start-up stderr (it
# makes one only when it first writes), so the report is dropped; it is
# never written into the program's file.
shim FORKSAFE_DIAG=1 "$prog" "$T/reopen.own" >"$T/reopen.out" 2>"$T/reopen.err"
check_eq "fd 2 replaced: exit status 0" 0 "$?"
check_eq "fd 2 replaced: only the program's line in its file" "own line" "$(cat "$T/reopen.own")"
check_eq "fd 2 replaced: nothing on the start-up stderr" 0 "$(count_events mt-fork "$T/reopen.err")"

# A report written before fd 2 is replaced: forksafe's copy of the
# start-up stderr exists, and the later report still reaches it.
shim FORKSAFE_DIAG=1 "$prog" "$T/early.own" early >"$T/early.out" 2>"$T/early.err"
check_eq "fd 2 replaced after a report: exit status 0" 0 "$?"
check_eq "fd 2 replaced after a report: only the program's line in its file" "own line" \
	"$(cat "$T/early.own")"
check_eq "fd 2 replaced after a report: both call sites on the start-up stderr" 2 \
	"$(count_events mt-fork "$T/early.err")"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/full "$prog" "$T/early-full.own" early \
	>"$T/early-full.out" 2>"$T/early-full.err"
check_eq "fd 2 replaced, log full: only the program's line in its file" "own line" \
	"$(cat "$T/early-full.own")"
check_eq "fd 2 replaced, log full: the warning is on the start-up stderr, once" 1 \
	"$(grep -c "reports are being lost" "$T/early-full.err")"

# Nothing is opened before the first report: a program that lists its
# own fds (a close_fds test, a daemon checking what it inherited) sees
# only its own, in diagnostic mode, whatever the destination.
native=$(ls /proc/self/fd | sort -n | tr '\n' ' ')
for dest in stderr "$T/none.log"; do
	fds=$(shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$dest" ls /proc/self/fd | sort -n | tr '\n' ' ')
	check_eq "no report, FORKSAFE_LOG=$dest: the fds a run without forksafe sees" "$native" "$fds"
done
check "no report: the log file is not even created" test ! -e "$T/none.log"
finish

#!/bin/bash
# The summary at exit (diagnostic mode) counts what was reported: forks
# while other threads ran and their distinct call sites, accidental
# inheritances at exec and the distinct places the leaked fds were made.
#
# On standard error each event is shown once per call site (repeats are
# counted, not shown), and the summary is written only when there is
# something to say (repeats held back) and only on a terminal: a program
# reading the stderr it captured (a test runner parsing its workers'
# last line) finds nothing after its own output.  A log file gets every
# report and the summary.
. "$FS_SRCDIR/tests/diag/lib.sh"
file="$T/file"
: >"$file"

# Into a log file: every report, and the summary.
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/forks.log" "$(diagprog manyevents)" 5 0 2>"$T/forks.err"
check_eq "5 forks, log file: exit status 0" 0 "$?"
check_eq "5 forks, log file: 5 mt-fork reports" 5 "$(count_events mt-fork "$T/forks.log")"
check_eq "5 forks, log file: one summary" 1 "$(count_events summary "$T/forks.log")"
sum=$(events summary "$T/forks.log")
check_eq "5 forks, log file: mt_forks=5" 5 "$(field mt_forks <<<"$sum")"
check_eq "5 forks, log file: mt_fork_sites=1" 1 "$(field mt_fork_sites <<<"$sum")"
check_eq "5 forks, log file: no not_shown field" "<none>" "$(field not_shown <<<"$sum")"
check "5 forks, log file: nothing on stderr" test ! -s "$T/forks.err"

# On stderr, a file: the call site once, no summary.
shim FORKSAFE_DIAG=1 "$(diagprog manyevents)" 5 0 2>"$T/forks-stderr.err"
check_eq "5 forks, stderr: exit status 0" 0 "$?"
check_eq "5 forks, stderr: one mt-fork report (one call site)" 1 \
	"$(count_events mt-fork "$T/forks-stderr.err")"
check_eq "5 forks, stderr not a terminal: no summary" 0 \
	"$(count_events summary "$T/forks-stderr.err")"

# On stderr, a terminal: the call site once, and the summary counts the
# four repeats not shown; with nothing held back, no summary.
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "env LD_PRELOAD='$FORKSAFE_SO' FORKSAFE_DIAG=1 '$(diagprog manyevents)' 5 0" \
		/dev/null </dev/null | tr -d '\r' >"$T/tty.out"
	check_eq "5 forks, terminal: one mt-fork report" 1 "$(count_events mt-fork "$T/tty.out")"
	check_eq "5 forks, terminal: one summary" 1 "$(count_events summary "$T/tty.out")"
	sum=$(events summary "$T/tty.out")
	check_eq "5 forks, terminal: mt_forks=5" 5 "$(field mt_forks <<<"$sum")"
	check_eq "5 forks, terminal: not_shown=4" 4 "$(field not_shown <<<"$sum")"
	script -qec "env LD_PRELOAD='$FORKSAFE_SO' FORKSAFE_DIAG=1 '$(diagprog manyevents)' 1 0" \
		/dev/null </dev/null | tr -d '\r' >"$T/tty1.out"
	check_eq "1 fork, terminal: one mt-fork report" 1 "$(count_events mt-fork "$T/tty1.out")"
	check_eq "1 fork, terminal: nothing to say, no summary" 0 \
		"$(count_events summary "$T/tty1.out")"
else
	note "script(1) cannot make a terminal here: the terminal case is not run"
fi

# summary_leaks NAME HOW: leak's two leaks, reported and counted.
summary_leaks() {
	shim FORKSAFE_CLOEXEC=audit FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/$1.log" "$(diagprog leak)" \
		"$file" "$2" >"$T/$1.out" 2>"$T/$1.err"
	check_eq "$1: exit status 0" 0 "$?"
	local reported sum
	reported=$(count_events exec-leak "$T/$1.log")
	sum=$(events summary "$T/$1.log")
	check_eq "$1: one summary" 1 "$(count_events summary "$T/$1.log")"
	check_eq "$1: exec_leaks counts every exec-leak report" "$reported" \
		"$(field exec_leaks <<<"$sum")"
	check_eq "$1: exec_leak_sites=2 (open_the_file, make_the_socket)" 2 \
		"$(field exec_leak_sites <<<"$sum")"
}

summary_leaks posix_spawn spawn
# The audit runs in the child between fork and exec: its counts must
# still reach the parent's summary.
summary_leaks fork+exec exec
finish

#!/bin/bash
# The summary at exit (diagnostic mode) counts what was reported: forks
# while other threads ran and their distinct call sites, accidental
# inheritances at exec and the distinct places the leaked fds were made.
. "$FS_SRCDIR/tests/diag/lib.sh"
file="$T/file"
: >"$file"

shim FORKSAFE_DIAG=1 "$(diagprog manyevents)" 5 0 2>"$T/forks.err"
check_eq "5 forks: exit status 0" 0 "$?"
check_eq "5 forks: 5 mt-fork reports" 5 "$(count_events mt-fork "$T/forks.err")"
check_eq "5 forks: one summary" 1 "$(count_events summary "$T/forks.err")"
sum=$(events summary "$T/forks.err")
check_eq "5 forks: mt_forks=5" 5 "$(field mt_forks <<<"$sum")"
check_eq "5 forks: mt_fork_sites=1" 1 "$(field mt_fork_sites <<<"$sum")"

# summary_leaks NAME HOW: leak's two leaks, reported and counted.
summary_leaks() {
	shim FORKSAFE_CLOEXEC=audit FORKSAFE_DIAG=1 "$(diagprog leak)" "$file" "$2" \
		>"$T/$1.out" 2>"$T/$1.err"
	check_eq "$1: exit status 0" 0 "$?"
	local reported sum
	reported=$(count_events exec-leak "$T/$1.err")
	sum=$(events summary "$T/$1.err")
	check_eq "$1: one summary" 1 "$(count_events summary "$T/$1.err")"
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

#!/bin/bash
# FORKSAFE_CHILD_TIMEOUT (diagnostic mode): a child of a multi-threaded
# fork that neither execs nor exits in time is reported (child-stall);
# a child that execs is not reported, and the program it runs is not
# disturbed; a child with its own SIGRTMAX handler is left alone.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(atforkprog stall)

# The runs take seconds each: all at once, then the checks.
start() {
	local name=$1
	shift
	(
		shim "$@" >"$T/$name.out" 2>"$T/$name.err"
		echo $? >"$T/$name.status"
	) &
}
for mode in sleep exec inherited own; do
	start "$mode" FORKSAFE_DIAG=1 FORKSAFE_CHILD_TIMEOUT=1 "$prog" "$mode"
done
start nodiag FORKSAFE_CHILD_TIMEOUT=1 "$prog" sleep
start nolimit FORKSAFE_DIAG=1 "$prog" sleep
wait

# ran NAME: the run ended well.
ran() {
	check_eq "$1: exit status 0" 0 "$(cat "$T/$1.status")"
	check "$1: the child exited 0" grep -qE '^status=0 ' "$T/$1.out"
}

ran sleep
check_eq "sleep: one child-stall report" 1 "$(count_events child-stall "$T/sleep.err")"
line=$(events child-stall "$T/sleep.err")
check_eq "sleep: seconds=1" 1 "$(field seconds <<<"$line")"
check "sleep: fork_caller names main" \
	grep -qE '^main\+0x[0-9a-f]+ \(stall\)$' <<<"$(field fork_caller <<<"$line")"
report_pid=$(sed -E 's/^forksafe\[([0-9]+)\].*/\1/' <<<"$line")
parent_pid=$(events mt-fork "$T/sleep.err" | sed -E 's/^forksafe\[([0-9]+)\].*/\1/')
check "sleep: reported by the child, not the parent" test -n "$report_pid" -a "$report_pid" != "$parent_pid"

ran exec
check_eq "exec: not reported" 0 "$(count_events child-stall "$T/exec.err")"
check "exec: 'sleep 2' ran its full time" grep -qE '^status=0 elapsed=(1\.9|[2-9]\.)' "$T/exec.out"

for mode in inherited own; do
	ran "$mode"
	check_eq "$mode: not reported" 0 "$(count_events child-stall "$T/$mode.err")"
	check_eq "$mode: the program's SIGRTMAX handler was not called" handler_calls=0 \
		"$(grep '^handler_calls=' "$T/$mode.out")"
	check_eq "$mode: the child's sleep was not cut short" interrupted=0 \
		"$(grep '^interrupted=' "$T/$mode.out")"
done

# Outside diagnostic mode, or with no limit, children are never timed.
for name in nodiag nolimit; do
	ran "$name"
	check_eq "$name: not reported" 0 "$(count_events child-stall "$T/$name.err")"
	check_eq "$name: the child's sleep was not cut short" interrupted=0 \
		"$(grep '^interrupted=' "$T/$name.out")"
done
finish

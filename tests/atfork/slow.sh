#!/bin/bash
# A prepare handler that blocks longer than FORKSAFE_ATFORK_TIMEOUT is
# reported (atfork-slow) while it blocks, naming the handler; the fork
# then completes.  A fast one is not reported.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(atforkprog slow)

# The runs take seconds each: all at once, then the checks.
start() {
	local name=$1
	shift
	(
		shim "$@" >"$T/$name.out" 2>"$T/$name.err"
		echo $? >"$T/$name.status"
	) &
}
start slow-single FORKSAFE_DIAG=1 FORKSAFE_ATFORK_TIMEOUT=1 "$prog" 2
start slow-threaded FORKSAFE_DIAG=1 FORKSAFE_ATFORK_TIMEOUT=1 "$prog" 2 threaded
start fast FORKSAFE_DIAG=1 FORKSAFE_ATFORK_TIMEOUT=2 "$prog" 0 threaded
start off FORKSAFE_DIAG=1 FORKSAFE_ATFORK_TIMEOUT=0 "$prog" 2
wait

for name in slow-single slow-threaded; do
	check_eq "$name: exit status 0" 0 "$(cat "$T/$name.status")"
	check "$name: the fork completed" grep -qx status=0 "$T/$name.out"
	check_eq "$name: one atfork-slow report" 1 "$(count_events atfork-slow "$T/$name.err")"
	line=$(events atfork-slow "$T/$name.err")
	check "$name: handler names slow_prepare_handler" \
		grep -qE '^slow_prepare_handler\+0x0 \(slow\)$' <<<"$(field handler <<<"$line")"
	check_eq "$name: phase=prepare" prepare "$(field phase <<<"$line")"
	check_eq "$name: seconds=1" 1 "$(field seconds <<<"$line")"
done

check_eq "fast handler: exit status 0" 0 "$(cat "$T/fast.status")"
check_eq "fast handler: not reported" 0 "$(count_events atfork-slow "$T/fast.err")"
check_eq "FORKSAFE_ATFORK_TIMEOUT=0: exit status 0" 0 "$(cat "$T/off.status")"
check_eq "FORKSAFE_ATFORK_TIMEOUT=0: not reported" 0 "$(count_events atfork-slow "$T/off.err")"
finish

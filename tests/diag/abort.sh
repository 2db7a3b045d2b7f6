#!/bin/bash
# FORKSAFE_FORK=abort: a fork while other threads run is reported, then
# the process dies of SIGABRT before any child exists.  A single-threaded
# fork goes ahead.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog mtfork)

# abort_run NAME VAR=value...: runs "mtfork marker", leaves $status.
abort_run() {
	local name=$1
	shift
	# A child, had one been made, would hold stdout, the pipe to cat,
	# until it ended (after creating its marker): cat ends after it.
	shim "$@" "$prog" marker "$T/$name.child" 2>"$T/$name.err" | timeout 60 cat >"$T/$name.out"
	status=${PIPESTATUS[0]}
}

for diag in 0 1; do
	name=abort-diag$diag
	abort_run "$name" FORKSAFE_FORK=abort FORKSAFE_DIAG=$diag
	check_eq "$name: killed by SIGABRT (status 128+6)" 134 "$status"
	check_eq "$name: one mt-fork report" 1 "$(count_events mt-fork "$T/$name.err")"
	line=$(events mt-fork "$T/$name.err")
	check_eq "$name: action=abort" abort "$(field action <<<"$line")"
	check_eq "$name: threads=4" 4 "$(field threads <<<"$line")"
	check "$name: the program ran up to the fork" grep -qx before-fork "$T/$name.out"
	check "$name: and not past it" test "$(grep -c after-fork "$T/$name.out")" -eq 0
	check "$name: no child was created" test ! -e "$T/$name.child"
done

# The report reaches a file log before the process dies.
abort_run tofile FORKSAFE_FORK=abort FORKSAFE_LOG="$T/abort.log"
check_eq "file log: killed by SIGABRT" 134 "$status"
check_eq "file log: the report is in the file" 1 "$(count_events mt-fork "$T/abort.log")"
check "file log: no child was created" test ! -e "$T/tofile.child"

# No other threads: nothing to abort for.
shim FORKSAFE_FORK=abort "$prog" single-marker "$T/single.child" >"$T/single.out" 2>"$T/single.err"
check_eq "single-threaded: exit status 0" 0 "$?"
check "single-threaded: the child ran" test -e "$T/single.child"
check "single-threaded: nothing reported" test ! -s "$T/single.err"
finish

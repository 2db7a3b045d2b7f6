#!/bin/bash
# forksafe's initialisation, reached from inside an allocator that holds
# its lock (tests/core/allocinit.c: jemalloc's start-up, which opens a
# file through syscall() with its lock held), allocates nothing and
# loads no library, in every setting that reports: the program runs to
# the end instead of hanging.  Asserts the program's output and status
# in each mode; a re-entered allocator exits 99 at once.
set -u
prog=$FS_BUILDDIR/tests/core/allocmain
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fails=0

run() { # name env...
	local name=$1 out st
	shift
	out=$(env LD_PRELOAD="$FORKSAFE_SO" "$@" timeout -k 5 60 "$prog" 2>"$log.err")
	st=$?
	if [ $st = 0 ] && [ "$out" = "allocmain: ok" ]; then
		echo "ok: $name"
	else
		echo "FAIL: $name: status $st, output '$out'"
		sed 's/^/    stderr: /' "$log.err" | head -5
		fails=$((fails + 1))
	fi
	rm -f "$log.err"
}

out=$(timeout 60 "$prog") && [ "$out" = "allocmain: ok" ] ||
	{ echo "FAIL: the program does not run without forksafe"; exit 1; }
run "default"
run "diagnostic mode" FORKSAFE_DIAG=1 FORKSAFE_LOG="$log"
run "FORKSAFE_FORK=warn" FORKSAFE_FORK=warn FORKSAFE_LOG="$log"
run "FORKSAFE_CHILD_LOCKS=break" FORKSAFE_CHILD_LOCKS=break
run "FORKSAFE_CHILD_LOCKS=abort" FORKSAFE_CHILD_LOCKS=abort
run "diagnostic mode, JSON, syslog" FORKSAFE_DIAG=1 FORKSAFE_LOG=syslog FORKSAFE_LOG_FORMAT=json
# The fork after start-up is reported with a backtrace: the unwinder was
# loaded by the constructor, outside the allocator's lock.
: >"$log"
env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$log" timeout 60 "$prog" >/dev/null
if grep -q 'mt-fork:.*backtrace="[^"]*main' "$log"; then
	echo "ok: the fork in main is reported with a backtrace"
else
	echo "FAIL: no mt-fork report with a backtrace through main:"; cat "$log"
	fails=$((fails + 1))
fi
exit $fails

#!/bin/bash
# forksafe's initialisation, reached from inside an allocator that holds
# its lock (tests/core/allocinit.c: jemalloc's start-up, which opens a
# file through syscall() with its lock held), allocates nothing and
# loads no library, in every setting that reports: the program runs to
# the end instead of hanging.  Asserts the program's output and status
# in each mode; a re-entered allocator exits 99 at once.
. "$FS_SRCDIR/tests/lib.sh"
prog=$FS_BUILDDIR/tests/core/allocmain
log=$T/log

# run NAME VAR=value...: the program under forksafe with those settings;
# a hang is cut after 60 s.
run() {
	local name=$1 out st
	shift
	out=$(shim "$@" timeout -k 5 60 "$prog" 2>"$T/err")
	st=$?
	if [ $st = 0 ] && [ "$out" = "allocmain: ok" ]; then
		pass "$name"
	else
		fail "$name: status $st, output '$out'"
		sed 's/^/    stderr: /' "$T/err" | head -5 >&2
	fi
}

out=$(timeout 60 "$prog") && [ "$out" = "allocmain: ok" ] ||
	die "the program does not run without forksafe"
run "default"
run "diagnostic mode" FORKSAFE_DIAG=1 FORKSAFE_LOG="$log"
run "FORKSAFE_FORK=warn" FORKSAFE_FORK=warn FORKSAFE_LOG="$log"
run "FORKSAFE_CHILD_LOCKS=break" FORKSAFE_CHILD_LOCKS=break
run "FORKSAFE_CHILD_LOCKS=abort" FORKSAFE_CHILD_LOCKS=abort
run "diagnostic mode, JSON, syslog" FORKSAFE_DIAG=1 FORKSAFE_LOG=syslog FORKSAFE_LOG_FORMAT=json
# The fork after start-up is reported with a backtrace: the unwinder was
# loaded by the constructor, outside the allocator's lock.
: >"$log"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$log" timeout 60 "$prog" >/dev/null
if grep -q 'mt-fork:.*backtrace="[^"]*main' "$log"; then
	pass "the fork in main is reported with a backtrace"
else
	fail "no mt-fork report with a backtrace through main:"
	cat "$log" >&2
fi
finish

#!/bin/bash
# FORKSAFE_FORK=spawn: 200 children, each forked while a worker thread
# holds a mutex, lock and unlock it and exec (deadlock.c).  Forked for
# real they hang (the mutex's owner does not exist in the child);
# redirected, none does: the worker, still running, releases it.
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog deadlock)

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" 200 3 >"$T/spawn.out" 2>"$T/spawn.err"
check_eq "spawn: every check passes (exit status)" 0 "$?"
check_eq "spawn: counts" "children=200 exec_ok=200 hung=0 other=0 redirected=200" \
	"$(cat "$T/spawn.out")"

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" 20 3 \
	>"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: every check passes (exit status)" 0 "$?"
check_eq "diag: one spawn report per child" 20 "$(count_events spawn "$T/diag.log")"
check_eq "diag: no child-deadlock report (no child forked for real)" 0 \
	"$(count_events child-deadlock "$T/diag.log")"

native "$prog" 1 1 >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
check_eq "control: the child hangs" "children=1 exec_ok=0 hung=1 other=0 redirected=0" \
	"$(cat "$T/native.out")"
finish

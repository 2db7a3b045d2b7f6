#!/bin/bash
# FORKSAFE_FORK=spawn: a redirected child whose exec fails and that calls
# exit(3), or _exit(127): the parent sees the statuses; the child runs
# none of the parent's atexit handlers and flushes none of its stdio
# buffers (exits.c).  Without forksafe the child's exit runs the handler
# and writes the parent's pending text again.
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog exits)

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" "$T/spawn.log" >"$T/spawn.out" 2>"$T/spawn.err"
check_eq "spawn: every check passes (exit status)" 0 "$?"
parent=$(sed -n 's/^parent pid=//p' "$T/spawn.err")
check_eq "spawn: the pending text is written once" 1 "$(grep -c '^pending-text$' "$T/spawn.out")"
check_eq "spawn: one atexit line, the parent's" "atexit pid=$parent" "$(cat "$T/spawn.log")"

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" "$T/diag.exitlog" \
	>"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: every check passes (exit status)" 0 "$?"
check_eq "diag: both forks reported as spawns" 2 "$(count_events spawn "$T/diag.log")"
check_eq "diag: the pending text is written once" 1 "$(grep -c '^pending-text$' "$T/diag.out")"

native "$prog" "$T/native.log" >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
check "control: the child's exit ran the handler and wrote the text again" \
	test "$(wc -l <"$T/native.log")" -eq 2 -a "$(grep -c '^pending-text$' "$T/native.out")" -eq 2
finish

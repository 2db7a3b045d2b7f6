#!/bin/bash
# FORKSAFE_FORK=spawn: a redirected child returns from the functions that
# called fork and fills the stack; the parent finds its frames, its
# __thread variables and errno as they were, from the main thread and
# from another thread (frames.c).  Each redirection is reported in
# diagnostic mode.  Without forksafe the program fails: its checks see
# that the fork was not redirected.
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog frames)

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" >"$T/spawn.out" 2>"$T/spawn.err"
check_eq "spawn: every check passes (exit status)" 0 "$?"
check_eq "spawn: 16 checks passed" 16 "$(grep -c '^ok:' "$T/spawn.err")"
check "spawn: nothing from forksafe outside diagnostic mode" \
	test "$(grep -c '^forksafe' "$T/spawn.err")" -eq 0

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" \
	>"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: every check passes (exit status)" 0 "$?"
check_eq "diag: one spawn report per fork" 2 "$(count_events spawn "$T/diag.log")"
check "diag: each names fork_below as the caller" \
	test "$(events spawn "$T/diag.log" | field caller |
		grep -cE '^fork_below(\.[a-z]+\.[0-9]+)?\+0x[0-9a-f]+ \(frames\)$')" -eq 2
check_eq "diag: mode=spawn" spawn "$(events spawn "$T/diag.log" | field mode | sort -u)"
check "diag: child= is a pid" \
	test "$(events spawn "$T/diag.log" | field child | grep -cE '^[1-9][0-9]*$')" -eq 2
check_eq "diag: the report is the parent's" \
	"$(event_pids mt-fork "$T/diag.log" | sort -u)" "$(event_pids spawn "$T/diag.log" | sort -u)"
check "diag: no fallback" test "$(count_events spawn-fallback "$T/diag.log")" -eq 0

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 FORKSAFE_DIAG=1 FORKSAFE_LOG_FORMAT=json FORKSAFE_LOG="$T/json.log" \
	"$prog" >/dev/null 2>&1
check_eq "json: two spawn objects" 2 "$(grep -c '"event":"spawn"' "$T/json.log")"
check_json_file json "$T/json.log"

native "$prog" >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
check "control: it says the fork was not redirected" \
	grep -q 'FAIL: main thread: the child ran in the parent' "$T/native.err"
finish

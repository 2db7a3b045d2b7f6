#!/bin/bash
# FORKSAFE_FORK=spawn: what a redirected child changes before exec (its
# environment, PATH for execvp, clearenv, directory, standard output,
# SIGPIPE, signal mask, credentials, closing every fd, a fork of its own)
# reaches the program it execs and never its parent (childstate.c).  A
# fork inside a redirected child is a real fork, said once in diagnostic
# mode.
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog childstate)
probe=$(spawnprog probe)
: >"$T/scratch"

# The probe is found through the PATH the child sets, never this one.
PATH=/usr/bin:/bin timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" "$probe" "$T/scratch" \
	>"$T/spawn.out" 2>"$T/spawn.err"
check_eq "spawn: every check passes (exit status)" 0 "$?"
check "spawn: no check failed" test "$(grep -c '^FAIL' "$T/spawn.err")" -eq 0 ||
	grep -A12 '^FAIL' "$T/spawn.err"
forks=$(sed -n 's/^forks=//p' "$T/spawn.out")
check_eq "spawn: the program made 9 forks" 9 "$forks"

PATH=/usr/bin:/bin timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" \
	"$prog" "$probe" "$T/scratch" >"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: every check passes (exit status)" 0 "$?"
check_eq "diag: one spawn report per fork of the parent" 9 "$(count_events spawn "$T/diag.log")"
check_eq "diag: the fork inside a redirected child is said once" 1 \
	"$(count_events spawn-fallback "$T/diag.log")"
line=$(events spawn-fallback "$T/diag.log")
check_eq "diag: reason" "fork from inside a redirected child" "$(field reason <<<"$line")"
check_eq "diag: action=fork" fork "$(field action <<<"$line")"
check "diag: the caller is nested_setup" \
	grep -qE '^nested_setup(\.[a-z]+\.[0-9]+)?\+0x[0-9a-f]+ \(childstate\)$' \
	<<<"$(field caller <<<"$line")"

PATH=/usr/bin:/bin native "$prog" "$probe" "$T/scratch" >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
check_eq "control: each of the 9 forks is seen as not redirected" 9 \
	"$(grep -c '^FAIL: the fork was redirected' "$T/native.err")"
finish

#!/bin/bash
# FORKSAFE_FORK=spawn: four threads fork at once, 50 times each; each
# child sets WHO for the program it execs, which checks it; a fifth
# thread reads WHO all along and must never see it (concurrent.c).
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog concurrent)

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" 4 50 >"$T/spawn.out" 2>"$T/spawn.err"
check_eq "spawn: every check passes (exit status)" 0 "$?"
check_eq "spawn: 9 checks passed" 9 "$(grep -c '^ok:' "$T/spawn.err")"

native "$prog" 2 2 >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
finish

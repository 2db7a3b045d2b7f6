# Helpers for the tests in tests/spawn (sourced): those of tests/diag,
# plus a timeout around every program run, so a hang fails the test.
# The tests of what a redirected child may do run FORKSAFE_FORK=spawn with
# FORKSAFE_SPAWN_AFTER=0 (every site trusted, every fork redirected from
# the first); auto.sh tests the learning of both modes.
. "$FS_SRCDIR/tests/diag/lib.sh"

spawnprog() { echo "$FS_BUILDDIR/tests/spawn/$1"; }

# timed [VAR=value...] PROGRAM [ARG...]: with forksafe preloaded, at most
# 60 seconds.
timed() { timeout -k 5 60 env LD_PRELOAD="$FORKSAFE_SO" "$@"; }

# native PROGRAM [ARG...]: without forksafe, at most 60 seconds.
native() { timeout -k 5 60 "$@"; }

# The pids in "forksafe[PID]: EVENT:" lines of FILE, one per line.
event_pids() { events "$1" "$2" | sed -E 's/^forksafe\[([0-9]+)\].*/\1/'; }

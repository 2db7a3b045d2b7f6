#!/bin/bash
# The race: threads create fds without close-on-exec while the main thread
# forks and execs 200 children.  Without forksafe children inherit fds (so
# the test can fail); under forksafe none does.
set -u
b=$FS_BUILDDIR/tests/core/race
native=$("$b" 200) || { echo "FAIL: race exited $?"; exit 1; }
shim=$(LD_PRELOAD=$FORKSAFE_SO "$b" 200) || { echo "FAIL: race under forksafe exited $?"; exit 1; }
echo "without forksafe: $native"
echo "under forksafe:   $shim"
n=$(awk '{print $4}' <<<"$native"); s=$(awk '{print $4}' <<<"$shim")
[ "$n" -gt 0 ] || { echo "FAIL: no leak without forksafe: the test cannot see the race"; exit 1; }
[ "$s" -eq 0 ] || { echo "FAIL: $s fds leaked under forksafe"; exit 1; }
echo ok

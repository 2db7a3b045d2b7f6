#!/bin/bash
# The race close-on-exec must win (tests/core/race.c): three threads make
# fds through 22 entry points without asking for close-on-exec while the
# main thread starts 200 children by fork+execve, posix_spawn,
# vfork+execve and fork+execl; each child exits with the number of fds
# it inherited beyond 0-2.  Asserts:
#  - without forksafe the children inherit fds (the test sees the race);
#  - under forksafe no child inherits any fd (leaked=0), and every child
#    ran (race exits 0).
# CI also runs it with the module and the program built under
# ThreadSanitizer (.ci/run): only the race program loads the module.
. "$FS_SRCDIR/tests/lib.sh"
race=$FS_BUILDDIR/tests/core/race

leaked() { sed -n 's/.*leaked=\([0-9]*\).*/\1/p' <<<"$1"; }

native=$("$race" 200)
check_eq "without forksafe every child ran" 0 $?
note "without forksafe: $native"
check "without forksafe fds leak: the test sees the race" test "$(leaked "$native")" -gt 0

shim=$(LD_PRELOAD=$FORKSAFE_SO "$race" 200 -v)
check_eq "under forksafe every child ran" 0 $?
note "under forksafe:   $shim"
check_eq "under forksafe no child inherits an fd (named above)" 0 "$(leaked "$shim")"
finish

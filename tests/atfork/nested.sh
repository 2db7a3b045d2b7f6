#!/bin/bash
# A handler that registers handlers while a fork runs: no deadlock; the
# new handlers do not run during that fork, and run from the next one on
# (glibc 2.36 behaves the same way).
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(atforkprog nested)

cat >"$T/expected" <<'END'
first parent: prepare:A parent:A
first child: prepare:A child:A
second parent: prepare:Q prepare:P prepare:A parent:A parent:P parent:Q
second child: prepare:Q prepare:P prepare:A child:A child:P child:Q
END

timeout 10 "$prog" >"$T/native.out"
check_eq "without forksafe: exit status 0" 0 "$?"
check "without forksafe: glibc's order" diff -u "$T/expected" "$T/native.out"

timeout 10 env LD_PRELOAD="$FORKSAFE_SO" "$prog" >"$T/shim.out"
check_eq "forksafe: exit status 0 (no deadlock: timeout gives 124)" 0 "$?"
check "forksafe: the same calls" diff -u "$T/expected" "$T/shim.out"

timeout 10 env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 "$prog" >"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: exit status 0" 0 "$?"
check "diag: the same calls" diff -u "$T/expected" "$T/diag.out"
finish

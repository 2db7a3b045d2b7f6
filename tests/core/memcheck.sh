#!/bin/bash
# valgrind memcheck over programs that exercise every wrapper: under
# forksafe memcheck finds no more errors (invalid reads or writes,
# uninitialised values, definite leaks) than in the same program without
# it.  glibc's own one-time allocations (gconv for ccs= streams) show up
# in both runs and cancel out.
. "$FS_SRCDIR/tests/lib.sh"
need valgrind
[ -z "${FS_SANITIZE:-}" ] ||
	skip "valgrind cannot run programs built with -fsanitize=$FS_SANITIZE (the normal build runs this test)"
b=$FS_BUILDDIR/tests/core

# errors LOG: the largest error count of a valgrind log.
errors() { sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$1" | sort -n | tail -1; }

# run NAME VAR=value... -- PROGRAM ARG...
run() {
	local name=$1 envs=() n s
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" valgrind --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$T/native.vg" "$@" >/dev/null 2>&1
	env "${envs[@]}" LD_PRELOAD="$FORKSAFE_SO" valgrind --leak-check=full \
		--errors-for-leak-kinds=definite --log-file="$T/shim.vg" "$@" >/dev/null 2>&1
	n=$(errors "$T/native.vg")
	s=$(errors "$T/shim.vg")
	if [ -z "$s" ] || [ -z "$n" ] || [ "$s" -gt "$n" ]; then
		fail "$name: $s memcheck errors under forksafe, $n without"
		cat "$T/shim.vg" >&2
	else
		pass "$name ($s memcheck errors under forksafe, $n without)"
	fi
}
run "every fd-creating entry point" -- "$b/cover" expect-native
run "exactness corpus, EMFILE included" -- "$b/exact"
run "inheritance rules" FORKSAFE_KEEP_FDS=40 -- "$b/rules"
run "diagnostic mode with audit" FORKSAFE_DIAG=1 FORKSAFE_CLOEXEC=audit FORKSAFE_LOG=/dev/null -- "$b/rules"
finish

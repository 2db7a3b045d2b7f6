#!/bin/bash
# valgrind memcheck over programs that exercise every wrapper: under
# forksafe memcheck finds no more errors (invalid reads or writes,
# uninitialised values, definite leaks) than in the same program without
# it.  glibc's own one-time allocations (gconv for ccs= streams) show up
# in both runs and cancel out.
set -u
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
[ -z "${FS_SANITIZE:-}" ] || { echo "SKIP: valgrind cannot run programs built with -fsanitize=$FS_SANITIZE (the normal build runs this test)"; exit 77; }
b=$FS_BUILDDIR/tests/core
fails=0
run() { # name, env assignments..., --, program args...
	local name=$1; shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
	local ln ls; ln=$(mktemp); ls=$(mktemp)
	env "${envs[@]}" valgrind --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$ln" "$@" >/dev/null 2>&1
	env "${envs[@]}" LD_PRELOAD="$FORKSAFE_SO" valgrind --leak-check=full \
		--errors-for-leak-kinds=definite --log-file="$ls" "$@" >/dev/null 2>&1
	local n s
	n=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$ln" | sort -n | tail -1)
	s=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$ls" | sort -n | tail -1)
	if [ -z "$s" ] || [ -z "$n" ] || [ "$s" -gt "$n" ]; then
		echo "FAIL: $name: $s memcheck errors under forksafe, $n without"; cat "$ls"
		fails=$((fails + 1))
	else
		echo "ok: $name ($s memcheck errors under forksafe, $n without)"
	fi
	rm -f "$ln" "$ls"
}
run "every fd-creating entry point" -- "$b/cover" expect-native
run "exactness corpus, EMFILE included" -- "$b/exact"
run "inheritance rules" FORKSAFE_KEEP_FDS=40 -- "$b/rules"
run "diagnostic mode with audit" FORKSAFE_DIAG=1 FORKSAFE_CLOEXEC=audit FORKSAFE_LOG=/dev/null -- "$b/rules"
exit $fails

#!/bin/bash
# FORKSAFE_ONLY and FORKSAFE_SKIP: globs on the program's name or path.
# A program out of scope keeps the module but nothing is forced (cover
# then sees every plain fd inheritable, as without forksafe).
set -u
c=$FS_BUILDDIR/tests/core/cover
fails=0
t() { # expect env...
	local expect=$1; shift
	if env "$@" LD_PRELOAD=$FORKSAFE_SO "$c" "expect-$expect" >/dev/null 2>&1; then
		echo "ok: $* -> $expect"
	else
		echo "FAIL: $* -> expected $expect"; fails=$((fails + 1))
	fi
}
t native FORKSAFE_SKIP=cover
t native "FORKSAFE_SKIP=x,cover,y"
t native "FORKSAFE_SKIP=*/tests/core/*"
t forced FORKSAFE_SKIP=other
t forced FORKSAFE_ONLY=cover
t forced "FORKSAFE_ONLY=co*er"
t native FORKSAFE_ONLY=other
t native FORKSAFE_ONLY=cover FORKSAFE_SKIP=cover
t forced FORKSAFE_ONLY=
t native FORKSAFE_SKIP=cover FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null
exit $fails

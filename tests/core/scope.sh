#!/bin/bash
# FORKSAFE_ONLY and FORKSAFE_SKIP: globs on the program's name or path.
# A program out of scope keeps the module but nothing is forced (cover
# then sees every plain fd inheritable, as without forksafe).
. "$FS_SRCDIR/tests/lib.sh"
c=$FS_BUILDDIR/tests/core/cover

# t native|forced VAR=value...: cover finds what it expects.
t() {
	local expect=$1
	shift
	if shim "$@" "$c" "expect-$expect" >/dev/null 2>&1; then
		pass "$* -> $expect"
	else
		fail "$* -> expected $expect"
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
finish

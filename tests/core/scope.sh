#!/bin/bash
# FORKSAFE_ONLY and FORKSAFE_SKIP: globs on the program's name or path.
# A program out of scope keeps the module but nothing is forced (cover
# then sees every plain fd inheritable, as without forksafe).
. "$FS_SRCDIR/tests/lib.sh"
c=$FS_BUILDDIR/tests/core/cover

# t native|forced VAR=value...: cover finds what it expects.
t() {
	local expect=$1 d
	shift
	d=$(sed -E 's/(FORKSAFE_UNUSED_[0-9]+=1 ?)+/(40 unknown FORKSAFE_ names) /' <<<"$*")
	if shim "$@" "$c" "expect-$expect" >/dev/null 2>&1; then
		pass "$d -> $expect"
	else
		fail "$d -> expected $expect"
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
# Start-up finds the FORKSAFE_ entries in one pass and keeps a few: with
# more of them than it keeps (unknown names, ignored), every setting is
# still read, wherever it stands.
many=()
for i in $(seq 40); do many+=("FORKSAFE_UNUSED_$i=1"); done
t native "${many[@]}" FORKSAFE_SKIP=cover
t native FORKSAFE_SKIP=cover "${many[@]}"
t forced "${many[@]}" FORKSAFE_SKIP=other
# A name that only begins like a setting is not that setting.
t forced FORKSAFE_SKIPX=cover FORKSAFE_SKI=cover
finish

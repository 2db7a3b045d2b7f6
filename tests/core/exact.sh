#!/bin/bash
# Exactness (tests/core/exact.c): a corpus of fd calls, on success and
# error paths (ENOENT, EBADF, EINVAL, EEXIST, EISDIR, ENOTDIR, ELOOP,
# EMFILE at a low RLIMIT_NOFILE, bad flags to every call that takes
# some...), prints return values, fd numbers, errno, status flags
# (F_GETFL), msg_flags of received messages, modes of created files and
# the lowest free fd after each call; never FD_CLOEXEC.  Asserts:
#  - the output under forksafe (force, diagnostic mode, off) is identical
#    to the output without it;
#  - errno is left untouched by every successful call (errno=kept: it
#    still holds the value set before the call), without forksafe and
#    under it, except where libc itself changes it (posix_spawn and
#    posix_spawnp return their error instead of setting errno);
#  - forksafe writes nothing to stderr.
. "$FS_SRCDIR/tests/lib.sh"
prog=$FS_BUILDDIR/tests/core/exact

# changed NAME: the successful calls of run NAME that changed errno.
changed() { grep 'errno=CHANGED' "$T/$1" | grep -v '^posix_spawnp\?('; }

"$prog" >"$T/native" 2>"$T/native.err"
check_eq "exact runs without forksafe" 0 $?
lines=$(wc -l <"$T/native")
kept=$(grep -c 'errno=kept' "$T/native")
note "without forksafe: $lines calls, $kept successful ones"
check "exact ran its whole corpus" \
	test "$lines" -gt 250 -a "$kept" -gt 100 -a -n "$(grep '^end:' "$T/native")"
check_eq "without forksafe, no successful call changes errno" "" "$(changed native)"

# check_run NAME VAR=value...: the corpus under forksafe with settings.
check_run() {
	local name=$1
	shift
	shim "$@" "$prog" >"$T/$name" 2>"$T/$name.err"
	check_eq "under forksafe ($name): exact exits 0" 0 $?
	if diff -u "$T/native" "$T/$name" >"$T/$name.diff"; then
		pass "forksafe ($name) is indistinguishable from native"
	else
		fail "under forksafe ($name) these calls differ from the native run (- native, + forksafe):"
		grep '^[-+][^-+]' "$T/$name.diff" | sed 's/^/    /' >&2
	fi
	check_eq "under forksafe ($name), no successful call changes errno" "" "$(changed "$name")"
	check_eq "under forksafe ($name), nothing on stderr" "" "$(head -5 "$T/$name.err")"
}

check_run force
check_run diag FORKSAFE_DIAG=1
check_run off FORKSAFE_CLOEXEC=off
finish

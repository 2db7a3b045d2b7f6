#!/bin/bash
# Differential exactness (tests/behave/fdexact.c): the same corpus of fd
# calls, on success and error paths (ENOENT, EBADF, EINVAL, EEXIST,
# EISDIR, ENOTDIR, ELOOP, EMFILE at a low RLIMIT_NOFILE, bad flags to
# every call that takes some...), prints return values, fd numbers,
# errno, status flags (F_GETFL), msg_flags of received messages, modes
# of created files and the lowest free fd after each call; never
# FD_CLOEXEC.  Asserts:
#  - the output under forksafe (force, diagnostic mode, off) is identical
#    to the output without it;
#  - errno is left untouched by every successful call (errno=kept: it
#    still holds the value set before the call), without forksafe and
#    under it, except where libc itself changes it (posix_spawn);
#  - forksafe writes nothing to stderr.
set -u
prog=$FS_BUILDDIR/tests/behave/fdexact
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

"$prog" >"$tmp/native" 2>"$tmp/native.err" || bad "fdexact without forksafe exited $?"
lines=$(wc -l <"$tmp/native")
kept=$(grep -c 'errno=kept' "$tmp/native")
echo "without forksafe: $lines calls, $kept successful ones"
[ "$lines" -gt 250 ] && [ "$kept" -gt 100 ] && grep -q '^end:' "$tmp/native" ||
	bad "fdexact did not run its whole corpus"
# libc's own posix_spawn sets errno when it fails; nothing else may.
grep 'errno=CHANGED' "$tmp/native" | grep -v '^posix_spawn' | sed 's/^/note: native: /'

check() { # name env...
	local name=$1
	shift
	env "$@" LD_PRELOAD="$FORKSAFE_SO" "$prog" >"$tmp/$name" 2>"$tmp/$name.err" ||
		bad "fdexact under forksafe ($name) exited $?"
	if ! diff -u "$tmp/native" "$tmp/$name" >"$tmp/$name.diff"; then
		bad "under forksafe ($name) these calls differ from the native run (- native, + forksafe):"
		grep '^[-+][^-+]' "$tmp/$name.diff" | sed 's/^/    /'
	else
		echo "ok: forksafe ($name) is indistinguishable from native"
	fi
	if grep 'errno=CHANGED' "$tmp/$name" | grep -v '^posix_spawn' | grep -q .; then
		bad "under forksafe ($name) successful calls changed errno:"
		grep 'errno=CHANGED' "$tmp/$name" | grep -v '^posix_spawn' | sed 's/^/    /'
	fi
	if [ -s "$tmp/$name.err" ]; then
		bad "under forksafe ($name) something wrote to stderr:"
		head -5 "$tmp/$name.err" | sed 's/^/    /'
	fi
}

check force
check diag FORKSAFE_DIAG=1
check off FORKSAFE_CLOEXEC=off

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all exactness checks passed"

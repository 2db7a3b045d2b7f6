#!/bin/bash
# Rule 6: a forced fd whose number the new program is told about reaches
# it, through exec, posix_spawn, system and popen, for every pattern; an
# fd not named does not.  Each case is also run without forksafe, where
# the fd always arrives (the test's own control).
set -u
hold=$FS_BUILDDIR/tests/core/holdfd
fails=0
unset MAKEFLAGS MFLAGS LISTEN_FDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
num=$tmp/fdnumber
# Succeeds iff the held fd is open in the new program; names no number.
check='test -r /proc/self/fd/$(cat '"$num"')'
case_() { # expect(0 reaches, 1 does not), via, env... -- names...
	local expect=$1 via=$2; shift 2
	local env=() names=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	names=("$@")
	local cmd=()
	case $via in
	execvp|posix_spawnp) cmd=(sh -c "$check" "${names[@]}") ;;
	*) cmd=("$check && : ${names[*]}") ;;
	esac
	"$hold" "$via" "$num" "${env[@]}" -- "${cmd[@]}" >/dev/null 2>&1; local native=$?
	LD_PRELOAD=$FORKSAFE_SO "$hold" "$via" "$num" "${env[@]}" -- "${cmd[@]}" >/dev/null 2>&1
	local shim=$?
	local what="$via: ${env[*]} names: ${names[*]:-(none)}"
	if [ $native -ne 0 ]; then
		echo "FAIL (control, without forksafe): $what"; fails=$((fails + 1))
	elif [ $expect -eq 0 ] && [ $shim -ne 0 ]; then
		echo "FAIL: not passed on: $what"; fails=$((fails + 1))
	elif [ $expect -eq 1 ] && [ $shim -eq 0 ]; then
		echo "FAIL: leaked although not named: $what"; fails=$((fails + 1))
	else
		echo "ok: $what"
	fi
}
for via in execvp posix_spawnp system popen; do
	case_ 0 $via -- /dev/fd/%d
	case_ 0 $via -- /proc/self/fd/%d
	case_ 0 $via -- %d
	case_ 0 $via -- --fd=%d
	case_ 0 $via -- fd:%d
	case_ 0 $via -- --status-fd %d
	case_ 0 $via -- 1000,%d
	case_ 0 $via -- "<&%d"
	case_ 0 $via "MAKEFLAGS=-j2 --jobserver-auth=%d,1000" --
	case_ 0 $via "MY_FD=%d" --
	case_ 1 $via --
	case_ 1 $via "COLUMNS=%d" --
done
# LISTEN_FDS: systemd passes fds from 3; the held fd is 3 once 3-9 are closed.
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
case_ 0 execvp "LISTEN_FDS=1" --
echo "$fails failure(s)"
test $fails -eq 0

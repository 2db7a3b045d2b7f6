#!/bin/bash
# Stress under each FORKSAFE_FORK mode that lets forks happen (abort stops
# the process at the first threaded fork by design): no crash, no
# deadlock (timeout), no fd leaked into a child, none lost or changed.
set -u
b=$FS_BUILDDIR/tests/stress
lib=$b/.libs/libstresshandlers.so
secs=${STRESS_SECONDS:-3}
fails=0
for mode in "allow" "warn FORKSAFE_LOG=/dev/null" "allow FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null FORKSAFE_CHILD_LOCKS=abort" \
	"spawn" "auto" "spawn FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null"; do
	set -- $mode
	m=$1; shift
	out=$(env FORKSAFE_FORK=$m "$@" LD_PRELOAD=$FORKSAFE_SO timeout $((secs + 60)) "$b/stress" "$secs" "$lib" 2>&1)
	st=$?
	if [ $st -eq 0 ]; then
		echo "ok: FORKSAFE_FORK=$m $*: $out"
	else
		echo "FAIL (status $st): FORKSAFE_FORK=$m $*: $out"
		fails=$((fails + 1))
	fi
done
exit $fails

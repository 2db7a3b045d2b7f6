#!/bin/bash
# Stress under each FORKSAFE_FORK mode that lets forks happen (abort stops
# the process at the first threaded fork by design): no crash, no
# deadlock (timeout), no fd leaked into a child, none lost or changed.
# Also the ThreadSanitizer run of CI (.ci/run): no data race reported.
. "$FS_SRCDIR/tests/lib.sh"
b=$FS_BUILDDIR/tests/stress
lib=$b/.libs/libstresshandlers.so
secs=${STRESS_SECONDS:-3}
# A ThreadSanitizer build (FS_SANITIZE=thread): its runtime must start
# before any instrumented code runs, so a program that is not instrumented
# (timeout, env, sh) must never load the instrumented module.  Under it a
# fork is never redirected (spawnfork.c): the spawn modes fork for real.
case ${FS_SANITIZE-} in *thread*) tsan=1 ;; *) tsan= ;; esac
for mode in "allow" "warn FORKSAFE_LOG=/dev/null" "allow FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null FORKSAFE_CHILD_LOCKS=abort" \
	"spawn" "auto" "spawn FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null"; do
	set -- $mode
	m=$1; shift
	if [ -n "$tsan" ]; then
		# Only the instrumented stress program may load the module:
		# bash sets LD_PRELOAD for the exec alone, and the program's
		# children (sh, the counting child) run without it.
		out=$(env FORKSAFE_THIS_ONLY=1 FORKSAFE_FORK=$m "$@" timeout $((secs + 120)) \
			bash -c 'LD_PRELOAD=$0 exec "$1" "$2" "$3"' "$FORKSAFE_SO" "$b/stress" "$secs" "$lib" 2>&1)
	else
		out=$(env FORKSAFE_FORK=$m "$@" LD_PRELOAD=$FORKSAFE_SO timeout $((secs + 60)) "$b/stress" "$secs" "$lib" 2>&1)
	fi
	st=$?
	if [ $st -eq 0 ]; then
		pass "FORKSAFE_FORK=$m $*: $out"
	else
		fail "(status $st) FORKSAFE_FORK=$m $*: $out"
	fi
done
finish

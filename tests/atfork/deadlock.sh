#!/bin/bash
# A child of a multi-threaded fork that takes a lock held by a thread that
# did not survive the fork hangs forever.  In diagnostic mode it is
# reported (child-deadlock) and aborted instead; with
# FORKSAFE_CHILD_LOCKS=break it takes the lock and goes on to exec.
# For a pthread mutex, a pthread rwlock held for writing, and a C++
# std::mutex.
. "$FS_SRCDIR/tests/diag/lib.sh"
children=3

# result NAME KEY: a count from the program's last line.
result() { sed -nE "s/^children=.* $2=([0-9]+).*/\1/p" "$T/$1.out"; }

# deadlock_check LABEL KIND FUNCTION PROGRAM [ARG]: runs without
# forksafe, in diagnostic mode, with break and abort.
deadlock_check() {
	local label=$1 kind=$2 fn=$3 name tid lines
	shift 3
	name="$label-native"
	"$@" "$children" 300 >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check "$name: without forksafe, children hang (hung=$(result "$name" hung))" \
		test "$(result "$name" hung)" -ge 1

	name="$label-diag"
	shim FORKSAFE_DIAG=1 "$@" "$children" 3000 >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check_eq "$name: no child hangs" 0 "$(result "$name" hung)"
	check "$name: children are aborted ($(result "$name" aborted))" \
		test "$(result "$name" aborted)" -ge 1
	check_eq "$name: the others exec" "$children" \
		"$(($(result "$name" aborted) + $(result "$name" exec_ok)))"
	check_eq "$name: one child-deadlock report per aborted child" \
		"$(result "$name" aborted)" "$(count_events child-deadlock "$T/$name.err")"
	tid=$(sed -nE 's/^worker_tid=([0-9]+)$/\1/p' "$T/$name.out")
	events child-deadlock "$T/$name.err" >"$T/$name.reports"
	check_eq "$name: lock_kind=$kind" "$kind" "$(field lock_kind <"$T/$name.reports" | sort -u)"
	check_eq "$name: function=$fn" "$fn" "$(field function <"$T/$name.reports" | sort -u)"
	check_eq "$name: owner_tid is the worker's ($tid)" "$tid" \
		"$(field owner_tid <"$T/$name.reports" | sort -u)"
	check_eq "$name: action=abort" abort "$(field action <"$T/$name.reports" | sort -u)"
	check "$name: lock is an address" \
		test "$(field lock <"$T/$name.reports" | grep -cvE '^0x[0-9a-f]+$')" -eq 0

	name="$label-break"
	shim FORKSAFE_CHILD_LOCKS=break "$@" "$children" 3000 >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check_eq "$name: every child execs" "$children" "$(result "$name" exec_ok)"

	name="$label-diag-break"
	shim FORKSAFE_DIAG=1 FORKSAFE_CHILD_LOCKS=break "$@" 2 3000 >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check_eq "$name: every child execs" 2 "$(result "$name" exec_ok)"
	lines=$(count_events child-deadlock "$T/$name.err")
	check "$name: reported ($lines), action=break" test "$lines" -ge 1 -a \
		"$(events child-deadlock "$T/$name.err" | field action | grep -c '^break$')" = "$lines"

	# Outside diagnostic mode too, a child is never killed without a word.
	name="$label-abort"
	shim FORKSAFE_CHILD_LOCKS=abort "$@" 2 3000 >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check_eq "$name: no child hangs" 0 "$(result "$name" hung)"
	check "$name: children are aborted" test "$(result "$name" aborted)" -ge 1
	check_eq "$name: each aborted child is reported" "$(result "$name" aborted)" \
		"$(events child-deadlock "$T/$name.err" | field action | grep -c '^abort$')"
}

deadlock_check mutex mutex pthread_mutex_lock "$(atforkprog deadlock)" mutex
check "mutex-diag: the caller is the child's function" \
	test "$(field caller <"$T/mutex-diag.reports" | grep -cvE '^child_takes_lock\+0x[0-9a-f]+ \(deadlock\)$')" -eq 0
deadlock_check rwlock rwlock pthread_rwlock_rdlock "$(atforkprog deadlock)" rwlock

if command -v "${CXX:-g++}" >/dev/null; then
	if "${CXX:-g++}" -std=c++11 -O2 -pthread -o "$T/deadlock_cxx" \
		"$FS_SRCDIR/tests/atfork/deadlock_cxx.cc"; then
		deadlock_check std-mutex mutex pthread_mutex_lock "$T/deadlock_cxx"
	else
		fail "deadlock_cxx.cc does not compile"
	fi
else
	echo "note: no C++ compiler (${CXX:-g++}): the std::mutex case is not run"
fi
finish

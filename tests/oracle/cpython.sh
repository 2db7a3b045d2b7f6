#!/bin/bash
# CPython 3.11's own regression tests of the calls forksafe wraps
# (subprocess, os, posix, pty, fork, threads, fcntl, tempfile, select,
# signals), from Debian's libpython3.11-testsuite, run by CPython's runner
# with two worker processes: natively, with forksafe preloaded, in
# diagnostic mode with its reports in a file (FORKSAFE_LOG: the runner
# reads its workers' stderr, as README recommends for test runners) and
# under FORKSAFE_FORK=auto and spawn.  Every test case that passes natively must
# pass in each mode (regrtest.py compares the runner's JUnit reports).
#
# No test is excluded: none of these ten files hangs natively on Debian
# 12 (the AF_VSOCK tests that hang on some virtual machines are in
# test_socket, not run here).  A test that hangs natively anyway is ended
# by the runner's --timeout and, having failed natively, is not held
# against the other modes.  --timeout also makes every worker a threaded
# process (faulthandler's watchdog thread), so that forks from Python are
# threaded forks: what FORKSAFE_FORK=auto and spawn act on.
. "$FS_SRCDIR/tests/oracle/lib.sh"
PY=/usr/bin/python3.11
need "$PY" "Debian's python3.11"
[ -f /usr/lib/python3.11/test/test_subprocess.py ] ||
	skip "libpython3.11-testsuite is not installed"

tests="test_subprocess test_os test_posix test_pty test_fork1 test_threading
test_fcntl test_tempfile test_select test_signal"

# run MODE: the runner in MODE, in a fresh directory; leaves $T/MODE.xml
# and $T/MODE.out.
run() {
	local mode=$1 start=$SECONDS status
	mkdir -p "$T/$mode.d/tmp" || exit 99
	# shellcheck disable=SC2086
	(cd "$T/$mode.d" && TMPDIR=$T/$mode.d/tmp in_mode "$mode" \
		timeout -k 10 1500 "$PY" -m test -j2 --timeout 600 \
		--junit-xml "$T/$mode.xml" $tests) </dev/null >"$T/$mode.out" 2>&1
	status=$?
	note "$mode: runner status $status, $((SECONDS - start)) s"
}

run native
out=$("$PY" "$FS_SRCDIR/tests/oracle/regrtest.py" "$T/native.xml" "$T/native.xml" native)
case $? in
0) pass "$(printf '%s\n' "$out" | sed -n 1p)" ;;
*) show_tail "$T/native.out"; die "the native run is no control: $out" ;;
esac

for mode in default diag auto spawn; do
	run "$mode"
	if out=$("$PY" "$FS_SRCDIR/tests/oracle/regrtest.py" "$T/native.xml" "$T/$mode.xml" "$mode"); then
		pass "$(printf '%s\n' "$out" | sed -n 2p), none worse than natively"
	else
		fail "$mode: CPython's tests do worse than natively"
		printf '%s\n' "$out" | sed 's/^/  /' >&2
		grep -E -A12 '^(test .* failed|.* crashed|Traceback)' "$T/$mode.out" | head -n 60 | sed 's/^/    /' >&2
	fi
done
finish

# tests/lib.sh: what every test driver shares (sourced first).
#
#   pass, fail, check, check_eq   assertions: one "ok: ..." or "FAIL: ..."
#                                 line each, failures counted
#   note                          a "note: ..." line (a case not run here)
#   finish                        ends the test: status 1 if any assertion
#                                 failed, else 0
#   skip, need                    end the test as skipped (status 77)
#   die                           ends the test as failed at once
#   $T, at_exit                   a private temporary directory, removed at
#                                 exit after the commands at_exit registered
#   shim                          a command with the module preloaded
#   wait_for                      waiting for an event, with a deadline
#   close_inherited_fds           closes the fds above 2 the script inherited
#                                 (done once when this file is sourced)
#
# Tests wait on events (a pipe closing, a process exiting, a file
# appearing), never on sleeps: where a driver can block on the event it
# does (a pipeline ends when every process holding its pipe has closed
# it); wait_for is for the events it cannot block on, and its deadline
# only guards against a hang.

set -u

# Nothing of the caller's environment changes what the module does or
# what the programs see: no forksafe setting (the paths make check gives
# and the package test's switch aside), no preloaded library, no
# jobserver or socket-activation fds named in the environment (forksafe
# rightly hands fds named there to the programs, DESIGN §2 rule 6).
unset LD_PRELOAD MAKEFLAGS MFLAGS MAKELEVEL LISTEN_FDS LISTEN_PID
for fs_var in $(compgen -e); do
	case $fs_var in
	FORKSAFE_SO | FORKSAFE_BIN | FORKSAFE_TEST_*) ;;
	FORKSAFE_*) unset "$fs_var" ;;
	esac
done
unset fs_var
# Deliberate aborts leave no core files behind.
ulimit -c 0 2>/dev/null

failures=0
passes=0

pass() { echo "ok: $*"; passes=$((passes + 1)); }
# On stderr, so that a FAIL line is never captured by a $(...).
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
note() { echo "note: $*"; }

# check DESCRIPTION COMMAND...: the command's success is the assertion.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL: fails (status 1) when they differ,
# so that a driver can show more of a failure (check_eq ... || show).
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: expected '$2', got '$3'"
		return 1
	fi
}

finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ] || exit 1
	exit 0
}

skip() { echo "SKIP: $*"; exit 77; }

# need PROGRAM [WHY]: skips the test when PROGRAM is not installed.
need() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed${2:+ ($2)}"
}

die() {
	fail "$*"
	finish
}

# $T: removed at exit, after the commands given to at_exit (run last
# registered first: a package purged, a process stopped).
T=$(mktemp -d "${TMPDIR:-/tmp}/forksafe-test.XXXXXX") || exit 99
fs_at_exit=()
at_exit() { fs_at_exit+=("$*"); }
fs_cleanup() {
	local i
	for ((i = ${#fs_at_exit[@]} - 1; i >= 0; i--)); do
		eval "${fs_at_exit[i]}"
	done
	rm -rf "$T"
}
trap fs_cleanup EXIT

# shim [VAR=value...] PROGRAM [ARG...]: PROGRAM with forksafe preloaded.
shim() { env LD_PRELOAD="$FORKSAFE_SO" "$@"; }

# wait_for SECONDS COMMAND...: runs COMMAND until it succeeds; status 1
# when SECONDS pass first.  Between tries it pauses briefly (1 ms at
# first, at most 50 ms): the pauses poll, the event is COMMAND's success.
wait_for() {
	local limit=$1 start now pause=0.001
	shift
	start=${EPOCHREALTIME/[^0-9]/}
	until "$@"; do
		now=${EPOCHREALTIME/[^0-9]/}
		((now - start < limit * 1000000)) || return 1
		sleep "$pause"
		case $pause in
		0.001) pause=0.01 ;;
		0.01) pause=0.05 ;;
		esac
	done
}

# close_inherited_fds: closes the fds above 2 this script inherited
# without close-on-exec (from make, the test driver, a terminal), so that
# what the programs it starts see is the same wherever the suite runs.
close_inherited_fds() {
	local f n key val flags
	for f in /proc/$$/fdinfo/*; do
		n=${f##*/}
		[ "$n" -gt 2 ] || continue
		flags=
		while read -r key val _; do
			[ "$key" = flags: ] && { flags=$val; break; }
		done 2>/dev/null <"$f" || continue
		[ -n "$flags" ] || continue
		(( 8#$flags & 8#2000000 )) && continue	# O_CLOEXEC: not inherited
		eval "exec $n>&-"
	done
}

# Every driver starts with only fds 0-2 of its caller's: a test passes or
# fails the same under make check, a terminal or CI.
close_inherited_fds

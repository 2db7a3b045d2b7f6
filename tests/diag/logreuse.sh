#!/bin/bash
# A program that closes every fd (closefrom(3)) and opens its own files
# until it holds every number that was open, the log's among them (or
# puts its files on those numbers with dup2), never finds a report in
# its files, whatever the log destination; and the reports still reach
# the log.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog logreuse)

# reuse_run NAME HOW VAR=value...: logreuse with its own files in
# $T/NAME.own, taking the numbers back by HOW (closefrom or dup2).
reuse_run() {
	local name=$1 how=$2 own
	shift 2
	own="$T/$name.own"
	mkdir "$own"
	shim FORKSAFE_DIAG=1 "$@" "$prog" "$own" "$how" >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check "$name: the program reused fd numbers" grep -qE '^reused [1-9][0-9]* files' "$T/$name.out"
	check_eq "$name: no report in the program's files" "" \
		"$(grep -l forksafe -r "$own" | head -3)"
}

# reached NAME TARGET: the log was open at start on a number the program
# then took for one of its own files.
reached() {
	local fd high
	fd=$(sed -nE "s|^start fd ([0-9]+) -> $2\$|\1|p" "$T/$1.out" | tail -1)
	high=$(sed -nE 's/^reused [0-9]+ files up to fd ([0-9]+)$/\1/p' "$T/$1.out")
	check "$1: the log's fd ($fd) was taken over by the program (up to $high)" \
		test -n "$fd" -a -n "$high" -a "${high:-0}" -ge "${fd:-1}"
}

for how in closefrom dup2; do
	# The stderr copy.
	name=stderr-$how
	reuse_run "$name" "$how" FORKSAFE_LOG=stderr
	reached "$name" "$(readlink -f "$T/$name.err")"
	# Two call sites, each shown once on stderr (the second fork_child is
	# counted, not shown); stderr is not a terminal: no summary.
	check_eq "$name: both call sites reported on stderr" 2 "$(count_events mt-fork "$T/$name.err")"
	check_eq "$name: no summary on a stderr that is not a terminal" 0 \
		"$(count_events summary "$T/$name.err")"

	name=file-$how
	reuse_run "$name" "$how" FORKSAFE_LOG="$T/$name.log"
	reached "$name" "$(readlink -f "$T/$name.log")"
	check_eq "$name: all three forks reported in the log file" 3 \
		"$(count_events mt-fork "$T/$name.log")"
	check_eq "$name: summary reported in the log file" 1 "$(count_events summary "$T/$name.log")"
	check "$name: nothing on stderr" test ! -s "$T/$name.err"
done

# syslog: a receiver on /dev/log in a private mount namespace when one
# can be made; otherwise only: nothing breaks, nothing in the files.
{ declare -f wait_for; cat; } >"$T/syslog-ns.sh" <<'INNER'
set -e
T=$1
mkdir "$T/olddev"
mount --bind /dev "$T/olddev"
mount -t tmpfs -o mode=755 tmpfs /dev
touch /dev/null
mount --bind "$T/olddev/null" /dev/null
"$2" /dev/log "$T/syslog.txt" &
recv=$!
wait_for 30 test -e "$T/syslog.txt.ready"
shift 2
env "$@" || echo "status $?" >"$T/syslog.status"
# The summary is the last report: once it is written, all are.
wait_for 30 grep -q ': summary: ' "$T/syslog.txt" || true
kill "$recv"
INNER
mkdir "$T/probe"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
	unshare -m mount -t tmpfs tmpfs "$T/probe" 2>/dev/null; then
	mkdir "$T/syslog.own"
	unshare -m bash "$T/syslog-ns.sh" "$T" "$(diagprog dgramrecv)" \
		LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG=syslog \
		"$prog" "$T/syslog.own" closefrom >"$T/syslog.out" 2>"$T/syslog.err"
	check "syslog: the namespace script ran" test $? -eq 0 -a -e "$T/syslog.txt.ready"
	check "syslog: exit status 0" test ! -e "$T/syslog.status"
	check_eq "syslog: no report in the program's files" "" \
		"$(grep -l forksafe -r "$T/syslog.own" | head -3)"
	reached syslog 'socket:\[[0-9]+\]'
	check_eq "syslog: all three forks reached the receiver" 3 \
		"$(grep -cE '^<12>forksafe\[[0-9]+\]: mt-fork: ' "$T/syslog.txt")"
	check_eq "syslog: the summary reached the receiver" 1 \
		"$(grep -cE '^<12>forksafe\[[0-9]+\]: summary: ' "$T/syslog.txt")"
	check "syslog: nothing on stderr" test ! -s "$T/syslog.err"
else
	echo "note: no private mount namespace; syslog checked without a receiver"
	reuse_run syslog closefrom FORKSAFE_LOG=syslog
	if [ ! -e /dev/log ]; then
		check "syslog without /dev/log: nothing on stderr" test ! -s "$T/syslog.err"
	fi
fi
finish

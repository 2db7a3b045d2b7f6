#!/bin/bash
# In an AT_SECURE process (set-user-ID here) FORKSAFE_LOG naming a file
# is ignored: reports go to stderr and the file is never created.  The
# program is linked against the module (the loader ignores LD_PRELOAD
# in such a process).
. "$FS_SRCDIR/tests/diag/lib.sh"

dir="$T/bin"
mkdir "$dir" "$T/logs"
chmod 755 "$T" "$dir"
chmod 1777 "$T/logs"
cp "$(diagprog secure)" "$dir/secure"

# Not set-user-ID: the file log is used.
FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/logs/plain.log" "$dir/secure" >"$T/plain.out" 2>"$T/plain.err"
check_eq "plain run: exit status 0" 0 "$?"
check "plain run: not AT_SECURE" grep -qx secure=0 "$T/plain.out"
check_eq "plain run: the report is in the file" 1 "$(count_events mt-fork "$T/logs/plain.log")"

# Make the copy set-user-ID root and run it as nobody (root), or
# set-group-ID to a supplementary group of ours (other users).
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	uid=$(id -u nobody 2>/dev/null || echo 65534)
	gid=$(id -g nobody 2>/dev/null || echo 65534)
	chown 0:0 "$dir/secure"
	chmod 4755 "$dir/secure"
	run_secure() { setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"; }
else
	group=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -1)
	[ -n "$group" ] || skip "not root and no supplementary group for a set-group-ID program"
	chgrp "$group" "$dir/secure" && chmod 2755 "$dir/secure" || skip "cannot make a set-group-ID file"
	run_secure() { "$@"; }
fi

FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/logs/secure.log" run_secure "$dir/secure" \
	>"$T/secure.out" 2>"$T/secure.err"
status=$?
grep -qx secure=1 "$T/secure.out" ||
	skip "the set-ID bit had no effect (file system mounted nosuid?): $(cat "$T/secure.out" "$T/secure.err")"
check_eq "AT_SECURE: exit status 0" 0 "$status"
check "AT_SECURE: the log file named in the environment is not created" \
	test ! -e "$T/logs/secure.log"
check_eq "AT_SECURE: the report goes to stderr instead" 1 "$(count_events mt-fork "$T/secure.err")"
finish

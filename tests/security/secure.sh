#!/bin/bash
# In a secure-execution process (AT_SECURE: set-user-ID here, as when
# /etc/ld.so.preload loads the module into su or passwd) the caller's
# environment may not make the program behave worse: FORKSAFE_FORK=
# abort|spawn|auto, FORKSAFE_CHILD_LOCKS=abort|break, FORKSAFE_CLOEXEC=
# audit|off, FORKSAFE_KEEP_FDS, FORKSAFE_ONLY, FORKSAFE_SKIP and a
# FORKSAFE_LOG file are ignored, each said once on stderr; what only
# reports (FORKSAFE_DIAG, FORKSAFE_FORK=warn) is taken.  The real
# getauxval(AT_SECURE) path: a set-user-ID root copy run as nobody
# (as root), or a set-group-ID copy (otherwise).
. "$FS_SRCDIR/tests/diag/lib.sh"

dir="$T/bin"
mkdir "$dir" "$T/logs"
chmod 755 "$T" "$dir"
chmod 1777 "$T/logs"
cp "$FS_BUILDDIR/tests/security/setid" "$dir/setid"

# The same settings in a plain process are all taken.
settings=(FORKSAFE_DIAG=1 FORKSAFE_FORK=abort FORKSAFE_CLOEXEC=off FORKSAFE_KEEP_FDS=0-100
	FORKSAFE_CHILD_LOCKS=break FORKSAFE_SKIP=nomatch FORKSAFE_LOG="$T/logs/fs.log")
env "${settings[@]}" "$dir/setid" >"$T/plain.out" 2>"$T/plain.err"
check_eq "plain process: FORKSAFE_FORK=abort aborts the fork" 134 "$?"
check "plain process: not AT_SECURE" grep -qx secure=0 "$T/plain.out"
check "plain process: FORKSAFE_CLOEXEC=off is taken" grep -q "cloexec=0" "$T/plain.out"
check_eq "plain process: the report is in the FORKSAFE_LOG file" 1 \
	"$(count_events mt-fork "$T/logs/fs.log")"
rm -f "$T/logs/fs.log"

if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	uid=$(id -u nobody 2>/dev/null || echo 65534)
	gid=$(id -g nobody 2>/dev/null || echo 65534)
	chown 0:0 "$dir/setid"
	chmod 4755 "$dir/setid"
	run_secure() { setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"; }
else
	group=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -1)
	[ -n "$group" ] || skip "not root and no supplementary group for a set-group-ID program"
	chgrp "$group" "$dir/setid" && chmod 2755 "$dir/setid" || skip "cannot make a set-group-ID file"
	run_secure() { "$@"; }
fi

run_secure env "${settings[@]}" "$dir/setid" >"$T/secure.out" 2>"$T/secure.err"
status=$?
grep -qx secure=1 "$T/secure.out" ||
	skip "the set-ID bit had no effect (file system mounted nosuid?): $(cat "$T/secure.out" "$T/secure.err")"
check_eq "AT_SECURE: FORKSAFE_FORK=abort is not taken, the program exits 0" 0 "$status"
check "AT_SECURE: FORKSAFE_CLOEXEC=off and FORKSAFE_KEEP_FDS are not taken: the fd is forced" \
	grep -q "cloexec=1" "$T/secure.out"
check_eq "AT_SECURE: FORKSAFE_DIAG and warn are taken: one mt-fork report" 1 \
	"$(count_events mt-fork "$T/secure.err")"
check_eq "AT_SECURE: the report says warn" warn "$(events mt-fork "$T/secure.err" | field action)"
check "AT_SECURE: no log file is created" test ! -e "$T/logs/fs.log"
for var in FORKSAFE_FORK FORKSAFE_CLOEXEC FORKSAFE_KEEP_FDS FORKSAFE_CHILD_LOCKS FORKSAFE_SKIP \
	   FORKSAFE_LOG; do
	check_eq "AT_SECURE: $var is said to be ignored, once" 1 \
		"$(grep -c "config: $var='[^']*' is ignored in a set-user-ID or set-group-ID process" "$T/secure.err")"
done

# FORKSAFE_FORK=spawn: the fork stays a fork (reported as warn, no spawn).
run_secure env FORKSAFE_DIAG=1 FORKSAFE_FORK=spawn "$dir/setid" >"$T/spawn.out" 2>"$T/spawn.err"
check_eq "AT_SECURE, spawn: exit status 0" 0 "$?"
check_eq "AT_SECURE, spawn: no spawn report" 0 "$(count_events spawn "$T/spawn.err")"
check_eq "AT_SECURE, spawn: the fork is reported as warn" warn \
	"$(events mt-fork "$T/spawn.err" | field action)"
# Settings that are taken say nothing.
run_secure env FORKSAFE_DIAG=1 FORKSAFE_FORK=warn FORKSAFE_CHILD_LOCKS=wait FORKSAFE_LOG=stderr \
	"$dir/setid" >"$T/ok.out" 2>"$T/ok.err"
check_eq "AT_SECURE, settings it takes: no config message" 0 "$(count_events config "$T/ok.err")"
finish

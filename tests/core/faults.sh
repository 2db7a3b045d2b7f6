#!/bin/bash
# Fault injection: the program keeps working and gets libc's own results,
# and forksafe degrades with at most one message, when
#  - the address space is limited (the fd table mapping shrinks or fails),
#  - the log cannot be opened (a read-only place) or is full (/dev/full),
#  - /proc is not mounted (thread counts and the exec audit cannot see).
set -u
b=$FS_BUILDDIR/tests/core
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The rules program exercises forcing, fork, exec, system: it must pass.
# AddressSanitizer reserves terabytes of shadow and reads /proc itself:
# those two cases cannot run in a sanitizer build (FS_SANITIZE, configure).
asan=; case ${FS_SANITIZE:-} in *address*) asan=1 ;; esac
if [ -n "$asan" ]; then
	echo "note: AddressSanitizer build: the address-space limit case is not run"
else
	out=$( (ulimit -v 200000; FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$b/rules") 2>&1 ); st=$?
	[ $st -eq 0 ] && ok "a 200 MB address-space limit: everything still works" || { bad "ulimit -v: $out"; }
fi

# ENOMEM where forksafe allocates: every mapping it asks for fails (the
# fd table, the memory shared with children; libnomem.so).  The program
# behaves as without forksafe (nothing can be forced without the table),
# and forksafe says so once per process (cover runs programs, which load
# both again).
nomem=$FS_BUILDDIR/tests/core/.libs/libnomem.so
"$b/cover" native >"$tmp/native.out" 2>&1; sn=$?
LD_PRELOAD="$nomem $FORKSAFE_SO" "$b/cover" native >"$tmp/nomem.out" 2>"$tmp/nomem.err"; sm=$?
n=$(grep -c "cannot map the fd table" "$tmp/nomem.err")
dup=$(cut -d: -f1 "$tmp/nomem.err" | sort | uniq -d | wc -l)
[ $sn -eq 0 ] && [ $sm -eq 0 ] && cmp -s "$tmp/native.out" "$tmp/nomem.out" && [ "$n" -ge 1 ] &&
	[ "$(wc -l <"$tmp/nomem.err")" -eq "$n" ] && [ "$dup" -eq 0 ] &&
	ok "no memory for the fd table: native behaviour, one message per process ($n)" ||
	bad "ENOMEM (status $sm, native $sn, $n messages): $(cat "$tmp/nomem.err")"
FORKSAFE_DIAG=1 FORKSAFE_FORK=warn FORKSAFE_LOG=/dev/null LD_PRELOAD="$nomem $FORKSAFE_SO" \
	"$b/cover" native >"$tmp/nomem2.out" 2>/dev/null; sm=$?
[ $sm -eq 0 ] && cmp -s "$tmp/native.out" "$tmp/nomem2.out" &&
	ok "no memory, diagnostic mode (no shared summary): output and status unchanged" ||
	bad "ENOMEM in diagnostic mode: status $sm"

out=$(FORKSAFE_DIAG=1 FORKSAFE_LOG=/proc/forksafe-cannot-write.log LD_PRELOAD=$FORKSAFE_SO \
	FORKSAFE_KEEP_FDS=40 "$b/rules" 2>&1 >/dev/null); st=$?
# One message per process (each program it runs says it once too).
n=$(grep -c "FORKSAFE_LOG: cannot open" <<<"$out")
dup=$(grep "FORKSAFE_LOG: cannot open" <<<"$out" | sed 's/\].*//' | sort | uniq -d)
[ $st -eq 0 ] && [ "$n" -ge 1 ] && [ -z "$dup" ] &&
	ok "an unwritable log: one message per process, reports to stderr, program fine" ||
	bad "unwritable log (status $st, $n messages): $out"

native=$(FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$b/rules"); sn=$?
full=$(FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/full FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$b/rules"); sf=$?
[ $sn -eq 0 ] && [ $sf -eq 0 ] && [ "$native" = "$full" ] &&
	ok "a full log (/dev/full): output and status unchanged" || bad "full log: $sf"

if [ -n "$asan" ]; then
	echo "note: AddressSanitizer build: the no-/proc case is not run"
elif command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	# cover forks (forkpty) and checks that every new fd is forced.
	out=$(unshare -m sh -c 'mount -t tmpfs none /proc && \
		FORKSAFE_FORK=warn LD_PRELOAD='"$FORKSAFE_SO"' '"$b/cover"' forced' 2>&1)
	st=$?
	n=$(grep -c "cannot count threads" <<<"$out")
	if [ $st -eq 0 ] && [ "$n" -eq 1 ]; then
		ok "no /proc: one message, forks go ahead, every fd still forced"
	else
		bad "no /proc (status $st, $n messages): $out"
	fi
else
	echo "note: cannot make a mount namespace here; the no-/proc case was not run"
fi
exit $fails

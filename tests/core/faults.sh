#!/bin/bash
# Fault injection: the program keeps working and gets libc's own results,
# and forksafe degrades with at most one message, when
#  - the address space is limited (the fd table mapping shrinks or fails),
#  - the log cannot be opened (a read-only place) or is full (/dev/full),
#  - /proc is not mounted (thread counts and the exec audit cannot see).
. "$FS_SRCDIR/tests/lib.sh"
b=$FS_BUILDDIR/tests/core

# The rules program exercises forcing, fork, exec, system: it must pass.
# AddressSanitizer reserves terabytes of shadow and reads /proc itself:
# those two cases cannot run in a sanitizer build (FS_SANITIZE, configure).
asan=; case ${FS_SANITIZE:-} in *address*) asan=1 ;; esac
if [ -n "$asan" ]; then
	note "AddressSanitizer build: the address-space limit case is not run"
else
	out=$( (ulimit -v 200000; FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$b/rules") 2>&1 )
	st=$?
	check "a 200 MB address-space limit: everything still works" test $st -eq 0
	[ $st -eq 0 ] || echo "$out" >&2
fi

# ENOMEM where forksafe allocates: every mapping it asks for fails (the
# fd table, the memory shared with children; libnomem.so).  The program
# behaves as without forksafe (nothing can be forced without the table),
# and forksafe says so once per program: cover says it once, and so does
# each program it runs (a shell that execs a command in its place loads
# the module twice under one pid).
nomem=$b/.libs/libnomem.so
"$b/cover" expect-native >"$T/native.out" 2>&1
check_eq "cover passes without forksafe" 0 $?
LD_PRELOAD="$nomem $FORKSAFE_SO" "$b/cover" expect-native >"$T/nomem.out" 2>"$T/nomem.err" &
pid=$!
wait $pid
check_eq "no memory for the fd table: cover still passes" 0 $?
check "no memory for the fd table: output unchanged" cmp -s "$T/native.out" "$T/nomem.out"
msg="config: cannot map the fd table; new fds are not forced close-on-exec"
check_eq "no memory: cover says so once" 1 "$(grep -cFx "forksafe[$pid]: $msg" "$T/nomem.err")"
check_eq "no memory: nothing else on stderr" "" \
	"$(grep -vE "^forksafe\[[0-9]+\]: $msg\$" "$T/nomem.err" | head -3)"
check_eq "no memory: no process says so more than once per program it runs" "" \
	"$(cut -d: -f1 "$T/nomem.err" | sort | uniq -c | awk '$1 > 2' | head -3)"
FORKSAFE_DIAG=1 FORKSAFE_FORK=warn FORKSAFE_LOG=/dev/null LD_PRELOAD="$nomem $FORKSAFE_SO" \
	"$b/cover" expect-native >"$T/nomem2.out" 2>/dev/null
check_eq "no memory, diagnostic mode (no shared summary): status" 0 $?
check "no memory, diagnostic mode: output unchanged" cmp -s "$T/native.out" "$T/nomem2.out"

# fd 7, open at start-up and inheritable, makes an exec-leak report when
# rules runs a program: the report is what opens the log.
out=$(FORKSAFE_DIAG=1 FORKSAFE_LOG=/proc/forksafe-cannot-write.log LD_PRELOAD=$FORKSAFE_SO \
	FORKSAFE_KEEP_FDS=40 "$b/rules" 2>&1 >/dev/null 7</dev/null)
check_eq "an unwritable log: the program is fine" 0 $?
# One message per process (each program it runs says it once too).
n=$(grep -c "FORKSAFE_LOG: cannot open" <<<"$out")
dup=$(grep "FORKSAFE_LOG: cannot open" <<<"$out" | sed 's/\].*//' | sort | uniq -d)
check "an unwritable log: one message per process ($n), reports to stderr" \
	test "$n" -ge 1 -a -z "$dup"

native=$(FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$b/rules")
check_eq "rules pass" 0 $?
full=$(FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/full FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$b/rules")
check_eq "a full log (/dev/full): status unchanged" 0 $?
check_eq "a full log (/dev/full): output unchanged" "$native" "$full"

if [ -n "$asan" ]; then
	note "AddressSanitizer build: the no-/proc case is not run"
elif command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	# cover forks (forkpty, fork, _Fork) and checks that every new fd
	# is forced.
	out=$(unshare -m sh -c 'mount -t tmpfs none /proc && \
		FORKSAFE_FORK=warn LD_PRELOAD='"$FORKSAFE_SO"' '"$b/cover"' expect-forced' 2>&1)
	check "no /proc: forks go ahead, every fd still forced" test $? -eq 0
	check_eq "no /proc: one message" 1 "$(grep -c "cannot count threads" <<<"$out")"
else
	note "cannot make a mount namespace here; the no-/proc case was not run"
fi
finish

#!/bin/bash
# Forks made inside libc are seen: forkpty and daemon (and _Fork) from a
# threaded process are reported as mt-fork; vfork, posix_spawn, system and popen
# make no fork (the child shares the parent's memory and execs or
# exits), so they are not reported.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog mtfork)

shim FORKSAFE_DIAG=1 "$prog" forkpty >"$T/forkpty.out" 2>"$T/forkpty.err"
check_eq "forkpty: exit status 0" 0 "$?"
check "forkpty: the program finished" grep -qx "ok forkpty" "$T/forkpty.out"
check_eq "forkpty: one mt-fork report" 1 "$(count_events mt-fork "$T/forkpty.err")"
line=$(events mt-fork "$T/forkpty.err")
check_eq "forkpty: via=fork" fork "$(field via <<<"$line")"
check_eq "forkpty: threads=4" 4 "$(field threads <<<"$line")"
check "forkpty: caller is the function that called forkpty" \
	grep -qE '^forkpty_here\+0x[0-9a-f]+ \(mtfork\)$' <<<"$(field caller <<<"$line")"

# The daemon goes on in a new process with the parent's stdout, the pipe
# to cat: cat ends when the daemon has ended too.
shim FORKSAFE_DIAG=1 "$prog" daemon "$T/daemon.child" 2>"$T/daemon.err" |
	timeout 60 cat >"$T/daemon.out"
check_eq "daemon: the parent exits 0" 0 "${PIPESTATUS[0]}"
check "daemon: the daemon ran" test -e "$T/daemon.child"
check_eq "daemon: one mt-fork report" 1 "$(count_events mt-fork "$T/daemon.err")"
line=$(events mt-fork "$T/daemon.err")
check_eq "daemon: via=daemon" daemon "$(field via <<<"$line")"
check_eq "daemon: threads=4" 4 "$(field threads <<<"$line")"
check "daemon: caller is the function that called daemon" \
	grep -qE '^daemon_here\+0x[0-9a-f]+ \(mtfork\)$' <<<"$(field caller <<<"$line")"

# _Fork is a fork (one that runs no atfork handlers).
shim FORKSAFE_DIAG=1 "$prog" _Fork >"$T/_Fork.out" 2>"$T/_Fork.err"
check_eq "_Fork: exit status 0" 0 "$?"
check "_Fork: the program finished" grep -qx "ok _Fork" "$T/_Fork.out"
check_eq "_Fork: one mt-fork report, via=_Fork" _Fork "$(events mt-fork "$T/_Fork.err" | field via)"

for mode in vfork posix_spawn system popen; do
	shim FORKSAFE_DIAG=1 "$prog" "$mode" >"$T/$mode.out" 2>"$T/$mode.err"
	check_eq "$mode: exit status 0" 0 "$?"
	check "$mode: the program finished" grep -qx "ok $mode" "$T/$mode.out"
	check_eq "$mode: not reported as a fork" 0 "$(count_events mt-fork "$T/$mode.err")"
	forks=$(events summary "$T/$mode.err" | field mt_forks)
	check "$mode: no fork in the summary (mt_forks='$forks')" test -z "$forks" -o "$forks" = 0
done
finish

#!/bin/bash
# A fork while other threads run is reported (mt-fork) with the exact
# thread count, the calling function and the atfork handlers; a
# single-threaded fork is not; the program's output does not change.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog mtfork)

# mtfork_run NAME MODE VAR=value...: stdout and stderr in $T/NAME.{out,err}.
mtfork_run() {
	local name=$1 mode=$2
	shift 2
	shim "$@" "$prog" "$mode" >"$T/$name.out" 2>"$T/$name.err"
	check "$name: exit status 0" test $? -eq 0
	check "$name: the program finished" grep -qx "ok $mode" "$T/$name.out"
}

mtfork_run exported exported FORKSAFE_DIAG=1
check_eq "exported: one mt-fork report" 1 "$(count_events mt-fork "$T/exported.err")"
line=$(events mt-fork "$T/exported.err")
check_eq "exported: threads=4 (3 extra threads)" 4 "$(field threads <<<"$line")"
check_eq "exported: via=fork" fork "$(field via <<<"$line")"
check_eq "exported: action=warn (the diagnostic-mode default)" warn "$(field action <<<"$line")"
caller=$(field caller <<<"$line")
check "exported: caller names spawn_child_here (got '$caller')" \
	grep -qE '^spawn_child_here\+0x[0-9a-f]+ \(mtfork\)$' <<<"$caller"
check "exported: backtrace starts at spawn_child_here, then main" \
	grep -qE '^spawn_child_here\+0x[0-9a-f]+ \(mtfork\) < main\+' <<<"$(field backtrace <<<"$line")"
check "exported: atfork lists the program's handler" \
	grep -qE 'prepare=mtfork_prepare\+0x0 \(mtfork\) parent=none child=none' \
	<<<"$(field atfork <<<"$line")"
check_eq "exported: no summary on stderr (nothing held back)" 0 \
	"$(count_events summary "$T/exported.err")"
mtfork_run logged exported FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/logged.log"
check_eq "exported: report pid is the parent's" \
	"$(events mt-fork "$T/logged.log" | sed -E 's/^forksafe\[([0-9]+)\].*/\1/')" \
	"$(events summary "$T/logged.log" | sed -E 's/^forksafe\[([0-9]+)\].*/\1/')"
sum=$(events summary "$T/logged.log")
check_eq "exported: summary mt_forks=1" 1 "$(field mt_forks <<<"$sum")"
check_eq "exported: summary mt_fork_sites=1" 1 "$(field mt_fork_sites <<<"$sum")"
check_eq "exported: summary exec_leaks=0" 0 "$(field exec_leaks <<<"$sum")"

mtfork_run single single FORKSAFE_DIAG=1
check "single-threaded fork: nothing reported" test ! -s "$T/single.err"

# Threads made inside libc (a SIGEV_THREAD timer's helper) count too.
mtfork_run libc libc-thread FORKSAFE_DIAG=1
check_eq "libc-made thread: threads=2" 2 "$(events mt-fork "$T/libc.err" | field threads)"

# Outside diagnostic mode: allow is silent, warn reports.
mtfork_run quiet exported
check "default settings: nothing on stderr" test ! -s "$T/quiet.err"
mtfork_run diag0 exported FORKSAFE_DIAG=0
check "FORKSAFE_DIAG=0: nothing on stderr" test ! -s "$T/diag0.err"
mtfork_run warn exported FORKSAFE_FORK=warn
check_eq "FORKSAFE_FORK=warn: one mt-fork report" 1 "$(count_events mt-fork "$T/warn.err")"
check_eq "FORKSAFE_FORK=warn: action=warn" warn "$(events mt-fork "$T/warn.err" | field action)"
check_eq "FORKSAFE_FORK=warn outside diag mode: no summary" 0 "$(count_events summary "$T/warn.err")"
mtfork_run allow exported FORKSAFE_DIAG=1 FORKSAFE_FORK=allow
check_eq "diag + allow: still reported, action=allow" allow \
	"$(events mt-fork "$T/allow.err" | field action)"

"$prog" exported >"$T/native.out" 2>"$T/native.err"
check "stdout is the same as without forksafe" cmp -s "$T/native.out" "$T/exported.out"
finish

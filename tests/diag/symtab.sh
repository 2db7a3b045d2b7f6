#!/bin/bash
# The mt-fork report names a caller that is a static function (only the
# executable's .symtab knows it, not its dynamic symbols).
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog mtfork)

shim FORKSAFE_DIAG=1 "$prog" static >"$T/out" 2>"$T/err"
check "exit status 0" test $? -eq 0
check_eq "one mt-fork report" 1 "$(count_events mt-fork "$T/err")"
caller=$(events mt-fork "$T/err" | field caller)
check "caller names static_fork_here (got '$caller')" \
	grep -qE '^static_fork_here\+0x[0-9a-f]+ \(mtfork\)$' <<<"$caller"
check "backtrace starts at static_fork_here, then main" \
	grep -qE '^static_fork_here\+0x[0-9a-f]+ \(mtfork\) < main\+' \
	<<<"$(events mt-fork "$T/err" | field backtrace)"
finish

#!/bin/bash
# FORKSAFE_FORK=spawn never lets a redirected child do what would break
# its parent (issue 13 item 11): a thread it starts is refused, a site
# whose child started a thread or forked forks for real from then on,
# and environ a child assigns is put back; diagnostic mode says each
# once (spawn-unsafe) (unsafe.c).
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog unsafe)

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" 4 >"$T/spawn.out" 2>"$T/spawn.err"
status=$?
[ "$status" -eq 77 ] && skip "kcmp(2) is not allowed here: $(cat "$T/spawn.err")"
check_eq "spawn: every check passes (exit status)" 0 "$status"
grep '^FAIL' "$T/spawn.err"
check_eq "spawn: environ_site's children ran with the environ they assigned" 4 \
	"$(grep -c '^UNSAFE_CHILD=1$' "$T/spawn.out")"
check "spawn: nothing from forksafe outside diagnostic mode" \
	test "$(grep -c '^forksafe' "$T/spawn.err")" -eq 0

timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" 4 \
	>"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: every check passes (exit status)" 0 "$?"
reports=$(events spawn-unsafe "$T/diag.log" | while read -r line; do
	printf '%s|%s\n' "$(field fork_caller <<<"$line" | sed -E 's/[.+].*//')" \
		"$(field call <<<"$line")"
done | sort)
check_eq "diag: one spawn-unsafe report per site and kind" "environ_site|environ assignment
fork_site|fork
thread_site|pthread_create" "$reports"

native "$prog" 4 >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
finish

#!/bin/bash
# FORKSAFE_FORK=auto and spawn (autosite.c): a site whose children exec having
# written nothing of their parent's memory is redirected after
# FORKSAFE_AUTO_AFTER of them (3 by default), also when they assign
# environ (put back in the parent); sites whose children work without
# exec, start a thread, once left without exec, or write memory before
# exec keep real fork semantics every time.  Diagnostic mode reports each
# decision once (auto) and each redirection (spawn).  Every rule is an
# event (the program waits for each child before the next fork): no
# timing decides an outcome.
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog autosite)

# site NAME RUN: autosite's "site NAME: ..." line of $T/RUN.out.
site() { grep "^site $1:" "$T/$2.out"; }
# config_messages FILE: forksafe's lines in FILE, pids masked, each once.
config_messages() { grep '^forksafe' "$1" | sed -E 's/^forksafe\[[0-9]+\]/forksafe[PID]/' | sort -u; }
# decisions FILE FIELD...: per auto report of FILE, the FIELDs joined by
# |, the caller cut to its function and a reason's path to its file name.
decisions() {
	local file=$1 line f v out
	shift
	events auto "$file" | while read -r line; do
		out=
		for f in "$@"; do
			case $f in
			caller) v=$(field caller <<<"$line" | sed -E 's/[.+].*//') ;;
			reason) v=$(field reason <<<"$line" | sed -E 's|before exec: .*/|before exec: |') ;;
			*) v=$(field "$f" <<<"$line") ;;
			esac
			out=${out:+$out|}$v
		done
		printf '%s\n' "$out"
	done
}

timed FORKSAFE_FORK=auto "$prog" 3 8 >"$T/auto.out" 2>"$T/auto.err"
status=$?
[ "$status" -eq 77 ] && skip "kcmp(2) is not allowed here: $(cat "$T/auto.err")"
check_eq "auto: every check passes (exit status)" 0 "$status"
check_eq "auto: exec_site redirected from its 4th fork" "site exec_site: FFFRRRRR" \
	"$(site exec_site auto)"
check_eq "auto: environ_site redirected from its 4th fork" "site environ_site: FFFRRRRR" \
	"$(site environ_site auto)"
check_eq "auto: write_site never redirected" "site write_site: FFFFFFFF" \
	"$(site write_site auto)"
check_eq "auto: environ_site's children ran with the environ they assigned" 8 \
	"$(grep -c '^AUTOSITE_CHILD=1$' "$T/auto.out")"
check "auto: nothing from forksafe outside diagnostic mode" \
	test "$(grep -c '^forksafe' "$T/auto.err")" -eq 0

timed FORKSAFE_FORK=auto FORKSAFE_AUTO_AFTER=5 "$prog" 5 8 >"$T/after5.out" 2>"$T/after5.err"
check_eq "FORKSAFE_AUTO_AFTER=5: every check passes (exit status)" 0 "$?"
check_eq "FORKSAFE_AUTO_AFTER=5: redirected from the 6th fork" "site exec_site: FFFFFRRR" \
	"$(site exec_site after5)"

timed FORKSAFE_FORK=auto FORKSAFE_AUTO_AFTER=0 "$prog" 3 5 >"$T/bad.out" 2>"$T/bad.err"
check_eq "FORKSAFE_AUTO_AFTER=0: the default (3) is used" 0 "$?"
# Every process that loads the module says it (the parent and the
# programs its children exec), each once, read at start like every variable.
check_eq "FORKSAFE_AUTO_AFTER=0: the message" \
	"forksafe[PID]: config: FORKSAFE_AUTO_AFTER='0' is not valid (accepted: a whole number from 1 to 1000); using 3" \
	"$(config_messages "$T/bad.err")"
check "FORKSAFE_AUTO_AFTER=0: once per process" \
	test "$(grep '^forksafe' "$T/bad.err" | cut -d: -f1 | sort | uniq -d | wc -l)" -eq 0

timed FORKSAFE_FORK=auto FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" 3 8 \
	>"$T/diag.out" 2>"$T/diag.err"
check_eq "diag: every check passes (exit status)" 0 "$?"
check_eq "diag: one auto report per site" 6 "$(count_events auto "$T/diag.log")"
# caller-function, decision, reason: one line per site, sorted by caller.
check_eq "diag: the decisions" "environ_site|spawn|<none>
exec_site|spawn|<none>
mixed_site|fork|a child ended without exec
thread_site|fork|a child called pthread_create
work_site|fork|a child ended without exec
write_site|fork|a child wrote memory before exec: autosite" \
	"$(decisions "$T/diag.log" caller decision reason | sort)"
check_eq "diag: children=3 for the redirected sites" 3 "$(events auto "$T/diag.log" |
	grep 'decision=spawn' | field children | sort -u)"
check_eq "diag: one spawn report per redirection" 10 "$(count_events spawn "$T/diag.log")"
check_eq "diag: mode=auto" auto "$(events spawn "$T/diag.log" | field mode | sort -u)"

# spawn learns as auto does, from one child per site by default
# (FORKSAFE_SPAWN_AFTER=1): a site whose child writes its parent's
# memory, starts a thread or leaves without exec is never redirected.
timed FORKSAFE_FORK=spawn "$prog" 1 8 >"$T/spawn.out" 2>"$T/spawn.err"
check_eq "spawn: every check passes (exit status)" 0 "$?"
check_eq "spawn: exec_site redirected from its 2nd fork" "site exec_site: FRRRRRRR" \
	"$(site exec_site spawn)"
check_eq "spawn: write_site never redirected" "site write_site: FFFFFFFF" \
	"$(site write_site spawn)"
check_eq "spawn: work_site never redirected" "site work_site: FFFFFFFF" \
	"$(site work_site spawn)"
timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=2 "$prog" 2 8 >"$T/spawn2.out" 2>"$T/spawn2.err"
check_eq "FORKSAFE_SPAWN_AFTER=2: every check passes (exit status)" 0 "$?"
check_eq "FORKSAFE_SPAWN_AFTER=2: redirected from the 3rd fork" "site exec_site: FFRRRRRR" \
	"$(site exec_site spawn2)"
timed FORKSAFE_FORK=spawn FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/spawndiag.log" "$prog" 1 8 \
	>"$T/spawndiag.out" 2>"$T/spawndiag.err"
check_eq "spawn, diag: every check passes (exit status)" 0 "$?"
check_eq "spawn, diag: write_site's decision, mode=spawn" \
	"write_site|fork|a child wrote memory before exec: autosite|spawn" \
	"$(decisions "$T/spawndiag.log" caller decision reason mode | grep '^write_site|')"
check_eq "spawn, diag: one spawn report per redirection (exec, environ, mixed: 7 each)" 21 \
	"$(count_events spawn "$T/spawndiag.log")"
# Trusting every site (FORKSAFE_SPAWN_AFTER=0) is what the learning is
# for: write_site's children then run in the parent's memory.
timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=0 "$prog" 0 8 >"$T/trust.out" 2>"$T/trust.err"
check_eq "FORKSAFE_SPAWN_AFTER=0: write_site redirected (its checks fail)" \
	"1|site write_site: RRRRRRRR" "$?|$(site write_site trust)"
timed FORKSAFE_FORK=spawn FORKSAFE_SPAWN_AFTER=x "$prog" 1 3 >"$T/sbad.out" 2>"$T/sbad.err"
check_eq "FORKSAFE_SPAWN_AFTER=x: the default (1) is used" 0 "$?"
check_eq "FORKSAFE_SPAWN_AFTER=x: the message" \
	"forksafe[PID]: config: FORKSAFE_SPAWN_AFTER='x' is not valid (accepted: a whole number from 0 (trust every site) to 1000); using 1" \
	"$(config_messages "$T/sbad.err")"

native "$prog" 3 8 >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the program fails" 1 "$?"
finish

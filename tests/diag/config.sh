#!/bin/bash
# An invalid setting (a bad value, an empty one, a huge one) gives exactly
# one config message naming the variable, and changes nothing else: the
# program's stdout and exit status are those of a run without forksafe.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog plain)

"$prog" 3 >"$T/native.out" 2>"$T/native.err"
native_status=$?
check_eq "without forksafe: exit status 3" 3 "$native_status"

huge=$(head -c 100000 /dev/zero | tr '\0' 7)
declare -A bad=(
	[FORKSAFE_CLOEXEC]=sometimes
	[FORKSAFE_KEEP_FDS]=3,x
	[FORKSAFE_DIAG]=yes
	[FORKSAFE_FORK]=never
	[FORKSAFE_LOG]=relative/path
	[FORKSAFE_LOG_FORMAT]=xml
	[FORKSAFE_CHILD_LOCKS]=ignore
	[FORKSAFE_CHILD_TIMEOUT]=-1
	[FORKSAFE_ATFORK_TIMEOUT]=1.5
	[FORKSAFE_AUTO_AFTER]=0
)
# An empty list of fds is a valid FORKSAFE_KEEP_FDS.
can_be_empty=FORKSAFE_KEEP_FDS

# one_message NAME VAR: stdout, status and stderr of run NAME.
one_message() {
	local name=$1 var=$2
	check_eq "$name: exit status unchanged" "$native_status" "$status"
	check "$name: stdout unchanged" cmp -s "$T/native.out" "$T/run.out"
	check_eq "$name: exactly one line on stderr" 1 "$(wc -l <"$T/run.err")"
	check "$name: it is a config message naming $var" \
		grep -qE "^forksafe\[[0-9]+\]: config: $var=.* is not valid \(accepted: .*\); using " "$T/run.err"
	check "$name: the message is short" test "$(wc -c <"$T/run.err")" -lt 400
}

for var in "${!bad[@]}"; do
	for kind in bad empty huge; do
		case $kind in
		bad) value=${bad[$var]} ;;
		empty) value= ;;
		huge) value=$huge ;;
		esac
		[ "$kind" = empty ] && [ "$var" = "$can_be_empty" ] && continue
		[ "$kind" = huge ] && [ "$var" = FORKSAFE_LOG ] && value=/$huge
		shim "$var=$value" "$prog" 3 >"$T/run.out" 2>"$T/run.err"
		status=$?
		one_message "$var ($kind)" "$var"
	done
done

# All of them wrong at once: one message for each.
settings=()
for var in "${!bad[@]}"; do settings+=("$var=${bad[$var]}"); done
shim "${settings[@]}" "$prog" 3 >"$T/all.out" 2>"$T/all.err"
check_eq "all invalid: exit status unchanged" "$native_status" "$?"
check "all invalid: stdout unchanged" cmp -s "$T/native.out" "$T/all.out"
check_eq "all invalid: one line per variable" "${#bad[@]}" "$(wc -l <"$T/all.err")"
for var in "${!bad[@]}"; do
	check_eq "all invalid: one message names $var" 1 \
		"$(grep -cE "^forksafe\[[0-9]+\]: config: $var=" "$T/all.err")"
done
finish

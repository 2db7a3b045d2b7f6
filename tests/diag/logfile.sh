#!/bin/bash
# FORKSAFE_LOG=/path: the file is appended to, never truncated; created
# with mode 0600 whatever the umask; never written through a symlink;
# lines from several processes writing at once never interleave.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog mtfork)

log="$T/append.log"
printf 'line written before\n' >"$log"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$log" "$prog" exported >/dev/null 2>"$T/append.err"
check_eq "append: exit status 0" 0 "$?"
check_eq "append: the earlier content is kept, first" "line written before" "$(head -1 "$log")"
check_eq "append: the report follows it" 1 "$(count_events mt-fork "$log")"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$log" "$prog" exported >/dev/null 2>&1
check_eq "append: a second run adds its report" 2 "$(count_events mt-fork "$log")"
check_eq "append: still starts with the earlier content" "line written before" "$(head -1 "$log")"
check "append: nothing on stderr" test ! -s "$T/append.err"

for mask in 022 000; do
	log="$T/mode$mask.log"
	(umask "$mask" && shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$log" "$prog" exported >/dev/null)
	check_eq "created under umask $mask: mode 600" 600 "$(stat -c %a "$log")"
done

# A symlink planted at the path: its target must not be written.
printf 'target content\n' >"$T/target"
ln -s "$T/target" "$T/link.log"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/link.log" "$prog" exported >"$T/link.out" 2>/dev/null
check_eq "symlink: the program still exits 0" 0 "$?"
check "symlink: the program still finished" grep -qx "ok exported" "$T/link.out"
check_eq "symlink: the target is unchanged" "target content" "$(cat "$T/target")"
check "symlink: the link is still a link" test -L "$T/link.log"
ln -s "$T/absent" "$T/dangling.log"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/dangling.log" "$prog" exported >/dev/null 2>&1
check "dangling symlink: its target is not created" test ! -e "$T/absent"

# 10 processes x 200 long reports (25 atfork handlers listed in each)
# at once into one file.
log="$T/shared.log"
pids=()
for _ in $(seq 10); do
	shim FORKSAFE_DIAG=1 FORKSAFE_LOG_FORMAT=json FORKSAFE_LOG="$log" \
		"$(diagprog manyevents)" 200 25 &
	pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
check_eq "shared: every writer exits 0" 0 "$status"
check_eq "shared: 10 x (200 mt-fork + 1 summary) lines" 2010 "$(wc -l <"$log")"
check_json_file "shared" "$log"
check "shared: lines are long (over 2000 bytes)" \
	test "$(awk 'length($0) > 2000' "$log" | wc -l)" -eq 2000
check_eq "shared: 201 lines from each of 10 processes" "10 x 201" \
	"$("$(diagprog jsoncheck)" -f pid <"$log" | sort | uniq -c |
		awk '{n[$1]++} END {for (c in n) print n[c] " x " c}')"
finish

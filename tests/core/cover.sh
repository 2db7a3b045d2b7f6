#!/bin/bash
# Coverage of the fd-creating entry points and the inheritance rules
# (tests/core/cover.c says what the program checks).  Asserts:
#  - without forksafe, cover expect-native passes: every fd made without
#    asking is inheritable (so the forced run below can fail);
#  - under forksafe, cover expect-forced passes: every such fd is
#    close-on-exec, asked-for flags and status flags are unchanged, and
#    rules 1-4 and 6 hold; in diagnostic mode too;
#  - FORKSAFE_CLOEXEC=off and =audit force nothing (expect-native);
#  - FORKSAFE_KEEP_FDS=7,9-10 leaves exactly those fds unforced, and the
#    same check fails without forksafe;
#  - an invalid FORKSAFE_CLOEXEC prints the documented one-line message
#    (once per process) and forcing stays on;
#  - every run reaches the same calls (same labels, same skips), and
#    forksafe writes nothing to stderr in the valid configurations;
#  - the program reaches every row of the table of wrapped calls
#    (src/core/calls.h, printed by tests/core/calls) of kind NEW, and the
#    system call of every row that names one through syscall(SYS_x): a
#    row added to the table fails here until cover.c calls it.
. "$FS_SRCDIR/tests/lib.sh"
prog=$FS_BUILDDIR/tests/core/cover
so=LD_PRELOAD=$FORKSAFE_SO

# run NAME EXPECTED-STATUS ARGS -- ENV...: runs cover, keeps its output
# in $T/NAME.out and .err, its pid in $T/NAME.pid.
run() {
	local name=$1 want=$2 args=() st pid
	shift 2
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	env "$@" "$prog" "${args[@]}" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	wait $pid
	st=$?
	echo $pid >"$T/$name.pid"
	if [ "$st" -ne "$want" ]; then
		fail "$name: cover ${args[*]} exited $st, expected $want"
		grep -E '^(FAIL|  )' "$T/$name.out" | sed 's/^/    /' >&2
		head -5 "$T/$name.err" | sed 's/^/    stderr: /' >&2
	else
		pass "$name ($(grep -c 'cloexec=' "$T/$name.out") fds checked)"
	fi
}

# The calls a run made, whatever the flag: the runs must agree.
labels() {
	grep -Ev '^(FAIL|  )' "$1" | grep -E ': (cloexec=|skipped)' |
		sed -E 's/cloexec=-?[01]/cloexec=?/'
}

same_calls() {
	if diff -u <(labels "$T/$1.out") <(labels "$T/$2.out") >"$T/labels.diff"; then
		pass "$2 made the same calls as $1"
	else
		fail "$2 made other calls than $1:"
		sed 's/^/    /' "$T/labels.diff" | head -20 >&2
	fi
}

quiet() {
	if [ -s "$T/$1.err" ]; then
		fail "$1: unexpected output on stderr:"
		sed 's/^/    /' "$T/$1.err" | head -10 >&2
	else
		pass "$1: nothing on stderr"
	fi
}

run native 0 expect-native --
run forced 0 expect-forced -- "$so"
run diag 0 expect-forced -- "$so" FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null
run off 0 expect-native -- "$so" FORKSAFE_CLOEXEC=off
run audit 0 expect-native -- "$so" FORKSAFE_CLOEXEC=audit
run keep 0 expect-keep 7,9-10 -- "$so" FORKSAFE_KEEP_FDS=7,9-10
run keep-native 1 expect-keep 7,9-10 --
run bogus 0 expect-forced -- "$so" FORKSAFE_CLOEXEC=bogus

for r in forced diag off audit; do
	same_calls native $r
done
same_calls forced bogus
for r in native forced diag off audit keep; do
	quiet $r
done
grep 'skipped' "$T/forced.out" | sed 's/^/note: /'

# The message for an invalid value: exactly this line, once in cover
# itself; the programs it runs load forksafe again and say it again.
want="config: FORKSAFE_CLOEXEC='bogus' is not valid (accepted: force, audit, off); using force"
pid=$(cat "$T/bogus.pid")
if grep -qv "^forksafe\[[0-9]*\]: $want\$" "$T/bogus.err"; then
	fail "invalid FORKSAFE_CLOEXEC: expected only lines 'forksafe[PID]: $want', got:"
	sed 's/^/    /' "$T/bogus.err" | head -10 >&2
elif [ "$(grep -c "^forksafe\[$pid\]: " "$T/bogus.err")" -ne 1 ]; then
	fail "invalid FORKSAFE_CLOEXEC: cover (pid $pid) did not print the message exactly once"
	sed 's/^/    /' "$T/bogus.err" | head -10 >&2
else
	pass "invalid FORKSAFE_CLOEXEC reported once, force kept"
fi

# The table of wrapped calls against what the forced run reached.  A
# line's name is the function called, up to "(", "[" or "+"; a system
# call made through syscall() is named in "syscall(SYS_name".
"$FS_BUILDDIR/tests/core/calls" >"$T/table" || die "tests/core/calls failed"
grep -E '^[^:]*: (cloexec=|skipped)' "$T/forced.out" | cut -d: -f1 >"$T/reached"
sed -E 's/[([+].*//' "$T/reached" | sort -u >"$T/names"
sed -nE 's/^syscall\(SYS_([a-z0-9_]+)[,)].*/\1/p' "$T/reached" | sort -u >"$T/syscalls"
# missing FILE: the lines of stdin (sorted) that FILE lacks, on one line.
missing() { sort -u | comm -23 - "$1" | paste -sd ' '; }
gap=$(awk '$2 == "NEW" { print $1 }' "$T/table" | missing "$T/names")
check_eq "every row of kind NEW in the table is called (missing: ${gap:-none})" "" "$gap"
gap=$(awk '$3 != "-" { print $3 }' "$T/table" | missing "$T/syscalls")
check_eq "every system call in the table is made through syscall() (missing: ${gap:-none})" \
	"" "$gap"
finish

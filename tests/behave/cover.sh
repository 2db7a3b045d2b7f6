#!/bin/bash
# Coverage of the fd-creating entry points and the inheritance rules
# (tests/behave/fdcover.c says what the program checks).  Asserts:
#  - without forksafe, fdcover expect-native passes: every fd made
#    without asking is inheritable (so the forced run below can fail);
#  - under forksafe, fdcover expect-forced passes: every such fd is
#    close-on-exec, asked-for flags and status flags are unchanged, and
#    rules 1-4 and 6 hold;
#  - FORKSAFE_CLOEXEC=off and =audit force nothing (expect-native);
#  - FORKSAFE_KEEP_FDS=7,9-10 leaves exactly those fds unforced, and the
#    same check fails without forksafe;
#  - an invalid FORKSAFE_CLOEXEC prints the documented one-line message
#    (once per process) and forcing stays on;
#  - every run reaches the same calls (same labels, same skips), and
#    forksafe writes nothing to stderr in the valid configurations.
set -u
prog=$FS_BUILDDIR/tests/behave/fdcover
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run NAME EXPECTED-STATUS ARGS -- ENV...: runs fdcover, keeps its output.
run() {
	local name=$1 want=$2 args=() st
	shift 2
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	env "$@" "$prog" "${args[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
	if [ "$st" -ne "$want" ]; then
		bad "$name: fdcover ${args[*]} exited $st, expected $want"
		grep -E '^(FAIL|  )' "$tmp/$name.out" | sed 's/^/    /'
		head -5 "$tmp/$name.err" | sed 's/^/    stderr: /'
	else
		echo "ok: $name ($(grep -c 'cloexec=' "$tmp/$name.out") fds checked)"
	fi
}

# The calls each run made, whatever the flag: the runs must agree.
labels() {
	grep -Ev '^(FAIL|  )' "$1" | grep -E ': (cloexec=|skipped)' |
		sed -E 's/cloexec=-?[01]/cloexec=?/'
}

same_calls() {
	if ! diff -u <(labels "$tmp/$1.out") <(labels "$tmp/$2.out") >"$tmp/labels.diff"; then
		bad "$2 made other calls than $1:"
		sed 's/^/    /' "$tmp/labels.diff" | head -20
	fi
}

quiet() {
	if [ -s "$tmp/$1.err" ]; then
		bad "$1: unexpected output on stderr:"
		sed 's/^/    /' "$tmp/$1.err" | head -10
	fi
}

so=LD_PRELOAD=$FORKSAFE_SO
run native 0 expect-native --
run forced 0 expect-forced -- "$so"
run off 0 expect-native -- "$so" FORKSAFE_CLOEXEC=off
run audit 0 expect-native -- "$so" FORKSAFE_CLOEXEC=audit
run keep 0 expect-keep 7,9-10 -- "$so" FORKSAFE_KEEP_FDS=7,9-10
run keep-native 1 expect-keep 7,9-10 --
run bogus 0 expect-forced -- "$so" FORKSAFE_CLOEXEC=bogus

for r in forced off audit; do
	same_calls native $r
done
same_calls forced bogus
for r in native forced off audit keep; do
	quiet $r
done
grep -q 'skipped' "$tmp/forced.out" && grep 'skipped' "$tmp/forced.out" | sed 's/^/note: /'

# The message for an invalid value: exactly this line, once in fdcover
# itself; the programs it runs load forksafe again and say it again.
want="config: FORKSAFE_CLOEXEC='bogus' is not valid (accepted: force, audit, off); using force"
pid=$(sed -n 's/^fdcover: pid=//p' "$tmp/bogus.out")
if grep -qv "^forksafe\[[0-9]*\]: $want\$" "$tmp/bogus.err"; then
	bad "invalid FORKSAFE_CLOEXEC: expected only lines 'forksafe[PID]: $want', got:"
	sed 's/^/    /' "$tmp/bogus.err" | head -10
elif [ "$(grep -c "^forksafe\[$pid\]: " "$tmp/bogus.err")" -ne 1 ]; then
	bad "invalid FORKSAFE_CLOEXEC: fdcover (pid '$pid') did not print the message exactly once"
	sed 's/^/    /' "$tmp/bogus.err" | head -10
else
	echo "ok: invalid FORKSAFE_CLOEXEC reported once, force kept"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all cover checks passed"

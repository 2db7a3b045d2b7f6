#!/bin/bash
# FORKSAFE_LOG_FORMAT=json: every report of every kind is one line, one
# JSON object with event, pid, tid, time and program, whatever bytes the
# reported names contain, and even when the report is too long and cut
# short.
# The text format keeps such names on one line too.
. "$FS_SRCDIR/tests/diag/lib.sh"

# The checker itself rejects what is not a JSON object per line.
for bad in '{"a":1,}' '{"a":"\q"}' '{"a":01}' '{"a":1}{' '["x"]' '{"a":1' \
	$'{"a":"\001"}' $'{"a":"\377"}' '{"event":"e","pid":1,"tid":1}'; do
	check "the checker rejects $(printf %q "$bad")" \
		bash -c '! printf "%s\n" "$1" | "$2" -k event,pid,tid,time 2>/dev/null' _ "$bad" \
		"$(diagprog jsoncheck)"
done
check "the checker accepts a report" "$(diagprog jsoncheck)" -k event,pid,tid,time \
	<<<'{"event":"e","pid":1,"tid":2,"time":"t","x":[1,-2.5e3,{"y":null}],"z":"\u00ff\"é"}'

# A file name with a quote, a backslash, a space, a control byte, a
# byte that is not UTF-8, and a newline.
weird="$T/we\"ird\\na me"$'\001\377\n'x
: >"$weird"

json="$T/reports.json"
j() { shim FORKSAFE_DIAG=1 FORKSAFE_LOG_FORMAT=json FORKSAFE_LOG="$json" "$@"; }
j "$(diagprog mtfork)" exported >/dev/null &
j FORKSAFE_CLOEXEC=audit "$(diagprog leak)" "$weird" >/dev/null &
j "$(diagprog manyevents)" 1 60 &
j "$(atforkprog deadlock)" mutex 1 3000 >/dev/null &
j FORKSAFE_CHILD_TIMEOUT=1 "$(atforkprog stall)" sleep >/dev/null &
j FORKSAFE_ATFORK_TIMEOUT=1 "$(atforkprog slow)" 2 >/dev/null &
wait

check_json_file "all kinds" "$json"
kinds=$("$(diagprog jsoncheck)" -f event <"$json" | sort -u | tr '\n' ' ')
check_eq "every kind of report was written" \
	"atfork-slow child-deadlock child-stall exec-leak mt-fork summary " "$kinds"
check "every report names its program" "$(diagprog jsoncheck)" -k program <"$json"
check_eq "the program names are the programs' own" "deadlock leak manyevents mtfork slow stall " \
	"$("$(diagprog jsoncheck)" -f program <"$json" | sort -u | tr '\n' ' ')"
check "a list too long for one line says how many more, and stays valid" grep -q '"+[0-9]* more"\]' "$json"
check "time is ISO 8601 UTC with milliseconds" test "$("$(diagprog jsoncheck)" -f time <"$json" |
	grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$')" -eq 0
if [ -n "${PYTHON3:-}" ]; then
	check "the weird file name comes back intact" "$PYTHON3" -c '
import json, os, sys
want = os.fsdecode(os.path.realpath(os.fsencode(sys.argv[1])))
for line in open(sys.argv[2], encoding="ascii"):
    o = json.loads(line)
    if o["event"] == "exec-leak" and o.get("created_by") == "open":
        got = o["what"]
        # Bytes that are not UTF-8 are written as \u00XX.
        got = got.encode("latin-1").decode("utf-8", "surrogateescape") if all(ord(c) < 256 for c in got) else got
        sys.exit(0 if got == want else "got %r, want %r" % (got, want))
sys.exit("no exec-leak report for the file")
' "$weird" "$json"
fi

# JSON on stderr.
shim FORKSAFE_DIAG=1 FORKSAFE_LOG_FORMAT=json "$(diagprog mtfork)" exported \
	>/dev/null 2>"$T/stderr.json"
check_json_file "on stderr" "$T/stderr.json"
check_eq "on stderr: mt-fork (no summary: nothing held back)" "mt-fork" \
	"$("$(diagprog jsoncheck)" -f event <"$T/stderr.json" | tr '\n' ' ' | sed 's/ $//')"
check_eq "on stderr: threads is a number" 4 \
	"$(head -1 "$T/stderr.json" | "$(diagprog jsoncheck)" -f threads)"

# Text: one line per report, whatever the name holds.
shim FORKSAFE_DIAG=1 FORKSAFE_CLOEXEC=audit "$(diagprog leak)" "$weird" >/dev/null 2>"$T/text.err"
check_eq "text: status 0" 0 "$?"
check_eq "text: every line is a report" 0 "$(grep -cvE '^forksafe\[[0-9]+\]: [a-z-]+: ' "$T/text.err")"
check "text: the file's report is there" test "$(grep -c 'created_by=open' "$T/text.err")" -eq 1
finish

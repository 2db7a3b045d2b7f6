#!/bin/bash
# forksafe report: the exact summary of a checked-in log of known content
# (tests/launcher/report/sample.json: every kind of report, ties, a
# report without a program, a name that is not UTF-8, a report cut
# short, text-format lines, garbage and a last line without its end),
# the same from standard input and from several logs, --top, --json, a
# real log written by the module under diagnostic mode from several
# processes and programs (text-format reports mixed in), huge lines,
# unreadable logs and bad usage.
. "$FS_SRCDIR/tests/diag/lib.sh"
fs=$FORKSAFE_BIN
sample=$FS_SRCDIR/tests/launcher/report/sample.json
jsoncheck=$(diagprog jsoncheck)

# report ARGS...: stdout to $T/out, stderr to $T/err, status to $st.
report() {
	"$fs" report "$@" >"$T/out" 2>"$T/err"
	st=$?
}

# check_out DESCRIPTION: $T/out against the expected text on stdin.
check_out() {
	if diff -u - "$T/out" >"$T/diff"; then
		pass "$1"
	else
		fail "$1"
		cat "$T/diff" >&2
	fi
}

# ---- the checked-in sample ----

report "$sample"
check_eq "sample: status 0" 0 "$st"
check_out "sample: the whole summary, most frequent first, ties in byte order" <<'EOF'
forksafe report: 1 log, 26 events, 13 processes, 3 programs
programs: server (13 events), worker (8), make (4)

events by kind
     10  mt-fork
      8  exec-leak
      2  atfork-slow
      2  summary
      1  child-deadlock
      1  child-stall
      1  config
      1  fork-spawn

forks in threaded processes: 10 at 5 call sites
      4  accept_loop+0x4c (server)
         threads: 3, 8, 12; programs: server
      3  run_job+0x1a (libjobs.so)
         threads: 2, 5; programs: worker (2), make (1)
      1  helper_a+0x2 (worker)
         threads: 3; programs: worker
      1  helper_b+0x2 (worker)
         threads: 3; programs: worker
      1  old_code+0x1 (old)
         threads: 2

leaked fds: 8 at 4 creation sites
      3  listen_on+0x70 (server)
         created by: socket; fd: 6; what: socket inet 0.0.0.0:8080; programs: server
      3  open_config+0x21 (server)
         created by: open; fd: 5; what: /etc/server.conf; programs: server
      1  open at start-up or made by a raw system call
         created by: unknown; fd: 9; what: pipe; programs: make
      1  read_menu+0x11 (make)
         created by: fopen; fd: 7; what: /tmp/caf\xe9 "menu".txt; programs: make

atfork-slow: 2 at 1 handler
      2  pool_prepare+0x0 (libjobs.so)
         phase: prepare; programs: worker

child-deadlock: 1 at 1 call site
      1  log_write+0x33 (server)
         in: pthread_mutex_lock; programs: server

child-stall: 1 at 1 fork site
      1  accept_loop+0x4c (server)
         programs: server

config: 1 at 1 variable
      1  FORKSAFE_FORK
         value: 'sometimes'; programs: make

fork-spawn: 1 at 1 site
      1  run_job+0x1a (libjobs.so)
         programs: worker
EOF
check_eq "sample: the skipped lines are said once, by reason" \
	'forksafe report: skipped 6 lines that are not a JSON report: 1 in text format, 4 not JSON or cut short, 1 JSON without an "event"' \
	"$(cat "$T/err")"
cp "$T/out" "$T/sample.out"

report - <"$sample"
check_eq "standard input: status 0" 0 "$st"
check "standard input: the same summary" cmp -s "$T/sample.out" "$T/out"

report --top=2 "$sample" - "$sample" <"$sample"
check_eq "three logs: status 0" 0 "$st"
check_out "three logs, --top=2: every count tripled, two entries per list, two other sections" <<'EOF'
forksafe report: 3 logs, 78 events, 13 processes, 3 programs
programs: server (39 events), worker (24), and 1 more

events by kind
     30  mt-fork
     24  exec-leak
         and 6 more kinds (24 events)

forks in threaded processes: 30 at 5 call sites
     12  accept_loop+0x4c (server)
         threads: 3, 8, 12; programs: server
      9  run_job+0x1a (libjobs.so)
         threads: 2, 5; programs: worker (6), make (3)
         and 3 more call sites (9 forks)

leaked fds: 24 at 4 creation sites
      9  listen_on+0x70 (server)
         created by: socket; fd: 6; what: socket inet 0.0.0.0:8080; programs: server
      9  open_config+0x21 (server)
         created by: open; fd: 5; what: /etc/server.conf; programs: server
         and 2 more creation sites (6 fds)

atfork-slow: 6 at 1 handler
      6  pool_prepare+0x0 (libjobs.so)
         phase: prepare; programs: worker

child-deadlock: 3 at 1 call site
      3  log_write+0x33 (server)
         in: pthread_mutex_lock; programs: server

and 3 more kinds of report (9 events)
EOF
check "three logs: one message for the skipped lines of all" \
	test "$(grep -c 'skipped 18 lines' "$T/err")" -eq 1 -a "$(wc -l <"$T/err")" -eq 1
report --top 0 "$sample"
check "--top 0 shows everything (the same as the default here)" cmp -s "$T/sample.out" "$T/out"

# The last line of one log does not run on into the next.
printf '{"event":"mt-fork","pid":1,"program":"a","caller":"x"}' >"$T/noeol.json"
report "$T/noeol.json" "$T/noeol.json"
check "a last line without a newline is read, in each log" \
	grep -qx '      2  x' "$T/out"
check "... and nothing is skipped" test ! -s "$T/err"

# ---- --json ----

report --json "$sample"
check_eq "--json: status 0" 0 "$st"
check "--json: one line, one JSON object" "$jsoncheck" -k logs,events,processes,skipped,programs,kinds,sections <"$T/out"
check_eq "--json: one line" 1 "$(wc -l <"$T/out")"
check_eq "--json: events" 26 "$("$jsoncheck" -f events <"$T/out")"
check_eq "--json: processes" 13 "$("$jsoncheck" -f processes <"$T/out")"
check_eq "--json: skipped, by reason" '{"text":1,"not_json":4,"no_event":1,"too_long":0}' \
	"$("$jsoncheck" -f skipped <"$T/out")"
check_eq "--json: kinds, most frequent first" \
	'[{"event":"mt-fork","count":10},{"event":"exec-leak","count":8},{"event":"atfork-slow","count":2},{"event":"summary","count":2},{"event":"child-deadlock","count":1},{"event":"child-stall","count":1},{"event":"config","count":1},{"event":"fork-spawn","count":1}]' \
	"$("$jsoncheck" -f kinds <"$T/out")"
check "--json: the name that is not UTF-8 is written as the log wrote it" \
	grep -qF '"value":"/tmp/caf\u00e9 \"menu\".txt"' "$T/out"
check "--json: the fork site with its threads and programs" \
	grep -qF '{"site":"run_job+0x1a (libjobs.so)","count":3,"threads":[2,5],"programs":[{"program":"worker","count":2},{"program":"make","count":1}],"programs_others":0}' \
	"$T/out"
if [ -n "${PYTHON3:-}" ]; then
	check "--json: python3 reads the same summary" "$PYTHON3" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["logs"] == 1 and s["events"] == 26, s
assert [p["program"] for p in s["programs"]] == ["server", "worker", "make"], s["programs"]
sec = {x["event"]: x for x in s["sections"]}
assert list(sec)[:2] == ["mt-fork", "exec-leak"], list(sec)
assert [g["site"] for g in sec["mt-fork"]["groups"]] == ["accept_loop+0x4c (server)",
    "run_job+0x1a (libjobs.so)", "helper_a+0x2 (worker)", "helper_b+0x2 (worker)",
    "old_code+0x1 (old)"]
assert sec["mt-fork"]["groups"][0]["threads"] == [3, 8, 12]
leak = sec["exec-leak"]
assert leak["by"] == "created_at" and leak["count"] == 8 and leak["sites"] == 4
assert [g["count"] for g in leak["groups"]] == [3, 3, 1, 1]
assert leak["groups"][3]["what"][0]["value"] == "/tmp/caf\u00e9 \"menu\".txt"
assert "summary" not in sec
' "$T/out"
fi
report --json --top=1 "$sample"
check_eq "--json --top=1: one program and how many more" \
	'[{"program":"server","events":13}]' "$("$jsoncheck" -f programs <"$T/out")"
check_eq "--json --top=1: more_programs" 2 "$("$jsoncheck" -f more_programs <"$T/out")"
check_eq "--json --top=1: one section besides forks and leaks, and how many more" 4 \
	"$("$jsoncheck" -f more_sections <"$T/out")"

# ---- a real log: several programs and processes under the module ----

# clean CMD...: CMD with no fd above 2 open, so the fds the programs
# make, and the leaks reported, do not depend on what make left open.
clean() (
	for p in /proc/$BASHPID/fd/*; do
		n=${p##*/}
		[ "$n" -gt 2 ] && eval "exec $n>&-"
	done
	exec "$@"
)
real=$T/real.json
leakfile=$T/leaked
: >"$leakfile"
j() { clean env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$real" \
	FORKSAFE_LOG_FORMAT=json "$@"; }
for i in 1 2 3; do
	j "$(diagprog mtfork)" exported >/dev/null
done
j FORKSAFE_CLOEXEC=audit "$(diagprog leak)" "$leakfile" exec >/dev/null
j FORKSAFE_CLOEXEC=audit "$(diagprog leak)" "$leakfile" exec >/dev/null
clean "$fs" --diag --json --log="$real" --cloexec=audit -- "$(diagprog leak)" "$leakfile" spawn \
	>/dev/null
# A text-format run into the same file: its lines are skipped.
clean env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$real" \
	"$(diagprog mtfork)" exported >/dev/null
check "real log: written" test -s "$real"
check_json_file "real log, JSON lines" <(grep -v '^forksafe\[' "$real")

report "$real"
check_eq "real log: status 0" 0 "$st"
# Code offsets and the sockets' ports depend on the build and the run
# (three runs, three ports: three values of "what").
out=$(sed -E 's/\+0x[0-9a-f]+ /+OFF /; s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' "$T/out")
printf '%s\n' "${out//"$(readlink -f "$leakfile")"/LEAKFILE}" >"$T/out"
check_out "real log: the summary" <<'EOF'
forksafe report: 1 log, 15 events, 8 processes, 2 programs
programs: leak (9 events), mtfork (6)

events by kind
      6  exec-leak
      6  summary
      3  mt-fork

forks in threaded processes: 3 at 1 call site
      3  spawn_child_here+OFF (mtfork)
         threads: 4; programs: mtfork

leaked fds: 6 at 2 creation sites
      3  make_the_socket+OFF (leak)
         created by: socket; fd: 4; what: socket inet 127.0.0.1:PORT, socket inet 127.0.0.1:PORT, socket inet 127.0.0.1:PORT; programs: leak
      3  open_the_file+OFF (leak)
         created by: open; fd: 3; what: LEAKFILE; programs: leak
EOF
check_eq "real log: the text-format reports are counted and skipped" \
	"forksafe report: skipped 2 lines that are not a JSON report: 2 in text format" \
	"$(cat "$T/err")"

# ---- lines of any size and content ----

{
	head -c 300000 /dev/zero | tr '\0' '['
	echo
	printf '{"event":"mt-fork","caller":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' a)"
	head -c 100000 /dev/urandom | tr -d '\n'
	echo
	printf '{"event":"mt-fork","caller":"\\u0007\\u00ff\\ud83d\\ude00","pid":7}\n'
	printf '{"event":"odd\\u00ff\\u001b[2Jkind","caller":"c"}\n'
} >"$T/huge.json"
report "$T/huge.json"
check_eq "huge lines: status 0" 0 "$st"
check "huge lines: the three reports are read" grep -qx 'forksafe report: 1 log, 3 events, 1 process, 0 programs' "$T/out"
check "huge lines: a long value is cut to 1 KiB and marked" \
	grep -qxE '      1  a{1024}\.\.\.' "$T/out"
check "huge lines: control and non-UTF-8 bytes are escaped, UTF-8 kept" \
	grep -qxF '      1  \x07\xff😀' "$T/out"
check "huge lines: a kind's name is escaped in its section's title too" \
	grep -qxF 'odd\xff\x1b[2Jkind: 1 at 1 site' "$T/out"
check "huge lines: the line over 256 KiB and the garbage are skipped" \
	grep -qF 'skipped 2 lines that are not a JSON report: 1 not JSON or cut short, 1 longer than 262144 bytes' "$T/err"

# More distinct call sites than the report keeps (65536 groups): the
# rest are counted together, and the count of sites is a lower bound.
seq 0 69999 | awk '{ printf "{\"event\":\"mt-fork\",\"caller\":\"c%d\"}\n", $1 }' >"$T/sites.json"
report --top=1 "$T/sites.json"
check_eq "70000 sites: status 0" 0 "$st"
check "70000 sites: more than 65536 call sites" \
	grep -qx 'forks in threaded processes: 70000 at more than 65536 call sites' "$T/out"
check "70000 sites: the forks at sites not kept are counted together" \
	grep -qx '   4464  (more distinct values than forksafe report keeps)' "$T/out"

report /dev/null
check_eq "an empty log: status 0" 0 "$st"
check "an empty log: nothing" grep -qx 'forksafe report: 1 log, 0 events, 0 processes, 0 programs' "$T/out"
check "an empty log: no forks" grep -qx 'forks in threaded processes: none' "$T/out"

# ---- logs that cannot be read ----

report "$T/missing.json"
check_eq "a missing log: status 1" 1 "$st"
check "a missing log is named" grep -qF "$T/missing.json: No such file or directory" "$T/err"
check "a missing log: no summary" test ! -s "$T/out"
report "$T"
check_eq "a directory: status 1" 1 "$st"
check "a directory is named" grep -qF "$T: Is a directory" "$T/err"
report "$T/missing.json" "$sample"
check_eq "one log missing, one read: status 0" 0 "$st"
check "one log missing, one read: the missing one is named" grep -qF "$T/missing.json" "$T/err"
check "one log missing, one read: the other is summed up" grep -qx 'forksafe report: 1 log, 26 events, 13 processes, 3 programs' "$T/out"
if [ "$(id -u)" -ne 0 ]; then
	cp "$sample" "$T/private.json"
	chmod 000 "$T/private.json"
	report "$T/private.json"
	check_eq "an unreadable log: status 1" 1 "$st"
	check "an unreadable log is named" grep -qF "$T/private.json: Permission denied" "$T/err"
else
	note "running as root, every file is readable; permission case not run"
fi

# ---- usage ----

for bad in "--top=x" "--top=-1" "--top=" "--bogus" "-x" "--json=1"; do
	report $bad "$sample"
	opt=${bad%%=*}
	check_eq "bad usage $bad: status 2" 2 "$st"
	check "bad usage $bad names $opt" grep -q -- "$opt" "$T/err"
	check "bad usage $bad: no summary" test ! -s "$T/out"
done
report
check_eq "no log: status 2" 2 "$st"
check "no log: says so" grep -q "no log given" "$T/err"
report --top
check_eq "--top without a value: status 2" 2 "$st"
check "--top without a value: names it" grep -q -- "--top" "$T/err"
report --help
check_eq "report --help: status 0" 0 "$st"
check "report --help: usage" grep -q '^Usage: forksafe report ' "$T/out"
report -- "$sample"
check "-- ends the options" cmp -s "$T/sample.out" "$T/out"
check "forksafe --help names report" grep -q 'forksafe report' <("$fs" --help)
mkdir "$T/bin"
printf '#!/bin/sh\necho "a command named report: $*"\n' >"$T/bin/report"
chmod +x "$T/bin/report"
check_eq "forksafe -- report runs a command named report" "a command named report: x" \
	"$(PATH=$T/bin:$PATH "$fs" -- report x)"
finish

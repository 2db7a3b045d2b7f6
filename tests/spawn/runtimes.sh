#!/bin/bash
# FORKSAFE_FORK=auto and spawn never crash a runtime whose children
# write the parent's state before exec (issue 13 items 10 and 11):
# - node's child_process.spawn: libuv's child assigns environ before
#   exec; both modes redirect the site and put environ back every time
#   (spawn says it once);
# - CPython's os.fork+exec, subprocess with preexec_fn, pty.spawn: the
#   child rewrites the interpreter's state (PyOS_AfterFork_Child); both
#   modes see the writes in the site's first child (a real fork, watched)
#   and never redirect those sites.
# Each runs ROUNDS times (FORKSAFE_TEST_ROUNDS, 20 by default; the README
# gives 100) in a process with a second thread, and must end as it does
# without forksafe.  Skipped where node or python3.11 is missing.
. "$FS_SRCDIR/tests/spawn/lib.sh"
rounds=${FORKSAFE_TEST_ROUNDS:-20}
py=/usr/bin/python3.11
ran=0

cat >"$T/spawn.js" <<'JS'
const { spawn } = require('child_process');
const n = +process.argv[2];
let bad = 0;
function one(i) {
  return new Promise((done) => {
    const c = spawn('/bin/echo', ['x' + i], { env: { ...process.env, ROUND: String(i) } });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.on('close', (code) => { if (code !== 0 || out.trim() !== 'x' + i) bad++; done(); });
    c.on('error', () => { bad++; done(); });
  });
}
(async () => {
  for (let i = 0; i < n; i++) {
    await one(i);
    if (process.env.PATH === undefined || process.env.ROUND !== undefined) bad++;
  }
  console.log('rounds ' + n + ' bad ' + bad);
})();
JS

cat >"$T/fork.py" <<'PY'
import os, pty, subprocess, sys, threading
what, n = sys.argv[1], int(sys.argv[2])
stop = threading.Event()
idle = threading.Thread(target=stop.wait)
idle.start()            # a threaded process: auto may redirect its forks
bad = 0
try:
    for i in range(n):
        if what == "fork":
            pid = os.fork()
            if pid == 0:
                os.execv("/bin/true", ["true"])
            bad += os.waitpid(pid, 0)[1] != 0
        elif what == "preexec":
            bad += subprocess.run(["/bin/true"], preexec_fn=lambda: None).returncode != 0
        else:
            bad += pty.spawn(["/bin/true"]) != 0
        bad += os.environ.get("PATH") is None
finally:
    stop.set()
    idle.join()
print("rounds %d bad %d" % (n, bad))
PY

# run LABEL MODE COMMAND...: under FORKSAFE_FORK=MODE in diagnostic mode,
# as natively.
run() {
	local label=$1 mode=$2 out
	shift 2
	out=$(timeout -k 5 300 "$@" </dev/null 2>"$T/$label-native.err")
	check_eq "$label, native: output" "rounds $rounds bad 0" "$out"
	out=$(timed FORKSAFE_FORK=$mode FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/$label.log" "$@" \
		</dev/null 2>"$T/$label.err")
	check_eq "$label, FORKSAFE_FORK=$mode: exit status" 0 "$?"
	check_eq "$label, FORKSAFE_FORK=$mode: output" "rounds $rounds bad 0" "$out"
	[ -s "$T/$label.err" ] && tail -5 "$T/$label.err"
	ran=1
}

case ${FS_SANITIZE:-} in
*address*) node_ok="node cannot load a module built with AddressSanitizer (it crashes so natively)" ;;
*) command -v node >/dev/null 2>&1 && node_ok= || node_ok="node is not installed" ;;
esac
if [ -z "$node_ok" ]; then
	run node auto node "$T/spawn.js" "$rounds"
	check_eq "node, auto: uv_spawn's site redirected" spawn \
		"$(events auto "$T/node.log" | grep 'uv_spawn' | field decision)"
	check "node, auto: forks were redirected" \
		test "$(count_events spawn "$T/node.log")" -ge $((rounds - 3))
	run node-spawn spawn node "$T/spawn.js" "$rounds"
	check_eq "node, spawn: environ assignment said once" 1 \
		"$(events spawn-unsafe "$T/node-spawn.log" | grep -c 'call="environ assignment"')"
	check "node, spawn: forks were redirected after the first" \
		test "$(count_events spawn "$T/node-spawn.log")" -ge $((rounds - 3))
else
	note "$node_ok: its cases are not run"
fi

if [ -x "$py" ]; then
	for what in fork preexec pty; do
		for mode in auto spawn; do
			run "python-$what-$mode" $mode "$py" "$T/fork.py" "$what" "$rounds"
			check_eq "python $what, $mode: the site is never redirected" 0 \
				"$(count_events spawn "$T/python-$what-$mode.log")"
			check "python $what, $mode: vetoed for its memory writes" \
				grep -q 'auto: decision=fork reason="a child wrote memory before exec.*mode='$mode \
				"$T/python-$what-$mode.log"
		done
	done
else
	note "$py is not installed: the CPython cases are not run"
fi
[ "$ran" -eq 1 ] || skip "neither node nor $py is installed"
finish

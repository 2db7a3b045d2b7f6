#!/bin/bash
# vfork children write their own fds, never their parent's fd table
# (issue 13 item 3).  vforktable.c calls each fd call a child prepares
# its fds with in a vfork child and checks that a forced fd the parent
# later names to a program still reaches it.  CPython's subprocess
# vforks and runs close_range(3, ...) in the child (close_fds=True):
# later spawns must still hand over the fds they name.
. "$FS_SRCDIR/tests/spawn/lib.sh"
prog=$(spawnprog vforktable)

timed "$prog" >"$T/out" 2>"$T/err"
check_eq "vforktable: every check passes (exit status)" 0 "$?"
check "vforktable: no check failed" test "$(grep -c '^FAIL' "$T/err")" -eq 0 ||
	grep '^FAIL' "$T/err"

timed FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" >"$T/diag.out" 2>"$T/diag.err"
check_eq "vforktable, diagnostic mode: every check passes" 0 "$?"

native "$prog" >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the checks pass too" 0 "$?"

py=/usr/bin/python3.11
if [ -x "$py" ]; then
	cat >"$T/sub.py" <<'PY'
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
fds = (ctypes.c_int * 2)()
assert libc.pipe(fds) == 0          # no O_CLOEXEC: forksafe forces it
r, w = fds[0], fds[1]
subprocess.run(["/bin/true"], check=True)   # vfork + close_range(3, ...)
subprocess.run(["/bin/sh", "-c", 'echo named >"$1"', "sh", "/dev/fd/%d" % w],
               close_fds=False, check=True)
subprocess.run(["/bin/sh", "-c", "echo passed >&%d" % w], pass_fds=[w], check=True)
os.close(w)
sys.stdout.write(os.read(r, 100).decode())
PY
	out=$(timed "$py" "$T/sub.py" 2>"$T/py.err")
	check_eq "python subprocess after a vfork child's close_range: exit status" 0 "$?"
	check_eq "python subprocess: both programs got the fd" "named
passed" "$out"
	[ -s "$T/py.err" ] && cat "$T/py.err"
else
	note "$py is not installed: the CPython case is not run"
fi
finish

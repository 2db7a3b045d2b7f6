#!/bin/bash
# Python 3 behaves exactly as without forksafe when it hands fds to its
# children: subprocess pass_fds and close_fds=False, os.set_inheritable,
# os.fork + os.execv, os.posix_spawn, Popen pipes, multiprocessing with
# the fork, spawn and forkserver start methods, and an fd a C library
# opens in a forked child before exec.  It also checks that the module is
# at work in the interpreter: an fd opened through libc's open() with no
# flag is close-on-exec under forksafe and not without it.
. "$FS_SRCDIR/tests/compat/lib.sh"
need "${PYTHON3:-python3}"
PY=$("${PYTHON3:-python3}" -c 'import sys; print(sys.executable)') || exit 99
export PY
assert_shim_loaded
assert_shim_loaded "$PY" -c 'print(open("/proc/self/maps").read())'

printf 'line1\nline2\n' >"$T/in"
export IN=$T/in

# The module is at work in python: libc's open() with no O_CLOEXEC.
forced='import ctypes, fcntl, os
fd = ctypes.CDLL(None).open(os.environ["IN"].encode(), os.O_RDONLY)
print(bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC))'
check_eq "python's libc open() is not forced without forksafe" False "$("$PY" -c "$forced")"
check_eq "python's libc open() is forced close-on-exec under forksafe" True \
	"$(LD_PRELOAD=$FORKSAFE_SO "$PY" -c "$forced")"

run_case "subprocess.run pass_fds: an os.pipe end read via /proc/self/fd/N" "piped" <<'EOF'
cat >t.py <<'PY'
import os, subprocess
r, w = os.pipe()
os.write(w, b"piped\n"); os.close(w)
subprocess.run(["cat", "/proc/self/fd/%d" % r], pass_fds=(r,), check=True)
PY
"$PY" t.py
EOF
run_case "subprocess.run pass_fds: os.open fds known by argv, env or nothing" "line1
line1
line1
3 4 5" <<'EOF'
cat >t.py <<'PY'
import os, subprocess, sys
a = os.open(os.environ["IN"], os.O_RDONLY)
b = os.open(os.environ["IN"], os.O_RDONLY)
c = os.open(os.environ["IN"], os.O_RDONLY)
code = "import os, sys; print(os.read(int(sys.argv[1]), 5).decode())"
subprocess.run([sys.executable, "-c", code, str(a)], pass_fds=(a,), check=True)
subprocess.run(["sh", "-c", 'head -1 <&$WHICH'], pass_fds=(b,), check=True,
               env=dict(os.environ, WHICH=str(b)))
subprocess.run(["sh", "-c", 'head -1 <&5'], pass_fds=(c,), check=True)
subprocess.run(["openfds"], pass_fds=(a, b, c), check=True)
PY
"$PY" t.py
EOF
run_case "pass_fds: a socketpair end" "sock" <<'EOF'
cat >t.py <<'PY'
import os, socket, subprocess
a, b = socket.socketpair()
b.sendall(b"sock\n"); b.close()
subprocess.run(["sh", "-c", 'head -1 <&$WHICH'], pass_fds=(a.fileno(),),
               env=dict(os.environ, WHICH=str(a.fileno())), check=True)
PY
"$PY" t.py
EOF
run_case "os.set_inheritable + os.fork + os.execv" "line1
3
child status 0" <<'EOF'
cat >t.py <<'PY'
import os
fd = os.open(os.environ["IN"], os.O_RDONLY)
os.set_inheritable(fd, True)
pid = os.fork()
if pid == 0:
    os.environ["WHICH"] = str(fd)
    os.execv("/bin/sh", ["sh", "-c", 'head -1 <&$WHICH; openfds'])
_, st = os.waitpid(pid, 0)
print("child status", os.waitstatus_to_exitcode(st))
PY
"$PY" t.py
EOF
run_case "os.fork, the child makes an fd inheritable, os.execv" "line1
3" <<'EOF'
cat >t.py <<'PY'
import os
fd = os.open(os.environ["IN"], os.O_RDONLY)
pid = os.fork()
if pid == 0:
    os.set_inheritable(fd, True)
    os.environ["WHICH"] = str(fd)
    os.execv("/bin/sh", ["sh", "-c", 'head -1 <&$WHICH; openfds'])
os.waitpid(pid, 0)
PY
"$PY" t.py
EOF
run_case "subprocess.run close_fds=False: inheritable fds pass, others do not" "line1
3
3" <<'EOF'
cat >t.py <<'PY'
import os, subprocess
keep = os.open(os.environ["IN"], os.O_RDONLY)
private = os.open(os.environ["IN"], os.O_RDONLY)
os.set_inheritable(keep, True)
env = dict(os.environ, WHICH=str(keep))
subprocess.run(["sh", "-c", 'head -1 <&$WHICH'], close_fds=False, env=env, check=True)
subprocess.run(["openfds"], close_fds=False, check=True)
# The private fd's number in the child's argv does not make it inheritable.
subprocess.run(["openfds", str(private), "/dev/fd/%d" % private], close_fds=False, check=True)
PY
"$PY" t.py
EOF
run_case "an fd libc opens in preexec_fn, after fork and before exec, passes" "line1
only that fd" <<'EOF'
cat >t.py <<'PY'
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
def opener():
    fd = libc.open(os.environ["IN"].encode(), os.O_RDONLY)
    os.environ["WHICH"] = str(fd)
subprocess.run(["sh", "-c", 'head -1 <&$WHICH; [ "$(openfds)" = "$WHICH" ] && echo only that fd'],
               preexec_fn=opener,
               close_fds=False, check=True)
PY
"$PY" t.py
EOF
run_case "os.posix_spawn with file actions and an inheritable fd" "line1
line2
3 5" <<'EOF'
cat >t.py <<'PY'
import os
fd = os.open(os.environ["IN"], os.O_RDONLY)
os.set_inheritable(fd, True)
os.read(fd, 6)
acts = [(os.POSIX_SPAWN_OPEN, 5, os.environ["IN"], os.O_RDONLY, 0)]
pid = os.posix_spawn("/bin/sh", ["sh", "-c", "head -1 <&5; head -1 <&3; openfds"],
                     os.environ, file_actions=acts)
os.waitpid(pid, 0)
PY
"$PY" t.py
EOF
run_case "subprocess.Popen pipes: communicate and a two-process pipeline" "HELLO
err:oops
status 3
2" <<'EOF'
cat >t.py <<'PY'
import subprocess
p = subprocess.Popen(["sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
out, err = p.communicate(b"hello\n")
print(out.decode(), end="")
print("err:" + err.decode(), end="")
print("status", p.returncode)
p1 = subprocess.Popen(["printf", "a\\nb\\n"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["wc", "-l"], stdin=p1.stdout, stdout=subprocess.PIPE)
p1.stdout.close()
print(p2.communicate()[0].decode().strip())
p1.wait()
PY
"$PY" t.py
EOF
run_case "os.system and os.popen" "sys
pop
status 256" <<'EOF'
cat >t.py <<'PY'
import os
os.system("echo sys")
print(os.popen("echo pop").read(), end="")
print("status", os.system("exit 1"))
PY
"$PY" t.py
EOF
run_case "multiprocessing Pool(2).map with fork, spawn and forkserver" "fork [0, 1, 4, 9, 16, 25, 36, 49]
spawn [0, 1, 4, 9, 16, 25, 36, 49]
forkserver [0, 1, 4, 9, 16, 25, 36, 49]" <<'EOF'
cat >t.py <<'PY'
import multiprocessing as mp

def square(x):
    return x * x

if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        with mp.get_context(method).Pool(2) as pool:
            print(method, pool.map(square, range(8)))
PY
"$PY" t.py
EOF
run_case "multiprocessing Process with a Pipe and a Queue (fork)" "ping
42" <<'EOF'
cat >t.py <<'PY'
import multiprocessing as mp

def child(conn, q):
    conn.send(conn.recv())
    q.put(42)

if __name__ == "__main__":
    ctx = mp.get_context("fork")
    a, b = ctx.Pipe()
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(b, q))
    p.start()
    a.send("ping")
    print(a.recv())
    print(q.get())
    p.join()
PY
"$PY" t.py
EOF
run_case "a pty from os.openpty given to a child as its stdin" "tty" <<'EOF'
cat >t.py <<'PY'
import os, subprocess
master, slave = os.openpty()
subprocess.run(["sh", "-c", "test -t 0 && echo tty || echo notty"], stdin=slave)
PY
"$PY" t.py
EOF
finish

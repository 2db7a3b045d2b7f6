#!/bin/bash
# python3: subprocess with pass_fds, os.set_inheritable + fork/exec,
# Popen with pipes, close_fds=False, multiprocessing with fork.
. "$FS_SRCDIR/tests/realprog/lib.sh"
py=${PYTHON3:-python3}
need "$py"
cat >"$tmp/t.py" <<'PY'
import os, subprocess, sys
fd = os.open("/etc/passwd", os.O_RDONLY)
r = subprocess.run(["sh", "-c", f"test -r /proc/self/fd/{fd} && echo passed"], pass_fds=(fd,),
                   capture_output=True, text=True)
print(r.stdout.strip())
r = subprocess.run(["sh", "-c", f"test -r /proc/self/fd/{fd} || echo not-passed"],
                   capture_output=True, text=True)
print(r.stdout.strip())
rd, wr = os.pipe()
os.set_inheritable(wr, True)
pid = os.fork()
if pid == 0:
    os.execv("/bin/sh", ["sh", "-c", f"echo inherited >&{wr}"])
os.close(wr)
os.waitpid(pid, 0)
print(os.read(rd, 100).decode().strip())
p = subprocess.Popen(["tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print(p.communicate(b"popen")[0].decode())
fd2 = os.open("/etc/passwd", os.O_RDONLY)
os.set_inheritable(fd2, True)
r = subprocess.run(["sh", "-c", f"test -r /proc/self/fd/{fd2} && echo kept"], close_fds=False,
                   capture_output=True, text=True)
print(r.stdout.strip())
from multiprocessing import get_context
with get_context("fork").Pool(2) as pool:
    print(sum(pool.map(abs, [-1, -2, -3])))
PY
same "python3 subprocess, fork/exec, multiprocessing" "passed
not-passed
inherited
POPEN
kept
6" "$py $tmp/t.py"
finish

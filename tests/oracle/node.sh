#!/bin/bash
# node's child_process: spawn with piped stdio, an extra pipe as the
# child's fd 3 (and no other fd), exec, execFile, execSync, fork with an
# IPC channel, and 100 spawns ten at a time (child.js).  libuv starts its
# children by fork (or vfork) and exec from a threaded process.  Each
# mode must print what the native run prints, which is checked against
# the expected text.
. "$FS_SRCDIR/tests/oracle/lib.sh"
need node "nodejs"
unset NODE_OPTIONS NODE_CHANNEL_FD

want='spawn stdout=HELLO FROM NODE stderr=to-stderr status=3
stdio fd3 back=got ping fds: 0 1 2 3 status=0
exec stdout=exec-out stderr=exec-err status=2
execFile stdout=a-b status=0
execSync stdout=sync
fork ipc reply={"echo":{"n":42},"fdsOk":true} status=0
spawn x100: 100 answered'

native_expected child "$want" node "$FS_SRCDIR/tests/oracle/child.js"
for mode in default diag auto spawn; do
	run_prog child "$mode" node "$FS_SRCDIR/tests/oracle/child.js"
	like_native child "$mode"
done
finish

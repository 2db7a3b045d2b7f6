#!/bin/bash
# python's multiprocessing with each start method, fork, forkserver and
# spawn (mp.py): pools (one replacing its workers every five tasks, which
# under fork are forked from the pool's handler thread), a Queue fed by
# three processes, a Manager's dict and list (the manager process serves
# them from threads of its own).  Natively, then with forksafe preloaded
# in the default mode, the diagnostic mode (a log file; its child-lock
# check on) and under FORKSAFE_FORK=auto and spawn; each must print what the
# native run prints, which is checked against the expected text.
. "$FS_SRCDIR/tests/oracle/lib.sh"
need "${PYTHON3:-python3}"
PY=$(command -v "${PYTHON3:-python3}")
unset PYTHONSTARTUP PYTHONWARNINGS

for method in fork forkserver spawn; do
	want="$method Pool.map 332833500
$method Pool.imap_unordered 50 40425
$method Pool maxtasksperchild=5 328350
$method Queue 300 314850 [0, 0, 0]
$method Manager [(0, 0), (1, 1), (2, 4), (3, 9), (4, 16), (5, 25), (6, 36), (7, 49)] [0, 1, 2, 3, 4, 5, 6, 7] [0, 0, 0, 0, 0, 0, 0, 0]"
	(cd "$T" && run_prog "$method" native "$PY" "$FS_SRCDIR/tests/oracle/mp.py" "$method")
	check_eq "native: multiprocessing, $method" \
		"$want (status 0)" "$(cat "$T/$method.native.out") (status $(cat "$T/$method.native.status"))"
	for mode in default diag auto spawn; do
		(cd "$T" && run_prog "$method" "$mode" "$PY" "$FS_SRCDIR/tests/oracle/mp.py" "$method")
		like_native "$method" "$mode"
	done
done
finish

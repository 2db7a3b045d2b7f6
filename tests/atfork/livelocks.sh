#!/bin/bash
# The lock check of FORKSAFE_CHILD_LOCKS judges an owner dead only when
# it is no live thread of the child (issue 13 item 7): a child of a
# multi-threaded fork that starts threads of its own and contends on
# locks is neither aborted (abort) nor has a held lock reset under it
# (break), nor reported (livelocks.c).  CPython's multiprocessing
# manager, a forked child serving with threads of its own, works under
# both settings.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(atforkprog livelocks)

for mode in abort break; do
	timeout -k 5 120 env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_CHILD_LOCKS=$mode \
		FORKSAFE_LOG="$T/$mode.log" "$prog" >"$T/$mode.out" 2>"$T/$mode.err"
	check_eq "CHILD_LOCKS=$mode: the child's checks pass (exit status)" 0 "$?"
	grep '^FAIL' "$T/$mode.err"
	check_eq "CHILD_LOCKS=$mode: no child-deadlock report" 0 \
		"$(cat "$T/$mode.log" "$T/$mode.err" 2>/dev/null | count_events child-deadlock)" ||
		cat "$T/$mode.log" "$T/$mode.err" 2>/dev/null | grep 'child-deadlock' | head -5 >&2
done
timeout -k 5 120 "$prog" >"$T/native.out" 2>"$T/native.err"
check_eq "control: without forksafe the checks pass" 0 "$?"

py=/usr/bin/python3.11
if [ -x "$py" ]; then
	cat >"$T/mgr.py" <<'PY'
import multiprocessing as mp, threading
mp.set_start_method("fork")
stop = threading.Event()
idle = threading.Thread(target=stop.wait)
idle.start()            # the manager is forked from a threaded process
try:
    with mp.Manager() as m:
        d = m.dict()
        def work(i):
            for j in range(50):
                d[(i, j)] = j
        ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in ts: t.start()
        for t in ts: t.join()
        print(len(d))
finally:
    stop.set()
    idle.join()
PY
	for mode in abort break; do
		for round in 1 2 3; do
			out=$(timeout -k 5 120 env LD_PRELOAD="$FORKSAFE_SO" \
				FORKSAFE_CHILD_LOCKS=$mode FORKSAFE_LOG="$T/py-$mode.log" \
				"$py" "$T/mgr.py" 2>"$T/py-$mode.err")
			check_eq "python manager, CHILD_LOCKS=$mode, round $round: exit status" 0 "$?"
			check_eq "python manager, CHILD_LOCKS=$mode, round $round: output" 200 "$out"
		done
		check_eq "python manager, CHILD_LOCKS=$mode: no child-deadlock report" 0 \
			"$(cat "$T/py-$mode.log" "$T/py-$mode.err" 2>/dev/null |
				count_events child-deadlock)" ||
			cat "$T/py-$mode.log" "$T/py-$mode.err" 2>/dev/null |
				grep 'child-deadlock' | head -5 >&2
	done
else
	note "$py is not installed: the CPython case is not run"
fi
finish

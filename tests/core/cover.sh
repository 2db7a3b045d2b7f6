#!/bin/bash
# Every fd-creating entry point returns a close-on-exec fd under forksafe
# (unchanged when the caller asked for it), and an inheritable one
# without it, with FORKSAFE_CLOEXEC=off and with audit.
set -u
b=$FS_BUILDDIR/tests/core/cover
fails=0
run() { # name expect env...
	local name=$1 expect=$2; shift 2
	if out=$(env "$@" "$b" "$expect" 2>&1); then
		echo "ok: $name ($(grep -c cloexec= <<<"$out") calls)"
	else
		echo "FAIL: $name"; grep -E 'WRONG|wrong' <<<"$out"; fails=$((fails + 1))
	fi
}
run "without forksafe nothing is forced" native
run "under forksafe every new fd is close-on-exec" forced LD_PRELOAD=$FORKSAFE_SO
run "FORKSAFE_CLOEXEC=off leaves fds alone" native LD_PRELOAD=$FORKSAFE_SO FORKSAFE_CLOEXEC=off
run "FORKSAFE_CLOEXEC=audit leaves fds alone" native LD_PRELOAD=$FORKSAFE_SO FORKSAFE_CLOEXEC=audit
run "forcing also works with diagnostic mode on" forced LD_PRELOAD=$FORKSAFE_SO FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/null
exit $fails

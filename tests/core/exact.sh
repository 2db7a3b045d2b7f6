#!/bin/bash
# Return values, errno and status flags of a corpus of fd calls (success
# and error paths, EMFILE included) are the same with and without
# forksafe, and errno is never touched by a successful call.
set -u
b=$FS_BUILDDIR/tests/core/exact
native=$("$b") || { echo "FAIL: exact exited $? without forksafe"; exit 1; }
shim=$(LD_PRELOAD=$FORKSAFE_SO "$b") || { echo "FAIL: exact exited $? under forksafe"; echo "$shim"; exit 1; }
if [ "$native" != "$shim" ]; then
	echo "FAIL: results differ"
	diff <(echo "$native") <(echo "$shim")
	exit 1
fi
echo "ok: $(wc -l <<<"$native") calls identical"

#!/bin/bash
# The demo shows what the README says: leaks without forksafe, none with it.
set -u
demo=$FS_BUILDDIR/tools/fsdemo
plain=$("$demo") || { echo "FAIL: demo exited $?"; exit 1; }
shim=$(LD_PRELOAD=$FORKSAFE_SO "$demo") || { echo "FAIL: demo under forksafe exited $?"; exit 1; }
launched=$("$FORKSAFE_BIN" -- "$demo") || { echo "FAIL: demo under the launcher exited $?"; exit 1; }
echo "without: $plain"; echo "with: $shim"; echo "launcher: $launched"
grep -q "inherited [0-9]* stray" <<<"$plain" || { echo "FAIL: no leak shown without forksafe"; exit 1; }
grep -q "inherited no stray" <<<"$shim" || { echo "FAIL: leaks under forksafe"; exit 1; }
grep -q "inherited no stray" <<<"$launched" || { echo "FAIL: leaks under the launcher"; exit 1; }
echo "ok"

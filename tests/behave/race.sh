#!/bin/bash
# The race close-on-exec must win (tests/behave/fdrace.c): threads make
# fds through many entry points without asking for close-on-exec while
# the main thread starts 150 children by fork+execve, posix_spawn and
# vfork+execve; each child (fdcount) exits with the number of fds it
# inherited beyond 0-2.  Asserts:
#  - without forksafe the children inherit fds (the test sees the race);
#  - under forksafe no child inherits any fd (leaked=0), and every child
#    ran (fdrace exits 0).
set -u
race=$FS_BUILDDIR/tests/behave/fdrace
count=$FS_BUILDDIR/tests/behave/fdcount
fails=0

leaked() {
	sed -n 's/.*leaked=\([0-9]*\).*/\1/p' <<<"$1"
}

native=$("$race" "$count" 150)
st=$?
echo "without forksafe: $native"
if [ $st -ne 0 ] || [ -z "$(leaked "$native")" ]; then
	echo "FAIL: fdrace without forksafe exited $st"
	fails=$((fails + 1))
elif [ "$(leaked "$native")" -eq 0 ]; then
	echo "FAIL: no fd leaked without forksafe: the test cannot see the race"
	fails=$((fails + 1))
fi

shim=$(LD_PRELOAD=$FORKSAFE_SO "$race" "$count" 150 -v)
st=$?
echo "under forksafe:   $shim"
if [ $st -ne 0 ] || [ -z "$(leaked "$shim")" ]; then
	echo "FAIL: fdrace under forksafe exited $st"
	fails=$((fails + 1))
elif [ "$(leaked "$shim")" -ne 0 ]; then
	echo "FAIL: children inherited $(leaked "$shim") fds under forksafe (named above)"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ] && echo "ok: no leak under forksafe"
[ $fails -eq 0 ]

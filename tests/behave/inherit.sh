#!/bin/bash
# Rule 6, deliberate inheritance at exec.  execref (tests/behave/execref.c)
# makes fds with plain calls, so forksafe forces them all, then runs a
# command told about some of them, by execvp, posix_spawnp, fork+execvp,
# system and popen; fdprobe reports which fds the command got.  Asserts,
# for each way of running it:
#  - an fd named as /dev/fd/N, /proc/self/fd/N, a bare N, --fd=N, fd:N,
#    --fds=R,W, --jobserver-auth=R,W, in LISTEN_FDS, in MAKEFLAGS
#    (--jobserver-auth=R,W), in a variable whose name contains FD, or by
#    a redirection <&N / >&N inside a sh -c string, reaches the command,
#    and no other fd does (fdprobe -x exits 0);
#  - an fd never named does not reach it (fdprobe x%d: exits 1);
#  - `cat <&N` under sh -c prints the file's contents, as without
#    forksafe;
#  - without forksafe the unnamed fds do reach the command (exit 2, or 0
#    for the never-named one): the control that shows each case can fail.
set -u
bin=$FS_BUILDDIR/tests/behave
export PATH=$bin:$PATH
unset MAKEFLAGS MFLAGS LISTEN_FDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$tmp/data
echo "inherit-data-$$" >"$data"
fails=0 passes=0

# check NAME WANT-SHIM WANT-NATIVE VIA [execref options] -- COMMAND...
check() {
	local name=$1 want_shim=$2 want_native=$3 via=$4 opts=()
	shift 4
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	execref -i "$data" -m "$via" "${opts[@]}" -- "$@" >"$tmp/out.native" 2>"$tmp/err.native"
	local native=$?
	LD_PRELOAD=$FORKSAFE_SO execref -i "$data" -m "$via" "${opts[@]}" -- "$@" \
		>"$tmp/out.shim" 2>"$tmp/err.shim"
	local shim=$?
	local what="$via: $name"
	if [ $native -ne "$want_native" ]; then
		echo "FAIL (control without forksafe): $what: exit $native, expected $want_native"
		sed 's/^/    /' "$tmp/err.native"
		fails=$((fails + 1))
	elif [ $shim -ne "$want_shim" ]; then
		echo "FAIL: $what: exit $shim under forksafe, expected $want_shim"
		sed 's/^/    /' "$tmp/err.shim"
		fails=$((fails + 1))
	elif ! cmp -s "$tmp/out.native" "$tmp/out.shim"; then
		echo "FAIL: $what: output differs from the native run"
		diff "$tmp/out.native" "$tmp/out.shim" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		passes=$((passes + 1))
	fi
}

# A shell command: given to sh -c by the exec-style ways, as it is to
# system and popen (which run sh -c themselves).
shell() {
	local name=$1 want_shim=$2 want_native=$3 via=$4 cmd=$5
	case $via in
	system|popen) check "$name" "$want_shim" "$want_native" "$via" -- "$cmd" ;;
	*) check "$name" "$want_shim" "$want_native" "$via" -- sh -c "$cmd" ;;
	esac
}

for via in execvp spawn fork system popen; do
	check "/dev/fd/N" 0 2 $via -- fdprobe -x /dev/fd/%d
	check "/proc/self/fd/N" 0 2 $via -- fdprobe -x /proc/self/fd/%d
	check "bare N" 0 2 $via -- fdprobe -x %d
	check "bare N above 3 (fd 9)" 0 2 $via -f 9 -- fdprobe -x %d
	check "--fd=N" 0 2 $via -- fdprobe -x --fd=%d
	check "fd:N" 0 2 $via -- fdprobe -x fd:%d
	check "--fds=R,W" 0 2 $via -- fdprobe -x --fds=%r,%w
	check "--jobserver-auth=R,W argument" 0 2 $via -- fdprobe -x --jobserver-auth=%r,%w
	check "LISTEN_FDS=1" 0 2 $via -e LISTEN_FDS=1 -- fdprobe -x -E LISTEN_FDS
	check "MAKEFLAGS jobserver" 0 2 $via -e "MAKEFLAGS= -j2 --jobserver-auth=%r,%w" \
		-- fdprobe -x -E MAKEFLAGS
	check "MY_FD=N in the environment" 0 2 $via -e MY_FD=%d -- fdprobe -x -E MY_FD
	check "nothing named: nothing inherited" 0 2 $via -- fdprobe -x
	check "an unnamed fd does not reach" 1 0 $via -- fdprobe x%d
	check "only the named one of two fds on a file" 1 0 $via -- fdprobe /dev/fd/%d x%u
	shell "sh -c 'cat <&N'" 0 0 $via 'cat <&%d'
	if ! grep -q "inherit-data-$$" "$tmp/out.shim"; then
		echo "FAIL: $via: sh -c 'cat <&N' did not print the file under forksafe"
		fails=$((fails + 1))
	fi
	shell "sh -c '... <&N'" 0 2 $via 'exec fdprobe -x x%d <&%d'
	shell "sh -c '... >&N'" 0 2 $via 'exec fdprobe -x x%w >&%w'
done

echo "$passes cases passed, $fails failed"
[ $fails -eq 0 ]

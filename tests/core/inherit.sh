#!/bin/bash
# Rule 6, deliberate inheritance at exec.  execref (tests/core/execref.c)
# makes fds with plain calls, so forksafe forces them all, then runs a
# command told about some of them, by execvp, posix_spawnp, fork+execvp,
# system and popen; fdprobe (tests/core/fdprobe.c) reports which fds the
# command got.  Asserts, for each way of running it:
#  - an fd named as /dev/fd/N, /proc/self/fd/N, a bare N (alone, above 3,
#    or after an option: --status-fd N), --fd=N, fd:N, --fds=R,W, in a
#    list with a number that is no fd (1000,N), --jobserver-auth=R,W, in
#    LISTEN_FDS, in MAKEFLAGS (--jobserver-auth=R,W, and N,1000), in a
#    variable whose name contains FD, as an argument <&N, or by a
#    redirection <&N / >&N inside a sh -c string, reaches the command,
#    and no other fd does (fdprobe -x exits 0);
#  - an fd never named does not reach it (fdprobe x%d: exits 1), nor one
#    whose number is in a variable that names no fd (COLUMNS=N);
#  - `cat <&N` under sh -c prints the file's contents, as without
#    forksafe;
#  - the command's output is the same as without forksafe;
#  - without forksafe the unnamed fds do reach the command (exit 2, or 0
#    for the never-named one): the control that shows each case can fail.
. "$FS_SRCDIR/tests/lib.sh"
bin=$FS_BUILDDIR/tests/core
export PATH=$bin:$PATH
data=$T/data
echo "inherit-data-$$" >"$data"

# check NAME WANT-SHIM WANT-NATIVE VIA [execref options] -- COMMAND...
check_case() {
	local name=$1 want_shim=$2 want_native=$3 via=$4 opts=() native st
	shift 4
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	execref -i "$data" -m "$via" "${opts[@]}" -- "$@" >"$T/out.native" 2>"$T/err.native"
	native=$?
	shim execref -i "$data" -m "$via" "${opts[@]}" -- "$@" >"$T/out.shim" 2>"$T/err.shim"
	st=$?
	local what="$via: $name"
	if [ $native -ne "$want_native" ]; then
		fail "$what: without forksafe (the control) exit $native, expected $want_native"
		sed 's/^/    /' "$T/err.native" >&2
	elif [ $st -ne "$want_shim" ]; then
		fail "$what: exit $st under forksafe, expected $want_shim"
		sed 's/^/    /' "$T/err.shim" >&2
	elif ! cmp -s "$T/out.native" "$T/out.shim"; then
		fail "$what: output differs from the native run"
		diff "$T/out.native" "$T/out.shim" | sed 's/^/    /' >&2
	else
		pass "$what"
	fi
}

# A shell command: given to sh -c by the exec-style ways, as it is to
# system and popen (which run sh -c themselves).
shell() {
	local name=$1 want_shim=$2 want_native=$3 via=$4 cmd=$5
	case $via in
	system|popen) check_case "$name" "$want_shim" "$want_native" "$via" -- "$cmd" ;;
	*) check_case "$name" "$want_shim" "$want_native" "$via" -- sh -c "$cmd" ;;
	esac
}

for via in execvp spawn fork system popen; do
	check_case "/dev/fd/N" 0 2 $via -- fdprobe -x /dev/fd/%d
	check_case "/proc/self/fd/N" 0 2 $via -- fdprobe -x /proc/self/fd/%d
	check_case "bare N" 0 2 $via -- fdprobe -x %d
	check_case "bare N above 3 (fd 9)" 0 2 $via -f 9 -- fdprobe -x %d
	check_case "bare N after an option (--status-fd N)" 0 2 $via -- fdprobe -x --status-fd %d
	check_case "--fd=N" 0 2 $via -- fdprobe -x --fd=%d
	check_case "fd:N" 0 2 $via -- fdprobe -x fd:%d
	check_case "--fds=R,W" 0 2 $via -- fdprobe -x --fds=%r,%w
	check_case "1000,N: a list with a number that is no fd" 0 2 $via -- fdprobe -x x%d -i 1000,%d
	check_case "--jobserver-auth=R,W argument" 0 2 $via -- fdprobe -x --jobserver-auth=%r,%w
	check_case "LISTEN_FDS=1" 0 2 $via -e LISTEN_FDS=1 -- fdprobe -x -E LISTEN_FDS
	check_case "MAKEFLAGS jobserver" 0 2 $via -e "MAKEFLAGS= -j2 --jobserver-auth=%r,%w" \
		-- fdprobe -x -E MAKEFLAGS
	check_case "MAKEFLAGS --jobserver-auth=N,1000" 0 2 $via \
		-e "MAKEFLAGS=-j2 --jobserver-auth=%d,1000" -- fdprobe -x x%d
	check_case "MY_FD=N in the environment" 0 2 $via -e MY_FD=%d -- fdprobe -x -E MY_FD
	check_case "COLUMNS=N names no fd" 0 2 $via -e COLUMNS=%d -- fdprobe -x
	check_case "nothing named: nothing inherited" 0 2 $via -- fdprobe -x
	check_case "an unnamed fd does not reach" 1 0 $via -- fdprobe x%d
	check_case "only the named one of two fds on a file" 1 0 $via -- fdprobe /dev/fd/%d x%u
	case $via in
	system|popen) ;;	# the shell reads <&N as a redirection: below
	*) check_case "<&N as an argument" 0 2 $via -- fdprobe -x "<&%d" ;;
	esac
	shell "sh -c 'cat <&N'" 0 0 $via 'cat <&%d'
	check "$via: sh -c 'cat <&N' printed the file under forksafe" \
		grep -q "inherit-data-$$" "$T/out.shim"
	shell "sh -c '... <&N'" 0 2 $via 'exec fdprobe -x x%d <&%d'
	shell "sh -c '... >&N'" 0 2 $via 'exec fdprobe -x x%w >&%w'
done
finish

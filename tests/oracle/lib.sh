# tests/oracle/lib.sh: sourced by the drivers in tests/oracle, on top of
# tests/lib.sh (assertions, finish, need, $T, at_exit, wait_for).
#
# An oracle runs another project's own tests, or a real program doing
# what it is built for, natively and then with the module preloaded in
# each of the modes the driver names, and holds every preloaded run to
# the native one: nothing that works natively may fail, hang or change
# its output under forksafe.  The native run is also the control that
# shows the check can pass on this machine: when it fails, the driver
# fails (the machine, not forksafe, is then what needs looking at).
#
#   mode_env MODE        sets the array menv to the environment of MODE:
#                        native (no module), default (preloaded, no
#                        setting), diag (FORKSAFE_DIAG=1, reports to the
#                        file $T/MODE.log: a runner that reads its
#                        workers' stderr must not see them), auto
#                        (FORKSAFE_FORK=auto), spawn (FORKSAFE_FORK=spawn)
#   in_mode MODE CMD...  CMD in MODE's environment
#   free_port            prints a loopback TCP port nothing listens on
#                        (the kernel's pick for a bind to port 0); a
#                        server may still lose it to another program
#                        before it binds, so drivers retry
#   port_answers PORT    succeeds when something accepts on 127.0.0.1:PORT
#   pid_alive PID        succeeds while PID exists (and is no zombie)
#   show_tail FILE       the last lines of FILE, indented, on stderr
#   run_prog NAME MODE CMD...
#                        CMD in MODE (stdin /dev/null, ended after 300 s
#                        if it hangs); leaves $T/NAME.MODE.out, .err and
#                        .status
#   native_expected NAME WANT CMD...
#                        the native run of CMD (run_prog NAME native),
#                        which must print WANT and end with status 0
#   native_as WANT NAME WHAT [LOG...]
#                        passes (WHAT) when the native run of NAME left
#                        exactly WANT in $T/NAME.native.out; else fails
#                        and shows that output, its stderr and each LOG
#   like_native NAME MODE
#                        passes when MODE's run of NAME printed exactly
#                        what the native run did, on stdout and stderr,
#                        and ended with the same status; else fails,
#                        showing both
#
# FORKSAFE_TEST_ORACLE=0 skips every oracle (make distcheck in CI, after
# the main make check ran them; the sanitizer builds).

. "$FS_SRCDIR/tests/lib.sh"
export LC_ALL=C TZ=UTC

[ "${FORKSAFE_TEST_ORACLE:-1}" != 0 ] ||
	skip "FORKSAFE_TEST_ORACLE=0: the oracles are not run here"
if [ ! -f "${FORKSAFE_SO:-}" ]; then
	echo "FAIL: FORKSAFE_SO ('${FORKSAFE_SO:-}') is not a built module"
	exit 99
fi

mode_env() {
	menv=()
	case $1 in
	native) ;;
	default) menv=("LD_PRELOAD=$FORKSAFE_SO") ;;
	diag) menv=("LD_PRELOAD=$FORKSAFE_SO" FORKSAFE_DIAG=1 "FORKSAFE_LOG=$T/$1.log") ;;
	auto) menv=("LD_PRELOAD=$FORKSAFE_SO" FORKSAFE_FORK=auto) ;;
	spawn) menv=("LD_PRELOAD=$FORKSAFE_SO" FORKSAFE_FORK=spawn) ;;
	*) die "mode_env: unknown mode '$1'" ;;
	esac
}

in_mode() {
	local mode=$1
	shift
	mode_env "$mode"
	env "${menv[@]}" "$@"
}

free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 30000))
}

port_answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pid_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$state" != Z ]
}

show_tail() {
	[ -s "$1" ] || return 0
	echo "  last lines of ${1##*/}:" >&2
	tail -n "${2:-25}" "$1" | sed 's/^/    /' >&2
}

run_prog() {
	local name=$1 mode=$2 status
	shift 2
	in_mode "$mode" timeout -k 10 300 "$@" </dev/null \
		>"$T/$name.$mode.out" 2>"$T/$name.$mode.err"
	status=$?
	echo "$status" >"$T/$name.$mode.status"
}

native_expected() {
	local name=$1 want=$2
	shift 2
	run_prog "$name" native "$@"
	check_eq "native: $name did its work" "$want (status 0)" \
		"$(cat "$T/$name.native.out") (status $(cat "$T/$name.native.status"))"
}

native_as() {
	local want=$1 name=$2 what=$3 log
	shift 3
	if [ "$(cat "$T/$name.native.out")" = "$want" ]; then
		pass "native: $what"
		return 0
	fi
	fail "native: $what"
	sed 's/^/    /' "$T/$name.native.out" >&2
	show_tail "$T/$name.native.err"
	for log in "$@"; do show_tail "$log"; done
	return 1
}

like_native() {
	local name=$1 mode=$2 f same=1
	for f in out err status; do
		cmp -s "$T/$name.native.$f" "$T/$name.$mode.$f" || same=0
	done
	if [ $same = 1 ]; then
		pass "$mode: $name as natively (status $(cat "$T/$name.$mode.status"))"
		return 0
	fi
	fail "$mode: $name differs from the native run"
	for f in status out err; do
		cmp -s "$T/$name.native.$f" "$T/$name.$mode.$f" && continue
		diff -u --label "native $f" --label "$mode $f" \
			"$T/$name.native.$f" "$T/$name.$mode.$f" | head -n 40 | sed 's/^/    /' >&2
	done
	[ "$mode" != diag ] || show_tail "$T/diag.log" 10
	return 1
}

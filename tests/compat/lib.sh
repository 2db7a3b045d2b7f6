# tests/compat/lib.sh: sourced by the real-program tests in tests/compat.
#
# Each case is a bash script read from stdin.  run_case runs it twice in
# the same fresh directory, once as is and once with LD_PRELOAD set to the
# module (so every program it starts loads forksafe too), and checks that
# both runs print exactly the expected stdout and stderr and exit with the
# expected status.  Checking an expected value, not only that the two runs
# agree, makes a case fail when both runs are broken.  On top of
# tests/lib.sh (assertions, finish, need, $T).

. "$FS_SRCDIR/tests/lib.sh"
export LC_ALL=C TZ=UTC

if [ ! -f "${FORKSAFE_SO:-}" ]; then
	echo "FAIL: FORKSAFE_SO ('${FORKSAFE_SO:-}') is not a built module"
	exit 99
fi

mkdir "$T/home" "$T/bin"
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1
export PATH=$T/bin:$PATH

# openfds, on PATH for the cases: prints the fds above 2 it was started
# with (all but the one ls uses to read its own fd directory) on one line,
# or "none".
cat >"$T/bin/openfds" <<'EOF'
#!/bin/sh
fds=$(ls -l /proc/self/fd |
	awk '$9 > 2 && $11 !~ /^\/proc\/[0-9]+\/fd$/ { print $9 }' | sort -n | tr '\n' ' ')
echo ${fds:-none}
EOF
chmod +x "$T/bin/openfds"

# assert_shim_loaded [COMMAND...]: COMMAND, started with the module
# preloaded, prints a maps file (its own or its parent's) that must list
# libforksafe.  Without a COMMAND: cat /proc/self/maps.
assert_shim_loaded() {
	[ $# -gt 0 ] || set -- cat /proc/self/maps
	LD_PRELOAD="$FORKSAFE_SO" "$@" 2>/dev/null | grep -q libforksafe ||
		die "libforksafe is not loaded in: $*"
	pass "libforksafe is loaded in: $*"
}

# run_one MODE SCRIPT: runs SCRIPT in a fresh $T/run, natively
# (MODE native) or with the module preloaded (MODE shim); leaves
# $T/MODE.out, MODE.err and MODE.status.
run_one() {
	local mode=$1 script=$2 dir=$T/run status
	local -a pre=()
	rm -rf "$dir" && mkdir "$dir" || exit 99
	[ "$mode" = shim ] && pre=(env "LD_PRELOAD=$FORKSAFE_SO")
	(cd "$dir" && exec timeout -k 5 60 "${pre[@]}" bash -c "$script") \
		</dev/null >"$T/$mode.out" 2>"$T/$mode.err"
	status=$?
	echo "$status" >"$T/$mode.status"
	rm -rf "$dir"
}

# show TITLE TEXT: TEXT indented under TITLE, in a failure report.
show() {
	echo "  $1:"
	[ -z "$2" ] || printf '%s\n' "$2" | sed 's/^/    /'
}

# check_run MODE NAME WANT_OUT WANT_STATUS WANT_ERR: 0 when the run of
# MODE printed and returned what was expected, else reports and returns 1.
check_run() {
	local mode=$1 name=$2 want_out=$3 want_status=$4 want_err=$5
	local out err status
	out=$(cat "$T/$mode.out")
	err=$(cat "$T/$mode.err")
	status=$(cat "$T/$mode.status")
	[ "$out" = "$want_out" ] && [ "$err" = "$want_err" ] &&
		[ "$status" = "$want_status" ] && return 0
	fail "($mode): $name"
	{
		echo "  expected status $want_status, got $status"
		show "expected stdout" "$want_out"
		show "got stdout" "$out"
		show "expected stderr" "$want_err"
		show "got stderr" "$err"
	} >&2
	return 1
}

# run_case NAME WANT_OUT [WANT_STATUS [WANT_ERR]] <<'EOF' script EOF
# WANT_STATUS defaults to 0 and WANT_ERR to nothing: a case that prints an
# unexpected message fails.  Trailing newlines are not significant in the
# expected values, but the two runs must match byte for byte.
run_case() {
	local name=$1 want_out=$2 want_status=${3:-0} want_err=${4:-} script ok=1
	local start=${EPOCHREALTIME/[^0-9]/} took
	want_out=$(printf '%s' "$want_out")	# drops trailing newlines
	want_err=$(printf '%s' "$want_err")
	script=$(cat)
	run_one native "$script"
	run_one shim "$script"
	check_run native "$name" "$want_out" "$want_status" "$want_err" || ok=0
	check_run shim "$name" "$want_out" "$want_status" "$want_err" || ok=0
	if [ $ok = 1 ]; then
		if ! cmp -s "$T/native.out" "$T/shim.out" ||
		   ! cmp -s "$T/native.err" "$T/shim.err"; then
			fail "$name: the two runs differ in their trailing output"
			ok=0
		fi
	fi
	took=$(( (${EPOCHREALTIME/[^0-9]/} - start) / 1000 ))
	[ $ok = 0 ] || pass "$name ($took ms)"
}

# tests/compat/lib.sh: sourced by the real-program tests in tests/compat.
#
# Each case is a bash script read from stdin.  run_case runs it twice in
# the same fresh directory, once as is and once with LD_PRELOAD set to the
# module (so every program it starts loads forksafe too), and checks that
# both runs print exactly the expected stdout and stderr and exit with the
# expected status.  Checking an expected value, not only that the two runs
# agree, makes a case fail when both runs are broken.

set -u
unset LD_PRELOAD MAKEFLAGS MFLAGS MAKELEVEL LISTEN_FDS LISTEN_PID
export LC_ALL=C TZ=UTC

if [ ! -f "${FORKSAFE_SO:-}" ]; then
	echo "FAIL: FORKSAFE_SO ('${FORKSAFE_SO:-}') is not a built module"
	exit 99
fi

compat_tmp=$(mktemp -d "${TMPDIR:-/tmp}/fs-compat.XXXXXX") || exit 99
trap 'rm -rf "$compat_tmp"' EXIT
compat_fails=0
compat_cases=0
mkdir "$compat_tmp/home" "$compat_tmp/bin"
export HOME=$compat_tmp/home GIT_CONFIG_NOSYSTEM=1
export PATH=$compat_tmp/bin:$PATH

# need PROGRAM: skip the whole test when PROGRAM is not installed.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "SKIP: $1 is not installed"
	exit 77
}

# Closes the fds above 2 this script inherited without close-on-exec
# (from make, the test driver, a terminal), so that what a case's children
# see is the same wherever the suite runs.
close_inherited_fds() {
	local f n key val flags
	for f in /proc/$$/fdinfo/*; do
		n=${f##*/}
		[ "$n" -gt 2 ] || continue
		flags=
		while read -r key val _; do
			[ "$key" = flags: ] && { flags=$val; break; }
		done 2>/dev/null <"$f" || continue
		[ -n "$flags" ] || continue
		(( 8#$flags & 8#2000000 )) && continue	# O_CLOEXEC: not inherited
		eval "exec $n>&-"
	done
}
close_inherited_fds

# openfds, on PATH for the cases: prints the fds above 2 it was started
# with (all but the one ls uses to read its own fd directory) on one line,
# or "none".
cat >"$compat_tmp/bin/openfds" <<'EOF'
#!/bin/sh
fds=$(ls -l /proc/self/fd |
	awk '$9 > 2 && $11 !~ /^\/proc\/[0-9]+\/fd$/ { print $9 }' | sort -n | tr '\n' ' ')
echo ${fds:-none}
EOF
chmod +x "$compat_tmp/bin/openfds"

# assert_shim_loaded [COMMAND...]: COMMAND, started with the module
# preloaded, prints a maps file (its own or its parent's) that must list
# libforksafe.  Without a COMMAND: cat /proc/self/maps.
assert_shim_loaded() {
	[ $# -gt 0 ] || set -- cat /proc/self/maps
	if ! LD_PRELOAD="$FORKSAFE_SO" "$@" 2>/dev/null | grep -q libforksafe; then
		echo "FAIL: libforksafe is not loaded in: $*"
		exit 1
	fi
	echo "ok: libforksafe is loaded in: $*"
}

# run_one MODE SCRIPT: runs SCRIPT in a fresh $compat_tmp/run, natively
# (MODE native) or with the module preloaded (MODE shim); leaves
# $compat_tmp/MODE.out, MODE.err and MODE.status.
run_one() {
	local mode=$1 script=$2 dir=$compat_tmp/run status
	local -a pre=()
	rm -rf "$dir" && mkdir "$dir" || exit 99
	[ "$mode" = shim ] && pre=(env "LD_PRELOAD=$FORKSAFE_SO")
	(cd "$dir" && exec timeout -k 5 60 "${pre[@]}" bash -c "$script") \
		</dev/null >"$compat_tmp/$mode.out" 2>"$compat_tmp/$mode.err"
	status=$?
	echo "$status" >"$compat_tmp/$mode.status"
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
	out=$(cat "$compat_tmp/$mode.out")
	err=$(cat "$compat_tmp/$mode.err")
	status=$(cat "$compat_tmp/$mode.status")
	[ "$out" = "$want_out" ] && [ "$err" = "$want_err" ] &&
		[ "$status" = "$want_status" ] && return 0
	echo "FAIL ($mode): $name"
	echo "  expected status $want_status, got $status"
	show "expected stdout" "$want_out"
	show "got stdout" "$out"
	show "expected stderr" "$want_err"
	show "got stderr" "$err"
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
	compat_cases=$((compat_cases + 1))
	run_one native "$script"
	run_one shim "$script"
	check_run native "$name" "$want_out" "$want_status" "$want_err" || ok=0
	check_run shim "$name" "$want_out" "$want_status" "$want_err" || ok=0
	if [ $ok = 1 ]; then
		if ! cmp -s "$compat_tmp/native.out" "$compat_tmp/shim.out" ||
		   ! cmp -s "$compat_tmp/native.err" "$compat_tmp/shim.err"; then
			echo "FAIL: $name: the two runs differ in their trailing output"
			ok=0
		fi
	fi
	took=$(( (${EPOCHREALTIME/[^0-9]/} - start) / 1000 ))
	if [ $ok = 1 ]; then
		echo "ok: $name ($took ms)"
	else
		compat_fails=$((compat_fails + 1))
	fi
}

# finish: the test's exit status.
finish() {
	echo "$compat_cases case(s), $compat_fails failure(s)"
	[ "$compat_fails" -eq 0 ]
}

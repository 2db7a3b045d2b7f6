#!/bin/bash
# The fds a new program gets on purpose (core/inherit.c), with forksafe
# as without it: tests/inherit/handover.c says what each case asserts.
# Each case runs natively first (where everything not close-on-exec is
# inherited, so the program alone passes) and then under forksafe; the
# diagnostic runs check what the reports say.
. "$FS_SRCDIR/tests/lib.sh"
prog=$FS_BUILDDIR/tests/inherit/handover
fdlist=$FS_BUILDDIR/tests/inherit/.libs/fdlist
[ -x "$fdlist" ] || fdlist=$FS_BUILDDIR/tests/inherit/fdlist

# The fds above 2 this script inherited without close-on-exec (from make,
# a terminal) would reach every child natively and be reported as open at
# start-up: closed, so the cases see only their own.
for f in /proc/$$/fd/*; do
	n=${f##*/}
	[ "$n" -gt 2 ] 2>/dev/null || continue
	[ "$(awk '/^flags:/ { print $2 }' /proc/$$/fdinfo/"$n" 2>/dev/null)" ] || continue
	(( 8#$(awk '/^flags:/ { print $2 }' /proc/$$/fdinfo/"$n") & 8#2000000 )) && continue
	eval "exec $n>&-"
done

run() { # name expected-status env... -- args...
	local name=$1 want=$2 envs=() st
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	if [ "${envs[0]:-}" = prlimit ]; then
		"${envs[@]:0:2}" env "${envs[@]:2}" "$prog" "$@" >"$T/out" 2>"$T/err"
	else
		env "${envs[@]}" "$prog" "$@" >"$T/out" 2>"$T/err"
	fi
	st=$?
	sed "s/^/  [$name] /" "$T/out"
	if [ $st != "$want" ]; then
		fail "$name: status $st, expected $want"
		sed 's/^/    stderr: /' "$T/err" | head -10 >&2
	else
		pass "$name"
	fi
}

for c in pipes listen recvmsg; do
	run "$c, natively" 0 -- "$c" "$fdlist"
	run "$c, forksafe" 0 LD_PRELOAD="$FORKSAFE_SO" -- "$c" "$fdlist"
	run "$c, diagnostic mode" 0 LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 \
		FORKSAFE_LOG="$T/$c.log" -- "$c" "$fdlist"
done

# A socket listed in HANDOFF that the new program does not get is
# reported as withheld; the listening sockets that reach it are not.
if grep -q "exec-withheld: fd=[0-9]* what=\"socket inet 0.0.0.0:0\" because=\"named in the environment: 'HANDOFF=" "$T/listen.log" &&
   ! grep -q 'exec-leak\|exec-withheld: .*NGINX' "$T/listen.log"; then
	pass "diagnostic mode reports the socket listed in HANDOFF as withheld, nothing else"
else
	fail "reports of the listen case:"; cat "$T/listen.log" >&2
fi
# The pipes handed over are not reported as leaks.
if grep -q 'exec-leak: fd=[0-9]* what=pipe created_by=pipe' "$T/pipes.log"; then
	fail "a pipe handed over is reported as a leak:"; cat "$T/pipes.log" >&2
else
	pass "the pipes handed over are not reported as leaks"
fi

# LISTEN_FDS hands over any number of fds: 300 and 5000.
for n in 300 5000; do
	want="fds: $(seq -s ' ' 3 $((n + 2)))"
	for mode in native forksafe diag; do
		envs=()
		[ $mode = forksafe ] && envs=(LD_PRELOAD="$FORKSAFE_SO")
		[ $mode = diag ] && envs=(LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/many$n.log")
		got=$(env "${envs[@]}" "$prog" many "$fdlist" "$n" | grep '^fds:')
		if [ "$got" = "$want" ]; then
			pass "LISTEN_FDS=$n hands over all $n fds ($mode)"
		else
			fail "LISTEN_FDS=$n ($mode): got $(wc -w <<<"$got") words: ${got:0:120}..."
		fi
	done
	if grep -q 'exec-leak\|exec-withheld' "$T/many$n.log"; then
		fail "LISTEN_FDS=$n: fds handed over are reported:"; head -3 "$T/many$n.log" >&2
	else
		pass "LISTEN_FDS=$n: nothing reported in diagnostic mode"
	fi
done

# fds beyond the table sized at start-up: the program starts with a hard
# fd limit of 4096 (a table of the smallest size) and raises it to the
# kernel's maximum, which needs CAP_SYS_RESOURCE (CI runs as root).
if "$prog" high "$fdlist" >/dev/null 2>&1 || [ $? != 77 ]; then
	for mode in native forksafe diag; do
		envs=()
		[ $mode = forksafe ] && envs=(LD_PRELOAD="$FORKSAFE_SO")
		[ $mode = diag ] && envs=(LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/high.log")
		run "high, $mode" 0 prlimit --nofile=1024:4096 "${envs[@]}" -- high "$fdlist"
	done
	if grep -q 'exec-leak' "$T/high.log"; then
		fail "the high fd named to the program is reported:"; cat "$T/high.log" >&2
	fi
else
	note "this machine does not let a process raise its fd limit ($("$prog" high "$fdlist" | tail -1)); the high-fd case is not run"
fi
finish

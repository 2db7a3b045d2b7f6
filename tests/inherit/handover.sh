#!/bin/bash
# The fds a new program gets on purpose (core/inherit.c), with forksafe
# as without it: tests/inherit/handover.c says what each case asserts.
# Each case runs natively first (where everything not close-on-exec is
# inherited, so the program alone passes) and then under forksafe; the
# diagnostic runs check what the reports say.
set -u
prog=$FS_BUILDDIR/tests/inherit/handover
fdlist=$FS_BUILDDIR/tests/inherit/.libs/fdlist
[ -x "$fdlist" ] || fdlist=$FS_BUILDDIR/tests/inherit/fdlist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

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
		"${envs[@]:0:2}" env "${envs[@]:2}" "$prog" "$@" >"$tmp/out" 2>"$tmp/err"
	else
		env "${envs[@]}" "$prog" "$@" >"$tmp/out" 2>"$tmp/err"
	fi
	st=$?
	sed "s/^/  [$name] /" "$tmp/out"
	if [ $st != "$want" ]; then
		echo "FAIL: $name: status $st, expected $want"
		sed 's/^/    stderr: /' "$tmp/err" | head -10
		fails=$((fails + 1))
	fi
}

for c in pipes listen recvmsg; do
	run "$c, natively" 0 -- "$c" "$fdlist"
	run "$c, forksafe" 0 LD_PRELOAD="$FORKSAFE_SO" -- "$c" "$fdlist"
	run "$c, diagnostic mode" 0 LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 \
		FORKSAFE_LOG="$tmp/$c.log" -- "$c" "$fdlist"
done

# A socket listed in HANDOFF that the new program does not get is
# reported as withheld; the listening sockets that reach it are not.
if grep -q "exec-withheld: fd=[0-9]* what=\"socket inet 0.0.0.0:0\" because=\"named in the environment: 'HANDOFF=" "$tmp/listen.log" &&
   ! grep -q 'exec-leak\|exec-withheld: .*NGINX' "$tmp/listen.log"; then
	echo "ok: diagnostic mode reports the socket listed in HANDOFF as withheld, nothing else"
else
	echo "FAIL: reports of the listen case:"; cat "$tmp/listen.log"
	fails=$((fails + 1))
fi
# The pipes handed over are not reported as leaks.
if grep -q 'exec-leak: fd=[0-9]* what=pipe created_by=pipe' "$tmp/pipes.log"; then
	echo "FAIL: a pipe handed over is reported as a leak:"; cat "$tmp/pipes.log"
	fails=$((fails + 1))
else
	echo "ok: the pipes handed over are not reported as leaks"
fi

# LISTEN_FDS hands over any number of fds: 300 and 5000.
for n in 300 5000; do
	want="fds: $(seq -s ' ' 3 $((n + 2)))"
	for mode in native forksafe diag; do
		envs=()
		[ $mode = forksafe ] && envs=(LD_PRELOAD="$FORKSAFE_SO")
		[ $mode = diag ] && envs=(LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$tmp/many$n.log")
		got=$(env "${envs[@]}" "$prog" many "$fdlist" "$n" | grep '^fds:')
		if [ "$got" = "$want" ]; then
			echo "ok: LISTEN_FDS=$n hands over all $n fds ($mode)"
		else
			echo "FAIL: LISTEN_FDS=$n ($mode): got $(wc -w <<<"$got") words: ${got:0:120}..."
			fails=$((fails + 1))
		fi
	done
	if grep -q 'exec-leak\|exec-withheld' "$tmp/many$n.log"; then
		echo "FAIL: LISTEN_FDS=$n: fds handed over are reported:"; head -3 "$tmp/many$n.log"
		fails=$((fails + 1))
	else
		echo "ok: LISTEN_FDS=$n: nothing reported in diagnostic mode"
	fi
done

# fds beyond the table sized at start-up: the program starts with a hard
# fd limit of 4096 (a table of the smallest size) and raises it to the
# kernel's maximum, which needs CAP_SYS_RESOURCE (CI runs as root).
if "$prog" high "$fdlist" >/dev/null 2>&1 || [ $? != 77 ]; then
	for mode in native forksafe diag; do
		envs=()
		[ $mode = forksafe ] && envs=(LD_PRELOAD="$FORKSAFE_SO")
		[ $mode = diag ] && envs=(LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$tmp/high.log")
		run "high, $mode" 0 prlimit --nofile=1024:4096 "${envs[@]}" -- high "$fdlist"
	done
	if grep -q 'exec-leak' "$tmp/high.log"; then
		echo "FAIL: the high fd named to the program is reported:"; cat "$tmp/high.log"
		fails=$((fails + 1))
	fi
else
	echo "note: this machine does not let a process raise its fd limit ($("$prog" high "$fdlist" | tail -1)); the high-fd case is not run"
fi
exit $fails

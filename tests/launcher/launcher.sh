#!/bin/bash
# The launcher: every option sets its variable, LD_PRELOAD keeps what was
# there with the module in front, exit statuses and signals pass through,
# bad usage exits 2 with a message naming the option, a missing command
# 127, a non-executable one 126, and static and setuid programs get a
# message but still run.
. "$FS_SRCDIR/tests/lib.sh"
fs=$FORKSAFE_BIN

envof() { "$fs" "$@" -- env; }

check "--diag sets FORKSAFE_DIAG=1" grep -qx 'FORKSAFE_DIAG=1' <(envof --diag)
check "--json sets the log format" grep -qx 'FORKSAFE_LOG_FORMAT=json' <(envof --json)
check "--fork=abort" grep -qx 'FORKSAFE_FORK=abort' <(envof --fork=abort)
check "--fork warn (separate value)" grep -qx 'FORKSAFE_FORK=warn' <(envof --fork warn)
check "--cloexec=audit" grep -qx 'FORKSAFE_CLOEXEC=audit' <(envof --cloexec=audit)
check "--log=/tmp/x.log" grep -qx 'FORKSAFE_LOG=/tmp/x.log' <(envof --log=/tmp/x.log)
check "--log=syslog" grep -qx 'FORKSAFE_LOG=syslog' <(envof --log=syslog)
check "--keep-fds=3,5-7" grep -qx 'FORKSAFE_KEEP_FDS=3,5-7' <(envof --keep-fds=3,5-7)
check "--child-locks=break" grep -qx 'FORKSAFE_CHILD_LOCKS=break' <(envof --child-locks=break)
check "the module is preloaded" grep -qx "LD_PRELOAD=$(realpath "$FORKSAFE_SO")" <(envof)
check "an existing LD_PRELOAD is kept, the module first" \
	grep -qx "LD_PRELOAD=$(realpath "$FORKSAFE_SO"):/nonexistent/other.so" \
	<(LD_PRELOAD=/nonexistent/other.so "$fs" -- env 2>/dev/null)
check "the module is not added twice" \
	grep -qx "LD_PRELOAD=$(realpath "$FORKSAFE_SO")" \
	<(LD_PRELOAD=$(realpath "$FORKSAFE_SO") "$fs" -- env)
check "the module is loaded in the command" grep -q libforksafe <("$fs" -- cat /proc/self/maps)
check "FORKSAFE_LIBRARY picks the module" \
	grep -qx "LD_PRELOAD=$FORKSAFE_SO" <(FORKSAFE_LIBRARY=$FORKSAFE_SO "$fs" -- env)
maps=$("$fs" --this-only -- bash -c 'grep -c libforksafe /proc/$$/maps; grep -c libforksafe /proc/self/maps; echo "[$LD_PRELOAD]"')
check "--this-only: the command gets the module" test "$(sed -n 1p <<<"$maps")" -gt 0
check "--this-only: the programs it runs do not" test "$(sed -n 2p <<<"$maps")" -eq 0
check "--this-only: LD_PRELOAD is gone when nothing else was in it" test "$(sed -n 3p <<<"$maps")" = "[]"
keep=$(LD_PRELOAD=/tmp/kept-preload.so "$fs" --this-only -- bash -c 'echo "$LD_PRELOAD"' 2>/dev/null)
check "--this-only: the rest of LD_PRELOAD is kept" test "$keep" = "/tmp/kept-preload.so"
check "a command without -- runs" grep -qx 'FORKSAFE_DIAG=1' <("$fs" --diag env)

"$fs" -- sh -c 'exit 3'; check "exit status 3 passes through" test $? -eq 3
"$fs" -- true; check "exit status 0" test $? -eq 0
"$fs" -- sh -c 'kill -TERM $$'; st=$?
check "death by SIGTERM shows as 143" test $st -eq 143

for bad in "--fork=sometimes" "--cloexec=maybe" "--keep-fds=3,x" "--log=relative.log" \
	   "--child-locks=never" "--bogus" "-x" "--diag=2"; do
	out=$("$fs" $bad -- true 2>&1); st=$?
	opt=${bad%%=*}
	check "bad usage $bad exits 2" test $st -eq 2
	check "bad usage $bad names $opt" grep -q -- "$opt" <<<"$out"
done
out=$("$fs" 2>&1); st=$?
check "no command exits 2" test $st -eq 2
out=$("$fs" --fork 2>&1); st=$?
check "a missing value exits 2" test $st -eq 2
out=$("$fs" -- /nonexistent/cmd 2>&1); st=$?
check "a missing command exits 127" test $st -eq 127
check "a missing command says so" grep -q "not found" <<<"$out"
printf '#!/bin/sh\necho hi\n' >"$T/noexec"
out=$("$fs" -- "$T/noexec" 2>&1); st=$?
check "a non-executable command exits 126" test $st -eq 126
check "--help exits 0 with usage" grep -q "^Usage:" <("$fs" --help)
check "--version prints the version" grep -qE '^forksafe [0-9]+\.[0-9]+' <("$fs" --version)
check "-V prints the version" grep -qE '^forksafe [0-9]' <("$fs" -V)

# A statically linked program: a message, and it still runs.
printf 'int main(void) { return 7; }\n' >"$T/s.c"
if cc -static -o "$T/static" "$T/s.c" 2>/dev/null; then
	out=$("$fs" -- "$T/static" 2>&1); st=$?
	check "a static program still runs" test $st -eq 7
	check "a static program gets the message" grep -q "statically linked" <<<"$out"
else
	note "cc -static is not available; static case not run"
fi
# A set-user-ID program owned by someone else: a message, and it runs.
cp /bin/true "$T/suid"
if chown nobody "$T/suid" 2>/dev/null && chmod u+s "$T/suid"; then
	out=$("$fs" -- "$T/suid" 2>&1); st=$?
	check "a setuid program still runs" test $st -eq 0
	check "a setuid program gets the message" grep -q "set-user-ID" <<<"$out"
else
	note "cannot make a setuid file here; setuid case not run"
fi
finish

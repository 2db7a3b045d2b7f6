#!/bin/bash
# At exec, diagnostic mode names each fd the new program inherits by
# accident: what it is and where it was created.  Audit mode leaves the
# fds alone (they leak and are reported); force mode makes them
# close-on-exec (nothing to report); an fd made inheritable on purpose
# is never reported.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog leak)
file="$T/leaked file"
: >"$file"
realfile=$(readlink -f "$file")

# leak_run NAME ARG VAR=value...: runs leak, reads its fd numbers.
leak_run() {
	local name=$1 how=$2
	shift 2
	shim "$@" "$prog" "$file" "$how" >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	read -r f s k <<<"$(sed -E 's/file=([0-9]+) socket=([0-9]+) kept=([0-9]+)/\1 \2 \3/' "$T/$name.out")"
}

# leak_of NAME FD: the exec-leak report about FD.
leak_of() { events exec-leak "$T/$1.err" | grep -E "^forksafe\[[0-9]+\]: exec-leak: fd=$2 "; }

leak_run audit exec FORKSAFE_CLOEXEC=audit FORKSAFE_DIAG=1
line=$(leak_of audit "$f")
check_eq "audit: the file is reported once" 1 "$(leak_of audit "$f" | wc -l)"
check_eq "audit: file: what is its path" "$realfile" "$(field what <<<"$line")"
check_eq "audit: file: created_by=open" open "$(field created_by <<<"$line")"
check "audit: file: created_at names open_the_file" \
	grep -qE '^open_the_file\+0x[0-9a-f]+ \(leak\)$' <<<"$(field created_at <<<"$line")"
check_eq "audit: file: exec=/bin/true" /bin/true "$(field exec <<<"$line")"
check_eq "audit: file: via=execv" execv "$(field via <<<"$line")"
check "audit: file: exec_at names exec_true_here" \
	grep -qE '^exec_true_here\+0x[0-9a-f]+ \(leak\)$' <<<"$(field exec_at <<<"$line")"
line=$(leak_of audit "$s")
check_eq "audit: the socket is reported once" 1 "$(leak_of audit "$s" | wc -l)"
check "audit: socket: what is 'socket inet 127.0.0.1:PORT'" \
	grep -qE '^socket inet 127\.0\.0\.1:[1-9][0-9]*$' <<<"$(field what <<<"$line")"
check_eq "audit: socket: created_by=socket" socket "$(field created_by <<<"$line")"
check "audit: socket: created_at names make_the_socket" \
	grep -qE '^make_the_socket\+0x[0-9a-f]+ \(leak\)$' <<<"$(field created_at <<<"$line")"
check_eq "audit: the fd made inheritable on purpose is not reported" 0 "$(leak_of audit "$k" | wc -l)"

leak_run spawn spawn FORKSAFE_CLOEXEC=audit FORKSAFE_DIAG=1
check_eq "audit, posix_spawn: the file is reported" 1 "$(leak_of spawn "$f" | wc -l)"
check_eq "audit, posix_spawn: the socket is reported" 1 "$(leak_of spawn "$s" | wc -l)"
check_eq "audit, posix_spawn: via=posix_spawn" posix_spawn "$(leak_of spawn "$f" | field via)"
check_eq "audit, posix_spawn: exec=/bin/true" /bin/true "$(leak_of spawn "$s" | field exec)"
check_eq "audit, posix_spawn: the kept fd is not reported" 0 "$(leak_of spawn "$k" | wc -l)"

for how in exec spawn; do
	leak_run "force-$how" "$how" FORKSAFE_DIAG=1
	check_eq "force ($how): the file is not reported" 0 "$(leak_of "force-$how" "$f" | wc -l)"
	check_eq "force ($how): the socket is not reported" 0 "$(leak_of "force-$how" "$s" | wc -l)"
	check_eq "force ($how): the kept fd is not reported" 0 "$(leak_of "force-$how" "$k" | wc -l)"
done

leak_run nodiag exec FORKSAFE_CLOEXEC=audit
check "audit outside diagnostic mode: nothing reported" test ! -s "$T/nodiag.err"
finish

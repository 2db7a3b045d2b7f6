#!/bin/bash
# Text reports escape control bytes (below 0x20, and 0x7f) as the JSON
# format does: a file name holding a carriage return or an escape
# sequence can neither forge a report line nor hide one on a terminal.
. "$FS_SRCDIR/tests/diag/lib.sh"
leak=$(diagprog leak)
not_has() { ! grep -q "$1" "$2"; }

name=$'x\rforksafe[1]: exec-leak: fd=99 what=forged\e[2K\x7f\tend'
: >"$T/$name"
shim FORKSAFE_DIAG=1 FORKSAFE_CLOEXEC=audit "$leak" "$T/$name" exec >/dev/null 2>"$T/leak.err"
check_eq "exit status 0" 0 "$?"
check_eq "the file's exec-leak report is one line" 1 \
	"$(grep -c 'what="[^"]*\\u000dforksafe\[1\]' "$T/leak.err")"
check "no carriage return in the reports" not_has $'\r' "$T/leak.err"
check "no escape byte in the reports" not_has $'\e' "$T/leak.err"
check "no delete byte in the reports" not_has $'\x7f' "$T/leak.err"
check "no tab in the reports" not_has $'\t' "$T/leak.err"
check "escaped as in JSON" grep -qF '\u000dforksafe[1]: exec-leak: fd=99 what=forged\u001b[2K\u007f\u0009end' "$T/leak.err"
check_eq "the value reads back whole" "$T/${name//[$'\r\e\x7f\t']/}" \
	"$(events exec-leak "$T/leak.err" | grep -F 'forged' | field what |
		sed 's/u00[01][0-9a-f]//g; s/u007f//g')"

# A warning naming a path (fs_msg) is escaped too.  The log opens at the
# first report: audit mode makes one (the leaked file).
shim FORKSAFE_DIAG=1 FORKSAFE_CLOEXEC=audit FORKSAFE_LOG="$T/no dir/$name" "$leak" /dev/null exec >/dev/null 2>"$T/msg.err"
check "a warning naming the path: no carriage return" not_has $'\r' "$T/msg.err"
check "a warning naming the path: no escape byte" not_has $'\e' "$T/msg.err"
check "a warning naming the path: escaped" grep -qF 'x\u000dforksafe[1]' "$T/msg.err"
finish

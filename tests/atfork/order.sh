#!/bin/bash
# Fork handlers run in POSIX order under forksafe, as they do in glibc:
# prepare in reverse registration order, parent and child in order, the
# handlers of a dlopen'ed library among the program's; once the library
# is dlclose'd, its handlers are never called.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(atforkprog order)
lib="$FS_BUILDDIR/tests/atfork/.libs/libhandlers.so"
[ -f "$lib" ] || { echo "missing $lib" >&2; exit 99; }

cat >"$T/expected" <<'END'
loaded parent: prepare:C prepare:lib prepare:A parent:A parent:lib parent:C
loaded child: prepare:C prepare:lib prepare:A child:A child:lib child:C
unloaded parent: prepare:C prepare:A parent:A parent:C
unloaded child: prepare:C prepare:A child:A child:C
END

"$prog" "$lib" >"$T/native.out"
check_eq "without forksafe: exit status 0" 0 "$?"
check "without forksafe: glibc runs them in POSIX order" diff -u "$T/expected" "$T/native.out"

shim "$prog" "$lib" >"$T/shim.out" 2>"$T/shim.err"
check_eq "forksafe: exit status 0" 0 "$?"
check "forksafe: the same order" diff -u "$T/expected" "$T/shim.out"
check "forksafe: nothing on stderr" test ! -s "$T/shim.err"

# A second thread: forksafe reports each fork and runs the handlers
# (with its slow-handler watchdog) itself.  Into a log file, which gets
# every report (stderr shows one per call site).
shim FORKSAFE_DIAG=1 FORKSAFE_LOG="$T/diag.log" "$prog" "$lib" threaded >"$T/diag.out" 2>"$T/diag.err"
check_eq "diag, threaded: exit status 0" 0 "$?"
check "diag, threaded: the same order" diff -u "$T/expected" "$T/diag.out"
check_eq "diag, threaded: two mt-fork reports" 2 "$(count_events mt-fork "$T/diag.log")"
events mt-fork "$T/diag.log" | field atfork >"$T/atfork"
check "diag: while loaded, the library's handlers are listed with it" \
	grep -qE '^(.* < )?prepare=lib_prepare\+0x0 \(libhandlers\.so\) parent=lib_parent\+0x0 \(libhandlers\.so\) child=lib_child\+0x0 \(libhandlers\.so\)( < .*)?$' \
	<(sed -n 1p "$T/atfork")
check_eq "diag: while loaded, three handler sets are listed" 3 \
	"$(sed -n 1p "$T/atfork" | awk -F ' < ' '{print NF}')"
check_eq "diag: once unloaded, two handler sets are listed" 2 \
	"$(sed -n 2p "$T/atfork" | awk -F ' < ' '{print NF}')"
check "diag: once unloaded, the library is not listed" \
	test "$(sed -n 2p "$T/atfork" | grep -c libhandlers)" -eq 0
finish

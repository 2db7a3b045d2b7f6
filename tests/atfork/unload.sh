#!/bin/bash
# Libraries with fork handlers unloaded around forks (unload.c), natively
# and under forksafe, plain and in diagnostic mode: a library dlclosed
# while a fork runs its prepare handler has its parent handler skipped,
# as glibc does (it is unmapped: calling it would crash); ten thousand
# loads and unloads leave the registry able to take more handlers, and
# only the live ones run.  A library's atexit function runs when it is
# unloaded: the module's __cxa_finalize finds libc's, through the loader's
# link map or, when everything is bound at start-up, dl_iterate_phdr.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(atforkprog unload)
lib="$FS_BUILDDIR/tests/atfork/.libs/libhandlers.so"
[ -f "$lib" ] || { echo "missing $lib" >&2; exit 99; }

for how in native forksafe bindnow diag; do
	case $how in
	native) run() { timeout -k 5 120 "$@"; } ;;
	forksafe) run() { timeout -k 5 120 env LD_PRELOAD="$FORKSAFE_SO" "$@"; } ;;
	bindnow) run() { timeout -k 5 120 env LD_PRELOAD="$FORKSAFE_SO" LD_BIND_NOW=1 "$@"; } ;;
	diag) run() { timeout -k 5 120 env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 \
		FORKSAFE_LOG="$T/diag.log" "$@"; } ;;
	esac
	run "$prog" "$lib" during >"$T/$how.during" 2>"$T/$how.during.err"
	check_eq "$how, during: exit status 0" 0 "$?"
	check_eq "$how, during: the fork ran the library's prepare handler, not its parent handler" \
		"prepare:lib prepare:A parent:A" "$(cat "$T/$how.during")"
	run "$prog" "$lib" cycles >"$T/$how.cycles" 2>"$T/$how.cycles.err"
	check_eq "$how, cycles: exit status 0" 0 "$?"
	check_eq "$how, cycles: the fork ran the program's handlers only" \
		"prepare:A parent:A" "$(cat "$T/$how.cycles")"
	run "$prog" "$lib" finalize >"$T/$how.finalize" 2>"$T/$how.finalize.err"
	check_eq "$how, finalize: exit status 0" 0 "$?"
	check_eq "$how, finalize: the library's atexit function ran at dlclose, its handlers no more" \
		"atexit:lib
fork:" "$(cat "$T/$how.finalize")"
	check "$how: nothing unexpected on stderr" \
		test ! -s "$T/$how.during.err" -a ! -s "$T/$how.cycles.err" -a ! -s "$T/$how.finalize.err"
done
finish

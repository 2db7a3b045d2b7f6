#!/bin/bash
# A log that cannot take reports (a full file system: /dev/full answers
# every write with ENOSPC) is said once on standard error, and the
# program runs as usual.
. "$FS_SRCDIR/tests/diag/lib.sh"

[ -c /dev/full ] || skip "/dev/full is not here"
shim FORKSAFE_DIAG=1 FORKSAFE_LOG=/dev/full "$(diagprog manyevents)" 50 2 \
	>"$T/full.out" 2>"$T/full.err"
check_eq "exit status 0" 0 "$?"
check_eq "said once: reports are being lost" 1 \
	"$(grep -c 'warning: FORKSAFE_LOG: cannot write to /dev/full (no space left on device); reports are being lost' "$T/full.err")"
check_eq "and nothing else on stderr" 1 "$(wc -l <"$T/full.err")"

# A file on a tiny file system, in a private mount namespace where one
# can be made (the mount goes away with it).
mkdir "$T/mnt"
if command -v unshare >/dev/null && unshare -m mount -t tmpfs -o size=4k tmpfs "$T/mnt" 2>/dev/null; then
	unshare -m bash -c '
		mount -t tmpfs -o size=4k tmpfs "$1/mnt" || exit 99
		head -c 8192 /dev/zero >"$1/mnt/filler" 2>/dev/null
		env LD_PRELOAD="$2" FORKSAFE_DIAG=1 FORKSAFE_LOG="$1/mnt/fs.log" "$3" 50 2
	' tmpfs "$T" "$FORKSAFE_SO" "$(diagprog manyevents)" >"$T/tmpfs.out" 2>"$T/tmpfs.err"
	check_eq "full tmpfs: exit status 0" 0 "$?"
	check_eq "full tmpfs: said once" 1 "$(grep -c 'reports are being lost' "$T/tmpfs.err")"
else
	note "cannot mount a tmpfs here: only /dev/full is tested"
fi
finish

#!/bin/bash
# The man pages render without a warning.
. "$FS_SRCDIR/tests/lib.sh"
need man
for page in "$FS_SRCDIR"/man/*.[1-8]; do
	check_eq "$page renders without a warning" "" \
		"$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)"
done
finish

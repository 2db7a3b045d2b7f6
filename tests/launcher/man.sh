#!/bin/bash
# The man pages render without a warning.
set -u
command -v man >/dev/null || { echo "SKIP: man is not installed"; exit 77; }
status=0
for page in "$FS_SRCDIR"/man/*.[1-8]; do
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
	if [ -n "$warnings" ]; then
		echo "FAIL: $page: $warnings"
		status=1
	else
		echo "ok: $page"
	fi
done
exit $status

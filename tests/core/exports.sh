#!/bin/bash
# The module exports exactly the libc names of the table of wrapped calls
# (src/core/calls.h, printed by tests/core/calls): every row but the ones
# bound for the module's own use (LIBC) and the bare system calls
# (SYSONLY) is exported, and nothing else is (no helper of the module
# leaks into the programs it is loaded into).  posix_spawn and
# posix_spawnp are exported in both of glibc's versions, the default one
# GLIBC_2.15; every other name is unversioned, so it interposes whatever
# version of it a program asks for.  The module needs libc only.
set -u
command -v nm >/dev/null || { echo "SKIP: nm not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

"$FS_BUILDDIR/tests/core/calls" >"$tmp/table" || { echo "FAIL: tests/core/calls"; exit 1; }
awk '$2 != "LIBC" && $2 != "SYSONLY" { print $1 }' "$tmp/table" | sort >"$tmp/want"
nm -D --defined-only "$FORKSAFE_SO" | awk '$2 != "A" { print $3 }' >"$tmp/all"
sed 's/@.*//' "$tmp/all" | sort >"$tmp/got"
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
	echo "FAIL: the exported names differ from the table (-: missing, +: unexpected):"
	grep -E '^[-+][^-+]' "$tmp/diff"
	fails=$((fails + 1))
else
	echo "ok: $(wc -l <"$tmp/got") exported symbols, exactly the table's"
fi
for v in posix_spawn@@GLIBC_2.15 posix_spawn@GLIBC_2.2.5 posix_spawnp@@GLIBC_2.15 \
	 posix_spawnp@GLIBC_2.2.5; do
	grep -qx "$v" "$tmp/all" || { echo "FAIL: $v is not exported"; fails=$((fails + 1)); }
done
versioned=$(grep '@' "$tmp/all" | grep -v '^posix_spawnp\?@')
if [ -n "$versioned" ]; then
	echo "FAIL: versioned exports other than posix_spawn's: $versioned"
	fails=$((fails + 1))
fi
[ $fails = 0 ] && echo "ok: posix_spawn and posix_spawnp in both versions, everything else unversioned"
if [ -n "${FS_SANITIZE:-}" ]; then
	echo "note: sanitizer build ($FS_SANITIZE): its runtimes are dependencies; not checked"
	exit $fails
fi
if ldd "$FORKSAFE_SO" | grep -v -E 'libc\.so|libdl\.so|ld-linux|linux-vdso'; then
	echo "FAIL: unexpected dependency"
	fails=$((fails + 1))
else
	echo "ok: depends on libc only"
fi
exit $fails

#!/bin/bash
# The module exports exactly the libc names of the table of wrapped calls
# (src/core/calls.h, printed by tests/core/calls): every row but the ones
# bound for the module's own use (LIBC) and the bare system calls
# (SYSONLY) is exported, and nothing else is (no helper of the module
# leaks into the programs it is loaded into).  posix_spawn and
# posix_spawnp are exported in both of glibc's versions, the default one
# GLIBC_2.15; every other name is unversioned, so it interposes whatever
# version of it a program asks for.  The module needs libc only.
. "$FS_SRCDIR/tests/lib.sh"
need nm

"$FS_BUILDDIR/tests/core/calls" >"$T/table" || die "tests/core/calls"
awk '$2 != "LIBC" && $2 != "SYSONLY" { print $1 }' "$T/table" | sort >"$T/want"
nm -D --defined-only "$FORKSAFE_SO" | awk '$2 != "A" { print $3 }' >"$T/all"
sed 's/@.*//' "$T/all" | sort >"$T/got"
if ! diff -u "$T/want" "$T/got" >"$T/diff"; then
	fail "the exported names differ from the table (-: missing, +: unexpected):"
	grep -E '^[-+][^-+]' "$T/diff" >&2
else
	pass "$(wc -l <"$T/got") exported symbols, exactly the table's"
fi
for v in posix_spawn@@GLIBC_2.15 posix_spawn@GLIBC_2.2.5 posix_spawnp@@GLIBC_2.15 \
	 posix_spawnp@GLIBC_2.2.5; do
	check "$v is exported" grep -qx "$v" "$T/all"
done
versioned=$(grep '@' "$T/all" | grep -v '^posix_spawnp\?@')
check_eq "no versioned export but posix_spawn's" "" "$versioned"
if [ -n "${FS_SANITIZE:-}" ]; then
	note "sanitizer build ($FS_SANITIZE): its runtimes are dependencies; not checked"
else
	check_eq "depends on libc only" "" \
		"$(ldd "$FORKSAFE_SO" | grep -v -E 'libc\.so|libdl\.so|ld-linux|linux-vdso')"
fi
finish

#!/bin/bash
# The installed launcher loads only the installed module (or
# $FORKSAFE_LIBRARY): a module planted at $(bindir)/../src/.libs, where a
# build tree keeps its module, is never loaded.  And the launcher checks
# every option's value with the module's own parser: what the module
# would refuse (33 items in --keep-fds, a 5000-byte --log) is a usage
# error naming the option.
. "$FS_SRCDIR/tests/lib.sh"
: "${FS_BUILDDIR:?}"
not() { ! "$@"; }

# 1. Installed into a staging directory (make install DESTDIR=...).
dest="$T/dest"
make -s -C "$FS_BUILDDIR" install-binPROGRAMS install-libLTLIBRARIES DESTDIR="$dest" \
	>"$T/install.log" 2>&1 || { cat "$T/install.log"; die "make install DESTDIR=$dest"; }
fs=$(find "$dest" -type f -name forksafe -perm -u+x | head -1)
mod=$(find "$dest" -name libforksafe.so | head -1)
[ -n "$fs" ] && [ -n "$mod" ] || die "the staged launcher or module is missing"
bindir=$(dirname "$fs")
mkdir -p "$bindir/../src/.libs"
cp "$FS_BUILDDIR/tests/security/.libs/plant.so" "$bindir/../src/.libs/libforksafe.so"
export FS_PLANT_MARK="$T/mark"

out=$("$fs" -- env 2>&1)
check "installed launcher: the planted module is not loaded" test ! -e "$FS_PLANT_MARK"
check "installed launcher: LD_PRELOAD does not name the planted module" \
	not grep -q "src/.libs/libforksafe.so" <<<"$out"
out=$(FORKSAFE_LIBRARY=$mod "$fs" -- env 2>&1)
check "installed launcher: FORKSAFE_LIBRARY is used" grep -qx "LD_PRELOAD=$mod" <<<"$out"
check "installed launcher with FORKSAFE_LIBRARY: the planted module is not loaded" \
	test ! -e "$FS_PLANT_MARK"

# A copy of the build tree's launcher elsewhere is not the build tree's.
mkdir -p "$T/copy/bin" "$T/copy/src/.libs"
cp "$FORKSAFE_BIN" "$T/copy/bin/forksafe"
cp "$FS_BUILDDIR/tests/security/.libs/plant.so" "$T/copy/src/.libs/libforksafe.so"
"$T/copy/bin/forksafe" -- true >/dev/null 2>&1
check "a copied launcher: the module beside it is not loaded" test ! -e "$FS_PLANT_MARK"

# The build tree's launcher still takes the build tree's module.
check "the build tree's launcher takes the build tree's module" \
	grep -qx "LD_PRELOAD=$(realpath "$FORKSAFE_SO")" <("$FORKSAFE_BIN" -- env)

# 2. Values the module refuses are usage errors naming the option.
bad_value() {
	local opt=$1 value=$2 out st
	out=$("$FORKSAFE_BIN" "--$opt=$value" -- true 2>&1); st=$?
	check_eq "--$opt ${3}: exit status 2" 2 "$st"
	check "--$opt ${3}: the message names --$opt" grep -q -- "--$opt" <<<"$out"
}
bad_value keep-fds "$(seq -s, 3 35)" "with 33 items"
bad_value log "/$(printf 'a%.0s' $(seq 5000))" "of 5001 bytes"
bad_value keep-fds "3,,4" "with an empty item"
bad_value keep-fds "3-2" "with a range backwards"
bad_value fork "spawn " "with a trailing space"
bad_value log "relative.log" "relative"
out=$("$FORKSAFE_BIN" --keep-fds="$(seq -s, 3 34)" -- env 2>&1)
check "--keep-fds with 32 items is accepted" grep -q "^FORKSAFE_KEEP_FDS=3,4," <<<"$out"
out=$("$FORKSAFE_BIN" --log="/$(printf 'a%.0s' $(seq 4000))" -- true 2>&1)
check_eq "--log of 4001 bytes is accepted" 0 "$?"
finish

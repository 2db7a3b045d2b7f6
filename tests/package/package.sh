#!/bin/bash
# The Debian package: built from this tree's distributed sources with
# dpkg-buildpackage, installed, run, purged.  It installs into the system,
# so it runs only as root and only when asked (FORKSAFE_TEST_PACKAGE=1,
# which CI sets): a developer's `make check` never installs a package.
. "$FS_SRCDIR/tests/lib.sh"
[ "${FORKSAFE_TEST_PACKAGE:-}" = 1 ] ||
	skip "set FORKSAFE_TEST_PACKAGE=1 to build, install and purge the Debian package (as root; CI does)"
[ "$(id -u)" -eq 0 ] || skip "installing and purging the package needs root"
need dpkg-buildpackage "apt-get install dpkg-dev debhelper"
pkg_installed() { dpkg-query -W -f='${Status}' forksafe 2>/dev/null | grep -q ' installed$'; }
if pkg_installed; then
	skip "a forksafe package is installed already; this test would replace and purge it"
fi

not() { ! "$@"; }

# Wait for the dpkg lock rather than fail when another apt run holds it.
apt_opts=(-y -qq -o DPkg::Lock::Timeout=300)
installed=0
purge_if_installed() {
	[ $installed = 0 ] || apt-get "${apt_opts[@]}" purge forksafe >/dev/null 2>&1
}
at_exit purge_if_installed

# The installed launcher and module, not the build tree's or another copy.
unset FORKSAFE_LIBRARY LD_PRELOAD FORKSAFE_TEST_PACKAGE MANPATH
export PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null) || die "dpkg-architecture failed"
module=/usr/lib/$multiarch/libforksafe.so

# 1. Build from the distributed sources: what a release tarball holds.
make -s -C "$FS_BUILDDIR" distdir distdir="$T/src" >"$T/distdir.log" 2>&1 ||
	{ tail -n 20 "$T/distdir.log"; die "make distdir"; }
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)"
if ! (cd "$T/src" && timeout 900 dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	tail -n 60 "$T/build.log"
	die "dpkg-buildpackage -us -uc -b"
fi
pass "dpkg-buildpackage -us -uc -b"
debs=("$T"/forksafe_*_"$(dpkg --print-architecture)".deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || die "no single forksafe .deb: ${debs[*]}"
deb=${debs[0]}

# 2. lintian, where installed (CI installs it): no error.
if command -v lintian >/dev/null; then
	lintian --fail-on error "$T"/forksafe_*.changes >"$T/lintian.log" 2>&1; st=$?
	grep -E '^[EW]:' "$T/lintian.log"
	check "lintian finds no error" test $st -eq 0
else
	note "lintian is not installed; the package is not checked with it"
fi

# 3. What the package holds.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$T/contents"
for f in "$module" /usr/bin/forksafe /usr/share/man/man1/forksafe.1.gz \
	 /usr/share/man/man7/libforksafe.7.gz /usr/share/doc/forksafe/copyright; do
	check "the package holds $f" grep -qx "$f" "$T/contents"
done
check "no .la or .a file in the package" test -z "$(grep -E '\.(la|a)$' "$T/contents")"

# 4. Installed, it works.
apt-get "${apt_opts[@]}" install --no-install-recommends "$deb" >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; die "apt-get install $deb"; }
installed=1
check "the package is installed" pkg_installed
# (a merged /usr: ldconfig may name it /lib/MULTIARCH/libforksafe.so)
incache() { ldconfig -p | grep -qE " => (/usr)?/lib/$multiarch/libforksafe\.so\$"; }
check "the module is in the ld.so cache" incache
check "forksafe is /usr/bin/forksafe on PATH" test "$(command -v forksafe)" = /usr/bin/forksafe
forksafe -- true; check "forksafe -- true exits 0" test $? -eq 0
forksafe --diag -- sh -c 'exit 3'; check "forksafe --diag -- sh -c 'exit 3' exits 3" test $? -eq 3
check "the launcher preloads the installed module" \
	grep -qx "LD_PRELOAD=$module" <(forksafe -- env)
check "the command has the installed module mapped" \
	grep -q " $module\$" <(forksafe -- cat /proc/self/maps)
check "LD_PRELOAD=libforksafe.so finds it by name" \
	grep -q " $module\$" <(LD_PRELOAD=libforksafe.so cat /proc/self/maps)
demo=$(forksafe -- "$FS_BUILDDIR/tools/fsdemo"); echo "demo under the installed launcher: $demo"
check "the installed module stops the demo's leaks" grep -q "inherited no stray" <<<"$demo"
check "man -w forksafe finds forksafe(1)" \
	test "$(man -w forksafe 2>&1)" = /usr/share/man/man1/forksafe.1.gz
check "man -w 7 libforksafe finds libforksafe(7)" \
	test "$(man -w 7 libforksafe 2>&1)" = /usr/share/man/man7/libforksafe.7.gz

# 5. Purged, nothing of it is left.
apt-get "${apt_opts[@]}" purge forksafe >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; die "apt-get purge"; }
installed=0
check "the package is gone" not pkg_installed
left=$(while read -r f; do [ -d "$f" ] || [ ! -e "$f" ] || echo "$f"; done <"$T/contents")
check "no file of the package is left${left:+: $left}" test -z "$left"
check "the module is out of the ld.so cache" not incache
finish

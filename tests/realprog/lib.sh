# Shared by the real-program tests: run a script natively and under
# forksafe and compare.  Sourced; sets $tmp and $fails.
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL LISTEN_FDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
export HOME=$tmp GIT_CONFIG_NOSYSTEM=1 LC_ALL=C

need() {
	command -v "$1" >/dev/null || { echo "SKIP: $1 is not installed"; exit 77; }
}

# same NAME EXPECTED SCRIPT: runs bash -c SCRIPT in a fresh directory
# without and with forksafe; both must print EXPECTED and exit 0.
same() {
	local name=$1 expected=$2 script=$3 native shim sn ss
	mkdir -p "$tmp/n" "$tmp/s"
	native=$(cd "$tmp/n" && bash -c "$script" 2>&1); sn=$?
	shim=$(cd "$tmp/s" && LD_PRELOAD=$FORKSAFE_SO bash -c "$script" 2>&1); ss=$?
	rm -rf "$tmp/n" "$tmp/s"
	if [ $sn -ne 0 ] || [ "$native" != "$expected" ]; then
		echo "FAIL (without forksafe, status $sn): $name"
		echo "  expected: $expected"; echo "  got:      $native"
		fails=$((fails + 1))
	elif [ $ss -ne 0 ] || [ "$shim" != "$expected" ]; then
		echo "FAIL (under forksafe, status $ss): $name"
		echo "  expected: $expected"; echo "  got:      $shim"
		fails=$((fails + 1))
	else
		echo "ok: $name"
	fi
}

# The module really is loaded in the programs under test.
loaded() {
	LD_PRELOAD=$FORKSAFE_SO bash -c 'grep -q libforksafe /proc/$$/maps' ||
		{ echo "FAIL: the module is not loaded"; exit 1; }
}

finish() {
	echo "$fails failure(s)"
	test $fails -eq 0
}

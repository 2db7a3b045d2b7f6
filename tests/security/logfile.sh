#!/bin/bash
# FORKSAFE_LOG=/path is opened without blocking and without following a
# symlink anywhere on the path, and used only if it is a regular file of
# the effective user that nobody else may write, with one link (or a
# character device).  Anything else is refused, said once with the
# reason, and the reports go to stderr; the program runs as without
# forksafe.  Each case also runs where openat2 fails with ENOSYS (older
# kernels): the path is then walked one directory at a time.
. "$FS_SRCDIR/tests/diag/lib.sh"
prog=$(diagprog mtfork)
noopenat2="$FS_BUILDDIR/tests/security/noopenat2"

# refused NAME PATH WHY [RUNNER]: the log at PATH is refused because of WHY.
refused() {
	local name=$1 path=$2 why=$3 runner=${4:-} st
	timeout 30 $runner env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$path" \
		"$prog" exported >"$T/$name.out" 2>"$T/$name.err"
	st=$?
	check_eq "$name: exit status 0 (no hang)" 0 "$st"
	check "$name: the program finished" grep -qx "ok exported" "$T/$name.out"
	check_eq "$name: refused once, saying why" 1 \
		"$(grep -cF "warning: FORKSAFE_LOG: cannot open $path ($why" "$T/$name.err")"
	check_eq "$name: the report went to stderr" 1 "$(count_events mt-fork "$T/$name.err")"
}

# accepted NAME PATH: reports go to PATH, nothing on stderr.
accepted() {
	local name=$1 path=$2 runner=${3:-}
	$runner env LD_PRELOAD="$FORKSAFE_SO" FORKSAFE_DIAG=1 FORKSAFE_LOG="$path" \
		"$prog" exported >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status 0" 0 "$?"
	check "$name: nothing on stderr" test ! -s "$T/$name.err"
}

runners=("")
if "$noopenat2" true 2>"$T/seccomp.err"; then
	runners+=("$noopenat2")
else
	note "no seccomp filter here ($(cat "$T/seccomp.err")): the walk without openat2 is not tested"
fi

for runner in "${runners[@]}"; do
	v=${runner:+-walk}
	d="$T/d$v"
	mkdir -p "$d/real"

	# A FIFO, with no reader: the open must not block.
	mkfifo "$d/fifo.log"
	refused "fifo$v" "$d/fifo.log" "no such device or address" "$runner"
	# A FIFO with a reader: opened, then refused for its type.
	exec {keep}<>"$d/fifo.log"
	refused "fifo-reader$v" "$d/fifo.log" "a FIFO, not a regular file" "$runner"
	exec {keep}>&-

	# A symlink in a directory of the path.
	ln -s "$d/real" "$d/linkdir"
	refused "dir-symlink$v" "$d/linkdir/fs.log" "a symbolic link is on the path" "$runner"
	check "dir-symlink$v: nothing created through the link" test ! -e "$d/real/fs.log"
	# A symlink as the file itself.
	: >"$d/real/target"
	ln -s "$d/real/target" "$d/file-link.log"
	refused "file-symlink$v" "$d/file-link.log" "a symbolic link is on the path" "$runner"
	check "file-symlink$v: the target is untouched" test ! -s "$d/real/target"

	# Writable by others, several links, a directory.
	install -m 666 /dev/null "$d/open.log"
	refused "mode666$v" "$d/open.log" "writable by group or others (mode 666)" "$runner"
	check "mode666$v: the file is untouched" test ! -s "$d/open.log"
	install -m 620 /dev/null "$d/group.log"
	refused "mode620$v" "$d/group.log" "writable by group or others (mode 620)" "$runner"
	install -m 600 /dev/null "$d/linked.log"
	ln "$d/linked.log" "$d/second-link.log"
	refused "hardlink$v" "$d/linked.log" "has 2 hard links" "$runner"
	check "hardlink$v: the file is untouched" test ! -s "$d/linked.log"
	mkdir "$d/dir.log"
	refused "directory$v" "$d/dir.log" "is a directory" "$runner"

	# Another user's file (root can make one).
	if [ "$(id -u)" = 0 ]; then
		install -m 600 /dev/null "$d/other.log"
		chown nobody "$d/other.log"
		refused "other-owner$v" "$d/other.log" "owned by uid $(id -u nobody)" "$runner"
		check "other-owner$v: the file is untouched" test ! -s "$d/other.log"
	else
		note "not root: another user's file is not tested"
	fi

	# What is accepted: a new file (0600), our own 0644 file, /dev/null.
	accepted "new$v" "$d/real/new.log" "$runner"
	check_eq "new$v: the report is in the file" 1 "$(count_events mt-fork "$d/real/new.log")"
	check_eq "new$v: created 0600" 600 "$(stat -c %a "$d/real/new.log")"
	install -m 644 /dev/null "$d/readable.log"
	accepted "own644$v" "$d/readable.log" "$runner"
	check_eq "own644$v: the report is in the file" 1 "$(count_events mt-fork "$d/readable.log")"
	accepted "devnull$v" /dev/null "$runner"
done
finish

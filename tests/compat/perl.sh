#!/bin/bash
# perl behaves exactly as without forksafe: pipe opens both ways,
# backticks, system, fork + exec of a child given an fd kept inheritable
# by a raised $^F or by clearing FD_CLOEXEC, dup opens, and an fd perl
# itself keeps close-on-exec stays private even when the child is told
# its number.
. "$FS_SRCDIR/tests/compat/lib.sh"
need perl
assert_shim_loaded
assert_shim_loaded perl -e 'open(my $m, "<", "/proc/self/maps") or die; print <$m>'

printf 'line1\nline2\n' >"$T/in"
export IN=$T/in

run_case "open -| and |- pipes" "hi
TO CAT" <<'EOF'
perl -e '
	open(my $r, "-|", "echo", "hi") or die "open -|: $!"; print <$r>; close($r) or die;
	open(my $w, "|-", "tr a-z A-Z") or die "open |-: $!"; print $w "to cat\n"; close($w) or die;
'
EOF
run_case "backticks, system and their statuses" "BT 2
sys
status 3" <<'EOF'
perl -e '
	my @l = `printf "bt\nbt\n" | tr a-z A-Z`; chomp($l[0]); print "$l[0] ", scalar(@l), "\n";
	system("echo sys") == 0 or die; system("sh", "-c", "exit 3"); print "status ", $? >> 8, "\n";
'
EOF
run_case "\$^F = 10: fork + exec of a child reading /dev/fd/N" "line1
line2
3" <<'EOF'
perl -e '
	$^F = 10;
	open(my $f, "<", $ENV{IN}) or die "open: $!";
	my $n = fileno($f);
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) { exec("sh", "-c", "cat /dev/fd/$n; openfds") or die "exec: $!"; }
	waitpid($pid, 0); exit($? >> 8);
'
EOF
run_case "\$^F = 10: a file and a pipe reach a child that knows them by convention" "line1
3 4 5" <<'EOF'
perl -e '
	$^F = 10;
	open(my $f, "<", $ENV{IN}) or die;
	pipe(my $r, my $w) or die;
	$ENV{WHICH} = fileno($f);
	system("sh", "-c", q{head -1 <&$WHICH; openfds}) == 0 or die;
'
EOF
run_case "fcntl F_SETFD 0 makes an fd inheritable" "line1
3" <<'EOF'
perl -e '
	use Fcntl;
	open(my $f, "<", $ENV{IN}) or die;
	fcntl($f, F_SETFD, 0) or die "fcntl: $!";
	$ENV{WHICH} = fileno($f);
	exec("sh", "-c", q{head -1 <&$WHICH; openfds}) or die;
'
EOF
run_case "an fd perl keeps close-on-exec stays private, even named in argv" "none
closed" <<'EOF'
perl -e '
	open(my $f, "<", $ENV{IN}) or die;
	my $n = fileno($f);
	system("openfds", $n, "/dev/fd/$n") == 0 or die;
	system("sh", "-c", "cat /dev/fd/$n 2>/dev/null || echo closed");
'
EOF
run_case "open >& and <& dups, and a child writing to the dup" "dup
line1
3 4 5
to the dup" <<'EOF'
perl -e '
	$^F = 10;
	open(my $out, ">", "o") or die;
	open(my $dup, ">&", $out) or die "dup: $!";
	open(my $in, "<", $ENV{IN}) or die;
	open(my $in2, "<&=", fileno($in)) or die "fdopen: $!";
	print "dup\n";
	$ENV{A} = fileno($in2); $ENV{B} = fileno($dup);
	system("sh", "-c", q{head -1 <&$A; openfds; echo to the dup >&$B}) == 0 or die;
	close($dup); close($out);
	open(my $o, "<", "o") or die; print <$o>;
'
EOF
run_case "STDOUT and STDERR redirected around system" "to file
err" <<'EOF'
perl -e '
	open(my $save, ">&", \*STDOUT) or die;
	open(STDOUT, ">", "f") or die;
	system("echo to file");
	open(STDOUT, ">&", $save) or die;
	open(STDERR, ">&", \*STDOUT) or die;
	system("sh -c \"echo err >&2\"");
	open(my $f, "<", "f") or die; print STDOUT <$f>;
' | sort -r
EOF
finish

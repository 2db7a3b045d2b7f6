#!/bin/bash
# perl: pipe opens, backticks, system, fork+exec with $^F raised.
. "$FS_SRCDIR/tests/realprog/lib.sh"
need perl
same "perl -| and |- pipe opens" "hi
PIPED" 'perl -e '"'"'open(my $r, "-|", "echo", "hi") or die; print <$r>; open(my $w, "|-", "tr a-z A-Z") or die; print $w "piped\n"; close $w'"'"
same "perl backticks and system" "3
ok" 'perl -e '"'"'print `printf "a\nb\nc\n" | wc -l`; system("echo ok")'"'"
same "perl \$^F raised: a child reads /dev/fd/N" "root" 'perl -e '"'"'$^F = 10; open(my $f, "<", "/etc/passwd") or die; my $n = fileno($f); exec("sh", "-c", "head -1 /dev/fd/$n | cut -d: -f1")'"'"
same "perl dup of a handle" "dup" 'perl -e '"'"'open(my $d, ">&", \*STDOUT) or die; print $d "dup\n"'"'"
finish

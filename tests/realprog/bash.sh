#!/bin/bash
# bash under forksafe behaves exactly as without it: pipelines, exec N<file
# read by children, process substitution, here-docs, coprocesses.
. "$FS_SRCDIR/tests/realprog/lib.sh"
loaded
printf 'line1\nline2\n' >"$tmp/in"
export IN=$tmp/in
same "pipeline" "a" "printf 'b\na\n' | sort | head -1"
same "exec 3<file, child reads /dev/fd/3" "line1 line2" 'exec 3<"$IN"; cat /dev/fd/3 | tr "\n" " " | sed "s/ \$//"'
same "exec 3<file, child reads <&3" "line1" 'exec 3<"$IN"; head -1 <&3'
same "exec 3<file, sh -c reads <&3" "line1" 'exec 3<"$IN"; sh -c "head -1 <&3"'
same "exec 6<file, a child that just knows fd 6" "line1" 'exec 6<"$IN"; sh -c "read l <&6; echo \$l"; true'
same "exec 7<file, python reads fd 7 by number in code" "line1" \
	'exec 7<"$IN"; python3 -c "import os; print(os.read(7, 5).decode())"'
same "flock on exec 9>lock" "locked" 'exec 9>lock; flock -n 9 && echo locked'
same "exec 4>out, child writes >&4" "hi" 'exec 4>out; sh -c "echo hi >&4"; cat out'
same "process substitution" "same" 'diff <(printf a) <(printf a) && echo same'
same "process substitution read by cat" "x" 'cat <(echo x)'
same "here-doc" "2" 'wc -l <<EOT
one
two
EOT'
same "here-string" "1" 'wc -l <<<"x"'
same "command substitution" "3" 'echo $(printf "a\nb\nc\n" | wc -l)'
same "coproc" "HI" 'coproc tr a-z A-Z; echo hi >&${COPROC[1]}; exec {COPROC[1]}>&-; read -r l <&${COPROC[0]}; echo $l'
same "redirections 2>&1" "err" 'sh -c "echo err >&2" 2>&1'
same "subshell and pipes" "4" '( echo 1; echo 2 ) | ( cat; echo 3; echo 4 ) | tail -1'
finish

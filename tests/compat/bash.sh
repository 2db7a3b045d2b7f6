#!/bin/bash
# bash behaves exactly as without forksafe: pipelines, fds opened with
# exec and used by children in every usual way, process substitution,
# here-documents, command substitution, coprocesses, read -u and
# redirections.  The programs bash runs (sort, cat, head, flock, diff...)
# load the module and are forced; bash itself is a shell.
. "$FS_SRCDIR/tests/compat/lib.sh"
assert_shim_loaded
assert_shim_loaded bash -c 'cat /proc/$$/maps'

printf 'line1\nline2\n' >"$T/in"
export IN=$T/in

run_case "pipeline" "a" <<'EOF'
printf 'b\na\n' | sort | head -1
EOF
run_case "PIPESTATUS of a pipeline" "1 0 3" <<'EOF'
false | cat | (exit 3); echo "${PIPESTATUS[*]}"
EOF
run_case "exec 3<file, child reads /dev/fd/3 and /proc/self/fd/3" "line1 line2 line1" <<'EOF'
exec 3<"$IN"
echo $(cat /dev/fd/3) $(head -1 /proc/self/fd/3)
EOF
run_case "exec 3<file, child reads <&3" "line1" <<'EOF'
exec 3<"$IN"; head -1 <&3
EOF
run_case "exec 3<file, sh -c reads <&3" "line1" <<'EOF'
exec 3<"$IN"; sh -c 'head -1 <&3'
EOF
run_case "exec 3<file, the child shares the offset" "line2" <<'EOF'
exec 3<"$IN"; read -r first <&3; sh -c 'cat <&3'
EOF
run_case "fds exec opened reach children that only know their numbers" "3 4 7
3 4 7
3 4 7" <<'EOF'
exec 3<"$IN" 4>out 7<>rw
openfds; env openfds; sh -c openfds
EOF
run_case "exec {fd}<file reaches a child" "10
10
line1" <<'EOF'
exec {fd}<"$IN"; echo "$fd"; openfds; cat /dev/fd/$fd | head -1
EOF
run_case "flock -n 9 on exec 9>lockfile holds the lock" "locked
busy
free" <<'EOF'
exec 9>lockfile
flock -n 9 && echo locked
flock -n lockfile true || echo busy
exec 9>&-
flock -n lockfile true && echo free
EOF
run_case "exec 4>out, child writes >&4" "hi
there" <<'EOF'
exec 4>out; sh -c 'echo hi >&4'; echo there >&4; exec 4>&-; cat out
EOF
run_case "process substitution compared by diff" "same" <<'EOF'
diff <(printf a) <(printf a) && echo same
EOF
run_case "process substitution read by cat" "x" <<'EOF'
cat <(echo x)
EOF
run_case "process substitution as a redirection and with tee" "procsub
HI" <<'EOF'
exec 3< <(echo procsub); cat <&3
tee >(tr a-z A-Z >up) >/dev/null <<<hi; wait $!; cat up
EOF
run_case "source and mapfile from process substitution" "sourced 3" <<'EOF'
source <(echo 'x=sourced'); mapfile -t a < <(printf '1\n2\n3\n'); echo "$x ${#a[@]}"
EOF
run_case "here-document" "hello 2
world" <<'EOF'
cat <<EOT
hello $((1 + 1))
world
EOT
EOF
run_case "here-document larger than a pipe" "100001" <<'EOF'
wc -c <<EOT
$(head -c 100000 /dev/zero | tr '\0' x)
EOT
EOF
run_case "here-strings" "1 4" <<'EOF'
echo $(wc -l <<<"x") $(wc -c <<<"abc")
EOF
run_case "command substitution" "2 run 3" <<'EOF'
echo "$(printf 'a\nb\n' | wc -l) $(basename "$(pwd)") $(echo $(echo $(echo 3)))"
EOF
# bash unsets COPROC when it reaps the coprocess, which may happen before
# the read: its output fd is copied first.
run_case "coproc" "HI" <<'EOF'
coproc tr a-z A-Z
exec {out}<&"${COPROC[0]}"
echo hi >&"${COPROC[1]}"
exec {COPROC[1]}>&-
read -r l <&"$out"; echo "$l"; wait
EOF
run_case "coproc fds are not passed to other children" "none" <<'EOF'
coproc cat; openfds; exec {COPROC[1]}>&-; wait
EOF
run_case "read -u" "line2 line1" <<'EOF'
exec 5<"$IN"; read -r -u 5 a; read -r -u 5 b; echo "$b $a"
EOF
run_case "redirections 2>&1 and >&2" "err
1
out" <<'EOF'
sh -c 'echo err >&2' 2>&1
cat /nonexistent 2>&1 | wc -l
{ echo out >&2; } 2>&1
EOF
run_case "background job and wait" "0 7" <<'EOF'
sleep 0.1 & a=$!; sh -c 'exit 7' & b=$!
wait $a; x=$?; wait $b; echo "$x $?"
EOF
run_case "a script file: its own fd stays private, exec'd fds pass" "none
3" <<'EOF'
printf 'openfds\n' >s.sh
bash s.sh
exec 3<"$IN"; bash s.sh
EOF
finish

#!/bin/bash
# coreutils, findutils, tar and util-linux's flock behave exactly as
# without forksafe: find -exec, xargs -P2, sort spilling to temporary
# files (plain and compressed by gzip children), tar through
# a pipe and through gzip, split --filter, env, timeout, nohup, stdbuf;
# fds the shell opened reach the commands these programs run; and
# flock FILE COMMAND lets COMMAND hold the lock, as flock(1) documents
# (its -o option exists to close that fd).
. "$FS_SRCDIR/tests/compat/lib.sh"
assert_shim_loaded
assert_shim_loaded env cat /proc/self/maps

printf 'line1\nline2\n' >"$T/in"
export IN=$T/in

# A small tree: d/x/f1..f5 hold 1..5, d/y/g1..g5 hold 11..55.
export TREE='mkdir -p d/x d/y && for i in 1 2 3 4 5; do echo $i >d/x/f$i; echo $i$i >d/y/g$i; done'

run_case "find -exec with + and with \\;" "1 2 3 4 5 11 22 33 44 55
f1 f2 f3 f4 f5" <<'EOF'
eval "$TREE"
find d -type f -exec cat {} + | sort -n | tr '\n' ' ' | sed 's/ $//'; echo
find d -name 'f*' -exec sh -c 'basename "$1"' _ {} \; | sort | tr '\n' ' ' | sed 's/ $//'; echo
EOF
run_case "xargs -P2" "1 2 3 4 5 11 22 33 44 55
2 slots" <<'EOF'
eval "$TREE"
find d -type f -print0 | xargs -0 -P2 -n2 cat | sort -n | tr '\n' ' ' | sed 's/ $//'; echo
# The first two commands meet at a FIFO: each one's open waits for the
# other's, so they run at once, in the two slots.
mkfifo meet
seq 1 6 | xargs -P2 -n1 --process-slot-var=SLOT sh -c \
	'case $0 in 1) : <meet ;; 2) : >meet ;; esac; echo $SLOT' | sort -u | wc -l | sed 's/$/ slots/'
EOF
run_case "sort spilling to temporary files, plain and compressed by gzip children" "sorted
sorted
sorted
sorted" <<'EOF'
seq 1 6000 >want
shuf --random-source=want want >big
mkdir t
sort -n -S 64K -T t big | cmp -s - want && echo sorted
sort -n -S 64K -T t --parallel=2 big | cmp -s - want && echo sorted
sort -n -S 64K -T t --compress-program=gzip big | cmp -s - want && echo sorted
sort -n -S 64K -T t --batch-size=2 --parallel=2 --compress-program=gzip big | cmp -s - want && echo sorted
EOF
run_case "tar through a pipe and through gzip" "same
d/x/f1
d/y/g5
2
25
3" <<'EOF'
eval "$TREE"
mkdir out && tar cf - d | tar xf - -C out && diff -r d out/d && echo same
tar czf - d | tar tzf - | grep -E 'f1|g5' | sort
tar -I 'gzip -1' -cf a.tgz d && tar -xzf a.tgz -O d/x/f2
tar cf a.tar d && tar xf a.tar --to-command='wc -c' | awk '{ s += $1 } END { print s }'
tar xf a.tar -O d/x/f3
EOF
run_case "split --filter, comm and paste of process substitutions" "3 3 3 1
2
1	1
2	2" <<'EOF'
seq 10 | split -l 3 --filter='wc -l' | tr '\n' ' ' | sed 's/ $//'; echo
comm -12 <(printf '1\n2\n') <(printf '2\n3\n')
paste <(seq 2) <(seq 2)
EOF
run_case "env, timeout, nohup, stdbuf" "A=1
B=2
0 124 137
nohup ran
2" <<'EOF'
env -i A=1 B=2 env
timeout 5 true; a=$?; timeout 0.2 sleep infinity; b=$?
{ timeout -s KILL 0.2 sleep infinity; } 2>/dev/null; echo "$a $b $?"
nohup sh -c 'echo nohup ran'
stdbuf -oL printf 'a\nb\n' | wc -l
EOF
run_case "fds the shell opened reach what env, timeout, nice, nohup, xargs, find run" "3 5
3 5
3 5
3 5
3 5
3 5
line1" <<'EOF'
exec 3<"$IN" 5>o
env openfds; timeout 5 openfds; nice openfds; nohup openfds
echo | xargs openfds; find . -maxdepth 0 -exec openfds \;
env sh -c 'head -1 <&3'
EOF
run_case "flock FILE COMMAND: the command holds the lock; -o closes it" "3
held
free
none" <<'EOF'
flock lk openfds
flock lk sh -c 'sleep infinity >/dev/null 2>&1 & echo $! >pid'
flock -n lk true && echo free || echo held
kill "$(cat pid)"
flock -w 5 lk true && echo free || echo held
flock -o lk openfds
EOF
finish

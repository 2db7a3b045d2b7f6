#!/bin/bash
# make bench: what forksafe costs and what it saves (DESIGN §6).
# Ratios come from runs alternated side by side (medians of 7); repeatable
# figures from user-space instruction counts (valgrind callgrind).
# Writes bench/results.md and prints it.
set -u
B=${FS_BUILDDIR:?}
SO=$B/src/.libs/libforksafe.so
calls=$B/bench/calls
forks=$B/bench/forks
out=$B/bench/results.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LD_PRELOAD MAKEFLAGS MFLAGS
for v in $(env | sed -n 's/^\(FORKSAFE_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
command -v valgrind >/dev/null || { echo "bench: valgrind is needed (apt-get install valgrind)"; exit 1; }

cc -shared -fPIC -O2 -o "$work/empty.so" "${FS_SRCDIR:-$B/..}/bench/empty.c"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -g | awk '{a[NR]=$1} END {printf "%s-%s", a[1], a[NR]}'; }
# The largest count: valgrind also follows fork children, which report
# their own (smaller) totals.
instr() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
	sed -n 's/.*Collected : *//p' | sort -n | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b / a}'; }

# Alternates native and forksafe runs of a command printing one number;
# prints "native_median shim_median ratio shim_spread".
alternate() { # env-for-shim... -- cmd...
	local shimenv=() n s
	while [ "$1" != -- ]; do shimenv+=("$1"); shift; done; shift
	: >"$work/n"; : >"$work/s"
	for i in 1 2 3 4 5 6 7; do
		"$@" >>"$work/n"
		env LD_PRELOAD="$SO" "${shimenv[@]}" "$@" >>"$work/s"
	done
	n=$(median <"$work/n"); s=$(median <"$work/s")
	echo "$n $s $(ratio "$n" "$s") $(spread <"$work/s")"
}

machine="$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), Linux $(uname -r), glibc $(ldd --version | head -1 | awk '{print $NF}')"
{
echo "# forksafe benchmark results"
echo
echo "Measured $(date -u +%Y-%m-%d) on $machine, with \`make bench\`."
echo "Instructions: user-space, valgrind callgrind (repeatable). Times: medians of 7 runs"
echo "alternated with and without forksafe; ratio = forksafe / native."
echo
echo "## 1. Per call (create + close)"
echo
echo "| call | native instr | added instr | native ns | forksafe ns | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
} >"$out"
for w in open openat dup pipe socket accept fopen; do
	n1=$(instr "$calls" $w 1000); n2=$(instr "$calls" $w 3000)
	s1=$(LD_PRELOAD=$SO instr "$calls" $w 1000); s2=$(LD_PRELOAD=$SO instr "$calls" $w 3000)
	native=$(( (n2 - n1) / 2000 )); added=$(( (s2 - s1 - n2 + n1) / 2000 ))
	iters=100000; [ $w = fopen ] && iters=50000; [ $w = accept ] && iters=20000
	read -r tn ts r sp <<<"$(alternate -- "$calls" $w $iters)"
	echo "| $w | $native | $added | $tn | $ts | $r |" >>"$out"
done

n=$(LD_PRELOAD=$work/empty.so instr /bin/true); s=$(LD_PRELOAD=$SO instr /bin/true)
b=$(instr /bin/true)
{
echo
echo "## 2. Start-up (/bin/true)"
echo
echo "| | instructions | ratio to an empty preload |"
echo "|---|---:|---:|"
echo "| no preload | $b | |"
echo "| empty preloaded library | $n | 1.000 |"
echo "| libforksafe.so | $s | $(ratio "$n" "$s") |"
} >>"$out"

{
echo
echo "## 3. fork decision"
echo
echo "fork+_exit+waitpid; added = instructions forksafe adds in the parent per fork."
echo "Times: medians of 15 runs of 500 forks, alternating native, an empty preloaded"
echo "library (what preloading anything costs a fork) and forksafe; ratio = forksafe /"
echo "empty preload, with the interquartile range of the forksafe runs."
echo
echo "| case | added instr | native µs | empty preload µs | forksafe µs | ratio | forksafe IQR µs |"
echo "|---|---:|---:|---:|---:|---:|---:|"
} >>"$out"
quartiles() { sort -g | awk '{a[NR]=$1} END {printf "%s-%s", a[int(NR/4)+1], a[int(3*NR/4)+1]}'; }
for c in "single-threaded, default:0:" "2 threads, default (allow):1:" \
	 "2 threads, thread count on (FORKSAFE_CHILD_LOCKS=abort):1:FORKSAFE_CHILD_LOCKS=abort"; do
	name=${c%%:*}; rest=${c#*:}; th=${rest%%:*}; e=${rest#*:}
	envs=(); [ -n "$e" ] && envs=("$e")
	n1=$(instr "$forks" 100 "$th"); n2=$(instr "$forks" 300 "$th")
	s1=$(env "${envs[@]}" LD_PRELOAD=$SO valgrind --tool=callgrind --callgrind-out-file=/dev/null "$forks" 100 "$th" 2>&1 | sed -n 's/.*Collected : *//p' | sort -n | tail -1)
	s2=$(env "${envs[@]}" LD_PRELOAD=$SO valgrind --tool=callgrind --callgrind-out-file=/dev/null "$forks" 300 "$th" 2>&1 | sed -n 's/.*Collected : *//p' | sort -n | tail -1)
	added=$(( (s2 - s1 - n2 + n1) / 200 ))
	: >"$work/fn"; : >"$work/fe"; : >"$work/fs"
	for i in $(seq 15); do
		"$forks" 500 "$th" >>"$work/fn"
		env "${envs[@]}" LD_PRELOAD="$work/empty.so" "$forks" 500 "$th" >>"$work/fe"
		env "${envs[@]}" LD_PRELOAD="$SO" "$forks" 500 "$th" >>"$work/fs"
	done
	tn=$(median <"$work/fn"); te=$(median <"$work/fe"); ts=$(median <"$work/fs")
	echo "| $name | $added | $tn | $te | $ts | $(ratio "$te" "$ts") | $(quartiles <"$work/fs") |" >>"$out"
done

n1=$(instr "$calls" mutex 100000); n2=$(instr "$calls" mutex 300000)
s1=$(LD_PRELOAD=$SO instr "$calls" mutex 100000); s2=$(LD_PRELOAD=$SO instr "$calls" mutex 300000)
read -r tn ts r sp <<<"$(alternate -- "$calls" mutex 20000000)"
{
echo
echo "## 4. Locks in the parent (uncontended pthread_mutex_lock + unlock)"
echo
echo "| native instr | added instr | native ns | forksafe ns | ratio |"
echo "|---:|---:|---:|---:|---:|"
echo "| $(( (n2 - n1) / 200000 )) | $(( (s2 - s1 - n2 + n1) / 200000 )) | $tn | $ts | $r |"
} >>"$out"

{
echo
echo "## 5. fork+exec against parent size (2 threads, memory touched)"
echo
echo "| parent size | fork+exec µs | posix_spawn µs | FORKSAFE_FORK=spawn µs |"
echo "|---:|---:|---:|---:|"
} >>"$out"
for mib in 0 256 1024 2048 4096; do
	n=$(( mib >= 2048 ? 10 : 30 ))
	f=$("$forks" $n 1 $mib exec); p=$("$forks" $n 1 $mib spawn)
	sp=$(FORKSAFE_FORK=spawn LD_PRELOAD=$SO "$forks" $n 1 $mib exec 2>/dev/null)
	echo "$mib $f $p $sp" >>"$work/spawn.dat"
	echo "| $mib MiB | $f | $p | $sp |" >>"$out"
done
if command -v gnuplot >/dev/null; then
	gnuplot <<GP 2>/dev/null && echo "![fork+exec latency](spawn.png)" >>"$out"
set terminal png noenhanced size 760,440
set output "$B/bench/spawn.png"
set title "fork+exec latency against parent size (2 threads, memory touched)"
set xlabel "parent memory (MiB)"; set ylabel "µs per child (log scale)"; set logscale y
set key left top; set grid
plot "$work/spawn.dat" using 1:2 with linespoints title "fork+exec", \
     "$work/spawn.dat" using 1:3 with linespoints title "posix_spawn", \
     "$work/spawn.dat" using 1:4 with linespoints title "FORKSAFE_FORK=spawn"
GP
fi

# 6. Real workloads: a script of 2000 short commands, make -j2 of 200 files.
cat >"$work/script.sh" <<'SH'
for i in $(seq 500); do /bin/true; echo $i >/dev/null; cat /etc/hostname >/dev/null; expr $i + 1 >/dev/null; ls / >/dev/null; done
SH
mkdir "$work/proj"
for i in $(seq 200); do echo "int f$i(int x) { return x * $i; }" >"$work/proj/f$i.c"; done
printf 'OBJ := $(patsubst %%.c,%%.o,$(wildcard *.c))\nall: $(OBJ)\n%%.o: %%.c\n\t@cc -O1 -c $< -o $@\n' >"$work/proj/Makefile"
timed() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
: >"$work/sn"; : >"$work/ss"; : >"$work/mn"; : >"$work/ms"
for i in 1 2 3; do
	timed bash "$work/script.sh" >>"$work/sn"
	LD_PRELOAD=$SO timed bash "$work/script.sh" >>"$work/ss"
	(cd "$work/proj" && rm -f ./*.o && timed make -j2) >>"$work/mn"
	(cd "$work/proj" && rm -f ./*.o && LD_PRELOAD=$SO timed make -j2) >>"$work/ms"
done
{
echo
echo "## 6. Real workloads (whole job, ms, median of 3 alternated)"
echo
echo "| job | native | forksafe | ratio |"
echo "|---|---:|---:|---:|"
echo "| shell script, 2500 short commands | $(median <"$work/sn") | $(median <"$work/ss") | $(ratio "$(median <"$work/sn")" "$(median <"$work/ss")") |"
echo "| make -j2, 200 C files | $(median <"$work/mn") | $(median <"$work/ms") | $(ratio "$(median <"$work/mn")" "$(median <"$work/ms")") |"
} >>"$out"
cat "$out"

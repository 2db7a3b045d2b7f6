#!/bin/bash
# make bench: what forksafe costs and what it saves (DESIGN §6).
# Ratios come from runs alternated side by side (medians, with the spread
# min-max or the interquartile range); repeatable figures from user-space
# instruction counts (valgrind callgrind).  The baseline for what loading
# forksafe costs is an empty preloaded library (bench/empty.c): what any
# LD_PRELOAD costs is not forksafe's.  Writes bench/results.md, ending in
# a table of the targets met or not (issue 16), and prints it.
set -u
B=${FS_BUILDDIR:?}
SO=$B/src/.libs/libforksafe.so
calls=$B/bench/calls
forks=$B/bench/forks
minflt=$B/bench/minflt
out=$B/bench/results.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LD_PRELOAD MAKEFLAGS MFLAGS
for v in $(env | sed -n 's/^\(FORKSAFE_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
command -v valgrind >/dev/null || { echo "bench: valgrind is needed (apt-get install valgrind)"; exit 1; }

cc -shared -fPIC -O2 -o "$work/empty.so" "${FS_SRCDIR:-$B/..}/bench/empty.c"
# Both preloaded libraries are loaded from paths of the same length: the
# dynamic loader's work and the pages of the new process's stack grow
# with the length of LD_PRELOAD (a build tree's deep path costs /bin/true
# about two page faults more than /tmp/x.so), which is not forksafe's.
cp "$SO" "$work/fsafe.so"
SO=$work/fsafe.so

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -g | awk '{a[NR]=$1} END {printf "%s-%s", a[1], a[NR]}'; }
# The targets, one line each in $work/targets: what, target, measured, met.
target() { # what limit value (met when value <= limit)
	printf '| %s | ≤ %s | %s | %s |\n' "$1" "$2" "$3" \
		"$(awk -v v="$3" -v l="$2" 'BEGIN {print (v + 0 <= l + 0) ? "yes" : "no"}')" >>"$work/targets"
}
: >"$work/targets"
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
echo "Added instr: what forksafe adds to one create+close pair (callgrind, the"
echo "difference between 1000 and 3000 pairs).  Times: medians of 7 alternated runs."
echo
echo "| call | native instr | added instr | target | native ns | forksafe ns | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$out"
for w in open openat dup pipe socket accept fopen; do
	n1=$(instr "$calls" $w 1000); n2=$(instr "$calls" $w 3000)
	s1=$(LD_PRELOAD=$SO instr "$calls" $w 1000); s2=$(LD_PRELOAD=$SO instr "$calls" $w 3000)
	native=$(( (n2 - n1) / 2000 )); added=$(( (s2 - s1 - n2 + n1) / 2000 ))
	iters=100000; [ $w = fopen ] && iters=50000; [ $w = accept ] && iters=20000
	read -r tn ts r sp <<<"$(alternate -- "$calls" $w $iters)"
	case $w in open|openat|socket|dup) lim=30 ;; fopen) lim=60 ;; *) lim= ;; esac
	echo "| $w | $native | $added | ${lim:+≤ $lim} | $tn | $ts | $r |" >>"$out"
	[ -n "$lim" ] && target "$w + close, added instructions" "$lim" "$added"
done

n=$(LD_PRELOAD=$work/empty.so instr /bin/true); s=$(LD_PRELOAD=$SO instr /bin/true)
b=$(instr /bin/true)
# Minor page faults of one run (minflt: the child's own count), 21 runs
# of each alternated.
: >"$work/pb"; : >"$work/pe"; : >"$work/ps"
for i in $(seq 21); do
	"$minflt" "" /bin/true >>"$work/pb"
	"$minflt" "$work/empty.so" /bin/true >>"$work/pe"
	"$minflt" "$SO" /bin/true >>"$work/ps"
done
pb=$(median <"$work/pb"); pe=$(median <"$work/pe"); ps=$(median <"$work/ps")
{
echo
echo "## 2. Start-up (/bin/true)"
echo
echo "Instructions: callgrind, one run (repeatable).  Page faults: minor faults of"
echo "the process, median and min-max of 21 runs alternated."
echo
echo "| | instructions | ratio to an empty preload | page faults | spread | ratio to an empty preload |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| no preload | $b | $(ratio "$n" "$b") | $pb | $(spread <"$work/pb") | $(ratio "$pe" "$pb") |"
echo "| empty preloaded library | $n | 1.000 | $pe | $(spread <"$work/pe") | 1.000 |"
echo "| libforksafe.so | $s | $(ratio "$n" "$s") | $ps | $(spread <"$work/ps") | $(ratio "$pe" "$ps") |"
} >>"$out"
target "start-up instructions / empty preload" 1.05 "$(ratio "$n" "$s")"
target "start-up page faults / empty preload" 1.03 "$(ratio "$pe" "$ps")"

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

# 6. Real workloads: a script of 2500 short commands (500 rounds of 4
# programs and a builtin), make -j2 of 200 files; each run natively, with
# the empty preload and with forksafe, alternated.
cat >"$work/script.sh" <<'SH'
for i in $(seq 500); do /bin/true; echo $i >/dev/null; cat /etc/hostname >/dev/null; expr $i + 1 >/dev/null; ls / >/dev/null; done
SH
mkdir "$work/proj"
for i in $(seq 200); do echo "int f$i(int x) { return x * $i; }" >"$work/proj/f$i.c"; done
printf 'OBJ := $(patsubst %%.c,%%.o,$(wildcard *.c))\nall: $(OBJ)\n%%.o: %%.c\n\t@cc -O1 -c $< -o $@\n' >"$work/proj/Makefile"
# ms of one run of a command, with LD_PRELOAD=$1 ("" for none).
timed() {
	local pre=$1 t0 t1
	shift
	t0=${EPOCHREALTIME/./}
	if [ -n "$pre" ]; then LD_PRELOAD=$pre "$@"; else "$@"; fi >/dev/null 2>&1
	t1=${EPOCHREALTIME/./}
	echo $(( (t1 - t0) / 1000 ))
}
for f in sn se ss mn me ms; do : >"$work/$f"; done
for i in $(seq 15); do
	timed "" bash "$work/script.sh" >>"$work/sn"
	timed "$work/empty.so" bash "$work/script.sh" >>"$work/se"
	timed "$SO" bash "$work/script.sh" >>"$work/ss"
done
for i in 1 2 3 4 5; do
	for c in "mn:" "me:$work/empty.so" "ms:$SO"; do
		(cd "$work/proj" && rm -f ./*.o && timed "${c#*:}" make -j2) >>"$work/${c%%:*}"
	done
done
# The ratio of each round's forksafe run to the run just before it (the
# machine's slow and fast moments touch both), median and quartiles.
paired() { # baseline forksafe
	paste "$work/$1" "$work/$2" | awk '{printf "%.3f\n", $2 / $1}' >"$work/pr"
	echo "$(median <"$work/pr") ($(quartiles <"$work/pr"))"
}
row() { # name native empty forksafe
	local n e f
	n=$(median <"$work/$2"); e=$(median <"$work/$3"); f=$(median <"$work/$4")
	echo "| $1 | $n ($(spread <"$work/$2")) | $e ($(spread <"$work/$3")) | $f ($(spread <"$work/$4")) | $(paired "$3" "$4") | $(paired "$2" "$4") |"
}
{
echo
echo "## 6. Real workloads (whole job, ms: median (min-max), alternated)"
echo
echo "Shell script: 15 runs each; make: 5 runs each.  Ratios: the median (and"
echo "interquartile range) of each round's forksafe run over the baseline run of"
echo "the same round."
echo
echo "| job | native | empty preload | forksafe | forksafe / empty | forksafe / native |"
echo "|---|---:|---:|---:|---:|---:|"
row "shell script, 2500 short commands" sn se ss
row "make -j2, 200 C files" mn me ms
} >>"$out"
target "shell script wall time / empty preload" 1.05 "$(paired se ss | cut -d' ' -f1)"

{
echo
echo "## Targets (issue 16)"
echo
echo "| what | target | measured | met |"
echo "|---|---:|---:|---|"
cat "$work/targets"
} >>"$out"
cat "$out"

#!/bin/bash
# Short libFuzzer runs of every parser of untrusted input (the
# FORKSAFE_* values, the fd references of argv and environment, the logs
# forksafe report reads), from the checked-in seed corpora
# (tests/fuzz/corpus/*), under AddressSanitizer and
# UndefinedBehaviorSanitizer.  Fails on any crash, hang (-timeout) or
# sanitizer report.  FUZZ_SECONDS sets the time per target (default 10);
# `make fuzz` runs them longer.  Skips (77) only when clang cannot build
# a libFuzzer target.
src=${FS_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib.sh"
out=${FS_BUILDDIR:-.}/tests/fuzz
seconds=${FUZZ_SECONDS:-10}
CLANG=${CLANG:-clang}
mkdir -p "$out"

probe=$out/probe.c
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$probe"
"$CLANG" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" 2>/dev/null ||
	skip "$CLANG cannot build libFuzzer targets (apt-get install clang libclang-rt-14-dev)"

for target in fdref parse report; do
	bin=$out/fuzz_$target
	case $target in
	report) sources=("-I$src/tools" "$src/tools/jsonline.c" "$src/tools/report.c"
			 "$src/tools/report_print.c") ;;
	*) sources=("-I$src/src" "$src/src/core/parse.c" "$src/src/core/fdref.c" "$src/src/core/sbuf.c") ;;
	esac
	"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		"$src/tests/fuzz/fuzz_$target.c" "${sources[@]}" -o "$bin" ||
		{ fail "fuzz_$target does not build"; continue; }
	corpus=$T/corpus-$target
	mkdir "$corpus"
	cp "$src/tests/fuzz/corpus/$target/"* "$corpus/"
	log=$out/fuzz_$target.out
	if "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
		"$corpus" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		pass "fuzz_$target: ${runs:-?} executions in ${seconds}s, no crash, no sanitizer report"
	else
		fail "fuzz_$target"
		tail -n 40 "$log" >&2
	fi
done
finish

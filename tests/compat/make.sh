#!/bin/bash
# GNU make behaves exactly as without forksafe: make -j4 hands its jobserver
# pipe to a recursive $(MAKE), which sees --jobserver-auth in MAKEFLAGS,
# prints no "jobserver unavailable" warning and really runs jobs in
# parallel; a sub-make make does not know to be recursive still gets no
# jobserver; output sync and recipes with sh -c pipelines work.
. "$FS_SRCDIR/tests/compat/lib.sh"
need make
assert_shim_loaded
assert_shim_loaded make -s -f /dev/stdin <<<$'all:\n\t@cat /proc/$$PPID/maps'

# The sub-make's targets a and b each wait for the other to have started
# (polling every 50 ms; the deadline, 30 s or $TRIES polls, only guards
# against a hang): they both finish only when the sub-make runs them in
# parallel.  Run alone (make -j1), a says so at its deadline.
cat >"$T/sub.mk" <<'EOF'
all: a b
	@echo "sub: $(patsubst --jobserver-auth=%,--jobserver-auth=R$(comma)W,$(filter --jobserver-auth=%,$(MAKEFLAGS)))"
comma := ,
a b:
	@touch $@.started; i=0; \
	while [ ! -e $(if $(filter a,$@),b,a).started ]; do \
		i=$$((i + 1)); [ $$i -lt $${TRIES:-600} ] || { echo "$@ ran alone"; exit 1; }; \
		sleep 0.05; \
	done; echo "$@ ran"
.PHONY: all a b
EOF
export SUBMK=$T/sub.mk

run_case "make -j4 with a recursive \$(MAKE): jobserver, parallel sub-make" "a ran
b ran
sub: --jobserver-auth=R,W
top" <<'EOF'
mkdir sub && cp "$SUBMK" sub/Makefile
printf 'all: sub top\nsub:\n\t@$(MAKE) -s -C sub\ntop:\n\t@echo top\n.PHONY: all sub top\n' >Makefile
make -j4 --no-print-directory >log 2>&1; s=$?
sort log; exit $s
EOF
run_case "make -j4 -Otarget, the sub-make run through sh -c" "a ran
b ran
sub: --jobserver-auth=R,W
top" <<'EOF'
mkdir sub && cp "$SUBMK" sub/Makefile
printf 'all: sub top\nsub:\n\t@cd sub && $(MAKE) -s\ntop:\n\t@echo top\n.PHONY: all sub top\n' >Makefile
make -j4 -Otarget --no-print-directory >log 2>&1; s=$?
sort log; exit $s
EOF
run_case "two sub-makes share the jobserver of make -j4" "a ran
a ran
b ran
b ran
sub: --jobserver-auth=R,W
sub: --jobserver-auth=R,W" <<'EOF'
mkdir s1 s2 && cp "$SUBMK" s1/Makefile && cp "$SUBMK" s2/Makefile
printf 'all: s1 s2\ns1 s2:\n\t@$(MAKE) -s -C $@\n.PHONY: all s1 s2\n' >Makefile
make -j4 --no-print-directory >log 2>&1; s=$?
sort log; exit $s
EOF
run_case "a plain 'make' in a recipe is not given the jobserver" "a
b
make[1]: warning: jobserver unavailable: using -j1.  Add '+' to parent make rule." <<'EOF'
mkdir sub
printf 'all:\n\tmake -s -C sub\n' >Makefile
printf 'all: a b\na b:\n\t@echo $@\n' >sub/Makefile
make -s -j4 --no-print-directory >log 2>&1; s=$?
sort log; exit $s
EOF
run_case "make -j1 leaves the sub-make without a jobserver" "a ran alone
make[1]: *** [Makefile:5: a] Error 1
make: *** [Makefile:3: sub] Error 2" 2 <<'EOF'
mkdir sub && cp "$SUBMK" sub/Makefile
printf 'all: sub\nsub:\n\t@$(MAKE) -s -C sub\n.PHONY: all sub\n' >Makefile
TRIES=4 make --no-print-directory >log 2>&1; s=$?
cat log; exit $s
EOF
run_case "recipes with sh -c pipelines, \$(shell) and a generated include" "2 z
lines=2
built: gen.mk" <<'EOF'
cat >Makefile <<'MK'
LINES := $(shell printf 'a\nb\n' | wc -l)
include gen.mk
gen.mk:
	@echo 'GEN := gen.mk' >$@
all:
	@sh -c 'printf "x\ny\nz\n" | sort -r | { read -r a; wc -l | tr -d "\n"; echo " $$a"; }'
	@echo lines=$(LINES)
	@echo "built: $(GEN)" | cat
.DEFAULT_GOAL := all
MK
make -s
EOF
run_case "make -j4 builds every target of a dependency graph" "ok 21" <<'EOF'
cat >Makefile <<'MK'
N := 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
.PHONY: all
all: sum
%.o:
	@echo $* >$@
sum: $(N:%=%.o) sub.o
	@cat $^ | wc -l | sed 's/^/ok /'
sub.o:
	@$(MAKE) -s -f Makefile x.o && mv x.o $@
MK
make -r -s -j4
EOF
finish

#!/bin/bash
# GNU make -j with a recursive make: the jobserver reaches the sub-make
# (no "jobserver unavailable" warning), and every target is built.
. "$FS_SRCDIR/tests/realprog/lib.sh"
need make
mk='mkdir sub
printf "all:\n\t@\$(MAKE) -s -C sub\n\t@echo top\n" >Makefile
printf "all: a b c d\na b c d:\n\t@echo \$@ \$\$(echo \"\$(MAKEFLAGS)\" | grep -c jobserver)\n" >sub/Makefile
make -j4 --no-print-directory 2>&1 | sort | tr "\n" " "'
same "make -j4 with a recursive make keeps its jobserver" "a 1 b 1 c 1 d 1 top " "$mk"
same "make recipes with pipelines" "3" 'printf "all:\n\t@printf \"x\\\\ny\\\\nz\\\\n\" | sort | wc -l\n" >Makefile; make -s'
finish

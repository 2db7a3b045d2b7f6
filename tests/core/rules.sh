#!/bin/bash
# The inheritance rules 1-7 of DESIGN §2, one check each (see rules.c,
# which prints each verdict).
. "$FS_SRCDIR/tests/lib.sh"
shim FORKSAFE_KEEP_FDS=40 "$FS_BUILDDIR/tests/core/rules"
check_eq "rules: every check passed" 0 $?
finish

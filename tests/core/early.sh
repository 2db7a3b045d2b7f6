#!/bin/bash
# Wrappers work before forksafe's constructor (another library's
# constructor) and inside signal handlers (tests/core/early.c prints
# each verdict).
. "$FS_SRCDIR/tests/lib.sh"
shim "$FS_BUILDDIR/tests/core/early"
check_eq "early: every check passed" 0 $?
finish

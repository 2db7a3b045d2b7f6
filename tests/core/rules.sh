#!/bin/bash
# The inheritance rules 1-7 of DESIGN §2, one check each (see rules.c).
set -u
FORKSAFE_KEEP_FDS=40 LD_PRELOAD=$FORKSAFE_SO "$FS_BUILDDIR/tests/core/rules"

#!/bin/bash
# Wrappers work before forksafe's constructor (another library's
# constructor) and inside signal handlers.
set -u
LD_PRELOAD=$FORKSAFE_SO "$FS_BUILDDIR/tests/core/early"

#!/bin/bash
# git: init, add, commit, log, status, diff, gc (which runs helpers).
. "$FS_SRCDIR/tests/realprog/lib.sh"
need git
g='export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
git init -q r && cd r && echo one >f && git add f &&
git -c user.name=t -c user.email=t@e commit -qm first && echo two >>f &&
git diff --stat | tail -1 && git -c user.name=t -c user.email=t@e commit -qam second &&
git log --oneline | wc -l && git status --porcelain | wc -l && git gc --quiet && git rev-list --count HEAD &&
git rev-parse HEAD'
same "git init/commit/log/status/diff/gc" " 1 file changed, 1 insertion(+)
2
0
2
a4fa37429438c83d8c4212288a7cb278821041aa" "$g"
finish

#!/bin/bash
# git behaves exactly as without forksafe: init, commit (with hooks and an
# editor), log, status, diff, rev-list, gc (which runs pack-objects and
# other helpers through pipes), clone and fetch over file:// (upload-pack
# and index-pack), clean/smudge filters, archive and bundles.  Dates and
# identities are fixed, so the commit ids are known in advance.
. "$FS_SRCDIR/tests/compat/lib.sh"
need git
assert_shim_loaded
assert_shim_loaded git -c 'alias.maps=!cat /proc/$PPID/maps' maps

export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e
export GIT_TERMINAL_PROMPT=0 GIT_PAGER=cat PAGER=cat
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_EDITOR EDITOR VISUAL

# Two commits on main, in ./repo: "one" adds f, "two" appends to it.
export GIT_SETUP='git init -q -b main repo && cd repo &&
echo a >f && git add f && git -c user.name=t -c user.email=t@e commit -q -m one &&
echo b >>f && git commit -q -am two && cd ..'

run_case "init, commit, log, status, diff, rev-list" "5855c8dfe9ca09e1dd6ef498f0e7a4693d068281
2
f110db664a1027cb031a58696910f61103fda5a1
 M f
?? new
@@ -1,2 +1,3 @@
 a
 b
+c
2" <<'EOF'
eval "$GIT_SETUP" && cd repo
git rev-parse HEAD~1
git log --oneline | wc -l
git rev-parse HEAD
echo c >>f; touch new
git status --porcelain
git diff | tail -4
git rev-list --count HEAD
EOF
run_case "gc packs everything; fsck finds nothing wrong" "count: 0
in-pack: 6
packs: 1
2" <<'EOF'
eval "$GIT_SETUP" && cd repo
git gc --quiet
git count-objects -v | grep -E '^(count|in-pack|packs):'
git fsck --no-progress 2>&1
git rev-list --count HEAD
EOF
run_case "clone and fetch over file://" "f110db664a1027cb031a58696910f61103fda5a1 two
5855c8dfe9ca09e1dd6ef498f0e7a4693d068281 one
3
a
b
three" <<'EOF'
eval "$GIT_SETUP"
git clone -q --no-local "file://$PWD/repo" clone
git -C clone log --format='%H %s'
echo three >>repo/f && git -C repo commit -q -am three
git -C clone fetch -q && git -C clone merge -q --ff-only origin/main
git -C clone rev-list --count HEAD
cat clone/f
EOF
run_case "hooks, an editor and a ! alias" "pre-commit ran
hook saw: edited message
edited message
alias: 3" <<'EOF'
eval "$GIT_SETUP" && cd repo
printf '#!/bin/sh\necho pre-commit ran\n' >.git/hooks/pre-commit
printf '#!/bin/sh\necho "hook saw: $(head -1 "$1")"\n' >.git/hooks/commit-msg
chmod +x .git/hooks/pre-commit .git/hooks/commit-msg
echo z >>f
GIT_EDITOR='sh -c "echo edited message >\"\$1\"" editor' git commit -q -a 2>&1
git log -1 --format=%s
git -c 'alias.n=!git rev-list --count HEAD | sed "s/^/alias: /"' n
EOF
run_case "clean and smudge filters run through pipes" "HELLO
hello
world" <<'EOF'
git init -q -b main repo && cd repo
git config filter.case.clean 'tr a-z A-Z'
git config filter.case.smudge 'tr A-Z a-z'
echo '*.txt filter=case' >.gitattributes
echo hello >a.txt
for i in $(seq 1 300); do echo "line $i"; done >b.txt
echo world >>b.txt
git add . && git commit -q -m filtered
git show HEAD:a.txt
rm a.txt b.txt && git checkout -- .
cat a.txt; tail -1 b.txt
EOF
run_case "archive through tar, bundle create and verify" "f
b.bundle is okay
f110db664a1027cb031a58696910f61103fda5a1 refs/heads/main
2" <<'EOF'
eval "$GIT_SETUP" && cd repo
git archive HEAD | tar tf -
git bundle create -q ../b.bundle main 2>/dev/null
git bundle verify -q ../b.bundle 2>&1 | sed 's|.*/||'
git bundle list-heads ../b.bundle
git clone -q -b main ../b.bundle ../fromb && git -C ../fromb rev-list --count HEAD
EOF
finish

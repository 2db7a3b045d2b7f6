#!/bin/bash
# Everyday tools that run other programs: find -exec, xargs -P, sort with
# temporary files, tar through a pipe, env, timeout.
. "$FS_SRCDIR/tests/realprog/lib.sh"
same "find -exec" "2" 'mkdir d; touch d/a d/b; find d -type f -exec echo {} \; | wc -l'
same "xargs -P2" "1 2 3 4" 'printf "1\n2\n3\n4\n" | xargs -P2 -n1 echo | sort -n | tr "\n" " " | sed "s/ \$//"'
same "sort with temporary files" "200000" 'seq 200000 | sort -S 64K -T . -r | wc -l'
same "tar through a pipe" "hello" 'mkdir src out; echo hello >src/f; tar cf - src | tar xf - -C out; cat out/src/f'
same "env and timeout" "ok" 'env X=1 timeout 5 sh -c "test \$X = 1 && echo ok"'
finish

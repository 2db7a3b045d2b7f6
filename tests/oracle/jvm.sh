#!/bin/bash
# The JVM's process launcher (OpenJDK's ProcessBuilder: posix_spawn of
# jspawnhelper, which is handed its pipes by number): a child with piped
# stdin, stdout and stderr, a child with inheritIO() (and the fds it was
# started with), and 50 children started at once from a pool of threads.
# Launch.java is compiled here, into $T; each mode must print what the
# native run prints, which is checked against the expected text.
. "$FS_SRCDIR/tests/oracle/lib.sh"
need java "openjdk-17-jdk-headless"
need javac "openjdk-17-jdk-headless"

javac -d "$T/classes" "$FS_SRCDIR/tests/oracle/Launch.java" 2>"$T/javac.err" || {
	show_tail "$T/javac.err"
	die "javac Launch.java"
}
# The JVM's own options (JAVA_TOOL_OPTIONS and the like) print a line on
# stderr; none is wanted here.
unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS

want="piped stdout=HELLO FROM JAVA stderr=to-stderr status=3
inherited
fds: 0 1 2 3
inherit status=0
concurrent 50/50 answered"

native_expected launch "$want" java -cp "$T/classes" Launch piped inherit concurrent
for mode in default diag auto spawn; do
	run_prog launch "$mode" java -cp "$T/classes" Launch piped inherit concurrent
	like_native launch "$mode"
done
finish

# Helpers shared by the tests in tests/diag and tests/atfork (sourced).
#
# On top of tests/lib.sh (assertions, finish, skip, $T, shim): the
# programs of these folders and readers of the reports.

. "$FS_SRCDIR/tests/lib.sh"

: "${FORKSAFE_SO:?FORKSAFE_SO is not set: run the tests with make check}"
: "${FS_BUILDDIR:?}"

# No variable that may name an fd (forksafe hands fds named in the
# environment to the programs it runs, DESIGN §2 rule 6).
for var in $(compgen -e); do
	case $var in
	*FD*) unset "$var" ;;
	esac
done

# Programs built for the tests.
diagprog() { echo "$FS_BUILDDIR/tests/diag/$1"; }
atforkprog() { echo "$FS_BUILDDIR/tests/atfork/$1"; }

# Lines of report EVENT (text format) in FILE; stdin when FILE is absent.
events() { grep -E "^forksafe\[[0-9]+\]: $1: " "${2:-/dev/stdin}"; }
count_events() { events "$1" "${2:-/dev/stdin}" | wc -l | tr -d ' '; }

# field KEY: the value of KEY in each text report line read from stdin
# (key=value or key="quoted \"value\""), one per line; "<none>" when
# the line has no such key.
field() {
	awk -v key="$1" '
	function value_of(line,    k, v, c, i) {
		sub(/^forksafe\[[0-9]+\]: [^:]+: /, "", line)
		while (length(line) > 0) {
			i = index(line, "=")
			if (i == 0)
				break
			k = substr(line, 1, i - 1)
			line = substr(line, i + 1)
			if (substr(line, 1, 1) == "\"") {
				v = ""
				line = substr(line, 2)
				while (length(line) > 0) {
					c = substr(line, 1, 1)
					line = substr(line, 2)
					if (c == "\\") {
						v = v substr(line, 1, 1)
						line = substr(line, 2)
					} else if (c == "\"") {
						break
					} else {
						v = v c
					}
				}
				sub(/^ /, "", line)
			} else {
				i = index(line, " ")
				if (i) {
					v = substr(line, 1, i - 1)
					line = substr(line, i + 1)
				} else {
					v = line
					line = ""
				}
			}
			if (k == key)
				return v
		}
		return "<none>"
	}
	{ print value_of($0) }'
}

# The JSON checker: every line of FILE one JSON object with the keys
# the reports always have.  Also with $PYTHON3 when configure found it.
check_json_file() {
	local what=$1 file=$2
	check "$what: each line is a JSON object with event/pid/tid/time (C checker)" \
		"$(diagprog jsoncheck)" -k event,pid,tid,time <"$file"
	if [ -n "${PYTHON3:-}" ]; then
		check "$what: each line parses with python3 json" "$PYTHON3" -c '
import json, sys
for n, line in enumerate(sys.stdin, 1):
    o = json.loads(line)
    assert isinstance(o, dict), "line %d is not an object" % n
    for k in ("event", "pid", "tid", "time"):
        assert k in o, "line %d lacks %s" % (n, k)
    assert isinstance(o["pid"], int) and isinstance(o["tid"], int)
    assert isinstance(o["event"], str) and isinstance(o["time"], str)
' <"$file"
	else
		echo "note: PYTHON3 is not set; python3 cross-check skipped"
	fi
}

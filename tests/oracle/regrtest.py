"""Compares two runs of CPython's regression test runner, test by test.

usage: regrtest.py NATIVE.xml OTHER.xml NAME

Both files are the runner's --junit-xml output.  Every test case that
passed in the native run must have passed in the other one (NAME, e.g.
"diag"): a failure, an error, a skip or a missing case there is a
regression.  Cases that failed or were skipped natively are not held
against the other run.  Prints the counts of both runs and each
regression; exit status 1 when there is one, 2 when the native run has
no passing case (it cannot serve as the control).
"""
import sys
import xml.etree.ElementTree as ET
from collections import Counter


def outcomes(path):
    """{case name: outcome}, outcome one of passed, skipped, failed."""
    result = {}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print("%s: unreadable (%s)" % (path, e))
        return result
    for case in root.iter("testcase"):
        name = case.get("name") or "?"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
                break
            if child.tag == "skipped":
                outcome = "skipped"
        # A name seen twice (a subtest) keeps its worst outcome.
        if result.get(name) != "failed":
            if not (outcome == "passed" and name in result):
                result[name] = outcome
    return result


def counts(results):
    c = Counter(results.values())
    return "%d passed, %d skipped, %d failed" % (c["passed"], c["skipped"], c["failed"])


def main():
    native_path, other_path, name = sys.argv[1:4]
    native = outcomes(native_path)
    other = outcomes(other_path)
    print("native: %d cases: %s" % (len(native), counts(native)))
    print("%s: %d cases: %s" % (name, len(other), counts(other)))
    if not any(v == "passed" for v in native.values()):
        print("the native run passed no test: no control")
        return 2
    worse = sorted((case, other.get(case, "missing"))
                   for case, outcome in native.items()
                   if outcome == "passed" and other.get(case) != "passed")
    by_file = Counter(case.split(".")[1] if case.count(".") >= 2 else case
                      for case, _ in worse)
    for case, outcome in worse[:40]:
        print("  passed natively, %s under %s: %s" % (outcome, name, case))
    if len(worse) > 40:
        print("  ... and %d more" % (len(worse) - 40))
    if worse:
        print("%s: %d regressions (%s)" % (name, len(worse), ", ".join(
            "%s %d" % kv for kv in sorted(by_file.items()))))
        return 1
    print("%s: every case that passed natively passed" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs the Blender client's tests: its unit tests (clients/blender/tests,
no server needed) and the end-to-end tests here (real server binary, real
headless Blender, and desktop Blender under Xvfb). The last line is the summary:

    blender e2e: N tests, N passed, N failed, N skipped

    tests/e2e/run.py            both
    tests/e2e/run.py --unit     unit tests only
    tests/e2e/run.py --e2e      end-to-end only
    tests/e2e/run.py -k restart only tests whose name contains "restart"

The server binary is $BLENDER_BUS_BIN, else build/blender-bus; Blender is
$BLENDER_BIN, else `blender` on PATH.
"""

import argparse
import os
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
UNIT_DIR = os.path.join(REPO_ROOT, "clients", "blender", "tests")


def preflight():
    """Problems that would make every end-to-end test fail the same way."""
    problems = []
    server = os.environ.get("BLENDER_BUS_BIN") or os.path.join(REPO_ROOT, "build", "blender-bus")
    if not os.access(server, os.X_OK):
        problems.append(f"server binary not found or not executable: {server} (build it, or set BLENDER_BUS_BIN)")
    blender = os.environ.get("BLENDER_BIN") or shutil.which("blender")
    if not blender:
        problems.append("blender not found (apt-get install blender, or set BLENDER_BIN)")
    if not shutil.which("xvfb-run"):
        problems.append("xvfb-run not found (apt-get install xvfb xauth): the desktop add-on test needs it")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--unit", action="store_true", help="only the client's unit tests")
    which.add_argument("--e2e", action="store_true", help="only the end-to-end tests")
    parser.add_argument("-k", dest="patterns", action="append", help="only tests whose name contains this")
    options = parser.parse_args()

    suites = []
    if not options.e2e:
        loader = unittest.TestLoader()
        loader.testNamePatterns = [f"*{p}*" for p in options.patterns or []] or None
        suites.append(loader.discover(UNIT_DIR, top_level_dir=UNIT_DIR))
    if not options.unit:
        problems = preflight()
        if problems:
            for problem in problems:
                print(f"e2e: {problem}", file=sys.stderr)
            print("blender e2e: 0 tests, 0 passed, 1 failed, 0 skipped")
            return 1
        loader = unittest.TestLoader()
        loader.testNamePatterns = [f"*{p}*" for p in options.patterns or []] or None
        suites.append(loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE))

    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(unittest.TestSuite(suites))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    for test, reason in result.skipped:
        print(f"skipped: {test.id()}: {reason}")
    print(f"blender e2e: {result.testsRun} tests, {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())

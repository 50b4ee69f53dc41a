"""Tests for the linkpay Python SDK, standard library only.

Run from the repository root:  python3 -m unittest discover -s sdk/python/tests -t sdk/python
or from sdk/python:           python3 -m unittest

Importing this package puts `src` first on sys.path, so the tests run against the source
tree without installing anything.
"""

import os
import sys
import unittest

_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)


def load_tests(loader: unittest.TestLoader, standard_tests: unittest.TestSuite, pattern: str) -> unittest.TestSuite:
    # Discover this package's modules ourselves so that finding none is a failure, not a
    # quiet "Ran 0 tests ... OK" (Python before 3.12 exits 0 then).
    here = os.path.dirname(os.path.abspath(__file__))
    found = loader.discover(start_dir=here, pattern=pattern or "test*.py")
    standard_tests.addTests(found)
    if standard_tests.countTestCases() == 0:
        def no_tests() -> None:
            raise AssertionError(f"no tests found in {here} (pattern {pattern!r})")

        standard_tests.addTest(unittest.FunctionTestCase(no_tests))
    return standard_tests

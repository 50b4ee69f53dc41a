"""The shared test vectors, read from the repository at test time: they are the contract,
so when a format changes these tests fail until the SDK follows."""

import json
import os
from typing import Any, Dict

TESTDATA = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "testdata")
)


def load(name: str) -> Dict[str, Any]:
    with open(os.path.join(TESTDATA, name), encoding="utf-8") as f:
        return json.load(f)

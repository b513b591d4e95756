"""Importing the real frameworks the tests compare against.

Locally an oracle test skips when its framework is missing. With
``CONVSHAPE_REQUIRE_ORACLES=1`` (set by .ci/run) it fails instead, so a
green run can never have skipped the ground truth.
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from types import ModuleType

import pytest

ORACLE_COUNTS: Counter[str] = Counter()

#: The frameworks the suite compares against, by import name.
ORACLE_MODULES = ("tensorflow", "keras", "jax", "flax", "torch", "onnx", "onnxruntime")


def oracles_required() -> bool:
    return os.environ.get("CONVSHAPE_REQUIRE_ORACLES") == "1"


def oracle(name: str) -> ModuleType:
    """Import a framework or skip (fail when oracles are required)."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        message = f"oracle {name!r} is not installed ({error})"
        if oracles_required():
            pytest.fail(message + " and CONVSHAPE_REQUIRE_ORACLES=1", pytrace=False)
        pytest.skip(message)

"""`import convshape` must stay cheap: nothing outside the standard library."""

from __future__ import annotations

import json
import subprocess
import sys

import convshape


def _modules_loaded_by_import() -> list[str]:
    code = (
        "import sys, json; before = set(sys.modules); import convshape; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_import_loads_only_the_standard_library_and_convshape() -> None:
    stdlib = sys.stdlib_module_names
    foreign = [
        name
        for name in _modules_loaded_by_import()
        if name.split(".")[0] not in stdlib and name.split(".")[0] != "convshape"
    ]
    assert foreign == []


def test_import_does_not_load_heavy_packages() -> None:
    loaded = set(_modules_loaded_by_import())
    assert not loaded & {"numpy", "tensorflow", "keras", "jax", "torch"}
    assert "convshape.arithmetic" in loaded


def test_public_surface_is_sorted_and_complete() -> None:
    assert convshape.__all__ == sorted(convshape.__all__)
    for name in convshape.__all__:
        assert hasattr(convshape, name), name

"""The ``oracle`` marker: tests/conftest.py marks exactly the tests that run a framework.

Two mistakes are possible, and each has its check. An oracle test left unmarked would run
in the fast suite: the guard in tests/conftest.py refuses its framework import and fails it
(tested here on the guard itself). A fast test marked oracle would drop out of the fast
suite: the oracle tests, run with every framework hidden, must all skip or fail, never pass.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import oracles
from tests.conftest import FRAMEWORKS, GUARD_MESSAGE, framework_guard, oracle_functions

ROOT = Path(__file__).resolve().parent.parent


def _marked(source: str, imported: dict[str, set[str]] | None = None) -> list[str]:
    table = imported or {}
    return sorted(
        oracle_functions(
            textwrap.dedent(source), lambda module, name: name in table.get(module, set())
        )
    )


def test_a_call_of_oracle_marks_its_callers_and_their_callers() -> None:
    source = """
        from tests.oracles import oracle

        def keras():
            return oracle("keras")

        def helper():
            return keras().layers

        def test_slow():
            helper()

        def test_fast():
            return 1
    """
    assert _marked(source) == ["helper", "keras", "test_slow"]


def test_a_framework_import_marks_the_function() -> None:
    source = """
        def test_imports():
            import keras
            return keras

        def test_imports_from():
            from torch import nn
            return nn

        def test_numpy_alone():
            import numpy
            return numpy
    """
    assert _marked(source) == ["test_imports", "test_imports_from"]


def test_methods_helpers_passed_on_and_fixtures_by_name() -> None:
    source = """
        import pytest

        class TestSuite:
            def _model(self):
                return oracle("torch")

            def test_method(self):
                self._model()

            def test_plain(self):
                return 2

        def build(n):
            return oracle("jax")

        def test_mapped():
            list(map(build, range(3)))

        @pytest.fixture
        def fresh():
            return oracle("nbclient")

        def test_dynamic(request):
            request.getfixturevalue("fresh")
    """
    assert _marked(source) == [
        "TestSuite._model",
        "TestSuite.test_method",
        "build",
        "fresh",
        "test_dynamic",
        "test_mapped",
    ]


def test_helpers_imported_from_other_test_modules() -> None:
    source = """
        from tests.helpers import run_in_keras, plain

        def test_uses_keras():
            run_in_keras()

        def test_plain():
            plain()
    """
    assert _marked(source, {"tests.helpers": {"run_in_keras"}}) == ["test_uses_keras"]


def test_the_guard_refuses_framework_imports_from_test_code() -> None:
    with framework_guard("tests/x.py::test_x"):
        with pytest.raises(ImportError, match=GUARD_MESSAGE):
            importlib.import_module("keras")
        with pytest.raises(ImportError, match=GUARD_MESSAGE):
            exec("import torch.nn", {"__name__": "tests.test_x"})
        with pytest.raises(ImportError, match=GUARD_MESSAGE):
            exec("from jax import lax", {"__name__": "tests.test_x"})
        # The library's own imports and the standard library go through.
        exec("import json, convshape.torch", {"__name__": "tests.test_x"})
    assert importlib.import_module("json") is json


def test_the_guard_is_on_in_this_fast_test() -> None:
    with pytest.raises(ImportError, match=GUARD_MESSAGE):
        importlib.import_module("onnx")
    with pytest.raises(ImportError, match=GUARD_MESSAGE):
        exec(
            "oracles.importlib.import_module('ruff')",
            {"__name__": "tests.oracles", "oracles": oracles},
        )


def test_the_marker_is_registered_and_covers_the_oracle_modules() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"oracle: runs a real framework' in pyproject
    assert {"tensorflow", "keras", "torch", "jax", "onnxruntime", "nbclient"} <= FRAMEWORKS


#: A plugin that hides every framework, then lists the tests that passed anyway.
BLOCKER = """
import json, os, sys

FRAMEWORKS = set(os.environ["CONVSHAPE_HIDDEN"].split(","))
for name in list(sys.modules):
    if name.partition(".")[0] in FRAMEWORKS:
        del sys.modules[name]
for name in FRAMEWORKS:
    sys.modules[name] = None

import importlib

_import_module = importlib.import_module


def _hidden(name, package=None):
    # oracle() skips on whatever it is asked for, a tool such as ruff included.
    if sys._getframe(1).f_globals.get("__name__") == "tests.oracles":
        raise ImportError(f"{name} is hidden")
    return _import_module(name, package)


importlib.import_module = _hidden

PASSED = []

def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        PASSED.append(report.nodeid)

def pytest_sessionfinish(session):
    with open(os.environ["CONVSHAPE_PASSED"], "w") as file:
        json.dump(PASSED, file)
"""


@pytest.mark.oracle
def test_no_fast_test_is_marked_oracle(tmp_path: Path) -> None:
    """Every oracle-marked test needs a framework: with all of them hidden, none passes."""
    (tmp_path / "hide_frameworks.py").write_text(BLOCKER, encoding="utf-8")
    passed = tmp_path / "passed.json"
    env = {key: value for key, value in os.environ.items() if key != "CONVSHAPE_REQUIRE_ORACLES"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    env["CONVSHAPE_PASSED"] = str(passed)
    env["CONVSHAPE_HIDDEN"] = ",".join(sorted(FRAMEWORKS))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "hide_frameworks",
            "-m",
            "oracle",
            "--deselect",
            "tests/test_markers.py::test_no_fast_test_is_marked_oracle",
            "tests",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=1800,
    )
    # 0, or 1 where a test imports a hidden framework itself; never a collection error.
    assert run.returncode in (0, 1), run.stdout[-2000:] + run.stderr[-2000:]
    assert " skipped" in run.stdout.splitlines()[-1], run.stdout[-2000:]
    assert json.loads(passed.read_text(encoding="utf-8")) == []

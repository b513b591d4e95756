"""Test configuration: quiet TensorFlow on the Keras TensorFlow backend, oracle bookkeeping,
and the ``oracle`` marker.

A test is marked ``oracle`` when it runs a real framework: when its function, a helper it
calls or a fixture it uses calls ``oracle()`` (tests/oracles.py) or imports a framework. The
marking reads the test modules' source, so no test file carries the marker by hand, and
``pytest -m "not oracle"`` runs the fast suite. A test left unmarked that reaches for a
framework anyway fails (see ``framework_guard``), so a rule missed by the marking cannot hide.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The environment above must be set before any framework import.
import ast
import builtins
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.oracles import ORACLE_COUNTS, ORACLE_MODULES

#: Top-level modules whose import makes a test an oracle test: the frameworks, and the
#: other real tools tests compare against or drive (notebooks, the documentation site).
FRAMEWORKS = frozenset(
    {*ORACLE_MODULES, "nbclient", "nbformat", "mkdocs", "material", "mkdocstrings", "torchinfo"}
)

GUARD_MESSAGE = "is not marked oracle"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ORACLE_COUNTS:
        return
    terminalreporter.section("oracle configurations run against real frameworks")
    for name, count in sorted(ORACLE_COUNTS.items()):
        terminalreporter.write_line(f"{name}: {count}")
    terminalreporter.write_line(f"total: {sum(ORACLE_COUNTS.values())}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files of rendered summaries instead of comparing with them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


# -- which functions reach a framework ---------------------------------------------------


def _is_framework_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.partition(".")[0] in FRAMEWORKS for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] in FRAMEWORKS
    return False


def _called_name(node: ast.Call) -> str | None:
    """``f(...)`` and ``self.f(...)``/``cls.f(...)`` by the name of ``f``."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"self", "cls"}
    ):
        return func.attr
    return None


def _references(function: ast.AST) -> tuple[bool, set[str]]:
    """Whether ``function`` imports a framework, and the names it calls or passes on."""
    direct, names = False, set()
    for part in ast.walk(function):
        direct = direct or _is_framework_import(part)
        if isinstance(part, ast.Call):
            name = _called_name(part)
            if name is not None:
                names.add(name)
            if (
                isinstance(part.func, ast.Attribute)
                and part.func.attr == "getfixturevalue"
                and part.args
                and isinstance(part.args[0], ast.Constant)
            ):
                names.add(str(part.args[0].value))
        elif isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load):
            # A function passed on (map(helper, ...), a lambda's body) runs as well.
            names.add(part.id)
    return direct, names


def _imported_oracles(tree: ast.Module, imported: Callable[[str, str], bool]) -> set[str]:
    """``oracle`` and the names imported from test modules that reach a framework."""
    reached = {"oracle"}
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
            continue
        for alias in node.names:
            if node.module.startswith("tests.") and (
                alias.name == "oracle" or imported(node.module, alias.name)
            ):
                reached.add(alias.asname or alias.name)
    return reached


def oracle_functions(source: str, imported: Callable[[str, str], bool]) -> frozenset[str]:
    """The qualified names of the functions in ``source`` that reach a framework.

    A function reaches one when it calls ``oracle(...)``, imports a framework, or calls
    (by name, or as ``self.name``) a function of the module that does, or a name imported
    from another test module for which ``imported(module, name)`` says so.

    >>> sorted(oracle_functions(
    ...     "def a():\\n    oracle('keras')\\n"
    ...     "def b():\\n    return a()\\n"
    ...     "def c():\\n    return 1\\n",
    ...     lambda module, name: False,
    ... ))
    ['a', 'b']
    """
    tree = ast.parse(source)
    by_name: dict[str, set[str]] = {}  # plain name -> qualified names
    calls: dict[str, set[str]] = {}  # qualified name -> names it calls
    marked: set[str] = set()

    def collect(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                by_name.setdefault(node.name, set()).add(prefix + node.name)
                direct, calls[prefix + node.name] = _references(node)
                if direct:
                    marked.add(prefix + node.name)
            elif isinstance(node, ast.ClassDef):
                collect(node.body, f"{prefix}{node.name}.")

    collect(tree.body, "")
    reached = _imported_oracles(tree, imported)
    changed = True
    while changed:
        changed = False
        for qualname, names in calls.items():
            if qualname not in marked and (
                names & reached or any(by_name.get(name, set()) & marked for name in names)
            ):
                marked.add(qualname)
                changed = True
    return frozenset(marked)


@cache
def _module_oracles(path: str) -> frozenset[str]:
    source = Path(path).read_text(encoding="utf-8")
    return oracle_functions(source, _imported_reaches)


def _imported_reaches(module: str, name: str) -> bool:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return False
    return name in _module_oracles(spec.origin)


def _reaches_framework(function: Any) -> bool:
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None or not code.co_filename.endswith(".py"):
        return False
    qualname = function.__qualname__.replace(".<locals>", "")
    return qualname in _module_oracles(code.co_filename)


def is_oracle_test(item: pytest.Item) -> bool:
    """Whether the test's function or one of its fixtures reaches a framework."""
    if not isinstance(item, pytest.Function):
        return False
    if _reaches_framework(item.function):
        return True
    # request.getfixturevalue(name) with the fixture's name as a parameter
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "getfixturevalue" in item.function.__code__.co_names:
        path = inspect.unwrap(item.function).__code__.co_filename
        names = [value for value in callspec.params.values() if isinstance(value, str)]
        if any(name in _module_oracles(path) for name in names):
            return True
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        if any(_reaches_framework(definition.func) for definition in definitions):
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("oracle") is None and is_oracle_test(item):
            item.add_marker(pytest.mark.oracle)


# -- a test left unmarked must not reach a framework -------------------------------------


def _from_tests(depth: int) -> bool:
    name = sys._getframe(depth).f_globals.get("__name__", "")
    return isinstance(name, str) and (name.startswith("tests") or name.startswith("test_"))


@contextmanager
def framework_guard(test: str) -> Iterator[None]:
    """Refuse any import of a framework that the test code makes while it is in effect.

    Both doors are watched: ``oracle()`` (``importlib.import_module``, whatever it
    imports) and a plain ``import`` statement, so an already imported framework is refused
    too.
    """
    real_import = builtins.__import__
    real_import_module = importlib.import_module

    def refuse(name: str) -> None:
        raise ImportError(
            f"{test} imports {name!r} but {GUARD_MESSAGE}: tests/conftest.py's marking "
            "missed how it reaches the framework"
        )

    def guarded_import(name: str, *args: Any, **kwargs: Any) -> Any:
        level = args[3] if len(args) > 3 else kwargs.get("level", 0)
        if level == 0 and name.partition(".")[0] in FRAMEWORKS and _from_tests(2):
            refuse(name)
        return real_import(name, *args, **kwargs)

    def guarded_import_module(name: str, package: str | None = None) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        # Whatever oracle() imports (a framework, or a tool such as ruff) is an oracle.
        if caller == "tests.oracles" or (name.partition(".")[0] in FRAMEWORKS and _from_tests(2)):
            refuse(name)
        return real_import_module(name, package)

    builtins.__import__ = guarded_import
    importlib.import_module = guarded_import_module
    try:
        yield
    finally:
        builtins.__import__ = real_import
        importlib.import_module = real_import_module


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    if item.get_closest_marker("oracle") is not None:
        return (yield)
    with framework_guard(item.nodeid):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, Any]:
    report = yield
    # oracle() turns the refused import into a skip: an unmarked oracle test fails instead.
    if report.skipped and GUARD_MESSAGE in str(report.longrepr):
        report.outcome = "failed"
    return report

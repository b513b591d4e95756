"""The fast text table renders exactly what the previous renderer rendered.

``benchmarks/_reference_render.py`` is a frozen copy of ``convshape/_render.py`` from
before the fast path (one ``%`` template per row, wrapping without a regular
expression, cached frames). Both render the same summaries here, character for
character: real models and a generated grid of awkward cells (whitespace of every
kind, long words, nested shapes, narrow columns, cut consoles), with caches cold,
warm and too small to hold a table; a wrapped header row, aligned to the bottom since
(as rich aligns it), is compared cell by cell. No timing here; ``benchmarks/bench_render.py``
measures the speed.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from itertools import product
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape import _render as fast
from convshape import _rich_text as layout
from convshape.summary import Summary, SummaryRow
from tests.zoo import ZOO, dcgan_generator

DATA = Path(__file__).parent / "data" / "keras_models.json.gz"
REFERENCE = Path(__file__).parents[1] / "benchmarks" / "_reference_render.py"
_spec = importlib.util.spec_from_file_location("_reference_render", REFERENCE)
assert _spec is not None
assert _spec.loader is not None
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)
CONVSHAPE = SimpleNamespace(Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers)

#: Whitespace the wrapper must treat as rich does: ASCII, control, Unicode spaces.
SPACES = [" ", "  ", "\t", "\n", "\u3000", "\xa0", "\x1c", "\u2028"]


def _outcome(render: Callable[[], str]) -> tuple[str, str]:
    """The text, or the error's type and message (both renderers must raise alike)."""
    try:
        return "text", render()
    except (ValueError, TypeError) as error:
        return type(error).__name__, str(error)


def _same(summary: Summary, **options: Any) -> None:
    expected = _outcome(lambda: reference.render_summary(summary, **options))
    found = _outcome(lambda: fast.render_summary(summary, **options))
    if found[0] == expected[0] == "text" and found[1] != expected[1]:
        # One intended change since the frozen renderer: a header that wraps has its
        # short cells at the bottom of the header row, as rich draws it (checked against
        # Keras in test_summary_widths.py); the frozen one put them at the top. Such a
        # header must hold the same cells per column, in the same order, and every other
        # line must be unchanged.
        found, expected = _without_header(found[1]), _without_header(expected[1])
    assert found == expected, options


def _without_header(text: str) -> tuple[str, str]:
    """The text without its header row, and the header's non-blank cells per column."""
    lines = text.split("\n")
    top = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    rule = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    cells = [line.split("┃") for line in lines[top + 1 : rule]]
    columns = [
        [row[column] for row in cells if column < len(row) and row[column].strip()]
        for column in range(max(map(len, cells)))
    ]
    return "\n".join(lines[: top + 1] + lines[rule:]), repr((rule - top, columns))


def _clear() -> None:
    layout._wrap.cache_clear()
    layout._cell_lines.cache_clear()


@cache
def _records() -> dict[str, Any]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


OPTIONS: list[dict[str, Any]] = [
    {},
    {"show_trainable": True},
    {"line_length": 60},
    {"line_length": 150, "show_trainable": True},
    {"line_length": 30},
    {"line_length": 12},
    {"console_width": 70},
    {"console_width": 200},
    {"line_length": 120, "console_width": 50},
]


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_zoo_tables_are_unchanged(entry: Any) -> None:
    summary = entry.build(CONVSHAPE).summarize()
    for options in OPTIONS:
        _clear()
        _same(summary, **options)  # cold
        _same(summary, **options)  # warm
    _same(summary, positions=[0.3, 0.6, 1.0])
    _same(summary, positions=(0.3, 0.6, True))
    _same(summary, line_length=88.0)  # after 88: not the cached frame
    _same(summary, line_length=61.5)
    _same(summary, rows=summary.rows[1:3])
    _same(summary, rows=())


@pytest.mark.parametrize(
    "key",
    ["app:NASNetLarge", "app:MobileNetV3Small", "zoo:nested_two_levels", "zoo:multi_io_dict"],
)
def test_loaded_keras_tables_are_unchanged(key: str) -> None:
    model = cs.load_keras(_records()[key]["json"])
    for expand_nested in (False, True):
        summary = model.summarize(expand_nested=expand_nested)
        for options in OPTIONS[:4] + OPTIONS[6:]:
            _clear()
            _same(summary, **options)
            _same(summary, **options)
        _same(summary, positions=[0.35, 0.6, 0.75, 1.0], line_length=100)


def test_optional_columns_are_unchanged() -> None:
    model = dcgan_generator(CONVSHAPE)
    columns = ("macs", "flops", "output_bytes", "receptive_field")
    summary = model.summarize(columns=columns)
    for options in OPTIONS:
        _same(summary, **options)
    _same(summary, rows=summary.rows[:2])


def _grid_rows(rng: random.Random, count: int, columns: tuple[str, ...]) -> list[SummaryRow]:
    words = ["a", "conv", "batch_normalization", "x" * 45, "%s", "{0}", "%%", "…", "ü", ""]
    shapes: list[Any] = [
        None,
        (),
        (5,),
        (None, 7, 7, 256),
        (None,) * 9,
        (None, 1, 2, 3, 4, 5, 6, 7),
        (None, "a", True, 1.5),
        [(None, 3), (None, 4)],
        [(None, 3)],
        {"b": (None, 3), "a": [(None, 2), None]},
        {"only": (None, 12544)},
    ]

    def text() -> str:
        parts = [rng.choice(words) for _ in range(rng.randrange(1, 5))]
        return "".join(part + rng.choice(SPACES) for part in parts)[: rng.randrange(0, 60)]

    rows = []
    for _ in range(count):
        params = rng.choice([0, 7, 50_176, 1_234_567_890_123])
        extras = tuple(
            (key, rng.choice([None, 0, 12_345_678, "7x7", "3 x 3 ", text()]))
            for key in columns
            if rng.random() < 0.8
        )
        rows.append(
            SummaryRow(
                text() or "layer",
                rng.choice(["Dense", "BatchNormalization", "Very Long Class Name Indeed"]),
                rng.choice(shapes),
                params,
                params,
                0,
                trainable=rng.random() < 0.7,
                has_weights=rng.random() < 0.7,
                built=rng.random() < 0.9,
                connected_to=rng.choice([None, "", "-", "a[0][0]", "a[0][0], b[0][0]", text()]),
                depth=rng.choice([0, 0, 1, 2]),
                extras=extras,
                trainable_bytes=4 * params,
            )
        )
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_generated_tables_are_unchanged(seed: int) -> None:
    rng = random.Random(seed)
    columns = rng.choice([(), ("macs",), ("receptive_field", "flops")])
    totals = (("macs", 123), ("total_bytes", 4096)) if columns else ()
    for connections in (False, True):
        summary = Summary(
            rng.choice(["model", "a very long model name " * 5]),
            tuple(_grid_rows(rng, 14, columns)),
            connections=connections,
            columns=columns,
            totals=totals,
        )
        positions = [0.25, 0.5, 0.75, 1.0] if connections else [0.5, 0.7, 1.0]
        for line_length, show_trainable, console_width in product(
            (None, 16, 40, 88, 140), (False, True), (None, 35, 300)
        ):
            options = {
                "line_length": line_length,
                "show_trainable": show_trainable,
                "console_width": console_width,
            }
            if seed % 3 == 0:
                _clear()
            _same(summary, **options)
            _same(summary, positions=positions, **options)
        _same(summary, positions=[0.5, 1.0])  # too few positions: the same error


@contextmanager
def _small_caches(size: int) -> Iterator[None]:
    saved = layout._wrap.maxsize, layout._cell_lines.maxsize
    layout._wrap.maxsize = layout._cell_lines.maxsize = size
    _clear()
    try:
        yield
    finally:
        layout._wrap.maxsize, layout._cell_lines.maxsize = saved
        _clear()


def test_caches_too_small_for_the_table() -> None:
    summary = cs.load_keras(_records()["app:NASNetMobile"]["json"]).summarize()
    with _small_caches(3):
        _same(summary)
        _same(summary, show_trainable=True, line_length=70)
        assert len(layout._wrap.cache) <= 3


def test_clearing_the_cell_cache_clears_the_frames() -> None:
    fast.render_summary(dcgan_generator(CONVSHAPE).summarize())
    assert fast._frames
    layout._cell_lines.cache_clear()
    assert not fast._frames
    assert not layout._cell_lines.cache


def test_wrap_matches_the_reference() -> None:
    rng = random.Random(0)
    alphabet = ["a", "bb", "ccccccc", "…", "%", *SPACES]
    texts = ["", " ", "   ", "a", "a ", " a", "word", "two words", "x" * 30, "\t\n"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(40))) for _ in range(600)]
    for text, width in product(texts, range(-1, 14)):
        assert layout._wrap(text, width) == reference._wrap(text, width), (text, width)
        assert layout._wrap.__wrapped__(text, width) == reference._wrap(text, width)


def test_rendering_imports_no_regular_expressions() -> None:
    code = (
        "import sys, convshape as cs\n"
        "from convshape import layers\n"
        "s = cs.Sequential([cs.Input((3,)), layers.Dense(2)]).summarize()\n"
        "before = set(sys.modules)\n"
        "str(s)\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    added = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    for module in ("re", "functools", "shutil", "html"):
        assert f"'{module}'" not in added, added

"""The text table of a summary: the fast renderer against the previous one, same run.

    python benchmarks/bench_render.py [--quick]

The reference is ``benchmarks/_reference_render.py``, a frozen copy of
``convshape/_render.py`` from before the fast path (issue 13). Each figure is the best
per-call time of several timed runs in this process, the garbage collector on, for
the README's DCGAN generator and for NASNetLarge (1,041 rows, "Connected to" column),
the two renderers timed in alternating rounds:

- warm: caches as a notebook has them after the first rendering of the table;
- cold: ``_wrap.cache_clear(); _cell_lines.cache_clear()`` before every rendering (for
  the fast renderer that also forgets its cached table frames), as in a fresh process;
- NASNetLarge ``load_keras(to_json()) + summary()`` with cold caches, the reference
  renderer swapped into ``convshape.models.summarize`` for its column.

A script, not a test: the numbers depend on the machine; compare the ratios.
"""

from __future__ import annotations

import gc
import gzip
import importlib.util
import json
import os
import sys
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tests.zoo import dcgan_generator

import convshape as cs
from convshape import _render as ours
from convshape import _rich_text
from convshape.models import summarize as summarize_module
from convshape.summary import Summary

__all__ = ["figures"]

HERE = Path(__file__).resolve().parent


def _load_reference() -> ModuleType:
    """``_reference_render.py`` by its path: the same module whether this file runs as a
    script or is imported as ``benchmarks.bench_render``."""
    spec = importlib.util.spec_from_file_location(
        "convshape_reference_render", HERE / "_reference_render.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()
reference_render_summary: Callable[..., str] = reference.render_summary

Figure = tuple[str, float, float]


def _timer(function: Callable[[], object]) -> timeit.Timer:
    return timeit.Timer(function, setup="gc.enable()", globals={"gc": gc})  # collector on


def _pair(
    ours_call: Callable[[], object],
    reference_call: Callable[[], object],
    repeat: int,
    number: int | None = None,
) -> tuple[float, float]:
    """The best per-call seconds of each over ``repeat`` rounds; in each round both run
    ``number`` calls (about 0.2 s of the slower one when None), one after the other, so
    load on the machine hits both alike."""
    ours_timer, reference_timer = _timer(ours_call), _timer(reference_call)
    if number is None:
        number = min(ours_timer.autorange()[0], reference_timer.autorange()[0])
    ours_best = reference_best = float("inf")
    for _ in range(repeat):
        ours_best = min(ours_best, ours_timer.timeit(number) / number)
        reference_best = min(reference_best, reference_timer.timeit(number) / number)
    return ours_best, reference_best


def _render_pair(summary: Summary) -> tuple[Callable[[], str], Callable[[], str]]:
    def fast() -> str:
        return ours.render_summary(summary)

    def previous() -> str:
        return reference_render_summary(summary)

    assert fast() == previous(), "the renderers disagree"
    return fast, previous


def _cold(render: Callable[[], str], module: SimpleNamespace) -> Callable[[], str]:
    def call() -> str:
        module._wrap.cache_clear()
        module._cell_lines.cache_clear()
        return render()

    return call


@contextmanager
def _reference_in_summarize() -> Iterator[None]:
    """``model.summary()`` rendering with the reference for as long as the block runs."""
    names = ("render_summary", "extra_width", "default_line_length")
    saved = {name: getattr(summarize_module, name) for name in names}
    try:
        for name in names:
            setattr(summarize_module, name, getattr(reference, name))
        yield
    finally:
        for name, value in saved.items():
            setattr(summarize_module, name, value)


def _nasnet_json() -> str:
    path = HERE.parent / "tests" / "data" / "keras_models.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return str(json.load(handle)["app:NASNetLarge"]["json"])


def figures(quick: bool = False) -> list[Figure]:
    """(label, fast renderer seconds, reference seconds) per figure."""
    repeat = 1 if quick else 15
    big_repeat = 1 if quick else 9
    modules = {
        "ours": SimpleNamespace(_wrap=_rich_text._wrap, _cell_lines=_rich_text._cell_lines),
        "reference": SimpleNamespace(_wrap=reference._wrap, _cell_lines=reference._cell_lines),
    }
    results: list[Figure] = []
    for label, summary, count, runs in (
        (
            "DCGAN generator table (11 rows)",
            dcgan_generator(cs).summarize(),
            1 if quick else None,
            repeat,
        ),
        (
            "NASNetLarge table (1,041 rows)",
            cs.load_keras(_nasnet_json()).summarize(),
            1 if quick else 5,
            big_repeat,
        ),
    ):
        fast, previous = _render_pair(summary)
        results.append((f"{label}, warm caches", *_pair(fast, previous, runs, count)))
        results.append(
            (
                f"{label}, cold caches",
                *_pair(
                    _cold(fast, modules["ours"]),
                    _cold(previous, modules["reference"]),
                    runs,
                    count,
                ),
            )
        )

    nasnet = _nasnet_json()

    def load_and_summary() -> str:
        printed: list[str] = []
        cs.load_keras(nasnet).summary(print_fn=printed.append)
        return printed[0]

    def with_reference() -> str:
        with _reference_in_summarize():
            return load_and_summary()

    assert load_and_summary() == with_reference(), "the NASNetLarge summaries differ"
    results.append(
        (
            "NASNetLarge load_keras(to_json()) + summary(), cold caches",
            *_pair(
                _cold(load_and_summary, modules["ours"]),
                _cold(with_reference, modules["reference"]),
                1 if quick else 7,
                1,
            ),
        )
    )
    return results


def _seconds(value: float) -> str:
    return f"{value * 1e6:9.1f} us" if value < 1e-3 else f"{value * 1e3:9.2f} ms"


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    print(f"{'figure':<62} {'fast':>12} {'previous':>12} {'speed-up':>9}")
    for label, fast, previous in figures(quick):
        print(f"{label:<62} {_seconds(fast)} {_seconds(previous)} {previous / fast:8.1f}x")


if __name__ == "__main__":
    main()

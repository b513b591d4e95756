"""The planners against their previous implementation, measured in the same run.

    python benchmarks/bench_plan.py            # every figure (about a minute: the old
                                               # planner takes ~20 s for max_layers=5)
    python benchmarks/bench_plan.py --quick    # small arguments: checks it runs

The reference is the exhaustive search the planners did before they pruned and
memoised, frozen in ``tests/_reference_plan.py`` (the tests check that both return the
same plans). Times are the best of several calls in one process; the old planner's
slowest figures are run fewer times.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from typing import Any

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path[:0] = [ROOT, os.path.join(ROOT, "src")]  # the checkout's convshape and tests

from tests import _reference_plan  # noqa: E402

from convshape import plan  # noqa: E402  (after the path is set)


def best(function: Callable[[], object], repeat: int) -> float:
    """The best wall time of ``repeat`` calls, in seconds."""
    fastest = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def _pair(
    name: str, args: tuple[int, int], kwargs: dict[str, Any], quick: bool, slow: bool = False
) -> tuple[str, float, float]:
    ours = getattr(plan, name)
    before = getattr(_reference_plan, name)
    shown = ", ".join([*map(str, args), *(f"{key}={value}" for key, value in kwargs.items())])
    label = f"{name}({shown})"
    return (
        label,
        best(lambda: ours(*args, **kwargs), 3 if quick else 9),
        best(lambda: before(*args, **kwargs), 1 if quick or slow else 3),
    )


def _worst_upsampling(limit: int, quick: bool) -> tuple[str, float, float]:
    """``plan_upsampling(4, N)`` at the N <= ``limit`` where it is slowest, and the old
    planner at that N."""
    times: dict[int, float] = {}
    for n in range(1, limit + 1):
        times[n] = best(functools.partial(plan.plan_upsampling, 4, n), 2 if quick else 3)
    worst = max(times, key=times.__getitem__)
    before = best(lambda: _reference_plan.plan_upsampling(4, worst), 1 if quick else 3)
    return f"plan_upsampling(4, N), slowest N <= {limit} (N={worst})", times[worst], before


def figures(quick: bool) -> list[tuple[str, float, float]]:
    """(label, our seconds, the previous implementation's seconds) for each figure."""
    if quick:
        return [
            _pair("plan_upsampling", (4, 64), {}, quick),
            _worst_upsampling(64, quick),
            _pair("plan_upsampling", (4, 64), {"max_layers": 5}, quick),
            _pair("plan_downsampling", (64, 4), {}, quick),
            _pair("plan_downsampling", (64, 4), {"max_layers": 5}, quick),
        ]
    return [
        _pair("plan_upsampling", (4, 1024), {}, quick),
        _worst_upsampling(4096, quick),
        _pair("plan_upsampling", (4, 1024), {"max_layers": 5}, quick, slow=True),
        _pair("plan_downsampling", (1024, 4), {}, quick),
        _pair("plan_downsampling", (1024, 4), {"max_layers": 5}, quick),
    ]


if __name__ == "__main__":
    for label, ours, before in figures("--quick" in sys.argv[1:]):
        print(
            f"{label:<58} ours {ours * 1e3:9.3f} ms   before {before * 1e3:10.1f} ms   "
            f"{before / ours:8.0f}x"
        )

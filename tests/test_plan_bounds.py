"""The planners' cost follows what they return, not the size of the numbers (issue 14):
long strides compute only the offsets a search asks for, the stride loop starts at the
first stride that can reach the window still open, and a search past MAX_PLANS plans or
MAX_STEPS considered layers stops with ConvShapeError instead of running for hours."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from convshape import _plan_search, plan
from convshape.errors import ConvShapeError
from tests import _reference_plan

SECONDS = 2.0  # per call
ADDRESS_SPACE = 2 * 2**30  # the child's whole address space: the memory bound

B = "10**9"

CALLS = [
    f"cs.plan_upsampling(1, {B}, max_stride={B})",
    f"cs.plan_downsampling({B}, 1, max_stride={B})",
    f"cs.plan_upsampling(2, {B}, max_stride={B}, max_layers=1)",
    f"cs.plan_downsampling({B}, 2, max_stride={B}, max_layers=1)",
    "cs.plan_upsampling(3, 10**40, max_stride=10**40)",
    "cs.plan_downsampling(10**40, 3, max_stride=10**40)",
    "cs.plan_upsampling(1, 10**40, max_stride=10**40, max_layers=10**9)",
    f"cs.plan_upsampling(1, {B}, max_stride={B}, kernel_sizes=range(1, 100))",
    f"cs.plan_upsampling(1, {B}, kernel_sizes=range(1, 10**6))",
    f"cs.plan_downsampling({B}, 1, max_stride={B}, kernel_sizes=range(1, 100))",
    "cs.plan_upsampling(100, 10**6, max_stride=10**4, max_layers=1)",
    "cs.plan_upsampling(5, 3000, max_stride=1000, max_layers=2)",
    "cs.plan_upsampling(1, 10**6, max_stride=1000, max_layers=2)",
    "cs.plan_upsampling(1, 4096, max_stride=8, max_layers=5)",
    # check() of every (kernel, stride) pair: as many kernels as allowed, strides as long.
    f"cs.plan_upsampling(1, {B}, max_stride={B}, kernel_sizes=range(1, 4097))",
    f"cs.plan_downsampling({B}, 1, max_stride={B}, kernel_sizes=range(1, 4097))",
    f"cs.plan_upsampling(7, {B}, max_stride={B}, kernel_sizes=range(3000, 4097))",
    f"cs.plan_downsampling({B}, 7, max_stride={B}, kernel_sizes=range(3000, 4097))",
    "cs.plan_upsampling(7, 10**6, max_layers=10**9, kernel_sizes=range(1, 4097))",
]


# The calls run in a child with a limited address space (a call that exceeds it gives
# MemoryError); each is timed, and an alarm cuts off a runaway call.
CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import convshape as cs

    def alarm(signum, frame):
        raise TimeoutError("call ran away")

    def run(call):
        signal.setitimer(signal.ITIMER_REAL, {cutoff})
        try:
            eval(call)
            return "ok"
        except cs.ConvShapeError:
            return "ConvShapeError"
        except BaseException as error:
            return type(error).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    signal.signal(signal.SIGALRM, alarm)
    results = []
    for call in json.loads(sys.stdin.read()):
        start = time.perf_counter()
        outcome = run(call)
        results.append([call, outcome, time.perf_counter() - start])
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def measured() -> dict[str, tuple[str, float]]:
    calls = ["cs.plan_upsampling(7, 84)", *CALLS]  # the first call warms up the imports
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=ADDRESS_SPACE, cutoff=SECONDS * 10)],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return {call: (outcome, seconds) for call, outcome, seconds in json.loads(done.stdout)}


@pytest.mark.parametrize("call", CALLS)
def test_huge_plans_cost_what_they_return(
    measured: dict[str, tuple[str, float]], call: str
) -> None:
    outcome, seconds = measured[call]
    assert outcome in ("ok", "ConvShapeError"), outcome
    assert seconds < SECONDS


def test_long_strides_give_the_answers_the_search_gave() -> None:
    # One layer: the exhaustive reference is affordable, and every stride past the cache
    # is computed in its window. Kernels as long as the strides: check() flags shorter ones.
    cases: list[tuple[int, int, dict[str, Any]]] = [
        (40, 12000, {"max_stride": 400, "max_layers": 1, "kernel_sizes": (3, 300, 600)}),
        (3, 800, {"max_stride": 420, "max_layers": 1, "kernel_sizes": (1, 2, 9, 266)}),
        (1, 300, {"max_stride": 320, "max_layers": 1, "padding": "valid", "kernel_sizes": (300,)}),
    ]
    for start, target, options in cases:
        ours = plan.plan_upsampling(start, target, **options)
        assert ours, (start, target)
        assert any(step.kwargs["strides"] > 256 for item in ours for step in item.steps)
        reference = _reference_plan.plan_upsampling(start, target, **options)
        assert [item.describe() for item in ours] == [item.describe() for item in reference]


@pytest.mark.parametrize(
    ("start", "target", "options"),
    [
        (1, 40, {"max_stride": 12, "max_layers": 3}),
        (3, 200, {"max_stride": 40, "max_layers": 2, "kernel_sizes": (2, 7, 8)}),
        (2, 90, {"max_stride": 50, "max_layers": 3, "padding": "valid"}),
        (5, 3000, {"max_stride": 1000, "max_layers": 2, "kernel_sizes": (4, 150, 600)}),
    ],
)
def test_windowed_offsets_equal_the_cached_ones(
    monkeypatch: pytest.MonkeyPatch, start: int, target: int, options: dict[str, Any]
) -> None:
    cached = [item.describe() for item in plan.plan_upsampling(start, target, **options)]
    monkeypatch.setattr(_plan_search, "_CACHED_STRIDES", 1)
    windowed = [item.describe() for item in plan.plan_upsampling(start, target, **options)]
    assert cached
    assert windowed == cached


def test_more_layers_than_any_plan_can_use_change_nothing() -> None:
    assert plan.plan_upsampling(3, 100, max_layers=10**9) == plan.plan_upsampling(
        3, 100, max_layers=8
    )
    assert plan.plan_downsampling(100, 3, max_layers=10**9) == plan.plan_downsampling(
        100, 3, max_layers=8
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: plan.plan_upsampling(
                1, 10**9, max_stride=10**9, kernel_sizes=range(1, plan.MAX_KERNEL_SIZES + 1)
            ),
            "layers to consider",
        ),
        (lambda: plan.plan_downsampling(256, 1, max_layers=6), "10000 plans"),
    ],
)
def test_searches_too_large_say_what_to_lower(call: Any, message: str) -> None:
    with pytest.raises(ConvShapeError, match=message) as raised:
        call()
    assert "lower max_" in str(raised.value)


def test_targets_beyond_int64_are_refused_before_any_search() -> None:
    with pytest.raises(ConvShapeError, match="`target` must fit in int64"):
        plan.plan_upsampling(1, 2**600, max_layers=500)


@pytest.mark.parametrize("kernel_sizes", [5, None, "345", 2.5])
@pytest.mark.parametrize("function", [plan.plan_upsampling, plan.plan_downsampling])
def test_kernel_sizes_that_are_no_sequence_are_named(function: Any, kernel_sizes: Any) -> None:
    with pytest.raises(TypeError, match=r"`kernel_sizes` must be a sequence of ints.*Received"):
        function(3, 8, kernel_sizes=kernel_sizes)


def test_kernel_sizes_are_read_no_further_than_the_limit() -> None:
    with pytest.raises(ConvShapeError, match="at most 4096 sizes"):
        plan.plan_upsampling(3, 8, kernel_sizes=range(1, 10**18))
    assert plan.plan_upsampling(3, 8, kernel_sizes=iter([3, 4])) == plan.plan_upsampling(
        3, 8, kernel_sizes=(3, 4)
    )

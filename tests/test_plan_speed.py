"""The pruned, memoised planners and the direct solvers give exactly what the exhaustive
search before them gave (frozen in ``tests/_reference_plan.py`` and
``tests/_reference_solve.py``): the same plans and solutions in the same order with the
same fields, the same reasons, and the same errors for the same bad arguments.

Speed is measured by ``benchmarks/bench_plan.py``, not tested here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from convshape import plan, solve
from convshape.errors import ConvShapeError
from tests import _reference_plan, _reference_solve

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


def _outcome(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What a call gives, in plain data: the results' fields, or the error's."""
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        if isinstance(error, AssertionError):
            # A bare assert's message depends on whether pytest rewrote the module (it
            # does for files named on the command line), so only its type is compared.
            return type(error).__name__
        return (
            type(error).__name__,
            str(error),
            getattr(error, "argument", None),
            getattr(error, "received", None),
        )
    if isinstance(result, range):  # conv_input_lengths
        return result
    if isinstance(result, list):  # plans
        return [
            (
                [(step.size, step.output, repr(step.kwargs), str(step)) for step in item.steps],
                item.strides,
                item.sizes,
                item.describe(),
                repr(item),
            )
            for item in result
        ]
    # The solvers merge the spellings of one layer (same_as) and rank the solutions; the
    # frozen search lists every spelling in its own order: compared as sets of spellings.
    return (result.problem, result.reason, result.notes, _spellings(result))


def _spellings(solutions: Any) -> list[tuple[Any, ...]]:
    """Every spelling of every solution, sorted."""
    return sorted(
        (repr(kwargs), sol.output, type(sol.split).__name__, tuple(sol.split), sol.note)
        for sol in solutions
        for kwargs in (sol.kwargs, *getattr(sol, "same_as", ()))
    )


def _mismatches(new: Any, reference: Any, calls: Iterator[Call]) -> list[Call]:
    wrong = []
    for name, args, kwargs in calls:
        ours = _outcome(getattr(new, name), args, kwargs)
        if ours != _outcome(getattr(reference, name), args, kwargs):
            wrong.append((name, args, kwargs))
    return wrong


# --- planners ---------------------------------------------------------------------------

PLAN_OPTIONS: list[dict[str, Any]] = [
    {},
    {"max_layers": 2},
    {"padding": "valid", "max_layers": 3},
    {"padding": "SAME", "max_layers": 1},
    {"kernel_sizes": (7, 2, 4, 2), "max_stride": 3},
    {"kernel_sizes": [1], "max_stride": 5, "max_layers": 3},
    {"max_stride": 2, "max_layers": 6},
    {"kernel_sizes": ()},
    {"max_stride": 1},
]


def _plan_calls(options: dict[str, Any]) -> Iterator[Call]:
    for start in (1, 2, 3, 5, 8):
        for target in range(1, 29 if start > 1 else 13):
            yield "plan_upsampling", (start, target), options
            yield "plan_downsampling", (target, start), options


@pytest.mark.parametrize("options", PLAN_OPTIONS, ids=repr)
def test_plans_are_the_exhaustive_searchs(options: dict[str, Any]) -> None:
    assert _mismatches(plan, _reference_plan, _plan_calls(options)) == []


PLAN_CASES: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((7, 84), {}),
    ((4, 96), {"max_layers": 5}),
    ((1, 20), {"max_stride": 6, "kernel_sizes": (1, 2, 9)}),
    ((2, 2), {}),
    ((1, 1), {}),
]


@pytest.mark.parametrize(("args", "options"), PLAN_CASES, ids=repr)
def test_larger_plans_are_the_exhaustive_searchs(
    args: tuple[int, int], options: dict[str, Any]
) -> None:
    start, target = args
    calls = [
        ("plan_upsampling", (start, target), options),
        ("plan_downsampling", (target, start), options),
    ]
    assert _mismatches(plan, _reference_plan, iter(calls)) == []


BAD_PLAN_ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((0, 8), {}),
    ((-1, 8), {}),
    ((1.5, 8), {}),
    ((True, 8), {}),
    (("3", 8), {}),
    ((None, 8), {}),
    ((3, 0), {}),
    ((3, 2.0), {}),
    ((0, 0), {"padding": "bogus"}),
    ((3, 8), {"max_stride": 0}),
    ((3, 8), {"max_stride": "4"}),
    ((3, 8), {"max_layers": 0}),
    ((3, 8), {"max_layers": 2.0}),
    ((3, 8), {"kernel_sizes": (0,)}),
    ((3, 8), {"kernel_sizes": (3, 1.5)}),
    ((3, 8), {"kernel_sizes": (3, -1), "padding": "bogus"}),
    ((3, 8), {"kernel_sizes": [True]}),
    ((3, 8), {"padding": "full"}),
    ((3, 8), {"padding": "causal"}),
    ((3, 8), {"padding": "bogus"}),
    ((3, 8), {"padding": 1}),
    ((3, 8), {"padding": (1, 2)}),
    ((3, 8), {"padding": True}),
    ((3, 8), {"padding": None}),
    ((3, 8), {"padding": "Valid"}),
]


@pytest.mark.parametrize(("args", "options"), BAD_PLAN_ARGUMENTS, ids=repr)
def test_plans_reject_what_the_exhaustive_search_rejected(
    args: tuple[Any, ...], options: dict[str, Any]
) -> None:
    start, target = args
    calls = [
        ("plan_upsampling", (start, target), options),
        ("plan_downsampling", (target, start), options),
    ]
    assert _mismatches(plan, _reference_plan, iter(calls)) == []


# --- solvers ----------------------------------------------------------------------------

TRANSPOSE_OPTIONS: list[dict[str, Any]] = [
    {},
    {"max_dilation": 3},
    {"kernel_size": 4},
    {"stride": 1, "max_dilation": 2},
    {"stride": 3},
    {"dilation": 2, "max_stride": 2},
    {"padding": "valid"},
    {"padding": "same"},
    {"padding": "full"},
    {"padding": 1},
    {"output_padding": None},
    {"output_padding": 0},
    {"output_padding": 1},
    {"output_padding": 3},
    {"output_padding": 1, "padding": "valid"},
    {"max_kernel_size": 12, "max_stride": 5, "max_dilation": 3},
    {"max_kernel_size": 0},
    {"max_stride": 0},
]

CONV_OPTIONS: list[dict[str, Any]] = [
    {},
    {"max_dilation": 3},
    {"kernel_size": 4},
    {"stride": 1, "max_dilation": 2},
    {"stride": 1},
    {"padding": "valid"},
    {"padding": "same"},
    {"padding": "SAME"},
    {"padding": "full"},
    {"padding": "causal"},
    {"padding": 1},
    {"padding": (0, 2)},
    {"max_kernel_size": 12, "max_stride": 5, "max_dilation": 3},
    {"max_kernel_size": 0},
]

SIZES = (0, 1, 2, 3, 5, 8)


def _transpose_calls(framework: str) -> Iterator[Call]:
    for size, target, options in itertools.product(SIZES, range(19), TRANSPOSE_OPTIONS):
        yield "solve_conv_transpose", (size, target), {**options, "framework": framework}


def _conv_calls(framework: str, pooling: bool) -> Iterator[Call]:
    for size, target, options in itertools.product(SIZES, range(19), CONV_OPTIONS):
        kwargs = {**options, "framework": framework, "pooling": pooling}
        yield "solve_conv", (size, target), kwargs


# The solvers deliberately differ from the frozen search in two documented ways (issue
# 14): they return only what the framework's layer accepts (tests/test_soundness.py builds
# the layers to prove it), and they reject requests no such layer can take (a Keras
# int/pair or "full" padding, "causal" pooling, a PyTorch padding string or pair where
# PyTorch takes none, an output_padding no stride allows) with ConvShapeError or TypeError,
# where the search returned unsound solutions or failed an assert.


def _keras_accepts(kwargs: dict[str, Any], pooling: bool) -> bool:
    allowed = ("same", "valid") if pooling else ("same", "valid", "causal")
    return kwargs["padding"] in allowed


def _torch_accepts(solution: Any, size: int, transposed: bool, pooling: bool) -> bool:
    kwargs, p = solution.kwargs, solution.kwargs["padding"]
    if size == 0 or solution.output == 0:  # PyTorch rejects empty inputs and outputs
        return False
    if transposed:
        return type(p) is int and kwargs["output_padding"] < max(
            kwargs["stride"], kwargs["dilation"]
        )
    if isinstance(p, str):
        return p == "valid" or (p == "same" and kwargs["stride"] == 1 and not pooling)
    split = solution.split
    return split == (p, p) and (not pooling or p <= kwargs["kernel_size"] // 2)


def _newly_rejected(name: str, kwargs: dict[str, Any]) -> bool:
    """A request the solvers now reject: no layer of the framework takes it."""
    padding = kwargs.get("padding")
    transposed = name == "solve_conv_transpose"
    pooling = kwargs.get("pooling", False)
    if kwargs.get("framework", "keras") == "keras":
        allowed = ("same", "valid") if transposed or pooling else ("same", "valid", "causal")
        bad_padding = padding is not None and not (
            isinstance(padding, str) and padding.lower() in allowed
        )
    elif isinstance(padding, str):
        stride = kwargs.get("stride") or 1
        bad_padding = transposed or pooling or padding not in ("same", "valid")
        bad_padding = bad_padding or (padding == "same" and stride > 1)
    else:
        bad_padding = padding is not None and (type(padding) is not int or padding < 0)
    op = kwargs.get("output_padding", ...)
    bad_op = op is not ... and op is not None and (type(op) is not int or not 0 <= op < 3)
    return bad_padding or bad_op or kwargs.get("max_dilation", 1) is None


def _documented_difference(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether the new solver's answer differs from the frozen search's only as documented
    above: the search's solutions the framework accepts, or a rejected request."""
    try:
        theirs = getattr(_reference_solve, name)(*args, **kwargs)
    except Exception:  # rejected by both: the new message may name the argument better
        theirs = None
    try:
        ours = getattr(solve, name)(*args, **kwargs)
    except (ConvShapeError, TypeError):
        return theirs is None or _newly_rejected(name, kwargs)
    if theirs is None:
        return False
    transposed, pooling = name == "solve_conv_transpose", kwargs.get("pooling", False)
    if kwargs.get("framework", "keras") == "keras":
        kept = [sol for sol in theirs if _keras_accepts(sol.kwargs, pooling)]
    else:
        kept = [sol for sol in theirs if _torch_accepts(sol, args[0], transposed, pooling)]
    # PyTorch rejects empty inputs and outputs, and the reason says so.
    empty = kwargs.get("framework") == "torch" and 0 in args
    return (len(kept) < len(theirs) or empty) and _spellings(ours) == _spellings(kept)


def _solver_mismatches(calls: Iterator[Call]) -> list[Call]:
    return [
        call
        for call in _mismatches(solve, _reference_solve, calls)
        if not _documented_difference(*call)
    ]


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_transpose_solutions_are_the_exhaustive_searchs(framework: str) -> None:
    assert _solver_mismatches(_transpose_calls(framework)) == []


@pytest.mark.parametrize("pooling", [False, True], ids=["conv", "pooling"])
@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_conv_solutions_are_the_exhaustive_searchs(framework: str, pooling: bool) -> None:
    assert _solver_mismatches(_conv_calls(framework, pooling)) == []


BAD_SOLVE_ARGUMENTS: list[Call] = [
    ("solve_conv_transpose", (-1, 3), {}),
    ("solve_conv_transpose", (3, None), {}),
    ("solve_conv_transpose", (3.0, 5), {}),
    ("solve_conv_transpose", (3, 6), {"framework": "jax"}),
    ("solve_conv_transpose", (3, 6), {"kernel_size": 0}),
    ("solve_conv_transpose", (3, 6), {"stride": True}),
    ("solve_conv_transpose", (3, 6), {"dilation": -2}),
    ("solve_conv_transpose", (3, 6), {"max_kernel_size": "7"}),
    ("solve_conv_transpose", (3, 6), {"max_stride": 2.5}),
    ("solve_conv_transpose", (3, 6), {"max_dilation": None}),
    ("solve_conv_transpose", (3, 6), {"padding": "causal"}),
    ("solve_conv_transpose", (3, 6), {"padding": "bogus"}),
    ("solve_conv_transpose", (3, 6), {"padding": (1, 2)}),
    ("solve_conv_transpose", (3, 6), {"padding": 1, "output_padding": 9}),
    ("solve_conv_transpose", (3, 6), {"padding": "bogus", "max_kernel_size": 0}),
    ("solve_conv_transpose", (3, 6), {"padding": "bogus", "stride": 2, "dilation": 2}),
    ("solve_conv_transpose", (3, 6), {"output_padding": "1"}),
    ("solve_conv_transpose", (3, 6), {"output_padding": 1.0}),
    ("solve_conv_transpose", (3, 6), {"output_padding": 0.5}),
    ("solve_conv_transpose", (3, 6), {"output_padding": True}),
    ("solve_conv_transpose", (3, 7), {"output_padding": True}),
    ("solve_conv_transpose", (3, 6), {"output_padding": -1}),
    ("solve_conv_transpose", (3, 6), {"output_padding": float("nan")}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "padding": "same"}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "padding": 1.0}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "padding": True}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "padding": -1}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "output_padding": 5}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "output_padding": True}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "output_padding": 1.0}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "output_padding": "1"}),
    ("solve_conv_transpose", (3, 6), {"framework": "torch", "output_padding": -1}),
    ("solve_conv", (3, 1), {"padding": "bogus"}),
    ("solve_conv", (3, 1), {"padding": True}),
    ("solve_conv", (3, 1), {"padding": (1, 2, 3)}),
    ("solve_conv", (3, 1), {"padding": -1}),
    ("solve_conv", (3, 1), {"framework": "torch", "padding": "bogus"}),
    ("solve_conv", (3, 1), {"padding": "bogus", "stride": 2, "dilation": 2}),
    ("solve_conv", (3, 1), {"pooling": True, "dilation": "x"}),
    ("solve_conv", (3, 1), {"dilation": "x"}),
    ("solve_conv", (3, 1), {"max_kernel_size": None}),
    ("solve_conv", (2, 100), {"padding": "valid", "stride": 1, "max_kernel_size": 50}),
    ("solve_conv", (7, 100), {"framework": "torch", "pooling": True}),
    ("conv_input_lengths", (7, 5), {"stride": 2, "padding": "same"}),
    ("conv_input_lengths", (-7, 5), {}),
]


@pytest.mark.parametrize("call", BAD_SOLVE_ARGUMENTS, ids=repr)
def test_solvers_reject_what_the_exhaustive_search_rejected(call: Call) -> None:
    assert _solver_mismatches(iter([call])) == []

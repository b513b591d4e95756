"""The core functions' fast path against their validating path.

Each public function in ``convshape.arithmetic`` answers the common calls (plain ints, a
lower-case mode, a result that neither raises nor warns) itself and hands the rest to the
validating path, ``_<name>_checked`` (in ``convshape._keras_rules``). Both must give the
same result, the same error (type, message, ``argument``, ``received``) and the same
warnings (category, message, file, line) for every input, valid or not. Speed is measured
in benchmarks/bench_core.py.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

import pytest

from convshape import Pad, _keras_rules, arithmetic
from convshape.errors import ConvShapeWarning


def _optional_numpy() -> ModuleType | None:
    """NumPy where it is installed (it is optional), else None."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is optional
        return None
    return numpy


np = _optional_numpy()


class _SubInt(int):
    """An int subclass: the validating path accepts it, the fast path leaves it alone."""


def _numpy(*values: int) -> list[object]:
    """NumPy integers of ``values`` when NumPy is installed (ints to the validating path)."""
    if np is None:
        return []
    return [kind(value) for value in values for kind in (np.int64, np.int32)]


def _numpy_array(*values: int) -> list[object]:
    """A NumPy array of ``values`` when NumPy is installed (a padding it rejects)."""
    return [] if np is None else [np.array(values)]


# Valid values, taken in full product: the fast path's own cases and the ones around them
# that raise (empty outputs, output_padding too large) or warn (TensorFlow rejects the length).
SIZES: list[object] = [None, 0, 1, 2, 3, 4, 7, 13, 28, 2**40 + 1]
KERNELS: list[object] = [1, 2, 3, 4, 5, 7, 40]  # 40: paddings and crops beyond the usual ones
STRIDES: list[object] = [1, 2, 3, 4, 40]
DILATIONS: list[object] = [1, 2, 3]
PADDINGS: list[object] = ["valid", "same", "full", "causal", "VALID", "Same", 0, 1, 2, (1, 2)]
OUTPUT_PADDINGS: list[object] = [None, 0, 1, 2, 3]

# Invalid or unusual values, each tried in one argument at a time over a smaller base grid.
_BAD_INTS: list[object] = [-1, True, False, 2.0, "3", None, _SubInt(3), 10**30, *_numpy(0, 3)]
BAD: dict[str, list[object]] = {
    "size": [-1, -7, True, 7.0, "7", _SubInt(7), 10**30, *_numpy(0, 7)],
    "kernel_size": [0, *_BAD_INTS],
    "stride": [0, *_BAD_INTS],
    "dilation": [0, *_BAD_INTS],
    "padding": [
        "bogus",
        "",
        "same ",
        "CAUSAL",
        "Full",
        -1,
        1.5,
        None,
        True,
        _SubInt(1),
        (1,),
        (1, 2, 3),
        (1, -1),
        (1.0, 2),
        [True, 0],
        [0, 1],
        *_numpy(1),
        *_numpy_array(1, 2),
    ],
    "output_padding": [-1, 4, True, 1.0, "1", _SubInt(1), 10**30, *_numpy(0, 1)],
}
BASE: dict[str, list[object]] = {
    "size": [None, 0, 1, 7],
    "kernel_size": [1, 4, 5],
    "stride": [1, 2, 3],
    "dilation": [1, 2],
    "padding": ["valid", "same"],
    "output_padding": [None, 0, 1],
}

_FORWARD = ("size", "kernel_size", "stride", "padding", "dilation")
_TRANSPOSE = ("size", "kernel_size", "stride", "padding", "output_padding", "dilation")

#: (public function, validating path, argument names)
FUNCTIONS: list[tuple[Callable[..., Any], Callable[..., Any], tuple[str, ...]]] = [
    (arithmetic.conv_output_length, _keras_rules._conv_output_length_checked, _FORWARD),
    (arithmetic.conv_padding, _keras_rules._conv_padding_checked, _FORWARD),
    (
        arithmetic.conv_transpose_output_length,
        _keras_rules._conv_transpose_output_length_checked,
        _TRANSPOSE,
    ),
    (arithmetic.conv_transpose_crop, _keras_rules._conv_transpose_crop_checked, _TRANSPOSE),
    (
        arithmetic.conv_transpose_output_range,
        _keras_rules._conv_transpose_output_range_checked,
        _FORWARD,
    ),
    (
        arithmetic.effective_kernel_size,
        _keras_rules._effective_kernel_size_checked,
        ("kernel_size", "dilation"),
    ),
]
_IDS = [function.__name__ for function, _, _ in FUNCTIONS]

_GOOD = {
    "size": SIZES,
    "kernel_size": KERNELS,
    "stride": STRIDES,
    "dilation": DILATIONS,
    "padding": PADDINGS,
    "output_padding": OUTPUT_PADDINGS,
}


def _grid(names: tuple[str, ...]) -> Iterator[tuple[object, ...]]:
    """The full product of valid values, then each bad value in each argument in turn."""
    yield from itertools.product(*(_GOOD[name] for name in names))
    for position, name in enumerate(names):
        others = [BASE[other] for other in names]
        others[position] = BAD[name]
        yield from itertools.product(*others)


def _describe(value: object) -> tuple[type, str]:
    """A comparable picture of a value that may be a NumPy array."""
    return type(value), repr(value)


def _outcome(function: Callable[..., Any], args: tuple[object, ...]) -> tuple[object, ...]:
    """What a call returns or raises, and the warnings it issues, as comparable data."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args)  # every warning must point at this line
        except (TypeError, ValueError) as error:
            outcome: tuple[object, ...] = (
                "raised",
                type(error),
                str(error),
                getattr(error, "argument", "-"),
                [(key, *_describe(value)) for key, value in getattr(error, "received", {}).items()],
            )
        else:
            outcome = ("returned", type(result), result)
    issued = [(w.category, str(w.message), w.filename, w.lineno) for w in caught]
    return (*outcome, issued)


def _compare(
    public: Callable[..., Any], checked: Callable[..., Any], grid: Iterable[tuple[object, ...]]
) -> dict[str, int]:
    """Assert both paths agree on every call of ``grid``; count the kinds of outcome."""
    counts = {"returned": 0, "raised": 0, "warned": 0}
    for args in grid:
        fast = _outcome(public, args)
        slow = _outcome(checked, args)
        assert fast == slow, (public.__name__, args)
        counts[str(fast[0])] += 1
        counts["warned"] += bool(fast[-1])
    return counts


@pytest.mark.parametrize(("public", "checked", "names"), FUNCTIONS, ids=_IDS)
def test_fast_path_matches_validating_path(
    public: Callable[..., Any], checked: Callable[..., Any], names: tuple[str, ...]
) -> None:
    counts = _compare(public, checked, _grid(names))
    assert counts["returned"] >= 10
    assert counts["raised"] >= 10
    if public is arithmetic.conv_transpose_output_length:
        assert counts["warned"] >= 10


@pytest.mark.parametrize(("public", "checked", "names"), FUNCTIONS, ids=_IDS)
def test_defaults_and_keywords_match(
    public: Callable[..., Any], checked: Callable[..., Any], names: tuple[str, ...]
) -> None:
    """Calls that leave the trailing arguments to their defaults, and keyword calls."""
    required = 1 if public is arithmetic.effective_kernel_size else 2
    for args in itertools.product(*(BASE[name] for name in names)):
        for given in range(required, len(names)):
            prefix = args[:given]
            assert _outcome(public, prefix) == _outcome(checked, prefix), (public, prefix)
        kwargs = dict(zip(names, args, strict=True))
        by_name = _outcome(functools.partial(public, **kwargs), ())
        assert by_name == _outcome(functools.partial(checked, **kwargs), ()), (public, kwargs)


def test_pads_around_the_prebuilt_ones() -> None:
    """Every total from -39 to 39: the prebuilt Pads, their bounds and the ones built per call."""
    sweep = itertools.product(range(1, 41), range(1, 41))
    crops = [
        (size, k, s, mode) for k, s in sweep for size in (None, 7) for mode in ("same", "valid")
    ]
    _compare(arithmetic.conv_transpose_crop, _keras_rules._conv_transpose_crop_checked, crops)
    sweep = itertools.product(range(1, 41), range(1, 41))
    pads = [(size, k, s, "same") for k, s in sweep for size in (0, 1, 7, 28, 40)]
    _compare(arithmetic.conv_padding, _keras_rules._conv_padding_checked, pads)


def test_warning_points_at_the_callers_line() -> None:
    """The fast path's fall-through keeps the warning's stack level: the caller's line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = _line_of_next_call()
        arithmetic.conv_transpose_output_length(7, 4, 2, "same", 0)
    assert [(w.category, w.filename, w.lineno) for w in caught] == [
        (ConvShapeWarning, __file__, line + 1)
    ]


def _line_of_next_call() -> int:
    frame = inspect.currentframe()
    assert frame is not None
    assert frame.f_back is not None
    return frame.f_back.f_lineno


def _refuse(*args: object, **kwargs: object) -> object:
    raise AssertionError("the validating path was called")


def test_common_forms_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forms the fast path exists for never reach the validating path."""
    for name in (
        "_forward",
        "_transpose",
        "_conv_padding_checked",
        "_conv_transpose_crop_checked",
        "_conv_transpose_output_range_checked",
        "_effective_kernel_size_checked",
    ):
        monkeypatch.setattr(arithmetic, name, _refuse)
    assert arithmetic.conv_output_length(28, 5, 2) == 12
    assert arithmetic.conv_output_length(28, 5, 2, "same") == 14
    assert arithmetic.conv_output_length(10, 3, 1, "causal", 4) == 10
    assert arithmetic.conv_padding(28, 5, 2, "same") == Pad(1, 2)
    assert arithmetic.conv_padding(28, 5, 2) == Pad(0, 0)
    assert arithmetic.conv_transpose_output_length(7, 5, 2, "same") == 14
    assert arithmetic.conv_transpose_output_length(7, 5, 2, "valid") == 17
    assert arithmetic.conv_transpose_output_length(7, 4, 2, "same", 1) == 13
    assert arithmetic.conv_transpose_output_length(7, 5, 2, "valid", 1) == 18
    assert arithmetic.conv_transpose_crop(7, 5, 2, "same") == Pad(1, 2)
    assert arithmetic.conv_transpose_crop(None, 1, 3, "valid") == Pad(0, -2)
    assert arithmetic.conv_transpose_output_range(7, 5, 2, "same") == range(13, 15)
    assert arithmetic.conv_transpose_output_range(7, 5, 2, "valid") == range(17, 19)
    assert arithmetic.effective_kernel_size(3, 2) == 5

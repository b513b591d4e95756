"""The solvers' search space: each argument's range, the windows of strides and kernels
that can reach a target, the walk over dilations and strides that stops where nothing
more can be found, the list of what a search found (capped), and :class:`Search`, the
record of how the solvers search one framework's layers.

Each length formula is ``(I - 1) * s + r`` (transposed) or ``floor((I + pad - k_eff) /
s) + 1`` (forward) with r affine in s and k_eff: so per dilation the strides that can
reach a target form a window (:func:`_window`), and per stride the kernels that do are a
range (:func:`_kernels_between`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._core import ceil_div, effective_kernel
from ._types import Pad
from ._validate import as_int, check_positive, check_size
from .errors import ConvShapeError
from .torch._crop import largest_output_padding

if TYPE_CHECKING:
    from .solve import Solution

#: One layer a search found: its kwargs, its split (the crop, or the padding) and a note.
Candidate = tuple[dict[str, Any], Pad, str]


class Found(list[tuple[tuple[Any, ...], Candidate]]):
    """The layers a search found, each after its sort key; past ``limit`` of them
    :func:`_add` raises :class:`_TooMany`, so that a search's cost follows what it returns."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit


class _TooMany(Exception):
    """More than the solutions a solver returns (a ConvShapeError at the boundary)."""


def _add(
    found: Found, key: tuple[Any, ...], kwargs: dict[str, Any], split: Pad, note: str = ""
) -> None:
    found.append((key, (kwargs, split, note)))
    if len(found) > found.limit:
        raise _TooMany


@dataclass(frozen=True)
class Search:
    """How the solvers search one framework's layers (``convshape._frameworks`` holds it as
    the framework's ``solver``): what it refuses, how it names arguments, and its searches.

    The transposed search is the framework's own; the forward search is shared
    (``convshape._solve_forward``) and reads the fields before the functions.
    """

    name: str
    #: Why an empty input or output has no solution ("" where the framework takes them).
    empty: str
    #: Whether a strided layer may be dilated (Keras rejects strided dilated layers).
    strided_dilation: bool
    #: The longest stride padding "same" takes (None: any).
    same_stride: int | None
    #: Whether a pooling's padding is at most half its kernel.
    pool_padding_half: bool
    #: The padding modes tried besides the paddings solved for (convolutions only).
    also: tuple[str, ...]
    #: The framework to suggest with wider bounds after an empty answer ("" for none).
    other: str
    #: The ``padding`` argument of a transposed solver, checked: what its search takes.
    transpose_padding: Callable[[object], Any]
    #: (size, target, kernels, strides, dilations, padding, output_padding, found).
    transpose: Callable[[int, int, range, range, range, Any, Any, Found], None]
    #: (size, kernels, strides, dilations, padding, output_padding): why none, in order.
    transpose_reasons: Callable[[int, range, range, range, Any, Any], Iterator[str]]
    #: (size, target, solutions): what a porter should know of the transposed solutions.
    transpose_notes: Callable[[int, int, tuple[Solution, ...]], tuple[str, ...]]
    #: (padding, pooling, strides): the forward modes to try; none: solved for (``free``).
    forward_modes: Callable[[object, bool, range], list[Any]]
    #: (size, target, kernels, strides, dilation, pooling, found): the paddings solved for.
    free: Callable[[int, int, range, range, int, bool, Found], None] | None
    #: The names of a forward layer's arguments: (a pooling's kernel, a convolution's
    #: kernel, the stride, the dilation); the padding is ``padding`` in every framework.
    names: tuple[str, str, str, str]


def _writable(value: int, name: str) -> int:
    """``value``, if Python can write it out in decimal (answers show every number)."""
    limit = sys.get_int_max_str_digits()
    # Below 2 ** (3 * limit) a number has fewer than ``limit`` digits: no power of 10 built.
    if limit and value.bit_length() > 3 * limit and abs(value) >= 10**limit:
        raise ConvShapeError(
            f"`{name}` has more than {limit} digits, too many to write out in an answer",
            argument=name,
            received={name: value},
        )
    return value


def _choices(fixed: object, name: str, upper: object) -> range:
    """The values an argument ranges over: the one given, or ``1..upper``."""
    if fixed is None:
        bound = _writable(as_int(upper, f"max_{name}"), f"max_{name}")
        if bound < 0:
            raise ConvShapeError(
                f"`max_{name}` must be >= 0", argument=f"max_{name}", received={name: upper}
            )
        return range(1, bound + 1)
    value = _writable(check_positive(fixed, name), name)
    return range(value, value + 1)


def _known(value: object, name: str) -> int:
    checked = check_size(value, name)
    if checked is None:
        raise ConvShapeError(f"`{name}` must be known", argument=name, received={name: value})
    return _writable(checked, name)


def _padding_error(padding: object, rule: str) -> ConvShapeError:
    return ConvShapeError(rule, argument="padding", received={"padding": padding})


def _check_output_padding(output_padding: object, strides: range, dilations: range) -> Any:
    """``...`` (every value), None, or an int >= 0 that some stride or dilation allows."""
    if output_padding is ... or output_padding is None:
        return output_padding
    value = _writable(as_int(output_padding, "output_padding"), "output_padding")
    if value < 0:
        raise ConvShapeError(
            "`output_padding` must be >= 0",
            argument="output_padding",
            received={"output_padding": output_padding},
        )
    if strides and dilations and value > largest_output_padding(strides[-1], dilations[-1]):
        raise ConvShapeError(
            "`output_padding` must be smaller than `stride` (or, in PyTorch, `dilation`)",
            argument="output_padding",
            received={"output_padding": output_padding},
        )
    return value


def _kernels_between(
    kernels: range, d: int, low: int, high: int | None = None, parity: int | None = None
) -> range:
    """The kernels k whose k_eff = effective_kernel(k, d) lies in ``low..high`` (no upper bound
    when None) and, when given, has this parity."""
    first = max(kernels.start, ceil_div(low - 1, d) + 1)
    stop = kernels.stop if high is None else min(kernels.stop, (high - 1) // d + 2)
    if parity is None:
        return range(first, stop)
    if d % 2 == 0:  # (k - 1) * d + 1 is odd for every k
        return range(first, stop) if parity == 1 else range(0)
    # d odd: k_eff has the parity of k.
    return range(first + (first - parity) % 2, stop, 2)


def _k_effs(kernels: range, d: int) -> tuple[int, int]:
    """The smallest and the largest k_eff of (non-empty) ``kernels``."""
    return effective_kernel(kernels.start, d), effective_kernel(kernels[-1], d)


def _window(
    strides: range,
    size: int,
    target: int,
    low: tuple[int, int] | None,
    high: tuple[int, int],
    first: int = 1,
) -> range:
    """The strides s >= ``first`` for which ``(size - 1) * s + r`` can be the target when
    ``c * s + b`` bounds r for the pairs (c, b) ``low`` and ``high`` (none below when None)."""
    start, stop = max(strides.start, first), strides.stop
    if low is not None:  # (size - 1 + c) * s + b <= target
        a, b = size - 1 + low[0], low[1]
        if a > 0:
            stop = min(stop, (target - b) // a + 1)
        elif a < 0:
            start = max(start, ceil_div(b - target, -a))
        elif b > target:
            return range(0)
    a, b = size - 1 + high[0], high[1]  # (size - 1 + c) * s + b >= target
    if a > 0:
        start = max(start, ceil_div(target - b, a))
    elif a < 0:
        stop = min(stop, (b - target) // -a + 1)
    elif b < target:
        return range(0)
    return range(start, max(start, stop))


def _dilations(dilations: range, stable: int, found: Found) -> Iterator[int]:
    """The dilations to search. Past ``stable`` a kernel over 1 is too long to reach the
    target unless its length does not matter, so whether a dilation has solutions no
    longer depends on it but for its parity: two dilations without any end the search."""
    empty = 0
    for d in dilations:
        before = len(found)
        yield d
        if len(found) > before or d <= stable:
            empty = 0
            continue
        empty += 1
        if empty == 2:
            return


def _each_stride(window: range, stable: int | None, solve: Callable[[int], bool]) -> None:
    """``solve`` each stride of the window. Past ``stable``, whether a stride has solutions
    no longer depends on it but for its parity: two strides without any end the search."""
    empty = 0
    for s in window:
        if solve(s) or stable is None or s <= stable:
            empty = 0
            continue
        empty += 1
        if empty == 2:
            return


def _strides_for(strides: range, d: int, strided_dilation: bool) -> range:
    """The strides a layer of dilation ``d`` may take: stride 1 only when dilated, where
    the framework rejects strided dilated layers."""
    return strides if strided_dilation or d == 1 else range(strides.start, min(strides.stop, 2))


def _dilations_for(dilations: range, s: int, strided_dilation: bool) -> range:
    """The dilations a layer of stride ``s`` may take (see :func:`_strides_for`)."""
    if strided_dilation or s == 1:
        return dilations
    return range(dilations.start, min(dilations.stop, 2))

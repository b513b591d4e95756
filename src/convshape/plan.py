"""Planning a stack of strided layers from one size to another (Keras arguments).

>>> from convshape import plan_upsampling
>>> [plan.strides for plan in plan_upsampling(7, 84)[:4]]
[(3, 4), (4, 3), (2, 2, 3), (2, 3, 2)]
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ._validate import check_padding, check_positive
from .arithmetic import (
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from .errors import ConvShapeError, _short_repr

__all__ = [
    "MAX_KERNEL_SIZES",
    "MAX_PLANS",
    "MAX_STEPS",
    "Plan",
    "Step",
    "plan_downsampling",
    "plan_upsampling",
]


@dataclass(frozen=True)
class Step:
    """One layer of a plan: the sizes in and out and its Keras arguments."""

    size: int
    output: int
    kwargs: dict[str, Any]

    def __str__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.kwargs.items())
        return f"{self.size} -> {self.output}: {args}"


@dataclass(frozen=True)
class Plan:
    """A sequence of layers from ``start`` to ``target``.

    >>> plan = plan_upsampling(7, 28)[0]
    >>> str(plan)
    '7 -> 28 in 1 layer(s), strides 4'
    """

    steps: tuple[Step, ...]

    @property
    def strides(self) -> tuple[int, ...]:
        """The stride of each layer, in order."""
        return tuple(step.kwargs["strides"] for step in self.steps)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Every size along the way, the start and the target included."""
        return (self.steps[0].size, *(step.output for step in self.steps))

    def __str__(self) -> str:
        sizes = self.sizes
        strides = ", ".join(map(str, self.strides))
        return f"{sizes[0]} -> {sizes[-1]} in {len(self.steps)} layer(s), strides {strides}"

    def describe(self) -> str:
        """The plan, one line per layer."""
        return "\n".join([str(self), *(f"  {step}" for step in self.steps)])

    def __repr__(self) -> str:
        return f"<Plan {self}>"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.describe())}</pre>"


def _modes(padding: Any) -> list[str]:
    """The preferred padding first, then the other Keras mode for sizes it cannot reach."""
    mode = check_padding(padding, transpose=False)
    if mode not in ("same", "valid"):
        raise ConvShapeError(
            "`padding` of a plan must be 'same' or 'valid'",
            argument="padding",
            received={"padding": padding},
        )
    return [str(mode), "valid" if mode == "same" else "same"]


# A transposed layer with stride s takes a length I to (I - 1) * s + offset, for offsets
# that do not depend on I (nor does TensorFlow's check of them): so the simplest arguments
# per (stride, offset) are found once, and the lengths reachable from I with stride s are
# (I - 1) * s + 1 .. I * s + max(kernel_sizes) - 1 (valid padding, output_padding s - 1).


_Choice = tuple[tuple[int, ...], int, str, int | None]  # (cost, kernel, mode, op)

#: More plans than this raise ConvShapeError: narrower arguments are needed.
MAX_PLANS = 10_000

#: The planners give up, with ConvShapeError, after considering this many layers (a
#: (stride, output) step from one length) in all: the search then costs at most about a
#: second whatever the numbers, and ordinary questions consider a few thousand.
MAX_STEPS = 250_000

# Strides up to this keep every offset they can add in one cached list; longer strides
# compute only the offsets a search asks for (a stride s has about s of them).
_CACHED_STRIDES = 256


def _up_offsets(
    stride: int, target: int, kernels: Sequence[int], modes: list[str], low: int, high: int
) -> tuple[list[int], list[_Choice]]:
    """The offsets in ``low..high`` (ascending, none beyond ``target``) one Conv2DTranspose
    layer with this stride adds to ``(I - 1) * stride``, each with its cheapest (cost,
    kernel, mode, op)."""
    best: dict[int, _Choice] = {}
    ops = min(stride, target + 1)  # an offset is at least output_padding
    for rank, mode in enumerate(modes):
        for k in kernels:
            allowed = _output_range(1, k, stride, mode)
            # Without output_padding, one offset.
            offset = _transpose_length(1, k, stride, _transpose_crop(k, stride, mode, None))
            if low <= offset <= high and offset <= target and offset in allowed:
                cost = (rank, False, k % stride != 0, k)
                if offset not in best or cost < best[offset][0]:
                    best[offset] = (cost, k, mode, None)
            # With output_padding op, the offset is c + op for op in 0..ops - 1.
            c = _transpose_length(1, k, stride, _transpose_crop(k, stride, mode, 0))
            first = max(c, allowed.start, low)
            last = min(c + ops - 1, allowed.stop - 1, target, high)
            # Kernels the stride divides overlap evenly (no checkerboard): first.
            cost = (rank, True, k % stride != 0, k)
            for offset in range(first, last + 1):
                if offset not in best or cost < best[offset][0]:
                    best[offset] = (cost, k, mode, offset - c)
    offsets = sorted(best)
    return offsets, [best[offset] for offset in offsets]


class _TooMany(Exception):
    """More than MAX_PLANS plans or MAX_STEPS steps (a ConvShapeError at the boundary)."""


class _Planner:
    """The plans from each length to ``target`` within a number of layers, memoised per
    (length, layers) and pruned with the closed-form window of lengths still reachable."""

    def __init__(
        self,
        start: int,
        target: int,
        max_stride: int,
        kernels: list[int],
        modes: list[str],
        up: bool,
    ) -> None:
        self.start = start
        self.target = target
        self.max_stride = max_stride
        self.kernels = kernels
        self.modes = modes
        self.up = up
        self.memo: dict[tuple[int, int], list[tuple[int, int, tuple[Step, ...]]]] = {}
        # bounds[n]: upsampling, the smallest length from which n layers can reach the
        # target; downsampling, the largest. bounds[0] is the target itself.
        self.bounds = [target]
        self.offsets: dict[int, tuple[list[int], list[_Choice]]] = {}
        self.steps = 0  # steps considered, against MAX_STEPS

    def count(self, steps: int) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise _TooMany(f"more than {MAX_STEPS} layers to consider")

    def bound(self, layers: int) -> int:
        """Lengths beyond this bound cannot reach the target in ``layers`` layers or fewer."""
        bounds = self.bounds
        while len(bounds) <= layers:
            last = bounds[-1]
            if self.up:
                # From I the longest output is I * max_stride + max(kernels) - 1.
                low = max(-(-(last - max(self.kernels) + 1) // self.max_stride), 1)
                if low == last:
                    return last  # no longer shrinks: the same for any number of layers
                bounds.append(low)
            else:
                # From I the shortest output is at least (I - max(kernels)) // max_stride + 1.
                if last >= self.start:
                    return last  # every length we meet is within it
                bounds.append(last * self.max_stride + max(self.kernels) - 1)
        return bounds[layers]

    def plans(self, max_layers: int) -> list[Plan]:
        found = self.suffixes(self.start, max_layers)
        keyed = [
            (
                irregular,
                uneven,
                len(steps),
                tuple(step.kwargs["strides"] for step in steps),
                tuple(step.output for step in steps),
                steps,
            )
            for irregular, uneven, steps in found
        ]
        # Ranked by (irregular, uneven, layers, strides), then by outputs: the order in which
        # a depth-first search over each length's (stride, output) steps finds them (a
        # plan is unique given its strides and outputs).
        keyed.sort(key=lambda item: item[:5])
        return [Plan(item[5]) for item in keyed]

    def suffixes(self, size: int, layers: int) -> list[tuple[int, int, tuple[Step, ...]]]:
        """(irregular, uneven, steps) of every plan from ``size`` to the target in 1..layers
        layers."""
        key = (size, layers)
        known = self.memo.get(key)
        if known is not None:
            return known
        found: list[tuple[int, int, tuple[Step, ...]]] = []
        steps = self.up_steps(size, layers) if self.up else self.down_steps(size, layers)
        for irregular, uneven, step in steps:
            if step.output == self.target:
                found.append((irregular, uneven, (step,)))
                continue
            for more_irregular, more_uneven, rest in self.suffixes(step.output, layers - 1):
                found.append((irregular + more_irregular, uneven + more_uneven, (step, *rest)))
            if len(found) > MAX_PLANS:
                raise _TooMany(f"more than {MAX_PLANS} plans")
        self.memo[key] = found
        return found

    def up_steps(self, size: int, layers: int) -> Iterator[tuple[int, int, Step]]:
        """The simplest Keras Conv2DTranspose arguments for each (stride, output) from
        ``size`` that leaves the target within reach of the remaining layers."""
        target = self.target
        lowest = self.bound(layers - 1)
        # The longest output of stride s is size * s + max(kernels) - 1: shorter strides
        # cannot reach ``lowest``.
        first_stride = max(2, -(-(lowest - self.kernels[-1] + 1) // size))
        for s in range(first_stride, self.max_stride + 1):
            base = (size - 1) * s
            if base >= target:
                break  # longer strides only go further
            if s <= _CACHED_STRIDES:
                if s not in self.offsets:
                    self.count(len(self.kernels) * len(self.modes))
                    self.offsets[s] = _up_offsets(s, target, self.kernels, self.modes, 0, target)
                offsets, choices = self.offsets[s]
                first = bisect_left(offsets, lowest - base)
                last = bisect_right(offsets, target - base)
                self.count(1 + last - first)
            else:
                # Offsets are at most s + max(kernels) - 1: counted before they are listed.
                low, high = max(lowest - base, 1), min(target - base, s + self.kernels[-1] - 1)
                self.count(len(self.kernels) * len(self.modes) + max(high - low + 1, 0))
                offsets, choices = _up_offsets(s, target, self.kernels, self.modes, low, high)
                first, last = 0, len(offsets)
            for index in range(first, last):
                out = base + offsets[index]
                if out == size:
                    continue
                cost, k, mode, op = choices[index]
                kwargs = {"kernel_size": k, "strides": s, "padding": mode, "output_padding": op}
                # A step is irregular when it needs the other padding or an output_padding;
                # uneven when its kernel overlaps unevenly.
                yield int(cost[0] > 0 or cost[1]), int(cost[2]), Step(size, out, kwargs)

    def down_steps(self, size: int, layers: int) -> Iterator[tuple[int, int, Step]]:
        """The simplest Keras Conv2D arguments for each (stride, output) from ``size``
        that leaves the target within reach of the remaining layers."""
        target = self.target
        highest = self.bound(layers - 1)
        # The shortest output of stride s is (size - max(kernels)) // s + 1: shorter
        # strides cannot reach ``highest``.
        first_stride = max(2, (size - self.kernels[-1]) // highest + 1)
        for s in range(first_stride, self.max_stride + 1):
            self.count(len(self.kernels) * len(self.modes))
            if -(-size // s) < target:
                break  # no output is longer than "same"'s, and longer strides only shrink it
            best: dict[int, tuple[tuple[int, ...], int, str]] = {}
            for rank, mode in enumerate(self.modes):
                for k in self.kernels:
                    pad = _forward_pad(size, k, s, mode)
                    assert pad is not None
                    out = _forward_length(size, k, s, pad)
                    # out >= target >= 1: never empty.
                    if not target <= out <= highest or out == size:
                        continue
                    cost = (rank, 0, k < s, k)  # a kernel shorter than the stride skips inputs
                    if out not in best or cost < best[out][0]:
                        best[out] = (cost, k, mode)
            for out, (simplest, k, mode) in best.items():
                kwargs = {"kernel_size": k, "strides": s, "padding": mode}
                yield int(simplest[0] > 0), int(simplest[2]), Step(size, out, kwargs)


#: The most kernel sizes a plan may choose from.
MAX_KERNEL_SIZES = 4096


def _kernel_sizes(value: object) -> list[object]:
    """The candidate kernel sizes as given: an iterable (not a string) of at most
    MAX_KERNEL_SIZES items, read no further than that."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            "`kernel_sizes` must be a sequence of ints (such as (3, 4, 5)), not "
            f"{type(value).__name__}. Received: kernel_sizes={_short_repr(value)}"
        )
    items = list(islice(value, MAX_KERNEL_SIZES + 1))
    if len(items) > MAX_KERNEL_SIZES:
        raise ConvShapeError(
            f"`kernel_sizes` may hold at most {MAX_KERNEL_SIZES} sizes",
            argument="kernel_sizes",
            received={"kernel_sizes": value},
        )
    return items


def _plan(
    start: Any,
    target: Any,
    max_stride: Any,
    kernel_sizes: Iterable[int],
    padding: Any,
    max_layers: Any,
    up: bool,
) -> list[Plan]:
    start = check_positive(start, "start")
    target = check_positive(target, "target")
    max_stride = check_positive(max_stride, "max_stride")
    max_layers = check_positive(max_layers, "max_layers")
    kernels = sorted({check_positive(k, "kernel_sizes") for k in _kernel_sizes(kernel_sizes)})
    modes = _modes(padding)
    if not kernels or max_stride < 2:
        return []
    # Each layer up takes I to at least 2 * I - 1 (and 1 to at least 2), each layer down
    # to at most ceil(I / 2): no plan has more layers than this (64 for sizes in int64, so
    # the search, which recurses once per layer, stays shallow).
    longest = max(start, target).bit_length() + 1
    max_layers = min(max_layers, longest)
    try:
        return _Planner(start, target, max_stride, kernels, modes, up).plans(max_layers)
    except _TooMany as too_many:
        raise ConvShapeError(
            f"{too_many} on the way from {start} to {target}; lower max_stride or "
            "max_layers, or pass fewer kernel_sizes",
            argument="max_stride",
            received={"start": start, "target": target, "max_stride": max_stride},
        ) from None


def plan_upsampling(
    start: int,
    target: int,
    *,
    max_stride: int = 4,
    kernel_sizes: Iterable[int] = (3, 4, 5),
    padding: str = "same",
    max_layers: int = 4,
) -> list[Plan]:
    """Stacks of Conv2DTranspose layers (strides 2..``max_stride``) from ``start`` to ``target``.

    Ranked: fewer irregular layers first (those that need the other padding mode or
    an explicit output_padding, which is how odd sizes are reached), then fewer layers
    whose kernel the stride does not divide (uneven overlap, the checkerboard), then
    fewer layers, then by strides. Each layer
    gets the simplest arguments that reach its size (no output_padding before one,
    smaller kernels first); no layer uses a length TensorFlow would reject. More than
    :data:`MAX_PLANS` plans, or a search that would consider more than :data:`MAX_STEPS`
    layers, raise ConvShapeError asking for narrower arguments.

    >>> print(plan_upsampling(7, 84)[2].describe())
    7 -> 84 in 3 layer(s), strides 2, 2, 3
      7 -> 14: kernel_size=4, strides=2, padding='same', output_padding=None
      14 -> 28: kernel_size=4, strides=2, padding='same', output_padding=None
      28 -> 84: kernel_size=3, strides=3, padding='same', output_padding=None
    >>> print(plan_upsampling(7, 15)[0].describe())
    7 -> 15 in 1 layer(s), strides 2
      7 -> 15: kernel_size=3, strides=2, padding='valid', output_padding=None
    """
    return _plan(start, target, max_stride, kernel_sizes, padding, max_layers, up=True)


def plan_downsampling(
    start: int,
    target: int,
    *,
    max_stride: int = 4,
    kernel_sizes: Iterable[int] = (3, 4, 5),
    padding: str = "same",
    max_layers: int = 4,
) -> list[Plan]:
    """Stacks of strided Conv2D layers from ``start`` down to ``target``, ranked as
    :func:`plan_upsampling` ranks them.

    >>> [plan.strides for plan in plan_downsampling(84, 7)[:3]]
    [(3, 4), (4, 3), (2, 2, 3)]
    >>> print(plan_downsampling(29, 7)[0].describe())
    29 -> 7 in 1 layer(s), strides 4
      29 -> 7: kernel_size=4, strides=4, padding='valid'
    """
    return _plan(start, target, max_stride, kernel_sizes, padding, max_layers, up=False)

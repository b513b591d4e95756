"""Planning a stack of strided layers from one size to another (Keras arguments).

>>> from convshape import plan_upsampling
>>> [plan.strides for plan in plan_upsampling(7, 84)[:4]]
[(3, 4), (4, 3), (2, 2, 3), (2, 3, 2)]
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._validate import check_padding, check_positive
from .arithmetic import (
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from .errors import ConvShapeError

__all__ = ["Plan", "Step", "plan_downsampling", "plan_upsampling"]


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


def _up_offsets(
    stride: int, target: int, kernels: Sequence[int], modes: list[str]
) -> tuple[list[int], list[_Choice]]:
    """The offsets (ascending, none beyond ``target``) one Conv2DTranspose layer with this
    stride adds to ``(I - 1) * stride``, each with its cheapest (cost, kernel, mode, op)."""
    best: dict[int, _Choice] = {}
    for rank, mode in enumerate(modes):
        for k in kernels:
            # An offset is at least output_padding, so larger ones cannot matter.
            for op in (None, *range(min(stride, target + 1))):
                offset = _transpose_length(1, k, stride, _transpose_crop(k, stride, mode, op))
                if offset > target or offset not in _output_range(1, k, stride, mode):
                    continue
                # Kernels the stride divides overlap evenly (no checkerboard): first.
                cost = (rank, op is not None, k % stride != 0, k)
                if offset not in best or cost < best[offset][0]:
                    best[offset] = (cost, k, mode, op)
    offsets = sorted(best)
    return offsets, [best[offset] for offset in offsets]


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
        self.memo[key] = found
        return found

    def up_steps(self, size: int, layers: int) -> Iterator[tuple[int, int, Step]]:
        """The simplest Keras Conv2DTranspose arguments for each (stride, output) from
        ``size`` that leaves the target within reach of the remaining layers."""
        target = self.target
        lowest = self.bound(layers - 1)
        for s in range(2, self.max_stride + 1):
            base = (size - 1) * s
            if base >= target:
                break  # longer strides only go further
            if s not in self.offsets:
                self.offsets[s] = _up_offsets(s, target, self.kernels, self.modes)
            offsets, choices = self.offsets[s]
            first = bisect_left(offsets, lowest - base)
            for index in range(first, bisect_right(offsets, target - base)):
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
        for s in range(2, self.max_stride + 1):
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


def _plan(
    start: Any,
    target: Any,
    max_stride: Any,
    kernel_sizes: Sequence[int],
    padding: Any,
    max_layers: Any,
    up: bool,
) -> list[Plan]:
    start = check_positive(start, "start")
    target = check_positive(target, "target")
    max_stride = check_positive(max_stride, "max_stride")
    max_layers = check_positive(max_layers, "max_layers")
    kernels = sorted({check_positive(k, "kernel_sizes") for k in kernel_sizes})
    modes = _modes(padding)
    if not kernels or max_stride < 2:
        return []
    return _Planner(start, target, max_stride, kernels, modes, up).plans(max_layers)


def plan_upsampling(
    start: int,
    target: int,
    *,
    max_stride: int = 4,
    kernel_sizes: Sequence[int] = (3, 4, 5),
    padding: str = "same",
    max_layers: int = 4,
) -> list[Plan]:
    """Stacks of Conv2DTranspose layers (strides 2..``max_stride``) from ``start`` to ``target``.

    Ranked: fewer irregular layers first (those that need the other padding mode or
    an explicit output_padding, which is how odd sizes are reached), then fewer layers
    whose kernel the stride does not divide (uneven overlap, the checkerboard), then
    fewer layers, then by strides. Each layer
    gets the simplest arguments that reach its size (no output_padding before one,
    smaller kernels first); no layer uses a length TensorFlow would reject.

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
    kernel_sizes: Sequence[int] = (3, 4, 5),
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

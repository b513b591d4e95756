"""The planners' search: the stacks of strided layers from one length to a target,
memoised per (length, layers left) and pruned with the closed-form window of lengths the
remaining layers can still reach, each layer with its simplest Keras arguments, and the
order an engineer would choose among the stacks (:func:`_plan_key`). The count of layers
considered bounds the work (a ConvShapeError past the planners' limit)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ._core import ceil_div
from ._solve_rank import COMMON_KERNEL_SIZES, _flagged
from .arithmetic import (
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)

if TYPE_CHECKING:
    from .plan import Step

# A transposed layer with stride s takes a length I to (I - 1) * s + offset, for offsets
# that do not depend on I (nor does TensorFlow's check of them): so the simplest arguments
# per (stride, offset) are found once, and the lengths reachable from I with stride s are
# (I - 1) * s + 1 .. I * s + max(kernel_sizes) - 1 (valid padding, output_padding s - 1).


_Choice = tuple[tuple[int, ...], int, str, int | None]  # (cost, kernel, mode, op)

#: A check() of one (kernel, stride) pair costs about this many considered layers.
CHECK_STEPS = 20


def _plan_key(irregular: int, inexact: int, steps: Sequence[Step]) -> tuple[Any, ...]:
    """An engineer's order: fewer layers that need the other padding or an output_padding,
    fewer strides that do not divide the size (downsampling), fewer distinct strides, fewer
    strides other than 2, fewer layers, then by strides and sizes (a plan is unique given
    its strides and sizes)."""
    strides = tuple(step.kwargs["strides"] for step in steps)
    return (
        irregular,
        inexact,
        len(set(strides)),
        sum(stride != 2 for stride in strides),
        len(steps),
        strides,
        tuple(step.output for step in steps),
    )


# Strides up to this keep every offset they can add in one cached list; longer strides
# compute only the offsets a search asks for (a stride s has about s of them).
_CACHED_STRIDES = 256


def _up_offsets(
    stride: int, target: int, kernels: Sequence[int], modes: list[str], low: int, high: int
) -> tuple[list[int], list[_Choice]]:
    """The offsets in ``low..high`` (ascending, none beyond ``target``) one Conv2DTranspose
    layer with this stride and one of these kernels adds to ``(I - 1) * stride``, each with
    its cheapest (cost, kernel, mode, op): the preferred padding, no output_padding, the
    usual kernel sizes, the smaller kernel."""
    best: dict[int, _Choice] = {}
    ops = min(stride, target + 1)  # an offset is at least output_padding
    for rank, mode in enumerate(modes):
        for k in kernels:
            allowed = _output_range(1, k, stride, mode)
            # Without output_padding, one offset.
            offset = _transpose_length(1, k, stride, _transpose_crop(k, stride, mode, None))
            if low <= offset <= high and offset <= target and offset in allowed:
                cost = (rank, False, k not in COMMON_KERNEL_SIZES, k)
                if offset not in best or cost < best[offset][0]:
                    best[offset] = (cost, k, mode, None)
            # With output_padding op, the offset is c + op for op in 0..ops - 1.
            c = _transpose_length(1, k, stride, _transpose_crop(k, stride, mode, 0))
            first = max(c, allowed.start, low)
            last = min(c + ops - 1, allowed.stop - 1, target, high)
            cost = (rank, True, k not in COMMON_KERNEL_SIZES, k)
            for offset in range(first, last + 1):
                if offset not in best or cost < best[offset][0]:
                    best[offset] = (cost, k, mode, offset - c)
    offsets = sorted(best)
    return offsets, [best[offset] for offset in offsets]


class _TooMany(Exception):
    """More plans or steps than the planners' limits (a ConvShapeError at the boundary)."""


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
        *,
        step: Callable[[int, int, dict[str, Any]], Step],
        max_plans: int,
        max_steps: int,
    ) -> None:
        self.start = start
        self.target = target
        # check() flags every window shorter than its stride (output positions no tap
        # reaches, inputs never read): no stride beyond the longest kernel is usable.
        self.requested_stride = max_stride
        self.max_stride = min(max_stride, kernels[-1])
        self.kernels = kernels
        self.usable_kernels: dict[int, list[int]] = {}
        self.flagged = 0  # (kernel, stride) pairs check() refused
        self.modes = modes
        self.up = up
        self.memo: dict[tuple[int, int], list[tuple[int, int, tuple[Step, ...]]]] = {}
        # bounds[n]: upsampling, the smallest length from which n layers can reach the
        # target; downsampling, the largest. bounds[0] is the target itself.
        self.bounds = [target]
        self.offsets: dict[int, tuple[list[int], list[_Choice]]] = {}
        self.steps = 0  # steps considered, against max_steps
        self.step = step  # a layer from (size, output, kwargs)
        self.max_plans = max_plans
        self.max_steps = max_steps

    def usable(self, stride: int) -> list[int]:
        """The kernels check() does not flag with this stride (as a Conv1DTranspose upward,
        a Conv1D downward); each check counts as :data:`CHECK_STEPS` steps."""
        known = self.usable_kernels.get(stride)
        if known is None:
            self.count(CHECK_STEPS * len(self.kernels))
            known = [k for k in self.kernels if not _flagged(self.up, k, stride, 1)]
            self.flagged += len(self.kernels) - len(known)
            self.usable_kernels[stride] = known
        return known

    def count(self, steps: int) -> None:
        self.steps += steps
        if self.steps > self.max_steps:
            raise _TooMany(f"more than {self.max_steps} layers to consider")

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

    def plans(self, max_layers: int) -> list[tuple[Step, ...]]:
        """The layers of every plan in at most ``max_layers`` layers, in :func:`_plan_key`'s
        order."""
        found = self.suffixes(self.start, max_layers)
        keyed = [(_plan_key(*item[:2], item[2]), item[2]) for item in found]
        keyed.sort(key=lambda item: item[0])
        return [steps for _, steps in keyed]

    def suffixes(self, size: int, layers: int) -> list[tuple[int, int, tuple[Step, ...]]]:
        """(irregular, inexact, steps) of every plan from ``size`` to the target in 1..layers
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
            if len(found) > self.max_plans:
                raise _TooMany(f"more than {self.max_plans} plans")
        self.memo[key] = found
        return found

    def up_steps(self, size: int, layers: int) -> Iterator[tuple[int, int, Step]]:
        """The simplest Keras Conv2DTranspose arguments for each (stride, output) from
        ``size`` that leaves the target within reach of the remaining layers."""
        target = self.target
        lowest = self.bound(layers - 1)
        # The longest output of stride s is size * s + max(kernels) - 1: shorter strides
        # cannot reach ``lowest``.
        first_stride = max(2, ceil_div(lowest - self.kernels[-1] + 1, size))
        for s in range(first_stride, self.max_stride + 1):
            base = (size - 1) * s
            if base >= target:
                break  # longer strides only go further
            kernels = self.usable(s)
            if not kernels:
                continue
            if s <= _CACHED_STRIDES:
                if s not in self.offsets:
                    self.count(len(kernels) * len(self.modes))
                    self.offsets[s] = _up_offsets(s, target, kernels, self.modes, 0, target)
                offsets, choices = self.offsets[s]
                first = bisect_left(offsets, lowest - base)
                last = bisect_right(offsets, target - base)
                self.count(1 + last - first)
            else:
                # Offsets are at most s + max(kernels) - 1: counted before they are listed.
                low, high = max(lowest - base, 1), min(target - base, s + kernels[-1] - 1)
                self.count(len(kernels) * len(self.modes) + max(high - low + 1, 0))
                offsets, choices = _up_offsets(s, target, kernels, self.modes, low, high)
                first, last = 0, len(offsets)
            for index in range(first, last):
                out = base + offsets[index]
                if out == size:
                    continue
                cost, k, mode, op = choices[index]
                kwargs = {"kernel_size": k, "strides": s, "padding": mode, "output_padding": op}
                # A step is irregular when it needs the other padding or an output_padding.
                yield int(cost[0] > 0 or cost[1]), 0, self.step(size, out, kwargs)

    def down_steps(self, size: int, layers: int) -> Iterator[tuple[int, int, Step]]:
        """The simplest Keras Conv2D arguments for each (stride, output) from ``size``
        that leaves the target within reach of the remaining layers."""
        target = self.target
        highest = self.bound(layers - 1)
        # The shortest output of stride s is (size - max(kernels)) // s + 1: shorter
        # strides cannot reach ``highest``.
        first_stride = max(2, (size - self.kernels[-1]) // highest + 1)
        for s in range(first_stride, self.max_stride + 1):
            if -(-size // s) < target:
                break  # no output is longer than "same"'s, and longer strides only shrink it
            kernels = self.usable(s)
            self.count(len(kernels) * len(self.modes))
            best: dict[int, tuple[tuple[int, ...], int, str]] = {}
            for rank, mode in enumerate(self.modes):
                for k in kernels:
                    pad = _forward_pad(size, k, s, mode)
                    assert pad is not None
                    out = _forward_length(size, k, s, pad)
                    # out >= target >= 1: never empty.
                    if not target <= out <= highest or out == size:
                        continue
                    cost = (rank, 0, k not in COMMON_KERNEL_SIZES, k)
                    if out not in best or cost < best[out][0]:
                        best[out] = (cost, k, mode)
            for out, (simplest, k, mode) in best.items():
                kwargs = {"kernel_size": k, "strides": s, "padding": mode}
                # Inexact when the stride does not divide the size: upsampling by the same
                # stride cannot give it back (check()'s odd-size-downsampling).
                yield int(simplest[0] > 0), int(out * s != size), self.step(size, out, kwargs)

"""Frozen copy of ``convshape.plan`` as it was before the planners pruned and the
solvers computed kernels directly (commit e01e2d2): the reference the speed tests and
``benchmarks/bench_plan.py`` compare against. Changed since only where the planners'
answers changed on purpose: every layer is built and given to ``convshape.check()``, and
one it flags is never chosen; a layer's arguments and the plans are ranked as an engineer
would choose (see ``convshape.plan``); plans have at most 5 layers by default.

Planning a stack of strided layers from one size to another (Keras arguments).

>>> from tests._reference_plan import plan_upsampling
>>> [plan.strides for plan in plan_upsampling(7, 84)[:4]]
[(2, 2, 3), (2, 3, 2), (3, 2, 2), (3, 4)]
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from convshape._validate import check_padding, check_positive
from convshape.arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from convshape.errors import ConvShapeError

_FLAGGED = ("uneven-overlap", "checkerboard-gaps", "inputs-never-read")


@functools.cache
def _refused(up: bool, kernel: int, stride: int) -> bool:
    """Whether convshape.check() flags this layer, built."""
    import convshape as cs

    layer = (
        cs.layers.Conv1DTranspose(1, kernel, strides=stride)
        if up
        else cs.layers.Conv1D(1, kernel, strides=stride)
    )
    return any(finding.code in _FLAGGED for finding in cs.check(layer))


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
    '7 -> 28 in 2 layers, strides 2, 2'
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
        layers = f"{len(self.steps)} layer{'' if len(self.steps) == 1 else 's'}"
        return f"{sizes[0]} -> {sizes[-1]} in {layers}, strides {strides}"

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


def _up_steps(
    size: int, target: int, max_stride: int, kernels: Sequence[int], modes: list[str]
) -> Iterator[tuple[tuple[int, ...], Step]]:
    """The simplest Keras Conv2DTranspose arguments for each (stride, output) from ``size``."""
    best: dict[tuple[int, int], tuple[tuple[int, ...], Step]] = {}
    for s in range(2, max_stride + 1):
        for rank, mode in enumerate(modes):
            for k in kernels:
                if _refused(True, k, s):
                    continue
                for op in (None, *range(s)):
                    crop = _transpose_crop(k, s, mode, op)
                    out = _transpose_length(size, k, s, crop)
                    if out > target or out not in _output_range(size, k, s, mode):
                        continue
                    cost = (rank, op is not None, k not in (3, 4, 5), k)
                    kwargs = {"kernel_size": k, "strides": s, "padding": mode, "output_padding": op}
                    if (s, out) not in best or cost < best[s, out][0]:
                        best[s, out] = (cost, Step(size, out, kwargs))
    for key in sorted(best):
        yield best[key]


def _down_steps(
    size: int, target: int, max_stride: int, kernels: Sequence[int], modes: list[str]
) -> Iterator[tuple[tuple[int, ...], Step]]:
    """The simplest Keras Conv2D arguments for each (stride, output) from ``size``."""
    best: dict[tuple[int, int], tuple[tuple[int, ...], Step]] = {}
    for s in range(2, max_stride + 1):
        for rank, mode in enumerate(modes):
            for k in kernels:
                if _refused(False, k, s):
                    continue
                pad = _forward_pad(size, k, s, mode)
                assert pad is not None
                out = _forward_length(size, k, s, pad)
                if out < target or _forward_is_empty(size, out, mode):
                    continue
                cost = (rank, 0, k not in (3, 4, 5), k)
                kwargs = {"kernel_size": k, "strides": s, "padding": mode}
                if (s, out) not in best or cost < best[s, out][0]:
                    best[s, out] = (cost, Step(size, out, kwargs))
    for key in sorted(best):
        yield best[key]


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
    found: list[tuple[tuple[Any, ...], Plan]] = []

    def extend(size: int, steps: tuple[Step, ...], irregular: int, inexact: int) -> None:
        if size == target and steps:
            strides = tuple(step.kwargs["strides"] for step in steps)
            outputs = tuple(step.output for step in steps)
            distinct, other = len(set(strides)), sum(stride != 2 for stride in strides)
            rank = (irregular, inexact, distinct, other, len(steps), strides, outputs)
            found.append((rank, Plan(steps)))
            return
        if len(steps) == max_layers:
            return
        options = _up_steps if up else _down_steps
        for cost, step in options(size, target, max_stride, kernels, modes):
            if step.output != size:
                # A step is irregular when it needs the other padding or an output_padding;
                # inexact when it shrinks a size its stride does not divide.
                stride = step.kwargs["strides"]
                extend(
                    step.output,
                    (*steps, step),
                    irregular + int(cost[0] > 0 or cost[1] > 0),
                    inexact + int(not up and step.output * stride != size),
                )

    extend(start, (), 0, 0)
    found.sort(key=lambda item: item[0])
    return [plan for _, plan in found]


def plan_upsampling(
    start: int,
    target: int,
    *,
    max_stride: int = 4,
    kernel_sizes: Sequence[int] = (3, 4, 5),
    padding: str = "same",
    max_layers: int = 5,
) -> list[Plan]:
    """Stacks of Conv2DTranspose layers (strides 2..``max_stride``) from ``start`` to ``target``.

    Ranked: fewer irregular layers first (those that need the other padding mode or
    an explicit output_padding, which is how odd sizes are reached), then fewer layers
    whose kernel the stride does not divide (uneven overlap, the checkerboard), then
    fewer layers, then by strides. Each layer
    gets the simplest arguments that reach its size (no output_padding before one,
    smaller kernels first); no layer uses a length TensorFlow would reject.

    >>> print(plan_upsampling(7, 84)[0].describe())
    7 -> 84 in 3 layers, strides 2, 2, 3
      7 -> 14: kernel_size=4, strides=2, padding='same', output_padding=None
      14 -> 28: kernel_size=4, strides=2, padding='same', output_padding=None
      28 -> 84: kernel_size=3, strides=3, padding='same', output_padding=None
    >>> plan_upsampling(7, 15)
    []
    """
    return _plan(start, target, max_stride, kernel_sizes, padding, max_layers, up=True)


def plan_downsampling(
    start: int,
    target: int,
    *,
    max_stride: int = 4,
    kernel_sizes: Sequence[int] = (3, 4, 5),
    padding: str = "same",
    max_layers: int = 5,
) -> list[Plan]:
    """Stacks of strided Conv2D layers from ``start`` down to ``target``, ranked as
    :func:`plan_upsampling` ranks them.

    >>> [plan.strides for plan in plan_downsampling(84, 7)[:3]]
    [(2, 2, 3), (2, 3, 2), (3, 2, 2)]
    >>> print(plan_downsampling(29, 7)[0].describe())
    29 -> 7 in 2 layers, strides 2, 2
      29 -> 14: kernel_size=3, strides=2, padding='valid'
      14 -> 7: kernel_size=3, strides=2, padding='same'
    """
    return _plan(start, target, max_stride, kernel_sizes, padding, max_layers, up=False)

"""Planning a stack of strided layers from one size to another (Keras arguments).

>>> from convshape import plan_upsampling
>>> [plan.strides for plan in plan_upsampling(7, 84)[:4]]
[(2, 2, 3), (2, 3, 2), (3, 2, 2), (3, 4)]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ._core import ceil_div
from ._render import counted
from ._validate import check_padding, check_positive
from .arithmetic import (
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from .errors import ConvShapeError, _short_repr
from ._solve_rank import COMMON_KERNEL_SIZES, _flagged

__all__ = [
    "MAX_KERNEL_SIZES",
    "MAX_PLANS",
    "MAX_STEPS",
    "Plan",
    "Plans",
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
        return (
            f"{sizes[0]} -> {sizes[-1]} in {counted(len(self.steps), 'layer')}, strides {strides}"
        )

    def describe(self) -> str:
        """The plan, one line per layer."""
        return "\n".join([str(self), *(f"  {step}" for step in self.steps)])

    def __repr__(self) -> str:
        return f"<Plan {self}>"

    def _repr_html_(self) -> str:
        from ._html import text_block  # noqa: PLC0415  (only for notebooks)

        return text_block(self.describe(), name="plan")


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
        self.steps = 0  # steps considered, against MAX_STEPS

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
        keyed = [(_plan_key(*item[:2], item[2]), item[2]) for item in found]
        keyed.sort(key=lambda item: item[0])
        return [Plan(steps) for _, steps in keyed]

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
                yield int(cost[0] > 0 or cost[1]), 0, Step(size, out, kwargs)

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
                yield int(simplest[0] > 0), int(out * s != size), Step(size, out, kwargs)


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


class Plans(list[Plan]):
    """The plans, simplest first (a list), and, when there are none, ``reason``: why, and
    what to ask instead; ``refused`` says which layers convshape.check() ruled out."""

    def __init__(self, plans: Iterable[Plan] = (), reason: str = "", refused: str = "") -> None:
        super().__init__(plans)
        self.reason = reason
        self.refused = refused

    def __str__(self) -> str:
        if not self:
            return f"No plan. {self.reason}"
        return "\n".join(plan.describe() for plan in self)


def _refused(planner: _Planner | None) -> str:
    """The (kernel, stride) pairs check() ruled out along the way, if any."""
    if planner is None:
        return ""
    refused = [
        (k, s)
        for s, usable in sorted(planner.usable_kernels.items())
        for k in planner.kernels
        if k not in usable
    ]
    if not refused:
        return ""
    shown = ", ".join(f"kernel {k} with stride {s}" for k, s in refused[:6])
    more = f" and {len(refused) - 6} more" if len(refused) > 6 else ""
    why = "uneven overlap or output positions no tap reaches" if planner.up else "inputs never read"
    return f" convshape.check() ruled out {shown}{more} ({why})."


def _layers(up: bool) -> str:
    return "Conv2DTranspose" if up else "Conv2D"


def _flagged_reason(planner: _Planner) -> str:
    """When check() refused every kernel with every stride the search tried: which, and
    what to add."""
    tried = sorted(planner.usable_kernels)
    every = planner.max_stride < 2 or tried == list(range(2, planner.max_stride + 1))
    if any(planner.usable_kernels.values()) or not every:
        return ""
    sizes = ", ".join(map(str, planner.kernels))
    strides = ", ".join(map(str, tried)) if tried else f"2..{planner.requested_stride}"
    with_strides = f"with stride{'s' * (len(tried) != 1)} {strides}"
    if planner.up:
        return (
            f"convshape.check() flags kernel sizes {sizes} {with_strides}: a "
            "transposed kernel the stride does not divide overlaps unevenly (the "
            "checkerboard) or leaves output positions no tap reaches. Add a kernel size "
            "the stride divides: kernel_sizes=(4,) for stride 2, (3,) for stride 3."
        )
    return (
        f"convshape.check() flags kernel sizes {sizes} {with_strides}: a window "
        "shorter than its stride never reads some inputs. Add a kernel at least as long "
        "as the stride, such as 3 for stride 2."
    )


def _why_none(  # noqa: PLR0911  (one return per reason)
    start: int,
    target: int,
    max_stride: int,
    kernels: list[int],
    modes: list[str],
    max_layers: int,
    up: bool,
    planner: _Planner | None = None,
) -> str:
    """Why no plan takes ``start`` to ``target``, and what to ask instead: cheap reasons
    only (no second search)."""
    one = "solve_conv_transpose" if up else "solve_conv"
    name = "plan_upsampling" if up else "plan_downsampling"
    if start == target:
        return f"{start} and {target} are equal: no strided layer is needed."
    if up != (target > start):
        other = "plan_downsampling" if up else "plan_upsampling"
        verb = "grows" if up else "shrinks"
        return f"{name} {verb} its input: {other}({start}, {target}) plans the other way."
    if max_stride < 2:
        return (
            f"max_stride={max_stride}: a plan's layers have strides 2 or more; "
            f"{one}({start}, {target}) finds one layer of stride 1."
        )
    if not kernels:
        return "kernel_sizes is empty: pass the kernel sizes to choose from, such as (3, 4, 5)."
    # One layer of stride 2 or more takes I to at least 2 * I - 1, or to at most ceil(I / 2).
    nearest = 2 * start - 1 if up else ceil_div(start, 2)
    if (up and target < nearest) or (not up and target > nearest):
        return (
            f"A layer of stride 2 or more takes {start} to {'at least' if up else 'at most'} "
            f"{nearest}: {one}({start}, {target}) finds one layer of stride 1."
        )
    flagged = "" if planner is None else _flagged_reason(planner)
    if flagged:
        return flagged
    padding = f"padding {modes[0]!r} (else {modes[1]!r}{' or an output_padding' if up else ''})"
    searched = (
        f"No stack of at most {max_layers} {_layers(up)} layers with strides 2..{max_stride}, "
        f"kernel sizes {', '.join(map(str, kernels))} and {padding}, each one "
        f"convshape.check() accepts, takes {start} to {target}.{_refused(planner)}"
    )
    longest = min(max_stride, kernels[-1])
    reach = start
    for _ in range(min(max_layers, 64)):
        reach = reach * longest + kernels[-1] - 1 if up else max(reach // longest, 1)
    if (up and reach < target) or (not up and reach > target):
        return (
            f"{searched} {max_layers} layers of stride {longest} or less "
            f"{'reach at most' if up else 'shrink it to no less than'} about {reach}: "
            f"raise max_layers (or max_stride, with kernel sizes as long as the stride)."
        )
    return (
        f"{searched} Try max_layers={max_layers + 1}, other kernel_sizes (a kernel the "
        f"stride divides{' for upsampling' if up else ''}), or padding="
        f"{modes[1]!r}."
    )


def _plan(
    start: Any,
    target: Any,
    max_stride: Any,
    kernel_sizes: Iterable[int],
    padding: Any,
    max_layers: Any,
    up: bool,
) -> Plans:
    start = check_positive(start, "start")
    target = check_positive(target, "target")
    max_stride = check_positive(max_stride, "max_stride")
    max_layers = check_positive(max_layers, "max_layers")
    kernels = sorted({check_positive(k, "kernel_sizes") for k in _kernel_sizes(kernel_sizes)})
    modes = _modes(padding)
    if not kernels or max_stride < 2:
        return Plans([], _why_none(start, target, max_stride, kernels, modes, max_layers, up))
    # Each layer up takes I to at least 2 * I - 1 (and 1 to at least 2), each layer down
    # to at most ceil(I / 2): no plan has more layers than this (64 for sizes in int64, so
    # the search, which recurses once per layer, stays shallow).
    longest = max(start, target).bit_length() + 1
    searched = max_layers
    max_layers = min(max_layers, longest)
    planner = _Planner(start, target, max_stride, kernels, modes, up)
    try:
        plans = planner.plans(max_layers)
        if plans:
            return Plans(plans)
        why = _why_none(start, target, max_stride, kernels, modes, searched, up, planner)
        return Plans(plans, why, _flagged_reason(planner) or _refused(planner).strip())
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
    max_layers: int = 5,
) -> Plans:
    """Stacks of Conv2DTranspose layers (strides 2..``max_stride``) from ``start`` to ``target``.

    No layer is one :func:`convshape.check` flags: every kernel is a multiple of its
    stride (an uneven overlap is the checkerboard; a kernel shorter than the stride leaves
    output positions no tap reaches), and no layer uses a length TensorFlow would reject.
    Ranked as an engineer would choose: fewer irregular layers first (those that need the
    other padding mode or an explicit output_padding, which is how odd sizes are reached),
    then fewer distinct strides, fewer strides other than 2, fewer layers, then by strides.
    Each layer gets the simplest arguments that reach its size (the preferred padding, no
    output_padding before one, kernels 3, 4, 5 before others, smaller first). An empty
    answer is a :class:`Plans` whose ``reason`` says why and what to try. More than
    :data:`MAX_PLANS` plans, or a search that would consider more than :data:`MAX_STEPS`
    layers, raise ConvShapeError asking for narrower arguments.

    >>> print(plan_upsampling(7, 84)[0].describe())
    7 -> 84 in 3 layers, strides 2, 2, 3
      7 -> 14: kernel_size=4, strides=2, padding='same', output_padding=None
      14 -> 28: kernel_size=4, strides=2, padding='same', output_padding=None
      28 -> 84: kernel_size=3, strides=3, padding='same', output_padding=None
    >>> print(plan_upsampling(7, 13)[0].describe())
    7 -> 13 in 1 layer, strides 2
      7 -> 13: kernel_size=4, strides=2, padding='same', output_padding=1
    >>> print(plan_upsampling(7, 14, kernel_sizes=(3,)).reason)  # doctest: +ELLIPSIS
    No stack of ... convshape.check() ruled out kernel 3 with stride 2 (uneven overlap ...
    """
    return _plan(start, target, max_stride, kernel_sizes, padding, max_layers, up=True)


def plan_downsampling(
    start: int,
    target: int,
    *,
    max_stride: int = 4,
    kernel_sizes: Iterable[int] = (3, 4, 5),
    padding: str = "same",
    max_layers: int = 5,
) -> Plans:
    """Stacks of strided Conv2D layers from ``start`` down to ``target``, ranked as
    :func:`plan_upsampling` ranks them, and plans whose strides divide the sizes (so that
    upsampling can restore them) before the others. No kernel is shorter than its stride
    (:func:`convshape.check`: inputs never read).

    >>> print(plan_downsampling(224, 7)[0])
    224 -> 7 in 5 layers, strides 2, 2, 2, 2, 2
    >>> [plan.strides for plan in plan_downsampling(84, 7)[:3]]
    [(2, 2, 3), (2, 3, 2), (3, 2, 2)]
    >>> print(plan_downsampling(29, 7)[0].describe())
    29 -> 7 in 2 layers, strides 2, 2
      29 -> 14: kernel_size=3, strides=2, padding='valid'
      14 -> 7: kernel_size=3, strides=2, padding='same'
    """
    return _plan(start, target, max_stride, kernel_sizes, padding, max_layers, up=False)

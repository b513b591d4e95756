"""Planning a stack of strided layers from one size to another (Keras arguments).

>>> from convshape import plan_upsampling
>>> [plan.strides for plan in plan_upsampling(7, 84)[:4]]
[(2, 2, 3), (2, 3, 2), (3, 2, 2), (3, 4)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ._plan_search import _Planner, _TooMany
from ._plan_words import _flagged_reason, _refused, _why_none
from ._render import counted
from ._validate import check_padding, check_positive
from .errors import ConvShapeError, _short_repr

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


#: More plans than this raise ConvShapeError: narrower arguments are needed.
MAX_PLANS = 10_000

#: The planners give up, with ConvShapeError, after considering this many layers (a
#: (stride, output) step from one length) in all: the search then costs at most about a
#: second whatever the numbers, and ordinary questions consider a few thousand.
MAX_STEPS = 250_000


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
    planner = _Planner(
        start,
        target,
        max_stride,
        kernels,
        modes,
        up,
        step=Step,
        max_plans=MAX_PLANS,
        max_steps=MAX_STEPS,
    )
    try:
        plans = [Plan(steps) for steps in planner.plans(max_layers)]
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

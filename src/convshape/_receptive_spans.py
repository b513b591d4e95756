"""Receptive fields along one axis, exactly: the first and last input position of the field
of every output position of one period, and the maps by which layers change them.

An :class:`AxisSpans` holds ``lows[o]``/``highs[o]`` for ``0 <= o < period``; the fields
repeat every ``period`` positions, shifted by ``period * jump`` inputs. A layer's
:data:`PositionMap` says which of its input positions each output position reads (a
window, a transposed window, an up-sampling, a shift, an adaptive pooling), and
:func:`apply` folds it in: each output's field is the union of its inputs' fields.
:func:`union` joins the fields of merged paths. The rules behind each map are in
``convshape.receptive``'s documentation.

>>> spans = apply(fresh(), transposed(5, 2, 1, 1))  # kernel 5, stride 2, crop 1 ("same")
>>> spans.period, spans.jump, spans.size, [spans.at(o) for o in range(4)]
(2, Fraction(1, 2), 3, [(-1, 0), (-1, 1), (0, 1), (0, 2)])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from .errors import ConvShapeError, _short_repr

__all__ = [
    "BROADCAST",
    "LIMIT",
    "AxisSpans",
    "PositionMap",
    "adaptive",
    "apply",
    "bounded",
    "fresh",
    "linear",
    "nearest",
    "shift",
    "transposed",
    "union",
    "window",
]


class AxisSpans:
    """Fields of one axis: ``lows[o]``/``highs[o]`` for ``0 <= o < period``, repeating
    with a shift of ``step = period * jump`` (an integer) every ``period`` positions."""

    __slots__ = ("aligned", "extra", "highs", "jump", "lows", "period", "placed", "step")

    def __init__(
        self,
        period: int,
        jump: Fraction,
        lows: Sequence[int | None],
        highs: Sequence[int | None],
        *,
        placed: bool = True,
        extra: int = 0,
        aligned: bool = True,
    ) -> None:
        period, lows, highs = _minimal_period(period, jump, lows, highs)
        self.period = period
        self.jump = jump
        step = period * jump
        assert step.denominator == 1
        self.step = int(step)
        self.lows = tuple(lows)
        self.highs = tuple(highs)
        self.placed = placed
        self.extra = extra
        self.aligned = aligned

    def at(self, position: int) -> tuple[int, int] | None:
        block, phase = divmod(position, self.period)
        low, high = self.lows[phase], self.highs[phase]
        if low is None or high is None:
            return None
        return low + block * self.step, high + block * self.step

    @property
    def size(self) -> int:
        spans = [
            high - low + 1
            for low, high in zip(self.lows, self.highs, strict=True)
            if low is not None and high is not None
        ]
        return max(spans, default=0) + self.extra

    def start(self) -> Fraction | None:
        """The centre of output 0's field; extrapolated from the first position with a
        field where position 0 has none."""
        for position in range(self.period):
            span = self.at(position)
            if span is not None:
                return Fraction(span[0] + span[1], 2) - position * self.jump
        return None


def _minimal_period(
    period: int, jump: Fraction, lows: Sequence[int | None], highs: Sequence[int | None]
) -> tuple[int, Sequence[int | None], Sequence[int | None]]:
    """The smallest period the tables repeat with (a later stride undoes an up-sampling)."""
    for candidate in range(1, period):
        if period % candidate:
            continue
        moved = candidate * jump
        if moved.denominator != 1:
            continue
        delta = int(moved)
        if all(
            _shifted(table[o], table[o + candidate], delta)
            for table in (lows, highs)
            for o in range(period - candidate)
        ):
            return candidate, lows[:candidate], highs[:candidate]
    return period, lows, highs


def _shifted(first: int | None, second: int | None, delta: int) -> bool:
    if first is None or second is None:
        return first is second
    return second == first + delta


def fresh() -> AxisSpans:
    """An origin's axis: each position its own field."""
    return AxisSpans(1, Fraction(1), (0,), (0,))


#: A layer's map of one axis: output ``o`` reads the input positions ``sets[o % q]``
#: shifted by ``(o // q) * r``.
PositionMap = tuple[int, int, tuple[tuple[int, ...], ...]]


def apply(
    state: AxisSpans | None, mapping: PositionMap, *, placed: bool = True
) -> AxisSpans | None:
    """The fields after a layer: each output's field is the union of its inputs'."""
    if state is None:
        return None
    q, r, sets = mapping
    period = q * state.period // math.gcd(state.period, r)
    bounded(period=period)
    lows: list[int | None] = []
    highs: list[int | None] = []
    for position in range(period):
        block, phase = divmod(position, q)
        low = high = None
        for index in sets[phase]:
            found = state.at(index + block * r)
            if found is None:
                continue
            low = found[0] if low is None else min(low, found[0])
            high = found[1] if high is None else max(high, found[1])
        lows.append(low)
        highs.append(high)
    return AxisSpans(
        period,
        state.jump * Fraction(r, q),
        lows,
        highs,
        placed=state.placed and placed,
        extra=state.extra,
        aligned=state.aligned,
    )


#: The largest kernel, stride, up-sampling factor and period the fields are worked out
#: for: each tap and phase is listed, so the work grows with them (real layers stay far
#: below; a file may not).
LIMIT = 1 << 16


def bounded(**values: int) -> None:
    """Refuse a value above :data:`LIMIT`, naming it."""
    for name, value in values.items():
        if value > LIMIT:
            raise ConvShapeError(
                f"receptive fields are worked out for a `{name}` up to {LIMIT:,}; "
                f"this layer has {_short_repr(value)}",
                argument=name,
                received={name: value},
            )


def window(kernel: int, stride: int, dilation: int, before: int) -> PositionMap:
    """A forward convolution or pooling with ``before`` zeros in front."""
    bounded(kernel_size=kernel)
    return 1, stride, (tuple(j * dilation - before for j in range(kernel)),)


def transposed(kernel: int, stride: int, dilation: int, crop: int) -> PositionMap:
    """A transposed convolution: full-output position ``t = o + crop`` reads input ``i``
    where ``t - i * stride`` is a tap ``j * dilation`` of the kernel."""
    bounded(kernel_size=kernel, strides=stride)
    sets = []
    for phase in range(stride):
        t = phase + crop
        sets.append(
            tuple(
                (t - j * dilation) // stride
                for j in range(kernel)
                if (t - j * dilation) % stride == 0
            )
        )
    return stride, 1, tuple(sets)


def nearest(factor: int) -> PositionMap:
    """Nearest-neighbour up-sampling: output ``o`` copies input ``o // factor``."""
    bounded(size=factor)
    return factor, 1, ((0,),) * factor


def linear(factor: int) -> PositionMap:
    """Linear up-sampling without aligned corners: the inputs around ``(o + 1/2) / f - 1/2``."""
    bounded(size=factor)
    sets = []
    for phase in range(factor):
        source = Fraction(2 * phase + 1 - factor, 2 * factor)  # (o + 1/2) / f - 1/2
        sets.append(tuple(sorted({math.floor(source), math.ceil(source)})))
    return factor, 1, tuple(sets)


def shift(offset: int) -> PositionMap:
    """Output ``o`` is input ``o + offset`` (padding: negative; cropping: positive)."""
    return 1, 1, ((offset,),)


def adaptive(size: int, out: int) -> PositionMap:
    """PyTorch's adaptive pooling: window ``[floor(o * I / O), ceil((o + 1) * I / O))``."""
    common = math.gcd(size, out)
    q, r = out // common, size // common
    sets = tuple(
        tuple(range(phase * size // out, -(-(phase + 1) * size // out))) for phase in range(q)
    )
    return q, r, sets


#: A merge input of length 1 broadcast along the axis: every output reads its position 0.
BROADCAST: PositionMap = (1, 0, ((0,),))


def union(parts: list[AxisSpans | None]) -> AxisSpans | None:
    """Fields joined position by position; the first path's where the jumps differ."""
    if any(part is None for part in parts):
        return None
    axes = [part for part in parts if part is not None]
    first = axes[0]
    if len(axes) == 1:
        return first
    if any(axis.jump != first.jump for axis in axes):
        largest = max(axis.size for axis in axes)
        return AxisSpans(
            first.period,
            first.jump,
            first.lows,
            first.highs,
            placed=first.placed,
            extra=first.extra + largest - first.size,
            aligned=False,
        )
    period = math.lcm(*(axis.period for axis in axes))
    lows: list[int | None] = []
    highs: list[int | None] = []
    for position in range(period):
        found = [span for axis in axes if (span := axis.at(position)) is not None]
        lows.append(min((span[0] for span in found), default=None))
        highs.append(max((span[1] for span in found), default=None))
    return AxisSpans(
        period,
        first.jump,
        lows,
        highs,
        placed=all(axis.placed for axis in axes),
        extra=max(axis.extra for axis in axes),
        aligned=all(axis.aligned for axis in axes),
    )

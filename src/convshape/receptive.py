"""Receptive fields: which input positions each output position depends on, per spatial axis.

For every spatial axis of a tensor, :func:`receptive_field` gives an :class:`AxisField`:

- ``size``: the largest span ``last - first + 1`` of input positions that one output
  position away from the borders depends on (dilated kernels leave holes inside the span;
  it is the span that is counted);
- ``jump``: input positions per output position (a :class:`~fractions.Fraction`: ``1/2``
  after a transposed convolution of stride 2);
- ``start``: the centre of output position 0's field, in input coordinates (negative
  where the field reaches into the padding).

:func:`receptive_fields` gives them for every layer's output, for a summary column.

The field is measured from an *origin*: the model's (first) input; or, where a layer makes
spatial axes out of a tensor that has none (``Reshape`` of a ``Dense`` output,
``RepeatVector``, ``Embedding``, PyTorch's ``Unflatten``), that layer's output, since the
tensor before it depends on the whole origin anyway. ``AxisField.origin`` names it.

**Forward convolutions and poolings.** With ``k_eff = (k - 1) * d + 1``, stride ``s`` and
``p`` zeros before the input (``conv_padding``: TensorFlow's uneven "same" split, "causal"
and PyTorch's symmetric ints exactly), the standard recurrences hold::

    size'  = size + (k_eff - 1) * jump
    jump'  = jump * s
    start' = start + ((k_eff - 1) / 2 - p) * jump

**Transposed convolutions.** A transposed convolution is the forward convolution, with
stride 1 and the kernel flipped, over its input with ``s - 1`` zeros inserted between
elements and ``k_eff - 1 - c`` zeros before it, where ``c`` is the crop at the start of
the full output (``conv_transpose_crop(...).before``; PyTorch's ``padding``). So output
``o`` (full-output position ``t = o + c``) receives ``x[i] * w[j]`` exactly when
``t = i * s + j * d``: it depends on the inputs
``ceil((t - k_eff + 1) / s) <= i <= floor(t / s)`` (for ``d = 1``). Why that many: the
window of ``k_eff`` taps slides over the zero-stuffed input, where the real inputs are
``s`` apart, so it covers ``ceil(k_eff / s)`` of them when it starts on one and
``floor(k_eff / s)`` in the worst phase ``t mod s`` (none at all where ``k_eff < s``:
such outputs hold only the bias). Hence, for ``d = 1`` and an input whose positions all
have fields of one size (no up-sampling before the layer)::

    jump'  = jump / s
    size'  = size + (ceil(k_eff / s) - 1) * jump       (the largest, over the s phases)
    start' = start + (ceil((c - k_eff + 1) / s) + floor(c / s)) / 2 * jump

``start'`` being the centre of the inputs of ``t = c`` (where it has any). The positions
inserted between the inputs are the reason ``size`` must be the *maximum*: output
positions of different phases see different numbers of inputs, and the difference
carries through the layers after it, so that no recurrence on ``(size, jump, start)``
alone is exact there. (A transposed convolution of kernel 1 and stride 2 followed by a
convolution of kernel 2 has fields of one input: ``1 + (2 - 1) * 1/2`` is not even an
integer.) convshape therefore keeps, per axis, the exact first and last input of the
field of every output position of one *period* ``P`` (the product of the up-sampling
factors, reduced by later strides): ``first(o + P) = first(o) + P * jump``. ``size`` is
the largest span over the period, ``AxisField.span(o)`` gives the exact field of any
position, and the recurrences above come out of it wherever they are exact.

**Up-sampling.** Nearest-neighbour up-sampling by ``f`` copies input ``floor(o / f)`` into
output ``o``: ``jump' = jump / f``, the size is unchanged (each output copies exactly
one input) and ``start' = start``; the fields form a staircase of ``f`` equal fields.
Bilinear (Keras ``interpolation="bilinear"``, PyTorch ``mode="linear"`` without
``align_corners``) reads input ``src = (o + 1/2) / f - 1/2`` rounded down and up:
two inputs, one where ``src`` is an integer (odd ``f``).

**Other layers.** ``ZeroPadding`` moves position 0 to the old position ``-before``,
``Cropping`` to ``+before``: ``start`` shifts by ``-before * jump`` or ``+before *
jump`` (without up-sampling before them; with it, to the centre of that position's
field). Layers that act on each position alone (activations, ``BatchNormalization`` with
its moving statistics, ``Dense`` on the channels, dropout) keep the field. Merges
(``Add``, ``Concatenate`` on the channels...) join their inputs' fields: where the jumps
agree, position by position (so the size is at least the largest over the paths); where
they differ, the positions do not line up and the first input's field is reported,
``size`` made the largest over the paths, ``aligned=False``. Inputs measured from
another origin are left out (a second model input), unless their origin depends on the
whole of this one. Global pooling, ``Flatten``, and everything after them (``Dense`` on
the flattened features) depend on the whole input: ``whole=True``, ``size`` the origin's
length, ``jump = 0`` (every position has the same field) and ``start`` its centre
``(length - 1) / 2``. So do layers whose statistics read the spatial axes
(``GroupNormalization``, PyTorch's ``InstanceNorm``/``GroupNorm``, a ``Softmax`` or
``LayerNormalization`` over a spatial axis) and layers without a rule here (recurrent
layers, attention, ``Reshape``, ``Permute``, a ``Concatenate`` along a spatial axis): an
upper bound for those.

**Adaptive pooling** (Keras's ``AdaptiveAveragePooling*D``/``AdaptiveMaxPooling*D`` and
PyTorch's) reads the windows ``floor(o * I / O) .. ceil((o + 1) * I / O) - 1`` (``jump =
I / O``; the whole length where it is unknown or ``O = 1``).

**PyTorch modules.** ``convshape.torch`` specifications follow the same rules on NCHW
tensors. ``Linear``, ``Flatten`` and ``LayerNorm``, which span the last dimension,
spatial in NCHW, give the whole input. The padding modules shift as ``ZeroPadding`` does
(a negative pad crops); ``LPPool`` is a pooling window; ``PixelShuffle(r)`` reads input
``o // r`` as nearest up-sampling does, ``PixelUnshuffle(r)`` a window of ``r`` with
stride ``r``; a lazy convolution is the convolution its input materializes. A
``padding_mode`` other than zeros (and reflection, replication or circular padding)
changes only the fields at the borders. ``Fold``, ``Unfold`` and ``MaxUnpool`` (whose
field depends on the pooling's indices) give the whole input.

**Layouts.** A Keras model with a ``data_format="channels_first"`` layer counts the axes
after the channels, as PyTorch's NCHW modules do; others the axes between the batch and
the channels.

**Unknown lengths.** A "same" window with a stride above 1 pads according to the input
length; where that length is unknown, ``start`` is None and the size is that of lengths
every stride divides.

>>> from convshape import Input, Sequential, clear_session, layers
>>> clear_session()
>>> model = Sequential([Input((32, 32, 3)), layers.Conv2D(8, 3, padding="same"),
...                     layers.Conv2D(8, 3, strides=2, padding="same")])
>>> for field in receptive_field(model):
...     print(field)
axis 1: size 5, jump 2, start 1
axis 2: size 5, jump 2, start 1
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, cast

from ._geometry import Shape, Windowed, forward_pad, transpose_crop, windowed
from ._validate import check_shape
from .errors import ConvShapeError, _short_repr
from .layers._base import Layer, spatial_axes
from .layers.activation import Softmax
from .layers.adaptive_pooling import _AdaptivePooling
from .layers.core import Dense, InputLayer
from .layers.merging import Concatenate, _Elementwise
from .layers.normalization import GroupNormalization, LayerNormalization
from .layers.pooling import _GlobalPooling
from .layers.reshaping import (
    UpSampling1D,
    _as_pairs,
    _CroppingOps,
    _UpSampling,
    _ZeroPadding,
)
from .models.graph import Node, SymbolicTensor, flatten, map_structure
from .models.model import Model, _compatible
from .models.ops import KerasOp
from .models.sequential import Sequential
from .torch._checks import require_batched
from .torch.modules import _Conv, _ConvTranspose
from .torch.nn import Flatten as TorchFlatten
from .torch.nn import (
    GroupNorm,
    LayerNorm,
    Linear,
    Module,
    Unflatten,
    Upsample,
    _AdaptiveAvgPool,
    _AdaptivePool,
    _InstanceNorm,
)
from .torch.nn import Sequential as TorchSequential
from .torch.nn import Softmax as TorchSoftmax
from .torch.padding import _Pad as _TorchPad
from .torch.rearrange import PixelShuffle, PixelUnshuffle

__all__ = ["AxisField", "TensorFields", "receptive_field", "receptive_fields"]

if TYPE_CHECKING:
    from ._geometry import TorchSpec


# ---------------------------------------------------------------------------
# Public results.


@dataclass(frozen=True)
class AxisField:
    """The receptive field along one spatial axis.

    ``size`` is the largest span of input positions one output position away from the
    borders depends on, ``jump`` the input positions per output position and ``start``
    the centre of output position 0's field (see the module's documentation). ``origin``
    names the tensor whose positions are counted. ``whole`` marks a field that is the
    whole origin (after global pooling, ``Flatten``...): ``size`` is then its length
    (None where unknown), ``jump`` 0 and ``start`` its centre. ``start`` is None where
    it depends on an unknown length, or where no output position depends on the input
    (``size`` 0). ``period`` is the number of output positions after which the fields
    repeat, shifted by ``period * jump`` (1 without up-sampling); ``aligned`` is False
    where a merge joined paths whose positions do not line up (the fields are then the
    first path's, ``size`` the largest of the paths').

    >>> from convshape import layers
    >>> field = receptive_field(layers.Conv1DTranspose(1, 3, strides=2), (None, 10, 1))[0]
    >>> field.size, field.jump, field.start, field.period
    (2, Fraction(1, 2), Fraction(-1, 2), 2)
    >>> [field.span(o) for o in range(4)]
    [(-1, 0), (0, 0), (0, 1), (1, 1)]
    """

    axis: int
    size: int | None
    jump: Fraction
    start: Fraction | None
    origin: str = "input"
    whole: bool = False
    period: int = 1
    aligned: bool = True
    #: First and last input position of the field of each output position of one period
    #: (None where a position depends on no input); ``span`` extends them.
    lows: tuple[int | None, ...] = field(default=(), repr=False)
    highs: tuple[int | None, ...] = field(default=(), repr=False)

    def span(self, position: int) -> tuple[int, int] | None:
        """The first and last input position output ``position``'s field reaches, the
        borders ignored (negative, or past the end, where it reaches into padding); None
        where the position depends on no input (a transposed convolution whose kernel is
        shorter than its stride leaves such positions). Raises where the placement depends
        on an unknown length (``start`` is None for a field of positive size).

        >>> from convshape import layers
        >>> field = receptive_field(layers.Conv1D(1, 3, padding="same"), (None, 10, 1))[0]
        >>> field.span(0), field.span(5)
        ((-1, 1), (4, 6))
        """
        if not self.lows:
            raise ConvShapeError(
                "the field's placement depends on a length that is unknown here; give "
                "an input shape with known spatial sizes",
                argument="input_shape",
                received={"axis": self.axis, "origin": self.origin},
            )
        block, phase = divmod(position, self.period)
        low, high = self.lows[phase], self.highs[phase]
        if low is None or high is None:
            return None
        shift = int(block * self.period * self.jump)
        return low + shift, high + shift

    def centre(self, position: int) -> Fraction | None:
        """The centre of output ``position``'s field (``start + position * jump`` without
        up-sampling), None where it depends on no input.

        >>> from convshape import layers
        >>> receptive_field(layers.Conv1D(1, 4, strides=2), (None, 10, 1))[0].centre(3)
        Fraction(15, 2)
        """
        span = self.span(position)
        return None if span is None else Fraction(span[0] + span[1], 2)

    def __str__(self) -> str:
        if self.whole:
            size = "unknown" if self.size is None else str(self.size)
            return f"axis {self.axis}: whole input ({size})"
        start = "unknown" if self.start is None else _text(self.start)
        text = f"axis {self.axis}: size {self.size}, jump {_text(self.jump)}, start {start}"
        return text if self.aligned else text + " (paths not aligned)"


@dataclass(frozen=True)
class TensorFields:
    """The receptive fields of one output tensor of one layer call (one summary row).

    ``name`` is the layer's name (a PyTorch ``Sequential``'s module index), ``index``
    which of the call's outputs it is.
    """

    name: str
    class_name: str
    shape: tuple[int | None, ...]
    fields: tuple[AxisField, ...]
    index: int = 0

    def __str__(self) -> str:
        """Sizes, jumps and starts joined across the axes, as a summary column shows them:
        ``5x5, jump 2x2, start 0.5x0.5`` or ``whole 28x28``."""
        fields = self.fields
        if not fields:
            return ""
        if all(f.whole for f in fields):
            return "whole " + "x".join("?" if f.size is None else str(f.size) for f in fields)
        sizes = "x".join("?" if f.size is None else str(f.size) for f in fields)
        jumps = "x".join(_text(f.jump) for f in fields)
        starts = "x".join("?" if f.start is None else _text(f.start) for f in fields)
        text = f"{sizes}, jump {jumps}, start {starts}"
        whole = [str(f.axis) for f in fields if f.whole]
        if whole:
            text += f"; whole along axis {', '.join(whole)}"
        return text


def _text(value: Fraction) -> str:
    """An int, a terminating decimal, or ``n/d``."""
    if value.denominator == 1:
        return str(value.numerator)
    rest = value.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    return f"{float(value):.{digits}f}"


# ---------------------------------------------------------------------------
# The exact per-axis state: the first and last input of every position of one period.


class _Axis:
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


def _minimal_period(
    period: int, jump: Fraction, lows: Sequence[int | None], highs: Sequence[int | None]
) -> tuple[int, Sequence[int | None], Sequence[int | None]]:
    """The smallest period the tables repeat with (a later stride undoes an up-sampling)."""
    for candidate in range(1, period):
        if period % candidate:
            continue
        shift = candidate * jump
        if shift.denominator != 1:
            continue
        delta = int(shift)
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


def _fresh() -> _Axis:
    return _Axis(1, Fraction(1), (0,), (0,))


#: A layer's map of one axis: output ``o`` reads the input positions ``sets[o % q]``
#: shifted by ``(o // q) * r``.
_Map = tuple[int, int, tuple[tuple[int, ...], ...]]


def _apply(state: _Axis | None, mapping: _Map, *, placed: bool = True) -> _Axis | None:
    """The fields after a layer: each output's field is the union of its inputs'."""
    if state is None:
        return None
    q, r, sets = mapping
    period = q * state.period // math.gcd(state.period, r)
    _bounded(period=period)
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
    return _Axis(
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
_LIMIT = 1 << 16


def _bounded(**values: int) -> None:
    for name, value in values.items():
        if value > _LIMIT:
            raise ConvShapeError(
                f"receptive fields are worked out for a `{name}` up to {_LIMIT:,}; "
                f"this layer has {_short_repr(value)}",
                argument=name,
                received={name: value},
            )


def _window(kernel: int, stride: int, dilation: int, before: int) -> _Map:
    """A forward convolution or pooling with ``before`` zeros in front."""
    _bounded(kernel_size=kernel)
    return 1, stride, (tuple(j * dilation - before for j in range(kernel)),)


def _transposed(kernel: int, stride: int, dilation: int, crop: int) -> _Map:
    """A transposed convolution: full-output position ``t = o + crop`` reads input ``i``
    where ``t - i * stride`` is a tap ``j * dilation`` of the kernel."""
    _bounded(kernel_size=kernel, strides=stride)
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


def _nearest(factor: int) -> _Map:
    _bounded(size=factor)
    return factor, 1, ((0,),) * factor


def _linear(factor: int) -> _Map:
    _bounded(size=factor)
    sets = []
    for phase in range(factor):
        source = Fraction(2 * phase + 1 - factor, 2 * factor)  # (o + 1/2) / f - 1/2
        sets.append(tuple(sorted({math.floor(source), math.ceil(source)})))
    return factor, 1, tuple(sets)


def _shift(offset: int) -> _Map:
    return 1, 1, ((offset,),)


def _adaptive(size: int, out: int) -> _Map:
    """PyTorch's adaptive pooling: window ``[floor(o * I / O), ceil((o + 1) * I / O))``."""
    common = math.gcd(size, out)
    q, r = out // common, size // common
    sets = tuple(
        tuple(range(phase * size // out, -(-(phase + 1) * size // out))) for phase in range(q)
    )
    return q, r, sets


_BROADCAST: _Map = (1, 0, ((0,),))


def _union(parts: list[_Axis | None]) -> _Axis | None:
    """Fields joined position by position; the first path's where the jumps differ."""
    if any(part is None for part in parts):
        return None
    axes = [part for part in parts if part is not None]
    first = axes[0]
    if len(axes) == 1:
        return first
    if any(axis.jump != first.jump for axis in axes):
        largest = max(axis.size for axis in axes)
        return _Axis(
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
    return _Axis(
        period,
        first.jump,
        lows,
        highs,
        placed=all(axis.placed for axis in axes),
        extra=max(axis.extra for axis in axes),
        aligned=all(axis.aligned for axis in axes),
    )


# ---------------------------------------------------------------------------
# Tensors: an origin and, per spatial axis, its fields (None: the whole origin).


@dataclass(frozen=True)
class _Origin:
    name: str
    #: The origin's length along each of its spatial axes.
    lengths: dict[int, int | None]
    #: The origins this one depends on as a whole (the tensor it was made from did).
    within: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _State:
    origin: _Origin
    #: Per spatial axis of the tensor (the origin's axis of the same index), the fields;
    #: None for the whole origin along that axis. None: no spatial structure left.
    axes: dict[int, _Axis | None] | None

    def whole(self) -> _State:
        return _State(self.origin, None)

    def mapped(self, maps: dict[int, _Map], placed: dict[int, bool] | None = None) -> _State:
        if self.axes is None:
            return self
        axes = dict(self.axes)
        for axis, mapping in maps.items():
            if axis not in axes:
                return self.whole()
            axes[axis] = _apply(axes[axis], mapping, placed=(placed or {}).get(axis, True))
        return _State(self.origin, axes)

    def fields(self) -> tuple[AxisField, ...]:
        name = self.origin.name
        axes = self.axes
        if axes is None:
            return tuple(
                _whole_field(axis, length, name) for axis, length in self.origin.lengths.items()
            )
        found = []
        for axis, state in axes.items():
            if state is None:
                found.append(_whole_field(axis, self.origin.lengths.get(axis), name))
                continue
            found.append(
                AxisField(
                    axis,
                    state.size,
                    state.jump,
                    _start(state) if state.placed else None,
                    name,
                    False,
                    state.period,
                    state.aligned,
                    state.lows if state.placed else (),
                    state.highs if state.placed else (),
                )
            )
        return tuple(found)


def _start(state: _Axis) -> Fraction | None:
    """The centre of output 0's field; extrapolated from the first position with a field
    where position 0 has none."""
    for position in range(state.period):
        span = state.at(position)
        if span is not None:
            return Fraction(span[0] + span[1], 2) - position * state.jump
    return None


def _whole_field(axis: int, length: int | None, origin: str) -> AxisField:
    if length is None:
        return AxisField(axis, None, Fraction(0), None, origin, True)
    centre = Fraction(length - 1, 2)
    return AxisField(axis, length, Fraction(0), centre, origin, True, 1, True, (0,), (length - 1,))


def _origin_state(name: str, shape: Shape, axes: range, within: frozenset[str]) -> _State:
    """A new origin: each position its own field."""
    origin = _Origin(name, {axis: shape[axis] for axis in axes}, within)
    if not axes:
        return _State(origin, None)
    return _State(origin, {axis: _fresh() for axis in axes})


def _keras_axes(shape: Shape, layout: str = "channels_last") -> range:
    """Spatial axes of a Keras tensor: between the batch and the channels (after both for
    a channels_first model)."""
    return range(1, len(shape) - 1) if layout == "channels_last" else range(2, len(shape))


def _layout(model: Model) -> str:
    """channels_first where a layer of the model (or of a model in it) says so."""
    for layer in getattr(model, "layers", ()):
        if isinstance(layer, Model):
            if _layout(layer) == "channels_first":
                return "channels_first"
        elif getattr(layer, "data_format", None) == "channels_first":
            return "channels_first"
    return "channels_last"


def _torch_axes(shape: Shape) -> range:
    """Spatial axes of an NCHW tensor: after the batch and the channels."""
    return range(2, len(shape))


def _new_origin(name: str, state: _State, shape: Shape, axes: range) -> _State:
    """A layer made spatial axes out of a tensor without any: its output is the origin."""
    within = state.origin.within | {state.origin.name}
    return _origin_state(name, shape, axes, within)


def _merge(states: list[_State], shapes: list[Shape], out: Shape, axes: range) -> _State:
    """Elementwise merges (broadcasting) and channel concatenation: fields joined."""
    reference = states[0].origin
    parts: list[dict[int, _Axis | None]] = []
    whole = False
    for state, shape in zip(states, shapes, strict=True):
        if state.origin.name != reference.name:
            whole = whole or reference.name in state.origin.within
            continue
        if state.axes is None or len(shape) != len(out):
            whole = whole or state.axes is None or bool(axes)
            continue
        fields = dict(state.axes)
        for axis in axes:
            if axis in fields and shape[axis] == 1 and out[axis] != 1:
                fields[axis] = _apply(fields[axis], _BROADCAST)
        parts.append(fields)
    if whole or not parts or any(set(part) != set(axes) for part in parts):
        return states[0].whole()
    return _State(reference, {axis: _union([part[axis] for part in parts]) for axis in axes})


# ---------------------------------------------------------------------------
# Keras layers.


def _keras_step(  # noqa: PLR0911
    layer: Layer, state: _State, shape: Shape, out: Shape, layout: str
) -> _State:
    """The state after one single-input Keras layer."""
    axes = _keras_axes(shape, layout)
    out_axes = _keras_axes(out, layout)
    if not axes:
        if out_axes:
            return _new_origin(_name(layer), state, out, out_axes)
        return state
    if state.axes is None:
        return state
    if isinstance(layer, _GlobalPooling):
        return state.whole()
    if isinstance(layer, _AdaptivePooling):
        own = spatial_axes(layer.rank, layer.data_format)
        return _adaptive_state(state, shape, own, layer.output_size)
    windows = windowed(layer)
    if windows is not None:
        return _window_step(windows, state, shape)
    if isinstance(layer, (UpSampling1D, _UpSampling)):
        return _keras_upsampling(layer, state)
    if isinstance(layer, (_ZeroPadding, _CroppingOps)):
        if isinstance(layer, _ZeroPadding):
            pairs, sign = _as_pairs(layer.padding, layer.rank), -1
            own = spatial_axes(layer.rank, layer.data_format)
        else:
            pairs, sign = _as_pairs(layer.cropping, layer.rank), 1
            own = spatial_axes(layer.rank, layer._data_format())
        return state.mapped(
            {axis: _shift(sign * before) for axis, (before, _) in zip(own, pairs, strict=True)}
        )
    if _reads_spatial_axes(layer, shape, axes):
        return state.whole()
    if layer._keeps_spatial and out_axes == axes:
        return state
    return state.whole()


def _window_step(layer: Windowed, state: _State, shape: Shape) -> _State:
    """Convolutions and poolings, forward and transposed, Keras's or PyTorch's, from
    their ``geometry``."""
    maps: dict[int, _Map] = {}
    placed: dict[int, bool] = {}
    for axis in layer.geometry:
        if axis.transposed:
            crop = transpose_crop(axis)
            maps[axis.axis] = _transposed(axis.kernel, axis.stride, axis.dilation, crop.before)
            continue
        pad = forward_pad(axis, shape[axis.axis])
        placed[axis.axis] = pad is not None
        if pad is None:  # "same" and a stride above 1 on an unknown length
            pad = forward_pad(axis, axis.stride)
            assert pad is not None
        maps[axis.axis] = _window(axis.kernel, axis.stride, axis.dilation, pad.before)
    return state.mapped(maps, placed)


def _keras_upsampling(layer: UpSampling1D | _UpSampling, state: _State) -> _State:
    factors: tuple[int, ...] = (layer.size,) if isinstance(layer.size, int) else tuple(layer.size)
    # UpSampling1D has neither a data_format (channels_last) nor an interpolation.
    axes = spatial_axes(len(factors), getattr(layer, "data_format", "channels_last"))
    interpolation: str = getattr(layer, "interpolation", "nearest")
    if interpolation not in ("nearest", "bilinear"):
        raise ConvShapeError(
            "receptive fields know nearest and bilinear up-sampling; "
            f"{layer.name!r} uses interpolation={interpolation!r}",
            argument="interpolation",
            received={"layer": layer.name},
        )
    resample = _nearest if interpolation == "nearest" else _linear
    maps = {axis: resample(factor) for axis, factor in zip(axes, factors, strict=True)}
    return state.mapped(maps)


def _reads_spatial_axes(layer: Layer, shape: Shape, axes: range) -> bool:
    """Shape-preserving layers whose values mix positions: statistics or a softmax over a
    spatial axis."""
    if isinstance(layer, GroupNormalization):
        return True
    if isinstance(layer, Dense):  # its kernel spans the last axis
        return len(shape) - 1 in axes
    if isinstance(layer, (Softmax, LayerNormalization)):
        given = layer.axis if isinstance(layer.axis, (tuple, list)) else (layer.axis,)
        return any(axis % len(shape) in axes for axis in given)
    return False


#: The merges: elementwise layers, concatenation and Keras ops (``x + y``).
_Merge = _Elementwise | Concatenate | KerasOp


def _keras_merge(
    operation: _Merge, states: list[_State], shapes: list[Shape], out: Shape, layout: str
) -> _State:
    axes = _keras_axes(out, layout)
    if isinstance(operation, Concatenate) and len(states) > 1 and operation.axis % len(out) in axes:
        return states[0].whole()
    return _merge(states, shapes, out, axes)


def _name(operation: Layer | KerasOp | Model) -> str:
    """The operation's name (a layer's constructor gives one where ``name`` is None)."""
    return str(operation.name)


def _class_name(operation: Layer | KerasOp | Model) -> str:
    if isinstance(operation, (Model, KerasOp)):
        return str(operation.class_name)
    return type(operation).__name__


class _Recorder:
    """Collects one :class:`TensorFields` per output tensor of each layer call."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.rows: list[TensorFields] = []

    def add(self, name: str, class_name: str, shapes: list[Shape], states: list[_State]) -> None:
        if not self.enabled:
            return
        for index, (shape, state) in enumerate(zip(shapes, states, strict=True)):
            self.rows.append(TensorFields(name, class_name, shape, state.fields(), index))


def _fold_model(
    model: Model, inputs: list[tuple[_State, Shape]], recorder: _Recorder, layout: str
) -> list[tuple[_State, Shape]]:
    """Fold a Keras model's graph, each node's output tensors getting their fields."""
    states: dict[int, _State] = {}
    shapes: dict[int, Shape] = {}
    rerun = False
    for tensor, (state, shape) in zip(model._inputs, inputs, strict=True):
        states[id(tensor)] = state
        shapes[id(tensor)] = shape
        rerun = rerun or shape != tensor.shape
    for node in model._nodes():
        outputs = node.output_tensors
        if node.is_input:
            if not isinstance(model, Sequential):  # a row of a functional model's summary
                tensor = outputs[0]
                state = states[id(tensor)]
                name: str = node.operation.name
                recorder.add(name, "InputLayer", [shapes[id(tensor)]], [state])
            continue
        operation: Layer | KerasOp | Model = node.operation
        in_states = [states[id(tensor)] for tensor in node.input_tensors]
        in_shapes = [shapes[id(tensor)] for tensor in node.input_tensors]
        out_shapes = _node_shapes(node, shapes) if rerun else [t.shape for t in outputs]
        if isinstance(operation, Model):
            pairs = list(zip(in_states, in_shapes, strict=True))
            results = _fold_model(operation, pairs, _Recorder(False), layout)
            out_states = [state for state, _ in results]
        elif isinstance(operation, (_Elementwise, Concatenate, KerasOp)):
            out_states = [_keras_merge(operation, in_states, in_shapes, out_shapes[0], layout)]
        elif len(in_states) == 1 and len(out_shapes) == 1:
            step = _keras_step(operation, in_states[0], in_shapes[0], out_shapes[0], layout)
            out_states = [step]
        else:  # several inputs or outputs without a rule (attention...)
            out_states = [
                _generic(_name(operation), in_states[0], _keras_axes(shape, layout), shape)
                for shape in out_shapes
            ]
        for tensor, state, shape in zip(outputs, out_states, out_shapes, strict=True):
            states[id(tensor)] = state
            shapes[id(tensor)] = shape
        recorder.add(_name(operation), _class_name(operation), out_shapes, out_states)
    return [(states[id(tensor)], shapes[id(tensor)]) for tensor in model._outputs]


def _generic(name: str, state: _State, out_axes: range, out: Shape) -> _State:
    """A layer without a rule: the whole origin (a new origin where it makes spatial axes
    out of a tensor without any)."""
    if state.axes is None and not state.origin.lengths and out_axes:
        return _new_origin(name, state, out, out_axes)
    return state.whole()


def _node_shapes(node: Node, shapes: dict[int, Shape]) -> list[Shape]:
    """The node's output shapes on its input tensors' (new) shapes."""

    def swap(value: object) -> object:
        return shapes[id(value)] if isinstance(value, SymbolicTensor) else value

    args = [map_structure(swap, arg) for arg in node.args]
    kwargs = {key: map_structure(swap, value) for key, value in node.kwargs.items()}
    return list(flatten(node.operation.output_spec(*args, **kwargs)))


def _fold_chain(
    layers: Sequence[Layer | Model], state: _State, shape: Shape, recorder: _Recorder, layout: str
) -> tuple[_State, Shape]:
    """An unbuilt Sequential's layers, one after the other on ``shape``."""
    for layer in layers:
        if isinstance(layer, Model):
            state, out = _fold_keras(layer, shape, _Recorder(False), state, layout)
        else:
            out = layer.compute_output_shape(shape)
            state = _keras_step(layer, state, shape, out, layout)
        recorder.add(_name(layer), _class_name(layer), [out], [state])
        shape = out
    return state, shape


def _fold_keras(
    model: Model,
    shape: object,
    recorder: _Recorder,
    state: _State | None = None,
    layout: str | None = None,
) -> tuple[_State, Shape]:
    """A Keras model on its own input shape(s) or on ``shape`` (its first input taking
    ``state`` when given): its first output's state and shape."""
    layout = layout or _layout(model)
    if isinstance(model, Sequential) and not model.built:
        if shape is None:
            raise ConvShapeError(
                f"Sequential model {model.name!r} has no input shape yet; pass input_shape",
                argument="input_shape",
                received={"input_shape": None},
            )
        checked = check_shape(shape)
        if state is None:
            state = _origin_state("input", checked, _keras_axes(checked, layout), frozenset())
        return _fold_chain(model.layers, state, checked, recorder, layout)
    tensors = model._inputs
    given: list[object]
    if shape is None:
        given = [tensor.shape for tensor in tensors]
    elif len(tensors) == 1:
        given = [shape]
    else:  # one shape per input (list() refuses a non-iterable with a TypeError)
        given = list(cast("Iterable[object]", shape))
    if len(given) != len(tensors):
        raise ConvShapeError(
            f"model {model.name!r} has {len(tensors)} inputs; pass one shape for each",
            argument="input_shape",
            received={"input_shape": shape},
        )
    inputs = []
    for index, (tensor, wanted) in enumerate(zip(tensors, given, strict=True)):
        checked = _compatible(model, tensor.shape, wanted)
        if state is not None and index == 0:
            inputs.append((state, checked))
            continue
        name = tensor.layer.name if tensor.layer is not None else f"input_{index}"
        origin = _origin_state(name, checked, _keras_axes(checked, layout), frozenset())
        inputs.append((origin, checked))
    return _fold_model(model, inputs, recorder, layout)[0]


# ---------------------------------------------------------------------------
# PyTorch module specifications (NCHW).


def _torch_step(  # noqa: PLR0911
    module: TorchSpec, name: str, state: _State, shape: Shape, out: Shape
) -> _State:
    """The state after one ``convshape.torch`` module."""
    axes = _torch_axes(shape)
    out_axes = _torch_axes(out)
    if not axes:
        if out_axes:
            return _new_origin(name, state, out, out_axes)
        return state
    if state.axes is None:
        return state
    windows = windowed(module)  # convolutions (lazy ones too) and poolings
    if windows is not None:
        return _window_step(windows, state, shape)
    moved = _torch_moves(module, shape, axes)
    if moved is not None:
        return state.mapped(moved)
    if isinstance(module, (_AdaptivePool, _AdaptiveAvgPool)):
        return _torch_adaptive(module, state, shape, axes)
    if isinstance(module, Upsample):
        return state.mapped(_torch_upsample(module, shape, out, axes))
    if isinstance(module, (_InstanceNorm, GroupNorm, Linear, TorchFlatten, Unflatten)):
        return state.whole()  # statistics over, or weights across, the spatial axes
    if isinstance(module, LayerNorm):
        return state.whole()  # it normalises the last dimensions, spatial in NCHW
    if isinstance(module, TorchSoftmax) and module.dim is not None:
        return state.whole() if module.dim % len(shape) in axes else state
    if isinstance(module, Module) and out == shape:
        return state  # activations, BatchNorm, dropout, Identity
    return state.whole()


def _torch_moves(module: TorchSpec, shape: Shape, axes: range) -> dict[int, _Map] | None:
    """The maps of the padding modules and pixel (un)shuffling; None for other modules."""
    if isinstance(module, _TorchPad):
        # The pairs are given last dimension first; borders aside, every mode shifts.
        pads: tuple[int, ...] = module.padding
        padded = range(len(shape) - len(pads) // 2, len(shape))
        befores = dict(zip(padded, pads[-2::-2], strict=True))
        return {axis: _shift(-befores[axis]) for axis in axes if axis in befores}
    if isinstance(module, PixelShuffle):
        return dict.fromkeys(axes[-2:], _nearest(module.upscale_factor))
    if isinstance(module, PixelUnshuffle):
        r = module.downscale_factor
        return dict.fromkeys(axes[-2:], _window(r, r, 1, 0))
    return None


def _torch_adaptive(
    module: _AdaptivePool | _AdaptiveAvgPool, state: _State, shape: Shape, axes: range
) -> _State:
    rank = len(axes)
    sizes: int | tuple[int | None, ...] = module.output_size  # as the spec keeps it
    wanted = sizes if isinstance(sizes, tuple) else (sizes,) * rank
    return _adaptive_state(state, shape, axes, wanted)


def _adaptive_state(
    state: _State, shape: Shape, axes: Sequence[int], wanted: Sequence[int | None]
) -> _State:
    """Adaptive pooling, Keras's or PyTorch's: the windows of :func:`_adaptive`."""
    assert state.axes is not None
    fields = dict(state.axes)
    for axis, out in zip(axes, wanted, strict=True):
        if out is None:
            continue
        size = shape[axis]
        if size is None or out == 1:
            fields[axis] = None  # every window may cover the whole length
        else:
            fields[axis] = _apply(fields[axis], _adaptive(size, out))
    return _State(state.origin, fields)


def _torch_upsample(module: Upsample, shape: Shape, out: Shape, axes: range) -> dict[int, _Map]:
    mode = module.mode
    if mode in ("nearest", "nearest-exact"):
        resample = _nearest
    elif mode in ("linear", "bilinear", "trilinear") and not module.align_corners:
        resample = _linear
    else:
        raise ConvShapeError(
            "receptive fields know nearest and (bi/tri)linear up-sampling without align_corners",
            argument="mode",
            received={"mode": mode, "align_corners": module.align_corners},
        )
    maps: dict[int, _Map] = {}
    for index, axis in enumerate(axes):
        factor = _integer_factor(module, shape[axis], out[axis], index)
        maps[axis] = resample(factor)
    return maps


def _integer_factor(module: Upsample, size: int | None, out: int | None, index: int) -> int:
    scale = module.scale_factor
    if scale is not None:
        value = scale[index] if isinstance(scale, (tuple, list)) else scale
        factor = float(value)
    elif size and out is not None:
        factor = out / size
    else:
        factor = 0.5  # rejected below: the factor depends on an unknown length
    if factor < 1 or factor != int(factor):
        raise ConvShapeError(
            "receptive fields follow up-sampling by whole factors only",
            argument="scale_factor",
            received={"scale_factor": module.scale_factor, "size": module.size},
        )
    return int(factor)


def _fold_torch(modules: Sequence[TorchSpec], shape: Shape, recorder: _Recorder) -> _State:
    require_batched(modules, shape, "the receptive field")
    state = _origin_state("input", shape, _torch_axes(shape), frozenset())
    for index, module in enumerate(modules):
        out = tuple(module.compute_output_shape(shape))
        state = _torch_step(module, str(index), state, shape, out)
        recorder.add(str(index), type(module).__name__, [out], [state])
        shape = out
    return state


# ---------------------------------------------------------------------------
# Entry points.


def _fold(obj: object, input_shape: object, recorder: _Recorder) -> _State:
    if isinstance(obj, Model):
        return _fold_keras(obj, input_shape, recorder)[0]
    if isinstance(obj, (TorchSequential, Module, _Conv, _ConvTranspose)):
        if input_shape is None:
            raise ConvShapeError(
                "a PyTorch module has no input shape of its own; pass input_shape "
                "(batch and channels included)",
                argument="input_shape",
                received={"input_shape": None},
            )
        modules: Sequence[TorchSpec] = obj.modules if isinstance(obj, TorchSequential) else (obj,)
        return _fold_torch(modules, check_shape(input_shape), recorder)
    if isinstance(obj, Layer):
        if input_shape is None:
            raise ConvShapeError(
                f"layer {obj.name!r} needs input_shape (batch dimension included)",
                argument="input_shape",
                received={"input_shape": None},
            )
        shape = check_shape(input_shape)
        layout = str(getattr(obj, "data_format", None) or "channels_last")
        state = _origin_state("input", shape, _keras_axes(shape, layout), frozenset())
        return _fold_chain([obj], state, shape, recorder, layout)[0]
    if isinstance(obj, InputLayer):
        raise TypeError("an InputLayer has no receptive field; pass the model")
    raise TypeError(
        "receptive_field() takes a convshape Keras layer or model, or a convshape.torch "
        f"module or Sequential, not {type(obj).__name__}. Received: obj={_short_repr(obj)}"
    )


def receptive_field(obj: object, input_shape: object = None) -> tuple[AxisField, ...]:
    """The receptive field of the (first) output, one :class:`AxisField` per spatial axis
    (per spatial axis of the origin where the output has none: ``whole=True``).

    ``obj`` is a Keras layer (``input_shape`` required), a ``Sequential`` or ``Model``
    (its own input shape, or ``input_shape``: one shape, or a list for several inputs),
    or a ``convshape.torch`` module or ``Sequential`` with ``input_shape`` (N, C, ...).

    VGG16's blocks: 3x3 convolutions, "same", and 2x2 poolings.

    >>> from convshape import Input, Sequential, clear_session, layers
    >>> clear_session()
    >>> vgg = Sequential([Input((224, 224, 3))])
    >>> for filters, convs in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
    ...     for _ in range(convs):
    ...         vgg.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
    ...     vgg.add(layers.MaxPooling2D())
    >>> [str(row) for row in receptive_fields(vgg)[:5]]
    ['3x3, jump 1x1, start 0x0', '5x5, jump 1x1, start 0x0', '6x6, jump 2x2, start 0.5x0.5', \
'10x10, jump 2x2, start 0.5x0.5', '14x14, jump 2x2, start 0.5x0.5']
    >>> print(receptive_field(vgg)[0])
    axis 1: size 212, jump 32, start 15.5
    >>> vgg.add(layers.Flatten())
    >>> print(receptive_field(vgg)[0])
    axis 1: whole input (224)

    The README's DCGAN generator: the fields are counted on the 7x7 map the ``Reshape``
    makes out of the ``Dense`` output. A 5-wide transposed convolution of stride 2 and
    "same" padding crops 1 at the start: output ``o`` reads inputs
    ``ceil((o - 3) / 2) .. floor((o + 1) / 2)``, 2 or 3 of them, centred half a position
    before ``o / 2``.

    >>> clear_session()
    >>> model = Sequential()
    >>> model.add(layers.Dense(7 * 7 * 256, use_bias=False, input_shape=(100,)))
    >>> model.add(layers.BatchNormalization())
    >>> model.add(layers.LeakyReLU())
    >>> model.add(layers.Reshape((7, 7, 256)))
    >>> model.add(layers.Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same",
    ...                                  use_bias=False))
    >>> field = receptive_field(model)[0]
    >>> print(field)
    axis 1: size 3, jump 0.5, start -0.5
    >>> field.origin, [field.span(o) for o in range(4)]
    ('reshape', [(-1, 0), (-1, 1), (0, 1), (0, 2)])

    The TensorFlow tutorial's generator goes on to 28x28: a 5-wide stride-1 layer first
    (fields ``i - 2 .. i + 2``), then two stride-2 layers. After the first of them, output
    ``m`` reaches ``ceil((m - 3) / 2) - 2 .. floor((m + 1) / 2) + 2``: 6 or 7 positions.
    The last one joins two or three of those: output 0 reads ``m = -1, 0``, so
    ``-4 .. 2`` (centre -1); output 1 reads ``m = -1 .. 1``, so ``-4 .. 3``: 8 wide.

    >>> clear_session()
    >>> generator = Sequential([Input((7, 7, 256)),
    ...     layers.Conv2DTranspose(128, 5, strides=1, padding="same"),
    ...     layers.Conv2DTranspose(64, 5, strides=2, padding="same"),
    ...     layers.Conv2DTranspose(1, 5, strides=2, padding="same")])
    >>> [str(row.fields[0]) for row in receptive_fields(generator)]
    ['axis 1: size 5, jump 1, start 0', 'axis 1: size 7, jump 0.5, start -0.5', \
'axis 1: size 8, jump 0.25, start -1']
    >>> field = receptive_field(generator)[0]
    >>> field.period, [field.span(o) for o in range(6)]
    (4, [(-4, 2), (-4, 3), (-3, 3), (-3, 3), (-3, 3), (-3, 4)])
    """
    return _fold(obj, input_shape, _Recorder(False)).fields()


def receptive_fields(obj: object, input_shape: object = None) -> tuple[TensorFields, ...]:
    """The receptive fields of every layer call's outputs, in execution order (the input
    layers of a functional model included): one :class:`TensorFields` per output tensor.

    A nested model is one row, with the fields of its output; the arguments are those of
    :func:`receptive_field`.

    >>> from convshape import torch as pt
    >>> stack = pt.Sequential(pt.Conv2d(3, 8, 7, stride=2, padding=3), pt.ReLU(),
    ...                       pt.MaxPool2d(3, stride=2, padding=1), pt.Upsample(scale_factor=2))
    >>> for row in receptive_fields(stack, (1, 3, 64, 64)):
    ...     print(row.name, row.class_name, row)
    0 Conv2d 7x7, jump 2x2, start 0x0
    1 ReLU 7x7, jump 2x2, start 0x0
    2 MaxPool2d 11x11, jump 4x4, start 0x0
    3 Upsample 11x11, jump 2x2, start 0x0
    """
    recorder = _Recorder(True)
    _fold(obj, input_shape, recorder)
    return tuple(recorder.rows)

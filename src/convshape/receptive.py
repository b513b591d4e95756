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

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ._receptive_tensors import TensorState
from ._receptive_walk import Recorder, fold_keras, fold_layer, fold_torch
from ._validate import required_shape
from .errors import ConvShapeError, _short_repr
from .layers._base import Layer
from .layers.core import InputLayer
from .models.model import Model
from .torch._module import Module
from .torch.container import Sequential as TorchSequential

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
# From the folded states to the results.


def _fields(state: TensorState) -> tuple[AxisField, ...]:
    """One :class:`AxisField` per spatial axis of the state's tensor (of its origin where
    it has none)."""
    name = state.origin.name
    axes = state.axes
    if axes is None:
        return tuple(
            _whole_field(axis, length, name) for axis, length in state.origin.lengths.items()
        )
    found = []
    for axis, spans in axes.items():
        if spans is None:
            found.append(_whole_field(axis, state.origin.lengths.get(axis), name))
            continue
        found.append(
            AxisField(
                axis,
                spans.size,
                spans.jump,
                spans.start() if spans.placed else None,
                name,
                False,
                spans.period,
                spans.aligned,
                spans.lows if spans.placed else (),
                spans.highs if spans.placed else (),
            )
        )
    return tuple(found)


def _whole_field(axis: int, length: int | None, origin: str) -> AxisField:
    if length is None:
        return AxisField(axis, None, Fraction(0), None, origin, True)
    centre = Fraction(length - 1, 2)
    return AxisField(axis, length, Fraction(0), centre, origin, True, 1, True, (0,), (length - 1,))


# ---------------------------------------------------------------------------
# Entry points.


def _fold(obj: object, input_shape: object, recorder: Recorder) -> TensorState:
    if isinstance(obj, Model):
        return fold_keras(obj, input_shape, recorder)[0]
    if isinstance(obj, (TorchSequential, Module)):
        shape = required_shape(
            input_shape,
            "a PyTorch module has no input shape of its own: pass `input_shape` "
            "(batch and channels included)",
        )
        modules: Sequence[TorchSpec] = obj.modules if isinstance(obj, TorchSequential) else (obj,)
        return fold_torch(modules, shape, recorder)
    if isinstance(obj, Layer):
        shape = required_shape(
            input_shape, f"layer {obj.name!r} needs its `input_shape` (batch dimension included)"
        )
        return fold_layer(obj, shape, recorder)
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
    return _fields(_fold(obj, input_shape, Recorder(False)))


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
    recorder = Recorder(True)
    _fold(obj, input_shape, recorder)
    return tuple(
        TensorFields(name, class_name, shape, _fields(state), index)
        for name, class_name, shape, state, index in recorder.rows
    )

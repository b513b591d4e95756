"""Which input sizes a model accepts: every length, per spatial axis, for which each layer
has a non-empty output and each merge sees matching shapes, with the closed form.

The analysis is a fold over the model's graph with one length per candidate size in
place of a shape: each convolution, pooling, transposed convolution, up-sampling,
padding or cropping maps a list of lengths to a list of lengths with its own integer
arithmetic, shape-preserving layers pass the list on unchanged, and merges compare
lists. Layers without such a map (``Flatten`` into ``Dense``, ``Reshape``...) are
computed shape by shape, once per distinct input.

>>> from convshape import Input, Model, clear_session, input_sizes, layers
>>> clear_session()
>>> x = Input((None, None, 1))
>>> down = layers.MaxPooling2D()(layers.Conv2D(8, 3, padding="same")(x))
>>> up = layers.Conv2DTranspose(8, 2, strides=2)(down)
>>> unet = Model(x, layers.Concatenate()([x, up]))
>>> sizes = input_sizes(unet, range(1, 41))
>>> sizes.axes[0].values[:5], sizes.axes[0].period, sizes.axes[0].offsets
((2, 4, 6, 8, 10), 2, (0,))
>>> sizes.axes[0].nearest(35)
(34, 36)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._sizes_fold import Analysis

# diagnosis reads _rebind from here; `import X as X` is the re-export mypy --strict reads.
from ._sizes_fold import _rebind as _rebind  # noqa: PLC0414
from ._sizes_forms import closed_form, reason, runs
from .errors import ConvShapeError, _short_repr
from .models.model import Model

__all__ = ["AxisSizes", "InputSizes", "input_sizes"]


@dataclass(frozen=True)
class AxisSizes:
    """The valid lengths of one spatial axis of one input (the others held fixed).

    ``values`` are the valid lengths among the sizes tried; ``period``, ``offsets`` and
    ``smallest`` give the closed form ``n % period in offsets and n >= smallest`` where
    the tried range shows one. ``same_size`` are the lengths whose output keeps the
    input's length along this axis; ``output_lengths`` maps each valid length to it.
    """

    input_index: int
    axis: int
    tried: tuple[int, ...] = field(repr=False)
    values: tuple[int, ...]
    period: int | None
    offsets: tuple[int, ...] | None
    smallest: int | None
    output_lengths: dict[int, int | None] = field(repr=False)
    reason: str = ""
    #: Where a tried length fails: its first failing layer's name.
    failures: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def same_size(self) -> tuple[int, ...]:
        """Valid lengths whose output has the same length along this axis."""
        return tuple(n for n in self.values if self.output_lengths.get(n) == n)

    def nearest(self, n: int) -> tuple[int | None, int | None]:
        """The closest valid lengths at or below and at or above ``n`` (``None`` where the
        tried range has none); the closed form extends beyond the range."""
        below = above = None
        index = bisect_left(self.values, n)
        if index < len(self.values) and self.values[index] == n:
            return n, n
        if index > 0:
            below = self.values[index - 1]
        if index < len(self.values):
            above = self.values[index]
        if above is None and self.period is not None and self.offsets:
            above = next(m for m in range(n, n + self.period + 1) if self._closed(m))
        return below, above

    def _closed(self, n: int) -> bool:
        if self.period is None or self.offsets is None:
            return False
        return n >= (self.smallest or 0) and n % self.period in self.offsets

    def __contains__(self, n: object) -> bool:
        if not isinstance(n, int):
            return False
        if self.tried and self.tried[0] <= n <= self.tried[-1]:
            index = bisect_left(self.values, n)
            return index < len(self.values) and self.values[index] == n
        return self.period is not None and self._closed(n)

    @property
    def closed_form(self) -> str | None:
        """The rule in words: ``n = 16k (k >= 1)``, ``n = 188 + 16k (k >= 0)``."""
        if self.period is None or self.offsets is None or self.smallest is None:
            return None
        if self.period == 1:
            return f"n >= {self.smallest}"
        if len(self.offsets) == 1:
            base = self.smallest
            if base % self.period == 0:
                return f"n = {self.period}k (k >= {base // self.period})"
            return f"n = {base} + {self.period}k (k >= 0)"
        offsets = ", ".join(map(str, self.offsets))
        return f"n % {self.period} in {{{offsets}}}, n >= {self.smallest}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the valid lengths, the closed form, the same-size ones)."""
        return {
            "input": self.input_index,
            "axis": self.axis,
            "tried": [self.tried[0], self.tried[-1]] if self.tried else [],
            "values": list(self.values),
            "period": self.period,
            "offsets": None if self.offsets is None else list(self.offsets),
            "smallest": self.smallest,
            "closed_form": self.closed_form,
            "same_size": list(self.same_size),
            "reason": self.reason,
        }

    def __str__(self) -> str:
        where = f"input {self.input_index}, axis {self.axis}"
        if not self.values:
            return f"{where}: no valid length in {self.tried[0]}..{self.tried[-1]}"
        if self.closed_form:
            return f"{where}: {self.closed_form}; smallest {self.smallest}. Why: {self.reason}"
        listed = runs(self.values)
        tried = f"{self.tried[0]}..{self.tried[-1]}"
        return f"{where}: {listed} (no period among {tried} tried). Why: {self.reason}"


@dataclass(frozen=True)
class InputAxes:
    """The answers for the spatial axes of one input."""

    index: int
    axes: tuple[AxisSizes, ...]


@dataclass(frozen=True)
class InputSizes:
    """Valid input lengths: ``axes`` for the first input, ``inputs[i].axes`` for each."""

    inputs: tuple[InputAxes, ...]
    #: Whether each axis's answer holds whatever the other axes are (no layer mixes them).
    independent: bool

    @property
    def axes(self) -> tuple[AxisSizes, ...]:
        """The spatial axes of the model's first input."""
        return self.inputs[0].axes

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: every axis of every input, and whether they are independent."""
        return {
            "independent": self.independent,
            "axes": [axis.to_dict() for item in self.inputs for axis in item.axes],
        }

    def __str__(self) -> str:
        lines = [str(axis) for item in self.inputs for axis in item.axes]
        if not lines:  # a printed summary says so rather than printing nothing
            lines.append("The model's inputs have no spatial axis: no input size to vary.")
        if not self.independent:
            lines.append(
                "The axes are not independent: a layer mixes them (Flatten, Reshape, Dense on "
                "a flattened map...), so each answer holds with the other axes as given."
            )
        return "\n".join(lines)


def input_sizes(model: Model, sizes: Iterable[int] = range(1, 1025)) -> InputSizes:
    """For every spatial axis of every input, the lengths among ``sizes`` the model accepts.

    An axis is varied with the other axes at the model's own sizes (at the smallest
    length valid for all of them where those are ``None``).
    """
    if not isinstance(model, Model):
        raise TypeError(
            f"input_sizes() takes a convshape model, not {type(model).__name__}. "
            f"Received: model={_short_repr(model)}"
        )
    tried = tuple(sorted(set(_check_sizes(sizes))))
    spatial = [_spatial_axes(tensor.shape) for tensor in model._inputs]
    base = [list(tensor.shape) for tensor in model._inputs]
    unknown = [(i, a) for i, axes in enumerate(spatial) for a in axes if base[i][a] is None]
    if unknown and len(model._inputs) > 1:
        # Other inputs' unknown axes are held at the smallest length valid for all.
        joint = Analysis(model, unknown, base, tried)
        common = set(tried)
        for _, a in unknown:
            common &= set(joint.valid(a))
        fill = min(common, default=1)
        for i, a in unknown:
            base[i][a] = fill
    for i, a in unknown:
        base[i][a] = base[i][a] or 1  # the input's own pass varies it anyway
    independent = True
    inputs = []
    for index, axes in enumerate(spatial):
        # All axes of one input in one pass; where a layer mixes them, one pass per axis.
        analysis = Analysis(model, [(index, a) for a in axes], base, tried)
        if analysis.local:
            found = [_answer(analysis, index, axis) for axis in axes]
        else:
            independent = False
            found = [
                _answer(Analysis(model, [(index, axis)], base, tried), index, axis) for axis in axes
            ]
        inputs.append(InputAxes(index, tuple(found)))
    return InputSizes(tuple(inputs), independent)


def _check_sizes(sizes: Iterable[int]) -> list[int]:
    checked = []
    for size in sizes:
        if type(size) is not int:
            raise TypeError(
                f"`sizes` must hold ints, not {type(size).__name__}. "
                f"Received: size={_short_repr(size)}"
            )
        if size < 1:
            raise ConvShapeError(
                "`sizes` must hold lengths >= 1", argument="sizes", received={"size": size}
            )
        checked.append(size)
    if not checked:
        raise ConvShapeError("`sizes` is empty", argument="sizes", received={"sizes": sizes})
    return checked


def _spatial_axes(shape: Sequence[int | None]) -> list[int]:
    """The axes between batch and channels (channels_last; a rank-2 input has none)."""
    return list(range(1, len(shape) - 1))


def _answer(analysis: Analysis, input_index: int, axis: int) -> AxisSizes:
    """One axis's answer: the fold's valid lengths, their closed form and the reason."""
    values = tuple(analysis.valid(axis))
    strides = analysis.strides(axis)
    period, offsets, smallest = closed_form(analysis.tried, set(values), strides)
    down = [(name, stride) for a, name, stride in analysis.downsampling if a == axis]
    why = reason(down, analysis.trimming.get(axis, []), analysis.merges, strides)
    return AxisSizes(
        input_index,
        axis,
        analysis.tried,
        values,
        period,
        offsets,
        smallest if values else None,
        analysis.output_lengths(axis),
        why,
        analysis.failures(axis),
    )

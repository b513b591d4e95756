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

import functools
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._geometry import AxisWindow, Shape, Windowed
from ._render import counted
from ._types import Pad
from .arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _transpose_crop,
    _transpose_is_empty,
    _transpose_length,
)
from .errors import ConvShapeError, _short_repr
from .layers._base import Layer
from .layers.merging import Concatenate, _Elementwise
from .layers.pooling import _GlobalPooling
from .layers.reshaping import UpSampling1D, _CroppingOps, _UpSampling, _ZeroPadding
from .models.graph import Node, SymbolicTensor, flatten, operation_weights
from .models.model import Model
from .models.ops import KerasOp

__all__ = ["AxisSizes", "InputSizes", "input_sizes"]

Lengths = list[int | None]
#: A length map: one input length to the output length, None where the output is empty.
LengthMap = Callable[[int], int | None]
IDENTITY: LengthMap = lambda n: n  # noqa: E731

#: What the fold knows of a tensor: its one shape at every tried size ("const"); its
#: shape with one list of lengths per varied axis ("axes"); or, per tried size, the
#: output leaf its layer's ``output_spec`` gave, None where the layer failed ("shapes").
Const = tuple[Literal["const"], Shape]
Varied = tuple[Literal["axes"], Shape, dict[int, Lengths]]
PerSize = tuple[Literal["shapes"], list[object]]
Tensor = Const | Varied | PerSize


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
        listed = _runs(self.values)
        tried = f"{self.tried[0]}..{self.tried[-1]}"
        return f"{where}: {listed} (no period among {tried} tried). Why: {self.reason}"


def _runs(values: Sequence[int], most: int = 8) -> str:
    """Sorted lengths as runs, ``25..28, 31``; past ``most`` runs, how many more.

    >>> _runs((25, 26, 27, 28, 31)), _runs(tuple(range(0, 40, 2)), most=3)
    ('25..28, 31', '0, 2, 4 and 17 more')
    """
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    text = [f"{a}..{b}" if b > a + 1 else (f"{a}, {b}" if b > a else str(a)) for a, b in runs]
    if len(runs) > most:
        return f"{', '.join(text[:most])} and {len(runs) - most} more"
    return ", ".join(text)


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
        joint = _Analysis(model, unknown, base, tried)
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
        analysis = _Analysis(model, [(index, a) for a in axes], base, tried)
        if analysis.local:
            found = [analysis.result(index, axis) for axis in axes]
        else:
            independent = False
            found = [
                _Analysis(model, [(index, axis)], base, tried).result(index, axis) for axis in axes
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


class _Analysis:
    """One fold of the graph with a list of lengths (one per tried size) for each varied
    axis; the varied axes of the inputs all take the tried size at once."""

    def __init__(
        self,
        model: Model,
        varied: list[tuple[int, int]],
        base: list[list[int | None]],
        tried: tuple[int, ...],
    ) -> None:
        self.model = model
        self.tried = tried
        self.count = len(tried)
        #: Per varied axis, the first layer that fails at each tried size.
        self.failed: dict[int, list[str | None]] = {a: [None] * self.count for _, a in varied}
        self.local = True
        #: Mapped lists already computed: the same lengths through the same map, or the
        #: same lists merged (square inputs repeat every list on every axis).
        self.memo: dict[tuple[int, LengthMap], Lengths] = {}
        self.merged: dict[tuple[tuple[int, ...], bool], tuple[Lengths, list[int]]] = {}
        self.downsampling: list[tuple[int, str, int]] = []
        #: Per axis, the layers that shorten the length by a fixed amount (valid windows).
        self.trimming: dict[int, list[str]] = {}
        self.merges: list[str] = []
        #: Per tensor: ("const", shape), ("axes", template, {axis: lengths}) or
        #: ("shapes", one shape per size).
        self.tensors: dict[int, Tensor] = {}
        for index, tensor in enumerate(model._inputs):
            axes = [a for i, a in varied if i == index]
            template = tuple(base[index])
            if axes:
                self.tensors[id(tensor)] = ("axes", template, {a: list(tried) for a in axes})
            else:
                self.tensors[id(tensor)] = ("const", template)
        for node in model._nodes():
            if not node.is_input:
                self._node(node)

    def valid(self, axis: int) -> list[int]:
        """The tried sizes at which nothing fails along ``axis``."""
        failed = self.failed[axis]
        return [n for n, failure in zip(self.tried, failed, strict=True) if failure is None]

    def _node(self, node: Node) -> None:
        inputs = [self.tensors[id(tensor)] for tensor in node.input_tensors]
        operation: Layer | KerasOp | Model = node.operation
        outputs = node.output_tensors
        if all(item[0] == "const" for item in inputs):
            for tensor in outputs:
                self.tensors[id(tensor)] = ("const", tensor.shape)
            return
        fast = self._fast(node, inputs)
        if fast is not None:
            for tensor in outputs:
                self.tensors[id(tensor)] = fast
            return
        if not isinstance(operation, _GlobalPooling):  # which reads every axis alike
            self.local = False
        self._shape_by_shape(node, inputs)

    def _fail(self, index: int, name: str, axis: int | None = None) -> None:
        """Record a failure at one size: along one axis, or along all (a shape-by-shape
        layer does not say which axis it rejects)."""
        for key, failed in self.failed.items():
            if (axis is None or key == axis) and failed[index] is None:
                failed[index] = name

    def _alive(self, index: int) -> bool:
        return all(failed[index] is None for failed in self.failed.values())

    def _fast(self, node: Node, inputs: list[Tensor]) -> Varied | None:
        operation: Layer | KerasOp | Model = node.operation
        if len(node.output_tensors) != 1:
            return None
        if isinstance(operation, (_Elementwise, Concatenate)):
            return self._merge(node, inputs)
        single = inputs[0] if len(inputs) == 1 else None
        if single is None or single[0] != "axes" or not isinstance(operation, Layer):
            return None
        varied = single[2]
        maps = {a: _length_map(operation, a, node.input_tensors[0].shape) for a in varied}
        if any(mapping is None for mapping in maps.values()):
            return None
        name = str(operation.name)
        out: dict[int, Lengths] = {}
        for axis, lengths in varied.items():
            mapping = maps[axis]
            assert mapping is not None
            if mapping is IDENTITY:
                out[axis] = lengths
                continue
            key = (id(lengths), mapping)
            mapped = self.memo.get(key)
            if mapped is None:
                mapped = [None if n is None else mapping(n) for n in lengths]
                self.memo[key] = mapped
            if None in mapped:
                for index, (n, m) in enumerate(zip(lengths, mapped, strict=True)):
                    if m is None and n is not None:
                        self._fail(index, name, axis)
            out[axis] = mapped
            self._note(operation, axis, name)
        return ("axes", node.output_tensors[0].shape, out)

    def _note(self, operation: Windowed, axis: int, name: str) -> None:
        """Remember the layers that divide or trim the length, for the reason."""
        for geometry in operation.geometry:
            if geometry.axis != axis or geometry.transposed:
                continue
            if geometry.stride > 1:
                self.downsampling.append((axis, name, geometry.stride))
            elif geometry.padding == "valid" and geometry.effective_kernel > 1:
                self.trimming.setdefault(axis, []).append(name)

    def _merge(self, node: Node, inputs: list[Tensor]) -> Varied | None:
        known: list[Const | Varied] = []
        for item in inputs:
            if item[0] == "shapes":
                return None
            known.append(item)
        axes = {axis for item in known if item[0] == "axes" for axis in item[2]}
        operation: _Elementwise | Concatenate = node.operation
        rank = len(node.output_tensors[0].shape)
        concat_axis = operation.axis % rank if isinstance(operation, Concatenate) else None
        name = str(operation.name)
        self.merges.append(name)
        out: dict[int, Lengths] = {}
        for axis in sorted(axes):
            columns: list[Sequence[int | None]] = [
                item[2][axis]
                if item[0] == "axes" and axis in item[2]
                else [item[1][axis]] * self.count
                for item in known
            ]
            if all(column is columns[0] for column in columns) and concat_axis != axis:
                out[axis] = list(columns[0])  # the same lengths on every path
                continue
            if concat_axis == axis:
                out[axis] = [
                    None if any(n is None for n in row) else sum(n or 0 for n in row)
                    for row in zip(*columns, strict=True)
                ]
                continue
            key = (tuple(map(id, columns)), concat_axis is None)
            cached = self.merged.get(key)
            if cached is None:
                cached = _merge_lengths(columns, broadcast=concat_axis is None)
                self.merged[key] = cached
            merged, failures = cached
            where = axis if axis in self.failed else None
            for index in failures:
                self._fail(index, name, where)
            out[axis] = merged
        return ("axes", node.output_tensors[0].shape, out)

    def _shape_by_shape(self, node: Node, inputs: list[Tensor]) -> None:
        """Any other layer: its own output_spec on each distinct input, weights checked."""
        operation: Layer | KerasOp | Model = node.operation
        name = str(operation.name)
        built = [w.shape for w in operation_weights(operation)]
        memo: dict[tuple[object, ...], object] = {}
        results: list[object] = []
        for index in range(self.count):
            if not self._alive(index):
                results.append(None)
                continue
            shapes = [_shape_at(item, index) for item in inputs]
            key = tuple(shapes)
            if key not in memo:
                memo[key] = _call(node, shapes, built)
            result = memo[key]
            if result is None:
                self._fail(index, name)
            results.append(result)
        for position, tensor in enumerate(node.output_tensors):
            per_size: list[object] = [None if r is None else flatten(r)[position] for r in results]
            self.tensors[id(tensor)] = ("shapes", per_size)

    # -- the answer ---------------------------------------------------------------

    def result(self, input_index: int, axis: int) -> AxisSizes:
        values = tuple(self.valid(axis))
        output = self.tensors[id(self.model._outputs[0])]
        lengths: dict[int, int | None] = {}
        for index, n in enumerate(self.tried):
            if self.failed[axis][index] is None:
                lengths[n] = _output_length(output, index, axis)
        period, offsets, smallest = _closed_form(self.tried, set(values), self._strides(axis))
        failures = {
            n: failure for n, failure in zip(self.tried, self.failed[axis], strict=True) if failure
        }
        return AxisSizes(
            input_index,
            axis,
            self.tried,
            values,
            period,
            offsets,
            smallest if values else None,
            lengths,
            self._reason(period, axis),
            failures,
        )

    def _strides(self, axis: int) -> int:
        return math.prod(stride for a, _, stride in self.downsampling if a == axis) or 1

    def _reason(self, period: int | None, axis: int) -> str:
        down = [(name, stride) for a, name, stride in self.downsampling if a == axis]
        trimming = list(dict.fromkeys(self.trimming.get(axis, [])))
        parts = []
        if down:
            names = ", ".join(name for name, _ in down)
            factors = " x ".join(str(s) for _, s in down)
            parts.append(f"{names} divide the length by {factors} = {self._strides(axis)}")
        if trimming:
            parts.append(
                f"{counted(len(trimming), 'layer')} without padding "
                f"{'trims' if len(trimming) == 1 else 'trim'} it ({', '.join(trimming[:4])}"
                f"{', ...' if len(trimming) > 4 else ''}), which sets the smallest length"
            )
        if self.merges:
            merges = ", ".join(self.merges[:4]) + (", ..." if len(self.merges) > 4 else "")
            parts.append(
                f"{merges} join paths that must agree"
                + (", which they do only where every division is exact" if down else "")
            )
        if not parts:
            return "no layer divides, trims or compares this length."
        return "; ".join(parts) + "."


def _merge_lengths(
    columns: Sequence[Sequence[int | None]], *, broadcast: bool
) -> tuple[Lengths, list[int]]:
    """The merged lengths and the indices where the inputs disagree."""
    if len(columns) == 2:
        first, second = columns
        merged: Lengths = [a if a == b else None for a, b in zip(first, second, strict=True)]
        failures = []
        for index in [i for i, m in enumerate(merged) if m is None]:
            a, b = first[index], second[index]
            if a is None or b is None:
                continue
            if broadcast and (a == 1 or b == 1):
                merged[index] = b if a == 1 else a
            else:
                failures.append(index)
        return merged, failures
    merged = [
        row[0] if all(n == row[0] for n in row) else None for row in zip(*columns, strict=True)
    ]
    failures = []
    if None in merged:
        for index in [i for i, m in enumerate(merged) if m is None]:
            row = [column[index] for column in columns]
            if None in row:
                continue
            value = _agree(row, broadcast=broadcast)
            if value is None:
                failures.append(index)
            merged[index] = value
    return merged, failures


def _agree(row: Sequence[int | None], *, broadcast: bool) -> int | None:
    """The common length of merged inputs (1 broadcasts in elementwise merges)."""
    lengths = {n for n in row if n is not None}
    if broadcast and len(lengths) > 1:
        lengths.discard(1)
    return lengths.pop() if len(lengths) == 1 else None


def _shape_at(item: Tensor, index: int) -> object:
    """The tensor's shape at the tried size ``index``; None where it has none."""
    if item[0] == "const":
        return item[1]
    if item[0] == "shapes":
        return item[1][index]
    shape = list(item[1])
    for axis, lengths in item[2].items():
        if lengths[index] is None:
            return None
        shape[axis] = lengths[index]
    return tuple(shape)


def _call(node: Node, shapes: list[object], built: list[tuple[int, ...]]) -> object:
    """The node's output (a shape or a structure of shapes) on these input shapes, or None
    where the layer rejects them."""
    if any(shape is None for shape in shapes):
        return None
    args, kwargs = _rebind(node, shapes)
    operation: Layer | KerasOp | Model = node.operation
    try:
        output: object = operation.output_spec(*args, **kwargs)
        weights = operation.build_weights(*args, **kwargs)
    except ConvShapeError:
        return None
    if built and [w.shape for w in weights] != built:
        return None
    return output


def _rebind(node: Node, shapes: list[object]) -> tuple[list[object], dict[str, object]]:
    """The node's call arguments with its input tensors replaced by ``shapes``."""
    by_id = {id(t): s for t, s in zip(node.input_tensors, shapes, strict=True)}

    def swap(value: object) -> object:
        if isinstance(value, SymbolicTensor):
            return by_id[id(value)]
        if isinstance(value, list):
            return [swap(item) for item in value]
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        return value

    return [swap(arg) for arg in node.args], {k: swap(v) for k, v in node.kwargs.items()}


def _output_length(item: Tensor, index: int, axis: int) -> int | None:
    if item[0] == "axes" and axis in item[2]:
        return item[2][axis][index]
    shape = _shape_at(item, index)
    if not isinstance(shape, tuple) or axis >= len(shape):  # None, or not a shape
        return None
    length: int | None = shape[axis]
    return length


def _length_map(  # noqa: PLR0911  (one return per kind of layer)
    layer: Layer, axis: int, shape: Sequence[int | None]
) -> LengthMap | None:
    """The layer's integer map of a length along ``axis``, or None where it has none.

    Shape-preserving layers map identically when their weights do not depend on the
    axis; the windows of convolutions and poolings, up-sampling, padding and cropping
    have their arithmetic.
    """
    windows: Sequence[AxisWindow] = layer.geometry
    for geometry in windows:
        if geometry.axis == axis:
            return _window(geometry)
    if windows:
        return IDENTITY if _weights_ignore(layer, axis, shape) else None
    if isinstance(layer, (_UpSampling, UpSampling1D)):
        dims = (layer.size,) if isinstance(layer.size, int) else layer.size
        factor = dims[axis - 1] if axis - 1 < len(dims) else 1
        return _scale_map(factor)
    if isinstance(layer, _ZeroPadding):
        return _pairs_map(layer.padding, axis, 1)
    if isinstance(layer, _CroppingOps):
        return _pairs_map(layer.cropping, axis, -1)
    if layer._keeps_spatial and _weights_ignore(layer, axis, shape):
        return IDENTITY
    return None


def _pairs_map(
    pairs: tuple[int, int] | tuple[tuple[int, int], ...], axis: int, sign: int
) -> LengthMap:
    """Padding (``sign`` 1) or cropping (-1) by Keras's normal form of (before, after)
    pairs: one pair for the 1D layers, one per spatial axis for the others."""
    rows = (pairs,) if isinstance(pairs[0], int) else pairs
    if axis - 1 >= len(rows):
        return IDENTITY
    before, after = rows[axis - 1]
    return _shift_map(sign * (before + after))


def _window(geometry: AxisWindow) -> LengthMap:
    return _window_map(
        geometry.effective_kernel,
        geometry.stride,
        geometry.padding,
        geometry.output_padding,
        geometry.transposed,
    )


@functools.lru_cache(maxsize=512)
def _window_map(
    k_eff: int, stride: int, padding: str | Pad, output_padding: int | None, transposed: bool
) -> LengthMap:
    """One function per distinct window, so that equal axes share their mapped lengths."""
    if transposed:
        crop = _transpose_crop(k_eff, stride, padding, output_padding)
        extra = k_eff - crop.before - crop.after
        if extra > 0:  # (n - 1) * s + extra, never empty
            return lambda n: (n - 1) * stride + extra

        def transposed_length(n: int) -> int | None:
            length = _transpose_length(n, k_eff, stride, crop)
            return None if _transpose_is_empty(n, length) else length

        return transposed_length
    if stride == 1 and padding in ("same", "causal"):
        return IDENTITY
    if padding in ("same", "causal"):  # ceil(n / s), never empty for n >= 1
        return lambda n: -(-n // stride)
    if padding == "valid":
        return lambda n: (n - k_eff) // stride + 1 if n >= k_eff else None

    def forward(n: int) -> int | None:
        pad = _forward_pad(n, k_eff, stride, padding)
        assert pad is not None
        length = _forward_length(n, k_eff, stride, pad)
        return None if _forward_is_empty(n, length, padding) else length

    return forward


@functools.lru_cache(maxsize=128)
def _scale_map(factor: int) -> LengthMap:
    return lambda n: n * factor


@functools.lru_cache(maxsize=128)
def _shift_map(extra: int) -> LengthMap:
    return lambda n: n + extra if n + extra > 0 else None


def _weights_ignore(layer: Layer, axis: int, shape: Sequence[int | None]) -> bool:
    """Whether the layer's weights are the same whatever the length along ``axis``."""
    found = []
    for probe in (5, 7):
        trial = list(shape)
        trial[axis] = probe
        try:
            found.append([w.shape for w in layer.build_weights(tuple(trial))])
        except ConvShapeError:
            return False
    return found[0] == found[1]


def _closed_form(
    tried: tuple[int, ...], valid: set[int], strides: int
) -> tuple[int | None, tuple[int, ...] | None, int | None]:
    """The smallest period among the divisors of the total stride that the tried
    lengths (beyond the smallest valid one) follow, with its offsets."""
    if not valid:
        return None, None, None
    smallest = min(valid)
    span = [n for n in tried if n >= smallest]
    if len(span) < 2 or span != list(range(smallest, span[-1] + 1)):
        return None, None, smallest
    for period in _divisors(strides):
        if 2 * period > len(span):
            break
        offsets = {n % period for n in valid}
        if all((n in valid) == (n % period in offsets) for n in span):
            return period, tuple(sorted(offsets)), smallest
    return None, None, smallest


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted({*small, *(n // d for d in small)})

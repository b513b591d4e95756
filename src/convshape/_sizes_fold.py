"""The input-size search: one fold of a Keras model's graph with a list of lengths (one
per tried size) in place of each varied axis's length. Layers with a length map
(:mod:`convshape._sizes_maps`) map the lists, merges compare them, and any other layer
is computed shape by shape, once per distinct input; the fold records, per axis and
tried size, the first layer that fails, and the layers that divide, trim or compare the
length, for the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from ._geometry import Shape, Windowed
from ._sizes_maps import IDENTITY, LengthMap, length_map
from .errors import ConvShapeError
from .layers._base import Layer
from .layers.merging import Concatenate, _Elementwise
from .layers.pooling import _GlobalPooling
from .models.graph import Node, SymbolicTensor, flatten, operation_weights
from .models.model import Model
from .models.ops import KerasOp

Lengths = list[int | None]

#: What the fold knows of a tensor: its one shape at every tried size ("const"); its
#: shape with one list of lengths per varied axis ("axes"); or, per tried size, the
#: output leaf its layer's ``output_spec`` gave, None where the layer failed ("shapes").
Const = tuple[Literal["const"], Shape]
Varied = tuple[Literal["axes"], Shape, dict[int, Lengths]]
PerSize = tuple[Literal["shapes"], list[object]]
Tensor = Const | Varied | PerSize


class Analysis:
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
        maps = {a: length_map(operation, a, node.input_tensors[0].shape) for a in varied}
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

    # -- what the answer reads ------------------------------------------------------

    def output_lengths(self, axis: int) -> dict[int, int | None]:
        """The model's (first) output length along ``axis`` at each valid tried size."""
        output = self.tensors[id(self.model._outputs[0])]
        lengths: dict[int, int | None] = {}
        for index, n in enumerate(self.tried):
            if self.failed[axis][index] is None:
                lengths[n] = _output_length(output, index, axis)
        return lengths

    def failures(self, axis: int) -> dict[int, str]:
        """The first failing layer's name at each tried size that fails along ``axis``."""
        return {
            n: failure for n, failure in zip(self.tried, self.failed[axis], strict=True) if failure
        }

    def strides(self, axis: int) -> int:
        """The total stride along ``axis``: the product of the dividing layers' strides."""
        return math.prod(stride for a, _, stride in self.downsampling if a == axis) or 1


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

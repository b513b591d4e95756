"""The cost folds: one row per layer call (or PyTorch module) with its counts,
parameters and output bytes, over a single layer, a Keras model's graph (nested models
included, shared weights counted once), an unbuilt Sequential's layers or a
``convshape.torch`` stack, and the report of their totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from ._cost_base import (
    Known,
    _itemsize,
    _known,
    _one_or_tuple,
    _shapes_argument,
    _size,
    _weight_bytes,
)
from ._cost_keras import CallArguments, Operation, keras_rule, output_itemsize
from ._cost_torch import TorchLayer, TorchModule, torch_counts
from ._geometry import Shape
from ._render import counted
from ._validate import given_input_shape, required_shape
from .costs import LayerCost, Memory, ModelCost, cost
from .errors import ConvShapeError, _short_repr
from .layers import attention as _att
from .layers._base import Layer
from .models.graph import Node, SymbolicTensor, flatten, map_structure
from .models.model import Model
from .torch._checks import require_batched
from .torch.container import Sequential as TorchSequential


def _incompatible(model: Model, tensor: SymbolicTensor, shape: Shape) -> ConvShapeError:
    return ConvShapeError(
        f"input of model {model.name!r} is incompatible: expected shape="
        f"{_short_repr(tensor.shape)}, found shape={_short_repr(shape)}",
        argument="input_shape",
        received={"input_shape": shape},
    )


def layer_cost(layer: Layer, input_shape: object, batch: int) -> ModelCost:
    """The one row of a layer called on ``input_shape`` (a list of shapes for a layer
    with several inputs)."""
    given_input_shape(
        input_shape, f"the cost of a single layer ({layer.name!r}) needs its `input_shape`"
    )
    shapes = _shapes_argument(input_shape)
    multi = isinstance(layer, _att.MultiHeadAttention) and isinstance(shapes, list)
    args: Known | list[Known] = map_structure(
        lambda s: _known(s, batch, layer.name or "", "input"), shapes
    )
    # One shape each, or a list-input layer's list of shapes (where Layer's methods
    # name one shape).
    call_args = cast("list[Known]", list(args) if multi else [args])
    ins: list[Known] = flatten(args)
    outs: list[Known] = [
        _known(s, batch, layer.name or "", "output")
        for s in flatten(layer.compute_output_shape(*call_args))
    ]
    weights = layer.weight_specs(*call_args)
    rule = keras_rule(layer)
    counts = rule(layer, ins, outs, lambda: (call_args, {}))
    itemsize, _ = output_itemsize(layer, rule, None)
    row = LayerCost(
        layer.name or "",
        type(layer).__name__,
        _one_or_tuple(outs),
        counts[0],
        2 * counts[0] + counts[1],
        sum(w.size for w in weights),
        sum(map(_size, outs)) * itemsize,
    )
    input_bytes = sum(map(_size, ins)) * 4
    return _report(layer.name or "", (row,), row.params, input_bytes, _weight_bytes(weights))


def _report(
    name: str, rows: tuple[LayerCost, ...], params: int, input_bytes: int, params_bytes: int
) -> ModelCost:
    top = [row for row in rows if row.depth == 0]
    memory = Memory(input_bytes, sum(row.output_bytes for row in top), params_bytes, rows)
    total_macs = sum(row.macs for row in top)
    return ModelCost(name, rows, total_macs, sum(row.flops for row in top), params, memory)


# -- Keras models: a fold over the graph ----------------------------------------------


class _Walk:
    """One pass over a model's graph, a row per call. Each run of a (nested) model keeps
    its own tensors' shapes (the stored ones, or recomputed for other input shapes) and
    dtypes; the walk remembers which layers' weights it has counted."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self.counted: set[int] = set()

    def run(
        self, model: Model, inputs: list[Known] | None, dtypes: list[object] | None, depth: int
    ) -> tuple[list[LayerCost], list[Known], list[object]]:
        """The rows of the model's calls (a nested model's row, then its own rows), its
        output shapes and dtypes."""
        tensors = model._inputs
        shapes: dict[int, Shape] = {}
        types: dict[int, object] = {
            id(t): dtype for t, dtype in zip(tensors, dtypes or (), strict=False)
        }
        for tensor in tensors:
            types.setdefault(id(tensor), tensor.dtype or "float32")
        rerun = False
        if inputs is not None:
            _check_count(model, inputs)
            for tensor, shape in zip(tensors, inputs, strict=True):
                if len(shape) != len(tensor.shape) or any(
                    want not in (None, got) for want, got in zip(tensor.shape, shape, strict=True)
                ):
                    raise _incompatible(model, tensor, shape)
                shapes[id(tensor)] = shape
                # Another batch size needs no new shapes: the walk fills the batch in.
                rerun = rerun or shape[1:] != tensor.shape[1:]
        rows: list[LayerCost] = []
        for node in model._nodes():
            if not node.is_input:
                rows.extend(self.node_rows(node, shapes, types, rerun, depth))
        outputs = [
            _known(shapes.get(id(t), t.shape), self.batch, model.name, "output")
            for t in model._outputs
        ]
        return rows, outputs, [types.get(id(t), "float32") for t in model._outputs]

    def node_rows(
        self,
        node: Node,
        shapes: dict[int, Shape],
        types: dict[int, object],
        rerun: bool,
        depth: int,
    ) -> list[LayerCost]:
        operation: Operation | Model = node.operation
        name: str = operation.name or ""
        first = id(operation) not in self.counted
        self.counted.add(id(operation))
        batch = self.batch
        ins = [_known(shapes.get(id(t), t.shape), batch, name, "input") for t in node.input_tensors]
        in_types = [types.get(id(t), "float32") for t in node.input_tensors]

        def call() -> CallArguments:
            def shape_of(value: object) -> object:
                if isinstance(value, SymbolicTensor):
                    return _known(shapes.get(id(value), value.shape), batch, name, "input")
                return value

            args = [map_structure(shape_of, arg) for arg in node.args]
            return args, {key: map_structure(shape_of, v) for key, v in node.kwargs.items()}

        if isinstance(operation, Model):
            inner, outs, out_types = self.run(operation, ins, in_types, depth + 1)
            top = [row for row in inner if row.depth == depth + 1]
            rows = [
                LayerCost(
                    name,
                    operation.class_name,
                    _one_or_tuple(outs),
                    sum(r.macs for r in top),
                    sum(r.flops for r in top),
                    operation.count_params() if first else 0,
                    sum(r.output_bytes for r in top),
                    depth,
                ),
                *inner,
            ]
        else:
            if rerun:
                args, kwargs = call()
                new = flatten(operation.output_spec(*args, **kwargs))
                shapes.update(zip(map(id, node.output_tensors), new, strict=True))
            outs = [
                _known(shapes.get(id(t), t.shape), batch, name, "output")
                for t in node.output_tensors
            ]
            rule = keras_rule(operation)
            counts = rule(operation, ins, outs, call)
            itemsize, dtype = output_itemsize(operation, rule, in_types[0])
            out_types = [dtype] * len(outs)
            params = sum(w.size for w in node.weights) if first else 0
            class_name = operation.class_name or type(operation).__name__
            rows = [
                LayerCost(
                    name,
                    class_name,
                    _one_or_tuple(outs),
                    counts[0],
                    2 * counts[0] + counts[1],
                    params,
                    sum(map(_size, outs)) * itemsize,
                    depth,
                )
            ]
        for tensor, shape, dtype in zip(node.output_tensors, outs, out_types, strict=True):
            shapes[id(tensor)] = shape
            types[id(tensor)] = dtype
        return rows


def _check_count(model: Model, shapes: Sequence[object]) -> None:
    if len(shapes) != len(model._inputs):
        raise ConvShapeError(
            f"model {model.name!r} takes {counted(len(model._inputs), 'input')}, got {len(shapes)}",
            argument="input_shape",
            received={"input_shape": shapes},
        )


def model_cost(model: Model, input_shape: object, batch: int) -> ModelCost:
    """The rows of a model's calls, on its own input shapes or on ``input_shape``."""
    if not model._inputs:  # an unbuilt Sequential: fold its layers over the given shape
        return _unbuilt_cost(model, input_shape, batch)
    inputs = None
    if input_shape is not None:
        given = _shapes_argument(input_shape)
        shapes = given if isinstance(given, list) else [given]
        _check_count(model, shapes)
        for shape, tensor in zip(shapes, model._inputs, strict=True):
            if len(shape) != len(tensor.shape):
                raise _incompatible(model, tensor, shape)
        # An unknown batch is the model's own when it has one, else ``batch_size``.
        inputs = [
            _known(shape, tensor.shape[0] or batch, model.name, "input")
            for shape, tensor in zip(shapes, model._inputs, strict=True)
        ]
        batch = inputs[0][0]
    rows, _, _ = _Walk(batch).run(model, inputs, None, 0)
    if inputs is None:
        inputs = [_known(t.shape, batch, model.name, "input") for t in model._inputs]
    input_bytes = sum(
        _size(shape) * _itemsize(t.dtype) for shape, t in zip(inputs, model._inputs, strict=True)
    )
    return _report(
        model.name, tuple(rows), model.count_params(), input_bytes, _weight_bytes(model.weights)
    )


def _unbuilt_cost(model: Model, input_shape: object, batch: int) -> ModelCost:
    checked = required_shape(
        input_shape, f"Sequential model {model.name!r} has no input shape yet: pass `input_shape`"
    )
    shape = _known(checked, batch, model.name, "input")
    input_bytes = _size(shape) * 4
    rows: list[LayerCost] = []
    params_bytes = 0
    for layer in model.layers:
        part = cost(layer, shape, batch)
        rows.extend(part.layers)
        params_bytes += part.memory.params_bytes
        shape = part.layers[0].output_shape  # type: ignore[assignment]
    params = sum(row.params for row in rows if row.depth == 0)
    return _report(model.name, tuple(rows), params, input_bytes, params_bytes)


def torch_cost(obj: TorchModule, input_shape: object, batch: int) -> ModelCost:
    """The rows of a ``convshape.torch`` module, or of each module of a Sequential."""
    name = type(obj).__name__
    checked = required_shape(
        input_shape, f"the cost of a convshape.torch {name} needs its `input_shape`"
    )
    modules: Sequence[TorchLayer] = obj.modules if isinstance(obj, TorchSequential) else (obj,)
    sequential = isinstance(obj, TorchSequential)
    shape = _known(checked, batch, name, "input")
    require_batched(modules, shape, "the cost")
    input_bytes = _size(shape) * 4
    rows = []
    for index, module in enumerate(modules):
        label = str(index) if sequential else name
        out = _known(module.compute_output_shape(shape), batch, label, "output")
        products, extra = torch_counts(module, shape, out)
        params = module.parameter_count()
        rows.append(
            LayerCost(
                label,
                type(module).__name__,
                out,
                products,
                2 * products + extra,
                params,
                _size(out) * 4,
            )
        )
        shape = out
    params = sum(row.params for row in rows)
    return _report(name, tuple(rows), params, input_bytes, params * 4)

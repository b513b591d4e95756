"""The walk of the receptive fields over a model: a Keras model's graph node by node (nested
models, unbuilt ``Sequential`` chains, other input shapes than the stored ones), a single
Keras layer, or a ``convshape.torch`` stack, each tensor's fields folded by the per-layer
rules of ``convshape._receptive_rules`` and, for a summary column, recorded per output
tensor of each call.

>>> from convshape import layers
>>> recorder = Recorder(True)
>>> state = fold_layer(layers.Conv1D(1, 3), (None, 10, 1), recorder)
>>> [(name, class_name, shape) for name, class_name, shape, _, _ in recorder.rows]
[('conv1d', 'Conv1D', (None, 8, 1))]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from ._geometry import Shape
from ._receptive_rules import generic, keras_merge, keras_step, operation_name, torch_step
from ._receptive_tensors import TensorState, keras_axes, origin_state, torch_axes
from ._validate import required_shape
from .errors import ConvShapeError
from .layers._base import Layer
from .layers.merging import Concatenate, _Elementwise
from .models.graph import Node, SymbolicTensor, flatten, map_structure
from .models.model import Model, _compatible
from .models.ops import KerasOp
from .models.sequential import Sequential
from .torch._checks import require_batched

if TYPE_CHECKING:
    from ._geometry import TorchSpec

__all__ = ["Recorder", "fold_keras", "fold_layer", "fold_torch"]

#: One recorded output tensor: the layer's name, its class name, the tensor's shape, its
#: fields and which of the call's outputs it is.
Row = tuple[str, str, Shape, TensorState, int]


class Recorder:
    """Collects one row per output tensor of each layer call (when enabled)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.rows: list[Row] = []

    def add(
        self, name: str, class_name: str, shapes: list[Shape], states: list[TensorState]
    ) -> None:
        if not self.enabled:
            return
        for index, (shape, state) in enumerate(zip(shapes, states, strict=True)):
            self.rows.append((name, class_name, shape, state, index))


def _layout(model: Model) -> str:
    """channels_first where a layer of the model (or of a model in it) says so."""
    for layer in getattr(model, "layers", ()):
        if isinstance(layer, Model):
            if _layout(layer) == "channels_first":
                return "channels_first"
        elif getattr(layer, "data_format", None) == "channels_first":
            return "channels_first"
    return "channels_last"


def _class_name(operation: Layer | KerasOp | Model) -> str:
    if isinstance(operation, (Model, KerasOp)):
        return str(operation.class_name)
    return type(operation).__name__


def _fold_model(
    model: Model, inputs: list[tuple[TensorState, Shape]], recorder: Recorder, layout: str
) -> list[tuple[TensorState, Shape]]:
    """Fold a Keras model's graph, each node's output tensors getting their fields."""
    states: dict[int, TensorState] = {}
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
            results = _fold_model(operation, pairs, Recorder(False), layout)
            out_states = [state for state, _ in results]
        elif isinstance(operation, (_Elementwise, Concatenate, KerasOp)):
            out_states = [keras_merge(operation, in_states, in_shapes, out_shapes[0], layout)]
        elif len(in_states) == 1 and len(out_shapes) == 1:
            step = keras_step(operation, in_states[0], in_shapes[0], out_shapes[0], layout)
            out_states = [step]
        else:  # several inputs or outputs without a rule (attention...)
            out_states = [
                generic(operation_name(operation), in_states[0], keras_axes(shape, layout), shape)
                for shape in out_shapes
            ]
        for tensor, state, shape in zip(outputs, out_states, out_shapes, strict=True):
            states[id(tensor)] = state
            shapes[id(tensor)] = shape
        recorder.add(operation_name(operation), _class_name(operation), out_shapes, out_states)
    return [(states[id(tensor)], shapes[id(tensor)]) for tensor in model._outputs]


def _node_shapes(node: Node, shapes: dict[int, Shape]) -> list[Shape]:
    """The node's output shapes on its input tensors' (new) shapes."""

    def swap(value: object) -> object:
        return shapes[id(value)] if isinstance(value, SymbolicTensor) else value

    args = [map_structure(swap, arg) for arg in node.args]
    kwargs = {key: map_structure(swap, value) for key, value in node.kwargs.items()}
    return list(flatten(node.operation.output_spec(*args, **kwargs)))


def _fold_chain(
    layers: Sequence[Layer | Model],
    state: TensorState,
    shape: Shape,
    recorder: Recorder,
    layout: str,
) -> tuple[TensorState, Shape]:
    """An unbuilt Sequential's layers, one after the other on ``shape``."""
    for layer in layers:
        if isinstance(layer, Model):
            state, out = fold_keras(layer, shape, Recorder(False), state, layout)
        else:
            out = layer.compute_output_shape(shape)
            state = keras_step(layer, state, shape, out, layout)
        recorder.add(operation_name(layer), _class_name(layer), [out], [state])
        shape = out
    return state, shape


def fold_keras(
    model: Model,
    shape: object,
    recorder: Recorder,
    state: TensorState | None = None,
    layout: str | None = None,
) -> tuple[TensorState, Shape]:
    """A Keras model on its own input shape(s) or on ``shape`` (its first input taking
    ``state`` when given): its first output's state and shape."""
    layout = layout or _layout(model)
    if isinstance(model, Sequential) and not model.built:
        checked = required_shape(
            shape, f"Sequential model {model.name!r} has no input shape yet: pass `input_shape`"
        )
        if state is None:
            state = origin_state("input", checked, keras_axes(checked, layout))
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
        inputs.append((origin_state(name, checked, keras_axes(checked, layout)), checked))
    return _fold_model(model, inputs, recorder, layout)[0]


def fold_layer(layer: Layer, shape: Shape, recorder: Recorder) -> TensorState:
    """A single Keras layer on ``shape``, in its own data format."""
    layout = str(getattr(layer, "data_format", None) or "channels_last")
    state = origin_state("input", shape, keras_axes(shape, layout))
    return _fold_chain([layer], state, shape, recorder, layout)[0]


def fold_torch(modules: Sequence[TorchSpec], shape: Shape, recorder: Recorder) -> TensorState:
    """A ``convshape.torch`` stack on an (N, C, ...) ``shape``, module by module."""
    require_batched(modules, shape, "the receptive field")
    state = origin_state("input", shape, torch_axes(shape))
    for index, module in enumerate(modules):
        out = tuple(module.compute_output_shape(shape))
        state = torch_step(module, str(index), state, shape, out)
        recorder.add(str(index), type(module).__name__, [out], [state])
        shape = out
    return state

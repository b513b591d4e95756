"""Multiply-accumulates, floating-point operations and memory of layers and models,
counted from shapes alone: a fold over the same graph as shapes and summaries.

``macs``, ``flops``, ``memory`` and ``cost`` take a Keras-style layer or model
(``convshape.layers``, ``Sequential``, ``Model``) or a PyTorch module specification
(``convshape.torch``). A layer or module needs ``input_shape`` (batch included); a
model runs on its own input shape, or on ``input_shape`` when given. ``batch_size``
fills an unknown (None) batch dimension; every other dimension must be known.

The conventions: ``N`` is the batch, *positions* the spatial positions times ``N``,
``K = prod(kernel_size)``, *elements* every scalar of the output (batch included), ``g``
the groups. MACs count the multiply-accumulates of the layer's products only;
``FLOPs = 2 x MACs`` plus the arithmetic of the last column.

=================================  ===================================  ========================
Layer                              MACs                                 FLOPs beyond 2 x MACs
=================================  ===================================  ========================
Conv1D/2D/3D, ``Conv*d``           out positions x K x C_in/g x C_out   bias (a), activation (b)
Conv*DTranspose,                   **in** positions x K x C_in/g x      bias, activation
``ConvTranspose*d``                C_out: the full output, before the
                                   crop (c)
DepthwiseConv1D/2D                 out positions x K x C x multiplier   bias, activation
SeparableConv1D/2D                 depthwise + out positions x C x      bias, activation
                                   multiplier x filters
Dense, ``Linear``                  prod(input[:-1]) x in x units        bias, activation
Embedding                          0                                    0
Max/AveragePooling, ``*Pool*d``,   0                                    K x elements (d)
``LPPool*d``
Adaptive pooling (Keras, PyTorch)  0                                    its windows' sizes (d)
GlobalMax/AveragePooling           0                                    input elements
BatchNormalization, ``BatchNorm``  0                                    2 per element (e)
Layer/GroupNormalization,          0                                    6 per element, +1 for
``LayerNorm``, ``GroupNorm``,                                           scale, +1 for offset (f)
``InstanceNorm``
ReLU, ELU, ``Tanh``... Softmax     0                                    1 per element; softmax 5
SimpleRNN, GRU, LSTM               N x steps x (features + units) x     per step and unit (g)
                                   units x blocks (1, 3, 4)
Bidirectional                      forward + backward                   sum, mul 1; ave 2 (h)
TimeDistributed                    inner x steps                        inner x steps
MultiHeadAttention                 projections + QK^T + AV (i)          (i)
Attention, AdditiveAttention       QK^T (dot scores) + AV               (j)
Add, Subtract, Multiply, Maximum,  0                                    (inputs - 1) x elements
Minimum; Average                                                        Average: inputs x elem.
Dot                                elements x summed length             normalize: 3 per input
                                                                        element
Rescaling, Normalization           0                                    2 per element
Keras ops (``x + y``...)           0                                    (arguments - 1, at
                                                                        least 1) x elements
Nested model                       its layers' sum                      its layers' sum
Lazy convolutions (``LazyConv*d``)  as the convolution its input         as that convolution
                                   materializes
Anything else (reshaping,          0                                    0
padding, cropping, resampling,
unpooling, pixel shuffle, fold,
dropout, noise)
=================================  ===================================  ========================

(a) 1 per output element with ``use_bias``/``bias``. (b) ``activation=``: 1 per output
element, softmax 5 (max, subtract, exp, sum, divide, as TensorFlow's profiler counts
it), linear 0. (c) Dilation changes no count: the kernel has as many taps. (d) The
window counts its padding; adaptive pooling sums its exact windows (Keras and PyTorch
both pool ``floor(i I / O) .. ceil((i + 1) I / O)``). (e) Inference: the moving
statistics fold into one scale and one offset. (f) Mean,
squared deviation (2), variance, subtract and divide. (g) ``blocks`` additions of the
two products, the biases (GRU ``reset_after``: twice) and the cell: SimpleRNN 1 (its
activation), GRU 8 (two gates, ``r * hU``, tanh, ``z * h + (1 - z) * h~``), LSTM 9
(three gates, two tanh, ``c = f * c + i * g``, ``o * tanh(c)``). (h) The merge of the two
directions, per element; concat and None cost nothing. (i) The query, key, value (and
gate) projections, ``scores x key_dim`` for QK^T, ``scores x value_dim`` for AV and the
output projection; FLOPs add the biases, the query's scaling (1 per projected query
element), softmax (5 per score) and the gate (sigmoid and product, 2 per element). (j)
Softmax 5 per score, ``use_scale`` 1 per score; additive scores (``score_mode="concat"``,
AdditiveAttention) have no QK^T product but add, tanh and sum (3, +1 for the scale) per
score and feature.

PyTorch's ``FlopCounterMode`` counts ``2 x MACs`` for convolutions, matrix products
and attention, and nothing else (no bias, normalisation, pooling or activation);
TensorFlow's profiler also counts bias additions, pooling and softmax as above.

Memory follows torchinfo: ``input_bytes`` (the model's inputs), ``forward_bytes`` (every
layer's output tensors, each in its layer's compute dtype: float32 unless ``dtype``
says otherwise, integers kept by layers without arithmetic), ``params_bytes`` (each
weight in its own dtype; PyTorch parameters as float32, buffers excluded) and their
sum. Unlike torchinfo, forward bytes count every layer once (torchinfo doubles those
of layers with parameters, for gradients, and skips the others).

>>> from convshape import Sequential, clear_session, layers
>>> from convshape.costs import cost
>>> clear_session()
>>> model = Sequential([layers.Dense(7 * 7 * 256, use_bias=False, input_shape=(100,)),
...                     layers.Reshape((7, 7, 256)),
...                     layers.Conv2DTranspose(128, 5, strides=2, padding="same")])
>>> report = cost(model)
>>> report.macs, report.flops  # Dense 100 x 12544; 49 input positions x 25 x 256 x 128
(41395200, 82815488)
>>> print(report)
Total params: 2,073,728
Total mult-adds (M): 41.40
Total FLOPs (M): 82.82
=========================================
Input size (MB): 0.00
Forward pass size (MB): 0.20
Params size (MB): 8.29
Estimated Total Size (MB): 8.50
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from ._geometry import KnownShape, Shape, Windowed, torch_geometry
from ._render import counted
from ._validate import check_count, check_shape
from .errors import ConvShapeError, _short_repr
from .layers import activation as _act
from .layers import adaptive_pooling as _adaptive
from .layers import applications as _app
from .layers import attention as _att
from .layers import convolutional as _cv
from .layers import core as _core
from .layers import merging as _merge
from .layers import normalization as _norm
from .layers import pooling as _pool
from .layers import preprocessing as _pre
from .layers import rnn as _rnn
from .layers import wrappers as _wrap
from .layers._base import _DTYPE_BYTES, Layer, Weight, channel_axis
from .models.graph import Node, SymbolicTensor, flatten, map_structure
from .models.model import Model
from .models.ops import KerasOp
from .torch import lazy as _tlazy
from .torch import modules as _tm
from .torch import nn as _tn
from .torch import pooling as _tpool
from .torch._checks import require_batched

__all__ = ["LayerCost", "Memory", "ModelCost", "cost", "flops", "macs", "memory"]

Known = KnownShape
#: A layer's cost: (MACs, FLOPs beyond 2 x MACs).
Counts = tuple[int, int]
#: What a Keras rule counts: a layer, or a Keras op (``x + y``) of a model's graph.
Operation = Layer | KerasOp
#: A call's positional and keyword arguments, each tensor replaced by its known shape.
CallArguments = tuple[Sequence[object], dict[str, object]]
#: A rule: (layer, input shapes, output shapes, call) -> counts; ``call`` gives the
#: call's arguments as shapes, for layers whose inputs are not one tensor.
Call = Callable[[], CallArguments]
Rule = Callable[[Operation, list[Known], list[Known], Call], Counts]
_Op = TypeVar("_Op", bound=Operation)
#: The ``convshape.torch`` specifications ``cost`` counts.
TorchModule = _tn.Module | _tm._Conv | _tm._ConvTranspose | _tn.Sequential
#: One module of a ``convshape.torch`` stack.
TorchLayer = _tn.Module | _tm._Conv | _tm._ConvTranspose

_MB = 1e6


@dataclass(frozen=True, slots=True)
class LayerCost:
    """One layer call (or PyTorch module) of a cost report.

    ``output_shape`` is the output's shape, batch filled in (a tuple of shapes for
    several outputs); ``flops = 2 * macs + extra arithmetic``; ``params`` counts the
    layer's weights on its first call only (a shared layer's later calls show 0);
    ``depth`` is the nesting level of a nested model's layers, whose model row holds
    their sums.

    >>> from convshape import layers
    >>> row = cost(layers.Dense(4, activation="relu"), (None, 3)).layers[0]
    >>> row.output_shape, row.macs, row.flops, row.params, row.output_bytes
    ((1, 4), 12, 32, 16, 16)
    """

    name: str
    class_name: str
    output_shape: Known | tuple[Known, ...]
    macs: int
    flops: int
    params: int
    output_bytes: int
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Memory:
    """torchinfo's memory estimate, in bytes.

    ``total_bytes = input_bytes + forward_bytes + params_bytes``; ``forward_bytes`` is the
    sum of the top-level rows' ``output_bytes``.

    >>> from convshape import layers
    >>> m = memory(layers.Conv2D(8, 3), (None, 28, 28, 1), batch_size=2)
    >>> m.input_bytes, m.forward_bytes, m.params_bytes, m.total_bytes
    (6272, 43264, 320, 49856)
    """

    input_bytes: int
    forward_bytes: int
    params_bytes: int
    layers: tuple[LayerCost, ...] = field(repr=False)
    total_bytes: int = field(init=False)

    def __post_init__(self) -> None:
        total = self.input_bytes + self.forward_bytes + self.params_bytes
        object.__setattr__(self, "total_bytes", total)


@dataclass(frozen=True, slots=True)
class ModelCost:
    """The per-layer rows and the totals of a layer, model or module.

    ``macs`` and ``flops`` are the sums of the top-level rows; ``params`` counts shared
    weights once.
    """

    name: str
    layers: tuple[LayerCost, ...]
    macs: int
    flops: int
    params: int
    memory: Memory

    def __str__(self) -> str:
        """torchinfo's totals: mult-adds and FLOPs in millions, sizes in MB (10^6 bytes)."""
        memory = self.memory
        return "\n".join(
            [
                f"Total params: {self.params:,}",
                f"Total mult-adds (M): {self.macs / _MB:.2f}",
                f"Total FLOPs (M): {self.flops / _MB:.2f}",
                "=" * 41,
                f"Input size (MB): {memory.input_bytes / _MB:.2f}",
                f"Forward pass size (MB): {memory.forward_bytes / _MB:.2f}",
                f"Params size (MB): {memory.params_bytes / _MB:.2f}",
                f"Estimated Total Size (MB): {memory.total_bytes / _MB:.2f}",
            ]
        )


# -- the public functions --------------------------------------------------------


def macs(obj: object, input_shape: object = None, batch_size: int = 1) -> int:
    """Multiply-accumulates of one forward pass: the layers' products only (see the table).

    Convolution: ``out positions x K x C_in/groups x C_out``; transposed convolution:
    ``in positions x K x C_in/groups x C_out``; Dense: ``prod(input[:-1]) x in x units``.

    >>> from convshape import layers, torch as pt
    >>> macs(layers.Conv2DTranspose(128, 5, strides=2, padding="same"), (None, 7, 7, 256))
    40140800
    >>> macs(pt.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1),
    ...      (None, 256, 7, 7))
    40140800
    """
    return cost(obj, input_shape, batch_size).macs


def flops(obj: object, input_shape: object = None, batch_size: int = 1) -> int:
    """Floating-point operations: ``2 x MACs`` plus bias additions and the elementwise
    arithmetic of activations, normalisations, poolings and merges (see the table).

    >>> from convshape import layers
    >>> flops(layers.Dense(10, activation="relu"), (None, 784))  # 2*7840 + 10 + 10
    15700
    >>> flops(layers.MaxPooling2D(), (None, 28, 28, 8), batch_size=2)  # 4 x 2*14*14*8
    12544
    """
    return cost(obj, input_shape, batch_size).flops


def memory(obj: object, input_shape: object = None, batch_size: int = 1) -> Memory:
    """Input, activation (every layer's outputs) and parameter bytes, as torchinfo sums them.

    >>> from convshape import torch as pt
    >>> m = memory(pt.Sequential(pt.Linear(100, 10), pt.ReLU()), (None, 100), batch_size=8)
    >>> m.input_bytes, m.forward_bytes, m.params_bytes, m.total_bytes
    (3200, 640, 4040, 7880)
    """
    return cost(obj, input_shape, batch_size).memory


def cost(obj: object, input_shape: object = None, batch_size: int = 1) -> ModelCost:
    """Every row and total at once: MACs, FLOPs, parameters and memory.

    >>> from convshape import Input, Model, layers
    >>> x = Input((32, 32, 3))
    >>> y = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    >>> report = cost(Model(x, layers.Add()([y, y])))
    >>> [(row.class_name, row.macs, row.flops) for row in report.layers]
    [('Conv2D', 442368, 917504), ('Add', 0, 16384)]
    """
    batch = check_count(batch_size, "batch_size")
    if isinstance(obj, Model):
        return _model_cost(obj, input_shape, batch)
    if isinstance(obj, Layer):
        return _layer_cost(obj, input_shape, batch)
    if isinstance(obj, (_tn.Module, _tm._Conv, _tm._ConvTranspose, _tn.Sequential)):
        return _torch_cost(obj, input_shape, batch)
    raise TypeError(
        "cost() takes a convshape layer, Sequential or Model, or a convshape.torch module, "
        f"not {type(obj).__name__}. Received: obj={_short_repr(obj)}"
    )


# -- shapes and dtypes -------------------------------------------------------------


def _known(shape: Shape, batch: int, layer: str, what: str) -> Known:
    """The shape with an unknown batch filled in; any other unknown size is an error."""
    if shape and shape[0] is None:
        shape = (batch, *shape[1:])
    if None in shape:
        dim = shape.index(None)
        raise ConvShapeError(
            f"cannot count the cost of {layer!r}: dimension {dim} of its {what} shape is "
            "unknown; pass an `input_shape` with known sizes",
            argument="input_shape",
            received={"layer": layer, what: shape},
        )
    return shape  # type: ignore[return-value]


def _size(shape: Known) -> int:
    return math.prod(shape)


def _itemsize(dtype: object) -> int:
    """Bytes per scalar of a layer's compute dtype (a mixed policy computes in 16 bits)."""
    if dtype is None:
        return 4
    name: str = dtype if isinstance(dtype, str) else getattr(dtype, "name", str(dtype))
    name = name.lower().removeprefix("mixed_")
    if name == "bool":
        return 1
    if name not in _DTYPE_BYTES:
        raise ConvShapeError(
            f"unknown dtype {name!r}; cost knows {', '.join(sorted(_DTYPE_BYTES))} and bool",
            argument="dtype",
            received={"dtype": dtype},
        )
    return _DTYPE_BYTES[name]


def _is_float(dtype: object) -> bool:
    name: str = dtype if isinstance(dtype, str) else getattr(dtype, "name", "float32")
    return dtype is None or "float" in name


def _weight_bytes(weights: Sequence[Weight]) -> int:
    return sum(w.size * (w.itemsize or 4) for w in weights)


def _shapes_argument(value: object) -> Shape | list[Shape]:
    """One shape (a tuple) or a list of shapes, validated."""
    if isinstance(value, (tuple, list)) and all(
        dim is None or isinstance(dim, int) for dim in value
    ):
        return check_shape(value)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"`input_shape` must be a shape or a list of shapes, not {value!r}")
    return [check_shape(shape) for shape in value]


# -- Keras rules -------------------------------------------------------------------


def _activation(activation: object) -> int:
    """FLOPs per element of an activation: 0 for none, 5 for softmax, else 1."""
    name: str = activation if isinstance(activation, str) else getattr(activation, "__name__", "")
    if activation is None or name == "linear":
        return 0
    return 5 if name in ("softmax", "log_softmax") else 1


#: The layers with a bias and an activation on top of their product.
_Affine = (
    _cv._Conv
    | _cv._ConvTranspose12
    | _cv.Conv3DTranspose
    | _cv._DepthwiseConv
    | _cv._SeparableConv
    | _core.Dense
)


def _dense_like(layer: _Affine, y: Known, macs: int) -> Counts:
    """Bias and activation on top of a product: both per output element."""
    return macs, _size(y) * (bool(layer.use_bias) + _activation(layer.activation))


def _taps(layer: Windowed) -> int:
    """``K``: the window's positions, the product of its kernel (or pool) sizes."""
    return math.prod(axis.kernel for axis in layer.geometry)


def _conv(layer: _cv._Conv, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    x, y = ins[0], outs[0]
    in_channels = x[channel_axis(layer.data_format)]
    return _dense_like(layer, y, _size(y) * _taps(layer) * in_channels // layer.groups)


def _conv_transpose(
    layer: _cv._ConvTranspose12 | _cv.Conv3DTranspose,
    ins: list[Known],
    outs: list[Known],
    call: Call,
) -> Counts:
    # Each input element meets every kernel position: the full output, before the crop.
    macs = _size(ins[0]) * _taps(layer) * layer.filters
    return _dense_like(layer, outs[0], macs)


def _depthwise(
    layer: _cv._DepthwiseConv, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    return _dense_like(layer, outs[0], _size(outs[0]) * _taps(layer))


def _separable(
    layer: _cv._SeparableConv, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    x, y = ins[0], outs[0]
    axis = channel_axis(layer.data_format)
    middle = x[axis] * layer.depth_multiplier
    positions = _size(y) // y[axis]
    macs = positions * middle * (_taps(layer) + layer.filters)
    return _dense_like(layer, y, macs)


def _dense(layer: _core.Dense, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    return _dense_like(layer, outs[0], _size(outs[0]) * ins[0][-1])


def _per_element(flops_per_element: int) -> Rule:
    def rule(layer: Operation, ins: list[Known], outs: list[Known], call: Call) -> Counts:
        return 0, flops_per_element * _size(outs[0])

    return rule


def _pooling(layer: _pool._Pooling, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    return 0, _size(outs[0]) * _taps(layer)


def _adaptive_pooling(
    layer: _adaptive._AdaptivePooling, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    x, y = ins[0], outs[0]
    first = 1 if layer.data_format == "channels_last" else 2
    spatial = slice(first, first + layer.rank)
    windows = math.prod(map(_adaptive_windows, x[spatial], y[spatial]))
    return 0, _size(y) // math.prod(y[spatial]) * windows


def _global_pooling(
    layer: _pool._GlobalPooling, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    return 0, _size(ins[0])


def _normalising(scale: bool, center: bool, y: Known) -> Counts:
    return 0, (6 + scale + center) * _size(y)


def _layer_norm(
    layer: _norm.LayerNormalization, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    rms = bool(layer.rms_scaling)
    return _normalising(bool(layer.scale) or rms, bool(layer.center) and not rms, outs[0])


def _group_norm(
    layer: _norm.GroupNormalization, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    return _normalising(bool(layer.scale), bool(layer.center), outs[0])


def _activation_layer(
    layer: _act.Activation, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    return 0, _activation(layer.activation) * _size(outs[0])


def _list_inputs(call: Call) -> list[Known]:
    """The shapes of a list-input layer's first argument (``inputs``), which the layer
    checked to be a list of shapes when it was called."""
    args, kwargs = call()
    inputs = args[0] if args else kwargs["inputs"]
    return list(cast("Sequence[Known]", inputs))


def _elementwise(
    layer: _merge._Elementwise, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    count = len(_list_inputs(call))
    per_element = count if isinstance(layer, _merge.Average) else count - 1
    return 0, per_element * _size(outs[0])


def _dot(layer: _merge.Dot, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    x, y = _list_inputs(call)[:2]
    axis = layer.axes[0] if isinstance(layer.axes, tuple) else layer.axes
    macs = _size(outs[0]) * x[axis % len(x)]
    return macs, 3 * (_size(x) + _size(y)) if layer.normalize else 0


def _recurrent(layer: _rnn._Recurrent, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    batch, steps, features = ins[0]
    units, blocks = layer.units, layer._blocks
    biases = 0
    if layer.use_bias:
        biases = blocks * (2 if isinstance(layer, _rnn.GRU) and layer.reset_after else 1)
    cell = next(flops for cls, flops in _CELL_FLOPS.items() if isinstance(layer, cls))
    unit_steps = batch * steps * units
    return unit_steps * (features + units) * blocks, unit_steps * (blocks + biases + cell)


#: Elementwise FLOPs of one cell per unit and step: SimpleRNN its activation; GRU the
#: two gates, r * (h U), tanh, z * h + (1 - z) * candidate; LSTM three gates, the
#: candidate's tanh, c = f * c + i * g and h = o * tanh(c).
_CELL_FLOPS: dict[type[_rnn._Recurrent], int] = {_rnn.SimpleRNN: 1, _rnn.GRU: 8, _rnn.LSTM: 9}


def _bidirectional(
    layer: _wrap.Bidirectional, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    forward = _recurrent(layer.forward_layer, ins, outs, call)
    backward = _recurrent(layer.backward_layer, ins, outs, call)
    merge = {"sum": 1, "mul": 1, "ave": 2}.get(layer.merge_mode, 0) * _size(outs[0])
    return forward[0] + backward[0], forward[1] + backward[1] + merge


def _time_distributed(
    layer: _wrap.TimeDistributed, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    x, y = ins[0], outs[0]
    inner: Layer = layer.layer
    inner_in, inner_out = (x[0], *x[2:]), (y[0], *y[2:])
    counts = _keras_rule(inner)(inner, [inner_in], [inner_out], lambda: ([inner_in], {}))
    return counts[0] * x[1], counts[1] * x[1]


def _multi_head(
    layer: _att.MultiHeadAttention, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    args, kwargs = call()
    named = dict(zip(("query", "value", "key"), args, strict=False)) | kwargs
    # The shapes of known inputs: every size known.
    query, value, key, output, scores = cast(
        "tuple[Known, Known, Known, Known, Known]",
        layer._shapes(named["query"], named.get("value"), named.get("key")),
    )
    heads, key_dim, value_dim = layer.num_heads, layer.key_dim, layer.value_dim
    q_rows, k_rows, v_rows = _size(query[:-1]), _size(key[:-1]), _size(value[:-1])
    q_proj, k_proj = q_rows * heads * key_dim, k_rows * heads * key_dim
    v_proj = v_rows * heads * value_dim
    gate = q_rows * heads * value_dim if layer.use_gate else 0
    out = _size(output)
    n_scores = _size(scores)
    products = (
        q_proj * query[-1]
        + k_proj * key[-1]
        + v_proj * value[-1]
        + gate * query[-1]
        + n_scores * (key_dim + value_dim)
        + q_rows * heads * value_dim * (out // q_rows)
    )
    biases = q_proj + k_proj + v_proj + gate + out if layer.use_bias else 0
    return products, biases + q_proj + 5 * n_scores + 2 * gate


def _attention(layer: _att._ListInput, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    shapes = _list_inputs(call)
    query, value, key = cast("tuple[Known, Known, Known]", layer._inputs(shapes))
    n_scores = _size(cast("Known", layer._shapes(shapes)[1]))
    extra = 5 * n_scores
    if layer._additive():
        features = max(query[-1], key[-1])
        extra += n_scores * features * (3 + bool(layer.use_scale))
        return n_scores * value[-1], extra
    return n_scores * (query[-1] + value[-1]), extra + bool(layer.use_scale) * n_scores


def _keras_op(op: KerasOp, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    args, _ = call()
    return 0, max(len(flatten(args)) - 1, 1) * _size(outs[0])


def _nothing(layer: Operation, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    return 0, 0


def _rule(
    cls: type[_Op], rule: Callable[[_Op, list[Known], list[Known], Call], Counts]
) -> tuple[type, Rule]:
    """A row of the rule table: the rule meets only instances of ``cls`` (the table is
    read along the operation's MRO), so it may take that class."""
    return cls, cast("Rule", rule)


_KERAS_RULES: dict[type, Rule] = dict(
    [
        _rule(_cv._Conv, _conv),
        _rule(_cv._ConvTranspose12, _conv_transpose),
        _rule(_cv.Conv3DTranspose, _conv_transpose),
        _rule(_cv._DepthwiseConv, _depthwise),
        _rule(_cv._SeparableConv, _separable),
        _rule(_core.Dense, _dense),
        _rule(_pool._Pooling, _pooling),
        _rule(_pool._GlobalPooling, _global_pooling),
        _rule(_adaptive._AdaptivePooling, _adaptive_pooling),
        (_norm.BatchNormalization, _per_element(2)),
        _rule(_norm.LayerNormalization, _layer_norm),
        _rule(_norm.GroupNormalization, _group_norm),
        (_pre.Rescaling, _per_element(2)),
        (_pre.Normalization, _per_element(2)),
        _rule(_act.Activation, _activation_layer),
        (_act.ReLU, _per_element(1)),
        (_act.LeakyReLU, _per_element(1)),
        (_act.PReLU, _per_element(1)),
        (_act.ELU, _per_element(1)),
        (_act.Softmax, _per_element(5)),
        (_app.LayerScale, _per_element(1)),
        (_app.CustomScaleLayer, _per_element(2)),
        _rule(_merge._Elementwise, _elementwise),
        _rule(_merge.Dot, _dot),
        _rule(_rnn._Recurrent, _recurrent),
        _rule(_wrap.Bidirectional, _bidirectional),
        _rule(_wrap.TimeDistributed, _time_distributed),
        _rule(_att.MultiHeadAttention, _multi_head),
        _rule(_att._ListInput, _attention),
        _rule(KerasOp, _keras_op),
    ]
)
_RULE_CACHE: dict[type, Rule] = {}


def _keras_rule(operation: Operation) -> Rule:
    """The rule of the operation's class or of its nearest base with one; else no cost."""
    cls = type(operation)
    rule = _RULE_CACHE.get(cls)
    if rule is None:
        rule = next((_KERAS_RULES[base] for base in cls.__mro__ if base in _KERAS_RULES), None)
        rule = _RULE_CACHE[cls] = rule or _nothing
    return rule


def _output_itemsize(operation: Operation, rule: Rule, input_dtype: object) -> tuple[int, object]:
    """Bytes per output scalar and the output dtype: the layer's compute dtype, but a
    layer without arithmetic passes an integer tensor through (Keras casts only floats)."""
    if rule is _nothing and not _is_float(input_dtype):
        return _itemsize(input_dtype), input_dtype
    dtype: object = getattr(operation, "dtype", None)
    return _itemsize(dtype), dtype or "float32"


def _one_or_tuple(shapes: list[Known]) -> Known | tuple[Known, ...]:
    return shapes[0] if len(shapes) == 1 else tuple(shapes)


def _layer_cost(layer: Layer, input_shape: object, batch: int) -> ModelCost:
    if input_shape is None:
        raise ConvShapeError(
            f"the cost of a single layer ({layer.name!r}) needs its `input_shape`",
            argument="input_shape",
            received={"input_shape": None},
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
    rule = _keras_rule(layer)
    counts = rule(layer, ins, outs, lambda: (call_args, {}))
    itemsize, _ = _output_itemsize(layer, rule, None)
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
                    raise ConvShapeError(
                        f"input of model {model.name!r} is incompatible: expected shape="
                        f"{_short_repr(tensor.shape)}, found shape={_short_repr(shape)}",
                        argument="input_shape",
                        received={"input_shape": shape},
                    )
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
            rule = _keras_rule(operation)
            counts = rule(operation, ins, outs, call)
            itemsize, dtype = _output_itemsize(operation, rule, in_types[0])
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


def _model_cost(model: Model, input_shape: object, batch: int) -> ModelCost:
    if not model._inputs:  # an unbuilt Sequential: fold its layers over the given shape
        return _unbuilt_cost(model, input_shape, batch)
    inputs = None
    if input_shape is not None:
        given = _shapes_argument(input_shape)
        shapes = given if isinstance(given, list) else [given]
        _check_count(model, shapes)
        for shape, tensor in zip(shapes, model._inputs, strict=True):
            if len(shape) != len(tensor.shape):
                raise ConvShapeError(
                    f"input of model {model.name!r} is incompatible: expected shape="
                    f"{_short_repr(tensor.shape)}, found shape={_short_repr(shape)}",
                    argument="input_shape",
                    received={"input_shape": shape},
                )
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
    if input_shape is None:
        raise ConvShapeError(
            f"Sequential model {model.name!r} has no input shape yet: pass `input_shape`",
            argument="input_shape",
            received={"input_shape": None},
        )
    shape = _known(check_shape(input_shape), batch, model.name, "input")
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


# -- PyTorch module specifications ------------------------------------------------------


#: A PyTorch rule: (module, input shape, output shape) -> counts.
TorchRule = Callable[[TorchLayer, Known, Known], Counts]
_Module = TypeVar("_Module")


def _torch_conv(module: _tm._ConvNd, x: Known, y: Known) -> Counts:
    k = math.prod(axis.kernel for axis in torch_geometry(module))
    if isinstance(module, _tm._ConvTranspose):
        products = _size(x) * k * module.out_channels // module.groups
    else:
        products = _size(y) * k * module.in_channels // module.groups
    return products, _size(y) if module.bias else 0


def _adaptive_windows(length: int, out: int) -> int:
    """The sum of PyTorch's adaptive window lengths along one axis."""
    return sum(-(-(i + 1) * length // out) - i * length // out for i in range(out))


def _torch_linear(module: _tn.Linear, x: Known, y: Known) -> Counts:
    return _size(y) * module.in_features, _size(y) if module.bias else 0


def _torch_pool(module: _tn._Pool | _tn._AvgPool | _tpool._LPPool, x: Known, y: Known) -> Counts:
    return 0, _size(y) * math.prod(axis.kernel for axis in torch_geometry(module))


def _torch_adaptive(module: _tn._AdaptivePool | _tn._AdaptiveAvgPool, x: Known, y: Known) -> Counts:
    rank = module.rank
    return 0, _size(y[:-rank]) * math.prod(map(_adaptive_windows, x[-rank:], y[-rank:]))


def _torch_lazy(module: _tlazy._Lazy, x: Known, y: Known) -> Counts:
    conv: _tm._ConvNd = module.materialized  # compute_output_shape materialized it
    return _torch_conv(conv, x, y)


def _torch_normalising(
    module: _tn._InstanceNorm | _tn.GroupNorm | _tn.LayerNorm, x: Known, y: Known
) -> Counts:
    if isinstance(module, _tn.LayerNorm):
        affine = bool(module.elementwise_affine) * (1 + bool(module.bias))
    else:
        affine = 2 * bool(module.affine)
    return 0, (6 + affine) * _size(y)


def _torch_per_element(flops_per_element: int) -> TorchRule:
    def rule(module: TorchLayer, x: Known, y: Known) -> Counts:
        return 0, flops_per_element * _size(y)

    return rule


def _torch_rule(
    cls: type[_Module], rule: Callable[[_Module, Known, Known], Counts]
) -> tuple[type, TorchRule]:
    """A row of the PyTorch rule table (read along the module's MRO, as the Keras one)."""
    return cls, cast("TorchRule", rule)


_TORCH_RULES: dict[type, TorchRule] = dict(
    [
        _torch_rule(_tm._ConvNd, _torch_conv),
        _torch_rule(_tn.Linear, _torch_linear),
        _torch_rule(_tn._Pool, _torch_pool),
        _torch_rule(_tn._AvgPool, _torch_pool),
        _torch_rule(_tpool._LPPool, _torch_pool),
        _torch_rule(_tlazy._Lazy, _torch_lazy),
        _torch_rule(_tn._AdaptivePool, _torch_adaptive),
        _torch_rule(_tn._AdaptiveAvgPool, _torch_adaptive),
        (_tn._Norm, _torch_per_element(2)),
        _torch_rule(_tn._InstanceNorm, _torch_normalising),
        _torch_rule(_tn.GroupNorm, _torch_normalising),
        _torch_rule(_tn.LayerNorm, _torch_normalising),
        (_tn.Softmax, _torch_per_element(5)),
        *dict.fromkeys(
            (
                _tn.ReLU,
                _tn.LeakyReLU,
                _tn.ELU,
                _tn.GELU,
                _tn.SiLU,
                _tn.Tanh,
                _tn.Sigmoid,
                _tn.PReLU,
            ),
            _torch_per_element(1),
        ).items(),
    ]
)


def _torch_counts(module: TorchLayer, x: Known, y: Known) -> Counts:
    """(MACs, FLOPs beyond 2 x MACs) of one module on known shapes (see the table)."""
    for base in type(module).__mro__:
        rule = _TORCH_RULES.get(base)
        if rule is not None:
            return rule(module, x, y)
    return 0, 0


def _torch_cost(obj: TorchModule, input_shape: object, batch: int) -> ModelCost:
    name = type(obj).__name__
    if input_shape is None:
        raise ConvShapeError(
            f"the cost of a convshape.torch {name} needs its `input_shape`",
            argument="input_shape",
            received={"input_shape": None},
        )
    modules: Sequence[TorchLayer] = obj.modules if isinstance(obj, _tn.Sequential) else (obj,)
    sequential = isinstance(obj, _tn.Sequential)
    shape = _known(check_shape(input_shape), batch, name, "input")
    require_batched(modules, shape, "the cost")
    input_bytes = _size(shape) * 4
    rows = []
    for index, module in enumerate(modules):
        label = str(index) if sequential else name
        out = _known(module.compute_output_shape(shape), batch, label, "output")
        products, extra = _torch_counts(module, shape, out)
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

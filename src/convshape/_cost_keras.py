"""The cost rules of Keras layers and ops: per class, (MACs, FLOPs beyond 2 x MACs) from
the call's known input and output shapes (the table in :mod:`convshape.costs`), and the
bytes of each output scalar.

>>> from convshape import layers
>>> rule = keras_rule(layers.Conv2D(4, 3))
>>> rule(layers.Conv2D(4, 3), [(1, 5, 5, 2)], [(1, 3, 3, 4)], lambda: ([(1, 5, 5, 2)], {}))
(648, 36)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from ._cost_base import (
    Counts,
    Known,
    _adaptive_windows,
    _is_float,
    _itemsize,
    _normalising,
    _size,
    _taps,
    conv_macs,
    nearest_rule,
)
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
from .layers._base import Layer, channel_axis
from .models.graph import flatten
from .models.ops import KerasOp

#: What a Keras rule counts: a layer, or a Keras op (``x + y``) of a model's graph.
Operation = Layer | KerasOp
#: A call's positional and keyword arguments, each tensor replaced by its known shape.
CallArguments = tuple[Sequence[object], dict[str, object]]
#: A rule: (layer, input shapes, output shapes, call) -> counts; ``call`` gives the
#: call's arguments as shapes, for layers whose inputs are not one tensor.
Call = Callable[[], CallArguments]
Rule = Callable[[Operation, list[Known], list[Known], Call], Counts]
_Op = TypeVar("_Op", bound=Operation)


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


def _conv(layer: _cv._Conv, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    x, y = ins[0], outs[0]
    in_channels = x[channel_axis(layer.data_format)]
    return _dense_like(
        layer, y, conv_macs(layer.geometry, x, y, in_channels, layer.filters, layer.groups)
    )


def _conv_transpose(
    layer: _cv._ConvTranspose12 | _cv.Conv3DTranspose,
    ins: list[Known],
    outs: list[Known],
    call: Call,
) -> Counts:
    x, y = ins[0], outs[0]
    in_channels = x[channel_axis(layer.data_format)]
    return _dense_like(layer, y, conv_macs(layer.geometry, x, y, in_channels, layer.filters, 1))


def _depthwise(
    layer: _cv._DepthwiseConv, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    return _dense_like(layer, outs[0], _size(outs[0]) * _taps(layer.geometry))


def _separable(
    layer: _cv._SeparableConv, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    x, y = ins[0], outs[0]
    axis = channel_axis(layer.data_format)
    middle = x[axis] * layer.depth_multiplier
    positions = _size(y) // y[axis]
    macs = positions * middle * (_taps(layer.geometry) + layer.filters)
    return _dense_like(layer, y, macs)


def _dense(layer: _core.Dense, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    return _dense_like(layer, outs[0], _size(outs[0]) * ins[0][-1])


def _per_element(flops_per_element: int) -> Rule:
    def rule(layer: Operation, ins: list[Known], outs: list[Known], call: Call) -> Counts:
        return 0, flops_per_element * _size(outs[0])

    return rule


def _pooling(layer: _pool._Pooling, ins: list[Known], outs: list[Known], call: Call) -> Counts:
    return 0, _size(outs[0]) * _taps(layer.geometry)


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
    merge = {"sum": 1, "mul": 1, "ave": 2}.get(layer.merge_mode or "", 0) * _size(outs[0])
    return forward[0] + backward[0], forward[1] + backward[1] + merge


def _time_distributed(
    layer: _wrap.TimeDistributed, ins: list[Known], outs: list[Known], call: Call
) -> Counts:
    x, y = ins[0], outs[0]
    inner: Layer = layer.layer
    inner_in, inner_out = (x[0], *x[2:]), (y[0], *y[2:])
    counts = keras_rule(inner)(inner, [inner_in], [inner_out], lambda: ([inner_in], {}))
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


def keras_rule(operation: Operation) -> Rule:
    """The rule of the operation's class or of its nearest base with one; else no cost."""
    return nearest_rule(_KERAS_RULES, _RULE_CACHE, type(operation), _nothing)


def output_itemsize(operation: Operation, rule: Rule, input_dtype: object) -> tuple[int, object]:
    """Bytes per output scalar and the output dtype: the layer's compute dtype, but a
    layer without arithmetic passes an integer tensor through (Keras casts only floats)."""
    if rule is _nothing and not _is_float(input_dtype):
        return _itemsize(input_dtype), input_dtype
    dtype: object = getattr(operation, "dtype", None)
    return _itemsize(dtype), dtype or "float32"

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

from dataclasses import dataclass, field

from ._cost_torch import TORCH_SPECS
from ._geometry import KnownShape
from ._validate import check_count
from .errors import _short_repr
from .layers._base import Layer
from .models.model import Model

__all__ = ["LayerCost", "Memory", "ModelCost", "cost", "flops", "macs", "memory"]

Known = KnownShape
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
    # The folds build this module's records: imported once the records exist.
    from ._cost_fold import layer_cost, model_cost, torch_cost  # noqa: PLC0415

    batch = check_count(batch_size, "batch_size")
    if isinstance(obj, Model):
        return model_cost(obj, input_shape, batch)
    if isinstance(obj, Layer):
        return layer_cost(obj, input_shape, batch)
    if isinstance(obj, TORCH_SPECS):
        return torch_cost(obj, input_shape, batch)
    raise TypeError(
        "cost() takes a convshape layer, Sequential or Model, or a convshape.torch module, "
        f"not {type(obj).__name__}. Received: obj={_short_repr(obj)}"
    )

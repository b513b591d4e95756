"""convshape.costs against the real frameworks.

MACs and FLOPs: PyTorch's ``FlopCounterMode`` on real modules run on real tensors (it
counts ``2 x MACs`` of convolutions, matrix products and attention, no bias), over a
grid of convolutions and transposed convolutions, Linear, recurrent layers, attention
and whole models, each mapped to the ``convshape.torch`` spec and, where Keras has
one, to the Keras-equivalent convshape layer. TensorFlow's profiler on Keras models
where its conventions are ours (and the relation where they are not). Memory: each
layer's output bytes against the tensors Keras and PyTorch return, parameter bytes
against their weights.
"""

from __future__ import annotations

import itertools
import math
import random
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

import convshape
from convshape import Input, Model, Sequential, layers
from convshape import torch as pt
from convshape.costs import LayerCost, ModelCost, cost, flops, macs, memory
from tests.functional_zoo import FUNCTIONAL_ZOO
from tests.oracles import ORACLE_COUNTS, oracle
from tests.test_oracle_torch_modules import MODELS as TORCH_MODELS
from tests.zoo import ZOO

CONVSHAPE = SimpleNamespace(
    Sequential=convshape.Sequential, Input=convshape.Input, layers=convshape.layers, Model=Model
)
#: Models of a class that nests others: their rows hold their layers' sums.
MODEL_CLASSES = ("Functional", "Sequential")


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def counted(torch: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """FlopCounterMode's total for one call on real tensors, and the call's result."""
    from torch.utils.flop_counter import FlopCounterMode

    with warnings.catch_warnings(), torch.no_grad(), FlopCounterMode(display=False) as counter:
        # PyTorch notes that "same" with an even kernel copies the input.
        warnings.simplefilter("ignore", UserWarning)
        result = function(*args, **kwargs)
    return counter.get_total_flops(), result


def counted_without_onednn(torch: Any, function: Callable[..., Any], *args: Any) -> Any:
    """:func:`counted` with oneDNN off: its fused LSTM kernel escapes the counter."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # oneDNN's TF32 note on setting flags
        with torch.backends.mkldnn.flags(enabled=False):
            return counted(torch, function, *args)


# -- convolutions: a grid of PyTorch modules, their specs and the Keras equivalents ----


@dataclass(frozen=True)
class ConvCase:
    rank: int
    transposed: bool
    in_channels: int
    out_channels: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    output_padding: tuple[int, ...]
    groups: int
    bias: bool
    size: tuple[int, ...]
    channels_first: bool

    def arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
            "bias": self.bias,
        }
        if self.transposed:
            arguments["output_padding"] = self.output_padding
        return arguments

    def module(self, namespace: Any) -> Any:
        kind = "ConvTranspose" if self.transposed else "Conv"
        cls = getattr(namespace, f"{kind}{self.rank}d")
        return cls(self.in_channels, self.out_channels, self.kernel, **self.arguments())

    def keras(self) -> tuple[Any, tuple[int | None, ...], tuple[int, ...]] | None:
        """The Keras-equivalent convshape layer, its input shape and the spatial output the
        torch output implies; None where Keras has no equivalent."""
        if max(self.stride) > 1 and max(self.dilation) > 1:
            return None  # Keras rejects strides > 1 together with dilation_rate > 1
        data_format = "channels_first" if self.channels_first else "channels_last"
        common = {
            "strides": self.stride,
            "dilation_rate": self.dilation,
            "use_bias": self.bias,
            "data_format": data_format,
            "name": "keras_equivalent",
        }
        pads = (0,) * self.rank if isinstance(self.padding, str) else self.padding
        if self.transposed:
            if self.groups > 1 or any(
                op >= s for op, s in zip(self.output_padding, self.stride, strict=True)
            ):
                return None  # no groups, and output_padding < strides, in Keras
            cls = getattr(layers, f"Conv{self.rank}DTranspose")
            layer = cls(
                self.out_channels,
                self.kernel,
                padding="valid",
                output_padding=self.output_padding,
                **common,
            )
            # The full output before PyTorch's crop of `padding` on each side.
            sizes, extra = self.size, tuple(2 * p for p in pads)
        else:
            cls = getattr(layers, f"Conv{self.rank}D")
            padding = "same" if self.padding == "same" else "valid"
            layer = cls(
                self.out_channels, self.kernel, padding=padding, groups=self.groups, **common
            )
            # Keras "valid" on the input PyTorch pads with zeros.
            sizes, extra = (
                tuple(n + 2 * p for n, p in zip(self.size, pads, strict=True)),
                (0,) * self.rank,
            )
        if self.channels_first:
            return layer, (None, self.in_channels, *sizes), extra
        return layer, (None, *sizes, self.in_channels), extra


def conv_cases(count: int, rank: int, transposed: bool, seed: int) -> list[ConvCase]:
    """Random configurations (validity is left to PyTorch: a case it rejects is drawn
    again)."""
    rng = random.Random(seed)
    biggest = {1: 9, 2: 7, 3: 4}[rank]

    def axes(low: int, high: int) -> tuple[int, ...]:
        return tuple(rng.randint(low, high) for _ in range(rank))

    cases = []
    for _ in range(count):
        groups = rng.choice((1, 1, 2, 3))
        stride = axes(1, 3)
        dilation = axes(1, 3) if rng.random() < 0.5 else (1,) * rank
        padding: tuple[int, ...] | str = axes(0, 2)
        if not transposed and max(stride) == 1 and rng.random() < 0.2:
            padding = "same"
        output_padding = tuple(
            rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation, strict=True)
        )
        cases.append(
            ConvCase(
                rank,
                transposed,
                groups * rng.randint(1, 2),
                groups * rng.randint(1, 3),
                axes(1, 4 if rank < 3 else 3),
                stride,
                padding,
                dilation,
                output_padding if transposed else (0,) * rank,
                groups,
                rng.random() < 0.7,
                axes(1, biggest),
                rng.random() < 0.3,
            )
        )
    return cases


GRID = [
    (rank, transposed, count)
    for rank, count in ((1, 260), (2, 260), (3, 110))
    for transposed in (False, True)
]


@pytest.mark.parametrize(
    ("rank", "transposed", "count"),
    GRID,
    ids=[f"{'transpose' if t else 'conv'}{r}d" for r, t, _ in GRID],
)
def test_conv_macs_match_flop_counter(torch: Any, rank: int, transposed: bool, count: int) -> None:
    kind = f"{'ConvTranspose' if transposed else 'Conv'}{rank}d"
    run = keras_run = 0
    mismatches: list[str] = []
    attempts = iter(conv_cases(10 * count, rank, transposed, seed=rank * 10 + transposed))
    while run < count:
        case = next(attempts)
        try:
            module = case.module(torch.nn)
            x = torch.zeros(2, case.in_channels, *case.size)
            real, y = counted(torch, module, x)
        except (RuntimeError, ValueError):
            continue  # PyTorch refuses the configuration: draw another
        if y.numel() == 0:
            # With a batch of 2 PyTorch returns an empty output where a batch of 1 fails
            # ("Output size is too small"); convshape rejects both: not a cost question.
            continue
        run += 1
        ORACLE_COUNTS[f"torch FlopCounterMode: {kind} configurations"] += 1
        ours = cost(case.module(pt), (None, case.in_channels, *case.size), batch_size=2)
        row = ours.layers[0]
        bias_adds = y.numel() if case.bias else 0
        if (row.output_shape, 2 * ours.macs, ours.flops) != (
            tuple(y.shape),
            real,
            real + bias_adds,
        ):
            mismatches.append(f"{case}: ours {row} vs torch {real} {tuple(y.shape)}")
        equivalent = case.keras()
        if equivalent is None:
            continue
        layer, shape, extra = equivalent
        keras_run += 1
        ORACLE_COUNTS[f"torch FlopCounterMode: Keras-equivalent of {kind}"] += 1
        keras_cost = cost(layer, shape, batch_size=2)
        output = keras_cost.layers[0].output_shape
        spatial = output[2:] if case.channels_first else output[1:-1]
        expected = tuple(n + e for n, e in zip(y.shape[2:], extra, strict=True))
        keras_bias = math.prod(output) if case.bias else 0  # its own, uncropped, output
        if (spatial, 2 * keras_cost.macs, keras_cost.flops) != (expected, real, real + keras_bias):
            mismatches.append(f"{case}: keras {keras_cost.layers[0]} vs torch {real}")
    assert not mismatches, "\n".join(mismatches[:10])
    assert keras_run > count // 5  # the Keras side is not vacuous


# -- Linear, recurrent layers, attention -------------------------------------------------


def test_linear_and_dense(torch: Any) -> None:
    for features, units, bias, leading in itertools.product(
        (1, 3, 8), (1, 5), (True, False), ((2,), (2, 3), (2, 3, 4))
    ):
        ORACLE_COUNTS["torch FlopCounterMode: Linear / Dense"] += 1
        real, y = counted(
            torch, torch.nn.Linear(features, units, bias=bias), torch.zeros(*leading, features)
        )
        shape = (None, *leading[1:], features)
        spec = pt.Linear(features, units, bias=bias)
        dense = layers.Dense(units, use_bias=bias, name="dense_case")
        assert 2 * macs(spec, shape, batch_size=leading[0]) == real
        assert 2 * macs(dense, shape, batch_size=leading[0]) == real
        expected = real + (y.numel() if bias else 0)
        assert flops(dense, shape, batch_size=leading[0]) == expected
        assert flops(spec, shape, batch_size=leading[0]) == expected


RECURRENT = {"SimpleRNN": "RNN", "GRU": "GRU", "LSTM": "LSTM"}


@pytest.mark.parametrize("kind", sorted(RECURRENT))
def test_recurrent_layers(torch: Any, kind: str) -> None:
    for features, units, steps, both, bias in itertools.product(
        (1, 3), (2, 5), (1, 4), (False, True), (True, False)
    ):
        ORACLE_COUNTS[f"torch FlopCounterMode: {kind} (Keras) / nn.{RECURRENT[kind]}"] += 1
        module = getattr(torch.nn, RECURRENT[kind])(
            features, units, batch_first=True, bidirectional=both, bias=bias
        )
        real, _ = counted_without_onednn(torch, module, torch.zeros(3, steps, features))
        layer = getattr(layers, kind)(units, use_bias=bias, name="recurrent")
        if both:
            layer = layers.Bidirectional(layer, name="both_ways")
        assert 2 * macs(layer, (None, steps, features), batch_size=3) == real, (kind, both)


def test_multi_head_attention(torch: Any) -> None:
    for embed, heads, (target, source), key_features, value_features, bias in itertools.product(
        (4, 8), (1, 2, 4), ((1, 2), (3, 5)), (None, 3), (None, 6), (True, False)
    ):
        ORACLE_COUNTS["torch FlopCounterMode: MultiHeadAttention"] += 1
        kdim, vdim = key_features or embed, value_features or embed
        module = torch.nn.MultiheadAttention(
            embed, heads, bias=bias, kdim=kdim, vdim=vdim, batch_first=True
        )
        query = torch.zeros(2, target, embed)
        real, _ = counted(
            torch, module, query, torch.zeros(2, source, kdim), torch.zeros(2, source, vdim)
        )
        mha = layers.MultiHeadAttention(heads, embed // heads, use_bias=bias, name="mha")
        shapes = [(None, target, embed), (None, source, vdim), (None, source, kdim)]
        assert 2 * macs(mha, shapes, batch_size=2) == real
    # In a graph, with the key passed by keyword.
    q, v, k = Input((3, 8)), Input((5, 6)), Input((5, 3))
    model = Model([q, v, k], layers.MultiHeadAttention(2, 4)(q, v, key=k))
    module = torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=6, batch_first=True)
    real, _ = counted(
        torch, module, torch.zeros(1, 3, 8), torch.zeros(1, 5, 3), torch.zeros(1, 5, 6)
    )
    assert 2 * macs(model) == real
    self_attention = layers.MultiHeadAttention(2, 4, name="self")
    module = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.zeros(1, 3, 8)
    assert 2 * macs(self_attention, (None, 3, 8)) == counted(torch, module, x, x, x)[0]


def test_dot_attention_and_dot(torch: Any) -> None:
    def attention(q: Any, v: Any, k: Any) -> Any:
        weights = torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
        return torch.bmm(weights, v)

    for target, source, features, value_features in itertools.product(
        (1, 4), (2, 3), (2, 5), (3, 6)
    ):
        ORACLE_COUNTS["torch FlopCounterMode: Attention / Dot"] += 2
        q = torch.zeros(2, target, features)
        k = torch.zeros(2, source, features)
        v = torch.zeros(2, source, value_features)
        real, _ = counted(torch, attention, q, v, k)
        shapes = [
            (None, target, features),
            (None, source, value_features),
            (None, source, features),
        ]
        assert 2 * macs(layers.Attention(name="att"), shapes, batch_size=2) == real
        real, _ = counted(torch, torch.bmm, q, k.transpose(1, 2))
        dot = layers.Dot(axes=2, name="dot")
        assert (
            2 * macs(dot, [(None, target, features), (None, source, features)], batch_size=2)
            == real
        )


def test_time_distributed(torch: Any) -> None:
    ORACLE_COUNTS["torch FlopCounterMode: TimeDistributed"] += 1
    real, _ = counted(torch, torch.nn.Conv2d(3, 8, 3, stride=2), torch.zeros(2 * 5, 3, 9, 9))
    wrapped = layers.TimeDistributed(layers.Conv2D(8, 3, strides=2, name="inner"), name="td")
    assert 2 * macs(wrapped, (None, 5, 9, 9, 3), batch_size=2) == real


# -- whole models --------------------------------------------------------------------------


def dcgan_generator_torch(nn: Any) -> Any:
    """The README's (Keras tutorial's) DCGAN generator in PyTorch: same products, NCHW."""
    return nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False),
        nn.BatchNorm1d(7 * 7 * 256),
        nn.LeakyReLU(),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.LeakyReLU(),
        nn.ConvTranspose2d(64, 1, 5, stride=3, padding=1, bias=False),
        nn.Tanh(),
    )


TORCH_SEQUENTIALS = [("dcgan_generator", dcgan_generator_torch, (2, 100)), *TORCH_MODELS]


def test_dcgan_generator_torch_and_keras(torch: Any) -> None:
    ORACLE_COUNTS["torch FlopCounterMode: DCGAN generator (PyTorch vs convshape's Keras)"] += 1
    module = dcgan_generator_torch(torch.nn).eval()
    real, y = counted(torch, module, torch.zeros(2, 100))
    assert tuple(y.shape) == (2, 1, 84, 84)
    keras_model = next(entry for entry in ZOO if entry.name == "dcgan_generator").build(CONVSHAPE)
    assert 2 * macs(keras_model, batch_size=2) == real
    assert 2 * macs(dcgan_generator_torch(pt), (None, 100), batch_size=2) == real


@pytest.mark.parametrize(
    ("build", "shape"),
    [(build, shape) for _, build, shape in TORCH_SEQUENTIALS],
    ids=[name for name, _, _ in TORCH_SEQUENTIALS],
)
def test_torch_sequentials(torch: Any, build: Callable[[Any], Any], shape: tuple[int, ...]) -> None:
    """FLOPs, and every module's output and parameter bytes, against the real module."""
    module = build(torch.nn).eval()
    outputs: list[int] = []
    for child in module:
        child.register_forward_hook(lambda m, i, o: outputs.append(o.nbytes))
    x = torch.zeros(shape)
    real, _ = counted(torch, module, x)
    ours = cost(build(pt), (None, *shape[1:]), batch_size=shape[0])
    assert 2 * ours.macs == real
    assert [row.output_bytes for row in ours.layers] == outputs
    for row, child in zip(ours.layers, module, strict=True):
        ORACLE_COUNTS["torch module memory (output bytes, parameter bytes)"] += 1
        assert row.params * 4 == sum(p.nbytes for p in child.parameters()), row.class_name
    assert ours.memory.params_bytes == sum(p.nbytes for p in module.parameters())
    assert ours.memory.input_bytes == x.nbytes
    assert ours.memory.forward_bytes == sum(outputs)


# -- Keras: activation and parameter bytes of real tensors -----------------------------


def keras_node_bytes(
    keras: Any, model: Any, batch: int, shapes: list[tuple[int, ...]]
) -> tuple[Counter[tuple[str, int]], int]:
    """(layer name, bytes of the outputs of one call) for every call in the model and in
    the models nested in it (each run on the shapes it is called with), from a forward
    pass on zeros of ``(batch, *shape)``; and the input bytes."""
    import numpy as np

    graph = getattr(model, "_functional", model)
    tensors, names, nested = [], [], []
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            operation = node.operation
            if isinstance(operation, keras.layers.InputLayer):
                continue
            if isinstance(operation, keras.Model):
                nested.append((operation, node.input_tensors))
            else:
                tensors.append(node.output_tensors)
                names.append(operation.name)
            # Also the inputs of nested calls, to run them on the shapes they meet.
            tensors.append(node.input_tensors)
            names.append("")
    inputs = [
        np.zeros((batch, *shape), dtype=t.dtype)
        for t, shape in zip(graph.inputs, shapes, strict=True)
    ]
    results = keras.Model(graph.inputs, tensors)(inputs, training=False)
    found: Counter[tuple[str, int]] = Counter(
        (name, sum(np.asarray(t).nbytes for t in outputs))
        for name, outputs in zip(names, results, strict=True)
        if name
    )
    arrays = {
        id(t): r
        for ts, rs in zip(tensors, results, strict=True)
        for t, r in zip(ts, rs, strict=True)
    }
    for inner, inner_inputs in nested:
        inner_shapes = [tuple(arrays[id(t)].shape[1:]) for t in inner_inputs]
        found += keras_node_bytes(keras, inner, batch, inner_shapes)[0]
    return found, sum(x.nbytes for x in inputs)


KERAS_MODELS = [
    *((f"sequential:{e.name}", e.build, e.fill) for e in ZOO if e.runnable),
    # unet_original's 572 x 572 convolutions take seconds and add no layer type.
    *(
        (f"functional:{e.name}", e.build, 16)
        for e in FUNCTIONAL_ZOO
        if e.runnable and e.name != "unet_original"
    ),
]


@pytest.mark.parametrize(
    ("build", "fill"),
    [(build, fill) for _, build, fill in KERAS_MODELS],
    ids=[name for name, _, _ in KERAS_MODELS],
)
def test_keras_memory(keras: Any, build: Callable[[Any], Any], fill: int) -> None:
    import numpy as np

    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # input_shape= on a layer
        theirs = build(keras)
    convshape.clear_session()
    ours_model = build(CONVSHAPE)
    given = ours_model.input_shape
    given = given if isinstance(given, list) else [given]
    filled = [tuple(fill if d is None else d for d in shape) for shape in given]
    batch = filled[0][0] if given[0][0] is not None else 3
    ours = cost(ours_model, [(None, *shape[1:]) for shape in filled], batch_size=batch)
    found, input_bytes = keras_node_bytes(keras, theirs, batch, [s[1:] for s in filled])
    rows = Counter(
        (row.name, row.output_bytes) for row in ours.layers if row.class_name not in MODEL_CLASSES
    )
    ORACLE_COUNTS["keras layer output bytes (real tensors)"] += sum(rows.values())
    assert rows == found
    assert ours.memory.input_bytes == input_bytes
    assert ours.memory.params_bytes == sum(np.asarray(w).nbytes for w in theirs.weights)
    assert ours.memory.forward_bytes == sum(
        row.output_bytes for row in ours.layers if row.depth == 0
    )


# -- TensorFlow's profiler ---------------------------------------------------------------


def tf_profile(model: Any, shapes: list[tuple[int, ...]]) -> int:
    """The float_ops TensorFlow's v1 profiler counts in the frozen inference graph."""
    tf = oracle("tensorflow")
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    specs = [tf.TensorSpec(shape, tf.float32) for shape in shapes]
    function = tf.function(lambda *xs: model(list(xs) if len(xs) > 1 else xs[0], training=False))
    graph = convert_variables_to_constants_v2(function.get_concrete_function(*specs)).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profile = tf.compat.v1.profiler.profile(
            graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=options
        )
    return int(profile.total_float_ops)


def tf_same_rules(k: Any) -> Any:
    """Layers whose FLOPs TensorFlow counts with our rules: products (2 x MACs), bias,
    pooling windows, means, softmax."""
    L = k.layers
    return k.Sequential(
        [
            k.Input((12, 12, 3), batch_size=2),
            L.Conv2D(8, 3, strides=2, padding="same"),
            L.MaxPooling2D(2, strides=1),
            L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
            L.SeparableConv2D(6, 3),
            L.AveragePooling2D(2, padding="same"),
            L.Dense(5),
            L.GlobalAveragePooling2D(),
            L.Dense(4, activation="softmax"),
        ]
    )


def tf_same_rules_1d_3d(k: Any) -> Any:
    L = k.layers
    x = k.Input((6, 6, 6, 2), batch_size=2)
    y = L.Conv3D(4, 3, padding="same")(x)
    y = L.Reshape((36, 8))(L.Conv3D(4, (1, 1, 3), strides=(1, 1, 2), use_bias=False)(y))
    y = L.Conv1D(5, 3, strides=2, padding="causal")(y)
    z = L.Conv1D(5, 4, dilation_rate=2, padding="same")(y)
    y = L.Add()([y, z, y])
    y = L.Subtract()([L.Multiply()([y, z]), L.Maximum()([y, z])])
    return k.Model(x, L.Dense(3)(y))


@pytest.mark.parametrize("build", [tf_same_rules, tf_same_rules_1d_3d])
def test_tensorflow_profiler(keras: Any, build: Callable[[Any], Any]) -> None:
    ORACLE_COUNTS["tensorflow profiler float_ops: Keras models"] += 1
    theirs = build(keras)
    assert tf_profile(theirs, [tuple(theirs.input_shape)]) == flops(build(CONVSHAPE))


def single_shape(row: LayerCost) -> tuple[int, ...]:
    shape = row.output_shape
    assert all(isinstance(dim, int) for dim in shape)
    return shape  # type: ignore[return-value]


def test_tensorflow_profiler_relations(keras: Any) -> None:
    """Where TensorFlow's profiler counts differently, the relation. It skips ReLU (we
    count 1 per element) and counts a transposed convolution as
    ``2 * N * prod(output) * K * C_in * C_out / prod(strides)``: the same as our
    input-based count when the output is ``input x stride`` ("same"), more otherwise."""
    cases: list[tuple[tuple[int, ...], dict[str, Any]]] = [
        ((9, 9, 4), {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "valid"}),
        ((5, 7, 4), {"filters": 6, "kernel_size": (3, 4), "strides": (2, 3), "padding": "same"}),
        ((4, 4, 2), {"filters": 2, "kernel_size": 5, "strides": 1, "output_padding": 0}),
        ((6, 6, 3), {"filters": 4, "kernel_size": 2, "strides": 3, "output_padding": 1}),
    ]
    for shape, arguments in cases:
        ORACLE_COUNTS["tensorflow profiler float_ops: relations"] += 1
        model = keras.Sequential(
            [keras.Input(shape, batch_size=2), keras.layers.Conv2DTranspose(**arguments)]
        )
        ours = cost(Sequential([Input(shape, batch_size=2), layers.Conv2DTranspose(**arguments)]))
        row = ours.layers[0]
        output = single_shape(row)
        strides = arguments["strides"]
        steps = strides if isinstance(strides, tuple) else (strides, strides)
        scale = math.prod(output[1:3]) / (math.prod(shape[:2]) * math.prod(steps))
        bias = math.prod(output)
        assert tf_profile(model, [(2, *shape)]) == round(2 * row.macs * scale) + bias
        if arguments.get("padding") == "same":
            assert tf_profile(model, [(2, *shape)]) == row.flops
    ORACLE_COUNTS["tensorflow profiler float_ops: relations"] += 1
    relu = [keras.Input((6, 6, 2), batch_size=2), keras.layers.Conv2D(3, 3, activation="relu")]
    ours = cost(
        Sequential([Input((6, 6, 2), batch_size=2), layers.Conv2D(3, 3, activation="relu")])
    )
    assert tf_profile(keras.Sequential(relu), [(2, 6, 6, 2)]) == ours.flops - 2 * 4 * 4 * 3


# -- behaviour without a framework -------------------------------------------------------


def test_totals_text_and_memory() -> None:
    convshape.clear_session()
    model = next(entry for entry in ZOO if entry.name == "dcgan_generator").build(CONVSHAPE)
    report = cost(model, batch_size=4)
    assert isinstance(report, ModelCost)
    assert report.params == model.count_params() == 2330944
    assert report.memory == memory(model, batch_size=4)
    assert report.memory.total_bytes == sum(
        (report.memory.input_bytes, report.memory.forward_bytes, report.memory.params_bytes)
    )
    text = str(report)
    for line in (
        "Total mult-adds (M): ",
        "Input size (MB): 0.00",
        "Forward pass size (MB): ",
        "Params size (MB): 9.32",
        "Estimated Total Size (MB): ",
    ):
        assert line in text
    assert report.macs == 4 * macs(model)


def test_nested_models_sum_their_layers() -> None:
    convshape.clear_session()
    inner_input = Input((8, 8, 3))
    inner = Model(inner_input, layers.Conv2D(4, 3)(inner_input), name="inner")
    x = Input((8, 8, 3))
    outer = Model(x, layers.Flatten()(inner(x)))
    report = cost(outer)
    row = report.layers[0]
    assert (row.name, row.depth, report.layers[1].depth) == ("inner", 0, 1)
    assert row.macs == report.layers[1].macs == cost(inner).macs
    assert report.macs == row.macs
    assert report.memory.forward_bytes == 2 * 6 * 6 * 4 * 4


def test_a_shared_nested_model_on_two_shapes() -> None:
    convshape.clear_session()
    x = Input((None, None, 3))
    inner = Model(x, layers.Conv2D(4, 3, name="shared_conv")(x), name="inner")
    a, b = Input((8, 8, 3)), Input((5, 6, 3))
    report = cost(Model([a, b], [inner(a), inner(b)]))
    rows = [row for row in report.layers if row.name == "shared_conv"]  # in graph order
    assert sorted((row.output_shape, row.macs) for row in rows) == [
        ((1, 3, 4, 4), 12 * 27 * 4),
        ((1, 6, 6, 4), 36 * 27 * 4),
    ]
    assert [row.params for row in rows] == [112, 0]  # the weights once, on the first call
    assert report.params == 112


def test_input_shape_reruns_the_graph() -> None:
    x = Input((None, None, 3))
    model = Model(x, layers.Conv2D(8, 3, strides=2)(x))
    assert macs(model, (None, 65, 64, 3)) == 32 * 31 * 9 * 3 * 8
    assert macs(model, (5, 65, 64, 3)) == 5 * 32 * 31 * 9 * 3 * 8
    unbuilt = Sequential([layers.Dense(4), layers.Dense(2)])
    assert macs(unbuilt, (None, 3)) == 3 * 4 + 4 * 2


def test_integer_tensors_pass_through_layers_without_arithmetic() -> None:
    x = Input((6,), dtype="int32")
    model = Model(x, layers.Embedding(10, 4)(layers.Reshape((2, 3))(x)))
    rows = memory(model, batch_size=2).layers
    assert [row.output_bytes for row in rows] == [2 * 6 * 4, 2 * 6 * 4 * 4]
    half = Sequential([Input((3,)), layers.Dense(4, dtype="mixed_float16")])
    assert memory(half).layers[0].output_bytes == 4 * 2
    assert memory(half).params_bytes == 16 * 4


def test_errors() -> None:
    x = Input((None, 3))
    with pytest.raises(convshape.ConvShapeError, match=r"'dense_case'.*dimension 1"):
        cost(Model(x, layers.Dense(2, name="dense_case")(x)))
    with pytest.raises(convshape.ConvShapeError, match="needs its `input_shape`"):
        macs(layers.Dense(2))
    with pytest.raises(convshape.ConvShapeError, match="needs its `input_shape`"):
        macs(pt.Linear(2, 3))
    with pytest.raises(convshape.ConvShapeError, match="takes 1 input"):
        macs(Model(x, layers.Dense(2)(x)), [(None, 4, 3), (None, 4, 3)])
    with pytest.raises(convshape.ConvShapeError, match="incompatible"):
        macs(Model(x, layers.Dense(2)(x)), (None, 4, 5))
    with pytest.raises(convshape.ConvShapeError, match="no input shape yet"):
        macs(Sequential([layers.Dense(2)]))
    with pytest.raises(convshape.ConvShapeError, match="batch_size"):
        macs(layers.Dense(2), (None, 3), batch_size=0)
    with pytest.raises(TypeError, match="takes a convshape layer"):
        macs("Dense")


def test_thousand_layers_are_costed() -> None:
    """A 1,000-layer model costs one row per layer (its speed is in benchmarks/bench.py)."""
    stack: list[Any] = [Input((16, 16, 8))]
    stack += [
        layers.Conv2D(8, 3, padding="same") if i % 2 else layers.Dense(8) for i in range(1000)
    ]
    report = cost(Sequential(stack))
    assert len(report.layers) == 1000
    assert report.macs == 500 * (16 * 16 * 8 * 8) + 500 * (16 * 16 * 9 * 8 * 8)


def test_numpy_integers_in_input_shape() -> None:
    """An input_shape of NumPy's integers (``x.shape`` of an array) is one shape: it was
    read as a list of shapes and refused with "not int. Received: input_shape=1"."""
    numpy = pytest.importorskip("numpy")
    shape = (1, numpy.int64(28), numpy.int64(28), 1)
    layer = layers.Conv2D(4, 3)
    assert cost(layer, shape) == cost(layer, (1, 28, 28, 1))
    assert macs(pt.Conv2d(1, 4, 3), (1, 1, numpy.int64(28), 28)) == macs(
        pt.Conv2d(1, 4, 3), (1, 1, 28, 28)
    )

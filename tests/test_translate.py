"""translate() proven numerically: the source layer run in its framework, the generated
code run in the target framework with the converted weights, the values compared."""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import convshape as cs
from convshape import layers
from convshape._record import fields
from tests.oracles import ORACLE_COUNTS, oracle

RNG = np.random.default_rng(7)


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


def _run_code(translation: cs.Translation, kernel: Any, bias: Any, x: Any) -> Any:
    namespace: dict[str, Any] = {"kernel": kernel, "bias": bias}
    exec(translation.code(), namespace)  # the snippet users copy, run as it is
    out = namespace["forward"](x)
    return out.detach().numpy() if hasattr(out, "detach") else np.asarray(out)


def _keras_transpose_configs(rank: int) -> list[tuple[Any, ...]]:
    configs = []
    for k, s, d, padding in itertools.product(range(1, 6), range(1, 4), (1, 2), ("same", "valid")):
        if s > 1 and d > 1:
            continue
        for op in (None, *range(s)):
            configs.append((k, s, d, padding, op))
    return configs


def _keras_layer(
    keras: Any, spec: layers.Layer, in_channels: int, rank: int
) -> tuple[Any, Any, Any]:
    """The same layer in real Keras, with random weights; (layer, kernel, bias)."""
    cls = getattr(keras.layers, type(spec).__name__)
    skipped = {"name", "input_shape", "input_dim", "batch_size", "autocast", "dtype", "trainable"}
    skipped |= {"activity_regularizer", "lora_rank", "lora_alpha"}
    kwargs = {
        field.name: getattr(spec, field.name)
        for field in fields(spec)
        if field.init and field.name not in skipped
    }
    layer = cls(**kwargs)
    layer.build((None, *[None] * rank, in_channels))
    weights = [RNG.standard_normal(w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    return layer, weights[0], weights[1] if len(weights) > 1 else None


@pytest.mark.parametrize("target", ["torch", "jax", "onnx"])
def test_keras_conv_transpose_1d_ports_exactly(keras: Any, torch: Any, target: str) -> None:
    tf = oracle("tensorflow")
    mismatches = []
    for k, s, d, padding, op in _keras_transpose_configs(1):
        spec = layers.Conv1DTranspose(
            2, k, strides=s, padding=padding, output_padding=op, dilation_rate=d
        )
        layer, kernel, bias = _keras_layer(keras, spec, 3, 1)
        for size in (1, 2, 5, 7):
            x = RNG.standard_normal((2, size, 3)).astype("float32")
            try:
                expected = np.asarray(layer(x))
            except tf.errors.OpError:
                continue  # TensorFlow refuses (the "same"/even-kernel pitfall)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cs.ConvShapeWarning)
                try:
                    translation = cs.translate(spec, target, (None, size, 3))
                except cs.EmptyOutputError:
                    continue
            ORACLE_COUNTS[f"translations keras -> {target} proven on values"] += 1
            got = _run_code(translation, kernel, bias, x)
            if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
                mismatches.append(f"I={size} k={k} s={s} d={d} {padding} op={op}: {translation}")
    assert mismatches == []


@pytest.mark.parametrize("target", ["torch", "jax", "onnx"])
def test_keras_conv_1d_ports_exactly(keras: Any, torch: Any, target: str) -> None:
    mismatches = []
    for k, s, d, padding, groups in itertools.product(
        range(1, 6), range(1, 4), (1, 2), ("same", "valid", "causal"), (1, 2)
    ):
        if s > 1 and d > 1:
            continue
        spec = layers.Conv1D(4, k, strides=s, padding=padding, dilation_rate=d, groups=groups)
        layer, kernel, bias = _keras_layer(keras, spec, 4, 1)
        for size in (5, 7, 12):
            if (k - 1) * d + 1 > size and padding == "valid":
                continue
            x = RNG.standard_normal((2, size, 4)).astype("float32")
            expected = np.asarray(layer(x))
            translation = cs.translate(spec, target, (None, size, 4))
            ORACLE_COUNTS[f"translations keras -> {target} proven on values"] += 1
            got = _run_code(translation, kernel, bias, x)
            if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
                mismatches.append(
                    f"I={size} k={k} s={s} d={d} {padding} groups={groups}: {translation}"
                )
    assert mismatches == []


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        (layers.Conv2DTranspose(3, (5, 4), strides=(2, 3), padding="same"), (None, 7, 6, 2)),
        (
            layers.Conv2DTranspose(
                3, (3, 1), strides=(2, 3), padding="same", output_padding=(1, 2)
            ),
            (None, 5, 4, 2),
        ),
        (layers.Conv2DTranspose(3, 3, strides=1, padding="same", dilation_rate=2), (None, 6, 5, 2)),
        (layers.Conv2D(3, (5, 3), strides=(2, 3), padding="same"), (None, 13, 10, 2)),
        (layers.Conv2D(4, 3, padding="same", groups=2), (None, 8, 8, 2)),
        (layers.Conv3DTranspose(2, 3, strides=2, padding="same"), (None, 3, 4, 2, 2)),
    ],
)
def test_keras_2d_3d_ports_exactly(
    keras: Any, torch: Any, spec: layers.Layer, shape: tuple[int | None, ...]
) -> None:
    rank = len(shape) - 2
    layer, kernel, bias = _keras_layer(keras, spec, shape[-1] or 1, rank)
    x = RNG.standard_normal((2, *(dim or 1 for dim in shape[1:]))).astype("float32")
    expected = np.asarray(layer(x))
    for target in ("torch", "jax", "onnx"):
        ORACLE_COUNTS[f"translations keras -> {target} proven on values"] += 1
        got = _run_code(cs.translate(spec, target, shape), kernel, bias, x)
        assert got.shape == expected.shape
        assert np.allclose(got, expected, atol=1e-4), target


def test_torch_ports_to_keras_exactly(keras: Any, torch: Any) -> None:
    mismatches = []
    for k, s, p, op, d in itertools.product(
        range(1, 5), range(1, 4), range(0, 3), range(0, 3), (1, 2)
    ):
        if op >= max(s, d):
            continue
        if s > 1 and d > 1:
            strided = cs.torch.ConvTranspose1d(3, 2, k, s, p, op, dilation=d)
            with pytest.raises(cs.ConvShapeError, match="Keras has no convolution with strides"):
                cs.translate(strided, "keras", (None, 3, 5))
            continue
        for size in (2, 5):
            spec = cs.torch.ConvTranspose1d(
                3, 2, k, stride=s, padding=p, output_padding=op, dilation=d
            )
            try:
                spec.compute_output_shape((None, 3, size))
            except cs.ConvShapeError:
                continue
            module = torch.nn.ConvTranspose1d(
                3, 2, k, stride=s, padding=p, output_padding=op, dilation=d
            )
            x = RNG.standard_normal((2, 3, size)).astype("float32")
            expected = module(torch.as_tensor(x)).detach().numpy()
            translation = cs.translate(spec, "keras", (None, 3, size))
            ORACLE_COUNTS["translations torch -> keras proven on values"] += 1
            got = _run_code(
                translation, module.weight.detach().numpy(), module.bias.detach().numpy(), x
            )
            if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
                mismatches.append(f"I={size} k={k} s={s} p={p} op={op} d={d}: {translation}")
    for k, s, p in itertools.product(range(1, 5), range(1, 4), range(0, 3)):
        spec_c = cs.torch.Conv1d(3, 2, k, stride=s, padding=p)
        module_c = torch.nn.Conv1d(3, 2, k, stride=s, padding=p)
        x = RNG.standard_normal((2, 3, 9)).astype("float32")
        expected = module_c(torch.as_tensor(x)).detach().numpy()
        translation = cs.translate(spec_c, "keras", (None, 3, 9))
        ORACLE_COUNTS["translations torch -> keras proven on values"] += 1
        got = _run_code(
            translation, module_c.weight.detach().numpy(), module_c.bias.detach().numpy(), x
        )
        if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
            mismatches.append(f"conv k={k} s={s} p={p}: {translation}")
    assert mismatches == []


def test_seed_port_is_not_exact_and_says_so() -> None:
    t = cs.translate(
        layers.Conv2DTranspose(128, 5, strides=2, padding="same"), "torch", (None, 7, 7, 256)
    )
    assert not t.exact
    assert t.kwargs["padding"] == (1, 1)
    assert t.crop == ((0, 1), (0, 1))
    assert t.output_shape == (None, 14, 14, 128)
    exact = cs.translate(
        layers.Conv2DTranspose(8, 4, strides=2, padding="same"), "torch", (None, 7, 7, 3)
    )
    assert exact.exact
    assert exact.kwargs["padding"] == (1, 1)
    assert "<pre>" in t._repr_html_()


def test_translate_errors() -> None:
    with pytest.raises(
        cs.ConvShapeError, match="`to` must be one of 'torch', 'jax', 'onnx', 'keras'"
    ):
        cs.translate(layers.Conv2D(2, 3), "tflite", (None, 5, 5, 1))
    with pytest.raises(cs.ConvShapeError, match="translate\\(\\) takes a Conv1D/2D/3D"):
        cs.translate(layers.Dense(2), "torch", (None, 5))
    with pytest.raises(cs.ConvShapeError, match="already a Keras layer"):
        cs.translate(layers.Conv2D(2, 3), "keras", (None, 5, 5, 1))
    with pytest.raises(cs.ConvShapeError, match="a PyTorch layer translates to 'keras'"):
        cs.translate(cs.torch.Conv1d(1, 1, 3), "jax", (None, 1, 5))


def _grid_2d() -> list[tuple[Any, ...]]:
    """2D configurations: odd and even kernels, k_eff < s, output_padding, dilation."""
    configs: list[tuple[Any, ...]] = []
    for (kh, kw), (sh, sw), padding in itertools.product(
        [(1, 2), (3, 4), (5, 2)], [(1, 1), (2, 3), (3, 2)], ("same", "valid")
    ):
        configs.append(((kh, kw), (sh, sw), padding, None, (1, 1)))
        configs.append(((kh, kw), (sh, sw), padding, (sh - 1, sw - 1), (1, 1)))
    configs.append(((3, 2), (1, 1), "same", None, (2, 3)))
    configs.append(((2, 3), (1, 1), "valid", None, (3, 2)))
    return configs


@pytest.mark.parametrize("target", ["torch", "jax", "onnx"])
def test_keras_conv_transpose_2d_grid_ports_exactly(keras: Any, torch: Any, target: str) -> None:
    tf = oracle("tensorflow")
    mismatches = []
    for kernel, strides, padding, op, dilation in _grid_2d():
        spec = layers.Conv2DTranspose(
            2, kernel, strides=strides, padding=padding, output_padding=op, dilation_rate=dilation
        )
        layer, weights, bias = _keras_layer(keras, spec, 3, 2)
        x = RNG.standard_normal((1, 5, 4, 3)).astype("float32")
        try:
            expected = np.asarray(layer(x))
        except tf.errors.OpError:
            continue  # the "same"/even-kernel pitfall: TensorFlow refuses
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cs.ConvShapeWarning)
            translation = cs.translate(spec, target, (None, 5, 4, 3))
        ORACLE_COUNTS[f"translations keras -> {target} proven on values"] += 1
        got = _run_code(translation, weights, bias, x)
        if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
            mismatches.append(f"{kernel} {strides} {padding} op={op} d={dilation}: {translation}")
    assert mismatches == []


def _torch_values_mismatch(
    torch: Any, spec: Any, module: Any, shape: tuple[int, ...], label: str
) -> list[str]:
    """The PyTorch module and its Keras port run on the same input: [] or the mismatch."""
    x = RNG.standard_normal(shape).astype("float32")
    with warnings.catch_warnings():
        # PyTorch's note on padding="same" with an even kernel: a copy, not a change of values.
        warnings.filterwarnings("ignore", "Using padding='same' with even kernel", UserWarning)
        expected = module(torch.as_tensor(x)).detach().numpy()
    translation = cs.translate(spec, "keras", (None, *shape[1:]))
    ORACLE_COUNTS["translations torch -> keras proven on values"] += 1
    bias = module.bias.detach().numpy() if module.bias is not None else None
    got = _run_code(translation, module.weight.detach().numpy(), bias, x)
    if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
        return [f"{label}: {translation}"]
    return []


def test_torch_grouped_dilated_conv_ports_to_keras_exactly(keras: Any, torch: Any) -> None:
    mismatches = []
    for rank, groups, k, s, d, padding, bias in itertools.product(
        (1, 2, 3), (1, 2, 3), (1, 2, 3), (1, 2), (1, 2), (0, 1, "same", "valid"), (True, False)
    ):
        if (s > 1 and d > 1) or (padding == "same" and s > 1):
            continue
        kwargs = {"stride": s, "padding": padding, "dilation": d, "groups": groups, "bias": bias}
        name = f"Conv{rank}d"
        spec = getattr(cs.torch, name)(6, 3 * groups, k, **kwargs)
        module = getattr(torch.nn, name)(6, 3 * groups, k, **kwargs)
        label = f"{name} groups={groups} k={k} s={s} d={d} padding={padding} bias={bias}"
        size = 5 if rank == 3 else 7
        mismatches += _torch_values_mismatch(torch, spec, module, (2, 6, *(size,) * rank), label)
    assert mismatches == []


def test_torch_dilated_conv_transpose_ports_to_keras_exactly(keras: Any, torch: Any) -> None:
    mismatches = []
    for rank, k, d, p, op, bias in itertools.product(
        (2, 3), (2, 3), (2, 3), (0, 1), (0, 1), (True, False)
    ):
        kwargs = {"padding": p, "output_padding": op, "dilation": d, "bias": bias}
        name = f"ConvTranspose{rank}d"
        spec = getattr(cs.torch, name)(3, 2, k, **kwargs)
        module = getattr(torch.nn, name)(3, 2, k, **kwargs)
        label = f"{name} k={k} d={d} p={p} op={op} bias={bias}"
        mismatches += _torch_values_mismatch(torch, spec, module, (2, 3, *(4,) * rank), label)
    assert mismatches == []


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_torch_grouped_conv_transpose_is_refused(rank: int) -> None:
    spec = getattr(cs.torch, f"ConvTranspose{rank}d")(4, 6, 3, stride=2, groups=2)
    with pytest.raises(
        cs.ConvShapeError,
        match=f"Keras's Conv{rank}DTranspose has no `groups`.*Received: groups=2",
    ):
        cs.translate(spec, "keras", (None, 4, *(5,) * rank))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_torch_padding_mode_is_carried_or_refused(keras: Any, torch: Any, mode: str) -> None:
    padded = cs.torch.Conv2d(2, 3, 3, padding=1, padding_mode=mode)
    with pytest.raises(
        cs.ConvShapeError,
        match=f"Keras pads with zeros only.*Received: padding_mode='{mode}', padding=\\(1, 1\\)",
    ):
        cs.translate(padded, "keras", (None, 2, 6, 6))
    same = cs.torch.Conv1d(2, 3, 3, padding="same", padding_mode=mode)
    with pytest.raises(cs.ConvShapeError, match="Keras pads with zeros only"):
        cs.translate(same, "keras", (None, 2, 6))
    # No padding: the mode changes nothing, and the port is exact.
    for padding in (0, "valid"):
        spec = cs.torch.Conv2d(2, 3, 3, padding=padding, padding_mode=mode)
        module = torch.nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode)
        assert _torch_values_mismatch(torch, spec, module, (1, 2, 6, 6), mode) == []
    kernel_1 = cs.torch.Conv1d(2, 3, 1, padding="same", padding_mode=mode)
    module_1 = torch.nn.Conv1d(2, 3, 1, padding="same", padding_mode=mode)
    assert _torch_values_mismatch(torch, kernel_1, module_1, (1, 2, 5), mode) == []


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        (layers.Conv2D(6, 3, padding="same", groups=3, dilation_rate=2), (None, 9, 8, 3)),
        (layers.Conv2D(4, (3, 2), strides=2, padding="valid", groups=2), (None, 9, 8, 4)),
        (
            layers.Conv3D(4, 2, padding="same", groups=2, dilation_rate=(1, 2, 1)),
            (None, 4, 5, 4, 2),
        ),
        (layers.Conv1D(4, 3, padding="causal", groups=4, dilation_rate=3), (None, 11, 4)),
        (layers.Conv2D(3, 3, padding="same", use_bias=False, activation="linear"), (None, 6, 6, 2)),
        (layers.Conv2DTranspose(3, 3, strides=2, padding="same", use_bias=False), (None, 4, 5, 2)),
        (layers.Conv1DTranspose(2, 3, padding="same", dilation_rate=3), (None, 7, 2)),
    ],
)
def test_keras_grouped_dilated_ports_exactly(
    keras: Any, torch: Any, spec: layers.Layer, shape: tuple[int | None, ...]
) -> None:
    rank = len(shape) - 2
    layer, kernel, bias = _keras_layer(keras, spec, shape[-1] or 1, rank)
    x = RNG.standard_normal((2, *(dim or 1 for dim in shape[1:]))).astype("float32")
    expected = np.asarray(layer(x))
    for target in ("torch", "jax", "onnx"):
        ORACLE_COUNTS[f"translations keras -> {target} proven on values"] += 1
        got = _run_code(cs.translate(spec, target, shape), kernel, bias, x)
        assert got.shape == expected.shape, target
        assert np.allclose(got, expected, atol=1e-4), target


def test_keras_channels_first_ports_exactly(keras: Any, torch: Any) -> None:
    spec = layers.Conv2D(4, 3, padding="same", groups=2, data_format="channels_first")
    layer = keras.layers.Conv2D(4, 3, padding="same", groups=2, data_format="channels_first")
    layer.build((None, 4, 6, 5))
    weights = [RNG.standard_normal(w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    x = RNG.standard_normal((2, 4, 6, 5)).astype("float32")
    expected = np.asarray(layer(x))
    for target in ("torch", "jax", "onnx"):
        got = _run_code(cs.translate(spec, target, (None, 4, 6, 5)), weights[0], weights[1], x)
        assert got.shape == expected.shape, target
        assert np.allclose(got, expected, atol=1e-4), target


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_keras_activation_is_applied_after_the_port(
    keras: Any, torch: Any, activation: str
) -> None:
    """The last layer of TensorFlow's DCGAN generator has activation="tanh": its port is
    the convolution, the crop, then the activation, equal to real Keras on values."""
    cases: list[tuple[layers.Layer, tuple[int | None, ...]]] = [
        (layers.Conv2D(2, 3, activation=activation), (None, 5, 5, 1)),
        (
            layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation=activation),
            (None, 7, 7, 3),
        ),
        (layers.Conv1DTranspose(2, 3, activation=activation, use_bias=False), (None, 5, 1)),
    ]
    for spec, shape in cases:
        rank = len(shape) - 2
        layer, kernel, bias = _keras_layer(keras, spec, shape[-1] or 1, rank)
        x = RNG.standard_normal((2, *(dim or 1 for dim in shape[1:]))).astype("float32")
        expected = np.asarray(layer(x))
        for target in ("torch", "jax", "onnx"):
            translation = cs.translate(spec, target, shape)
            assert translation.activation == activation
            assert f"then the activation: {activation}" in str(translation)
            ORACLE_COUNTS[f"translations keras -> {target} proven on values"] += 1
            got = _run_code(translation, kernel, bias, x)
            assert got.shape == expected.shape, target
            assert np.allclose(got, expected, atol=1e-4), (target, type(spec).__name__)


@pytest.mark.parametrize("activation", ["softmax", "gelu", abs])
def test_keras_activation_the_port_cannot_apply_is_refused(
    activation: str | Callable[..., object],
) -> None:
    spec = layers.Conv2D(2, 3, activation=activation)
    for target in ("torch", "jax", "onnx"):
        with pytest.raises(
            cs.ConvShapeError,
            match=r"applies the activations 'relu', 'sigmoid', 'tanh'.*Received: activation=",
        ):
            cs.translate(spec, target, (None, 5, 5, 1))
    linear = cs.translate(layers.Conv2D(2, 3, activation="linear"), "torch", (None, 5, 5, 1))
    assert linear.activation is None
    assert str(linear).endswith("exact as it is")


@pytest.mark.parametrize("side", ["before", "after", "both"])
def test_port_code_adds_zeros_for_a_negative_crop(keras: Any, torch: Any, side: str) -> None:
    """A negative crop on either side is zeros added there; the bias covers them too."""
    module = torch.nn.Conv1d(2, 3, 3)
    spec = cs.torch.Conv1d(2, 3, 3)
    x = RNG.standard_normal((1, 2, 6)).astype("float32")
    pad = {"before": (2, 0), "after": (0, 1), "both": (1, 3)}[side]
    exact = cs.translate(spec, "keras", (None, 2, 6))
    translation = dataclasses.replace(exact, crop=(cs.Pad(-pad[0], -pad[1]),))
    weight, bias = module.weight.detach().numpy(), module.bias.detach().numpy()
    core = module(torch.as_tensor(x)).detach().numpy() - bias[:, None]
    expected = np.pad(core, [(0, 0), (0, 0), pad]) + bias[:, None]
    got = _run_code(translation, weight, bias, x)
    assert got.shape == expected.shape
    assert np.allclose(got, expected, atol=1e-5)


def test_keras_lora_is_refused(keras: Any) -> None:
    spec = layers.Conv2D(4, 3, lora_rank=2)
    # Real Keras computes with more than the kernel: a port of the kernel alone would differ.
    layer = keras.layers.Conv2D(4, 3, lora_rank=2)
    layer.build((None, None, None, 3))
    assert len(layer.get_weights()) == 4
    for target in ("torch", "jax", "onnx"):
        with pytest.raises(cs.ConvShapeError, match=r"a LoRA layer.*Received: lora_rank=2"):
            cs.translate(spec, target, (None, 6, 6, 3))


def test_torch_port_refuses_strides_and_dilation_on_different_axes(keras: Any) -> None:
    """Keras refuses strides > 1 with dilation_rate > 1 even on different axes; so does the
    port of such a PyTorch convolution."""
    with pytest.raises(ValueError, match="not supported in conjunction with"):
        keras.layers.Conv2D(2, 3, strides=(2, 1), dilation_rate=(1, 2))
    spec = cs.torch.Conv2d(3, 2, 3, stride=(2, 1), dilation=(1, 2))
    with pytest.raises(cs.ConvShapeError, match="strides > 1 and dilation_rate > 1"):
        cs.translate(spec, "keras", (None, 3, 9, 9))


@pytest.mark.parametrize("transposed", [False, True])
def test_torch_port_output_shape_is_the_real_output_in_keras_layout(
    torch: Any, transposed: bool
) -> None:
    """The translation's output_shape is PyTorch's output moved to channels last, the batch
    axis kept (None stays None)."""
    kind = "ConvTranspose2d" if transposed else "Conv2d"
    module = getattr(torch.nn, kind)(3, 2, 4, stride=2, padding=1)
    spec = getattr(cs.torch, kind)(3, 2, 4, stride=2, padding=1)
    real = tuple(module(torch.zeros(5, 3, 9, 7)).shape)
    assert cs.translate(spec, "keras", (5, 3, 9, 7)).output_shape == (5, *real[2:], real[1])
    assert cs.translate(spec, "keras", (None, 3, 9, 7)).output_shape == (None, *real[2:], real[1])

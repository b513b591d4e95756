"""Oracle tests: real Keras 3 layers on the TensorFlow backend, run on real tensors.

Lengths come from the tensors TensorFlow returns (and from Keras's own
``compute_output_shape``); the padding/crop split is read off the values by
comparing with the brute-force references in ``tests/reference.py``, which
take the (before, after) pair convshape reports. Inputs and weights are small
positive integers, so float32 arithmetic is exact and every shift shows.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

import convshape as cs
from convshape import Pad
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import (
    forward_gather,
    pool_gather,
    transpose_cropped,
)

SIZES = [*range(17), 20, 31, 64]
KERNELS = range(1, 8)
STRIDES = range(1, 6)
DILATIONS = (1, 2, 3)

Mismatches = list[str]


@pytest.fixture(scope="module")
def tf() -> Any:
    return oracle("tensorflow")


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


@pytest.fixture(scope="module")
def jax() -> Any:
    module = oracle("jax")
    module.config.update("jax_platforms", "cpu")
    return module


def _ints(rng: random.Random, count: int) -> list[float]:
    return [float(rng.randint(1, 9)) for _ in range(count)]


def _run(layer: Any, x: Sequence[float], tf: Any) -> list[float] | None:
    """Values of ``layer`` on a (1, len(x), 1) tensor, or None when TensorFlow refuses."""
    import numpy as np

    try:
        y = layer(np.asarray(x, dtype="float32").reshape(1, len(x), 1))
    except (tf.errors.OpError, ValueError):
        return None
    values: list[float] = y.numpy()[0, :, 0].tolist()
    return values


def _transpose_expectation(
    size: int, kernel: int, stride: int, padding: str, output_padding: int | None, dilation: int
) -> tuple[int, Pad, bool] | None:
    """(length, crop, warned) from convshape, or None when it rejects the output as empty."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            length = cs.conv_transpose_output_length(
                size, kernel, stride, padding, output_padding, dilation
            )
        except cs.EmptyOutputError:
            return None
    crop = cs.conv_transpose_crop(size, kernel, stride, padding, output_padding, dilation)
    warned = any(issubclass(w.category, cs.ConvShapeWarning) for w in caught)
    return length, crop, warned


def _jax_transpose(
    jax: Any, x: Sequence[float], w: Sequence[float], stride: int, padding: str, dilation: int
) -> list[float]:
    import numpy as np

    y = jax.lax.conv_transpose(
        np.asarray(x, dtype="float32").reshape(1, len(x), 1),
        np.asarray(w, dtype="float32").reshape(len(w), 1, 1),
        (stride,),
        padding.upper(),
        rhs_dilation=(dilation,),
        dimension_numbers=("NWC", "WIO", "NWC"),
        transpose_kernel=True,
    )
    values: list[float] = np.asarray(y)[0, :, 0].tolist()
    return values


def _transpose_configs() -> list[tuple[int, int, str, int | None, int]]:
    configs: list[tuple[int, int, str, int | None, int]] = []
    for kernel in KERNELS:
        for dilation in DILATIONS:
            # Keras rejects strides > 1 together with dilation > 1.
            for stride in STRIDES if dilation == 1 else (1,):
                for padding in ("valid", "same"):
                    for output_padding in (None, *range(stride)):
                        configs.append((kernel, stride, padding, output_padding, dilation))
    return configs


def test_conv1d_transpose_matches_keras_and_tensorflow(keras: Any, tf: Any, jax: Any) -> None:
    import numpy as np

    rng = random.Random(1)
    mismatches: Mismatches = []
    for kernel, stride, padding, output_padding, dilation in _transpose_configs():
        layer = keras.layers.Conv1DTranspose(
            1,
            kernel,
            strides=stride,
            padding=padding,
            output_padding=output_padding,
            dilation_rate=dilation,
            use_bias=False,
        )
        layer.build((None, None, 1))
        w = _ints(rng, kernel)
        layer.set_weights([np.asarray(w, dtype="float32").reshape(kernel, 1, 1)])
        for size in SIZES:
            ORACLE_COUNTS["keras Conv1DTranspose (lengths and values)"] += 1
            case = f"I={size} k={kernel} s={stride} {padding} op={output_padding} d={dilation}"
            x = _ints(rng, size)
            predicted = layer.compute_output_shape((1, size, 1))[1]
            # Keras can predict a negative length (I=0, k=1, s=2, op=0 gives -1);
            # TensorFlow then aborts the whole process instead of raising.
            got = _run(layer, x, tf) if predicted >= 0 else None
            expected = _transpose_expectation(
                size, kernel, stride, padding, output_padding, dilation
            )
            if expected is None:
                if predicted > 0 and got:
                    mismatches.append(f"{case}: convshape rejects, Keras gives {predicted}")
                continue
            length, crop, warned = expected
            if predicted != length:
                mismatches.append(f"{case}: length {length}, Keras predicts {predicted}")
            if got is None:
                # TensorFlow refused at run time: convshape must have warned.
                if not warned:
                    mismatches.append(f"{case}: TensorFlow refused, convshape did not warn")
                continue
            if warned:
                mismatches.append(f"{case}: convshape warned, TensorFlow ran")
            reference = transpose_cropped(x, w, stride, dilation, crop.before, length)
            if got != reference:
                mismatches.append(f"{case}: crop {crop}, TensorFlow values {got} != {reference}")
            if dilation > 1:
                ORACLE_COUNTS["jax conv_transpose (dilated values)"] += 1
                if _jax_transpose(jax, x, w, stride, padding, dilation) != reference:
                    mismatches.append(f"{case}: jax.lax.conv_transpose disagrees")
    assert mismatches == []


def _forward_configs() -> list[tuple[int, int, str, int]]:
    configs: list[tuple[int, int, str, int]] = []
    for kernel in KERNELS:
        for dilation in DILATIONS:
            for stride in STRIDES if dilation == 1 else (1,):
                for padding in ("valid", "same", "causal"):
                    configs.append((kernel, stride, padding, dilation))
    return configs


def _forward_expectation(
    size: int, kernel: int, stride: int, padding: str, dilation: int
) -> tuple[int, Pad] | None:
    try:
        length = cs.conv_output_length(size, kernel, stride, padding, dilation)
    except cs.EmptyOutputError:
        return None
    return length, cs.conv_padding(size, kernel, stride, padding, dilation)


def _keras_predicts(layer: Any, size: int) -> int | None:
    """Keras's compute_output_shape, or None when Keras rejects the size."""
    try:
        length: int = layer.compute_output_shape((1, size, 1))[1]
    except ValueError:
        return None
    return length


def test_conv1d_matches_keras_and_tensorflow(keras: Any, tf: Any) -> None:
    import numpy as np

    rng = random.Random(2)
    mismatches: Mismatches = []
    for kernel, stride, padding, dilation in _forward_configs():
        layer = keras.layers.Conv1D(
            1, kernel, strides=stride, padding=padding, dilation_rate=dilation, use_bias=False
        )
        layer.build((None, None, 1))
        w = _ints(rng, kernel)
        layer.set_weights([np.asarray(w, dtype="float32").reshape(kernel, 1, 1)])
        for size in SIZES:
            ORACLE_COUNTS["keras Conv1D (lengths and values)"] += 1
            case = f"I={size} k={kernel} s={stride} {padding} d={dilation}"
            x = _ints(rng, size)
            predicted = _keras_predicts(layer, size)
            expected = _forward_expectation(size, kernel, stride, padding, dilation)
            if expected is None:
                if predicted is not None:
                    mismatches.append(f"{case}: convshape rejects, Keras predicts {predicted}")
                continue
            length, pad = expected
            if size == 0:
                # TensorFlow's CPU kernels return uninitialised memory for an empty input
                # whose padded length is not empty ("causal", dilated "same"): only Keras's
                # prediction is meaningful there.
                if predicted != length:
                    mismatches.append(f"{case}: length {length}, Keras predicts {predicted}")
                continue
            got = _run(layer, x, tf)
            if predicted != length or got is None:
                mismatches.append(
                    f"{case}: length {length}, Keras {predicted}, ran={got is not None}"
                )
                continue
            reference = forward_gather(x, w, stride, dilation, pad.before, pad.after)
            if got != reference or len(reference) != length:
                mismatches.append(f"{case}: pad {pad}, TensorFlow values {got} != {reference}")
    assert mismatches == []


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling1d_matches_keras_and_tensorflow(keras: Any, tf: Any, kind: str) -> None:
    rng = random.Random(3)
    mismatches: Mismatches = []
    cls = keras.layers.MaxPooling1D if kind == "max" else keras.layers.AveragePooling1D
    for pool in KERNELS:
        for stride in STRIDES:
            for padding in ("valid", "same"):
                layer = cls(pool_size=pool, strides=stride, padding=padding)
                for size in SIZES:
                    ORACLE_COUNTS[f"keras {cls.__name__} (lengths and values)"] += 1
                    case = f"I={size} pool={pool} s={stride} {padding}"
                    x = [float(rng.randint(-50, 50)) for _ in range(size)]
                    predicted = _keras_predicts(layer, size)
                    expected = _forward_expectation(size, pool, stride, padding, 1)
                    if expected is None:
                        if predicted is not None:
                            mismatches.append(f"{case}: convshape rejects, Keras {predicted}")
                        continue
                    length, pad = expected
                    got = _run(layer, x, tf)
                    if predicted != length or got is None:
                        mismatches.append(f"{case}: length {length}, Keras {predicted}")
                        continue
                    reference = pool_gather(x, pool, stride, pad.before, pad.after, kind)
                    if got != pytest.approx(reference, rel=1e-6) or len(got) != length:
                        mismatches.append(f"{case}: pad {pad}, values {got} != {reference}")
    assert mismatches == []


def test_tensorflow_accepts_exactly_the_output_range(tf: Any) -> None:
    """tf.nn.conv1d_transpose with an explicit output_shape accepts exactly
    conv_transpose_output_range, with two TensorFlow quirks pinned here:
    it skips the check when the input or the output is empty, and for an
    input of length 1 under VALID its truncating C++ division
    ``(O - k) / s + 1`` also lets through ``max(1, k - s + 1) <= O < k``,
    lengths its own forward VALID convolution answers with uninitialised
    memory and Keras rejects as "zero or negative"."""
    rng = random.Random(4)
    mismatches: Mismatches = []
    for size in range(1, 9):
        x = tf.constant(_ints(rng, size), shape=(1, size, 1))
        for kernel in KERNELS:
            w = tf.constant(_ints(rng, kernel), shape=(kernel, 1, 1))
            for stride in range(1, 5):
                for padding in ("VALID", "SAME"):
                    accepted = set()
                    for length in range(1, size * stride + kernel + stride + 1):
                        ORACLE_COUNTS["tf.nn.conv1d_transpose output_shape"] += 1
                        try:
                            tf.nn.conv1d_transpose(
                                x, w, output_shape=(1, length, 1), strides=stride, padding=padding
                            )
                        except tf.errors.OpError:
                            continue
                        accepted.add(length)
                    ours = set(cs.conv_transpose_output_range(size, kernel, stride, padding))
                    if size == 1 and padding == "VALID":
                        ours |= set(range(max(1, kernel - stride + 1), kernel))
                    if ours != accepted:
                        mismatches.append(
                            f"I={size} k={kernel} s={stride} {padding}: "
                            f"{sorted(ours)} != TensorFlow {sorted(accepted)}"
                        )
    assert mismatches == []


# -- 2D and 3D spot checks --------------------------------------------------
# A separable input x = a (x) b and kernel w = u (x) v give a separable output,
# the outer product of the 1D results; so the per-axis crop/pad shows in the values.

SPOT_TRANSPOSE = [
    # kernel, strides, padding, output_padding
    ((5, 3), (2, 1), "same", None),
    ((4, 5), (2, 3), "same", None),
    ((4, 3), (2, 2), "same", (1, 0)),
    ((1, 2), (3, 4), "same", None),
    ((3, 6), (3, 2), "valid", None),
    ((2, 1), (3, 2), "valid", (2, 1)),
    ((7, 4), (1, 5), "same", (0, 3)),
    ((5, 5), (2, 2), "same", (1, 1)),
]
SPOT_SIZES_2D = [(7, 7), (1, 5), (4, 9), (6, 3)]


def _outer(*vectors: Sequence[float]) -> Any:
    import numpy as np

    result = np.asarray(vectors[0], dtype="float64")
    for vector in vectors[1:]:
        result = np.multiply.outer(result, np.asarray(vector, dtype="float64"))
    return result


PerAxis = Callable[[int, Sequence[float], Sequence[float]], list[float]]


def _transposed_axes(
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: str,
    output_padding: Sequence[int] | None,
) -> PerAxis:
    """The 1D reference of one axis of a transposed convolution, cropped as convshape says."""
    ops = output_padding or (None,) * len(kernel)

    def per_axis(axis: int, x: Sequence[float], w: Sequence[float]) -> list[float]:
        args = (len(x), kernel[axis], strides[axis], padding, ops[axis])
        length = cs.conv_transpose_output_length(*args)
        crop = cs.conv_transpose_crop(*args)
        return transpose_cropped(x, w, strides[axis], 1, crop.before, length)

    return per_axis


def _forward_axes(
    kernel: Sequence[int], strides: Sequence[int], padding: str, dilation: Sequence[int]
) -> PerAxis:
    """The 1D reference of one axis of a forward convolution, padded as convshape says."""

    def per_axis(axis: int, x: Sequence[float], w: Sequence[float]) -> list[float]:
        pad = cs.conv_padding(len(x), kernel[axis], strides[axis], padding, dilation[axis])
        return forward_gather(x, w, strides[axis], dilation[axis], pad.before, pad.after)

    return per_axis


def _check_nd(
    layer: Any,
    sizes: Sequence[int],
    kernels: Sequence[int],
    per_axis: PerAxis,
    rng: random.Random,
) -> str | None:
    """Run a channels_last N-d layer on a separable tensor; compare with per-axis 1D results."""
    import numpy as np

    axes_x = [_ints(rng, n) for n in sizes]
    axes_w = [_ints(rng, k) for k in kernels]
    layer.build((None, *[None] * len(sizes), 1))
    layer.set_weights([_outer(*axes_w).reshape(*kernels, 1, 1).astype("float32")])
    expected = _outer(*(per_axis(axis, axes_x[axis], axes_w[axis]) for axis in range(len(sizes))))
    x = _outer(*axes_x).reshape(1, *sizes, 1).astype("float32")
    predicted = tuple(layer.compute_output_shape((1, *sizes, 1))[1:-1])
    got = np.asarray(layer(x))[0, ..., 0]
    if predicted != expected.shape or got.shape != expected.shape:
        return f"shape: convshape {expected.shape}, Keras {predicted}, TensorFlow {got.shape}"
    if not np.array_equal(got, expected):
        return "values differ"
    return None


@pytest.mark.parametrize(("kernel", "strides", "padding", "output_padding"), SPOT_TRANSPOSE)
@pytest.mark.parametrize("sizes", SPOT_SIZES_2D)
def test_conv2d_transpose_spot_checks(
    keras: Any,
    kernel: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    output_padding: tuple[int, int] | None,
    sizes: tuple[int, int],
) -> None:
    ORACLE_COUNTS["keras Conv2DTranspose spot checks"] += 1
    per_axis = _transposed_axes(kernel, strides, padding, output_padding)
    layer = keras.layers.Conv2DTranspose(
        1, kernel, strides=strides, padding=padding, output_padding=output_padding, use_bias=False
    )
    assert _check_nd(layer, sizes, kernel, per_axis, random.Random(5)) is None


SPOT_FORWARD = [
    ((5, 3), (2, 1), "same", (1, 1)),
    ((4, 6), (3, 5), "same", (1, 1)),
    ((3, 3), (1, 1), "same", (2, 3)),
    ((2, 3), (2, 3), "valid", (1, 1)),
    ((1, 4), (4, 1), "valid", (1, 1)),
]


@pytest.mark.parametrize(("kernel", "strides", "padding", "dilation"), SPOT_FORWARD)
@pytest.mark.parametrize("sizes", [(13, 13), (9, 8), (6, 11)])
def test_conv2d_spot_checks(
    keras: Any,
    kernel: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
    sizes: tuple[int, int],
) -> None:
    ORACLE_COUNTS["keras Conv2D spot checks"] += 1

    per_axis = _forward_axes(kernel, strides, padding, dilation)

    layer = keras.layers.Conv2D(
        1, kernel, strides=strides, padding=padding, dilation_rate=dilation, use_bias=False
    )
    assert _check_nd(layer, sizes, kernel, per_axis, random.Random(6)) is None


@pytest.mark.parametrize(
    ("kernel", "strides", "padding", "output_padding", "sizes"),
    [
        ((3, 4, 5), (1, 2, 3), "same", None, (4, 5, 3)),
        ((2, 3, 1), (2, 1, 3), "valid", None, (3, 2, 4)),
        ((5, 2, 3), (2, 2, 2), "same", (1, 1, 0), (3, 3, 2)),
    ],
)
def test_conv3d_transpose_spot_checks(
    keras: Any,
    kernel: tuple[int, int, int],
    strides: tuple[int, int, int],
    padding: str,
    output_padding: tuple[int, int, int] | None,
    sizes: tuple[int, int, int],
) -> None:
    ORACLE_COUNTS["keras Conv3DTranspose spot checks"] += 1
    per_axis = _transposed_axes(kernel, strides, padding, output_padding)
    layer = keras.layers.Conv3DTranspose(
        1, kernel, strides=strides, padding=padding, output_padding=output_padding, use_bias=False
    )
    assert _check_nd(layer, sizes, kernel, per_axis, random.Random(7)) is None


@pytest.mark.parametrize(
    ("kernel", "strides", "padding", "sizes"),
    [
        ((3, 4, 5), (1, 2, 3), "same", (7, 6, 8)),
        ((2, 3, 1), (2, 1, 3), "valid", (5, 4, 7)),
    ],
)
def test_conv3d_spot_checks(
    keras: Any,
    kernel: tuple[int, int, int],
    strides: tuple[int, int, int],
    padding: str,
    sizes: tuple[int, int, int],
) -> None:
    ORACLE_COUNTS["keras Conv3D spot checks"] += 1

    per_axis = _forward_axes(kernel, strides, padding, (1, 1, 1))

    layer = keras.layers.Conv3D(1, kernel, strides=strides, padding=padding, use_bias=False)
    assert _check_nd(layer, sizes, kernel, per_axis, random.Random(8)) is None


def test_keras_same_even_kernel_pitfall_is_real(keras: Any, tf: Any) -> None:
    """Keras predicts (I - 1) * s for "same", even kernel, output_padding=0;
    TensorFlow then refuses to run it; convshape returns Keras's value and warns."""
    import numpy as np

    ORACLE_COUNTS["keras pitfall"] += 1
    layer = keras.layers.Conv1DTranspose(1, 4, strides=2, padding="same", output_padding=0)
    assert layer.compute_output_shape((1, 7, 1))[1] == 12
    with pytest.raises(tf.errors.OpError):
        layer(np.zeros((1, 7, 1), dtype="float32"))
    with pytest.warns(cs.ConvShapeWarning, match="TensorFlow rejects it"):
        assert cs.conv_transpose_output_length(7, 4, 2, "same", 0) == 12

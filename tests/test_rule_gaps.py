"""Rules a mutation run (scripts/mutate.py) could change without a test noticing, each
pinned here, against the real framework where one shows the rule.

- ``output-padding-no-effect`` (pitfalls): found exactly when Keras computes the same
  output, values included, with the output_padding as without it.
- The TensorFlow adaptive max pooling crash (pitfalls): read on the last *spatial* axis,
  which is the last axis under channels_last and not under channels_first.
- ``translate`` of a channels_first layer (porting): PyTorch's module built from its
  arguments runs on the layer's input and gives the layer's output shape.
- A translation's text names a crop only where there is one (porting).
- check()'s per-axis rules read each axis's own padding (pitfalls).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from tests.oracles import ORACLE_COUNTS, oracle


def _codes(layer: Any, shape: tuple[int | None, ...]) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        return [finding.code for finding in cs.check(layer, shape)]


def _keras_output(keras: Any, weights: Any, x: Any, **kwargs: Any) -> Any:
    layer = keras.layers.Conv1DTranspose(1, use_bias=False, **kwargs)
    layer.build(x.shape)
    layer.set_weights([weights])
    return layer(x).numpy()


def test_output_padding_no_effect_exactly_when_keras_computes_the_same() -> None:
    keras = oracle("keras")
    import numpy as np

    rng = np.random.default_rng(15)
    size = 5
    x = rng.standard_normal((1, size, 1)).astype("float32")
    compared = 0
    for k, s, padding in itertools.product(range(1, 6), range(1, 4), ("valid", "same")):
        weights = rng.standard_normal((k, 1, 1)).astype("float32")
        plain = _keras_output(keras, weights, x, kernel_size=k, strides=s, padding=padding)
        for op in range(s):
            try:
                padded = _keras_output(
                    keras, weights, x, kernel_size=k, strides=s, padding=padding, output_padding=op
                )
            except Exception:  # TensorFlow refuses the length Keras predicts (tested elsewhere)
                continue
            same = padded.shape == plain.shape and bool(np.allclose(padded, plain))
            layer = layers.Conv1DTranspose(1, k, strides=s, padding=padding, output_padding=op)
            found = "output-padding-no-effect" in _codes(layer, (None, size, 1))
            assert found == same, (k, s, padding, op)
            compared += 1
    ORACLE_COUNTS["keras output_padding without effect"] += compared
    assert compared > 40


#: (layer, input shape, whether an output or input of 1 sits on the last spatial axis)
ADAPTIVE = [
    (layers.AdaptiveMaxPooling2D((3, 1)), (None, 5, 7, 2), True),
    (layers.AdaptiveMaxPooling2D((1, 3)), (None, 5, 7, 2), False),
    (layers.AdaptiveMaxPooling2D((2, 3)), (None, 5, 1, 2), True),
    (layers.AdaptiveMaxPooling2D((2, 3)), (None, 1, 7, 2), False),
    (layers.AdaptiveMaxPooling2D((3, 1), data_format="channels_first"), (None, 2, 5, 7), True),
    (layers.AdaptiveMaxPooling2D((1, 3), data_format="channels_first"), (None, 2, 5, 7), False),
    (layers.AdaptiveMaxPooling2D((2, 3), data_format="channels_first"), (None, 1, 5, 7), False),
    (layers.AdaptiveMaxPooling2D((2, 3), data_format="channels_first"), (None, 2, 5, 1), True),
    (layers.AdaptiveMaxPooling1D(1, data_format="channels_first"), (None, 3, 6), True),
    (layers.AdaptiveMaxPooling1D(2, data_format="channels_first"), (None, 1, 6), False),
    (layers.AdaptiveMaxPooling1D(2), (None, 1, 6), True),
    (layers.AdaptiveMaxPooling1D(2), (None, 6, 1), False),
]


@pytest.mark.parametrize(
    ("layer", "shape", "crashes"),
    ADAPTIVE,
    ids=[
        f"{layer.data_format}-{'x'.join(map(str, shape[1:]))}-{c}" for layer, shape, c in ADAPTIVE
    ],
)
def test_adaptive_max_pool_crash_reads_the_last_spatial_axis(
    layer: Any, shape: tuple[int | None, ...], crashes: bool
) -> None:
    # tests/test_oracle_tf_adaptive_crash.py shows the crash itself, channels_last only
    # (TensorFlow's CPU kernels run no channels_first pooling).
    assert ("tensorflow-adaptive-max-pool-crash" in _codes(layer, shape)) == crashes


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (layers.Conv2D(4, (3, 2), strides=(2, 1), data_format="channels_first"), (2, 3, 9, 8)),
        (layers.Conv2DTranspose(4, 3, strides=2, data_format="channels_first"), (2, 3, 5, 6)),
        (layers.Conv1D(5, 4, dilation_rate=2, data_format="channels_first"), (2, 3, 11)),
    ],
    ids=["conv2d", "conv2d_transpose", "conv1d_dilated"],
)
def test_a_channels_first_port_runs_in_torch_with_the_layers_shape(
    layer: Any, shape: tuple[int, ...]
) -> None:
    torch = oracle("torch")
    translation = cs.translate(layer, "torch", (None, *shape[1:]))
    assert translation.exact
    module = getattr(torch.nn, translation.kind)(**translation.kwargs)
    with torch.no_grad():
        output = module(torch.zeros(shape))
    assert tuple(output.shape) == (shape[0], *layer.compute_output_shape(shape)[1:])
    ORACLE_COUNTS["torch channels_first ports"] += 1


def test_a_translation_names_a_crop_only_where_there_is_one() -> None:
    exact = cs.translate(layers.Conv1DTranspose(1, 4, 2), "torch", (None, 5, 1))
    assert "crop" not in str(exact)
    cropped = cs.translate(layers.Conv1DTranspose(1, 5, 2, "same"), "torch", (None, 7, 1))
    assert "then crop the output: [(0, 1)]" in str(cropped)


@pytest.mark.parametrize(("k", "s"), [(1, 2), (2, 4), (3, 5), (4, 2), (9, 10), (33, 40)])
def test_checkerboard_gaps_are_the_offsets_keras_leaves_without_a_tap(k: int, s: int) -> None:
    keras = oracle("keras")
    import numpy as np

    size = 4
    real = keras.layers.Conv1DTranspose(1, k, strides=s, kernel_initializer="ones", use_bias=False)
    y = real(np.ones((1, size, 1), "float32")).numpy()[0, :, 0]
    reached = sorted({int(i) % s for i in np.flatnonzero(y)})
    ours = [
        str(finding)
        for finding in cs.check(layers.Conv1DTranspose(1, k, s), (None, size, 1))
        if finding.code == "checkerboard-gaps"
    ]
    gaps = s - len(reached)
    assert len(ours) == (gaps > 0)
    if ours:
        assert f": {gaps} of every {s} output positions get no kernel tap" in ours[0]
        listed = reached if len(reached) <= 32 else reached[:8]  # the message lists 8 past 32
        assert ", ".join(map(str, listed)) + ("]" if len(reached) <= 32 else ", ...") in ours[0]
    ORACLE_COUNTS["keras checkerboard offsets"] += 1


def test_the_per_axis_rules_read_each_axis_its_own_window() -> None:
    """check()'s per-axis rules take any Windowed (a Keras layer, a PyTorch spec, a solver's
    probe): each axis is read with its own padding, not the first axis's."""
    from convshape.layers._spatial import AxisGeometry
    from convshape.pitfalls import _transposed

    @dataclass(frozen=True)
    class Probe:
        geometry: tuple[AxisGeometry, ...]

    # Kernel 4, stride 2, output_padding 0: Keras's 'same' predicts a length TensorFlow
    # rejects; 'valid' does not.
    same, valid = (
        AxisGeometry(1 + i, 4, 2, 1, mode, 0, True) for i, mode in enumerate(("same", "valid"))
    )
    found = {(code, dim) for code, dim, _ in _transposed(Probe((same, valid)), (None, 5, 5, 1))}
    assert ("keras-same-rejected-by-tensorflow", 0) in found
    assert ("keras-same-rejected-by-tensorflow", 1) not in found
    alone = {code for code, _, _ in _transposed(Probe((valid,)), (None, 5, 1))}
    assert {code for code, dim in found if dim == 1} == alone


def test_a_field_as_long_as_the_input_misses_nothing() -> None:
    """``field-misses-input`` is for a field shorter than the input: kernel 5 over 5
    positions sees all of them, over 6 it does not (a ``<=`` here went unnoticed)."""
    for length, codes in [(5, []), (6, ["field-misses-input"])]:
        model = cs.Sequential([cs.Input((length, 1)), layers.Conv1D(1, 5)])
        assert [finding.code for finding in cs.check(model)] == codes, length
    wide = cs.Sequential([cs.Input((6, 1)), layers.Conv1D(1, 5)])
    assert (
        cs.check(wide)[0].message
        == "each output position sees at most 5 of 6 along axis 1 (jump 1)"
    )


def test_a_rejected_size_keeps_the_whole_reason() -> None:
    """The finding of a size the model refuses is the diagnosis's reason, whole, even when
    it holds ": " itself (only the layer's name before it is cut)."""
    model = cs.Sequential([cs.Input((None, 1)), layers.Conv1D(2, 5, name="conv")])
    (finding,) = cs.check(model, input_shape=(None, 3, 1))
    assert finding.code == "size-rejected"
    assert finding.layer == "conv"
    assert finding.message.startswith("Conv1D: in spatial dimension 0 the effective kernel (5)")
    assert "so the output would be empty. Received: input_shape=(None, 3, 1)" in finding.message

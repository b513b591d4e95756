"""Explanations (golden files) and pitfall findings (trap present and absent, confirmed
with real Keras where a framework can show the trap)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape import Input, Sequential, layers
from tests.oracles import ORACLE_COUNTS, oracle
from tests.zoo import dcgan_generator

GOLDEN = Path(__file__).parent / "golden"

EXPLANATIONS: dict[str, Callable[[], cs.Explanation]] = {
    "explain_seed_7_to_14": lambda: cs.explain_conv_transpose(7, 5, 2, "same"),
    "explain_seed_14_to_28": lambda: cs.explain_conv_transpose(14, 5, 2, "same"),
    "explain_seed_28_to_84": lambda: cs.explain_conv_transpose(28, 5, 3, "same"),
    "explain_tf_docs_13_6_5": lambda: cs.explain_conv(13, 6, 5, "same"),
    "explain_causal_dilated": lambda: cs.explain_conv(10, 3, 1, "causal", 2),
    "explain_valid_output_padding": lambda: cs.explain_conv_transpose(4, 3, 2, "valid", 1),
    "explain_kernel_below_stride": lambda: cs.explain_conv_transpose(4, 1, 3, "same"),
    "explain_torch_style_padding": lambda: cs.explain_conv_transpose(5, 4, 2, 1, 1),
    "explain_torch_pool_ceil_mode": lambda: cs.explain_pool(
        8, 3, 2, 0, framework="torch", ceil_mode=True
    ),
    "explain_onnx_average_pool_same_lower": lambda: cs.explain_pool(
        9, 3, 2, "SAME_LOWER", framework="onnx", kind="average"
    ),
    "explain_keras_pooling_layer": lambda: layers.MaxPooling2D(
        3, strides=2, padding="same"
    ).explain((None, 25, 24, 3)),
    "explain_conv3d_two_axes_alike": lambda: layers.Conv3D(1, (3, 3, 5), padding="same").explain(
        (None, 8, 8, 9, 1)
    ),
    "explain_seed_model": lambda: dcgan_generator(
        SimpleNamespace(Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers)
    ).explain(),
}


@pytest.mark.parametrize("name", sorted(EXPLANATIONS))
def test_explanation_golden(name: str, update_golden: bool) -> None:
    text = str(EXPLANATIONS[name]()) + "\n"
    path = GOLDEN / f"{name}.txt"
    if update_golden:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_seed_explanations_say_why() -> None:
    seven = str(cs.explain_conv_transpose(7, 5, 2, "same"))
    assert "removes 3 // 2 = 1 before and 3 - 1 = 2 after (the odd one at the end)" in seven
    assert "has no integer p (p = 1.5)" in seven
    assert "padding=1, output_padding=0, then drop the last 1 element." in seven
    eighty_four = str(cs.explain_conv_transpose(28, 5, 3, "same"))
    assert "removes 2 // 2 = 1 before and 2 - 1 = 1 after." in eighty_four
    assert "relationship 13/14" in eighty_four


def test_the_tf_docs_diagram() -> None:
    assert cs.explain_conv(13, 6, 5, "same").diagram == (
        "The window of each output position over the input:",
        "input:       p  1  2  3  4  5  6  7  8  9 10 11 12 13  p  p",
        "output 1:   [================]",
        "output 2:                  [================]",
        "output 3:                                 [================]",
        "Key: p zero padding; [===] what one window reads",
    )


def test_axes_alike_are_explained_once() -> None:
    cube = layers.Conv3D(1, 3, strides=2).explain((None, 9, 9, 9, 1))
    assert [part.title.split(":")[0] for part in cube.parts] == ["depth, height and width"]
    mixed = layers.Conv3D(1, (3, 5, 3)).explain((None, 9, 9, 9, 1))
    assert [part.title.split(":")[0] for part in mixed.parts] == ["depth and width", "height"]
    sizes = layers.Conv2D(1, 3).explain((None, 9, 8, 1))
    assert [part.title.split(":")[0] for part in sizes.parts] == ["height", "width"]
    line = layers.Conv1D(1, 3).explain((None, 9, 1))
    assert [part.title.split(":")[0] for part in line.parts] == ["length"]


def test_pooling_layers_explain_a_pooling() -> None:
    for layer, heading in [
        (layers.MaxPooling2D(2), "height and width: Max pooling (Keras/TensorFlow): size 6, "),
        (layers.AveragePooling1D(2), "length: Average pooling (Keras/TensorFlow): size 6, "),
    ]:
        rank = len(layer.geometry)
        text = str(layer.explain((None, *(6,) * rank, 1)))
        assert heading in text
        assert "Convolution" not in text
        assert "dilation" not in text


def test_layer_and_model_explanations() -> None:
    layer = layers.Conv2DTranspose(1, 5, strides=(2, 3), padding="same")
    explanation = layer.explain((None, 7, None, 3))
    assert explanation.title == (
        "conv2d_transpose (Conv2DTranspose): (None, 7, None, 3) -> (None, 14, None, 1)"
    )
    assert explanation.parts[1].title == "width: unknown size, unknown output"
    assert layers.Dense(3).explain((None, 4)).parts == ()
    html = explanation._repr_html_()
    assert html.startswith('<div class="convshape-explanation"')
    assert "&#x27;same&#x27;" in html
    assert html.count("<svg") == 1  # the width is unknown: nothing to draw
    with pytest.raises(cs.ConvShapeError, match="has no input shape yet"):
        Sequential([layers.Dense(2)]).explain()


def _codes(target: Any, input_shape: Any = None) -> list[str]:
    return [finding.code for finding in cs.check(target, input_shape)]


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


def test_keras_same_rejected_finding(keras: Any) -> None:
    import numpy as np

    tf = oracle("tensorflow")
    assert _codes(layers.Conv1DTranspose(1, 4, 2, "same", 0)) == [
        "keras-same-rejected-by-tensorflow"
    ]
    assert "keras-same-rejected-by-tensorflow" not in _codes(
        layers.Conv1DTranspose(1, 4, 2, "same", 1)
    )
    assert "keras-same-rejected-by-tensorflow" not in _codes(
        layers.Conv1DTranspose(1, 4, 2, "same")
    )
    ORACLE_COUNTS["keras pitfall confirmations"] += 2
    with pytest.raises(tf.errors.OpError):
        keras.layers.Conv1DTranspose(1, 4, 2, "same", 0)(np.ones((1, 7, 1), "float32"))
    keras.layers.Conv1DTranspose(1, 4, 2, "same", 1)(np.ones((1, 7, 1), "float32"))


def test_odd_size_downsampling_finding() -> None:
    odd = Sequential([Input((25, 24, 3)), layers.MaxPooling2D(padding="same")])
    findings = cs.check(odd)
    assert [f.code for f in findings] == ["odd-size-downsampling", "field-misses-input"]
    assert findings[0].message.endswith("(height)")
    assert findings[1].message == (
        "each output position sees at most 2 of 25 along axis 1 (jump 2); "
        "2 of 24 along axis 2 (jump 2)"
    )
    assert "size 25 becomes 13 with strides 2; upsampling it by 2 gives 26, not 25" in str(
        findings[0]
    )
    assert _codes(Sequential([Input((24, 24, 3)), layers.MaxPooling2D(padding="same")])) == [
        "field-misses-input"
    ]
    assert _codes(layers.Conv1D(4, 3, strides=2), (None, 9, 1)) == ["odd-size-downsampling"]
    assert _codes(layers.Conv1D(4, 3, strides=2, padding="same"), (None, 10, 1)) == []


def test_torch_port_finding() -> None:
    assert _codes(layers.Conv2DTranspose(8, 5, 2, "same")) == [
        "torch-port-needs-crop",
        "uneven-overlap",
    ]
    assert _codes(layers.Conv2DTranspose(8, 4, 2, "same")) == []
    assert _codes(layers.Conv2DTranspose(8, 5, 2, "valid")) == ["uneven-overlap"]


def test_uneven_overlap_and_skipped_inputs() -> None:
    assert _codes(layers.Conv1DTranspose(1, 4, 2, "same")) == []
    assert _codes(layers.Conv1DTranspose(1, 3, 2, "valid")) == ["uneven-overlap"]
    assert "output positions get 1 or 2 kernel taps in turn" in str(
        cs.check(layers.Conv1DTranspose(1, 3, 2, "valid"))[0]
    )
    assert _codes(layers.Conv1D(1, 1, strides=2)) == ["inputs-never-read"]
    assert _codes(layers.MaxPooling1D(2, strides=3)) == ["inputs-never-read"]
    assert _codes(layers.Conv1D(1, 3, strides=2)) == []
    whole = Sequential([Input((16, 1)), layers.Conv1D(2, 3), layers.GlobalAveragePooling1D()])
    assert "field-misses-input" not in _codes(whole)


def test_checkerboard_finding(keras: Any) -> None:
    import numpy as np

    assert _codes(layers.Conv1DTranspose(1, 1, strides=3)) == ["checkerboard-gaps"]
    assert _codes(layers.Conv1DTranspose(1, 3, strides=3)) == []
    ORACLE_COUNTS["keras pitfall confirmations"] += 2
    gaps = keras.layers.Conv1DTranspose(1, 2, strides=3, use_bias=False)
    gaps.build((None, None, 1))
    gaps.set_weights([np.ones((2, 1, 1), "float32")])
    values = np.asarray(gaps(np.ones((1, 5, 1), "float32")))[0, :, 0]
    assert (values == 0).any()
    assert _codes(layers.Conv1DTranspose(1, 2, strides=3)) == ["checkerboard-gaps"]
    full = keras.layers.Conv1DTranspose(1, 3, strides=3, use_bias=False)
    full.build((None, None, 1))
    full.set_weights([np.ones((3, 1, 1), "float32")])
    assert (np.asarray(full(np.ones((1, 5, 1), "float32"))) != 0).all()


def test_output_padding_no_effect_finding(keras: Any) -> None:
    # k=3, s=2, "same" crops 0 before and 1 after: a PyTorch port needs a crop too.
    assert _codes(layers.Conv1DTranspose(1, 3, 2, "same", 1)) == [
        "output-padding-no-effect",
        "torch-port-needs-crop",
        "uneven-overlap",
    ]
    assert _codes(layers.Conv1DTranspose(1, 3, 2, "same", 0)) == ["uneven-overlap"]
    assert _codes(layers.Conv1DTranspose(1, 3, 4, "valid", 1)) == [
        "output-padding-no-effect",  # Keras's default for valid is max(k, s) - k = 1 already
        "checkerboard-gaps",
    ]
    ORACLE_COUNTS["keras pitfall confirmations"] += 1
    with_op = keras.layers.Conv1DTranspose(1, 3, 2, "same", output_padding=1)
    without = keras.layers.Conv1DTranspose(1, 3, 2, "same")
    assert with_op.compute_output_shape((1, 7, 1)) == without.compute_output_shape((1, 7, 1))


def test_check_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="check\\(\\) takes a convshape layer or model"):
        cs.check("model")  # type: ignore[arg-type]
    assert cs.check(layers.Dense(3)) == []

"""input_sizes and diagnose without a framework: the contract, the closed form, the
errors; tests/test_oracle_keras_sizes.py compares them with real Keras."""

from __future__ import annotations

import pytest

import convshape as cs
from convshape import Input, Model, layers


def _unet(depth: int = 2, shape: tuple[int | None, ...] = (None, None, 1)) -> Model:
    inputs = x = Input(shape)
    skips = []
    for _ in range(depth):
        x = layers.Conv2D(2, 3, padding="same")(x)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    for level in reversed(range(depth)):
        x = layers.Conv2DTranspose(2, 2, strides=2)(x)
        x = layers.Concatenate()([x, skips[level]])
    return Model(inputs, x)


def test_contract_of_an_axis() -> None:
    found = cs.input_sizes(_unet(), range(1, 101))
    height = found.axes[0]
    assert (height.input_index, height.axis) == (0, 1)
    assert height.values == tuple(range(4, 101, 4))
    assert (height.period, height.offsets, height.smallest) == (4, (0,), 4)
    assert height.closed_form == "n = 4k (k >= 1)"
    assert height.nearest(10) == (8, 12)
    assert height.nearest(8) == (8, 8)
    assert height.nearest(2) == (None, 4)
    assert height.nearest(103) == (100, 104)  # beyond the tried range, from the closed form
    assert 104 in height
    assert 102 not in height
    assert height.same_size == height.values
    assert height.failures[6] == "concatenate"
    assert found.independent
    assert found.to_dict()["axes"][1]["axis"] == 2
    assert "Why: max_pooling2d, max_pooling2d_1 divide the length by 2 x 2 = 4" in str(found)


def test_fixed_sizes_and_axes_that_depend_on_each_other() -> None:
    inputs = Input((12, 10, 3))
    x = layers.Conv2D(4, 3)(inputs)
    model = Model(inputs, layers.Dense(2)(layers.Flatten()(x)))
    found = cs.input_sizes(model, range(1, 30))
    assert found.axes[0].values == (12,)
    assert found.axes[1].values == (10,)
    assert not found.independent
    assert "not independent" in str(found)
    assert found.axes[0].failures[11] == "dense"


def test_several_inputs() -> None:
    a, b = Input((None, 4), name="a"), Input((None, 4), name="b")
    merged = layers.Add()([layers.Conv1D(4, 3)(a), b])
    found = cs.input_sizes(Model([a, b], merged), range(1, 20))
    # Varied together, only 3 works (a gives 1, which Add broadcasts); so each is varied
    # with the other at 3: a gives 1 or matches b's 3, and a's 1 broadcasts to any b.
    assert found.inputs[0].axes[0].values == (3, 5)
    assert found.inputs[1].axes[0].values == tuple(range(1, 20))


def test_empty_outputs_and_no_period() -> None:
    inputs = Input((None, 1))
    x = layers.Conv1D(1, 5)(inputs)
    found = cs.input_sizes(Model(inputs, x), range(1, 12)).axes[0]
    assert found.values == tuple(range(5, 12))
    assert found.closed_form == "n >= 5"
    assert found.failures[4] == "conv1d"
    none = cs.input_sizes(Model(inputs, layers.Conv1D(1, 50)(inputs)), range(1, 10)).axes[0]
    assert none.values == ()
    assert none.nearest(5) == (None, None)
    assert "no valid length in 1..9" in str(none)


@pytest.mark.parametrize(
    ("sizes", "error", "match"),
    [
        ([], cs.ConvShapeError, "`sizes` is empty"),
        ([0, 1], cs.ConvShapeError, "`sizes` must hold lengths >= 1"),
        ([1.5], TypeError, "`sizes` must hold ints, not float"),
    ],
    ids=["empty", "zero", "float"],
)
def test_bad_sizes(sizes: list[object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        cs.input_sizes(_unet(), sizes)  # type: ignore[arg-type]


def test_rejects_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="input_sizes\\(\\) takes a convshape model"):
        cs.input_sizes(layers.Dense(2))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="diagnose\\(\\) takes a convshape model"):
        cs.diagnose(layers.Dense(2), (None, 2))  # type: ignore[arg-type]
    with pytest.raises(cs.ConvShapeError, match="has 1 input; give one shape for each"):
        cs.diagnose(_unet(), [(None, 8, 8, 1), (None, 8, 8, 1)])


def test_diagnosis_of_a_failing_merge() -> None:
    model = _unet()
    assert cs.diagnose(model, (None, 8, 12, 1)) is None
    found = cs.diagnose(model, (None, 10, 8, 1))
    assert found is not None
    assert (found.layer, found.class_name, found.axes) == ("concatenate", "Concatenate", (1,))
    assert found.shapes == [(None, 4, 4, 2), (None, 5, 4, 2)]
    assert "max_pooling2d_1 (MaxPooling2D) turns 5 into 2 with stride 2" in found.message
    assert [fix.kind for fix in found.fixes] == ["input-size", "crop", "pad", "output-padding"]
    assert found.fixes[0].input_shapes == ((None, 8, 8, 1), (None, 12, 8, 1))
    crop = found.fixes[1].edits[0]
    assert (crop.target, crop.position, type(crop.layer).__name__) == (
        "concatenate",
        1,
        "Cropping2D",
    )
    assert found.to_dict()["layer"] == "concatenate"
    assert "<pre>" in found._repr_html_()
    findings = cs.check(model, (None, 10, 8, 1))
    assert [finding.code for finding in findings] == ["size-mismatch"]


def test_diagnosis_of_an_empty_output() -> None:
    inputs = Input((None, None, 1))
    model = Model(inputs, layers.Conv2D(1, 5)(inputs))
    found = cs.diagnose(model, (None, 3, 9, 1))
    assert found is not None
    assert found.layer == "conv2d"
    assert "output would be empty" in found.message
    assert [fix.kind for fix in found.fixes] == ["input-size"]
    assert [finding.code for finding in cs.check(model, (None, 3, 9, 1))] == ["size-rejected"]


def test_one_dimensional_cropping_and_padding() -> None:
    """Cropping1D and ZeroPadding1D keep one (before, after) pair, not one per axis."""
    x = Input((None, 1))
    cropped = cs.input_sizes(Model(x, layers.Cropping1D((1, 2))(x)), range(1, 10)).axes[0]
    assert cropped.values == tuple(range(4, 10))
    padded = cs.input_sizes(Model(x, layers.ZeroPadding1D((0, 1))(x)), range(1, 10)).axes[0]
    assert padded.output_lengths[5] == 6


def test_a_finite_answer_lists_its_lengths() -> None:
    # Flatten then Dense fix the length: the accepted lengths are a finite run, printed
    model = cs.Sequential(
        [
            cs.Input((28, 28, 1)),
            cs.layers.Conv2D(8, 5, strides=2, padding="same"),
            cs.layers.Conv2D(8, 5, strides=2, padding="same"),
            cs.layers.Flatten(),
            cs.layers.Dense(1),
        ]
    )
    sizes = cs.input_sizes(model)
    assert sizes.axes[0].values == (25, 26, 27, 28)
    assert str(sizes).startswith("input 0, axis 1: 25..28 (no period among 1..1024 tried).")
    assert "tried=" not in repr(sizes)

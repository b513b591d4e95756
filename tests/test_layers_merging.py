"""Unit tests (no framework) of the merge, preprocessing and application layers, the
aliases, LeakyReLU's deprecated ``alpha`` and the validators they use."""

from __future__ import annotations

import warnings
from typing import Any, cast

import pytest

from convshape import Input, layers
from convshape._naming import clear_session
from convshape._validate import array_shape, check_number
from convshape.errors import ConvShapeError
from convshape.layers import Weight
from convshape.layers.merging import broadcast_shapes

# -- merge layers: shapes --------------------------------------------------------------

ELEMENTWISE_SHAPES = [
    ([(None, 3), (None, 3)], (None, 3)),
    ([(None, 4, 3), (None, 1, 3)], (None, 4, 3)),
    ([(None, 4, 3), (None, 3)], (None, 4, 3)),
    ([(None, 1, 3), (None, 4, 1)], (None, 4, 3)),
    ([(None, None, 3), (None, 4, 3)], (None, None, 3)),
    ([(2, 3), (None, 3)], (2, 3)),
    ([(None, 3)], (None, 3)),
    ([(None,), (None, 5)], (None, 5)),
    ([(None, 3), (None, 3), (None, 1)], (None, 3)),
]


@pytest.mark.parametrize(("shapes", "expected"), ELEMENTWISE_SHAPES, ids=str)
@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Maximum", "Minimum"])
def test_elementwise_shapes(name: str, shapes: list[Any], expected: tuple[Any, ...]) -> None:
    layer = getattr(layers, name)()
    assert layer.compute_output_shape(shapes) == expected
    assert layer.compute_output_shape(tuple(shapes)) == expected
    assert layer.weight_specs(shapes) == ()
    assert layer.count_params(shapes) == 0


def test_subtract_takes_exactly_two_inputs() -> None:
    assert layers.Subtract().compute_output_shape([(None, 3), (None, 1)]) == (None, 3)
    for count in (1, 3):
        with pytest.raises(ConvShapeError, match=f"exactly 2 inputs; got {count}"):
            layers.Subtract(name="diff").compute_output_shape([(None, 3)] * count)


def test_elementwise_errors_name_the_layer_and_shapes() -> None:
    with pytest.raises(
        ConvShapeError,
        match=r"An `Add` layer requires inputs whose shapes broadcast together; input 1 "
        r"\(None, 4\) does not broadcast with \(None, 3\), the shape of the inputs before it\. "
        r"Received: name='sum', input_shape=\[\(None, 3\), \(None, 4\)\]",
    ):
        layers.Add(name="sum").compute_output_shape([(None, 3), (None, 4)])
    with pytest.raises(ConvShapeError, match=r"input 2 \(None, 5\) does not broadcast with"):
        layers.Maximum().compute_output_shape([(None, 3), (None, 1), (None, 5)])
    with pytest.raises(ConvShapeError, match=r"different batch sizes.*name='m'"):
        layers.Multiply(name="m").compute_output_shape([(2, 3), (3, 3)])


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ((None, 3), ConvShapeError, r"should be called on a list of inputs\. Received: "),
        ([None, 3], ConvShapeError, "should be called on a list of inputs"),
        (3, ConvShapeError, "should be called on a list of inputs"),
        ([(None, 3), 5], ConvShapeError, "should be called on a list of inputs"),
        ([], ConvShapeError, "at least 1 input; got 0"),
        ([(None, 3.0)], TypeError, "`input_shape` must hold ints or None, not float"),
        ([(None, -3)], ConvShapeError, "`input_shape` must hold sizes >= 0"),
    ],
    ids=str,
)
def test_merge_inputs_must_be_a_list_of_shapes(value: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        layers.Average().compute_output_shape(value)


# -- Concatenate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "shapes", "expected"),
    [
        (-1, [(None, 7, 7, 64), (None, 7, 7, 32)], (None, 7, 7, 96)),
        (1, [(None, 3, 4), (None, 5, 4), (None, 1, 4)], (None, 9, 4)),
        (-2, [(None, 3, 4), (None, None, 4)], (None, None, 4)),
        (1, [(None, 3, None), (None, 3, 4)], (None, 6, None)),
        (1, [(None, 3, 4), (None, 3, None)], (None, 6, 4)),
        (0, [(2, 3), (3, 3)], (5, 3)),
        (0, [(None, 3), (3, 3)], (None, 3)),
        (-1, [(2,), (3,)], (5,)),
        (5, [(None, 3)], (None, 3)),
    ],
    ids=str,
)
def test_concatenate_shapes(axis: int, shapes: list[Any], expected: tuple[Any, ...]) -> None:
    assert layers.Concatenate(axis=axis).compute_output_shape(shapes) == expected


def test_concatenate_errors() -> None:
    with pytest.raises(
        ConvShapeError,
        match=r"A `Concatenate` layer requires inputs with matching shapes except for the "
        r"concatenation axis; \(None, 3, 4\) and \(None, 5, 4\) differ at axis 1\. "
        r"Received: name='cat', axis=-1, input_shape=\[\(None, 3, 4\), \(None, 5, 4\)\]",
    ):
        layers.Concatenate(name="cat").compute_output_shape([(None, 3, 4), (None, 5, 4)])
    with pytest.raises(ConvShapeError, match=r"\(None, 3\) has rank 2 and \(None, 3, 1\) rank 3"):
        layers.Concatenate().compute_output_shape([(None, 3), (None, 3, 1)])
    with pytest.raises(ConvShapeError, match=r"needs `axis` in \[-2, 2\).*axis=-3"):
        layers.Concatenate(axis=-3).compute_output_shape([(None, 3), (None, 3)])
    with pytest.raises(ConvShapeError, match=r"needs `axis` in \[-2, 2\)"):
        layers.Concatenate(axis=-3).compute_output_shape([(None, 3)])
    with pytest.raises(ConvShapeError, match="differ at axis 2"):
        layers.Concatenate(axis=1).compute_output_shape(
            [(None, 3, None), (None, 3, 4), (None, 2, 5)]
        )
    with pytest.raises(TypeError, match="`axis` must be an int, not bool"):
        layers.Concatenate(axis=True)


# -- Dot ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axes", "shapes", "expected"),
    [
        ((1, 2), [(None, 3, 5), (None, 10, 3)], (None, 5, 10)),
        ([2, 1], [(None, 3, 5), (None, 5, 3)], (None, 3, 3)),
        (1, [(None, 8), (None, 8)], (None, 1)),
        (-1, [(None, 3, 5), (None, 4, 5)], (None, 3, 4)),
        (-4, [(None, 3, 5), (None, 4, 5)], (None, 3, 4)),
        ((-1, -2), [(None, 3, 5), (None, 5, 4)], (None, 3, 4)),
        ((1, 1), [(None, 5), (None, 5, 7)], (None, 7)),
        ((3, 2), [(2, 2, 3, 5), (2, 6, 5, 7)], (2, 2, 3, 6, 7)),
        (1, [(None, None), (None, None)], (None, 1)),
    ],
    ids=str,
)
def test_dot_shapes(axes: Any, shapes: list[Any], expected: tuple[Any, ...]) -> None:
    assert layers.Dot(axes).compute_output_shape(shapes) == expected


@pytest.mark.parametrize(
    ("axes", "error", "match"),
    [
        ((1, 2, 3), ConvShapeError, r"should contain two elements\. Received: axes=\(1, 2, 3\)"),
        ((1, 2.0), ConvShapeError, "list elements should be integers"),
        ((1, True), ConvShapeError, "list elements should be integers"),
        ("1", TypeError, r"should be a list or an int, not str\. Received: axes='1'"),
        (None, TypeError, "should be a list or an int, not NoneType"),
        (True, TypeError, "should be a list or an int, not bool"),
    ],
    ids=str,
)
def test_dot_rejects_bad_axes(axes: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        layers.Dot(axes)


@pytest.mark.parametrize(
    ("axes", "shapes", "match"),
    [
        (1, [(None, 3), (None, 4)], r"axis values 3 \(at axis 1\) != 4 \(at axis 1\)"),
        (1, [(None, None), (None, 4)], r"axis values None \(at axis 1\) != 4"),
        (0, [(None, 3), (None, 3)], r"over the batch axis \(axis 0\)\. Received: name='d', axes=0"),
        ((1, -2), [(None, 3), (None, 3)], "over the batch axis"),
        (2, [(None, 3), (None, 3)], "`axes` out of range for input 0 of rank 2"),
        ((1, -3), [(None, 3), (None, 3)], "`axes` out of range for input 1 of rank 2"),
        (-1, [(None,), (None,)], r"rank >= 2"),
        (1, [(2, 3), (3, 3)], "different batch sizes"),
        (1, [(None, 3)], "exactly 2 inputs; got 1"),
        (1, [(None, 3)] * 3, "exactly 2 inputs; got 3"),
    ],
    ids=str,
)
def test_dot_rejects_bad_inputs(axes: Any, shapes: list[Any], match: str) -> None:
    with pytest.raises(ConvShapeError, match=match):
        layers.Dot(axes, name="d").compute_output_shape(shapes)


def test_broadcast_shapes() -> None:
    assert broadcast_shapes((None, 3, 1), (4,)) == (None, 3, 4)
    assert broadcast_shapes((None, 1), (1, None)) == (None, None)
    assert broadcast_shapes((), (2, 3)) == (2, 3)
    assert broadcast_shapes((None, 5), (3, None)) == (3, 5)
    assert broadcast_shapes((2, 3), (3, 3)) is None


# -- calls on symbolic tensors and the functional helpers --------------------------------


def test_merge_layers_in_a_graph() -> None:
    import convshape as cs

    clear_session()
    x, y = Input((8,)), Input((8,))
    added = layers.add([x, y])
    joined = layers.Concatenate()([x, y], training=True, mask=None)
    product = layers.dot([x, y], axes=1, normalize=True)
    assert (added.shape, joined.shape, product.shape) == ((None, 8), (None, 16), (None, 1))
    assert (added.layer.name, joined.layer.name, product.layer.name) == (
        "add",
        "concatenate",
        "dot",
    )
    model = cs.Model([x, y], [added, joined, product])
    assert model.count_params() == 0


@pytest.mark.parametrize(
    ("function", "kwargs", "tails", "expected"),
    [
        ("add", {}, [(3,), (3,)], (None, 3)),
        ("subtract", {}, [(3,), (3,)], (None, 3)),
        ("multiply", {}, [(4, 3), (1, 3)], (None, 4, 3)),
        ("average", {}, [(3,)] * 3, (None, 3)),
        ("maximum", {}, [(3,), (1,)], (None, 3)),
        ("minimum", {}, [(3,), (3,)], (None, 3)),
        ("concatenate", {"axis": 1}, [(2, 3), (4, 3)], (None, 6, 3)),
        ("dot", {"axes": (1, 2)}, [(3, 5), (10, 3)], (None, 5, 10)),
    ],
    ids=str,
)
def test_functional_helpers(
    function: str, kwargs: dict[str, Any], tails: list[Any], expected: tuple[Any, ...]
) -> None:
    output = getattr(layers, function)([Input(t) for t in tails], name=f"my_{function}", **kwargs)
    assert output.shape == expected
    assert output.layer.name == f"my_{function}"


def test_merge_calls_reject_other_arguments() -> None:
    x, y = Input((3,)), Input((3,))
    with pytest.raises(TypeError, match="unexpected keyword argument 'axis'"):
        layers.Add()([x, y], axis=1)
    with pytest.raises(TypeError, match="takes exactly one input tensor, got 2"):
        layers.Add()(x, y)
    with pytest.raises(ConvShapeError, match="should be called on a list of inputs"):
        layers.Add()(x)
    with pytest.raises(ConvShapeError, match="broadcast together"):
        layers.add([x, Input((4,))])


def test_merge_layers_explain_and_repr() -> None:
    layer = layers.Concatenate(axis=1, name="cat")
    assert repr(layer) == "Concatenate(name='cat', axis=1)"
    assert repr(layers.Dot([1, 2], name="d")) == "Dot(name='d', axes=(1, 2))"
    assert "-> (None, 5, 4)" in layer.explain([(None, 3, 4), (None, 2, 4)]).title


# -- preprocessing ----------------------------------------------------------------------


def test_rescaling() -> None:
    assert layers.Rescaling(1 / 255).compute_output_shape((None, 28, 28, 1)) == (None, 28, 28, 1)
    assert layers.Rescaling(0.5).compute_output_shape(()) == ()
    assert layers.Rescaling([1.0, 2.0, 3.0], [[0.0]]).compute_output_shape((None, 4, 3)) == (
        None,
        4,
        3,
    )
    numpy_config = {"class_name": "__numpy__", "config": {"value": [1.0, 2.0], "dtype": "float32"}}
    assert layers.Rescaling(numpy_config).compute_output_shape((None, 2)) == (None, 2)
    assert layers.Rescaling(2.0).count_params((None, 3)) == 0
    with pytest.raises(
        TypeError, match=r"`scale` must be a number or an array of numbers, not str"
    ):
        layers.Rescaling("0.5")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match="`offset` must be a number or an array of numbers, not NoneType"
    ):
        layers.Rescaling(1.0, None)  # type: ignore[arg-type]
    with pytest.raises(
        ConvShapeError, match=r"`scale` of shape \(2,\) does not broadcast to the input's shape"
    ):
        layers.Rescaling([1.0, 2.0]).compute_output_shape((None, 3))
    with pytest.raises(
        ConvShapeError, match=r"`offset` of shape \(3,\) does not broadcast.*input_shape=\(2, 1\)"
    ):
        layers.Rescaling(1.0, [0.0, 0.0, 0.0]).compute_output_shape((2, 1))


def test_normalization_weights() -> None:
    specs = layers.Normalization().weight_specs((None, 8, 8, 3))
    assert specs == (
        Weight("mean", (3,), False, 4),
        Weight("variance", (3,), False, 4),
        Weight("count", (), False, 8),
    )
    assert layers.Normalization(axis=None).count_params((None, 8)) == 3
    assert layers.Normalization(axis=(1, -1)).weight_specs((None, 4, 3))[0].shape == (4, 3)
    assert layers.Normalization(axis=[2, 1]).weight_specs((None, 4, 3))[0].shape == (4, 3)
    assert layers.Normalization(axis=0).weight_specs((5, 3))[0].shape == (5,)
    assert [w.itemsize for w in layers.Normalization(dtype="float64").weight_specs((None, 2))] == [
        8,
        8,
        8,
    ]
    given = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 1.0, 1.0])
    assert given.weight_specs((None, 3)) == ()
    assert given.compute_output_shape((None, 5, 3)) == (None, 5, 3)
    assert (
        layers.Normalization(axis=(1, 2), mean=[[1.0, 2.0]], variance=[[1.0, 1.0]]).count_params(
            (None, 4, 2)
        )
        == 0
    )
    assert layers.Normalization(invert=True).count_trainable_params((None, 3)) == 0
    assert repr(layers.Normalization(axis=None, name="n")) == "Normalization(name='n', axis=None)"
    assert repr(layers.Normalization(name="n")) == "Normalization(name='n')"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"axis": 1.0}, TypeError, "`axis` must be None, an int or a tuple of ints, not float"),
        ({"axis": (1, "2")}, TypeError, "`axis` must be an int, not str"),
        ({"mean": 1.0}, ConvShapeError, "both `mean` and `variance` must be set"),
        ({"variance": 1.0}, ConvShapeError, "both `mean` and `variance` must be set"),
        (
            {"mean": [1.0], "variance": [1.0, 2.0]},
            ConvShapeError,
            r"mean has shape \(1,\) and variance \(2,\)",
        ),
        (
            {"axis": None, "mean": [1.0], "variance": [1.0]},
            ConvShapeError,
            r"less than or equal to the number of axes \(0\); mean has shape \(1,\)",
        ),
        ({"mean": "a", "variance": "b"}, TypeError, "`mean` must be a number or an array"),
    ],
    ids=str,
)
def test_normalization_rejects_arguments(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        layers.Normalization(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "shape", "match"),
    [
        ({"axis": 3}, (None, 3), r"range \[-ndim, ndim\); the input has ndim=2"),
        ({"axis": -3}, (None, 3), r"range \[-ndim, ndim\)"),
        ({}, (None, None), "axis 1 of the input is unknown"),
        ({"axis": 0}, (None, 3), "axis 0 of the input is unknown"),
        ({"axis": (-1, 1)}, (None, 3), "names the input axis 1 twice"),
        (
            {"mean": [1.0, 2.0], "variance": [1.0, 1.0]},
            (None, 3),
            r"`mean` of shape \(2,\) does not broadcast to the kept axes \(1,\)",
        ),
        (
            {"axis": (-1, 1), "mean": [[1.0, 2.0, 3.0]], "variance": [[1.0, 1.0, 1.0]]},
            (None, 3),
            "does not broadcast to the kept axes",
        ),
    ],
    ids=str,
)
def test_normalization_rejects_inputs(kwargs: dict[str, Any], shape: Any, match: str) -> None:
    with pytest.raises(ConvShapeError, match=match):
        layers.Normalization(**kwargs).weight_specs(shape)


@pytest.mark.parametrize(
    ("layer", "shape", "expected"),
    [
        (layers.Resizing(224, 224), (None, 480, 640, 3), (None, 224, 224, 3)),
        (layers.Resizing(4, 5), (None, None, 3), (4, 5, 3)),
        (layers.Resizing(4, 5, data_format="channels_first"), (2, 3, 6, 7), (2, 3, 4, 5)),
        (layers.Resizing(4, 5, data_format="channels_first"), (3, 6, 7), (3, 4, 5)),
        (layers.CenterCrop(4, 5), (None, 6, 7, 3), (None, 4, 5, 3)),
        (layers.CenterCrop(8, 9), (6, 7, 3), (8, 9, 3)),
        (layers.CenterCrop(0, 0), (2, 0, 0, 1), (2, 0, 0, 1)),
        (layers.CenterCrop(0, 2), (2, 3, 3, 1), (2, 0, 2, 1)),
        (layers.CenterCrop(4, 5, data_format="CHANNELS_FIRST"), (None, 3, 6, 7), (None, 3, 4, 5)),
    ],
    ids=str,
)
def test_image_layer_shapes(layer: Any, shape: Any, expected: tuple[Any, ...]) -> None:
    assert layer.compute_output_shape(shape) == expected
    assert layer.count_params(shape) == 0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: layers.Resizing(0, 5), ConvShapeError, "`height` must be an integer >= 1"),
        (
            lambda: layers.Resizing(4, 5.0),  # type: ignore[arg-type]
            TypeError,
            "`width` must be an int, not float",
        ),
        (lambda: layers.Resizing(4, 5, interpolation="NEAREST"), ConvShapeError, "`interpolation`"),
        (lambda: layers.Resizing(4, 5, fill_mode="reflect"), ConvShapeError, "only 'constant'"),
        (
            lambda: layers.Resizing(4, 5, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
            ConvShapeError,
            "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be True",
        ),
        (lambda: layers.Resizing(4, 5, data_format="nhwc"), ConvShapeError, "`data_format`"),
        (
            lambda: layers.Resizing(4, 5, factor=0.1),  # type: ignore[arg-type]
            ConvShapeError,
            r"Layer Resizing does not take a `factor` argument\. Received: factor=0\.1",
        ),
        (lambda: layers.CenterCrop(-1, 5), ConvShapeError, "`height` must be an integer >= 0"),
        (
            lambda: layers.CenterCrop(4, 5, factor=(0, 1)),  # type: ignore[arg-type]
            ConvShapeError,
            "Layer CenterCrop does not",
        ),
    ],
    ids=str,
)
def test_image_layers_reject_arguments(make: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("layer", "shape", "match"),
    [
        (layers.Resizing(4, 5), (None, 6, 7, 3, 1), r"rank 3 \(single image\) or 4 .*got rank 5"),
        (layers.CenterCrop(4, 5), (6, 7), "got rank 2"),
        (
            layers.Resizing(4, 5),
            (None, 0, 7, 3),
            r"non-empty image; the input is \(None, 0, 7, 3\)",
        ),
        (layers.CenterCrop(4, 5), (None, 0, 7, 3), r"resizes an image smaller than \(4, 5\)"),
        (layers.CenterCrop(0, 5), (None, 3, 3, 1), "non-empty image and target"),
    ],
    ids=str,
)
def test_image_layers_reject_inputs(layer: Any, shape: Any, match: str) -> None:
    with pytest.raises(ConvShapeError, match=match):
        layer.compute_output_shape(shape)


# -- applications -----------------------------------------------------------------------


def test_layer_scale() -> None:
    layer = layers.LayerScale(1e-6, 96)
    assert layer.compute_output_shape((None, 56, 56, 96)) == (None, 56, 56, 96)
    assert layer.compute_output_shape((None, 56, 56, 1)) == (None, 56, 56, 96)
    assert layer.compute_output_shape((None, None)) == (None, 96)
    assert layer.weight_specs((None, 96)) == (Weight("variable", (96,), True, 4),)
    assert layers.LayerScale(0.5, 4, dtype="float16").weight_specs((None, 4))[0].itemsize == 2
    assert layers.LayerScale(0.5, 4, trainable=False).count_trainable_params((None, 4)) == 0
    with pytest.raises(
        ConvShapeError, match=r"vector of 96 \(`projection_dim`\).*input_shape=\(None, 3\)"
    ):
        layer.compute_output_shape((None, 3))
    with pytest.raises(TypeError, match="`init_values` must be a number, not str"):
        layers.LayerScale("1e-6", 4)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`projection_dim` must be an int, not float"):
        layers.LayerScale(1e-6, 4.0)  # type: ignore[arg-type]
    with pytest.raises(ConvShapeError, match="`projection_dim` must be an integer >= 0"):
        layers.LayerScale(1e-6, -1)


def test_custom_scale_layer() -> None:
    layer = layers.CustomScaleLayer(0.17, name="block35_1")
    assert layer.compute_output_shape([(None, 35, 35, 320)] * 2) == (None, 35, 35, 320)
    assert layer.compute_output_shape([(None, 8, 8, 1), (None, 8, 8, 64)]) == (None, 8, 8, 64)
    assert layer.compute_output_shape([(None, 3, 4), (None, 4)]) == (None, 3, 4)
    assert layer.compute_output_shape([(None, 3)] * 3) == (None, 3)
    assert layer.count_params([(None, 3)] * 2) == 0
    with pytest.raises(ConvShapeError, match="at least 2 inputs; got 1"):
        layer.compute_output_shape([(None, 3)])
    with pytest.raises(
        ConvShapeError,
        match=r"A `CustomScaleLayer` layer adds inputs whose shapes broadcast together; "
        r"\(None, 3\) and \(None, 4\) do not\. Received: name='block35_1'",
    ):
        layer.compute_output_shape([(None, 3), (None, 4)])
    with pytest.raises(TypeError, match="`scale` must be a number, not NoneType"):
        layers.CustomScaleLayer(None)  # type: ignore[arg-type]
    clear_session()
    assert layers.CustomScaleLayer(0.1)([Input((3,)), Input((3,))]).layer.name == (
        "custom_scale_layer"
    )


# -- aliases, deprecated arguments, validators ---------------------------------------------

ALIASES = {
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "Convolution1D": "Conv1D",
    "Convolution1DTranspose": "Conv1DTranspose",
    "Convolution2D": "Conv2D",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3D": "Conv3D",
    "Convolution3DTranspose": "Conv3DTranspose",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
}


@pytest.mark.parametrize(("alias", "canonical"), ALIASES.items(), ids=str)
def test_aliases_are_the_same_classes(alias: str, canonical: str) -> None:
    assert getattr(layers, alias) is getattr(layers, canonical)
    assert alias in layers.__all__
    assert alias in dir(layers)


def test_unknown_names_still_fail() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'MaxPool4D'"):
        _ = layers.MaxPool4D


def test_leaky_relu_alpha_is_deprecated() -> None:
    with pytest.warns(
        UserWarning, match=r"^Argument `alpha` is deprecated\. Use `negative_slope` instead\.$"
    ) as caught:
        layer = layers.LeakyReLU(alpha=0.2)
    assert caught[0].filename == __file__
    assert layer.negative_slope == 0.2
    assert repr(layer).endswith("negative_slope=0.2)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy = layer._replace()
        assert copy.negative_slope == 0.2
        assert layers.LeakyReLU(0.1).negative_slope == 0.1
    with pytest.warns(UserWarning, match="deprecated"):
        assert layers.LeakyReLU(0.1, alpha=0.3).negative_slope == 0.3
    with (
        pytest.warns(UserWarning, match="deprecated"),
        pytest.raises(TypeError, match="`negative_slope` must be a number, not NoneType"),
    ):
        layers.LeakyReLU(alpha=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="positional argument"):
        cast(Any, layers.LeakyReLU)(0.1, 0.2)


def test_check_number() -> None:
    assert check_number(2, "scale") == 2.0
    with pytest.raises(
        TypeError, match=r"`scale` must be a number, not bool\. Received: scale=True"
    ):
        check_number(True, "scale")


class _ArrayLike:
    shape = (2, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, ()),
        (0.5, ()),
        ([], (0,)),
        ([1.0, 2.0], (2,)),
        (((1, 2), (3, 4), (5, 6)), (3, 2)),
        (_ArrayLike(), (2, 3)),
        ({"class_name": "__numpy__", "config": {"value": [[1], [2]]}}, (2, 1)),
    ],
    ids=str,
)
def test_array_shape(value: Any, expected: tuple[int, ...]) -> None:
    assert array_shape(value, "mean") == expected


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ([[1, 2], [3]], ConvShapeError, "`mean` must be a number or a rectangular array"),
        ("1", TypeError, "`mean` must be a number or an array of numbers, not str"),
        (True, TypeError, "not bool"),
        ({"a": 1}, TypeError, "not dict"),
        (object(), TypeError, "not object"),
    ],
    ids=str,
)
def test_array_shape_rejects(value: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        array_shape(value, "mean")

"""Oracle tests for the merge, preprocessing and application layers, the aliases and the
deprecated arguments: real Keras 3 layers (TensorFlow backend) called on tensors.

Where every size is known the Keras layer runs eagerly on a zeros tensor, so the
truth is what TensorFlow computes; where a size is unknown it is called on
``keras.Input`` tensors, as in a functional model. convshape must give the same
output shape, the same weights (names, shapes, trainable flags, bytes) or, where
Keras raises, raise too.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest

import convshape.layers as cs_layers
from convshape.errors import ConvShapeError
from convshape.layers import Weight
from tests.oracles import ORACLE_COUNTS, oracle

Shape = tuple[int | None, ...]
Outcome = tuple[str, Any]
Mismatches = list[str]

ELEMENTWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def _keras_outcome(
    keras: Any, make: Callable[[], Any], shapes: Sequence[Shape], *, listed: bool
) -> tuple[Outcome, Any]:
    """Keras's output shape for these input shapes (or the error it raises), and the layer."""
    import numpy as np

    symbolic = any(None in shape for shape in shapes)
    try:
        layer = make()
        if symbolic:
            tensors = [keras.Input(batch_shape=shape) for shape in shapes]
        else:
            tensors = [np.zeros(shape, dtype="float32") for shape in shapes]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            output = layer(tensors if listed else tensors[0])
    except Exception as error:  # Keras raises ValueError, IndexError, TypeError, TF errors
        return ("error", f"{type(error).__name__}: {error}"), None
    return ("ok", tuple(output.shape)), layer


def _our_outcome(
    make: Callable[[], Any], shapes: Sequence[Shape], *, listed: bool
) -> tuple[Outcome, Any]:
    try:
        layer = make()
        output = layer.compute_output_shape(list(shapes) if listed else shapes[0])
    except (ConvShapeError, TypeError) as error:
        return ("error", str(error)), None
    return ("ok", output), layer


def _weights_of(layer: Any, shapes: Sequence[Shape], *, listed: bool) -> tuple[Weight, ...]:
    specs: tuple[Weight, ...] = layer.weight_specs(list(shapes) if listed else shapes[0])
    return specs


def _compare(
    keras: Any,
    label: str,
    theirs: Callable[[], Any],
    ours: Callable[[], Any],
    shapes: Sequence[Shape],
    mismatches: Mismatches,
    *,
    listed: bool = True,
    deviation: Callable[[Outcome, Sequence[Shape]], Outcome] | None = None,
) -> None:
    """Shapes or errors, then weights, of one configuration (``deviation`` turns Keras's
    outcome into the one convshape documents where they differ on purpose)."""
    from keras.src.utils.summary_utils import weight_memory_size

    ORACLE_COUNTS[f"keras new layers: {label.split('(', maxsplit=1)[0]}"] += 1
    expected, keras_layer = _keras_outcome(keras, theirs, shapes, listed=listed)
    if deviation is not None:
        expected = deviation(expected, shapes)
    got, our_layer = _our_outcome(ours, shapes, listed=listed)
    where = f"{label} on {list(shapes)}"
    if expected[0] != got[0] or (expected[0] == "ok" and expected[1] != got[1]):
        mismatches.append(f"{where}: keras {expected}, convshape {got}")
        return
    if expected[0] == "error":
        return
    specs = _weights_of(our_layer, shapes, listed=listed)
    keras_weights = [
        (re.sub(r"_\d+$", "", w.name), tuple(w.shape), w.trainable) for w in keras_layer.weights
    ]
    our_weights = [(w.name, w.shape, w.trainable) for w in specs]
    counts = (
        keras_layer.count_params(),
        len(keras_layer.trainable_weights),
        len(keras_layer.non_trainable_weights),
        int(weight_memory_size(keras_layer.weights)),
    )
    our_counts = (
        sum(w.size for w in specs),
        sum(w.trainable for w in specs),
        sum(not w.trainable for w in specs),
        sum(w.size * (w.itemsize or 4) for w in specs),
    )
    if keras_weights != our_weights or counts != our_counts:
        mismatches.append(
            f"{where}: keras weights {keras_weights} {counts}, convshape {our_weights} {our_counts}"
        )


# -- merge layers ----------------------------------------------------------------

#: Non-batch parts of input shapes: ranks 0 to 3, broadcastable 1s, unknown sizes.
_TAILS: list[Shape] = [(), (1,), (3,), (None,), (1, 3), (4, 1), (4, 3), (None, 3), (2, 4, 3)]


def _batched(tails: Sequence[Shape]) -> list[Shape]:
    batch = None if any(None in tail for tail in tails) else 2
    return [(batch, *tail) for tail in tails]


def _elementwise_inputs() -> list[list[Shape]]:
    configs = [_batched(pair) for pair in itertools.product(_TAILS, repeat=2)]
    configs += [_batched(triple) for triple in itertools.product(_TAILS[:5], repeat=3)]
    configs += [
        [(2, 3)],
        [(2, 3), (3, 3)],
        [(None, 3), (2, 3)],
        [(2, 3), (None, 3), (2, 1)],
        [(2, 3)] * 4,
    ]
    return configs


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_merges_match_keras(keras: Any, name: str) -> None:
    mismatches: Mismatches = []
    for shapes in _elementwise_inputs():
        _compare(
            keras,
            f"{name}()",
            getattr(keras.layers, name),
            getattr(cs_layers, name),
            shapes,
            mismatches,
        )
    assert mismatches == []


_CONCAT_SHAPES: list[Shape] = [
    (2, 3, 4),
    (2, 5, 4),
    (2, 3, 6),
    (2, 1, 4),
    (3, 3, 4),
    (2, None, 4),
    (2, 3, None),
    (None, 3, 4),
]


def test_concatenate_matches_keras(keras: Any) -> None:
    mismatches: Mismatches = []
    configs: list[list[Shape]] = [list(p) for p in itertools.product(_CONCAT_SHAPES, repeat=2)]
    configs += [list(t) for t in itertools.product(_CONCAT_SHAPES[:4], repeat=3)]
    configs += [
        [(2, 3, 4)],
        [(2, 3, 4), (2, 3, 4, 1)],
        [(2, 3), (2, 3, 4)],
        [(2, 3, None), (2, 3, 4), (2, 2, 5)],
    ]
    for axis in range(-4, 4):
        for shapes in configs:
            _compare(
                keras,
                f"Concatenate(axis={axis})",
                partial(keras.layers.Concatenate, axis=axis),
                partial(cs_layers.Concatenate, axis=axis),
                shapes,
                mismatches,
            )
    small: list[list[Shape]] = [
        [(2,), (3,)],
        [(None,), (None,)],
        [(2, 3), (2, 5)],
        [(2, 3), (3, 3)],
    ]
    for shapes in small:
        for axis in (-2, -1, 0, 1):
            _compare(
                keras,
                f"Concatenate(axis={axis})",
                partial(keras.layers.Concatenate, axis=axis),
                partial(cs_layers.Concatenate, axis=axis),
                shapes,
                mismatches,
            )
    assert mismatches == []


_DOT_SHAPES: list[Shape] = [
    (2, 5),
    (2, 3),
    (2, 3, 5),
    (2, 5, 3),
    (2, 5, 5),
    (2, 2, 3, 5),
    (2, 5, 4, 6),
    (3, 5),
    (None, 5),
    (2, None),
    (2, None, 5),
]
_DOT_AXES: list[Any] = [1, 2, 3, -1, -2, -3, -4, 0, (1, 2), (2, 1), (-1, -2), (1, 1)]
_DOT_AXES += [(2, 2), (3, 1), (1, 3), (0, 1), (1, 0), (1, -4), (-3, 1)]


def _dot_cannot_run(axes: Any, shapes: Sequence[Shape]) -> bool:
    """A dot over the batch axis, or of two known, different batch sizes."""
    pairs = [axes, axes] if isinstance(axes, int) else list(axes)
    # Keras takes a negative int modulo each rank, a pair's entries only within it.
    over_batch = any(
        ((isinstance(axes, int) and axis < 0) or -len(shape) <= axis < len(shape))
        and axis % len(shape) == 0
        for axis, shape in zip(pairs, shapes, strict=True)
    )
    x, y = shapes
    return over_batch or (x[0] is not None and y[0] is not None and x[0] != y[0])


def test_dot_matches_keras(keras: Any) -> None:
    """Where Keras's symbolic shape inference accepts a dot over the batch axis or of
    different batch sizes (which no tensor can then run), convshape rejects it, as a run
    of the same layer does."""
    import numpy as np

    mismatches: Mismatches = []
    for axes in _DOT_AXES:
        for x, y in itertools.product(_DOT_SHAPES, repeat=2):
            shapes = [x, y]
            symbolic = None in x or None in y
            if symbolic and _dot_cannot_run(axes, shapes):
                ORACLE_COUNTS["keras new layers: Dot that only symbolic Keras accepts"] += 1
                with pytest.raises(Exception):  # noqa: B017, PT011 - a ValueError from Keras or TF
                    keras.layers.Dot(axes=axes)(
                        [np.zeros([d or 2 for d in s], dtype="float32") for s in shapes]
                    )
                with pytest.raises(ConvShapeError, match=r"batch axis|different batch sizes"):
                    cs_layers.Dot(axes=axes).compute_output_shape(shapes)
                continue
            _compare(
                keras,
                f"Dot(axes={axes})",
                partial(keras.layers.Dot, axes=axes),
                partial(cs_layers.Dot, axes=axes),
                shapes,
                mismatches,
            )
    for normalize in (True, False):
        _compare(
            keras,
            f"Dot(axes=1, normalize={normalize})",
            partial(keras.layers.Dot, axes=1, normalize=normalize),
            partial(cs_layers.Dot, axes=1, normalize=normalize),
            [(2, 5), (2, 5)],
            mismatches,
        )
    for count in (1, 3):
        _compare(
            keras,
            "Dot(axes=1)",
            partial(keras.layers.Dot, axes=1),
            partial(cs_layers.Dot, axes=1),
            [(2, 5)] * count,
            mismatches,
        )
    assert mismatches == []


_MERGE_CALLS: list[tuple[str, str, dict[str, Any], list[Shape]]] = [
    ("add", "Add", {}, [(None, 4, 3), (None, 1, 3)]),
    ("subtract", "Subtract", {}, [(None, 8), (None, 8)]),
    ("multiply", "Multiply", {}, [(None, 8, 8, 4), (None, 1, 1, 4)]),
    ("average", "Average", {}, [(None, 5)] * 3),
    ("maximum", "Maximum", {}, [(None, 5), (None, 5)]),
    ("minimum", "Minimum", {}, [(None, 5), (None, 1)]),
    ("concatenate", "Concatenate", {"axis": 1}, [(None, 3, 4), (None, 2, 4)]),
    ("dot", "Dot", {"axes": (1, 2)}, [(None, 3, 5), (None, 10, 3)]),
    ("dot", "Dot", {}, [(None, 5), (None, 5)]),
]


@pytest.mark.parametrize(
    ("function", "cls", "kwargs", "shapes"), _MERGE_CALLS, ids=lambda v: str(v)[:30]
)
def test_merge_functions_match_keras(
    keras: Any, function: str, cls: str, kwargs: dict[str, Any], shapes: list[Shape]
) -> None:
    """``keras.layers.add([x, y])`` and friends: the layer class and the output shape."""
    from convshape import Input

    ORACLE_COUNTS["keras new layers: merge functions"] += 1
    theirs = getattr(keras.layers, function)(
        [keras.Input(batch_shape=s) for s in shapes], name=f"k_{function}", **kwargs
    )
    ours = getattr(cs_layers, function)(
        [Input(batch_shape=s) for s in shapes], name=f"k_{function}", **kwargs
    )
    assert ours.shape == tuple(theirs.shape)
    assert type(ours.layer).__name__ == type(theirs._keras_history.operation).__name__ == cls
    assert ours.layer.name == theirs._keras_history.operation.name


# -- preprocessing layers ---------------------------------------------------------


def _enlarged_is_an_error(outcome: Outcome, shapes: Sequence[Shape]) -> Outcome:
    """Keras declares the input's shape; where the run broadcasts it to a larger one,
    convshape raises instead of agreeing with either."""
    if outcome[0] == "ok" and outcome[1] != shapes[0]:
        ORACLE_COUNTS["keras new layers: Rescaling that enlarges its input"] += 1
        return ("error", f"Keras runs it to {outcome[1]}")
    return outcome


def test_rescaling_matches_keras(keras: Any) -> None:
    mismatches: Mismatches = []
    values: list[Any] = [0.5, 2, [1.0, 2.0, 3.0], [[1.0], [2.0]], [1.0, 2.0], [[[1.0]]]]
    inputs: list[Shape] = [(2, 3), (2, 4, 3), (2, 2, 3), (2, 2, 1), (2,), (None, 3), (None, 2, 3)]
    offsets: list[Any] = [0.0, [0.0, 0.0, 0.0]]
    for scale, offset in itertools.product(values, offsets):
        for shape in inputs:
            if None in shape and (isinstance(scale, list) or isinstance(offset, list)):
                continue  # symbolic Keras does not check broadcasting; the run above does
            _compare(
                keras,
                f"Rescaling({scale}, {offset})",
                partial(keras.layers.Rescaling, scale, offset),
                partial(cs_layers.Rescaling, scale, offset),
                [shape],
                mismatches,
                listed=False,
                deviation=_enlarged_is_an_error,
            )
    assert mismatches == []


def test_normalization_matches_keras(keras: Any) -> None:
    import numpy as np

    mismatches: Mismatches = []
    axes: list[Any] = [-1, None, 0, 1, 2, 3, -4, (1, 2), (-1, 1), (0, -1), [2, 1]]
    means: list[tuple[Any, Any]] = [
        (None, None),
        (0.5, 2.0),
        ([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]),
        ([1.0], [1.0]),
        ([1.0, 2.0], [1.0, 1.0]),
        (np.zeros((4, 3)), np.ones((4, 3))),
        (np.zeros((1, 3)), np.ones((1, 3))),
    ]
    inputs: list[Shape] = [(2, 3), (2, 4, 3), (5, 4, 3), (None, 4, 3), (None, None, 3), (2, 1, 1)]
    for axis, (mean, variance) in itertools.product(axes, means):
        for shape in inputs:
            for dtype in (None, "float64") if mean is None and axis == -1 else (None,):
                _compare(
                    keras,
                    f"Normalization(axis={axis}, mean={mean is not None}, dtype={dtype})",
                    partial(
                        keras.layers.Normalization,
                        axis=axis,
                        mean=mean,
                        variance=variance,
                        dtype=dtype,
                    ),
                    partial(
                        cs_layers.Normalization,
                        axis=axis,
                        mean=mean,
                        variance=variance,
                        dtype=dtype,
                    ),
                    [shape],
                    mismatches,
                    listed=False,
                )
    assert mismatches == []


def _image_shapes(height: int | None, width: int | None) -> list[Shape]:
    return [
        (2, height, width, 3),
        (height, width, 3),
        (None, height, width, 3),
        (2, 3, height, width),
        (3, height, width),
    ]


def test_resizing_matches_keras(keras: Any) -> None:
    mismatches: Mismatches = []
    options: list[dict[str, Any]] = [
        {},
        {"interpolation": "nearest"},
        {"interpolation": "area", "antialias": True},
        {"crop_to_aspect_ratio": True},
        {"pad_to_aspect_ratio": True},
        {"data_format": "channels_first"},
        {"data_format": "channels_first", "crop_to_aspect_ratio": True},
    ]
    sizes: list[tuple[int | None, int | None]] = [(6, 7), (1, 1), (3, 9), (None, 7), (None, None)]
    for (height, width), extra in itertools.product(((1, 1), (4, 5), (8, 9), (5, 2)), options):
        for size in sizes:
            for shape in _image_shapes(*size):
                _compare(
                    keras,
                    f"Resizing({height}, {width}, {extra})",
                    partial(keras.layers.Resizing, height, width, **extra),
                    partial(cs_layers.Resizing, height, width, **extra),
                    [shape],
                    mismatches,
                    listed=False,
                )
    for shape in [(2, 0, 7, 3), (2, 6, 0, 3), (2, 6, 7, 3, 1), (6, 7), (2, 2, 6, 7, 3)]:
        _compare(
            keras,
            "Resizing(4, 5)",
            partial(keras.layers.Resizing, 4, 5),
            partial(cs_layers.Resizing, 4, 5),
            [shape],
            mismatches,
            listed=False,
        )
    assert mismatches == []


def test_center_crop_matches_keras(keras: Any) -> None:
    mismatches: Mismatches = []
    for height, width in itertools.product(range(4), repeat=2):
        for size_h, size_w in itertools.product(range(4), repeat=2):
            for data_format in ("channels_last", "channels_first"):
                shape: Shape = (
                    (2, size_h, size_w, 1)
                    if data_format == "channels_last"
                    else (2, 1, size_h, size_w)
                )
                _compare(
                    keras,
                    f"CenterCrop({height}, {width}, {data_format})",
                    partial(keras.layers.CenterCrop, height, width, data_format=data_format),
                    partial(cs_layers.CenterCrop, height, width, data_format=data_format),
                    [shape],
                    mismatches,
                    listed=False,
                )
    for shape in [*_image_shapes(6, 7), *_image_shapes(None, 7), (6, 7), (2, 2, 6, 7, 3)]:
        for height, width in ((4, 5), (8, 3)):
            _compare(
                keras,
                f"CenterCrop({height}, {width})",
                partial(keras.layers.CenterCrop, height, width),
                partial(cs_layers.CenterCrop, height, width),
                [shape],
                mismatches,
                listed=False,
            )
    assert mismatches == []


# -- application layers -------------------------------------------------------------


def test_layer_scale_matches_keras(keras: Any) -> None:
    from keras.src.applications.convnext import LayerScale

    mismatches: Mismatches = []
    for projection_dim in (1, 3, 5):
        for tail in [(), (1,), (3,), (5,), (None,), (4, 5), (4, 1), (2, 4, 3), (4, None)]:
            shape: Shape = (None if None in tail else 2, *tail)
            for dtype in (None, "float16"):
                _compare(
                    keras,
                    f"LayerScale(1e-6, {projection_dim}, dtype={dtype})",
                    partial(LayerScale, 1e-6, projection_dim, dtype=dtype),
                    partial(cs_layers.LayerScale, 1e-6, projection_dim, dtype=dtype),
                    [shape],
                    mismatches,
                    listed=False,
                )
    assert mismatches == []


def test_custom_scale_layer_matches_keras(keras: Any) -> None:
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    mismatches: Mismatches = []
    shapes: list[Shape] = [(2, 3, 4), (2, 1, 4), (2, 3, 1), (2, 4), (2, 3, 5), (None, 3, 4)]
    shapes += [(None, None, 4), (None, 1, 4), (1, 3, 4)]
    configs: list[list[Shape]] = [list(p) for p in itertools.product(shapes, repeat=2)]
    configs += [[(2, 3, 4)] * 3]
    for config in configs:
        _compare(
            keras,
            "CustomScaleLayer(0.17)",
            partial(CustomScaleLayer, 0.17),
            partial(cs_layers.CustomScaleLayer, 0.17),
            config,
            mismatches,
        )
    assert mismatches == []


def _summary_model(layers: Any, layer_scale: Any, scale: Any, make_input: Any, model: Any) -> Any:
    x = make_input((8, 8, 3))
    y = layers.Normalization()(x)
    y = layers.Normalization(mean=0.5, variance=2.0)(y)
    y = layers.Rescaling(1 / 255, -1.0)(y)
    y = layers.Resizing(6, 6, crop_to_aspect_ratio=True)(y)
    y = layers.CenterCrop(4, 4)(y)
    y = layer_scale(1e-6, 3)(y)
    y = scale(0.17)([y, layers.Maximum()([y, y])])
    pair = [layers.Multiply()([y, y]), layers.subtract([y, y])]
    joined = layers.concatenate(pair, axis=1)
    averaged = layers.Average()([layers.add(pair), layers.minimum(pair)])
    product = layers.Dot(axes=(2, 2))([layers.Reshape((16, 3))(y), layers.Reshape((16, 3))(y)])
    return model(x, [joined, averaged, product])


def test_functional_summary_matches_keras(keras: Any) -> None:
    """A model of every new layer: the same summary text, bytes included."""
    from keras.src.applications.convnext import LayerScale
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    import convshape
    from convshape._naming import clear_session

    ORACLE_COUNTS["keras new layers: functional summaries"] += 1
    keras.backend.clear_session()
    clear_session()
    theirs = _summary_model(keras.layers, LayerScale, CustomScaleLayer, keras.Input, keras.Model)
    ours = _summary_model(
        cs_layers,
        cs_layers.LayerScale,
        cs_layers.CustomScaleLayer,
        convshape.Input,
        convshape.Model,
    )
    expected: list[str] = []
    got: list[str] = []
    theirs.summary(print_fn=expected.append)
    ours.summary(print_fn=got.append)
    assert got == expected


# -- constructors, aliases and deprecated arguments -----------------------------------


def _keras_classes(keras: Any) -> dict[str, Any]:
    from keras.src.applications.convnext import LayerScale
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    names = ["Concatenate", "Dot", "Rescaling", "Normalization", "Resizing", "CenterCrop"]
    classes = {name: getattr(keras.layers, name) for name in [*ELEMENTWISE, *names]}
    return {**classes, "LayerScale": LayerScale, "CustomScaleLayer": CustomScaleLayer}


def test_constructor_arguments_match_keras(keras: Any) -> None:
    """Keras's own arguments, in Keras's positional order, with Keras's defaults."""
    import inspect

    for name, cls in _keras_classes(keras).items():
        ORACLE_COUNTS["keras new layers: constructor signatures"] += 1
        theirs = [
            (p.name, p.default)
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        ours = inspect.signature(getattr(cs_layers, name)).parameters
        positional = [
            (p.name, p.default)
            for p in ours.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        assert theirs == positional, name
        for base in ("name", "trainable", "dtype", "autocast", "activity_regularizer"):
            assert ours[base].kind is inspect.Parameter.KEYWORD_ONLY, (name, base)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("Resizing", (4, 5)),
        ("CenterCrop", (4, 5)),
    ],
)
def test_image_layers_take_the_base_image_arguments(
    keras: Any, name: str, args: tuple[int, ...]
) -> None:
    """Keras forwards ``factor`` (None only) and ``bounding_box_format`` to its image base."""
    ORACLE_COUNTS["keras new layers: image base arguments"] += 1
    getattr(keras.layers, name)(*args, bounding_box_format="xyxy", factor=None)
    getattr(cs_layers, name)(*args, bounding_box_format="xyxy", factor=None)
    with pytest.raises(ValueError, match="does not take a `factor` argument"):
        getattr(keras.layers, name)(*args, factor=0.1)
    with pytest.raises(ConvShapeError, match="does not take a `factor` argument"):
        getattr(cs_layers, name)(*args, factor=0.1)


def test_no_layer_is_built_at_init(keras: Any) -> None:
    """A summary of a model that was never built shows "0 (unbuilt)" for all of them."""
    arguments: dict[str, tuple[Any, ...]] = {
        "Dot": (1,),
        "Rescaling": (0.5,),
        "Resizing": (4, 5),
        "CenterCrop": (4, 5),
        "LayerScale": (1e-6, 4),
        "CustomScaleLayer": (0.1,),
    }
    for name, cls in _keras_classes(keras).items():
        ORACLE_COUNTS["keras new layers: built at init"] += 1
        built = cls(*arguments.get(name, ())).built
        assert getattr(cs_layers, name)._built_at_init is built, name


def test_every_keras_alias_of_a_convshape_class_is_exported(keras: Any) -> None:
    """``keras.layers.MaxPool2D is keras.layers.MaxPooling2D``: the same holds here, for
    every name under which Keras exports a class or function convshape implements."""
    exported = set(cs_layers.__all__)
    missing: list[str] = []
    for name in dir(keras.layers):
        if name.startswith("_"):
            continue
        canonical = getattr(getattr(keras.layers, name), "__name__", None)
        if canonical not in exported or canonical == name:
            continue
        ORACLE_COUNTS["keras new layers: aliases"] += 1
        if name not in exported or getattr(cs_layers, name) is not getattr(cs_layers, canonical):
            missing.append(f"{name} -> {canonical}")
    assert missing == []
    assert cs_layers.MaxPool2D is cs_layers.MaxPooling2D


def test_leaky_relu_alpha_is_deprecated_as_in_keras(keras: Any) -> None:
    ORACLE_COUNTS["keras new layers: deprecated arguments"] += 1
    message = "Argument `alpha` is deprecated. Use `negative_slope` instead."
    with pytest.warns(UserWarning, match=re.escape(message)):
        theirs = keras.layers.LeakyReLU(alpha=0.2)
    with pytest.warns(UserWarning, match=re.escape(message)):
        ours = cs_layers.LeakyReLU(alpha=0.2)
    assert ours.negative_slope == theirs.negative_slope == 0.2
    with pytest.warns(UserWarning, match="deprecated"):
        theirs = keras.layers.LeakyReLU(0.1, alpha=0.3)
    with pytest.warns(UserWarning, match="deprecated"):
        ours = cs_layers.LeakyReLU(0.1, alpha=0.3)
    assert ours.negative_slope == theirs.negative_slope == 0.3
    with pytest.warns(UserWarning, match="deprecated"), pytest.raises(ValueError, match="cannot"):
        keras.layers.LeakyReLU(alpha=-1.0)
    with (
        pytest.warns(UserWarning, match="deprecated"),
        pytest.raises(ConvShapeError, match="`negative_slope` must be >= 0"),
    ):
        cs_layers.LeakyReLU(alpha=-1.0)


@pytest.mark.parametrize("layer", ["ELU", "ReLU", "Softmax", "PReLU", "Activation"], ids=str)
def test_other_activations_take_no_deprecated_alias(keras: Any, layer: str) -> None:
    """Only LeakyReLU still maps a Keras 2 argument; the others reject unknown ones."""
    ORACLE_COUNTS["keras new layers: deprecated arguments"] += 1
    args = ("relu",) if layer == "Activation" else ()
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        getattr(keras.layers, layer)(*args, max_val=1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        getattr(cs_layers, layer)(*args, max_val=1.0)


# -- invalid configurations: both raise, with convshape's message -----------------------


def _image() -> Any:
    import numpy as np

    return np.zeros((1, 6, 7, 3), dtype="float32")


def _application_layer(name: str, *args: Any) -> Any:
    from keras.src.applications.convnext import LayerScale
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    return {"LayerScale": LayerScale, "CustomScaleLayer": CustomScaleLayer}[name](*args)


_INVALID: list[tuple[str, Callable[[Any], Any], Callable[[], Any], type[Exception], str]] = [
    (
        "concatenate mismatch",
        lambda k: k.layers.Concatenate()([k.Input((3, 4)), k.Input((5, 4))]),
        lambda: cs_layers.Concatenate().compute_output_shape([(None, 3, 4), (None, 5, 4)]),
        ConvShapeError,
        r"matching shapes except for the concatenation axis; \(None, 3, 4\) and "
        r"\(None, 5, 4\) differ at axis 1\. Received: name='concatenate\w*', axis=-1, "
        r"input_shape=\[\(None, 3, 4\), \(None, 5, 4\)\]",
    ),
    (
        "concatenate axis",
        lambda k: k.layers.Concatenate(axis=3)([k.Input((3, 4)), k.Input((3, 4))]),
        lambda: cs_layers.Concatenate(axis=3).compute_output_shape([(None, 3, 4)] * 2),
        ConvShapeError,
        r"needs `axis` in \[-3, 3\)",
    ),
    (
        "concatenate ranks",
        lambda k: k.layers.Concatenate()([k.Input((3, 4)), k.Input((3, 4, 1))]),
        lambda: cs_layers.Concatenate().compute_output_shape([(None, 3, 4), (None, 3, 4, 1)]),
        ConvShapeError,
        r"has rank 3 and \(None, 3, 4, 1\) rank 4",
    ),
    (
        "concatenate axis type",
        lambda k: k.layers.Concatenate(axis=1.0)([k.Input((3, 4)), k.Input((3, 4))]),
        partial(cs_layers.Concatenate, axis=1.0),  # type: ignore[arg-type]
        TypeError,
        r"`axis` must be an int, not float",
    ),
    (
        "add mismatch",
        lambda k: k.layers.Add()([k.Input((3,)), k.Input((4,))]),
        lambda: cs_layers.Add().compute_output_shape([(None, 3), (None, 4)]),
        ConvShapeError,
        r"An `Add` layer requires inputs whose shapes broadcast together; input 1 "
        r"\(None, 4\) does not broadcast with \(None, 3\)",
    ),
    (
        "add batch sizes",
        lambda k: k.layers.Add()([k.Input(batch_shape=(2, 3)), k.Input(batch_shape=(3, 3))]),
        lambda: cs_layers.Add().compute_output_shape([(2, 3), (3, 3)]),
        ConvShapeError,
        r"cannot merge tensors with different batch sizes",
    ),
    (
        "add single tensor",
        lambda k: k.layers.Add()(k.Input((3,))),
        lambda: cs_layers.Add().compute_output_shape((None, 3)),
        ConvShapeError,
        r"should be called on a list of inputs\. Received: name='add\w*', input_shape=\(None, 3\)",
    ),
    (
        "add no input",
        lambda k: k.layers.Add()([]),
        lambda: cs_layers.Add().compute_output_shape([]),
        ConvShapeError,
        r"at least 1 input; got 0",
    ),
    (
        "subtract three",
        lambda k: k.layers.Subtract()([k.Input((3,))] * 3),
        lambda: cs_layers.Subtract().compute_output_shape([(None, 3)] * 3),
        ConvShapeError,
        r"A `Subtract` layer should be called on exactly 2 inputs; got 3",
    ),
    (
        "dot sizes",
        lambda k: k.layers.Dot(axes=1)([k.Input((3,)), k.Input((4,))]),
        lambda: cs_layers.Dot(axes=1).compute_output_shape([(None, 3), (None, 4)]),
        ConvShapeError,
        r"axis values 3 \(at axis 1\) != 4 \(at axis 1\)",
    ),
    (
        "dot unknown size",
        lambda k: k.layers.Dot(axes=1)([k.Input((None,)), k.Input((4,))]),
        lambda: cs_layers.Dot(axes=1).compute_output_shape([(None, None), (None, 4)]),
        ConvShapeError,
        r"axis values None \(at axis 1\) != 4",
    ),
    (
        "dot axes type",
        lambda k: k.layers.Dot(axes="1"),
        partial(cs_layers.Dot, axes="1"),  # type: ignore[arg-type]
        TypeError,
        r"Invalid type for argument `axes`",
    ),
    (
        "dot axes length",
        lambda k: k.layers.Dot(axes=(1, 2, 3)),
        lambda: cs_layers.Dot(axes=(1, 2, 3)),  # type: ignore[arg-type]
        ConvShapeError,
        r"it should contain two elements\. Received: axes=\(1, 2, 3\)",
    ),
    (
        "dot axes elements",
        lambda k: k.layers.Dot(axes=(1, 2.0)),
        lambda: cs_layers.Dot(axes=(1, 2.0)),  # type: ignore[arg-type]
        ConvShapeError,
        r"list elements should be integers",
    ),
    (
        "dot rank 1",
        lambda k: k.layers.Dot(axes=-1)([k.Input(batch_shape=(5,)), k.Input(batch_shape=(5,))]),
        lambda: cs_layers.Dot(axes=-1).compute_output_shape([(5,), (5,)]),
        ConvShapeError,
        r"rank >= 2",
    ),
    (
        "normalization mean alone",
        lambda k: k.layers.Normalization(mean=1.0),
        partial(cs_layers.Normalization, mean=1.0),
        ConvShapeError,
        r"both `mean` and `variance` must be set",
    ),
    (
        "normalization mean shapes",
        lambda k: k.layers.Normalization(mean=[1.0], variance=[1.0, 2.0]),
        partial(cs_layers.Normalization, mean=[1.0], variance=[1.0, 2.0]),
        ConvShapeError,
        r"must have the same shape; mean has shape \(1,\) and variance \(2,\)",
    ),
    (
        "normalization mean rank",
        lambda k: k.layers.Normalization(axis=None, mean=[1.0], variance=[1.0]),
        partial(cs_layers.Normalization, axis=None, mean=[1.0], variance=[1.0]),
        ConvShapeError,
        r"number of axes \(0\)",
    ),
    (
        "normalization unknown axis",
        lambda k: k.layers.Normalization()(k.Input((None,))),
        lambda: cs_layers.Normalization().compute_output_shape((None, None)),
        ConvShapeError,
        r"must have a known shape; axis 1 of the input is unknown",
    ),
    (
        "normalization axis range",
        lambda k: k.layers.Normalization(axis=3)(k.Input((3,))),
        lambda: cs_layers.Normalization(axis=3).compute_output_shape((None, 3)),
        ConvShapeError,
        r"range \[-ndim, ndim\); the input has ndim=2",
    ),
    (
        "normalization axis type",
        lambda k: k.layers.Normalization(axis=1.0),
        partial(cs_layers.Normalization, axis=1.0),  # type: ignore[arg-type]
        TypeError,
        r"`axis` must be None, an int or a tuple of ints, not float",
    ),
    (
        "resizing interpolation",
        lambda k: k.layers.Resizing(4, 5, interpolation="gaussian")(_image()),
        partial(cs_layers.Resizing, 4, 5, interpolation="gaussian"),
        ConvShapeError,
        r"Invalid value for argument `interpolation`",
    ),
    (
        "resizing crop and pad",
        lambda k: k.layers.Resizing(4, 5, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)(
            _image()
        ),
        partial(cs_layers.Resizing, 4, 5, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
        ConvShapeError,
        r"Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio`",
    ),
    (
        "resizing fill mode",
        lambda k: k.layers.Resizing(4, 5, fill_mode="reflect")(_image()),
        partial(cs_layers.Resizing, 4, 5, fill_mode="reflect"),
        ConvShapeError,
        r"only 'constant' is supported",
    ),
    (
        "resizing height",
        lambda k: k.layers.Resizing(0, 5)(_image()),
        partial(cs_layers.Resizing, 0, 5),
        ConvShapeError,
        r"`height` must be an integer >= 1",
    ),
    (
        "resizing data format",
        lambda k: k.layers.Resizing(4, 5, data_format="nhwc"),
        partial(cs_layers.Resizing, 4, 5, data_format="nhwc"),
        ConvShapeError,
        r"`data_format` must be 'channels_last' or 'channels_first'",
    ),
    (
        "center crop rank",
        lambda k: k.layers.CenterCrop(4, 5)(k.Input((2, 6, 7, 3))),
        lambda: cs_layers.CenterCrop(4, 5).compute_output_shape((None, 2, 6, 7, 3)),
        ConvShapeError,
        r"rank 3 \(single image\) or 4 \(batch of images\), got rank 5",
    ),
    (
        "layer scale broadcast",
        lambda k: _application_layer("LayerScale", 1e-6, 5)(k.Input((3, 4))),
        lambda: cs_layers.LayerScale(1e-6, 5).compute_output_shape((None, 3, 4)),
        ConvShapeError,
        r"vector of 5 \(`projection_dim`\), which does not broadcast",
    ),
    (
        "custom scale one input",
        lambda k: _application_layer("CustomScaleLayer", 0.1)([k.Input((3,))]),
        lambda: cs_layers.CustomScaleLayer(0.1).compute_output_shape([(None, 3)]),
        ConvShapeError,
        r"at least 2 inputs; got 1",
    ),
]


@pytest.mark.parametrize(
    ("keras_call", "our_call", "error", "match"),
    [entry[1:] for entry in _INVALID],
    ids=[entry[0] for entry in _INVALID],
)
def test_invalid_configurations_raise_in_both(
    keras: Any,
    keras_call: Callable[[Any], Any],
    our_call: Callable[[], Any],
    error: type[Exception],
    match: str,
) -> None:
    ORACLE_COUNTS["keras new layers: rejections reproduced"] += 1
    with pytest.raises(Exception):  # noqa: B017, PT011 - Keras raises ValueError, TypeError, IndexError or a TF error
        keras_call(keras)
    with pytest.raises(error, match=match):
        our_call()

"""Oracle tests for the adaptive pooling layers: real Keras 3 layers (TensorFlow backend).

For every configuration the Keras layer is called on a ``keras.Input`` of the shape (as
in a functional model) and, where every size is known, on a zeros tensor: the truth is
what Keras's symbolic call and TensorFlow's computation both give; where either raises,
convshape must raise too (ConvShapeError or TypeError, naming the argument).

TensorFlow's CPU max pool kills the process (SIGFPE) when a window is longer than the
input, and Keras's TensorFlow backend asks for such a window in AdaptiveMaxPooling
whenever ``ceil(size / output_size) + 1 > size`` along an axis (an output of 1, or an
input of 1). Those tensors run through Keras's JAX backend function instead (the same
Keras code path for another backend, which computes them).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest

import convshape.layers as cs_layers
from convshape.errors import ConvShapeError
from tests.oracles import ORACLE_COUNTS, oracle

Shape = tuple[int | None, ...]
Outcome = tuple[str, Any]

NAMES = [f"Adaptive{kind}Pooling{rank}D" for kind in ("Average", "Max") for rank in (1, 2, 3)]


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def _rank(name: str) -> int:
    return int(name[-2])


def _spatial(shape: Shape, rank: int, data_format: str | None) -> Shape:
    return shape[2:] if data_format == "channels_first" else shape[1 : rank + 1]


def _tensorflow_would_crash(name: str, spatial: Shape, output_size: Sequence[int]) -> bool:
    return "Max" in name and any(
        size is not None and size > 0 and out > 0 and math.ceil(size / out) + 1 > size
        for size, out in zip(spatial, output_size, strict=True)
    )


def _run_tensor(layer: Any, name: str, shape: Shape) -> Shape:
    import numpy as np

    rank = _rank(name)
    known = cast("tuple[int, ...]", shape)  # called only when every size is known
    output_size = layer.output_size
    if _tensorflow_would_crash(name, _spatial(shape, rank, layer.data_format), output_size):
        import jax.numpy as jnp
        from keras.src.backend.jax import nn as jax_nn

        result = jax_nn.adaptive_max_pool(
            jnp.zeros(known, dtype="float32"), output_size, data_format=layer.data_format
        )
        return tuple(result.shape)
    return tuple(layer(np.zeros(known, dtype="float32")).shape)


def _keras_outcome(keras: Any, name: str, kwargs: dict[str, Any], shape: Shape) -> Outcome:
    """The shape Keras's symbolic call and its computation agree on, or the error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = getattr(keras.layers, name)(**kwargs)
            symbolic = tuple(layer(keras.Input(batch_shape=shape)).shape)
            assert tuple(layer.compute_output_shape(shape)) == symbolic
            if None in shape:
                return ("ok", symbolic)
            computed = _run_tensor(layer, name, shape)
    except Exception as error:  # Keras raises ValueError, TypeError, AssertionError, TF errors
        return ("error", f"{type(error).__name__}: {' '.join(str(error).split())[:200]}")
    if computed != symbolic:
        return ("inconsistent", (symbolic, computed))
    return ("ok", computed)


def _our_outcome(name: str, kwargs: dict[str, Any], shape: Shape) -> Outcome:
    try:
        layer = getattr(cs_layers, name)(**kwargs)
        return ("ok", layer.compute_output_shape(shape))
    except (ConvShapeError, TypeError) as error:
        return ("error", str(error))


def _compare(keras: Any, name: str, kwargs: dict[str, Any], shape: Shape) -> str | None:
    ORACLE_COUNTS[f"keras adaptive pooling: {name}"] += 1
    expected = _keras_outcome(keras, name, kwargs, shape)
    got = _our_outcome(name, kwargs, shape)
    if expected[0] != got[0] or (expected[0] == "ok" and expected[1] != got[1]):
        return f"{name}(**{kwargs}) on {shape}: keras {expected}, convshape {got}"
    return None


def _output_sizes(rank: int) -> list[Any]:
    per_axis: dict[int, list[tuple[int, ...]]] = {
        1: [(1,), (2,), (5,)],
        2: [(1, 1), (2, 3), (4, 4)],
        3: [(1, 1, 1), (2, 3, 1)],
    }
    return [1, 3, *per_axis[rank], list(per_axis[rank][-1])]


def _inputs(rank: int, data_format: str | None) -> list[Shape]:
    sizes = {1: [0, 1, 2, 3, 5, 8], 2: [1, 3, 7], 3: [1, 4]}[rank]
    shapes: list[Shape] = []
    for index, spatial in enumerate(itertools.product(sizes, repeat=rank)):
        # An empty batch or no channels, on a few spatial sizes only.
        for batch, channels in ((2, 3), (0, 2), (1, 0))[: 1 if index % 4 else 3]:
            if data_format == "channels_first":
                shapes.append((batch, channels, *spatial))
            else:
                shapes.append((batch, *spatial, channels))
    unknown: Shape = (None,) * rank
    if data_format == "channels_first":
        shapes += [(None, 3, *unknown), (None, None, *unknown), (4, 3, *((5,) * (rank - 1)), 0)]
    else:
        shapes += [(None, *unknown, 3), (None, *unknown, None), (4, 0, *((5,) * (rank - 1)), 3)]
    return shapes


@pytest.mark.parametrize("name", NAMES)
def test_output_shapes_match_keras(keras: Any, name: str) -> None:
    """Every output size form, both data formats, known, unknown, one and zero sizes."""
    rank = _rank(name)
    mismatches: list[str] = []
    for data_format in (None, "channels_last", "channels_first"):
        for output_size in _output_sizes(rank):
            kwargs: dict[str, Any] = {"output_size": output_size}
            if data_format is not None:
                kwargs["data_format"] = data_format
            for shape in _inputs(rank, data_format):
                mismatch = _compare(keras, name, kwargs, shape)
                if mismatch is not None:
                    mismatches.append(mismatch)
    assert mismatches == []


#: Arguments Keras takes and refuses, each tried on a valid input of every class.
_ARGUMENTS: list[tuple[str, Callable[[int], dict[str, Any]]]] = [
    ("int", lambda r: {"output_size": 2}),
    ("tuple", lambda r: {"output_size": (2,) * r}),
    ("list", lambda r: {"output_size": [3] * r}),
    ("numpy ints in a tuple", lambda r: {"output_size": tuple(_np_int(2) for _ in range(r))}),
    ("larger than the input", lambda r: {"output_size": 9}),
    ("channels_first", lambda r: {"output_size": 2, "data_format": "channels_first"}),
    ("empty data_format", lambda r: {"output_size": 2, "data_format": ""}),
    ("name and dtype", lambda r: {"output_size": 2, "name": "pool", "dtype": "float32"}),
    ("trainable", lambda r: {"output_size": 2, "trainable": False}),
    ("zero", lambda r: {"output_size": 0}),
    ("negative", lambda r: {"output_size": -1}),
    ("zero in a tuple", lambda r: {"output_size": (2,) * (r - 1) + (0,)}),
    ("negative in a tuple", lambda r: {"output_size": (-2,) * r}),
    ("bool", lambda r: {"output_size": True}),
    ("float", lambda r: {"output_size": 2.0}),
    ("float in a tuple", lambda r: {"output_size": (2.0,) * r}),
    ("None", lambda r: {"output_size": None}),
    ("None in a tuple", lambda r: {"output_size": (None,) * r}),
    ("string", lambda r: {"output_size": "2"}),
    ("numpy int alone", lambda r: {"output_size": _np_int(2)}),
    ("too long", lambda r: {"output_size": (2,) * (r + 1)}),
    ("too short", lambda r: {"output_size": (2,) * (r - 1)}),
    ("empty tuple", lambda r: {"output_size": ()}),
    ("dict", lambda r: {"output_size": {"a": 2}}),
    ("upper-case data_format", lambda r: {"output_size": 2, "data_format": "CHANNELS_LAST"}),
    ("unknown data_format", lambda r: {"output_size": 2, "data_format": "nhwc"}),
    ("unknown keyword", lambda r: {"output_size": 2, "pool_size": 2}),
    ("no output_size", lambda r: {}),
]


def _np_int(value: int) -> Any:
    import numpy as np

    return np.int64(value)


def _our_error_names_the_argument(name: str, kwargs: dict[str, Any], shape: Shape) -> bool:
    try:
        getattr(cs_layers, name)(**kwargs).compute_output_shape(shape)
    except (ConvShapeError, TypeError) as error:
        named = [key for key in (*kwargs, "output_size") if key in str(error)]
        return bool(named)
    return False


@pytest.mark.parametrize("name", NAMES)
def test_arguments_are_accepted_and_refused_as_in_keras(keras: Any, name: str) -> None:
    rank = _rank(name)
    shape: Shape = (2, *((6,) * rank), 3)
    mismatches: list[str] = []
    for label, make in _ARGUMENTS:
        kwargs = make(rank)
        mismatch = _compare(keras, name, kwargs, shape)
        if mismatch is not None:
            mismatches.append(f"{label}: {mismatch}")
        elif _our_outcome(name, kwargs, shape)[0] == "error" and not (
            _our_error_names_the_argument(name, kwargs, shape)
        ):
            mismatches.append(f"{label}: convshape's error names no argument")
    assert mismatches == []


def test_keras_messages_for_each_refusal() -> None:
    """The messages convshape gives (Keras's words differ, and some come from TensorFlow)."""
    cases: list[tuple[Callable[[], Any], type[Exception], str]] = [
        (
            lambda: cs_layers.AdaptiveAveragePooling2D(0),
            ConvShapeError,
            r"`output_size` must be a tuple of 2 integers > 0\. Received: output_size=0",
        ),
        (
            lambda: cs_layers.AdaptiveMaxPooling1D((2, 3)),
            ConvShapeError,
            r"`output_size` must be an int or a tuple of 1 integers\. "
            r"Received: output_size=\(2, 3\)",
        ),
        (
            lambda: cs_layers.AdaptiveMaxPooling3D(2.0),  # type: ignore[arg-type]
            TypeError,
            r"`output_size` must be an int or a tuple of 3 ints, not float\. "
            r"Received: output_size=2\.0",
        ),
        (
            lambda: cs_layers.AdaptiveMaxPooling3D(True),
            TypeError,
            r"`output_size` must be an int or a tuple of 3 ints, not bool",
        ),
        (
            lambda: cs_layers.AdaptiveAveragePooling2D((2, None)),  # type: ignore[arg-type]
            TypeError,
            r"`output_size` must be an int, not NoneType",
        ),
        (
            lambda: cs_layers.AdaptiveAveragePooling1D(2, data_format="Channels_First"),
            ConvShapeError,
            r"`data_format` must be 'channels_last' or 'channels_first' \(lower case\)\. "
            r"Received: data_format='Channels_First'",
        ),
        (
            lambda: cs_layers.AdaptiveAveragePooling1D(2, data_format=1),  # type: ignore[arg-type]
            TypeError,
            r"`data_format` must be a str, not int",
        ),
        (
            lambda: cs_layers.AdaptiveMaxPooling2D(3).compute_output_shape((None, 5, 0, 3)),
            ConvShapeError,
            r"AdaptiveMaxPooling2D cannot pool an empty input: spatial dimension 1 \(axis 2\) "
            r"has size 0\. Received: input_shape=\(None, 5, 0, 3\), output_size=\(3, 3\)",
        ),
        (
            lambda: cs_layers.AdaptiveMaxPooling2D(3).compute_output_shape((None, 5, 3)),
            ConvShapeError,
            r"AdaptiveMaxPooling2D expects an input of rank 4 \(batch included\), got rank 3",
        ),
    ]
    for make, error, match in cases:
        with pytest.raises(error, match=match):
            make()


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_rank_is_refused_where_keras_contradicts_itself(keras: Any, name: str) -> None:
    """Keras's adaptive pools have no input spec: on an input of another rank the symbolic
    call answers with ``output_size`` spliced in, but the computation dispatches on the
    tensor's rank (a 2D pool on a 3D tensor pools one axis) or fails. There is no one
    Keras answer, and convshape refuses the input."""
    rank = _rank(name)
    for shape in ((2, *((6,) * (rank - 1)), 3), (2, *((6,) * (rank + 1)), 3)):
        if len(shape) < 3:
            continue
        ORACLE_COUNTS[f"keras adaptive pooling: {name}"] += 1
        expected = _keras_outcome(keras, name, {"output_size": 2}, shape)
        assert expected[0] in ("error", "inconsistent"), (shape, expected)
        with pytest.raises(ConvShapeError, match=rf"expects an input of rank {rank + 2}"):
            getattr(cs_layers, name)(2).compute_output_shape(shape)


def test_constructor_signatures_match_keras(keras: Any) -> None:
    import inspect

    for name in NAMES:
        ORACLE_COUNTS["keras adaptive pooling: signatures and built flags"] += 1
        theirs = [
            (p.name, p.default)
            for p in inspect.signature(getattr(keras.layers, name).__init__).parameters.values()
            if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        ours = [
            (p.name, p.default)
            for p in inspect.signature(getattr(cs_layers, name)).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        assert theirs == ours, name
        built = getattr(keras.layers, name)(2).built
        assert getattr(cs_layers, name)._built_at_init is built, name


# -- summaries and loading ------------------------------------------------------------


def _sequential(layers: Any, model: Any, make_input: Any) -> Any:
    return model(
        [
            make_input((None, None, 3)),
            layers.Conv2D(8, 3, padding="same"),
            layers.AdaptiveAveragePooling2D((5, 4)),
            layers.AdaptiveMaxPooling2D(2, data_format="channels_first"),
            layers.Reshape((10, 2)),
            layers.AdaptiveMaxPooling1D(3),
            layers.AdaptiveAveragePooling1D([7], name="avg1d", dtype="float16"),
            layers.Reshape((7, 2, 1, 1)),
            layers.AdaptiveAveragePooling3D((2, 3, 4)),
            layers.AdaptiveMaxPooling3D(1, data_format="channels_last"),
            layers.Flatten(),
            layers.Dense(4),
        ]
    )


def _functional(layers: Any, model: Any, make_input: Any) -> Any:
    x = make_input((16, 12, 6))
    a = layers.AdaptiveAveragePooling2D(4)(x)
    b = layers.AdaptiveMaxPooling2D((4, 4))(layers.Conv2D(6, 5, strides=2)(x))
    joined = layers.Concatenate()([a, b])
    pooled = layers.AdaptiveMaxPooling2D(1)(joined)
    return model(x, [layers.Flatten()(pooled), joined])


@pytest.mark.parametrize("build", [_sequential, _functional], ids=["sequential", "functional"])
def test_summaries_match_keras_and_survive_to_json(keras: Any, build: Any) -> None:
    import convshape
    from convshape._naming import clear_session

    ORACLE_COUNTS["keras adaptive pooling: summaries"] += 1
    keras.backend.clear_session()
    clear_session()
    sequential = build is _sequential
    theirs = build(keras.layers, keras.Sequential if sequential else keras.Model, keras.Input)
    ours = build(
        cs_layers, convshape.Sequential if sequential else convshape.Model, convshape.Input
    )
    expected: list[str] = []
    got: list[str] = []
    theirs.summary(print_fn=expected.append)
    ours.summary(print_fn=got.append)
    assert got == expected
    assert "(AdaptiveMaxPoolin" in "\n".join(expected)
    loaded: list[str] = []
    convshape.load_keras(theirs.to_json()).summary(print_fn=loaded.append)
    assert loaded == expected
    config = json.loads(theirs.to_json())
    adaptive = [layer for layer in config["config"]["layers"] if "Adaptive" in layer["class_name"]]
    assert adaptive
    assert all(
        re.fullmatch(r"channels_(last|first)", layer["config"]["data_format"]) for layer in adaptive
    )

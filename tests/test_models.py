"""The functional API: names as Keras gives them, layers by identity, shared and nested
models, Keras ops on tensors, and the errors; the same code run in real Keras where it
matters."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape import Input, Model, Sequential, layers
from tests.oracles import ORACLE_COUNTS, oracle

CONVSHAPE = SimpleNamespace(
    Model=cs.Model, Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers
)


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


def _namespace(keras: Any) -> SimpleNamespace:
    keras.backend.clear_session()
    return SimpleNamespace(
        Model=keras.Model, Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers
    )


def naming_script(k: Any) -> list[str]:
    """Layers created before they are wired, models built several ways, in one session."""
    a = k.layers.Dense(2)
    b = k.layers.Dense(3)
    first = k.Sequential([k.Input((4,)), b, a])
    names = [layer.name for layer in first.layers] + [first.name]
    second = k.Sequential()
    second.add(k.layers.Dense(4, input_shape=(3,)))
    second.add(k.layers.Dense(5))
    second.add(k.layers.Dense(6))
    names += [layer.name for layer in second.layers] + [second.name]
    x = k.Input((8,))
    y = k.layers.Dense(2, name="head")(k.layers.Dense(4)(x))
    functional = k.Model(x, y)
    names += [layer.name for layer in functional.layers] + [functional.name]
    other = k.Model(x, k.layers.Dense(3)(x))
    names += [other.name, other.layers[-1].name]
    unbuilt = k.Sequential([k.layers.Dense(2)])
    names += [unbuilt.name, unbuilt.layers[0].name]
    return names


def test_names_follow_keras_session_counters(keras: Any) -> None:
    ORACLE_COUNTS["keras functional API behaviours"] += 1
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about input_shape= on a layer
        theirs = naming_script(_namespace(keras))
    cs.clear_session()
    assert naming_script(CONVSHAPE) == theirs
    assert theirs[:3] == ["dense_1", "dense", "sequential"]


def test_layers_keep_their_identity() -> None:
    a, b = layers.Dense(2), layers.Dense(3)
    model = Sequential([Input((4,)), b, a])
    assert model.layers[0] is b
    assert model.layers[1] is a
    x = Input((4,))
    shared = layers.Dense(4)
    y = shared(shared(x))
    functional = Model(x, y)
    assert functional.layers[1] is shared
    assert functional.count_params() == 20  # one set of weights for two calls
    assert functional.get_layer(shared.name) is shared
    assert functional.get_layer(index=0).name == "input_layer_1"


def test_keras_ops_on_tensors_match_keras(keras: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ORACLE_COUNTS["keras functional API behaviours"] += 1

    def build(k: Any) -> Any:
        x = k.Input((4, 3))
        y = k.layers.Dense(3)(x)
        z = -(x + y * 3.0) / 2.0
        return k.Model(x, [z, 1.0 - y])

    monkeypatch.setenv("COLUMNS", "200")
    theirs, ours = build(_namespace(keras)), build(CONVSHAPE)
    assert ours.output_shape == [tuple(shape) for shape in theirs.output_shape]
    printed: list[str] = []
    ours.summary(print_fn=printed.append)
    expected: list[str] = []
    theirs.summary(print_fn=expected.append)
    assert printed == expected
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]


def test_dict_inputs_and_outputs() -> None:
    image = Input((8, 8, 1), name="image")
    meta = Input((3,), name="meta")
    x = layers.Flatten()(image)
    joined = layers.Concatenate()([x, meta])
    model = Model(
        {"image": image, "meta": meta},
        {"score": layers.Dense(1, name="score")(joined), "code": layers.Dense(2)(joined)},
    )
    assert model.input_shape == [(None, 8, 8, 1), (None, 3)]
    assert model.compute_output_shape({"image": (None, 8, 8, 1), "meta": (None, 3)}) == {
        "score": (None, 1),
        "code": (None, 2),
    }


def test_nested_model_called_on_other_shapes() -> None:
    x = Input((None, None, 3))
    encoder = Model(x, layers.Conv2D(8, 3, strides=2, padding="same")(x), name="encoder")
    outer_input = Input((64, 48, 3))
    outer = Model(outer_input, layers.Flatten()(encoder(outer_input)))
    assert outer.output_shape == (None, 32 * 24 * 8)
    assert encoder.compute_output_shape((None, 9, 9, 3)) == (None, 5, 5, 8)
    assert outer.count_params() == encoder.count_params() == 224
    with pytest.raises(cs.ConvShapeError, match="input of model 'encoder' is incompatible"):
        encoder.compute_output_shape((None, 9, 9, 4))


def test_frozen_nested_model() -> None:
    inner_input = Input((4,))
    inner = Model(inner_input, layers.BatchNormalization()(layers.Dense(4)(inner_input)))
    inner.trainable = False
    x = Input((4,))
    model = Model(x, layers.Dense(1)(inner(x)))
    summary = model.summarize()
    assert (summary.trainable_params, summary.non_trainable_params) == (5, 36)
    assert [row.trainable for row in model.summarize(expand_nested=True).rows][1:] == [
        False,
        False,
        False,
        False,
        True,
    ]


def test_explain_and_check_walk_the_graph() -> None:
    x = Input((25, 25, 3))
    down = layers.MaxPooling2D()(x)
    up = layers.Conv2DTranspose(3, 2, strides=2)(down)
    model = Model(x, layers.Concatenate()([layers.Cropping2D(((0, 1), (0, 1)))(x), up]))
    explanation = model.explain()
    assert explanation.title == 'Model "functional": (None, 25, 25, 3) -> (None, 24, 24, 6)'
    assert explanation.steps[-1] == (
        "concatenate (Concatenate): [(None, 24, 24, 3), (None, 24, 24, 3)] -> (None, 24, 24, 6)"
    )
    assert [finding.code for finding in cs.check(model)] == [
        "odd-size-downsampling",
        "field-misses-input",
    ]
    assert "Connected to" in model._repr_html_()


def test_graph_errors() -> None:
    x, other = Input((4,)), Input((4,))
    y = layers.Dense(2)(other)
    with pytest.raises(
        cs.ConvShapeError,
        match=r"graph disconnected: the outputs are not connected to `inputs`; layer 'dense'",
    ):
        Model(x, y)
    with pytest.raises(cs.ConvShapeError, match="the name 'twin' is used 2 times"):
        Model(x, layers.Dense(2, name="twin")(layers.Dense(2, name="twin")(x)))
    with pytest.raises(TypeError, match="all `outputs` must be convshape symbolic tensors"):
        Model(x, [(None, 2)])
    with pytest.raises(cs.ConvShapeError, match="pass `inputs` and `outputs`"):
        Model()
    with pytest.raises(cs.ConvShapeError, match="intermediate tensors are not supported"):
        Model(y, layers.Dense(2)(y))
    shared = layers.Dense(2)
    shared(Input((3,)))
    with pytest.raises(cs.ConvShapeError, match="a shared layer has one set of weights"):
        shared(Input((5,)))
    with pytest.raises(cs.ConvShapeError, match="no such layer: nope"):
        Model(x, layers.Dense(2)(x)).get_layer("nope")
    with pytest.raises(TypeError, match="takes exactly one input tensor, got 2"):
        layers.Dense(2)(x, other)


def test_merge_mismatch_names_the_layer_and_both_shapes(keras: Any) -> None:
    ORACLE_COUNTS["keras functional API behaviours"] += 1
    k = _namespace(keras)
    with pytest.raises(ValueError, match="matching shapes"):
        k.layers.Concatenate()([k.Input((88, 88, 128)), k.Input((89, 89, 128))])
    a, b = Input((88, 88, 128)), Input((89, 89, 128))
    message = re.escape("(None, 88, 88, 128)") + ".*" + re.escape("(None, 89, 89, 128)")
    with pytest.raises(cs.ConvShapeError, match=f"concatenate.*{message}"):
        layers.Concatenate(name="concatenate")([a, b])


def test_arguments_of_the_wrong_type_are_named() -> None:
    """``Sequential(5)`` and ``summary(print_fn=5)`` name the argument (Keras raises a bare
    "'int' object is not iterable"); a generator of layers works as in Keras."""
    with pytest.raises(TypeError, match=r"`layers` must be a list .* Received: layers=5"):
        cs.Sequential(5)  # type: ignore[arg-type]
    model = cs.Sequential(layer for layer in (cs.Input((3,)), cs.layers.Dense(2)))
    assert model.output_shape == (None, 2)
    with pytest.raises(TypeError, match="`print_fn` must be callable"):
        model.summary(print_fn=5)  # type: ignore[arg-type]


def test_unbatched_torch_inputs_are_refused_where_the_batch_axis_is_read() -> None:
    from convshape import torch as pt

    for analysis in (cs.receptive_field, cs.cost):
        with pytest.raises(cs.ConvShapeError, match=r"needs a batched input"):
            analysis(pt.Conv2d(3, 8, 3), (3, 9, 9))
    assert cs.cost(pt.Conv2d(3, 8, 3), (1, 3, 9, 9)).macs == 8 * 7 * 7 * 27


def test_receptive_fields_of_absurd_layers_are_refused_not_computed() -> None:
    """A file may declare a kernel of 2**40: the fields list each tap, so beyond a limit
    they are refused at once, and ``check`` still answers."""
    model = Sequential([Input((None, 1)), layers.Conv1D(1, 2**40)])
    with pytest.raises(cs.ConvShapeError, match="`kernel_size` up to 65,536"):
        cs.receptive_field(model)
    assert cs.check(model) == []
    wide = Sequential([Input((None, 1)), layers.Conv1DTranspose(1, 3, strides=10**9)])
    with pytest.raises(cs.ConvShapeError, match="`strides` up to 65,536"):
        cs.receptive_field(wide)

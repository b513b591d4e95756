"""Errors and warnings a person can act on: a layer refusing inside a model names itself
(name and class), its index in ``model.layers`` and the model, whichever way the model was
built (Sequential, ``Sequential.add``, a functional graph, ``load_keras``, PyTorch's
``Sequential``); a warning points at the caller's own line, however deep convshape's
call; messages stay short whatever the names."""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import convshape as cs
from convshape import Input, Model, Sequential, layers
from convshape import torch as pt
from convshape.errors import ConvShapeError, ConvShapeWarning, EmptyOutputError, scopes
from tests.oracles import ORACLE_COUNTS, oracle

#: Messages stay well under the fuzz suite's 4,000-character cap.
MAX_MESSAGE = 2_000


@pytest.fixture(autouse=True)
def _fresh_names() -> Iterator[None]:
    cs.clear_session()
    yield
    assert scopes() == []  # every scope a call opened is closed, error or not


@contextmanager
def recorded() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


# -- errors: the layer, its index and the model ------------------------------------------


def test_sequential_names_the_layer_its_index_and_the_model() -> None:
    with pytest.raises(EmptyOutputError) as caught:
        Sequential([Input((3, 3, 1)), layers.Conv2D(8, 5, name="c5")], name="encoder")
    message = str(caught.value)
    assert message.startswith(
        "layer 'c5' (Conv2D) at index 0 of Sequential model 'encoder': Conv2D: in spatial "
        "dimension 0 the effective kernel (5) is longer than the padded input (3"
    )
    assert "Received: input_shape=(None, 3, 3, 1)" in message
    error = caught.value
    assert (error.layer, error.layer_index, error.model) == ("c5", 0, "encoder")
    assert error.argument == "input_shape"


def test_sequential_add_names_the_layer_its_index_and_the_model() -> None:
    model = Sequential(name="m2")
    model.add(Input((3, 3, 1)))
    model.add(layers.Dense(4))
    with pytest.raises(
        ConvShapeError,
        match=r"^layer 'conv2d' \(Conv2D\) at index 1 of Sequential model 'm2': Conv2D: in spatial "
        r"dimension 0 ",
    ):
        model.add(layers.Conv2D(8, 5))
    assert [layer.name for layer in model.layers] == ["dense"]  # the model is unchanged


def test_an_input_of_the_wrong_rank_is_named_as_keras_names_it() -> None:
    """Keras names the layer in its InputSpec errors; convshape adds the index and model."""
    keras = oracle("keras")
    ORACLE_COUNTS["keras errors naming the layer"] += 1
    theirs = keras.Sequential(name="m3")
    theirs.add(keras.Input((3, 3, 1)))
    theirs.add(keras.layers.Dense(4))
    with pytest.raises(ValueError, match="of layer 'rnn' is incompatible") as keras_error:
        theirs.add(keras.layers.LSTM(8, name="rnn"))
    ours = Sequential(name="m3")
    ours.add(Input((3, 3, 1)))
    ours.add(layers.Dense(4))
    with pytest.raises(ConvShapeError) as caught:
        ours.add(layers.LSTM(8, name="rnn"))
    found = re.search(r"of layer '(\w+)'", str(keras_error.value))
    assert found is not None
    assert str(caught.value).startswith(
        f"layer '{found.group(1)}' (LSTM) at index 1 of Sequential model 'm3': LSTM expects "
        "an input of rank 3 (batch included), got rank 4"
    )
    assert "(None, 3, 3, 4)" in str(keras_error.value)
    assert "(None, 3, 3, 4)" in str(caught.value)


def test_a_shared_layer_is_named_as_keras_names_it() -> None:
    keras = oracle("keras")
    ORACLE_COUNTS["keras errors naming the layer"] += 1
    theirs = keras.layers.Dense(2, name="head")
    theirs(keras.Input((4,)))
    with pytest.raises(ValueError, match="of layer 'head' is incompatible"):
        theirs(keras.Input((5,)))
    ours = layers.Dense(2, name="head")
    ours(Input((4,), name="small"))
    with pytest.raises(ConvShapeError) as caught:
        ours(Input((5,), name="wide"))
    assert str(caught.value) == (
        "layer 'head' (Dense), called on the output of 'wide': a shared layer has one set "
        "of weights, built on its first call with shapes [(4, 2), (2,)]; this call would "
        "need [(5, 2), (2,)]. Received: input_shape=(None, 5)"
    )
    assert (caught.value.layer, caught.value.layer_index, caught.value.model) == (
        "head",
        None,
        None,
    )


def test_a_unet_skip_connection_names_the_layers_it_joins() -> None:
    inputs = Input((64, 64, 3), name="image")
    down = layers.Conv2D(8, 3, name="down")(inputs)
    pooled = layers.MaxPooling2D(name="pool")(down)
    up = layers.UpSampling2D(name="up")(pooled)
    up = layers.Conv2D(8, 3, name="up_conv")(up)
    with pytest.raises(
        ConvShapeError,
        match=r"^layer 'skip' \(Concatenate\), called on the outputs of 'down' and 'up_conv': "
        r"A `Concatenate` layer requires inputs with matching shapes except for the "
        r"concatenation axis; \(None, 62, 62, 8\) and \(None, 60, 60, 8\) differ at axis 1",
    ) as caught:
        layers.Concatenate(name="skip")([down, up])
    assert caught.value.layer == "skip"
    assert caught.value.model is None  # no model yet: the call names its inputs instead


def test_a_call_with_the_wrong_arguments_names_the_layer() -> None:
    first, second = Input((4,), name="a"), Input((4,), name="b")
    with pytest.raises(
        TypeError,
        match=r"^layer 'd' \(Dense\), called on the outputs of 'a' and 'b': Dense takes "
        r"exactly one input tensor, got 2$",
    ):
        layers.Dense(2, name="d")(first, second)


def test_a_functional_model_on_other_shapes_names_the_layer_its_index_and_the_model() -> None:
    inputs = Input((None, None, 3), name="image")
    hidden = layers.Conv2D(8, 3, padding="same", name="c3")(inputs)
    model = Model(inputs, layers.Conv2D(8, 5, name="c5")(hidden), name="features")
    assert model.compute_output_shape((None, 9, 9, 3)) == (None, 5, 5, 8)
    with pytest.raises(
        EmptyOutputError,
        match=r"^layer 'c5' \(Conv2D\) at index 2 of Functional model 'features', called on "
        r"the output of 'c3': Conv2D: in spatial dimension 0 the effective kernel \(5\)",
    ) as caught:
        model.compute_output_shape((None, 3, 3, 3))
    assert model.layers[caught.value.layer_index or 0].name == "c5"


def test_a_model_inside_a_sequential_names_its_own_layer() -> None:
    inputs = Input((None, 3), name="steps")
    inner = Model(inputs, layers.Conv1D(4, 5, name="wide")(inputs), name="inner")
    with pytest.raises(
        ConvShapeError,
        match=r"^layer 'wide' \(Conv1D\) at index 1 of Functional model 'inner', called on "
        r"the output of 'steps': Conv1D: in spatial dimension 0",
    ):
        Sequential([Input((2, 3)), inner], name="outer")


def test_the_first_location_stays_and_errors_outside_models_are_unchanged() -> None:
    with pytest.raises(EmptyOutputError, match=r"^Conv2D: in spatial dimension 0") as caught:
        layers.Conv2D(8, 5).compute_output_shape((None, 3, 3, 1))
    assert caught.value.layer is None
    inner = Sequential([Input((4,)), layers.Dense(3, name="d")], name="inner")
    with pytest.raises(ConvShapeError) as nested:
        Sequential([Input((5,)), inner], name="outer")
    assert str(nested.value).count("layer '") == 1  # the innermost location only


# -- load_keras: the file, then the layer, its index and the model ------------------------


def _sequential_json() -> str:
    return json.dumps(
        {
            "class_name": "Sequential",
            "config": {
                "name": "loaded",
                "layers": [
                    {"class_name": "InputLayer", "config": {"batch_shape": [None, 3, 3, 1]}},
                    {"class_name": "Dense", "config": {"name": "dense", "units": 4}},
                    {
                        "class_name": "Conv2D",
                        "config": {"name": "c5", "filters": 8, "kernel_size": [5, 5]},
                    },
                ],
            },
        }
    )


def _functional_json(*, second: dict[str, Any]) -> str:
    def call(name: str) -> list[dict[str, Any]]:
        history = {"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, 0]}}
        return [{"args": [history], "kwargs": {}}]

    return json.dumps(
        {
            "class_name": "Functional",
            "config": {
                "name": "graph",
                "layers": [
                    {
                        "class_name": "InputLayer",
                        "name": "image",
                        "config": {"name": "image", "batch_shape": [None, 3, 3, 1]},
                        "inbound_nodes": [],
                    },
                    {
                        "class_name": "Dense",
                        "name": "dense",
                        "config": {"name": "dense", "units": 4},
                        "inbound_nodes": call("image"),
                    },
                    {**second, "name": "last", "inbound_nodes": call("dense")},
                ],
                "input_layers": [["image", 0, 0]],
                "output_layers": [["last", 0, 0]],
            },
        }
    )


def test_load_keras_sequential_names_the_layer_its_index_and_the_model_once() -> None:
    with pytest.raises(EmptyOutputError) as caught:
        cs.load_keras(_sequential_json())
    assert str(caught.value).startswith(
        "the JSON string: layer 'c5' (Conv2D) at index 1 of Sequential model 'loaded': "
        "Conv2D: in spatial dimension 0 the effective kernel (5)"
    )
    assert (caught.value.layer, caught.value.layer_index, caught.value.model) == (
        "c5",
        1,
        "loaded",
    )
    model = cs.load_keras(_sequential_json().replace("[5, 5]", "[1, 1]"))
    assert [layer.name for layer in model.layers].index("c5") == caught.value.layer_index


def test_load_keras_functional_names_the_layer_its_index_and_the_model() -> None:
    conv: dict[str, Any] = {
        "class_name": "Conv2D",
        "config": {"name": "last", "filters": 8, "kernel_size": 5},
    }
    with pytest.raises(
        EmptyOutputError,
        match=r"^the JSON string: layer 'last' \(Conv2D\) at index 2 of Functional model "
        r"'graph', called on the output of 'dense': Conv2D: in spatial dimension 0",
    ) as caught:
        cs.load_keras(_functional_json(second=conv))
    assert (caught.value.layer_index, caught.value.model) == (2, "graph")
    # The index is the layer's index in the loaded model's ``layers``.
    conv["config"]["kernel_size"] = 1
    model = cs.load_keras(_functional_json(second=conv))
    assert [layer.name for layer in model.layers].index("last") == caught.value.layer_index


# -- PyTorch's Sequential ------------------------------------------------------------------


def test_torch_sequential_names_the_module_by_its_index() -> None:
    model = pt.Sequential(pt.Conv2d(3, 8, 5), pt.ReLU(), pt.Conv2d(8, 8, 5))
    pattern = (
        r"^Sequential module 2 \(Conv2d\): the effective kernel \(5\) is longer than the "
        r"padded input \(3\)"
    )
    with pytest.raises(EmptyOutputError, match=pattern):
        model.compute_output_shape((1, 3, 7, 7))
    with pytest.raises(EmptyOutputError, match=pattern):
        model.summarize((1, 3, 7, 7))
    with pytest.raises(ConvShapeError, match=r"^Sequential module 1 \(Conv2d\): Conv2d expects"):
        pt.Sequential(pt.Conv2d(3, 8, 3), pt.Conv2d(4, 8, 3)).compute_output_shape((1, 3, 7, 7))


# -- warnings: the caller's line, the layer, its index and the model ----------------------


def _unrolled_paths() -> list[tuple[str, Callable[[], object], str]]:
    """Each way an LSTM(unroll=True) meets unknown timesteps, with the location its
    warning must name."""

    def functional() -> object:
        return layers.LSTM(4, unroll=True, name="rnn")(Input((None, 3), name="steps"))

    def sequential() -> object:
        return Sequential([Input((None, 3)), layers.LSTM(4, unroll=True, name="rnn")], name="s")

    def added() -> object:
        model = Sequential(name="s")
        model.add(Input((None, 3)))
        model.add(layers.Dense(3))
        model.add(layers.LSTM(4, unroll=True, name="rnn"))
        return model

    def model_on_new_shapes() -> object:
        inputs = Input((5, 3), name="steps")
        model = Model(inputs, layers.LSTM(4, unroll=True, name="rnn")(inputs), name="m")
        return model.compute_output_shape((None, None, 3))

    def loaded(kind: str) -> Callable[[], object]:
        return lambda: cs.load_keras(_unrolled_config(kind))

    return [
        ("direct", lambda: layers.LSTM(4, unroll=True).compute_output_shape((None, None, 3)), ""),
        ("functional", functional, "layer 'rnn' (LSTM), called on the output of 'steps': "),
        ("sequential", sequential, "layer 'rnn' (LSTM) at index 0 of Sequential model 's': "),
        ("add", added, "layer 'rnn' (LSTM) at index 1 of Sequential model 's': "),
        (
            "model",
            model_on_new_shapes,
            "layer 'rnn' (LSTM) at index 1 of Functional model 'm', called on the output of "
            "'steps': ",
        ),
        (
            "load_keras sequential",
            loaded("Sequential"),
            "layer 'rnn' (LSTM) at index 0 of Sequential model 'loaded': ",
        ),
        (
            "load_keras functional",
            loaded("Functional"),
            "layer 'rnn' (LSTM) at index 1 of Functional model 'loaded', called on the output "
            "of 'steps': ",
        ),
    ]


def _unrolled_config(kind: str) -> dict[str, Any]:
    lstm = {"class_name": "LSTM", "config": {"name": "rnn", "units": 4, "unroll": True}}
    entry = {
        "class_name": "InputLayer",
        "config": {"name": "steps", "batch_shape": [None, None, 3]},
    }
    if kind == "Sequential":
        return {"class_name": "Sequential", "config": {"name": "loaded", "layers": [entry, lstm]}}
    history = {"class_name": "__keras_tensor__", "config": {"keras_history": ["steps", 0, 0]}}
    return {
        "class_name": "Functional",
        "config": {
            "name": "loaded",
            "layers": [
                {**entry, "name": "steps", "inbound_nodes": []},
                {**lstm, "name": "rnn", "inbound_nodes": [{"args": [history], "kwargs": {}}]},
            ],
            "input_layers": [["steps", 0, 0]],
            "output_layers": [["rnn", 0, 0]],
        },
    }


def test_a_warning_points_at_the_callers_line_and_names_the_layer_on_every_path() -> None:
    failures = []
    for path, make, where in _unrolled_paths():
        with recorded() as caught:
            make()
        found = [w for w in caught if issubclass(w.category, ConvShapeWarning)]
        messages = [str(w.message) for w in found]
        expected = f"{where}LSTM(unroll=True) on an unknown number of timesteps"
        if len(found) != 1 or not messages[0].startswith(expected):
            failures.append(f"{path}: {messages}")
        elif found[0].filename != __file__:
            failures.append(f"{path}: warned from {found[0].filename}:{found[0].lineno}")
    assert failures == []


def test_a_deprecated_argument_warns_at_the_callers_line_on_every_path() -> None:
    class Leaky(layers.LeakyReLU):  # a new class: its first instance compiles its __init__
        pass

    config = {
        "class_name": "Sequential",
        "config": {
            "name": "loaded",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 4]}},
                {"class_name": "Dense", "config": {"name": "dense", "units": 4}},
                {"class_name": "LeakyReLU", "config": {"name": "leaky", "alpha": 0.2}},
            ],
        },
    }
    paths: list[tuple[str, Callable[[], object], str]] = [
        ("first instance", lambda: Leaky(alpha=0.2), ""),
        ("later instance", lambda: Leaky(alpha=0.2), ""),
        ("load_keras", lambda: cs.load_keras(config), "layer 'leaky' (LeakyReLU) at index 1 "),
    ]
    failures = []
    for path, make, where in paths:
        with recorded() as caught:
            make()
        found = [w for w in caught if "deprecated" in str(w.message)]
        if len(found) != 1 or not str(found[0].message).startswith(where):
            failures.append(f"{path}: {[str(w.message) for w in found]}")
        elif found[0].filename != __file__:
            failures.append(f"{path}: warned from {found[0].filename}:{found[0].lineno}")
    assert failures == []
    with recorded() as caught:
        cs.load_keras(config)
    assert str(caught[0].message) == (
        "layer 'leaky' (LeakyReLU) at index 1 of Sequential model 'loaded': Argument `alpha` "
        "is deprecated. Use `negative_slope` instead."
    )


def test_the_transposed_convolution_warning_points_at_the_callers_line_in_a_model() -> None:
    with recorded() as caught:
        Sequential([Input((7, 7, 3)), layers.Conv2DTranspose(4, 4, 2, "same", output_padding=0)])
    assert len(caught) == 1  # once, not once for each of the two axes alike
    assert {w.filename for w in caught} == {__file__}
    assert str(caught[0].message).startswith(
        "layer 'conv2d_transpose' (Conv2DTranspose) at index 0 of Sequential model"
    )


def test_another_threads_model_does_not_reach_this_threads_messages() -> None:
    holding, release = threading.Event(), threading.Event()

    def load_elsewhere() -> None:  # as load_keras holds a scope while it makes a layer
        scopes().append((None, 7, ("Sequential", "other"), None))
        holding.set()
        release.wait(10)
        scopes().pop()

    thread = threading.Thread(target=load_elsewhere)
    thread.start()
    try:
        assert holding.wait(10)
        with recorded() as caught:
            layers.LeakyReLU(alpha=0.2)
        assert [str(w.message) for w in caught] == [
            "Argument `alpha` is deprecated. Use `negative_slope` instead."
        ]
    finally:
        release.set()
        thread.join()


# -- bounded messages ---------------------------------------------------------------------


def test_long_names_and_many_inputs_keep_the_message_short() -> None:
    name = "n" * 100_000
    with pytest.raises(ConvShapeError) as caught:
        Sequential([Input((3, 3, 1)), layers.Conv2D(8, 5, name=name)], name=name)
    assert len(str(caught.value)) < MAX_MESSAGE
    assert "at index 0 of Sequential model 'nnnn" in str(caught.value)
    tensors = [Input((4, 4, 1), name=f"input_{i}") for i in range(200)]
    tensors.append(Input((5, 4, 1), name="odd"))
    with pytest.raises(ConvShapeError) as many:
        layers.Concatenate(name=name)(tensors)
    message = str(many.value)
    assert len(message) < MAX_MESSAGE
    assert "called on the outputs of 'input_0', 'input_1', 'input_2', 'input_3' and 197 more" in (
        message
    )

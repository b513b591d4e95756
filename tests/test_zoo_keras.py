"""The zoo against real Keras (TensorFlow backend): every layer's name, output shape and
trainable/non-trainable counts, the totals, the summary text, and, where TensorFlow
can run the model, the shape of a real forward pass on zeros."""

from __future__ import annotations

import math
import re
import warnings
from types import SimpleNamespace
from typing import Any

import pytest

import convshape
from convshape.layers import Layer
from tests.oracles import ORACLE_COUNTS, oracle
from tests.zoo import ZOO, ZooModel, unbuilt

CONVSHAPE = SimpleNamespace(
    Sequential=convshape.Sequential, Input=convshape.Input, layers=convshape.layers
)


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def build_keras(keras: Any, entry: ZooModel) -> Any:
    keras.backend.clear_session()  # layer names restart at "dense", "dense_1", ...
    with warnings.catch_warnings():
        # Keras 3 warns about input_shape= on a layer, the Keras 2 style the seed uses.
        warnings.simplefilter("ignore", UserWarning)
        return entry.build(
            SimpleNamespace(Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers)
        )


def _count(weights: Any) -> int:
    return sum(math.prod(w.shape) for w in weights)


def _fold(layers: list[Layer], shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    for layer in layers:
        shape = layer.compute_output_shape(shape)
    return shape


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_zoo_matches_keras(keras: Any, entry: ZooModel, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    theirs = build_keras(keras, entry)
    ours = entry.build(CONVSHAPE)
    assert len(ours.layers) == len(theirs.layers)
    summary = ours.summarize()
    for row, layer, k_layer in zip(summary.rows, ours.layers, theirs.layers, strict=True):
        ORACLE_COUNTS["keras zoo layers (name, shape, counts)"] += 1
        assert (row.name, row.class_name) == (k_layer.name, type(k_layer).__name__)
        assert row.output_shape == tuple(k_layer.output.shape), row.name
        assert row.params == k_layer.count_params(), row.name
        assert row.trainable_params == _count(k_layer.trainable_weights), row.name
        assert row.non_trainable_params == _count(k_layer.non_trainable_weights), row.name
        assert layer.count_params(_input_of(ours, layer)) == row.params
    assert ours.output_shape == tuple(theirs.output_shape)
    assert ours.count_params() == theirs.count_params()
    assert summary.trainable_params == _count(theirs.trainable_weights)
    assert summary.non_trainable_params == _count(theirs.non_trainable_weights)

    # The summary, character for character, at Keras's default width and at others, on an
    # 80-column terminal (rich cuts wider tables) and on a wide one.
    for columns in ("80", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        for options in SUMMARY_OPTIONS:
            ORACLE_COUNTS["keras zoo summaries (text)"] += 1
            assert _summaries(ours, options) == _summaries(theirs, options), (columns, options)

    if entry.runnable:
        ORACLE_COUNTS["keras zoo forward passes on zeros"] += 1
        batch = tuple(entry.fill if dim is None else dim for dim in ours.input_shape)
        dtype = "int32" if type(ours.layers[0]).__name__ == "Embedding" else "float32"
        output = theirs(np.zeros(batch, dtype=dtype))
        assert tuple(output.shape) == _fold(ours.layers, batch)


SUMMARY_OPTIONS: list[dict[str, Any]] = [
    {},
    {"line_length": 120},
    {"line_length": 70, "positions": [0.4, 0.7, 1.0]},
    {"show_trainable": True},
]


def _input_of(model: convshape.Sequential, layer: Layer) -> tuple[int | None, ...]:
    shape = model.input_shape
    for other in model.layers:
        if other is layer:
            return shape
        shape = other.compute_output_shape(shape)
    raise AssertionError("layer not in model")


def test_zoo_uses_every_layer() -> None:
    """Every layer class is in a model compared with Keras: this zoo, the functional zoo
    (tests/functional_zoo.py) or a keras.applications model (tests/test_functional_keras.py)."""
    from tests.functional_zoo import FUNCTIONAL_ZOO
    from tests.test_functional_keras import records

    used: set[str] = set()
    for entry in ZOO:
        used |= {type(layer).__name__ for layer in entry.build(CONVSHAPE).layers}
    for record in records().values():
        if isinstance(record, dict) and "layers" in record:
            used |= {layer["class_name"] for layer in record["layers"]}
            used |= set(re.findall(r'"class_name": "(\w+)"', record["json"]))
    assert {f"zoo:{entry.name}" for entry in FUNCTIONAL_ZOO} <= set(records())
    public = {
        getattr(convshape.layers, name).__name__
        for name in convshape.layers.__all__
        if isinstance(getattr(convshape.layers, name), type)
        and issubclass(getattr(convshape.layers, name), Layer)
        and name != "Layer"
    }
    assert public - used == set()


def test_seed_generator_totals() -> None:
    model = ZOO[0].build(CONVSHAPE)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert lines[0].endswith(
        " Total params: 2,330,944 (8.89 MB)\n"
        " Trainable params: 2,305,472 (8.79 MB)\n"
        " Non-trainable params: 25,472 (99.50 KB)\n"
    )
    assert model.output_shape == (None, 84, 84, 1)
    assert model.count_params() == 2330944


def _summaries(model: Any, options: dict[str, Any]) -> list[str]:
    printed: list[str] = []
    model.summary(print_fn=printed.append, **options)
    return printed


@pytest.mark.parametrize("options", [{}, {"show_trainable": True}, {"line_length": 50}])
def test_unbuilt_summary_matches_keras(keras: Any, options: dict[str, Any]) -> None:
    ORACLE_COUNTS["keras zoo summaries (text)"] += 1
    theirs = build_keras(keras, ZooModel("unbuilt", unbuilt))
    ours = unbuilt(CONVSHAPE)
    assert _summaries(ours, options) == _summaries(theirs, options)
    assert not ours.built
    with pytest.raises(AttributeError, match="has no defined outputs yet"):
        _ = ours.output_shape


def test_layer_range_matches_keras(keras: Any) -> None:
    ORACLE_COUNTS["keras zoo summaries (text)"] += 1
    theirs = build_keras(keras, ZOO[0])
    ours = ZOO[0].build(CONVSHAPE)
    options = {"layer_range": ["batch_normalization_1", "conv2d_transpose_1"]}
    assert _summaries(ours, options) == _summaries(theirs, options)

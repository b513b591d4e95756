"""Keras model files loaded without TensorFlow: real files saved by real Keras for the
whole zoo, whose loaded summaries must match Keras's."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from tests.oracles import ORACLE_COUNTS, oracle
from tests.zoo import ZOO, ZooModel


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


def _keras_model(keras: Any, entry: ZooModel) -> Any:
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return entry.build(
            SimpleNamespace(Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers)
        )


def _summary(model: Any) -> str:
    printed: list[str] = []
    model.summary(print_fn=printed.append, line_length=100)
    return printed[0]


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_saved_zoo_models_load_with_keras_summaries(
    keras: Any, entry: ZooModel, tmp_path: Path
) -> None:
    model = _keras_model(keras, entry)
    expected = _summary(model)
    archive = tmp_path / f"{entry.name}.keras"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(archive)
    as_json = model.to_json()
    json_file = tmp_path / f"{entry.name}.json"
    json_file.write_text(as_json, encoding="utf-8")
    for source in (
        archive,
        str(archive),
        json_file,
        as_json,
        json.loads(as_json),
        model.get_config(),
    ):
        ORACLE_COUNTS["keras files loaded and compared"] += 1
        loaded = cs.load_keras(source)
        assert _summary(loaded) == expected, type(source).__name__
        assert loaded.output_shape == tuple(model.output_shape)


def test_load_errors(tmp_path: Path) -> None:
    functional = {"class_name": "Functional", "config": {"layers": []}}
    with pytest.raises(cs.ConvShapeError, match="`inputs` cannot be empty"):
        cs.load_keras(functional)
    with pytest.raises(cs.ConvShapeError, match="holds a 'Dense', not a Keras model"):
        cs.load_keras({"class_name": "Dense", "config": {"units": 3}})
    unknown = {
        "class_name": "Sequential",
        "config": {
            "layers": [{"class_name": "MyAttention", "config": {"units": 3, "name": "attn"}}]
        },
    }
    with pytest.raises(
        cs.ConvShapeError,
        match=r"layer 'attn' is of class 'MyAttention', which convshape does not know",
    ):
        cs.load_keras(unknown)
    with pytest.raises(cs.ConvShapeError, match="is not valid JSON"):
        cs.load_keras("{not json")
    bad = tmp_path / "bad.keras"
    import zipfile

    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("metadata.json", "{}")
    with pytest.raises(cs.ConvShapeError, match=r"a \.keras archive must hold config\.json"):
        cs.load_keras(bad)
    odd = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Dense", "config": {"units": 3, "frobnicate": 1}}]},
    }
    with pytest.raises(cs.ConvShapeError, match="cannot build Dense None from its Keras config"):
        cs.load_keras(odd)

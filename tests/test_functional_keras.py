"""Functional models against real Keras: every ``keras.applications`` model and the
hand-written zoo of ``tests/functional_zoo.py``.

``tests/data/keras_models.json.gz`` holds what Keras computed for each of them (written by
``python tests/record_keras_models.py``): the ``to_json()`` text, every layer's output
shape and parameter counts, the totals and the exact ``summary()`` text under several
options. convshape loads each file without TensorFlow and must match all of it; the zoo
is also rebuilt with convshape's own API. A subset is built live in Keras on every run,
so a Keras upgrade that changes a shape or the summary is caught.
"""

from __future__ import annotations

import gzip
import json
import math
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape._render import format_shape
from tests.functional_zoo import FUNCTIONAL_ZOO, FunctionalZooModel
from tests.oracles import ORACLE_COUNTS, oracle

DATA = Path(__file__).parent / "data" / "keras_models.json.gz"
CONVSHAPE = SimpleNamespace(
    Model=cs.Model, Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers
)
ZOO_BY_NAME = {entry.name: entry for entry in FUNCTIONAL_ZOO}


@cache
def records() -> dict[str, Any]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _keys(prefix: str) -> list[str]:
    return sorted(key for key in records() if key.startswith(prefix))


def _summary(model: Any, options: dict[str, Any]) -> str:
    printed: list[str] = []
    model.summary(print_fn=printed.append, **options)
    assert len(printed) == 1
    return printed[0]


def _as_shape(value: Any) -> Any:
    """JSON lists back to Keras's shapes: tuples, lists of tuples for several."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        return [tuple(item) for item in value]
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return {key: _as_shape(item) for key, item in value.items()}
    return value


#: Summaries a saved file cannot reproduce: Keras's config of a Sequential lists a layer it
#: holds twice only once, so the expanded rows of a reloaded model differ in Keras too
#: (``test_keras_reload_of_a_layer_used_twice``).
NOT_IN_THE_FILE = {
    ("zoo:nested_two_levels", '{"expand_nested": true}'),
    ("zoo:nested_two_levels", '{"expand_nested": true, "show_trainable": true}'),
}


def compare(
    model: Any,
    record: dict[str, Any],
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    skipped: frozenset[str] = frozenset(),
) -> None:
    """Every layer's name, class, output shape and counts, the totals, and every summary."""
    rows = {row.name: row for row in model.summarize().rows}
    names = [layer["name"] for layer in record["layers"]]
    assert [layer.name for layer in model.layers] == names
    for expected in record["layers"]:
        ORACLE_COUNTS[f"keras {kind} layers (name, class, shape, counts)"] += 1
        row = rows[expected["name"]]
        assert row.class_name == expected["class_name"], row.name
        assert format_shape(row.output_shape) == expected["output_shape"], row.name
        assert row.params == expected["params"], row.name
        assert row.trainable_params == expected["trainable_params"], row.name
        assert row.non_trainable_params == expected["non_trainable_params"], row.name
    assert model.count_params() == record["count_params"]
    summary = model.summarize()
    assert summary.trainable_params == record["trainable_params"]
    assert summary.non_trainable_params == record["non_trainable_params"]
    assert model.input_shape == _as_shape(record["input_shape"])
    assert model.output_shape == _as_shape(record["output_shape"])
    monkeypatch.setenv("COLUMNS", "200")
    for label, text in record["summaries"].items():
        if label in skipped:
            continue
        ORACLE_COUNTS[f"keras {kind} summaries (text)"] += 1
        assert _summary(model, json.loads(label)) == text, label


@pytest.mark.parametrize("key", _keys("app:"))
def test_application_loads_and_matches_keras(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    record = records()[key]
    model = cs.load_keras(record["json"])
    compare(model, record, "applications", monkeypatch)


@pytest.mark.parametrize("key", _keys("zoo:"))
def test_zoo_file_loads_and_matches_keras(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    record = records()[key]
    model = cs.load_keras(record["json"])
    skipped = frozenset(label for name, label in NOT_IN_THE_FILE if name == key)
    compare(model, record, "zoo files", monkeypatch, skipped)


@pytest.mark.parametrize("entry", FUNCTIONAL_ZOO, ids=[entry.name for entry in FUNCTIONAL_ZOO])
def test_zoo_built_with_convshape_matches_keras(
    entry: FunctionalZooModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = records()[f"zoo:{entry.name}"]
    cs.clear_session()
    model = entry.build(CONVSHAPE)
    compare(model, record, "zoo rebuilt", monkeypatch)


def test_every_zoo_entry_and_application_is_recorded() -> None:
    assert {f"zoo:{entry.name}" for entry in FUNCTIONAL_ZOO} <= set(records())
    assert len(_keys("app:")) == 40


#: Built live in Keras on every run: the recorded data must still be what Keras computes.
LIVE_APPLICATIONS = ("MobileNetV3Small", "ResNet50", "EfficientNetB0", "ConvNeXtTiny")
LIVE_ZOO = ("unet_same", "dcgan_combined", "siamese", "vae", "multi_io_dict", "shared_layers")


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def _live_record(keras: Any, model: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("COLUMNS", "200")
    return {
        "layers": [
            {
                "name": layer.name,
                "params": layer.count_params() if layer.built else 0,
                "trainable_params": sum(math.prod(w.shape) for w in layer.trainable_weights),
            }
            for layer in model.layers
        ],
        "summary": _summary(model, {}),
        "json": model.to_json(),
    }


@pytest.mark.parametrize("name", LIVE_APPLICATIONS)
def test_live_application_still_matches_the_record(
    keras: Any, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ORACLE_COUNTS["keras live builds compared with the record"] += 1
    keras.backend.clear_session()
    live = _live_record(keras, getattr(keras.applications, name)(weights=None), monkeypatch)
    record = records()[f"app:{name}"]
    assert live["summary"] == record["summaries"]["{}"]
    assert [layer["name"] for layer in live["layers"]] == [
        layer["name"] for layer in record["layers"]
    ]
    loaded = cs.load_keras(live["json"])
    assert _summary(loaded, {}) == live["summary"]


@pytest.mark.parametrize("name", LIVE_ZOO)
def test_live_zoo_model_matches_convshape(
    keras: Any, name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ORACLE_COUNTS["keras live builds compared with the record"] += 1
    keras.backend.clear_session()
    entry = ZOO_BY_NAME[name]
    theirs = entry.build(
        SimpleNamespace(
            Model=keras.Model, Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers
        )
    )
    live = _live_record(keras, theirs, monkeypatch)
    assert live["summary"] == records()[f"zoo:{name}"]["summaries"]["{}"]
    cs.clear_session()
    ours = entry.build(CONVSHAPE)
    assert _summary(ours, {}) == live["summary"]
    assert _summary(cs.load_keras(live["json"]), {}) == live["summary"]
    archive = tmp_path / f"{name}.keras"
    theirs.save(archive)
    assert _summary(cs.load_keras(archive), {}) == live["summary"]
    assert _summary(cs.load_keras(theirs.get_config()), {}) == live["summary"]


def test_keras_reload_of_a_layer_used_twice(keras: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a file loses a layer Keras held twice, convshape's load equals Keras's own."""
    ORACLE_COUNTS["keras live builds compared with the record"] += 1
    text = records()["zoo:nested_two_levels"]["json"]
    keras.backend.clear_session()
    theirs = keras.models.model_from_json(text)
    monkeypatch.setenv("COLUMNS", "200")
    options = {"expand_nested": True, "show_trainable": True}
    assert _summary(cs.load_keras(text), options) == _summary(theirs, options)


def test_cli_summary_of_a_saved_functional_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`convshape summary FILE` prints Keras's text for a functional model (ResNet50)."""
    from convshape.cli import main

    record = records()["app:ResNet50"]
    path = tmp_path / "resnet50.json"
    path.write_text(record["json"], encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "200")
    ORACLE_COUNTS["keras applications summaries (text)"] += 1
    assert main(["summary", str(path), "--line-length", "150"]) == 0
    assert capsys.readouterr().out == record["summaries"]['{"line_length": 150}']
    assert main(["summary", str(path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["total_params"] == record["count_params"]
    assert document["layers"][1]["connected_to"] == "input_layer[0][0]"

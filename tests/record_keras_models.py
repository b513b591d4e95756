"""Record what real Keras computes for functional models, so tests can compare without it.

Run ``python tests/record_keras_models.py`` (TensorFlow backend). For every model of
``keras.applications`` (``weights=None``, default input shape) and every entry of
``tests.functional_zoo.FUNCTIONAL_ZOO`` it records the ``to_json()`` text, the model's
input and output shapes, every layer's name, class, parameter counts and summary output
shape, the totals, and the exact text of ``model.summary()`` under several options, on a
200-column terminal. Everything goes to ``tests/data/keras_models.json.gz``, one JSON dict
keyed ``"app:<Name>"`` and ``"zoo:<name>"``, plus ``"versions"``. A summary's key is the
JSON (sorted keys) of the options passed to ``model.summary``.

For the zoo it also saves each model as a ``.keras`` archive in a temporary directory and
reports whether the archive's ``config.json`` equals the ``to_json()`` config. Nothing in
this module runs on import (pytest imports it for doctests).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "keras_models.json.gz"
COLUMNS = "200"
#: Above this size the applications lose their ``line_length=150`` summaries.
MAX_BYTES = 4_000_000

Options = dict[str, Any]
BASE_OPTIONS: tuple[Options, ...] = ({}, {"line_length": 150}, {"show_trainable": True})
NESTED_OPTIONS: tuple[Options, ...] = (
    {"expand_nested": True},
    {"expand_nested": True, "show_trainable": True},
)
CONNECTED_OPTIONS: Options = {"line_length": 100, "positions": [0.35, 0.6, 0.75, 1.0]}


def option_label(options: Options) -> str:
    return json.dumps(options, sort_keys=True)


def _count(weights: Any) -> int:
    return sum(math.prod(w.shape) for w in weights)


def _jsonable(value: Any) -> Any:
    """Shapes (tuples, lists, dicts of them) as JSON values."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    return int(value)


def _summary(model: Any, options: Options) -> str:
    printed: list[str] = []
    model.summary(print_fn=printed.append, **options)
    assert len(printed) == 1, "Keras passes the whole summary to print_fn at once"
    return printed[0]


def _layer_record(layer: Any, summary_utils: Any, markup: Any) -> dict[str, Any]:
    shape = summary_utils.format_layer_shape(layer)
    return {
        "name": layer.name,
        "class_name": type(layer).__name__,
        "built": bool(layer.built),
        "trainable": bool(layer.trainable),
        "params": layer.count_params() if layer.built else None,
        "trainable_params": _count(layer.trainable_weights),
        "non_trainable_params": _count(layer.non_trainable_weights),
        "output_shape_markup": shape,
        "output_shape": markup.render(shape).plain,
        "inbound_nodes": len(layer._inbound_nodes),
    }


def _operation_records(
    model: Any, keras: Any, summary_utils: Any, markup: Any
) -> list[dict[str, Any]]:
    """The summary's rows that are not layers (keras.ops calls in a functional model)."""
    records = []
    for index, operation in enumerate(getattr(model, "_operations", [])):
        if not isinstance(operation, keras.layers.Layer):
            shape = summary_utils.format_layer_shape(operation)
            records.append(
                {
                    "index": index,
                    "name": operation.name,
                    "class_name": type(operation).__name__,
                    "module": type(operation).__module__,
                    "output_shape": markup.render(shape).plain,
                }
            )
    return records


def _is_nested(model: Any, keras: Any) -> bool:
    return any(isinstance(layer, keras.Model) for layer in model.layers)


def record_model(
    model: Any, keras: Any, *, layer_range: bool, line_length_150: bool = True
) -> dict[str, Any]:
    import rich.markup
    from keras.src.utils import summary_utils

    default = _summary(model, {})
    options: list[Options] = [
        option for option in BASE_OPTIONS if line_length_150 or option != {"line_length": 150}
    ]
    if _is_nested(model, keras):
        options += NESTED_OPTIONS
    if "Connected to" in default:
        options.append(CONNECTED_OPTIONS)
    if layer_range:
        names = [layer.name for layer in model.layers]
        options.append({"layer_range": [names[0], names[len(names) // 2]]})
    summaries = {option_label(option): _summary(model, option) for option in options}
    assert summaries[option_label({})] == default
    return {
        "json": model.to_json(),
        "name": model.name,
        "class_name": type(model).__name__,
        "input_shape": _jsonable(model.input_shape),
        "output_shape": _jsonable(model.output_shape),
        "layers": [_layer_record(layer, summary_utils, rich.markup) for layer in model.layers],
        # Summary rows (model._operations) that model.layers leaves out, with their row index.
        "non_layer_operations": _operation_records(model, keras, summary_utils, rich.markup),
        "count_params": model.count_params(),
        "trainable_params": _count(model.trainable_weights),
        "non_trainable_params": _count(model.non_trainable_weights),
        "summaries": summaries,
    }


def _without_object_ids(value: Any) -> tuple[Any, int]:
    """The config without ``shared_object_id`` keys (Python ids), and how many there were."""
    if isinstance(value, dict):
        count = int("shared_object_id" in value)
        kept = {}
        for key, item in value.items():
            if key != "shared_object_id":
                kept[key], inner = _without_object_ids(item)
                count += inner
        return kept, count
    if isinstance(value, list):
        pairs = [_without_object_ids(item) for item in value]
        return [item for item, _ in pairs], sum(count for _, count in pairs)
    return value, 0


def _archive_report(model: Any, name: str) -> str:
    """Whether the ``.keras`` archive's config.json equals the ``to_json()`` config."""
    config = json.loads(model.to_json())
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{name}.keras"
        model.save(path)
        with zipfile.ZipFile(path) as archive:
            saved = json.loads(archive.read("config.json"))
    if saved == config:
        return "archive config.json == to_json()"
    stripped, ids = _without_object_ids(saved)
    if stripped == config:
        return f"archive config.json == to_json() but for {ids} shared_object_id keys"
    keys = sorted(key for key in set(saved) | set(config) if saved.get(key) != config.get(key))
    return f"archive config.json differs from to_json() in {keys}"


def _layer_range_note(model: Any, summary: dict[str, Any]) -> str:
    """Keras matches layer_range with re.match: a name can also match longer names."""
    for label in summary["summaries"]:
        options = json.loads(label)
        if "layer_range" in options:
            end = options["layer_range"][1]
            others = [
                layer.name
                for layer in model.layers
                if re.match(end, layer.name) and layer.name != end
            ]
            if others:
                return f"; layer_range end {end!r} also matches {others}"
    return ""


def _walk_layer_configs(config: Any) -> Iterator[dict[str, Any]]:
    """Every layer config in a model config, nested models' and wrapped layers' included."""
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        return
    for layer in inner.get("layers", []):
        yield layer
        yield from _walk_layer_configs(layer)
    for key in ("layer", "forward_layer", "backward_layer"):
        if isinstance(inner.get(key), dict):
            yield inner[key]
            yield from _walk_layer_configs(inner[key])


def _shape_of(value: Any) -> str:
    """A value's structure with every serialized KerasTensor shown as T."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return "T"
        items = ", ".join(f"{key}: {_shape_of(item)}" for key, item in sorted(value.items()))
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_shape_of(item) for item in value) + "]"
    return type(value).__name__ if value is not None else "None"


#: One node's structure when it is a plain call on tensors: f(x, ...) or a merge f([x, ...]).
PLAIN_NODE = re.compile(r"\{args: \[(T(, T)*|\[T(, T)*\])\], kwargs: \{\}\}")


def census(recorded: dict[str, Any]) -> None:
    """Print the layer classes in all configs and the unusual inbound-node structures."""
    classes: Counter[tuple[str, str | None, str | None]] = Counter()
    nodes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for key, entry in sorted(recorded.items()):
        if key == "versions":
            continue
        for layer in _walk_layer_configs(json.loads(entry["json"])):
            ident = (layer["class_name"], layer.get("module"), layer.get("registered_name"))
            classes[ident] += 1
            for node in layer.get("inbound_nodes", []):
                shape = _shape_of(node)
                if not PLAIN_NODE.fullmatch(shape):
                    nodes[shape] += 1
                    examples.setdefault(shape, f"{key} / {layer['config']['name']}")
    print("\nlayer classes (class_name, module, registered_name): count")
    for ident, count in sorted(classes.items(), key=lambda item: str(item[0])):
        print(f"  {ident}: {count}")
    print("\ninbound nodes other than {args: [T, ...] or [[T, ...]], kwargs: {}}:")
    for shape, count in sorted(nodes.items()):
        print(f"  {count:5d} x {shape}   e.g. {examples[shape]}")


def main() -> None:
    os.environ["COLUMNS"] = COLUMNS
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))

    import keras
    import tensorflow as tf

    from tests.functional_zoo import FUNCTIONAL_ZOO

    assert keras.backend.backend() == "tensorflow"
    namespace = SimpleNamespace(
        Model=keras.Model, Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers
    )
    recorded: dict[str, Any] = {
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__}
    }
    start = time.perf_counter()

    for entry in FUNCTIONAL_ZOO:
        began = time.perf_counter()
        keras.backend.clear_session()
        model = entry.build(namespace)
        built = time.perf_counter()
        summary = record_model(model, keras, layer_range=True)
        recorded[f"zoo:{entry.name}"] = summary
        recorded_at = time.perf_counter()
        report = _archive_report(model, entry.name)
        print(
            f"zoo:{entry.name:34s} build {built - began:5.2f}s  record "
            f"{recorded_at - built:5.2f}s  save {time.perf_counter() - recorded_at:5.2f}s  "
            f"{len(summary['summaries'])} summaries; {report}"
            f"{_layer_range_note(model, summary)}",
            flush=True,
        )

    applications = sorted(name for name in dir(keras.applications) if name[0].isupper())
    assert len(applications) == 40, applications
    for name in applications:
        began = time.perf_counter()
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=None)
        built = time.perf_counter()
        recorded[f"app:{name}"] = record_model(model, keras, layer_range=False)
        print(
            f"app:{name:34s} build {built - began:5.2f}s  record "
            f"{time.perf_counter() - built:5.2f}s  {len(model.layers)} layers",
            flush=True,
        )

    payload = _compress(recorded)
    if len(payload) > MAX_BYTES:
        print(f"{len(payload):,} bytes: dropping the applications' line_length=150 summaries")
        label = option_label({"line_length": 150})
        for key, entry in recorded.items():
            if key.startswith("app:"):
                entry["summaries"].pop(label, None)
        payload = _compress(recorded)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(payload)
    print(
        f"\nwrote {OUTPUT.relative_to(ROOT)}: {len(payload):,} bytes, {len(recorded) - 1} "
        f"models, in {time.perf_counter() - start:.1f}s"
    )
    census(recorded)


def _compress(recorded: dict[str, Any]) -> bytes:
    # ensure_ascii=False: the summaries' box drawing stays 3 UTF-8 bytes, not 6-byte escapes.
    text = json.dumps(recorded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


if __name__ == "__main__":
    main()

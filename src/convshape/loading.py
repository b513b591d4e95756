"""Keras model files without TensorFlow: a ``.keras`` archive, ``model.to_json()``, or
``model.get_config()``, read with the standard library into a convshape model.

Weights are never read: the architecture in the config is all a shape needs.
"""

from __future__ import annotations

import gc
import json
import os
import zipfile
from _collections_abc import Mapping, Sequence

from .errors import ConvShapeError
from .layers._registry import layer_class, plain_config
from .layers.core import InputLayer
from .models.graph import SymbolicTensor, flatten
from .models.model import Model
from .models.ops import keras_op
from .models.sequential import Sequential

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = ["load_keras"]


def load_keras(source: str | os.PathLike[str] | Mapping[str, Any]) -> Model:
    """A convshape model (``Sequential`` or functional ``Model``) from a Keras model file,
    JSON or config.

    ``source`` is the path of a ``.keras`` archive (its ``config.json`` is read) or
    of a JSON file from ``model.to_json()``, a JSON string, or the dict from
    ``model.get_config()`` or ``json.loads(model.to_json())``. Names, input shapes,
    dtypes, trainable flags, shared layers, nested models and the connections of a
    functional model are kept. A layer class convshape does not know (a custom layer)
    raises ConvShapeError naming the class and the layer.

    >>> import json
    >>> config = {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 7, 7, 256]}},
    ...     {"class_name": "Conv2DTranspose", "config": {
    ...         "filters": 128, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same"}}]}}
    >>> load_keras(json.dumps(config)).output_shape
    (None, 14, 14, 128)
    """
    collecting = gc.isenabled()
    # A model of a thousand layers is a few hundred thousand linked objects: the cyclic
    # collector would walk them again and again while they are being made (a tenth of
    # the time), and none of them is garbage yet.
    gc.disable()
    try:
        return _load(source)
    finally:
        if collecting:
            gc.enable()


def _load(source: str | os.PathLike[str] | Mapping[str, Any]) -> Model:
    document = _read(source)
    if "layers" in document and "class_name" not in document:
        kind = "Functional" if "input_layers" in document else "Sequential"
        document = {"class_name": kind, "config": document}
    class_name = document.get("class_name")
    if class_name not in _MODEL_CLASSES:
        raise ConvShapeError(
            f"the file holds a {class_name!r}, not a Keras model (Sequential or Functional)",
            argument="source",
            received={"class_name": class_name},
        )
    return _model(document)


#: Keras's class names of models, in configs.
_MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})


def _model(entry: Mapping[str, Any]) -> Model:
    config = entry.get("config", {})
    if not isinstance(config, Mapping):
        raise ConvShapeError(
            "a model config must be a mapping", argument="source", received={"config": config}
        )
    if entry.get("class_name") == "Sequential":
        return _sequential(config)
    return _functional(config)


def _sequential(config: Mapping[str, Any]) -> Sequential:
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for item in config.get("layers", []):
        model.add(_object(item))
    if not model.built and config.get("build_input_shape"):
        model.build(tuple(config["build_input_shape"]))
    return model


def _functional(config: Mapping[str, Any]) -> Model:
    """Keras's ``functional_from_config``: create every layer, then replay its calls in
    the file's order, each once the layers it reads from have been called."""
    created: dict[str, Any] = {}
    pending: dict[str, list[Any]] = {}
    order: list[str] = []
    for item in config.get("layers", []):
        layer = _object(item)
        name = item.get("name") or layer.name
        created[name] = layer
        order.append(name)
        pending[name] = list(item.get("inbound_nodes", []))
    while any(pending.values()):
        progressed = False
        for name in order:
            calls = pending[name]
            while calls:
                try:
                    args, kwargs = _arguments(calls[0], created)
                except _NotYet:
                    break
                created[name](*args, **kwargs)
                calls.pop(0)
                progressed = True
        if not progressed:
            stuck = sorted(name for name, calls in pending.items() if calls)
            raise ConvShapeError(
                "the functional model's graph has loops or disconnected calls; these layers' "
                f"calls cannot be resolved: {', '.join(stuck)}",
                argument="source",
                received={"layers": stuck},
            )

    def tensor(name: str, node_index: int, tensor_index: int) -> Any:
        layer = created.get(name)
        if layer is None:
            raise ConvShapeError(
                f"the model's inputs or outputs name a layer that is not in it: {name!r}",
                argument="source",
                received={"layer": name},
            )
        if type(layer) is Model:
            # Keras counts a nested functional model's own graph as its node 0 here.
            node_index -= 1
        return flatten(layer._inbound_nodes[node_index].outputs)[tensor_index]

    def tensors(spec: Any) -> Any:
        if isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str):
            return tensor(*spec)
        if isinstance(spec, dict):
            return {key: tensors(value) for key, value in spec.items()}
        return [tensors(value) for value in spec]

    return Model(
        tensors(config.get("input_layers", [])),
        tensors(config.get("output_layers", [])),
        name=config.get("name"),
        trainable=config.get("trainable", True),
    )


class _NotYet(Exception):
    """A call reads a layer's output that has not been computed yet."""


def _arguments(node: Any, created: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The tensors and values of one recorded call (Keras 3's args/kwargs, or the legacy
    list of [layer, node, tensor, kwargs])."""
    if not node:
        return [], {}
    if isinstance(node, list):
        found = [_history_tensor(item[:3], created) for item in node]
        kwargs = node[0][3] if node and len(node[0]) == 4 else {}
        return [found[0] if len(found) == 1 else found], dict(kwargs)
    args = node.get("args", [])
    kwargs = node.get("kwargs", {})
    if len(args) == 1 and type(args[0]) is dict and args[0].get("class_name") == _TENSOR:
        # One tensor and flags, the common call.
        first = [_history_tensor(args[0]["config"]["keras_history"], created)]
        if all(type(value) is not dict and type(value) is not list for value in kwargs.values()):
            return first, dict(kwargs)
        return first, {key: _value(value, created) for key, value in kwargs.items()}
    return (
        [_value(arg, created) for arg in args],
        {key: _value(value, created) for key, value in kwargs.items()},
    )


_TENSOR = "__keras_tensor__"


def _value(item: Any, created: Mapping[str, Any]) -> Any:
    if type(item) is dict:
        if item.get("class_name") == "__keras_tensor__":
            return _history_tensor(item["config"]["keras_history"], created)
        if item.get("class_name") == "__tuple__":
            return tuple(_value(value, created) for value in item["config"]["value"])
        return {key: _value(value, created) for key, value in item.items()}
    if isinstance(item, list):
        return [_value(value, created) for value in item]
    return item


def _history_tensor(history: Sequence[Any], created: Mapping[str, Any]) -> Any:
    name, node_index, tensor_index = history
    layer = created.get(name)
    if layer is None:
        raise ConvShapeError(
            f"a call reads layer {name!r}, which is not in the model",
            argument="source",
            received={"layer": name},
        )
    nodes = layer._inbound_nodes
    if len(nodes) <= node_index:
        raise _NotYet
    outputs = nodes[node_index].outputs
    if tensor_index == 0 and type(outputs) is SymbolicTensor:
        return outputs
    return flatten(outputs)[tensor_index]


def _read(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return _parse(source, "the JSON string")
    path = os.fspath(source)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if "config.json" not in archive.namelist():
                raise ConvShapeError(
                    "a .keras archive must hold config.json",
                    argument="source",
                    received={"source": path},
                )
            return _parse(archive.read("config.json").decode("utf-8"), path)
    with open(path, encoding="utf-8") as handle:
        return _parse(handle.read(), path)


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConvShapeError(
            f"{where} is not valid JSON ({error.msg} at line {error.lineno})",
            argument="source",
            received={"source": where},
        ) from None
    if not isinstance(document, dict):
        raise ConvShapeError(
            f"{where} does not hold a Keras model config", argument="source", received={}
        )
    return document


def _object(entry: Any) -> Any:
    """A layer, input, nested model or Keras op from its serialised entry."""
    if type(entry) is not dict and not isinstance(entry, Mapping):
        raise ConvShapeError(
            "each layer of a model config must be a mapping",
            argument="source",
            received={"layer": entry},
        )
    class_name = entry.get("class_name")
    config = plain_config(entry.get("config") or {})
    if class_name in _MODEL_CLASSES:
        return _model(entry)
    if class_name == "InputLayer":
        return InputLayer(**config)
    module = entry.get("module") or ""
    if isinstance(module, str) and module.startswith("keras.src.ops"):
        return keras_op(str(class_name), config, module)
    cls = layer_class(class_name)
    if cls is None:
        raise ConvShapeError(
            f"layer {config.get('name')!r} is of class {class_name!r}, which convshape does "
            "not know (a custom layer?); convshape knows the Keras layers listed in "
            "convshape.layers",
            argument="source",
            received={"class_name": class_name, "layer": config.get("name")},
        )
    try:
        return cls(**config)
    except TypeError as error:
        raise ConvShapeError(
            f"cannot build {class_name} {config.get('name')!r} from its Keras config: {error}",
            argument="source",
            received={"layer": config.get("name")},
        ) from None

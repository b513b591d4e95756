"""Keras model and layer configs read into convshape models: the model entry
(``Sequential`` or ``Functional``), its list of layers, and each layer, input, nested
model or Keras op made from its serialised entry; a functional model's calls are then
replayed (``_keras_replay``).
"""

from __future__ import annotations

from _collections_abc import Mapping

from ._keras_files import brief, repeatable, short
from ._keras_replay import _LOADING, _layer_named, _replay
from ._keras_trail import _mark
from .errors import ConvShapeError, scopes
from .layers._registry import DTYPE_POLICIES, MODEL_CLASSES, layer_class, plain_config
from .layers.core import InputLayer
from .models.graph import flatten
from .models.model import Model
from .models.ops import keras_op
from .models.sequential import Sequential

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any


#: Keras's class names of dtype policies (a layer config holds one as its dtype) and of
#: models, from the one registry of class names.
_POLICIES = DTYPE_POLICIES
_MODEL_CLASSES = MODEL_CLASSES


def _load(document: dict[str, Any]) -> Model:
    if "layers" in document and "class_name" not in document:
        kind = "Functional" if "input_layers" in document else "Sequential"
        document = {"class_name": kind, "config": document}
    class_name = document.get("class_name")
    if not isinstance(class_name, str) or class_name not in _MODEL_CLASSES:
        raise ConvShapeError(
            f"the file holds a {short(class_name)}, not a Keras model (Sequential or Functional)",
            argument="source",
            received={"class_name": class_name} if repeatable(class_name) else {},
        )
    return _model(document)


def _model(entry: Mapping[str, Any]) -> Model:
    config = entry.get("config", {})
    if not isinstance(config, Mapping):
        raise ConvShapeError(
            "a model config must be a mapping",
            argument="source",
            received={"config": short(config)},
        )
    if entry.get("class_name") == "Sequential":
        return _sequential(config)
    return _functional(config)


def _layers(config: Mapping[str, Any]) -> list[Any]:
    layers = config.get("layers", [])
    if not isinstance(layers, list):
        raise ConvShapeError(
            "a model's `layers` must be a list",
            argument="source",
            received={"layers": short(layers)},
        )
    return layers


def _sequential(config: Mapping[str, Any]) -> Sequential:
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for index, item in enumerate(_layers(config)):
        # A layer's warnings, as it is made, name its index and the model.
        scopes().append((None, len(model.layers), model, None))
        try:
            layer = _object(item)
        except Exception as error:
            _mark(error, (index, item))
            raise
        finally:
            scopes().pop()
        try:
            model.add(layer)
        except Exception as error:
            _mark(error, (index, item))
            raise
    if not model.built and config.get("build_input_shape"):
        try:
            model.build(tuple(config["build_input_shape"]))
        except Exception as error:
            _mark(error, "build_input_shape")
            raise
    return model


def _functional(config: Mapping[str, Any]) -> Model:
    """Keras's ``functional_from_config``: create every layer, then replay its calls in
    the file's order, each once the layers it reads from have been called."""
    created: dict[str, Any] = {}
    pending: dict[str, list[Any]] = {}
    order: list[str] = []
    model = ("Functional", config.get("name"))
    for index, item in enumerate(_layers(config)):
        scopes().append((None, index, model, None))  # its warnings name its index and model
        try:
            layer = _object(item)
            name = item.get("name") or layer.name
            calls = item.get("inbound_nodes", [])
            if not isinstance(name, str):
                raise ConvShapeError(
                    f"a layer's name must be a string, not {short(name)}", argument="source"
                )
            if not isinstance(calls, list):
                raise ConvShapeError(
                    f"a layer's `inbound_nodes` must be a list, not {short(calls)}",
                    argument="source",
                )
        except Exception as error:
            _mark(error, (index, item))
            raise
        finally:
            scopes().pop()
        created[name] = layer
        order.append(name)
        pending[name] = list(calls)
    _LOADING.models.append(model)
    try:
        _replay(order, pending, created)
    finally:
        _LOADING.models.pop()

    def tensor(name: str, node_index: int, tensor_index: int) -> Any:
        layer = _layer_named(
            created, name, "the model's inputs or outputs name a layer that is not in it: {}"
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
        if isinstance(spec, (list, tuple)):
            return [tensors(value) for value in spec]
        raise ConvShapeError(
            "the model's inputs and outputs must be [layer, node, tensor] lists",
            argument="source",
            received={"entry": short(spec)},
        )

    try:
        return Model(
            tensors(config.get("input_layers", [])),
            tensors(config.get("output_layers", [])),
            name=config.get("name"),
            trainable=config.get("trainable", True),
        )
    except Exception as error:
        _mark(error, "the model's inputs and outputs")
        raise


def _object(entry: Any) -> Any:
    """A layer, input, nested model or Keras op from its serialised entry."""
    if type(entry) is not dict and not isinstance(entry, Mapping):
        raise ConvShapeError(
            "each layer of a model config must be a mapping",
            argument="source",
            received={"layer": short(entry)},
        )
    class_name = entry.get("class_name")
    if not isinstance(class_name, str):
        raise ConvShapeError(
            "a layer's class_name must be a string",
            argument="source",
            received={"class_name": short(class_name)},
        )
    raw = entry.get("config") or {}
    if type(raw) is not dict and not isinstance(raw, Mapping):  # type(): ABCs are slow
        raise ConvShapeError(
            "a layer's config must be a mapping",
            argument="source",
            received={"config": short(raw)},
        )
    policy = raw.get("dtype")
    if type(policy) is dict and policy.get("class_name") in _POLICIES:
        named = policy.get("config") or {}
        if type(named) is not dict or not isinstance(named.get("name"), (str, type(None))):
            raise ConvShapeError(
                "`dtype` of a layer config is a dtype policy whose config is not {'name': str}",
                argument="source",
                received={"config": short(named)},
            )
    config = plain_config(raw)
    if class_name in _MODEL_CLASSES:
        return _model(entry)
    if class_name == "InputLayer":
        return InputLayer(**config)
    module = entry.get("module") or ""
    if isinstance(module, str) and module.startswith("keras.src.ops"):
        return keras_op(str(class_name), config, module)
    cls = layer_class(class_name)
    name = config.get("name")
    if cls is None:
        raise ConvShapeError(
            f"layer {short(name)} is of class {short(class_name)}, which convshape does "
            "not know (a custom layer?); convshape knows the Keras layers listed in "
            "convshape.layers",
            argument="source",
            received={"class_name": class_name, "layer": name}
            if repeatable(class_name) and repeatable(name)
            else {},
        )
    try:
        return cls(**config)
    except TypeError as error:
        raise ConvShapeError(
            f"cannot build {class_name} {short(name)} from its Keras config: {brief(error)}",
            argument="source",
            received={"layer": name} if repeatable(name) else {},
        ) from None

"""Keras model files without TensorFlow: a ``.keras`` archive, ``model.to_json()``, or
``model.get_config()``, read with the standard library into a convshape model.

Weights are never read: the architecture in the config is all a shape needs.
"""

from __future__ import annotations

import _thread
import gc
import heapq
import os
from _collections_abc import Mapping, Sequence

from ._keras_files import MAX_BYTES, brief, quoted, read, repeatable, short
from ._validate import check_count
from .errors import ConvShapeError, scopes
from .layers._registry import DTYPE_POLICIES, MODEL_CLASSES, layer_class, plain_config
from .layers.core import InputLayer
from .models.graph import SymbolicTensor, flatten
from .models.model import Model
from .models.ops import keras_op
from .models.sequential import Sequential

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = ["load_keras"]


def load_keras(
    source: str | os.PathLike[str] | Mapping[str, Any], *, max_bytes: int = MAX_BYTES
) -> Model:
    """A convshape model (``Sequential`` or functional ``Model``) from a Keras model file,
    JSON or config.

    ``source`` is the path of a ``.keras`` archive (its ``config.json`` is read) or
    of a JSON file from ``model.to_json()``, a JSON string, or the dict from
    ``model.get_config()`` or ``json.loads(model.to_json())``. Names, input shapes,
    dtypes, trainable flags, shared layers, nested models and the connections of a
    functional model are kept. A layer class convshape does not know (a custom layer)
    raises ConvShapeError naming the class and the layer.

    Files are read defensively: a path that is not a regular file (a directory, a
    FIFO, a device such as ``/dev/zero``) is refused before it is opened, and at most
    ``max_bytes`` bytes of JSON are read (64 MiB by default; a JSON file, or the
    uncompressed ``config.json`` of an archive, whose size is checked in the archive's
    directory before anything is decompressed). Weights are never read, so an archive
    may be larger than ``max_bytes``, but its directory (its list of files) may not
    exceed 4 MiB, and only stored and deflated, unencrypted entries are read. Every
    malformed input (not UTF-8, not JSON, a broken archive, a config of the wrong
    shape, values no framework accepts) raises one ConvShapeError naming the file and
    the part that is wrong; a ``source`` of the wrong type raises TypeError, and a
    file that cannot be opened the OSError ``open()`` raises.

    >>> import json
    >>> config = {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 7, 7, 256]}},
    ...     {"class_name": "Conv2DTranspose", "config": {
    ...         "filters": 128, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same"}}]}}
    >>> load_keras(json.dumps(config)).output_shape
    (None, 14, 14, 128)
    >>> load_keras('{"class_name": "Sequential", "config": []}')
    Traceback (most recent call last):
    ...
    convshape.errors.ConvShapeError: the JSON string: a model config must be a mapping...
    """
    if not isinstance(source, (str, os.PathLike, Mapping)):
        raise TypeError(
            f"`source` must be a path, a JSON string or a config dict, not {type(source).__name__}"
        )
    max_bytes = check_count(max_bytes, "max_bytes")
    collecting = gc.isenabled()
    # A model of a thousand layers is a few hundred thousand linked objects (and its
    # JSON as many): the cyclic collector would walk them again and again while they
    # are being made (a tenth of the time), and none of them is garbage yet.
    gc.disable()
    try:
        document, where = read(source, max_bytes)  # its errors name the file
        try:
            return _load(document)
        except ConvShapeError as error:
            raise _located(error, where) from None
        except Exception as error:  # a malformed config, whatever broke on it
            part = _path(_trail(error)) or "the model config"
            raise ConvShapeError(
                f"{where}: {part} is malformed ({brief(error)})", argument="source", received={}
            ) from None
    finally:
        if collecting:
            gc.enable()


def _mark(error: BaseException, step: object) -> None:
    """Record on ``error``, on its way out, the part of the config it is about: a
    try block costs nothing until it catches, unlike keeping a trail as layers go."""
    error.__dict__.setdefault("_convshape_trail", []).append(step)


def _trail(error: BaseException) -> list[Any]:
    """The steps :func:`_mark` recorded, outermost first."""
    return list(reversed(error.__dict__.get("_convshape_trail", [])))


def _located(error: ConvShapeError, where: str) -> ConvShapeError:
    """``error`` with the file and the part of the config it is about in front."""
    trail = _trail(error)
    if trail and error.layer is not None and _names(trail[-1], error.layer):
        trail.pop()  # the message names the layer already, with its index and model
    place = f"{where}, {_path(trail)}" if trail else where
    rule = f"{place}: {getattr(error, 'rule', str(error))}"
    try:
        located = type(error)(rule, argument=error.argument, received=error.received)
    except TypeError:  # a subclass with a constructor of its own
        located = ConvShapeError(rule, argument=error.argument, received=error.received)
    located.layer, located.layer_index, located.model = (
        error.layer,
        error.layer_index,
        error.model,
    )
    return located


def _names(step: Any, layer: str) -> bool:
    """Whether a step of the trail is the layer ``layer`` (its entry or its call)."""
    if isinstance(step, str):
        return False
    kind, value = step
    if kind == "call":
        return bool(value == layer)
    config = value.get("config") if type(value) is dict else None
    name = value.get("name") if type(value) is dict else None
    return bool(name == layer or (type(config) is dict and config.get("name") == layer))


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


def _path(trail: list[Any]) -> str:
    """``layer 3 'block' (Functional) > call of layer 'conv2d'``: where in a config an
    error is, the middle left out when models are nested deep."""
    if len(trail) > 6:
        return " > ".join([*map(_part, trail[:3]), "...", *map(_part, trail[-3:])])
    return " > ".join(map(_part, trail))


def _part(entry: Any) -> str:
    """One step of the trail to the part of a config an error is about, for messages."""
    if isinstance(entry, str):
        return entry
    kind, value = entry
    if kind == "call":
        return f"call of layer {quoted(value, 60)}"
    return _describe(kind, value)


def _describe(index: int, item: object) -> str:
    """``layer 3 'conv2d' (Conv2D)``: one layer entry of a config, for messages."""
    text = f"layer {index}"
    if type(item) is dict:
        config = item.get("config")
        name = item.get("name") or (config.get("name") if type(config) is dict else None)
        if isinstance(name, str):
            text += f" {quoted(name, 60)}"
        if isinstance(item.get("class_name"), str):
            text += f" ({quoted(item['class_name'], 60)[1:-1]})"
    return text


#: Keras's class names of dtype policies (a layer config holds one as its dtype) and of
#: models, from the one registry of class names.
_POLICIES = DTYPE_POLICIES
_MODEL_CLASSES = MODEL_CLASSES


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
        layer = created.get(name)
        if layer is None:
            raise ConvShapeError(
                f"the model's inputs or outputs name a layer that is not in it: {quoted(name)}",
                argument="source",
                received={},
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


class _Loading(_thread._local):
    """The functional models each thread is loading, innermost last, as (class name,
    name)."""

    def __init__(self) -> None:
        self.models: list[tuple[str, object]] = []


_LOADING = _Loading()


def _replay(order: list[str], pending: dict[str, list[Any]], created: dict[str, Any]) -> None:
    """Make every recorded call, in the order of Keras's loop: pass after pass over the
    layers in the file's order, each making its calls until one reads an output not
    computed yet. A blocked call waits on the node it reads and is retried where that
    loop would first succeed, so out-of-order files cost no pass over all layers.

    A call's errors and warnings name the layer, its index in the file (its index in
    ``model.layers``) and the model being loaded."""
    loading = _LOADING.models
    model = loading[-1] if loading else ("Functional", None)
    schedule = [(0, position) for position in range(len(order))]  # (pass, position): a heap
    waiting: dict[str, list[tuple[int, int]]] = {}  # layer -> heap of (node lacked, position)
    while schedule:
        run, position = heapq.heappop(schedule)
        name = order[position]
        calls = pending[name]
        layer = created[name]
        while calls:
            try:
                args, kwargs = _arguments(calls[0], created)
                scopes().append((layer, position, model, (args, kwargs)))
                try:
                    layer(*args, **kwargs)
                finally:
                    scopes().pop()
            except _NotYet as missing:
                heapq.heappush(waiting.setdefault(missing.layer, []), (missing.node, position))
                break
            except Exception as error:
                _mark(error, ("call", name))
                raise
            calls.pop(0)
            waiters = waiting.get(name)  # a heap: the node each lacks first
            while waiters and waiters[0][0] < len(layer._inbound_nodes):
                other = heapq.heappop(waiters)[1]
                heapq.heappush(schedule, (run if other > position else run + 1, other))
    stuck = sorted(name for name, calls in pending.items() if calls)
    if stuck:
        shown = ", ".join(quoted(name, 60) for name in stuck[:20])
        raise ConvShapeError(
            "the functional model's graph has loops or disconnected calls; these layers' "
            f"calls cannot be resolved: {shown}{', ...' if len(stuck) > 20 else ''}",
            argument="source",
            received={},
        )


class _NotYet(Exception):
    """A call reads a layer's output that has not been computed yet."""

    def __init__(self, layer: str, node: int) -> None:
        super().__init__(layer, node)
        self.layer = layer
        self.node = node


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
    try:
        name, node_index, tensor_index = history
    except (TypeError, ValueError):
        name = node_index = tensor_index = None
    if (
        not isinstance(name, str)
        or type(node_index) is not int
        or type(tensor_index) is not int
        or node_index < 0
        or tensor_index < 0
    ):
        raise ConvShapeError(
            "a call's keras_history must be [layer name, node index, tensor index]",
            argument="source",
            received={"keras_history": short(history)},
        )
    layer = created.get(name)
    if layer is None:
        raise ConvShapeError(
            f"a call reads layer {quoted(name)}, which is not in the model",
            argument="source",
            received={},
        )
    nodes = layer._inbound_nodes
    if len(nodes) <= node_index:
        raise _NotYet(name, node_index)
    outputs = nodes[node_index].outputs
    if tensor_index == 0 and type(outputs) is SymbolicTensor:
        return outputs
    return flatten(outputs)[tensor_index]


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

"""Keras model files without TensorFlow: a ``.keras`` archive, ``model.to_json()``, or
``model.get_config()``, read with the standard library into a convshape model.

Weights are never read: the architecture in the config is all a shape needs.
"""

from __future__ import annotations

import gc
import heapq
import json
import os
import re
import stat
import zipfile
import zlib
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


#: The default of ``load_keras(max_bytes=...)``: 64 MiB of JSON. Keras's largest
#: application, NASNetLarge (1,041 layers), has a config of 1 MB.
MAX_BYTES = 64 * 1024 * 1024


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
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool):
        raise TypeError(f"`max_bytes` must be an int, not {type(max_bytes).__name__}")
    if max_bytes < 1:
        raise ConvShapeError(
            "`max_bytes` must be at least 1",
            argument="max_bytes",
            received={"max_bytes": max_bytes},
        )
    document, where = _read(source, max_bytes)
    collecting = gc.isenabled()
    # A model of a thousand layers is a few hundred thousand linked objects: the cyclic
    # collector would walk them again and again while they are being made (a tenth of
    # the time), and none of them is garbage yet.
    gc.disable()
    trail: list[str] = []  # the part being read, kept as it was when an error is raised
    try:
        return _load(document, trail)
    except ConvShapeError as error:
        raise _located(error, where, trail) from None
    except Exception as error:  # a malformed config, whatever broke on it
        part = " > ".join(trail) or "the model config"
        raise ConvShapeError(
            f"{where}: {part} is malformed ({_brief(error)})", argument="source", received={}
        ) from None
    finally:
        if collecting:
            gc.enable()


def _located(error: ConvShapeError, where: str, trail: list[str]) -> ConvShapeError:
    """``error`` with the file and the part of the config it is about in front."""
    place = f"{where}, {' > '.join(trail)}" if trail else where
    rule = f"{place}: {getattr(error, 'rule', str(error))}"
    try:
        return type(error)(rule, argument=error.argument, received=error.received)
    except TypeError:  # a subclass with a constructor of its own
        return ConvShapeError(rule, argument=error.argument, received=error.received)


def _brief(error: BaseException, limit: int = 200) -> str:
    """``Type: message`` of an exception, shortened: messages may repeat huge values."""
    try:
        text = str(error)
    except Exception:  # a message that cannot be formatted
        text = ""
    text = " ".join(text.split())
    if len(text) > limit:
        text = f"{text[: limit - 3]}..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _shown(text: str, limit: int = 120) -> str:
    """``repr(text)``, shortened in the middle."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit // 2]}...{shown[-limit // 2 :]}"


def _load(document: dict[str, Any], trail: list[str]) -> Model:
    if "layers" in document and "class_name" not in document:
        kind = "Functional" if "input_layers" in document else "Sequential"
        document = {"class_name": kind, "config": document}
    class_name = document.get("class_name")
    if not isinstance(class_name, str) or class_name not in _MODEL_CLASSES:
        raise ConvShapeError(
            f"the file holds a {_short(class_name)}, not a Keras model (Sequential or Functional)",
            argument="source",
            received={"class_name": class_name} if _plain(class_name) else {},
        )
    return _model(document, trail)


def _plain(value: object) -> bool:
    """Whether ``value`` is short enough to be repeated as it is in a message."""
    return value is None or (isinstance(value, str) and len(value) <= 100)


def _short(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, shortened; never fails."""
    if isinstance(value, str):
        return _shown(value, limit)
    try:
        shown = repr(value) if isinstance(value, (int, float, type(None))) else type(value).__name__
    except ValueError:  # an int too long to print
        shown = "int"
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}..."


def _describe(index: int, item: object) -> str:
    """``layer 3 'conv2d' (Conv2D)``: one layer entry of a config, for messages."""
    text = f"layer {index}"
    if type(item) is dict:
        config = item.get("config")
        name = item.get("name") or (config.get("name") if type(config) is dict else None)
        if isinstance(name, str):
            text += f" {_shown(name, 60)}"
        if isinstance(item.get("class_name"), str):
            text += f" ({_shown(item['class_name'], 60)[1:-1]})"
    return text


#: Keras's class names of dtype policies, which a layer config holds as its dtype.
_POLICIES = frozenset({"DTypePolicy", "FloatDTypePolicy"})

#: Keras's class names of models, in configs.
_MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})


def _model(entry: Mapping[str, Any], trail: list[str]) -> Model:
    config = entry.get("config", {})
    if not isinstance(config, Mapping):
        raise ConvShapeError(
            "a model config must be a mapping",
            argument="source",
            received={"config": _short(config)},
        )
    if entry.get("class_name") == "Sequential":
        return _sequential(config, trail)
    return _functional(config, trail)


def _layers(config: Mapping[str, Any]) -> list[Any]:
    layers = config.get("layers", [])
    if not isinstance(layers, list):
        raise ConvShapeError(
            "a model's `layers` must be a list",
            argument="source",
            received={"layers": _short(layers)},
        )
    return layers


def _sequential(config: Mapping[str, Any], trail: list[str]) -> Sequential:
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for index, item in enumerate(_layers(config)):
        trail.append(_describe(index, item))
        model.add(_object(item, trail))
        trail.pop()
    if not model.built and config.get("build_input_shape"):
        trail.append("build_input_shape")
        model.build(tuple(config["build_input_shape"]))
        trail.pop()
    return model


def _functional(config: Mapping[str, Any], trail: list[str]) -> Model:
    """Keras's ``functional_from_config``: create every layer, then replay its calls in
    the file's order, each once the layers it reads from have been called."""
    created: dict[str, Any] = {}
    pending: dict[str, list[Any]] = {}
    order: list[str] = []
    for index, item in enumerate(_layers(config)):
        trail.append(_describe(index, item))
        layer = _object(item, trail)
        name = item.get("name") or layer.name
        if not isinstance(name, str):
            raise ConvShapeError(
                "a layer's name must be a string",
                argument="source",
                received={"name": _short(name)},
            )
        created[name] = layer
        order.append(name)
        calls = item.get("inbound_nodes", [])
        if not isinstance(calls, list):
            raise ConvShapeError(
                "a layer's `inbound_nodes` must be a list",
                argument="source",
                received={"inbound_nodes": _short(calls)},
            )
        pending[name] = list(calls)
        trail.pop()
    _replay(order, pending, created, trail)

    def tensor(name: str, node_index: int, tensor_index: int) -> Any:
        layer = created.get(name)
        if layer is None:
            raise ConvShapeError(
                f"the model's inputs or outputs name a layer that is not in it: {_shown(name)}",
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
            received={"entry": _short(spec)},
        )

    trail.append("the model's inputs and outputs")
    model = Model(
        tensors(config.get("input_layers", [])),
        tensors(config.get("output_layers", [])),
        name=config.get("name"),
        trainable=config.get("trainable", True),
    )
    trail.pop()
    return model


def _replay(
    order: list[str], pending: dict[str, list[Any]], created: dict[str, Any], trail: list[str]
) -> None:
    """Make every recorded call, in the order of Keras's loop: pass after pass over the
    layers in the file's order, each making its calls until one reads an output not
    computed yet. A blocked call waits on the node it reads and is retried where that
    loop would first succeed, so out-of-order files cost no pass over all layers."""
    schedule = [(0, position) for position in range(len(order))]  # (pass, position): a heap
    waiting: dict[str, list[tuple[int, int]]] = {}  # layer -> heap of (node lacked, position)
    while schedule:
        run, position = heapq.heappop(schedule)
        name = order[position]
        calls = pending[name]
        while calls:
            trail.append(f"call of layer {_shown(name, 60)}")
            try:
                args, kwargs = _arguments(calls[0], created)
            except _NotYet as missing:
                trail.pop()
                heapq.heappush(waiting.setdefault(missing.layer, []), (missing.node, position))
                break
            layer = created[name]
            layer(*args, **kwargs)
            calls.pop(0)
            trail.pop()
            waiters = waiting.get(name)  # a heap: the node each lacks first
            while waiters and waiters[0][0] < len(layer._inbound_nodes):
                other = heapq.heappop(waiters)[1]
                heapq.heappush(schedule, (run if other > position else run + 1, other))
    stuck = sorted(name for name, calls in pending.items() if calls)
    if stuck:
        shown = ", ".join(_shown(name, 60) for name in stuck[:20])
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
            received={"keras_history": _short(history)},
        )
    layer = created.get(name)
    if layer is None:
        raise ConvShapeError(
            f"a call reads layer {_shown(name)}, which is not in the model",
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


def _read(
    source: str | os.PathLike[str] | Mapping[str, Any], max_bytes: int
) -> tuple[dict[str, Any], str]:
    """The config document in ``source``, and how messages name ``source``."""
    if isinstance(source, Mapping):
        document = dict(source)
        _check_values(document, "the config")
        return document, "the config"
    if isinstance(source, str) and source.lstrip().startswith("{"):
        where = "the JSON string"
        if len(source) > max_bytes:
            raise ConvShapeError(
                f"{where} is {len(source)} characters long, more than max_bytes={max_bytes}",
                argument="max_bytes",
                received={"max_bytes": max_bytes},
            )
        return _parse(source, where), where
    path = os.fspath(source)
    where = _shown(os.fsdecode(path))
    try:
        status = os.stat(path)
    except ValueError:  # a NUL character, which no path can hold
        raise ConvShapeError(
            f"{where} is not a path: it holds a NUL character", argument="source", received={}
        ) from None
    _check_regular(status, where)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    # O_NONBLOCK: should the file have been swapped for a FIFO since os.stat, opening it
    # does not wait for a writer; on a regular file it changes nothing.
    descriptor = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    with open(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        _check_regular(status, where)
        archived = handle.read(2) == b"PK" or zipfile.is_zipfile(handle)
        handle.seek(0)
        if archived:
            data = _archived_config(handle, status.st_size, where, max_bytes)
            where = f"config.json in {where}"
        else:
            _check_size(status.st_size, where, max_bytes)
            data = handle.read(max_bytes + 1)
            _check_size(len(data), where, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConvShapeError(
            f"{where} is not UTF-8 text (byte {error.start} cannot be decoded)",
            argument="source",
            received={},
        ) from None
    return _parse(text, where), where


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_regular(status: os.stat_result, where: str) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(status.st_mode)), "a special file")
    raise ConvShapeError(
        f"{where} is {kind}, not a regular file: load_keras reads .keras archives and JSON files",
        argument="source",
        received={},
    )


def _check_size(size: int, where: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise ConvShapeError(
            f"{where} is {size} bytes, more than max_bytes={max_bytes} "
            "(pass a larger max_bytes to load_keras to read it)",
            argument="max_bytes",
            received={"max_bytes": max_bytes},
        )


#: The most bytes of an archive's directory read: a .keras archive lists a few files.
_MAX_DIRECTORY = 4 * 1024 * 1024
_END = b"PK\x05\x06"  # the end of central directory record
_END64_LOCATOR = b"PK\x06\x07"
_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _archived_config(handle: Any, size: int, where: str, max_bytes: int) -> bytes:
    """The bytes of ``config.json`` in the archive open as ``handle``, read with
    every size checked against the archive's directory before it is read."""
    _check_directory(handle, size, where)
    try:
        with zipfile.ZipFile(handle) as archive:
            try:
                entry = archive.getinfo("config.json")
            except KeyError:
                raise ConvShapeError(
                    "a .keras archive must hold config.json",
                    argument="source",
                    received={"source": where},
                ) from None
            if entry.flag_bits & 0x1:
                raise ConvShapeError(
                    f"config.json in {where} is encrypted", argument="source", received={}
                )
            if entry.compress_type not in _READABLE:
                raise ConvShapeError(
                    f"config.json in {where} is compressed with method {entry.compress_type}; "
                    "load_keras reads stored and deflated entries (Keras writes those)",
                    argument="source",
                    received={},
                )
            _check_size(entry.file_size, f"config.json in {where}", max_bytes)
            with archive.open(entry) as member:
                data: bytes = member.read(max_bytes + 1)
            _check_size(len(data), f"config.json in {where}", max_bytes)
            return data
    except ConvShapeError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
        OverflowError,
    ) as error:
        raise ConvShapeError(
            f"{where} is not a readable .keras archive ({_brief(error)})",
            argument="source",
            received={},
        ) from None


def _check_directory(handle: Any, size: int, where: str) -> None:
    """Refuse an archive whose directory is larger than ``_MAX_DIRECTORY`` bytes
    (zipfile reads all of it, and makes an object per entry), from its end record."""
    tail_size = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    end = tail.rfind(_END)
    if end < 0 or len(tail) - end < 22:
        return  # not an archive zipfile can open: it says so
    directory = int.from_bytes(tail[end + 12 : end + 16], "little")
    if end >= 20 and tail[end - 20 : end - 16] == _END64_LOCATOR:
        # ZIP64: zipfile takes the size from the record just before the locator.
        start = size - tail_size + end - 20 - 56
        if start >= 0:
            handle.seek(start)
            record = handle.read(56)
            directory = max(directory, int.from_bytes(record[40:48], "little"))
    handle.seek(0)
    if directory > _MAX_DIRECTORY:
        raise ConvShapeError(
            f"{where} has an archive directory of {directory} bytes, more than the "
            f"{_MAX_DIRECTORY} bytes load_keras reads (a .keras archive lists a few files)",
            argument="source",
            received={},
        )


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConvShapeError(
            f"{where} is not valid JSON ({error.msg} at line {error.lineno})",
            argument="source",
            received={},
        ) from None
    except RecursionError:
        raise ConvShapeError(
            f"{where} nests its JSON too deeply to be a Keras model config",
            argument="source",
            received={},
        ) from None
    except ValueError as error:  # an integer of more digits than Python converts
        raise ConvShapeError(
            f"{where} is not a Keras model config ({_brief(error)})", argument="source", received={}
        ) from None
    if not isinstance(document, dict):
        raise ConvShapeError(
            f"{where} does not hold a Keras model config (a JSON object)",
            argument="source",
            received={},
        )
    if _LONG_NUMBER.search(text):
        _check_values(document, where)
    return document


#: A run of digits long enough to be an integer out of range (or a name holding one).
_LONG_NUMBER = re.compile(r"\d{19}")
#: Integers of a config: shapes, sizes, seeds; no framework accepts more than 64 bits.
_LARGEST = 2**64
#: How deep a config nests, more than any model nested in models needs.
_MAX_DEPTH = 200


def _check_values(document: dict[str, Any], where: str) -> None:
    """Refuse integers no framework accepts and configs nested without end (a dict that
    holds itself), walking without recursion."""
    stack: list[tuple[object, int]] = [(document, 0)]
    budget = 10**7
    while stack:
        value, depth = stack.pop()
        budget -= 1
        if isinstance(value, (dict, list, tuple)):
            if depth >= _MAX_DEPTH or budget < 0:
                raise ConvShapeError(
                    f"{where} nests deeper than {_MAX_DEPTH} levels or holds more than 10**7 "
                    "values (a dict or list that holds itself?)",
                    argument="source",
                    received={},
                )
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items if type(item) is not str)
        elif type(value) is int and not -_LARGEST < value < _LARGEST:
            raise ConvShapeError(
                f"{where} holds an integer of {value.bit_length()} bits; no framework "
                "accepts integers over 64 bits in a model config",
                argument="source",
                received={},
            )


def _object(entry: Any, trail: list[str]) -> Any:
    """A layer, input, nested model or Keras op from its serialised entry."""
    if type(entry) is not dict and not isinstance(entry, Mapping):
        raise ConvShapeError(
            "each layer of a model config must be a mapping",
            argument="source",
            received={"layer": _short(entry)},
        )
    class_name = entry.get("class_name")
    if not isinstance(class_name, str):
        raise ConvShapeError(
            "a layer's class_name must be a string",
            argument="source",
            received={"class_name": _short(class_name)},
        )
    raw = entry.get("config") or {}
    if not isinstance(raw, Mapping):
        raise ConvShapeError(
            "a layer's config must be a mapping",
            argument="source",
            received={"config": _short(raw)},
        )
    for key, value in raw.items():
        if type(value) is dict and value.get("class_name") in _POLICIES:
            policy = value.get("config") or {}
            if not isinstance(policy, Mapping) or not isinstance(
                policy.get("name"), (str, type(None))
            ):
                raise ConvShapeError(
                    f"`{key}` of a layer config is a dtype policy whose config "
                    "is not {'name': str}",
                    argument="source",
                    received={"config": _short(policy)},
                )
    config = plain_config(raw)
    if class_name in _MODEL_CLASSES:
        return _model(entry, trail)
    if class_name == "InputLayer":
        return InputLayer(**config)
    module = entry.get("module") or ""
    if isinstance(module, str) and module.startswith("keras.src.ops"):
        return keras_op(str(class_name), config, module)
    cls = layer_class(class_name)
    name = config.get("name")
    if cls is None:
        raise ConvShapeError(
            f"layer {_short(name)} is of class {_short(class_name)}, which convshape does "
            "not know (a custom layer?); convshape knows the Keras layers listed in "
            "convshape.layers",
            argument="source",
            received={"class_name": class_name, "layer": name}
            if _plain(class_name) and _plain(name)
            else {},
        )
    try:
        return cls(**config)
    except TypeError as error:
        raise ConvShapeError(
            f"cannot build {class_name} {_short(name)} from its Keras config: {_brief(error)}",
            argument="source",
            received={"layer": name} if _plain(name) else {},
        ) from None

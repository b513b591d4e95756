"""Keras model files without TensorFlow: a ``.keras`` archive, ``model.to_json()``, or
``model.get_config()``, read with the standard library into a convshape model.

Weights are never read: the architecture in the config is all a shape needs.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import Any

from . import layers as _layers
from .errors import ConvShapeError
from .layers.core import InputLayer
from .sequential import Sequential

__all__ = ["load_keras"]

#: Keras config keys that describe serialisation, not the layer.
_SKIPPED_KEYS = frozenset({"shared_object_id"})


def load_keras(source: str | os.PathLike[str] | Mapping[str, Any]) -> Sequential:
    """A convshape ``Sequential`` from a Keras model file, JSON or config.

    ``source`` is the path of a ``.keras`` archive (its ``config.json`` is read) or
    of a JSON file from ``model.to_json()``, a JSON string, or the dict from
    ``model.get_config()`` or ``json.loads(model.to_json())``. The input shape
    recorded in the file is kept; layer names, dtypes and trainable flags too.
    Sequential models are supported; a functional model raises ConvShapeError.

    >>> import json
    >>> config = {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 7, 7, 256]}},
    ...     {"class_name": "Conv2DTranspose", "config": {
    ...         "filters": 128, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same"}}]}}
    >>> load_keras(json.dumps(config)).output_shape
    (None, 14, 14, 128)
    """
    document = _read(source)
    if "layers" in document and "class_name" not in document:
        document = {"class_name": "Sequential", "config": document}
    class_name = document.get("class_name")
    if class_name != "Sequential":
        raise ConvShapeError(
            f"only Sequential models can be loaded yet; this file holds a {class_name!r} model "
            "(functional models are not supported)",
            argument="source",
            received={"class_name": class_name},
        )
    config = document.get("config", {})
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for entry in config.get("layers", []):
        model.add(_layer(entry))
    if not model.built and config.get("build_input_shape"):
        raise ConvShapeError(
            "the model's input shape is recorded only as build_input_shape, which is not "
            "supported yet",
            argument="source",
            received={"build_input_shape": config["build_input_shape"]},
        )
    return model


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


def _plain(value: Any) -> Any:
    """Keras's serialised objects in plain Python: dtype policies become their names."""
    if isinstance(value, dict) and value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        return value.get("config", {}).get("name")
    return value


def _layer(entry: Mapping[str, Any]) -> Any:
    class_name = entry.get("class_name")
    config = {
        key: _plain(value)
        for key, value in entry.get("config", {}).items()
        if key not in _SKIPPED_KEYS
    }
    if class_name == "InputLayer":
        return InputLayer(**config)
    if (
        not isinstance(class_name, str)
        or class_name not in _layers.__all__
        or class_name
        in (
            "Layer",
            "SymbolicTensor",
            "Weight",
            "Input",
        )
    ):
        supported = ", ".join(
            name for name in _layers.__all__ if name not in ("Layer", "SymbolicTensor", "Weight")
        )
        raise ConvShapeError(
            f"layer class {class_name!r} is not supported; the supported layers are {supported}",
            argument="source",
            received={"class_name": class_name},
        )
    cls = getattr(_layers, class_name)
    try:
        return cls(**config)
    except TypeError as error:
        raise ConvShapeError(
            f"cannot build {class_name} from its Keras config: {error}",
            argument="source",
            received={"layer": config.get("name")},
        ) from None

"""Keras model files without TensorFlow: a ``.keras`` archive, ``model.to_json()``, or
``model.get_config()``, read with the standard library into a convshape model.

Weights are never read: the architecture in the config is all a shape needs.
"""

from __future__ import annotations

import gc
import os
from _collections_abc import Mapping

from ._keras_config import _load
from ._keras_files import MAX_BYTES, brief, read
from ._keras_replay import _arguments, _NotYet  # noqa: F401  (importable here as they were)
from ._keras_trail import _located, _path, _trail
from ._validate import check_count
from .errors import ConvShapeError
from .models.model import Model

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

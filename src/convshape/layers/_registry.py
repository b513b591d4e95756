"""The layer classes by Keras class name, for loading saved models."""

from __future__ import annotations

from typing import Any

from . import _MODULES, _base
from . import __getattr__ as _load

__all__ = ["layer_class"]

#: Names in ``convshape.layers`` that are not layer classes a config can name.
_NOT_LAYERS = frozenset({"Input", "InputLayer", "Layer", "SymbolicTensor", "Weight"})


def layer_class(class_name: object) -> Any:
    """The convshape layer class Keras names ``class_name`` in a config, or None.

    >>> layer_class("Conv2DTranspose").__name__, layer_class("MyCustomLayer")
    ('Conv2DTranspose', None)
    """
    if not isinstance(class_name, str) or class_name in _NOT_LAYERS or class_name not in _MODULES:
        return None
    cls = _load(class_name)
    if isinstance(cls, type) and issubclass(cls, _base.Layer):
        return cls
    return None

"""The layer classes by Keras class name, and Keras's serialised arguments in plain
Python, for loading saved models and wrapped layers."""

from __future__ import annotations

from . import _MODULES, _base
from . import __all__ as _PUBLIC
from . import __getattr__ as _load

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DTYPE_POLICIES",
    "MODEL_CLASSES",
    "NOT_LAYERS",
    "SKIPPED_KEYS",
    "layer_class",
    "layer_names",
    "plain",
    "plain_config",
]

#: Names in ``convshape.layers`` that are not layer classes a config can name.
NOT_LAYERS = frozenset({"Input", "InputLayer", "Layer", "SymbolicTensor", "Weight"})

#: Keras's class names of models, in configs.
MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})

#: Keras's class names of dtype policies, which a layer config holds as its dtype.
DTYPE_POLICIES = frozenset({"DTypePolicy", "FloatDTypePolicy"})

#: Keras config keys that describe serialisation, not the layer.
SKIPPED_KEYS = frozenset({"shared_object_id"})


def plain(value: Any) -> Any:
    """Keras's serialised objects in plain Python: dtype policies become their names.

    >>> plain({"class_name": "DTypePolicy", "config": {"name": "float16"}})
    'float16'
    """
    if type(value) is dict and value.get("class_name") in _POLICIES:
        return (value.get("config") or {}).get("name")
    return value


_POLICIES = DTYPE_POLICIES


def plain_config(config: Any) -> dict[str, Any]:
    """A layer's serialised config as constructor arguments."""
    return {
        key: plain(value) if type(value) is dict else value
        for key, value in config.items()
        if key not in SKIPPED_KEYS
    }


def layer_class(class_name: object) -> Any:
    """The convshape layer class Keras names ``class_name`` in a config, or None.

    >>> layer_class("Conv2DTranspose").__name__, layer_class("MyCustomLayer")
    ('Conv2DTranspose', None)
    """
    cls = _FOUND.get(class_name) if isinstance(class_name, str) else None
    if cls is not None:
        return cls
    if not isinstance(class_name, str) or class_name in NOT_LAYERS or class_name not in _MODULES:
        return None
    cls = _load(class_name)
    if isinstance(cls, type) and issubclass(cls, _base.Layer):
        _FOUND[class_name] = cls
        return cls
    return None


_FOUND: dict[str, Any] = {}


def layer_names() -> tuple[str, ...]:
    """The Keras layer class names ``convshape.layers`` has, aliases included, sorted;
    without loading a class.

    >>> names = layer_names()
    >>> "Conv2DTranspose" in names, "Convolution2D" in names, "InputLayer" in names
    (True, True, False)
    """
    return tuple(sorted(name for name in _PUBLIC if name[0].isupper() and name not in NOT_LAYERS))

"""Models: one graph of layer calls shared by ``Sequential`` and the functional ``Model``.

``graph`` holds the records (tensors, nodes, Keras's order); ``model`` the functional
``Model``; ``sequential`` the ``Sequential`` chain built on it.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Functional", "Model", "Sequential"]

_LAZY = {
    "Functional": "convshape.models.model",
    "Model": "convshape.models.model",
    "Sequential": "convshape.models.sequential",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'convshape.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value

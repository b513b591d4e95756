"""Nested structures of tensors and shapes: lists, tuples and dicts, walked as Keras's tree.

A shape (a tuple of ints and Nones) is a leaf, not a tuple to walk into. The graph's
:func:`~convshape.models.graph.flatten` adds the fast path for a lone tensor.
"""

from __future__ import annotations

from _collections_abc import Mapping  # collections.abc without importing collections

from ..errors import ConvShapeError, _short_repr

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def is_shape(value: object) -> bool:
    """A shape (a tuple of ints and Nones), as opposed to a structure of shapes."""
    return isinstance(value, tuple) and all(dim is None or type(dim) is int for dim in value)


#: More levels than any model's inputs or outputs nest; the bound keeps a deeply nested
#: argument from exhausting the stack.
_MAX_NESTING = 64


def flatten_into(structure: Any, leaves: list[Any], depth: int = 0) -> None:
    """Append the leaves of ``structure`` to ``leaves`` (dict keys sorted), as Keras's tree."""
    if type(structure) is list or (isinstance(structure, tuple) and not is_shape(structure)):
        if depth >= _MAX_NESTING:
            raise ConvShapeError(
                f"tensors must be nested at most {_MAX_NESTING} levels deep in lists, "
                "tuples and dicts",
                argument="inputs",
                received={"inputs": structure},
            )
        for item in structure:
            flatten_into(item, leaves, depth + 1)
    elif isinstance(structure, Mapping):
        try:
            keys = sorted(structure)
        except TypeError:  # keys Keras's tree cannot sort either
            raise TypeError(
                "a dict of tensors must have keys of one sortable type. "
                f"Received: {_short_repr(structure)}"
            ) from None
        for key in keys:
            flatten_into(structure[key], leaves, depth + 1)
    else:
        leaves.append(structure)


def map_structure(function: Callable[[Any], Any], structure: Any) -> Any:
    """``structure`` with every leaf replaced by ``function(leaf)``; shapes are leaves."""
    if isinstance(structure, (list, tuple)) and not is_shape(structure):
        return type(structure)(map_structure(function, item) for item in structure)
    if isinstance(structure, Mapping):
        return {key: map_structure(function, value) for key, value in structure.items()}
    return function(structure)

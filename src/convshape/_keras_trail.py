"""Where in a Keras config an error is: the trail of steps an error gathers on its way
out of the loader (the layer entry, the call, the part of the model), and the
messages that put the file and that trail in front of the error's rule.
"""

from __future__ import annotations

from ._keras_files import quoted
from .errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any


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

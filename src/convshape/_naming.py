"""Keras's automatic names: per-prefix counters shared by the whole session.

Keras names a layer (or model, or input) when it is created, from a counter per
snake-case class name that every model in the process shares, and
``keras.backend.clear_session()`` resets them. convshape keeps the same
counters, so the same code gives the same names in both.
"""

from __future__ import annotations

import re

__all__ = ["auto_name", "clear_session", "snake_case"]

_COUNTERS: dict[str, int] = {}
_SNAKE: dict[str, str] = {}
_NON_WORD = re.compile(r"\W+")
_UPPER_WORD = re.compile("(.)([A-Z][a-z]+)")
_LOWER_UPPER = re.compile("([a-z])([A-Z])")


def snake_case(class_name: str) -> str:
    """Keras's automatic layer name for a class name.

    >>> snake_case("Conv2DTranspose"), snake_case("LeakyReLU"), snake_case("PReLU")
    ('conv2d_transpose', 'leaky_re_lu', 'p_re_lu')
    """
    name = _SNAKE.get(class_name)
    if name is None:
        name = _NON_WORD.sub("", class_name)
        name = _UPPER_WORD.sub(r"\1_\2", name)
        name = _SNAKE[class_name] = _LOWER_UPPER.sub(r"\1_\2", name).lower()
    return name


def auto_name(class_name: str) -> str:
    """The next automatic name for an object of this class: ``dense``, ``dense_1``, ...

    >>> clear_session()
    >>> auto_name("Dense"), auto_name("Dense"), auto_name("Conv2D")
    ('dense', 'dense_1', 'conv2d')
    """
    prefix = snake_case(class_name)
    count = _COUNTERS.get(prefix, 0)
    _COUNTERS[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session() -> None:
    """Restart the automatic names, as ``keras.backend.clear_session()`` does.

    >>> from convshape import clear_session, layers
    >>> clear_session()
    >>> layers.Dense(2).name, layers.Dense(2).name
    ('dense', 'dense_1')
    >>> clear_session()
    >>> layers.Dense(2).name
    'dense'
    """
    _COUNTERS.clear()

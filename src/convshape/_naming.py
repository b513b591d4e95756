"""Keras's automatic names: per-prefix counters shared by the whole session.

Keras names a layer (or model, or input) when it is created, from a counter per
snake-case class name that every model in the process shares, and
``keras.backend.clear_session()`` resets them. convshape keeps the same
counters, so the same code gives the same names in both.
"""

from __future__ import annotations

__all__ = ["auto_name", "clear_session", "snake_case"]

_COUNTERS: dict[str, int] = {}
_SNAKE: dict[str, str] = {}


def snake_case(class_name: str) -> str:
    """Keras's automatic layer name for a class name.

    >>> snake_case("Conv2DTranspose"), snake_case("LeakyReLU"), snake_case("PReLU")
    ('conv2d_transpose', 'leaky_re_lu', 'p_re_lu')
    """
    name = _SNAKE.get(class_name)
    if name is None:
        name = _SNAKE[class_name] = _snake_case(class_name)
    return name


def _snake_case(class_name: str) -> str:
    """Keras's three substitutions, ``re.sub(r"\\W+", "", name)``, then
    ``re.sub("(.)([A-Z][a-z]+)", r"\\1_\\2", name)``, then
    ``re.sub("([a-z])([A-Z])", r"\\1_\\2", name).lower()``, scanned by hand: ``re``
    costs milliseconds to import and the first layer of a session would pay them."""
    name = "".join(char for char in class_name if char.isalnum() or char == "_")
    # (.)([A-Z][a-z]+): a character, then a capitalised word, matched left to right.
    parts: list[str] = []
    i, n = 0, len(name)
    while i < n:
        if i + 2 < n and "A" <= name[i + 1] <= "Z" and "a" <= name[i + 2] <= "z":
            end = i + 3
            while end < n and "a" <= name[end] <= "z":
                end += 1
            parts.append(f"{name[i]}_{name[i + 1 : end]}")
            i = end
        else:
            parts.append(name[i])
            i += 1
    name = "".join(parts)
    # ([a-z])([A-Z]): a lower-case letter followed by an upper-case one.
    parts = []
    i, n = 0, len(name)
    while i < n:
        if i + 1 < n and "a" <= name[i] <= "z" and "A" <= name[i + 1] <= "Z":
            parts.append(f"{name[i]}_{name[i + 1]}")
            i += 2
        else:
            parts.append(name[i])
            i += 1
    return "".join(parts).lower()


def auto_name(class_name: str) -> str:
    """The next automatic name for an object of this class: ``dense``, ``dense_1``, ...

    >>> clear_session()
    >>> auto_name("Dense"), auto_name("Dense"), auto_name("Conv2D")
    ('dense', 'dense_1', 'conv2d')
    """
    prefix = _SNAKE.get(class_name) or snake_case(class_name)
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

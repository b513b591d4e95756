"""The exceptions and warnings convshape raises.

Every rejected argument raises :class:`ConvShapeError` (a :class:`ValueError`)
or :class:`TypeError`. The message names the argument, the rule and what was
received; the same facts are kept as attributes for programs that catch it.

>>> import convshape as cs
>>> try:
...     cs.conv_output_length(3, kernel_size=5)
... except cs.EmptyOutputError as error:
...     print(error.argument)
size
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = ["ConvShapeError", "ConvShapeWarning", "EmptyOutputError"]

#: How much of a value a message shows: characters of one repr, items of a container,
#: levels of nesting, and digits of an int before it is summarised by its length.
_MAX_CHARS = 200
_MAX_ITEMS = 10
_MAX_DEPTH = 6
_MAX_DIGITS = 60


def _short_repr(value: object, _depth: int = 0) -> str:
    """``repr(value)`` for a message, bounded whatever the value: huge ints are summarised
    by their number of digits (``repr`` fails beyond 4,300), containers show their first
    items and levels, long texts are cut, and a failing ``__repr__`` is replaced.

    Ordinary values read exactly as ``repr`` writes them.

    >>> _short_repr((None, 7, [1, 2]))
    '(None, 7, [1, 2])'
    >>> _short_repr(10**5000)
    '<int of 5001 digits>'
    >>> _short_repr(list(range(100)))
    '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... (100 items)]'
    """
    if isinstance(value, int) and not isinstance(value, bool):
        bits = value.bit_length()
        if bits > _MAX_DIGITS * 3:  # 3 bits per digit at most: the short ones are exact
            digits = _digits(value)
            if digits > _MAX_DIGITS:
                return f"<int of {digits} digits>"
    elif isinstance(value, (str, bytes)):
        if len(value) > _MAX_CHARS:
            return f"{value[: _MAX_CHARS // 2]!r}... ({len(value)} characters)"
    elif type(value) in (tuple, list, dict, set, frozenset):
        return _container_repr(value, _depth)  # type: ignore[arg-type]
    try:
        text = repr(value)
    except Exception:  # any failing __repr__: the message must still form
        return f"<{type(value).__name__} object>"
    if not isinstance(text, str):
        return f"<{type(value).__name__} object>"
    return text if len(text) <= _MAX_CHARS else f"{text[:_MAX_CHARS]}..."


def _digits(value: int) -> int:
    """The number of decimal digits of ``value``, without converting it to a string."""
    magnitude = abs(value)
    # log10(2) = 0.30103...: the estimate is exact or one too high.
    estimate = int(magnitude.bit_length() * 0.30102999566398120) + 1
    return estimate if magnitude >= 10 ** (estimate - 1) else estimate - 1


def _container_repr(
    value: tuple[object, ...]
    | list[object]
    | dict[object, object]
    | set[object]
    | frozenset[object],
    depth: int,
) -> str:
    if depth >= _MAX_DEPTH and value:
        return f"<{type(value).__name__} of {len(value)} item{'s' * (len(value) != 1)}>"
    if isinstance(value, dict):
        parts = [
            f"{_short_repr(key, depth + 1)}: {_short_repr(item, depth + 1)}"
            for key, item in _first(value.items())
        ]
    else:
        parts = [_short_repr(item, depth + 1) for item in _first(value)]
    if len(value) > _MAX_ITEMS:
        parts.append(f"... ({len(value)} items)")
    body = ", ".join(parts)
    if isinstance(value, tuple):
        return f"({body},)" if len(value) == 1 else f"({body})"
    if isinstance(value, list):
        return f"[{body}]"
    if isinstance(value, dict):
        return f"{{{body}}}"
    if not value:
        return f"{type(value).__name__}()"
    return (
        f"{{{body}}}" if isinstance(value, set) and type(value) is set else f"frozenset({{{body}}})"
    )


def _first(items: Iterable[Any]) -> list[Any]:
    """The first items of an iterable, without walking the rest."""
    first: list[Any] = []
    for item in items:
        if len(first) == _MAX_ITEMS:
            break
        first.append(item)
    return first


class ConvShapeError(ValueError):
    """An argument has the right type but a value no framework accepts.

    ``argument`` names the offending argument, ``received`` maps each argument
    the rule involves to the value the caller passed.

    >>> error = ConvShapeError("`stride` must be at least 1", argument="stride",
    ...                        received={"stride": 0})
    >>> str(error)
    '`stride` must be at least 1. Received: stride=0'
    >>> isinstance(error, ValueError)
    True
    """

    def __init__(
        self,
        rule: str,
        *,
        argument: str | None = None,
        received: dict[str, object] | None = None,
    ) -> None:
        self.rule = rule
        self.argument = argument
        self.received: dict[str, object] = dict(received or {})
        message = rule
        if self.received:
            values = ", ".join(
                f"{name}={_short_repr(value)}" for name, value in self.received.items()
            )
            message = f"{rule}. Received: {values}"
        super().__init__(message)


class EmptyOutputError(ConvShapeError):
    """The configuration would produce an empty or negative output length.

    >>> issubclass(EmptyOutputError, ConvShapeError)
    True
    """


class ConvShapeWarning(UserWarning):
    """A configuration a framework accepts on paper but fails on at run time.

    >>> issubclass(ConvShapeWarning, UserWarning)
    True
    """


#: Keyword arguments people carry over from the other framework (Keras <-> PyTorch).
_MIX_UPS = {
    "stride": "strides",
    "strides": "stride",
    "dilation": "dilation_rate",
    "dilation_rate": "dilation",
    "kernel": "kernel_size",
    "filters": "out_channels",
    "out_channels": "filters",
    "units": "out_features",
    "out_features": "units",
    "bias": "use_bias",
    "use_bias": "bias",
    "pool_size": "kernel_size",
    "output_size": "size",
    "scale_factor": "size",
    "eps": "epsilon",
    "epsilon": "eps",
}


def unexpected_keyword(owner: str, names: Iterable[object], known: Iterable[object]) -> TypeError:
    """Python's error for an unknown keyword argument, with a "did you mean" for the usual
    mix-ups (``stride``/``strides``, ``dilation``/``dilation_rate``) and close spellings.

    >>> print(unexpected_keyword("Conv2D", ["stride"], {"strides", "filters"}))
    Conv2D.__init__() got an unexpected keyword argument 'stride'; did you mean 'strides'?
    """
    name = str(next(iter(names)))
    accepted = sorted(str(n) for n in known if not str(n).startswith("_"))
    guess = _MIX_UPS.get(name)
    if guess not in accepted:
        from difflib import get_close_matches  # noqa: PLC0415  (only on this error)

        close = get_close_matches(name, accepted, n=1, cutoff=0.75)
        guess = close[0] if close else None
    hint = f"; did you mean {guess!r}?" if guess else ""
    return TypeError(
        f"{owner}.__init__() got an unexpected keyword argument {_short_repr(name)}{hint}"
    )

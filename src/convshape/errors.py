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

import _thread  # built in: a thread's own scopes (see scopes()) cost no import

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

    #: Where the error arose when a model was calling a layer: the layer's name, its
    #: index in ``model.layers`` and the model's name (None elsewhere, or not known).
    layer: str | None = None
    layer_index: int | None = None
    model: str | None = None

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
        super().__init__(_message(rule, self.received))


def _message(rule: str, received: dict[str, object]) -> str:
    if not received:
        return rule
    values = ", ".join(f"{name}={_short_repr(value)}" for name, value in received.items())
    return f"{rule}. Received: {values}"


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


# -- where an error or a warning arose: the layer a model was calling -----------------------


class _ThreadScopes(_thread._local):
    """Each thread's own stack of layer calls (models may be built in several threads)."""

    def __init__(self) -> None:
        self.stack: list[tuple[Any, int | None, Any, Any]] = []


_THREAD_SCOPES = _ThreadScopes()


def scopes() -> list[tuple[Any, int | None, Any, Any]]:
    """The layer calls under way in this thread, innermost last, as ``(layer, index,
    model, inputs)``: ``layer`` is None while a loader constructs it; ``index`` is its
    index in ``model.layers`` (None: looked up when a message needs it); ``model`` is a
    model, a ``(class_name, name)`` pair for a model being loaded, or None for a
    functional call; ``inputs`` is what the layer was called on. Callers push and pop
    around each call; the stack is read only when an error or a warning is made.

    >>> scopes()
    []
    """
    return _THREAD_SCOPES.stack


#: Characters of a layer or model name a message shows (names may be any string).
_NAME_CHARS = 60
#: How many of a call's inputs a message names.
_MAX_SOURCES = 4
#: convshape's own source files: a warning points at the first frame outside them.
_PACKAGE = __file__[: -len("errors.py")]


def _name(name: object) -> str:
    """A layer or model name for a message, shortened."""
    shown = repr(name) if isinstance(name, str) else _short_repr(name)
    return shown if len(shown) <= _NAME_CHARS else f"{shown[: _NAME_CHARS - 4]}...{shown[0]}"


def _class_name(operation: object) -> str:
    """The class name a summary shows (``Functional`` for a ``Model``)."""
    name = getattr(operation, "class_name", None)
    return name if isinstance(name, str) else type(operation).__name__


def _sources(inputs: object) -> str:
    """``the outputs of 'conv2d' and 'conv2d_1'``: the layers a call's tensors come from."""
    from .models.graph import SymbolicTensor, flatten  # noqa: PLC0415  (the graph imports this)

    try:
        tensors = [leaf for leaf in flatten(inputs) if isinstance(leaf, SymbolicTensor)]
    except Exception:  # inputs the call itself refused: the message names them
        return ""
    names = [_name(getattr(tensor.layer, "name", None)) for tensor in tensors[:_MAX_SOURCES]]
    if len(names) <= 1:
        return f"the output of {names[0]}" if names else ""
    if len(tensors) > _MAX_SOURCES:
        return f"the outputs of {', '.join(names)} and {len(tensors) - _MAX_SOURCES} more"
    return f"the outputs of {', '.join(names[:-1])} and {names[-1]}"


def _where(scope: tuple[Any, int | None, Any, Any], layer: object = None) -> dict[str, Any]:
    """The facts of a scope (the layer, its index, the model) and their text, as in
    ``layer 'conv2d' (Conv2D) at index 1 of Sequential model 'encoder'``."""
    scoped, index, model, inputs = scope
    if scoped is not None:
        layer = scoped
    name = getattr(layer, "name", None)
    text = f"layer {_name(name)} ({_class_name(layer)})"
    kind = model_name = None
    if isinstance(model, tuple):
        kind, model_name = model
    elif model is not None:
        kind, model_name = _class_name(model), getattr(model, "name", None)
        if index is None:
            found = (i for i, other in enumerate(model.layers) if other is layer)
            index = next(found, None)
    if model is not None:
        text += f" of {kind} model {_name(model_name)}"
        if index is not None:
            text = text.replace(" of ", f" at index {index} of ", 1)
    if inputs is not None and kind != "Sequential":  # a Sequential's input is the layer before
        sources = _sources(inputs)
        if sources:
            text += f", called on {sources}"
    return {
        "text": text,
        "layer": name if isinstance(name, str) else None,
        "layer_index": index,
        "model": model_name if isinstance(model_name, str) else None,
    }


def locate(error: BaseException) -> None:
    """Put in front of ``error``'s message the layer the innermost scope is calling, its
    index and its model (the first, innermost, location stays), and keep them as the
    error's ``layer``, ``layer_index`` and ``model``.

    >>> scopes().append((None, 2, ("Sequential", "encoder"), None))
    >>> error = ConvShapeError("`units` must be at least 1", received={"units": 0})
    >>> locate(error)
    >>> _ = scopes().pop()
    >>> print(error)  # doctest: +NORMALIZE_WHITESPACE
    layer None (NoneType) at index 2 of Sequential model 'encoder':
    `units` must be at least 1. Received: units=0
    """
    stack = _THREAD_SCOPES.stack
    if not stack or "_convshape_located" in error.__dict__:
        return
    facts = _where(stack[-1])
    for key in ("layer", "layer_index", "model"):
        setattr(error, key, facts[key])
    put_in_front(error, facts["text"])


def put_in_front(error: BaseException, where: str) -> None:
    """Start ``error``'s message with ``where``, once (the first, innermost, place stays).

    >>> error = TypeError("`filters` must be an int")
    >>> put_in_front(error, "Sequential module 0 (Conv2d)")
    >>> put_in_front(error, "elsewhere")
    >>> print(error)
    Sequential module 0 (Conv2d): `filters` must be an int
    """
    if "_convshape_located" in error.__dict__:
        return
    error.__dict__["_convshape_located"] = True
    if isinstance(error, ConvShapeError):
        error.rule = f"{where}: {error.rule}"
        error.args = (_message(error.rule, error.received),)
    elif len(error.args) == 1 and isinstance(error.args[0], str):
        error.args = (f"{where}: {error.args[0]}",)


def _is_ours(frame: Any) -> bool:
    """A frame of convshape's code (its modules, or a layer's generated ``__init__``)."""
    return bool(
        frame.f_code.co_filename.startswith(_PACKAGE)
        or frame.f_globals.get("_unexpected_keyword") is unexpected_keyword
    )


def warn(message: str, category: type[Warning] = ConvShapeWarning, layer: object = None) -> None:
    """``warnings.warn`` pointed at the caller's line, the first frame outside convshape
    however deep the call, with the layer, its index and its model in front when a model
    is calling ``layer`` (see :func:`scopes`).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("mind the gap")
    >>> str(caught[0].message), caught[0].filename.startswith("<doctest")
    ('mind the gap', True)
    """
    import sys  # noqa: PLC0415  (only when warning)
    import warnings  # noqa: PLC0415

    stack = _THREAD_SCOPES.stack
    if stack and layer is not None and (stack[-1][0] is None or stack[-1][0] is layer):
        message = f"{_where(stack[-1], layer)['text']}: {message}"
    frame: Any = sys._getframe(1)
    level = 2
    while frame is not None and _is_ours(frame):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)

"""Checks of the arguments that are not numbers or shapes: bools and flags, names,
choices, dict keys, callables, a convolution's padding, output_padding and data_format.

Part of :mod:`convshape._validate`, where every check is imported from.
"""

from __future__ import annotations

from ._check_scalars import _type_error, as_int
from ._core import largest_output_padding
from ._types import PADDING_MODES, Pad
from .errors import ConvShapeError, _short_repr

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence
    from numbers import Integral
    from typing import Any
else:
    from ._check_scalars import Integral


def check_padding(value: object, *, transpose: bool, name: str = "padding") -> str | Pad:
    """Normalise a padding argument to a lower-case mode name or a :class:`Pad`.

    Accepted: "valid", "same", "full", "causal" (forward only; any case), an
    int p >= 0 meaning p on each side, or a pair (before, after) of ints >= 0.

    >>> check_padding("SAME", transpose=True)
    'same'
    >>> check_padding(2, transpose=False)
    Pad(before=2, after=2)
    >>> check_padding([1, 0], transpose=False)
    Pad(before=1, after=0)
    """
    if isinstance(value, str):
        mode = value.lower()
        if mode not in PADDING_MODES:
            raise ConvShapeError(
                f"`{name}` must be one of {', '.join(map(repr, PADDING_MODES))}, "
                "an int or a (before, after) pair",
                argument=name,
                received={name: value},
            )
        if transpose and mode == "causal":
            raise ConvShapeError(
                f"`{name}`='causal' applies to forward convolution only, "
                "not to transposed convolution",
                argument=name,
                received={name: value},
            )
        return mode
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ConvShapeError(
                f"`{name}` as a sequence must be a (before, after) pair",
                argument=name,
                received={name: value},
            )
        before, after = (as_int(side, name) for side in value)
        if before < 0 or after < 0:
            raise ConvShapeError(
                f"`{name}` must not be negative on either side",
                argument=name,
                received={name: value},
            )
        return Pad(before, after)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"`{name}` must be a str, an int or a (before, after) pair, "
            f"not {type(value).__name__}. Received: {name}={_short_repr(value)}"
        )
    each = as_int(value, name)
    if each < 0:
        raise ConvShapeError(f"`{name}` must be >= 0", argument=name, received={name: value})
    return Pad(each, each)


def check_output_padding(value: object, stride: int, dilation: int) -> int | None:
    """Validate output_padding: None, or an int >= 0 smaller than the stride or the dilation.

    The core accepts what at least one framework runs: PyTorch allows
    output_padding < max(stride, dilation); Keras's stricter rule
    (smaller than the stride) belongs to the Keras layers.

    >>> check_output_padding(1, stride=1, dilation=2)
    1
    >>> check_output_padding(2, stride=2, dilation=1)
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `output_padding` must be smaller than `stride` or `dilation`...
    """
    if value is None:
        return None
    output_padding = as_int(value, "output_padding")
    if output_padding < 0:
        raise ConvShapeError(
            "`output_padding` must be >= 0",
            argument="output_padding",
            received={"output_padding": value},
        )
    if output_padding > largest_output_padding(stride, dilation):
        raise ConvShapeError(
            "`output_padding` must be smaller than `stride` or `dilation`",
            argument="output_padding",
            received={"output_padding": value, "stride": stride, "dilation": dilation},
        )
    return output_padding


def check_data_format(value: object) -> str:
    """None (Keras's default, channels_last), "channels_last" or "channels_first".

    >>> check_data_format(None)
    'channels_last'
    """
    if value is None:
        return "channels_last"
    data_format = check_str(value, "data_format").lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ConvShapeError(
            "`data_format` must be 'channels_last' or 'channels_first'",
            argument="data_format",
            received={"data_format": value},
        )
    return data_format


def check_bool(value: object, name: str) -> bool:
    """A real bool (Keras rejects ``trainable=1``).

    >>> check_bool(1, "trainable")
    Traceback (most recent call last):
    TypeError: `trainable` must be a bool, not int. Received: trainable=1
    """
    if not isinstance(value, bool):
        raise _type_error(name, "a bool", value)
    return value


def check_str(value: object, name: str) -> str:
    """A str (a layer's or a model's name, a weight's name).

    >>> check_str(3, "name")
    Traceback (most recent call last):
    TypeError: `name` must be a str, not int. Received: name=3
    """
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)
    return value


def check_callable(value: object, name: str) -> object:
    """Something to call (``print_fn``: print, a list's append...).

    >>> check_callable(5, "print_fn")
    Traceback (most recent call last):
    TypeError: `print_fn` must be callable (print, a list's append...), not int...
    """
    if not callable(value):
        raise _type_error(name, "callable (print, a list's append...)", value)
    return value


def check_choice(
    value: object, name: str, choices: Sequence[str], *, optional: bool = False
) -> str:
    """One of ``choices``, spelled exactly (None too, returned as is, when ``optional``).

    >>> check_choice("reflect", "padding_mode", ("zeros", "reflect"))
    'reflect'
    >>> check_choice("mirror", "padding_mode", ("zeros", "reflect"))
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `padding_mode` must be one of 'zeros', 'reflect'. ...
    """
    if value is None and optional:
        return value  # type: ignore[return-value]
    text = check_str(value, name)
    if text not in choices:
        raise choice_error(value, name, choices, optional=optional)
    return text


def choice_error(
    value: object, name: str, choices: Sequence[str], *, optional: bool = False
) -> ConvShapeError:
    """The one wording of a value outside its choices (for checks that first normalise a
    value, as a dtype is read from its name, then refuse it)."""
    listed = ", ".join(map(repr, choices))
    return ConvShapeError(
        f"`{name}` must be {'None or ' if optional else ''}one of {listed}",
        argument=name,
        received={name: value},
    )


def check_keys(value: object, name: str, known: Sequence[str]) -> dict[Any, Any]:
    """A dict whose keys are all ``known`` names.

    >>> check_keys({"rmax": 3, "rmn": 0}, "renorm_clipping", ("rmax", "rmin", "dmax"))
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `renorm_clipping` takes only the keys 'rmax', 'rmin', ...
    """
    if not isinstance(value, dict):
        raise _type_error(name, "a dict", value)
    for key in value:
        if key not in known:
            raise ConvShapeError(
                f"`{name}` takes only the keys {', '.join(map(repr, known))}; "
                f"{_short_repr(key)} is not one of them",
                argument=name,
                received={name: value},
            )
    return value


def check_flag(value: object, name: str) -> bool:
    """A real bool, for a framework function's switch (``ceil_mode``), in the message the
    framework modules give: no type named.

    >>> check_flag(1, "ceil_mode")
    Traceback (most recent call last):
    TypeError: `ceil_mode` must be a bool. Received: ceil_mode=1
    """
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be a bool. Received: {name}={_short_repr(value)}")
    return value

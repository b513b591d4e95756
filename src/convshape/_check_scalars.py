"""Checks of one number: an int within int64, a size, a count, a positive int, a float, a
rate, a non-negative number; and the one wording of a wrong type.

Part of :mod:`convshape._validate`, where every check is imported from.
"""

from __future__ import annotations

from .errors import ConvShapeError, _short_repr

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from numbers import Integral
else:

    class _LazyIntegral(type):
        """``numbers.Integral``, imported on the first check that needs it (plain ints
        never do): ``numbers`` costs a quarter of a millisecond at import."""

        def __instancecheck__(cls, value):
            from numbers import Integral  # noqa: PLC0415

            return isinstance(value, Integral)

    class Integral(metaclass=_LazyIntegral):
        pass


#: The largest integer any argument may be: int64's, in which PyTorch, TensorFlow, JAX and
#: ONNX store sizes (PyTorch refuses a larger kernel or size, TensorFlow cannot allocate
#: it; load_keras refuses such integers in files). The bound also keeps every answer a
#: few dozen digits long, always printable (``str`` refuses ints over 4,300 digits).
LARGEST_INT = 2**63 - 1


def _type_error(name: str, expected: str, value: object) -> TypeError:
    """The one wording of a wrong type: ``name``, what it must be, what it is."""
    return TypeError(
        f"`{name}` must be {expected}, not {type(value).__name__}. "
        f"Received: {name}={_short_repr(value)}"
    )


def plain_int(value: object) -> object:
    """An integer of another type (NumPy's, a tensor's dimension) as a Python int, whose
    text is the same; anything else unchanged, for the argument's own check to judge.

    >>> from fractions import Fraction
    >>> plain_int(True), plain_int(2.0), plain_int(Fraction(3, 1)), plain_int(4)
    (True, 2.0, Fraction(3, 1), 4)
    """
    if type(value) is int or isinstance(value, bool) or not isinstance(value, Integral):
        return value
    return int(value)


def as_int(value: object, name: str) -> int:
    """Return ``value`` as an int, raising TypeError for anything that is not one and
    ConvShapeError for an int outside int64 (``|value| > 2**63 - 1``).

    Booleans are rejected although Python treats them as ints: ``True`` is
    never meant as a size.

    >>> as_int(3, "kernel_size")
    3
    >>> as_int(2.0, "kernel_size")
    Traceback (most recent call last):
    TypeError: `kernel_size` must be an int, not float. Received: kernel_size=2.0
    >>> as_int(2**63, "size")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `size` must fit in int64 ... Received: size=9223372036854775808
    """
    if type(value) is int:  # the common case, without the slower ABC check
        if -LARGEST_INT <= value <= LARGEST_INT:
            return value
    elif isinstance(value, bool) or not isinstance(value, Integral):
        raise _type_error(name, "an int", value)
    number = int(value)
    if not -LARGEST_INT <= number <= LARGEST_INT:
        raise ConvShapeError(
            f"`{name}` must fit in int64 (at most 2**63 - 1 = {LARGEST_INT}, 19 digits), "
            "as every framework stores sizes",
            argument=name,
            received={name: value},
        )
    return number


def check_size(value: object, name: str = "size") -> int | None:
    """Validate a length: None (unknown) or an int >= 0.

    >>> check_size(None) is None
    True
    >>> check_size(-1)
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `size` must be >= 0 ... Received: size=-1
    """
    if value is None:
        return None
    size = as_int(value, name)
    if size < 0:
        raise ConvShapeError(
            f"`{name}` must be >= 0 (or None for an unknown size)",
            argument=name,
            received={name: value},
        )
    return size


def check_positive(value: object, name: str) -> int:
    """Validate a kernel size, stride or dilation: an int >= 1.

    >>> check_positive(0, "stride")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `stride` must be >= 1. Received: stride=0
    """
    number = as_int(value, name)
    if number < 1:
        raise ConvShapeError(f"`{name}` must be >= 1", argument=name, received={name: value})
    return number


def check_count(value: object, name: str, *, minimum: int = 1) -> int:
    """An int >= ``minimum`` (filters, units, groups, sizes of a layer).

    >>> check_count(0, "filters")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `filters` must be an integer >= 1. Received: filters=0
    """
    number = as_int(value, name)
    if number < minimum:
        raise ConvShapeError(
            f"`{name}` must be an integer >= {minimum}", argument=name, received={name: value}
        )
    return number


def check_number(value: object, name: str) -> float:
    """A real number (an int or a float, not a bool), as a float.

    >>> check_number(1, "scale")
    1.0
    >>> check_number("1", "scale")
    Traceback (most recent call last):
    TypeError: `scale` must be a number, not str. Received: scale='1'
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(name, "a number", value)
    try:
        return float(value)
    except OverflowError:  # an int beyond the float range
        raise ConvShapeError(
            f"`{name}` is too large for a float", argument=name, received={name: value}
        ) from None


def check_rate(value: object, name: str, *, upper: float = 1.0) -> float:
    """A number in [0, ``upper``] (dropout rates, noise levels), as a float.

    >>> check_rate(0.25, "rate")
    0.25
    >>> check_rate(1.5, "rate")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `rate` must be between 0 and 1. Received: rate=1.5
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(name, "a number", value)
    if not 0 <= value <= upper:
        raise ConvShapeError(
            f"`{name}` must be between 0 and {upper:g}", argument=name, received={name: value}
        )
    return float(value)


def check_non_negative(value: object, name: str, *, optional: bool = False) -> float | None:
    """A number >= 0 (an int or a float, not a bool; None too when ``optional``), as given.

    >>> check_non_negative(-0.5, "negative_slope")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `negative_slope` must be >= 0. Received: negative_slope=-0.5
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(name, "a number", value)
    if value < 0:
        raise ConvShapeError(f"`{name}` must be >= 0", argument=name, received={name: value})
    return value

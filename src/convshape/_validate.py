"""The single place where arguments are normalised and validated.

The public functions call these at the boundary; the formulas behind them
trust their inputs.
"""

from __future__ import annotations

from ._core import largest_output_padding
from ._types import PADDING_MODES, Pad
from .errors import ConvShapeError, _short_repr

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence
    from numbers import Integral
    from typing import Any
else:

    class _LazyIntegral(type):
        """``numbers.Integral``, imported on the first check that needs it (plain ints
        never do): ``numbers`` costs a quarter of a millisecond at import."""

        def __instancecheck__(cls, value):
            from numbers import Integral  # noqa: PLC0415

            return isinstance(value, Integral)

    class Integral(metaclass=_LazyIntegral):
        pass


__all__ = [
    "LARGEST_INT",
    "Shape",
    "array_shape",
    "as_axes",
    "as_int",
    "check_axis",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_count",
    "check_data_format",
    "check_keys",
    "check_non_negative",
    "check_number",
    "check_output_padding",
    "check_padding",
    "check_positive",
    "check_rate",
    "check_shape",
    "check_size",
    "check_str",
    "standardize_tuple",
]


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


Shape = tuple[int | None, ...]

#: More dimensions than any framework's arrays have (NumPy stops at 64): a bound that
#: keeps deeply nested input from exhausting the stack, and the product of a shape's
#: int64 sizes (a Flatten, a parameter count) printable.
_MAX_ARRAY_RANK = 64


def check_shape(value: object, name: str = "input_shape") -> Shape:
    """Validate a shape: a tuple or list of ints >= 0 or None (unknown).

    >>> check_shape([None, 7, 7, 256])
    (None, 7, 7, 256)
    >>> check_shape((None, -7))
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `input_shape` must hold sizes >= 0 or None...
    """
    if not isinstance(value, (tuple, list)):
        raise TypeError(
            f"`{name}` must be a tuple or list of ints (or None), "
            f"not {type(value).__name__}. Received: {name}={_short_repr(value)}"
        )
    if len(value) > _MAX_ARRAY_RANK:
        raise ConvShapeError(
            f"`{name}` must have at most {_MAX_ARRAY_RANK} dimensions",
            argument=name,
            received={name: value},
        )
    if type(value) is tuple:  # the common case: already a tuple of plain ints and None
        for dim in value:
            if dim is not None and (type(dim) is not int or not 0 <= dim <= LARGEST_INT):
                break
        else:
            return value
    shape: list[int | None] = []
    for dim in value:
        if dim is None:
            shape.append(None)
            continue
        if isinstance(dim, bool) or not isinstance(dim, Integral):
            raise TypeError(
                f"`{name}` must hold ints or None, not {type(dim).__name__}. "
                f"Received: {name}={_short_repr(value)}"
            )
        if dim < 0:
            raise ConvShapeError(
                f"`{name}` must hold sizes >= 0 or None (unknown)",
                argument=name,
                received={name: value},
            )
        shape.append(as_int(dim, name))
    return tuple(shape)


def standardize_tuple(
    value: object, n: int, name: str, *, allow_zero: bool = False
) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, as a tuple of ``n`` ints (> 0, or >= 0).

    >>> standardize_tuple(3, 2, "kernel_size")
    (3, 3)
    >>> standardize_tuple((3, 0), 2, "kernel_size")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `kernel_size` must be a tuple of 2 integers > 0...
    """
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ConvShapeError(
                f"`{name}` must be an int or a tuple of {n} integers",
                argument=name,
                received={name: value},
            )
        values = tuple(as_int(item, name) for item in value)
    else:
        values = (as_int(value, name),) * n
    lowest = 0 if allow_zero else 1
    if any(item < lowest for item in values):
        raise ConvShapeError(
            f"`{name}` must be a tuple of {n} integers {'>= 0' if allow_zero else '> 0'}",
            argument=name,
            received={name: value},
        )
    return values


def check_data_format(value: object) -> str:
    """None (Keras's default, channels_last), "channels_last" or "channels_first".

    >>> check_data_format(None)
    'channels_last'
    """
    if value is None:
        return "channels_last"
    if not isinstance(value, str):
        raise _type_error("data_format", "a str", value)
    data_format = value.lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ConvShapeError(
            "`data_format` must be 'channels_last' or 'channels_first'",
            argument="data_format",
            received={"data_format": value},
        )
    return data_format


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


def check_bool(value: object, name: str) -> bool:
    """A real bool (Keras rejects ``trainable=1``).

    >>> check_bool(1, "trainable")
    Traceback (most recent call last):
    TypeError: `trainable` must be a bool, not int. Received: trainable=1
    """
    if not isinstance(value, bool):
        raise _type_error(name, "a bool", value)
    return value


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


def array_shape(value: object, name: str) -> tuple[int, ...]:
    """The shape of a number or an array (``numpy.shape`` without NumPy): a number has
    shape (), nested lists and tuples have one dimension per level, an array-like object
    its ``shape``, and a Keras-serialised array (``{"class_name": "__numpy__", ...}``) the
    shape of its value.

    >>> array_shape(2.0, "mean"), array_shape([[1, 2, 3], [4, 5, 6]], "mean")
    ((), (2, 3))
    >>> array_shape([[1, 2], [3]], "mean")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `mean` must be a number or a rectangular array...
    """
    return _array_shape(value, name, 0)


def _array_shape(value: object, name: str, depth: int) -> tuple[int, ...]:
    if depth > _MAX_ARRAY_RANK:
        raise ConvShapeError(
            f"`{name}` must have at most {_MAX_ARRAY_RANK} dimensions",
            argument=name,
            received={name: value},
        )
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise TypeError(
            f"`{name}` must be a number or an array of numbers, not {type(value).__name__}. "
            f"Received: {name}={_short_repr(value)}"
        )
    if isinstance(value, (int, float)):
        return ()
    if isinstance(value, dict):
        config = value.get("config")
        if value.get("class_name") in ("__numpy__", "__tensor__") and isinstance(config, dict):
            return _array_shape(config.get("value"), name, depth + 1)
        raise TypeError(
            f"`{name}` must be a number or an array of numbers, not dict. "
            f"Received: {name}={_short_repr(value)}"
        )
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (list, tuple)):
        return tuple(as_int(dim, name) for dim in shape)
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"`{name}` must be a number or an array of numbers, not {type(value).__name__}. "
            f"Received: {name}={_short_repr(value)}"
        )
    inner = {_array_shape(item, name, depth + 1) for item in value}
    if len(inner) > 1:
        raise ConvShapeError(
            f"`{name}` must be a number or a rectangular array (nested lists of equal lengths)",
            argument=name,
            received={name: value},
        )
    return (len(value), *(inner.pop() if inner else ()))


# -- generic rules the layer and module specifications share --------------------------------


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
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)
    if value not in choices:
        raise choice_error(value, name, choices, optional=optional)
    return value


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


def as_axes(value: object, name: str) -> int | tuple[int, ...]:
    """An axis (an int) or several (a list or tuple of ints, returned as a tuple).

    >>> as_axes([1, 2], "axis"), as_axes(-1, "axis")
    ((1, 2), -1)
    >>> as_axes("1", "axis")
    Traceback (most recent call last):
    TypeError: `axis` must be an int or a list/tuple of ints, not str. Received: axis='1'
    """
    if isinstance(value, (tuple, list)):
        return tuple(as_int(axis, name) for axis in value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise _type_error(name, "an int or a list/tuple of ints", value)
    return as_int(value, name)


def check_axis(value: object, rank: int, name: str = "axis", owner: object = None) -> int:
    """An axis of a shape of ``rank`` dimensions, in ``[-rank, rank - 1]`` (a scalar's
    rank counts as 1, as PyTorch counts it), made non-negative. ``owner`` (a layer or a
    module) names whose argument it is.

    >>> check_axis(-1, 4)
    3
    >>> check_axis(4, 4)
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `axis` must be in [-4, 3] for an input of rank 4...
    """
    axis = as_int(value, name)
    size = max(rank, 1)
    if not -size <= axis < size:
        whose = "" if owner is None else f" of {type(owner).__name__}"
        raise ConvShapeError(
            f"`{name}`{whose} must be in [{-size}, {size - 1}] for an input of rank {rank}",
            argument=name,
            received={name: value},
        )
    return axis % size


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

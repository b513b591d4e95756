"""Checks of shapes and axes: a shape of sizes or None, an int or a tuple of ``n`` ints,
the shape of an array (without NumPy), one axis or several, an axis within a rank.

Part of :mod:`convshape._validate`, where every check is imported from.
"""

from __future__ import annotations

from ._check_scalars import LARGEST_INT, _type_error, as_int
from .errors import ConvShapeError, _short_repr

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from numbers import Integral
else:
    from ._check_scalars import Integral

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


def required_shape(value: object, rule: str) -> Shape:
    """``input_shape`` where an analysis cannot do without it: ``rule`` says why when it
    is None; otherwise :func:`check_shape`.

    >>> required_shape((None, 8, 3), "the cost of a layer needs its `input_shape`")
    (None, 8, 3)
    >>> required_shape(None, "the cost of a layer needs its `input_shape`")
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: the cost of a layer needs its `input_shape`. Received: input_shape=None
    """  # noqa: E501  (a doctest output line is as long as it is)
    return check_shape(given_input_shape(value, rule))


def given_input_shape(value: object, rule: str) -> object:
    """``input_shape`` as given (one shape, or a list of them), ConvShapeError with
    ``rule`` when it is None."""
    if value is None:
        raise ConvShapeError(rule, argument="input_shape", received={"input_shape": None})
    return value


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

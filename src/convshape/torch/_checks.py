"""Argument checks the PyTorch module specifications share: each converts what PyTorch
accepts to plain ints (and tuples of them) and rejects the rest at construction, naming the
argument, so a spec never keeps a value it has not validated."""

from __future__ import annotations

from collections.abc import Sequence

from .._validate import (
    Shape,
    as_int,
    check_axis,
    check_bool,
    check_choice,
    check_count,
    check_number,
    check_shape,
)
from ..errors import ConvShapeError, unexpected_keyword

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TypeVar

    T = TypeVar("T")


def spatial_tuple(
    value: object, rank: int, name: str, *, minimum: int | None, broadcast: bool = True
) -> tuple[int, ...]:
    """An int or ``rank`` ints, each >= ``minimum``, as a tuple of ``rank`` ints. With
    ``broadcast`` a one-element tuple stands for every dimension, as PyTorch expands it.

    >>> spatial_tuple((2,), 3, "stride", minimum=1)
    (2, 2, 2)
    """
    if isinstance(value, (tuple, list)):
        if broadcast and len(value) == 1 and rank != 1:
            value = tuple(value) * rank
        if len(value) != rank:
            raise ConvShapeError(
                f"`{name}` must be an int or a tuple of {rank} ints",
                argument=name,
                received={name: value},
            )
        values = tuple(as_int(item, name) for item in value)
    else:
        values = (as_int(value, name),) * rank
    if minimum is not None and any(item < minimum for item in values):
        raise ConvShapeError(
            f"`{name}` must hold integers >= {minimum}", argument=name, received={name: value}
        )
    return values


def int_or_tuple(value: object, rank: int, name: str, *, minimum: int) -> int | tuple[int, ...]:
    """As :func:`spatial_tuple`, keeping a single int a single int (as PyTorch's pooling
    modules keep their arguments)."""
    if isinstance(value, (tuple, list)):
        return spatial_tuple(value, rank, name, minimum=minimum)
    return spatial_tuple(value, 1, name, minimum=minimum)[0]


def count(value: object, name: str, minimum: int) -> int:
    """An int >= ``minimum``."""
    return check_count(value, name, minimum=minimum)


def flag(value: object, name: str) -> bool:
    """A real bool."""
    return check_bool(value, name)


def optional_flag(value: object, name: str) -> bool | None:
    """None or a real bool."""
    return None if value is None else check_bool(value, name)


def number(value: Any, name: str) -> float:
    """An int or a float (not a bool), as a float; NumPy floats count."""
    if not isinstance(value, (int, float)) and type(value).__module__ == "numpy":
        try:
            return check_number(float(value), name)
        except (TypeError, ValueError):
            pass
    return check_number(value, name)


def choice(value: object, name: str, choices: Sequence[str]) -> str:
    """One of ``choices``, spelled exactly."""
    return check_choice(value, name, choices)


def input_shape(module: object, value: object, ranks: Sequence[int], expected: str) -> Shape:
    """The validated input shape, of one of the ``ranks`` (number of dimensions)."""
    shape = check_shape(value)
    if len(shape) not in ranks:
        raise ConvShapeError(
            f"{type(module).__name__} expects {expected}",
            argument="input_shape",
            received={"input_shape": value},
        )
    return shape


def nonzero(module: object, shape: Shape, dims: Sequence[int]) -> None:
    """PyTorch refuses empty non-batch dimensions here."""
    if any(shape[dim] == 0 for dim in dims):
        raise ConvShapeError(
            f"{type(module).__name__} expects non-empty dimensions apart from the batch "
            "(PyTorch: expected input to have non-zero size for non-batch dimensions)",
            argument="input_shape",
            received={"input_shape": shape},
        )


def axis(value: int, rank: int, name: str) -> int:
    """A dimension index in ``[-rank, rank - 1]`` (a scalar counts as rank 1), as >= 0."""
    return check_axis(value, rank, name)


def require_batched(modules: Sequence[object], shape: Shape, analysis: str) -> None:
    """Reject PyTorch's unbatched input ``(C, *spatial)`` where an analysis reads the
    first axis as the batch and the second as the channels (cost, receptive fields)."""
    from .conv import _ConvNd  # noqa: PLC0415  (they build on this module)
    from .lazy import _Lazy  # noqa: PLC0415
    from .normalization import _InstanceNorm  # noqa: PLC0415
    from .padding import _Pad  # noqa: PLC0415
    from .pooling import _AdaptiveAvgPool, _AdaptivePool, _AvgPool, _LPPool, _Pool  # noqa: PLC0415
    from .unpooling import _MaxUnpool  # noqa: PLC0415

    takes_unbatched = (
        _ConvNd,
        _Pool,
        _AvgPool,
        _AdaptivePool,
        _AdaptiveAvgPool,
        _InstanceNorm,
        _Lazy,
        _Pad,
        _LPPool,
        _MaxUnpool,
    )
    for module in modules:
        rank = getattr(module, "rank", None)
        if isinstance(rank, int):
            if isinstance(module, takes_unbatched) and len(shape) == rank + 1:
                raise ConvShapeError(
                    f"{analysis} of {type(module).__name__} needs a batched input "
                    f"(N, C, spatial x {rank}); add the batch dimension: (1, *input_shape)",
                    argument="input_shape",
                    received={"input_shape": shape},
                )
            return


_KEYWORDS: dict[type, frozenset[str]] = {}


def new_spec(cls: type[T], kwargs: Mapping[str, object]) -> T:
    """``object.__new__(cls)`` after the keyword arguments are checked against the class's
    constructor: an unknown one is Python's TypeError, with a "did you mean" for the
    usual mix-ups (``strides`` for ``stride``, ``dilation_rate`` for ``dilation``)."""
    if kwargs:
        known = _KEYWORDS.get(cls)
        if known is None:
            # The base Module has object's constructor, which takes no argument.
            code = getattr(cls.__init__, "__code__", None)
            names = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount] if code else ()
            known = _KEYWORDS[cls] = frozenset(names)
        unknown = [name for name in kwargs if name not in known]
        if unknown:
            raise unexpected_keyword(cls.__name__, unknown, known)
    return object.__new__(cls)

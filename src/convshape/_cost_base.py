"""What the cost rules and folds count with: known shapes (an unknown batch filled in),
their elements and bytes, the (MACs, FLOPs beyond 2 x MACs) pair a rule returns, the
counts every framework's rule shares (a convolution's products, a normalisation's
arithmetic, adaptive windows) and the lookup of a class's rule along its MRO.

>>> from convshape import layers
>>> conv_macs(layers.Conv2D(4, 3).geometry, (1, 5, 5, 2), (1, 3, 3, 4), 2, 4, 1)  # 36 x 9 x 2
648
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

from ._geometry import AxisWindow, KnownShape, Shape
from ._validate import check_shape
from .errors import ConvShapeError, _short_repr
from .layers._base import _DTYPE_BYTES, Weight

Known = KnownShape
#: A layer's cost: (MACs, FLOPs beyond 2 x MACs).
Counts = tuple[int, int]
_Rule = TypeVar("_Rule", bound=Callable[..., Counts])


def _known(shape: Shape, batch: int, layer: str, what: str) -> Known:
    """The shape with an unknown batch filled in; any other unknown size is an error."""
    if shape and shape[0] is None:
        shape = (batch, *shape[1:])
    if None in shape:
        dim = shape.index(None)
        raise ConvShapeError(
            f"cannot count the cost of {layer!r}: dimension {dim} of its {what} shape is "
            "unknown; pass an `input_shape` with known sizes",
            argument="input_shape",
            received={"layer": layer, what: shape},
        )
    return shape  # type: ignore[return-value]


def _size(shape: Known) -> int:
    return math.prod(shape)


def _itemsize(dtype: object) -> int:
    """Bytes per scalar of a layer's compute dtype (a mixed policy computes in 16 bits)."""
    if dtype is None:
        return 4
    name: str = dtype if isinstance(dtype, str) else getattr(dtype, "name", str(dtype))
    name = name.lower().removeprefix("mixed_")
    if name == "bool":
        return 1
    if name not in _DTYPE_BYTES:
        raise ConvShapeError(
            f"unknown dtype {name!r}; cost knows {', '.join(sorted(_DTYPE_BYTES))} and bool",
            argument="dtype",
            received={"dtype": dtype},
        )
    return _DTYPE_BYTES[name]


def _is_float(dtype: object) -> bool:
    name: str = dtype if isinstance(dtype, str) else getattr(dtype, "name", "float32")
    return dtype is None or "float" in name


def _weight_bytes(weights: Sequence[Weight]) -> int:
    return sum(w.size * (w.itemsize or 4) for w in weights)


def _shapes_argument(value: object) -> Shape | list[Shape]:
    """One shape (a tuple) or a list of shapes, validated."""
    # One shape holds no shapes: its dimensions may be NumPy's integers, or wrong values
    # for check_shape to name.
    if isinstance(value, (tuple, list)) and not any(
        isinstance(dim, (tuple, list)) for dim in value
    ):
        return check_shape(value)
    if not isinstance(value, (tuple, list)):
        raise TypeError(
            "`input_shape` must be a shape or a list of shapes, not "
            f"{type(value).__name__}. Received: input_shape={_short_repr(value)}"
        )
    return [check_shape(shape) for shape in value]


def _one_or_tuple(shapes: list[Known]) -> Known | tuple[Known, ...]:
    return shapes[0] if len(shapes) == 1 else tuple(shapes)


# -- counts every framework's rules share -----------------------------------------------


def _taps(geometry: Sequence[AxisWindow]) -> int:
    """``K``: the window's positions, the product of its kernel (or pool) sizes."""
    return math.prod(axis.kernel for axis in geometry)


def conv_macs(
    geometry: Sequence[AxisWindow],
    x: Known,
    y: Known,
    in_channels: int,
    out_channels: int,
    groups: int,
) -> int:
    """A convolution's products: ``out positions x K x C_in/g`` (``C_out`` counted in the
    output); transposed, ``in positions x K x C_out/g``, each input element meeting every
    kernel position (the full output, before the crop)."""
    if geometry[0].transposed:
        return _size(x) * _taps(geometry) * out_channels // groups
    return _size(y) * _taps(geometry) * in_channels // groups


def _adaptive_windows(length: int, out: int) -> int:
    """The sum of the adaptive window lengths along one axis (Keras and PyTorch both pool
    ``floor(i I / O) .. ceil((i + 1) I / O)``)."""
    return sum(-(-(i + 1) * length // out) - i * length // out for i in range(out))


def _normalising(scale: bool, center: bool, y: Known) -> Counts:
    """Mean, squared deviation (2), variance, subtract and divide per element, and the
    scale and offset when there are."""
    return 0, (6 + scale + center) * _size(y)


def nearest_rule(
    table: dict[type, _Rule], cache: dict[type, _Rule], cls: type, default: _Rule
) -> _Rule:
    """The rule of ``cls`` or of its nearest base with one, else ``default`` (remembered
    in ``cache``): a rule table is read along the class's MRO."""
    rule = cache.get(cls)
    if rule is None:
        found = next((table[base] for base in cls.__mro__ if base in table), None)
        rule = cache[cls] = found or default
    return rule

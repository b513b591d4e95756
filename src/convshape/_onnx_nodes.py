"""The whole-node checks under :func:`convshape.onnx.conv_output_shape` and
:func:`convshape.onnx.deform_conv_output_shape`: X and W shapes of the same rank with
known channels, ``group`` dividing them, per-axis attribute lists (``kernel_shape``,
``strides``, ``dilations``, ONNX's flat ``pads``), and a ``DeformConv``'s offset and mask
shapes.
"""

from __future__ import annotations

from typing import Any

from ._types import Pad
from ._validate import Shape, as_int, check_positive, check_shape
from .errors import ConvShapeError, _short_repr


def _ints(value: Any, name: str, rank: int, default: int, low: int) -> list[int]:
    """A per-axis attribute: a list of ``rank`` ints >= ``low``, or None for the default."""
    if value is None:
        return [default] * rank
    if not isinstance(value, (tuple, list)):
        raise TypeError(
            f"`{name}` must be a list of {rank} ints, not {type(value).__name__}. "
            f"Received: {name}={_short_repr(value)}"
        )
    numbers = [as_int(item, name) for item in value]
    if len(numbers) != rank or any(number < low for number in numbers):
        raise ConvShapeError(
            f"`{name}` must hold {rank} ints >= {low}, one per spatial axis",
            argument=name,
            received={name: value},
        )
    return numbers


def _node_geometry(
    x_shape: Any,
    w_shape: Any,
    kernel_shape: Any,
    strides: Any,
    dilations: Any,
    pads: Any,
    group: Any,
) -> tuple[Shape, Shape, list[int], list[int], list[int], list[Pad], int]:
    """The checked shapes and attributes of a Conv-like node: X (N, C, D1..Dn) and W
    (M, C / group, k1..kn); ``pads`` flat, ``[x1_begin, ..., x1_end, ...]``."""
    x = check_shape(x_shape, "x_shape")
    w = check_shape(w_shape, "w_shape")
    if len(x) < 3 or len(w) != len(x):
        raise ConvShapeError(
            "`x_shape` must be (N, C, D1, ..., Dn) and `w_shape` (M, C / group, k1, ..., kn) "
            "of the same rank, n >= 1",
            argument="w_shape" if len(x) >= 3 else "x_shape",
            received={"x_shape": x_shape, "w_shape": w_shape},
        )
    rank = len(x) - 2
    if any(dim is None for dim in (*x[1:], *w)):
        raise ConvShapeError(
            "`x_shape` and `w_shape` must be known but for the batch N",
            argument="x_shape",
            received={"x_shape": x_shape, "w_shape": w_shape},
        )
    groups = check_positive(group, "group")
    channels, per_group, out_channels = x[1], w[1], w[0]
    assert channels is not None
    assert per_group is not None
    assert out_channels is not None
    if channels != per_group * groups or out_channels % groups:
        raise ConvShapeError(
            "the input channels C must equal w_shape[1] * group, and w_shape[0] must be a "
            "multiple of group",
            argument="group",
            received={"x_shape": x_shape, "w_shape": w_shape, "group": group},
        )
    weight_kernel = [int(dim or 0) for dim in w[2:]]
    kernel = _ints(kernel_shape, "kernel_shape", rank, 0, 1)
    if kernel_shape is None:
        kernel = weight_kernel
    if kernel != weight_kernel or min(kernel) < 1:
        raise ConvShapeError(
            "`kernel_shape` must equal the spatial dimensions of `w_shape`, each >= 1",
            argument="kernel_shape",
            received={"kernel_shape": kernel_shape, "w_shape": w_shape},
        )
    flat = _ints(pads, "pads", 2 * rank, 0, 0)
    pairs = [Pad(flat[i], flat[i + rank]) for i in range(rank)]
    return (
        x,
        w,
        kernel,
        _ints(strides, "strides", rank, 1, 1),
        _ints(dilations, "dilations", rank, 1, 1),
        pairs,
        groups,
    )


def _check_offsets(
    shape: tuple[int | None, ...],
    x_shape: Any,
    w_shape: Any,
    offset_shape: Any,
    mask_shape: Any,
    offset_group: object,
) -> None:
    """A ``DeformConv``'s ``offset_group``, offsets and mask against its output ``shape``:
    C a multiple of ``offset_group``, offsets ``(N, offset_group * k1 * ... * kn * n, O1,
    ..., On)``, mask ``(N, offset_group * k1 * ... * kn, O1, ..., On)``."""
    x = check_shape(x_shape, "x_shape")
    groups = check_positive(offset_group, "offset_group")
    channels = x[1]
    assert channels is not None  # conv_output_shape checked it
    if channels % groups:
        raise ConvShapeError(
            "the input channels C must be a multiple of offset_group",
            argument="offset_group",
            received={"x_shape": x_shape, "offset_group": offset_group},
        )
    taps = groups
    for dim in check_shape(w_shape, "w_shape")[2:]:
        taps *= int(dim or 0)
    rank = len(x) - 2
    expected = {
        "offset_shape": (offset_shape, (shape[0], taps * rank, *shape[2:]), "k1 * ... * kn * n"),
        "mask_shape": (mask_shape, (shape[0], taps, *shape[2:]), "k1 * ... * kn"),
    }
    for name, (given, wanted, channels_rule) in expected.items():
        if given is None:
            continue
        got = check_shape(given, name)
        if len(got) != len(wanted) or any(
            a is not None and b is not None and a != b for a, b in zip(got, wanted, strict=True)
        ):
            shown = "(" + ", ".join("N" if v is None else str(v) for v in wanted) + ")"
            raise ConvShapeError(
                f"`{name}` must be (N, offset_group * {channels_rule}, O1, ..., On) = {shown}",
                argument=name,
                received={name: given},
            )

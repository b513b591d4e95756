"""ONNX's conventions, one dimension at a time: ``Conv``, ``ConvTranspose``, ``MaxPool``,
``AveragePool`` and ``LpPool`` (and ``GlobalAveragePool``/``GlobalMaxPool`` on a whole
shape) as ONNX Runtime computes them, where it departs from the
specification: ``Conv`` rejects dilation with the SAME modes; ``ConvTranspose`` requires
``output_padding`` below the stride (it checks that the forward convolution maps the
output back) and, for SAME with a kernel shorter than the stride, clamps the total
padding to 0 rather than returning ``I * s``, and pads an ``output_shape`` longer than the
full output with zeros at the end, up to ``s (I - 1) + k_eff + s - 1``; the poolings
divide with C++ truncation and reject explicit pads as long as the kernel.

Whole nodes: :func:`conv_output_shape` for ``Conv``, ``ConvInteger`` and ``QLinearConv``
(input and weight shapes, groups, ONNX's flat ``pads``), :func:`deform_conv_output_shape`
for ``DeformConv`` (with its offset and mask shapes).

In the per-dimension functions ``pads`` is a (begin, end) pair; ``auto_pad`` is
``NOTSET`` (use the pads), ``VALID``, ``SAME_UPPER`` (an odd extra at the end, as
TensorFlow) or ``SAME_LOWER`` (at the beginning).

>>> from convshape import onnx as ox
>>> ox.conv_transpose_output_length(7, 5, stride=2, auto_pad="SAME_UPPER")
14
>>> ox.conv_transpose_pads(7, 5, stride=2, auto_pad="SAME_UPPER")
Pad(before=1, after=2)
>>> ox.conv_transpose_pads(7, 5, stride=2, auto_pad="SAME_LOWER")
Pad(before=2, after=1)
"""

from __future__ import annotations

from typing import Any

from ._core import (
    ceil_mode_length,
    crop_less_output_padding,
    forward_length,
    full_transposed_length,
    same_padding,
    split,
    transposed_length,
)
from ._onnx_nodes import _check_offsets, _node_geometry
from ._onnx_rules import (
    POOL_OPS,
    _auto_pad,
    _geometry,
    _longest,
    _no_dilated_same,
    _odd,
    _pads,
    _pool_pads,
    _transpose_output_padding,
    _transpose_output_shape,
    _truncated,
)
from ._onnx_rules import _pool_same_pads as _pool_same_pads  # noqa: PLC0414  (explain.py reads it)
from ._types import Pad
from ._validate import as_int, check_flag, check_shape
from .errors import ConvShapeError, EmptyOutputError

__all__ = [
    "conv_output_length",
    "conv_output_shape",
    "conv_padding",
    "conv_transpose_crop",
    "conv_transpose_output_length",
    "conv_transpose_output_range",
    "conv_transpose_pads",
    "deform_conv_output_shape",
    "global_pool_output_shape",
    "lp_pool_output_length",
    "pool_output_length",
]


def conv_padding(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    dilation: int = 1,
) -> Pad:
    """The zeros ``Conv`` adds before and after the input.

    >>> conv_padding(13, 6, stride=5, auto_pad="SAME_LOWER")
    Pad(before=2, after=1)
    """
    checked, k_eff, s = _geometry(size, kernel_size, stride, dilation)
    mode = _auto_pad(auto_pad)
    if mode == "NOTSET":
        return _pads(pads)
    if mode == "VALID":
        return Pad(0, 0)
    _no_dilated_same(mode, dilation)
    return same_padding(checked, k_eff, s, _odd(mode))


def conv_output_length(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    dilation: int = 1,
) -> int:
    """Output length of ``Conv``: ``floor((I + begin + end - k_eff) / s) + 1``.

    >>> conv_output_length(28, 5, stride=2, auto_pad="SAME_UPPER")
    14
    """
    checked, k_eff, s = _geometry(size, kernel_size, stride, dilation)
    pad = conv_padding(size, kernel_size, stride, auto_pad, pads, dilation)
    length = forward_length(checked, k_eff, s, pad[0], pad[1])
    if length < 1:
        raise EmptyOutputError(
            f"the effective kernel ({k_eff}) is longer than the padded input",
            argument="size",
            received={"size": size, "kernel_size": kernel_size, "pads": tuple(pad)},
        )
    return length


def conv_transpose_pads(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    output_padding: int = 0,
    dilation: int = 1,
    output_shape: int | None = None,
) -> Pad:
    """The (begin, end) ``ConvTranspose`` removes from ``s (I - 1) + op + k_eff``.

    With ``output_shape`` or a SAME mode, ``total = s (I - 1) + op + k_eff - O`` is split
    with the odd extra at the end (SAME_UPPER) or at the beginning (SAME_LOWER, and NOTSET
    with an output_shape), where the output is ``O = I * s`` for SAME modes. An
    ``output_shape`` longer than the full output gets zeros appended at the end (a negative
    ``end``), as long as the forward convolution still maps it back to ``I``:
    ``1 <= O <= s (I - 1) + k_eff + s - 1``; ONNX Runtime rejects anything longer.

    >>> conv_transpose_pads(3, 3, stride=2, output_shape=8)
    Pad(before=0, after=-1)
    >>> conv_transpose_pads(3, 3, stride=2, output_shape=9)
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `output_shape` must be between 1 and ... longest=8
    """
    checked, k_eff, s = _geometry(size, kernel_size, stride, dilation)
    mode = _auto_pad(auto_pad)
    op = _transpose_output_padding(output_padding, s, stride)
    full = full_transposed_length(checked, k_eff, s) + op
    if output_shape is None and mode in ("NOTSET", "VALID"):
        return _pads(pads) if mode == "NOTSET" else Pad(0, 0)
    if output_shape is None:
        # The spec asks for I * s; ONNX Runtime clamps a negative total padding to 0 instead.
        return split(max(full - checked * s, 0), _odd(mode))
    target = _transpose_output_shape(output_shape, checked, k_eff, s, size, stride)
    # An output_shape past the full output: a negative total, which split appends whole at
    # the end as zeros (found by running ORT 1.32).
    return split(full - target, _odd(mode))


def conv_transpose_crop(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    output_padding: int = 0,
    dilation: int = 1,
    output_shape: int | None = None,
) -> Pad:
    """What ``ConvTranspose`` removes from the full output ``s (I - 1) + k_eff`` (negative:
    zeros appended), as the other frameworks' crops count it: :func:`conv_transpose_pads`
    less ``output_padding`` at the end, ``(begin, end - op)``.

    >>> conv_transpose_crop(7, 3, stride=2, pads=(1, 1), output_padding=1)
    Pad(before=1, after=0)
    >>> conv_transpose_crop(7, 5, stride=2, auto_pad="SAME_UPPER")
    Pad(before=1, after=2)
    """
    begin, end = conv_transpose_pads(
        size, kernel_size, stride, auto_pad, pads, output_padding, dilation, output_shape
    )
    return crop_less_output_padding(begin, end, as_int(output_padding, "output_padding"))


def transpose_pads_for_crop(crop: Pad) -> tuple[Pad, int]:
    """The ``pads`` and ``output_padding`` of a ``ConvTranspose`` whose output is the full
    output less ``crop``: zeros appended at the end (a negative ``after``) are its
    ``output_padding``, ``(before, max(after, 0))`` and ``max(-after, 0)``.

    >>> transpose_pads_for_crop(Pad(1, 2)), transpose_pads_for_crop(Pad(0, -1))
    ((Pad(before=1, after=2), 0), (Pad(before=0, after=0), 1))
    """
    return Pad(crop.before, max(crop.after, 0)), max(-crop.after, 0)


def conv_transpose_output_range(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    dilation: int = 1,
) -> range:
    """The ``output_shape`` lengths ``ConvTranspose`` accepts: ``1`` to
    ``s (I - 1) + k_eff + s - 1`` (ONNX Runtime computes the pads from it, zeros appended
    past the full output); ``auto_pad`` and ``pads`` are checked, and only say where an odd
    element of the computed pads goes.

    >>> conv_transpose_output_range(7, 5, stride=2)
    range(1, 19)
    """
    checked, k_eff, s = _geometry(size, kernel_size, stride, dilation)
    if _auto_pad(auto_pad) == "NOTSET":
        _pads(pads)
    return range(1, _longest(checked, k_eff, s) + 1)


def conv_transpose_output_length(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    output_padding: int = 0,
    dilation: int = 1,
    output_shape: int | None = None,
) -> int:
    """Output length of ``ConvTranspose``: ``s (I - 1) + op + k_eff - begin - end``
    (``I * s`` for the SAME modes; ``output_shape`` when given, zero-padded at the end when
    longer than the full output).

    >>> conv_transpose_output_length(7, 3, stride=2, pads=(1, 1), output_padding=1)
    14
    >>> conv_transpose_output_length(3, 3, stride=2, output_shape=8)
    8
    """
    checked, k_eff, s = _geometry(size, kernel_size, stride, dilation)
    crop = conv_transpose_crop(
        size, kernel_size, stride, auto_pad, pads, output_padding, dilation, output_shape
    )
    length = transposed_length(checked, k_eff, s, crop[0], crop[1])
    if length < 1:
        raise EmptyOutputError(
            "the transposed output would be empty",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "pads": (crop.before, crop.after + as_int(output_padding, "output_padding")),
            },
        )
    return length


def pool_output_length(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    dilation: int = 1,
    ceil_mode: bool = False,
    op: str = "MaxPool",
) -> int:
    """Output length of ``MaxPool``/``AveragePool``/``LpPool`` as ONNX Runtime computes it.

    ``(I + begin + end - k_eff) / s + 1``, divided with C++ truncation (so a window that
    starts past the input can still count) or rounded up with ``ceil_mode``, where a last
    window starting in the end padding is dropped. SAME pads ``(ceil(I / s) - 1) * s + k - I``
    in all, split with C++ truncation; MaxPool rejects a negative split, AveragePool and
    LpPool do not. Explicit ``pads`` must each be shorter than the (undilated) kernel. An
    empty output is allowed, a negative one is not.

    >>> pool_output_length(1, 2, stride=2)
    1
    >>> pool_output_length(5, 2, stride=2, ceil_mode=True)
    3
    """
    checked, k_eff, s = _geometry(size, kernel_size, stride, dilation)
    if op not in POOL_OPS:
        raise ConvShapeError(
            "`op` must be 'MaxPool', 'AveragePool' or 'LpPool'",
            argument="op",
            received={"op": op},
        )
    check_flag(ceil_mode, "ceil_mode")
    before, after = _pool_pads(checked, s, size, kernel_size, auto_pad, pads, dilation, op)
    if ceil_mode:
        length = ceil_mode_length(checked, k_eff, s, before, after)
    else:  # forward_length with C++ truncation: a window may start past the input
        length = _truncated(checked + before + after - k_eff, s) + 1
    if length < 0:
        raise EmptyOutputError(
            "the pooled output would have a negative length",
            argument="size",
            received={"size": size, "kernel_size": kernel_size, "pads": (before, after)},
        )
    return length


def lp_pool_output_length(
    size: int,
    kernel_size: int,
    stride: int = 1,
    auto_pad: str = "NOTSET",
    pads: tuple[int, int] | list[int] = (0, 0),
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output length of ``LpPool``: as ``AveragePool`` (``p`` changes values, not shapes).

    ``(I + begin + end - k_eff) / s + 1`` with C++ truncation (or rounded up with
    ``ceil_mode``, dropping a last window that starts in the end padding); SAME pads
    ``(ceil(I / s) - 1) * s + k - I`` in all.

    >>> lp_pool_output_length(32, 5, stride=3)
    10
    >>> lp_pool_output_length(32, 2, auto_pad="SAME_LOWER")
    32
    """
    return pool_output_length(
        size, kernel_size, stride, auto_pad, pads, dilation, ceil_mode, op="LpPool"
    )


def global_pool_output_shape(input_shape: Any) -> tuple[int | None, ...]:
    """Output shape of ``GlobalAveragePool``/``GlobalMaxPool`` on ``(N, C, D1, ..., Dn)``:
    ``(N, C, 1, ..., 1)``.

    ONNX Runtime takes one to three spatial dimensions, each >= 1, and ``C >= 1``; only the
    batch ``N`` may be 0 (or None, unknown).

    >>> global_pool_output_shape((1, 3, 5, 5))
    (1, 3, 1, 1)
    >>> global_pool_output_shape((None, 8, 7))
    (None, 8, 1)
    """
    shape = check_shape(input_shape)
    if not 3 <= len(shape) <= 5:
        raise ConvShapeError(
            "`input_shape` must be (N, C, D1[, D2[, D3]]): ONNX Runtime pools one to three "
            "spatial dimensions",
            argument="input_shape",
            received={"input_shape": input_shape},
        )
    if any(dim is None or dim < 1 for dim in shape[1:]):
        raise ConvShapeError(
            "`input_shape` must have known channels and spatial sizes >= 1 (only the batch "
            "may be 0 or None)",
            argument="input_shape",
            received={"input_shape": input_shape},
        )
    return (shape[0], shape[1]) + (1,) * (len(shape) - 2)


def conv_output_shape(
    x_shape: Any,
    w_shape: Any,
    *,
    kernel_shape: Any = None,
    strides: Any = None,
    pads: Any = None,
    dilations: Any = None,
    auto_pad: str = "NOTSET",
    group: int = 1,
) -> tuple[int | None, ...]:
    """Output shape of a ``Conv``, ``ConvInteger`` or ``QLinearConv`` node: X of shape
    ``(N, C, D1, ..., Dn)``, W of shape ``(M, C / group, k1, ..., kn)`` give
    ``(N, M, O1, ..., On)`` with ``Oi = floor((Di + begin + end - k_eff) / s) + 1`` per
    axis, as :func:`conv_output_length` computes it. ``pads`` is ONNX's flat list
    ``[x1_begin, x2_begin, ..., x1_end, x2_end, ...]``; attributes left out take ONNX's
    defaults (``kernel_shape`` from W).

    >>> conv_output_shape((1, 4, 28, 28), (8, 2, 5, 5), strides=[2, 2], auto_pad="SAME_UPPER",
    ...                   group=2)
    (1, 8, 14, 14)
    >>> conv_output_shape((None, 1, 5, 5), (1, 1, 3, 3), pads=[1, 1, 1, 1])
    (None, 1, 5, 5)
    """
    mode = _auto_pad(auto_pad)
    x, w, kernel, s, d, pairs, _ = _node_geometry(
        x_shape, w_shape, kernel_shape, strides, dilations, pads, group
    )
    spatial = [
        conv_output_length(int(size or 0), kernel[i], s[i], mode, pairs[i], d[i])
        for i, size in enumerate(x[2:])
    ]
    return (x[0], w[0], *spatial)


def deform_conv_output_shape(
    x_shape: Any,
    w_shape: Any,
    offset_shape: Any = None,
    mask_shape: Any = None,
    *,
    kernel_shape: Any = None,
    strides: Any = None,
    pads: Any = None,
    dilations: Any = None,
    group: int = 1,
    offset_group: int = 1,
) -> tuple[int | None, ...]:
    """Output shape of a ``DeformConv`` node: ``(N, M, O1, ..., On)`` as ``Conv`` with
    explicit ``pads`` (DeformConv has no ``auto_pad``). The offsets must have shape
    ``(N, offset_group * k1 * ... * kn * n, O1, ..., On)`` and the mask, when given,
    ``(N, offset_group * k1 * ... * kn, O1, ..., On)``; C must be a multiple of
    ``offset_group``.

    >>> deform_conv_output_shape((1, 1, 3, 3), (1, 1, 2, 2), (1, 8, 4, 4), pads=[1, 1, 1, 1])
    (1, 1, 4, 4)
    >>> deform_conv_output_shape((1, 1, 3, 3), (1, 1, 2, 2), (1, 8, 4, 4))
    Traceback (most recent call last):
    convshape.errors.ConvShapeError: `offset_shape` must be (N, ...) = (1, 8, 2, 2)...
    """
    shape = conv_output_shape(
        x_shape,
        w_shape,
        kernel_shape=kernel_shape,
        strides=strides,
        pads=pads,
        dilations=dilations,
        group=group,
    )
    _check_offsets(shape, x_shape, w_shape, offset_shape, mask_shape, offset_group)
    return shape

"""PyTorch's per-dimension rules, one dimension at a time: what ``nn.Conv*``, ``nn.ConvTranspose*``
and ``nn.MaxPool*``/``nn.AvgPool*`` compute, rejecting what PyTorch rejects.

The formulas are the core's with PyTorch's own padding: an int p on both sides
(``"same"`` for stride 1, with the odd extra on the right), output_padding added at
the end. PyTorch also refuses empty spatial dimensions.

>>> from convshape import torch as pt
>>> pt.conv_transpose_output_length(7, 5, stride=2, padding=2, output_padding=1)
14
>>> pt.pool_output_length(5, 2, ceil_mode=True)
3
"""

from __future__ import annotations

from .._core import (
    ceil_mode_length,
    effective_kernel,
    forward_length,
    split,
    transposed_length,
    transposed_output_range,
)
from .._types import Pad
from .._validate import as_int, check_flag, check_positive, check_size
from ..errors import ConvShapeError, EmptyOutputError
from ._crop import crop_of, largest_output_padding, pad_of

__all__ = [
    "conv_output_length",
    "conv_padding",
    "conv_transpose_crop",
    "conv_transpose_output_length",
    "conv_transpose_output_range",
    "pool_output_length",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import overload


def _size(size: object) -> int | None:
    checked = check_size(size)
    if checked == 0:
        raise ConvShapeError(
            "`size` must be >= 1: PyTorch does not run empty spatial dimensions",
            argument="size",
            received={"size": size},
        )
    return checked


def _geometry(
    size: object, kernel_size: object, stride: object, dilation: object
) -> tuple[int | None, int, int, int]:
    """The checked size (None when unknown), kernel size, stride and dilation."""
    return (
        _size(size),
        check_positive(kernel_size, "kernel_size"),
        check_positive(stride, "stride"),
        check_positive(dilation, "dilation"),
    )


def _int_padding(padding: object) -> int:
    value = as_int(padding, "padding")
    if value < 0:
        raise ConvShapeError(
            "`padding` must be >= 0 (PyTorch: negative padding is not supported)",
            argument="padding",
            received={"padding": padding},
        )
    return value


def _forward_pad(padding: object, stride: int, k_eff: int) -> Pad:
    """The zeros ``nn.Conv*d`` adds: p on both sides, none for "valid", and for "same"
    (stride 1 only) ``d (k - 1) = k_eff - 1`` with the odd one on the right."""
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ConvShapeError(
                "`padding` must be an int, 'same' or 'valid' (PyTorch's padding strings are "
                "lower case)",
                argument="padding",
                received={"padding": padding},
            )
        if padding == "same" and stride != 1:
            raise ConvShapeError(
                "padding='same' is not supported for strided convolutions in PyTorch",
                argument="padding",
                received={"padding": padding, "stride": stride},
            )
        return split(k_eff - 1) if padding == "same" else pad_of(0)
    return pad_of(_int_padding(padding))


def _forward(
    size: object, kernel_size: object, stride: object, padding: object, dilation: object
) -> tuple[int | None, Pad]:
    """Validate ``nn.Conv*d``'s arguments; return (length, padding)."""
    checked, k, s, d = _geometry(size, kernel_size, stride, dilation)
    k_eff = effective_kernel(k, d)
    pad = _forward_pad(padding, s, k_eff)
    if checked is None:
        return None, pad
    length = forward_length(checked, k_eff, s, pad[0], pad[1])
    if length < 1:
        raise EmptyOutputError(
            f"the effective kernel ({k_eff}) is longer than the padded input "
            f"({checked + pad.before + pad.after}); PyTorch: kernel size can't be greater than "
            "actual input size",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
            },
        )
    return length, pad


if TYPE_CHECKING:

    @overload
    def conv_output_length(
        size: int, kernel_size: int, stride: int = 1, padding: int | str = 0, dilation: int = 1
    ) -> int: ...
    @overload
    def conv_output_length(
        size: None, kernel_size: int, stride: int = 1, padding: int | str = 0, dilation: int = 1
    ) -> None: ...


def conv_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
) -> int | None:
    """Output length of ``nn.Conv*d``: ``floor((I + 2p - d (k - 1) - 1) / s) + 1``.

    ``padding`` is an int (each side), ``"valid"`` (0) or ``"same"`` (stride 1 only;
    ``d (k - 1)`` zeros, the odd one on the right).

    >>> conv_output_length(28, 5, stride=2, padding=2)
    14
    >>> conv_output_length(10, 4, padding="same")
    10
    """
    return _forward(size, kernel_size, stride, padding, dilation)[0]


def conv_padding(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
) -> Pad:
    """The zeros ``nn.Conv*d`` adds before and after the input: ``(p, p)`` for an int,
    ``(0, 0)`` for "valid", and for "same" (stride 1) ``total = d (k - 1)`` split
    ``(total // 2, total - total // 2)``, the odd one on the right.

    >>> conv_padding(10, 4, padding="same")
    Pad(before=1, after=2)
    >>> conv_padding(28, 5, stride=2, padding=2)
    Pad(before=2, after=2)
    """
    return _forward(size, kernel_size, stride, padding, dilation)[1]


def _transpose(
    size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    output_padding: object,
    dilation: object,
) -> tuple[int | None, Pad]:
    """Validate ``nn.ConvTranspose*d``'s arguments; return (length, crop)."""
    checked, k, s, d = _geometry(size, kernel_size, stride, dilation)
    p = _int_padding(padding)
    op = as_int(output_padding, "output_padding")
    if not 0 <= op <= largest_output_padding(s, d):
        raise ConvShapeError(
            "`output_padding` must be >= 0 and smaller than either `stride` or `dilation`",
            argument="output_padding",
            received={"output_padding": output_padding, "stride": stride, "dilation": dilation},
        )
    crop = crop_of(p, op)
    if checked is None:
        return None, crop
    length = transposed_length(checked, effective_kernel(k, d), s, crop[0], crop[1])
    if length < 1:
        raise EmptyOutputError(
            f"the output would have {length} elements; PyTorch: output size is too small",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": padding,
                "output_padding": output_padding,
                "dilation": dilation,
            },
        )
    return length, crop


if TYPE_CHECKING:

    @overload
    def conv_transpose_output_length(
        size: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
    ) -> int: ...
    @overload
    def conv_transpose_output_length(
        size: None,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
    ) -> None: ...


def conv_transpose_output_length(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int | None:
    """Output length of ``nn.ConvTranspose*d``:
    ``(I - 1) s - 2p + d (k - 1) + output_padding + 1``.

    output_padding must be smaller than the stride or the dilation, as PyTorch requires.

    >>> conv_transpose_output_length(7, 3, stride=2, padding=1, output_padding=1)
    14
    """
    return _transpose(size, kernel_size, stride, padding, output_padding, dilation)[0]


def conv_transpose_crop(
    size: int | None,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> Pad:
    """What ``nn.ConvTranspose*d`` removes from its full output ``(I - 1) s + d (k - 1) + 1``:
    ``(p, p - output_padding)`` (a negative end: zeros appended).

    >>> conv_transpose_crop(7, 5, stride=2, padding=2, output_padding=1)
    Pad(before=2, after=1)
    """
    return _transpose(size, kernel_size, stride, padding, output_padding, dilation)[1]


def conv_transpose_output_range(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> range:
    """The ``output_size`` lengths ``ConvTranspose*d.forward`` accepts: ``[L, L + s - 1]``
    with ``L = (I - 1) s - 2p + d (k - 1) + 1``, the lengths >= 1 only (PyTorch picks
    ``output_padding = output_size - L`` for them).

    >>> conv_transpose_output_range(7, 5, stride=2, padding=2)
    range(13, 15)
    >>> conv_transpose_output_range(1, 1, stride=3, padding=1)
    range(1, 2)
    """
    checked, k, s, d = _geometry(size, kernel_size, stride, dilation)
    p = _int_padding(padding)
    if checked is None:
        raise ConvShapeError(
            "`size` must be known to compute the range of output lengths",
            argument="size",
            received={"size": size},
        )
    return transposed_output_range(checked, effective_kernel(k, d), s, *pad_of(p))


def pool_output_length(
    size: int | None,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int | None:
    """Output length of ``nn.MaxPool*d``/``nn.AvgPool*d`` (``dilation`` for MaxPool only).

    ``floor`` (or ``ceil`` with ``ceil_mode``) of ``(I + 2p - d (k - 1) - 1) / s``, plus 1;
    with ceil_mode a last window that would start in the right padding is dropped.
    The stride defaults to the kernel size; the padding is at most half the kernel.

    >>> pool_output_length(5, 2, ceil_mode=True)
    3
    >>> pool_output_length(6, 2, stride=2, padding=1, ceil_mode=True)
    4
    """
    checked = _size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = k if stride is None else check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    p = _int_padding(padding)
    check_flag(ceil_mode, "ceil_mode")
    if 2 * p > k:
        raise ConvShapeError(
            "`padding` must be at most half of `kernel_size` (PyTorch pooling)",
            argument="padding",
            received={"padding": padding, "kernel_size": kernel_size},
        )
    if checked is None:
        return None
    k_eff = effective_kernel(k, d)
    length = (ceil_mode_length if ceil_mode else forward_length)(checked, k_eff, s, *pad_of(p))
    if length <= 0:
        raise EmptyOutputError(
            f"the pooled output would have {length} elements; PyTorch: invalid computed "
            "output size",
            argument="size",
            received={
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "ceil_mode": ceil_mode,
            },
        )
    return length

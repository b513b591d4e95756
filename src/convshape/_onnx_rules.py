"""ONNX Runtime's rules for one dimension, under the public functions of
:mod:`convshape.onnx`: the checks of ``auto_pad``, ``pads`` and the geometry it accepts,
where a split puts its odd element, the longest ``output_shape`` of a ``ConvTranspose``,
and the pads a pooling gets (SAME split with C++ truncation, explicit pads shorter than
the kernel).
"""

from __future__ import annotations

from typing import Any

from ._core import effective_kernel, full_transposed_length, same_total
from ._types import Pad
from ._validate import as_int, check_positive, check_size, choice_error
from .errors import ConvShapeError

POOL_OPS = ("MaxPool", "AveragePool", "LpPool")

AUTO_PADS = ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")


def _auto_pad(value: object) -> str:
    if value not in AUTO_PADS:
        raise choice_error(value, "auto_pad", AUTO_PADS)
    return str(value)


def _pads(value: object) -> Pad:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ConvShapeError(
            "`pads` must be a (begin, end) pair", argument="pads", received={"pads": value}
        )
    begin, end = as_int(value[0], "pads"), as_int(value[1], "pads")
    if begin < 0 or end < 0:
        raise ConvShapeError(
            "`pads` must not be negative", argument="pads", received={"pads": value}
        )
    return Pad(begin, end)


def _geometry(
    size: object, kernel_size: object, stride: object, dilation: object
) -> tuple[int, int, int]:
    checked = check_size(size)
    if checked is None or checked == 0:
        raise ConvShapeError(
            "`size` must be a known length >= 1 for ONNX Runtime",
            argument="size",
            received={"size": size},
        )
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    return checked, effective_kernel(k, d), s


def _no_dilated_same(mode: str, dilation: object) -> None:
    if mode.startswith("SAME") and dilation != 1:
        raise ConvShapeError(
            "ONNX Runtime does not support dilation with auto_pad SAME_UPPER/SAME_LOWER",
            argument="auto_pad",
            received={"auto_pad": mode, "dilation": dilation},
        )


def _odd(mode: str) -> str:
    """Where a split puts its odd element: at the end for SAME_UPPER only (SAME_LOWER, and
    NOTSET with an ``output_shape``, put it at the beginning, as the specification says)."""
    return "after" if mode == "SAME_UPPER" else "before"


def _longest(size: int, k_eff: int, stride: int) -> int:
    """The longest ``output_shape`` ONNX Runtime accepts: ``s (I - 1) + k_eff + s - 1``."""
    return full_transposed_length(size, k_eff, stride) + stride - 1


def _transpose_output_padding(output_padding: object, s: int, stride: object) -> int:
    """A ``ConvTranspose``'s ``output_padding``: ``0 <= op < s``."""
    op = as_int(output_padding, "output_padding")
    if not 0 <= op < s:
        raise ConvShapeError(
            "`output_padding` must be >= 0 and smaller than the stride (ONNX Runtime checks "
            "that the forward convolution maps the output back to the input)",
            argument="output_padding",
            received={"output_padding": output_padding, "stride": stride},
        )
    return op


def _transpose_output_shape(
    output_shape: object, checked: int, k_eff: int, s: int, size: object, stride: object
) -> int:
    """A ``ConvTranspose``'s ``output_shape``: ``1 <= O <=`` :func:`_longest`."""
    target = as_int(output_shape, "output_shape")
    longest = _longest(checked, k_eff, s)
    if not 1 <= target <= longest:
        raise ConvShapeError(
            "`output_shape` must be between 1 and s * (size - 1) + k_eff + s - 1 (ONNX Runtime "
            "checks that the forward convolution maps it back to the input)",
            argument="output_shape",
            received={
                "output_shape": output_shape,
                "size": size,
                "stride": stride,
                "longest": longest,
            },
        )
    return target


def _truncated(numerator: int, denominator: int) -> int:
    """C++ integer division: rounds toward zero."""
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def _pool_same_pads(size: int, kernel_size: int, stride: int, auto_pad: str) -> Pad:
    """The pads a pooling's ``SAME_UPPER``/``SAME_LOWER`` adds, as ONNX Runtime splits
    them: ``needed = (ceil(I / s) - 1) * s + k - I`` with the undilated kernel, ``before =
    (needed + lower) / 2`` in C++ truncation (``lower`` 1 for SAME_LOWER), the rest after;
    negative when the kernel is shorter than the stride. Trusted ints (``pool_output_length``
    validates).

    >>> _pool_same_pads(13, 6, 5, "SAME_LOWER"), _pool_same_pads(7, 1, 4, "SAME_UPPER")
    (Pad(before=2, after=1), Pad(before=-1, after=-1))
    """
    needed = same_total(size, kernel_size, stride)
    before = _truncated(needed + (auto_pad == "SAME_LOWER"), 2)
    return Pad(before, needed - before)


def _pool_pads(
    checked: int,
    s: int,
    size: object,
    kernel_size: object,
    auto_pad: object,
    pads: Any,
    dilation: object,
    op: str,
) -> tuple[int, int]:
    """The (begin, end) a pooling adds: ``pads`` each shorter than the kernel, none for
    VALID, the SAME split of :func:`_pool_same_pads`, which MaxPool refuses negative.
    ``checked`` and ``s`` are the validated size and stride."""
    mode = _auto_pad(auto_pad)
    if mode == "NOTSET":
        before, after = _pads(pads)
        if max(before, after) >= check_positive(kernel_size, "kernel_size"):
            raise ConvShapeError(
                "ONNX Runtime's pools require each of `pads` to be smaller than the kernel",
                argument="pads",
                received={"pads": pads, "kernel_size": kernel_size},
            )
    elif mode == "VALID":
        before, after = 0, 0
    else:
        # The undilated kernel, and a negative total split with C++ truncation (ORT 1.32).
        before, after = _pool_same_pads(
            checked, check_positive(kernel_size, "kernel_size"), s, mode
        )
        # Only the undilated MaxPool kernel checks the padding (found by running ORT 1.32).
        if op == "MaxPool" and dilation == 1 and (before < 0 or after < 0):
            raise ConvShapeError(
                "ONNX Runtime's MaxPool rejects the negative SAME padding of a kernel shorter "
                "than the stride",
                argument="auto_pad",
                received={"auto_pad": auto_pad, "size": size, "kernel_size": kernel_size},
            )
    return before, after

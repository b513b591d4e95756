"""The crops PyTorch's ``nn.ConvTranspose*d`` can make, and what a port adds to reach others.

The one home of this rule: :func:`convshape.check` (pitfalls) and
:func:`convshape.translate` (porting) both ask it.

A PyTorch transposed convolution removes ``(p, p - output_padding)`` from its full output
``(I - 1) * s + k_eff``, with ``p >= 0`` and ``0 <= output_padding < max(stride, dilation)``.
Another framework's crop (Keras's "same" puts its odd element at the end) is reachable
exactly when ``before >= 0`` and ``0 <= before - after < max(stride, dilation)``; otherwise a
port crops (or zero-pads) the rest of the output itself.

>>> from convshape import Pad
>>> padding_for_crop(Pad(1, 2), stride=2, dilation=1)
(1, 0, Pad(before=0, after=1))
>>> needs_crop(Pad(1, 2), stride=2, dilation=1), needs_crop(Pad(2, 1), stride=2, dilation=1)
(True, False)
"""

from __future__ import annotations

from .._core import largest_output_padding
from .._types import Pad

__all__ = ["largest_output_padding", "needs_crop", "padding_for_crop"]


def padding_for_crop(crop: Pad, stride: int, dilation: int) -> tuple[int, int, Pad]:
    """PyTorch ``padding`` and ``output_padding`` whose crop ``(p, p - op)`` is closest to
    ``crop``, and what remains to crop after the PyTorch op (``(0, 0)`` when exact).

    The distance ``|before - p| + |after - p + op|`` (p from 0 to ``max(before, 0)``, op
    below ``max(stride, dilation)``) does not grow with p until ``p - after`` reaches the
    largest op, so the smallest p from there on (and the op closest to ``p - after``) is
    the first of the closest pairs.

    >>> padding_for_crop(Pad(2, 1), stride=2, dilation=1)
    (2, 1, Pad(before=0, after=0))
    >>> padding_for_crop(Pad(0, -2), stride=3, dilation=1)
    (0, 2, Pad(before=0, after=0))
    """
    largest = largest_output_padding(stride, dilation)
    p = min(max(crop.after + largest, 0), max(crop.before, 0))
    op = min(max(p - crop.after, 0), largest)
    return p, op, Pad(crop.before - p, crop.after - (p - op))


def needs_crop(crop: Pad, stride: int, dilation: int) -> bool:
    """Whether no PyTorch ``padding``/``output_padding`` pair makes ``crop`` on its own.

    >>> needs_crop(Pad(0, -1), stride=2, dilation=1), needs_crop(Pad(0, -2), stride=2, dilation=1)
    (False, True)
    """
    return padding_for_crop(crop, stride, dilation)[2] != (0, 0)

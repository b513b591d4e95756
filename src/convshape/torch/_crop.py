"""What PyTorch's ``padding`` makes, and what a port adds to reach another framework's.

The one home of these rules: ``convshape.torch``'s functions and specs, :func:`convshape.check`
(pitfalls) and :func:`convshape.translate` (porting) all ask them.

``nn.Conv*d`` adds an int ``p`` of zeros on both sides (:func:`pad_of`). A transposed
convolution removes ``(p, p - output_padding)`` from its full output ``(I - 1) * s + k_eff``
(:func:`crop_of`), with ``p >= 0`` and ``0 <= output_padding < max(stride, dilation)``.
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

from .._core import (
    closest_output_padding,
    crop_less_output_padding,
    largest_output_padding,
    remainder,
)
from .._types import Pad

__all__ = [
    "crop_of",
    "largest_output_padding",
    "needs_crop",
    "pad_of",
    "padding_for_crop",
    "padding_for_pad",
]


def pad_of(padding: int) -> Pad:
    """The zeros ``nn.Conv*d`` (and a pooling) adds for an int ``padding``: ``(p, p)``.

    >>> pad_of(2)
    Pad(before=2, after=2)
    """
    return Pad(padding, padding)


def crop_of(padding: int, output_padding: int) -> Pad:
    """What ``nn.ConvTranspose*d`` removes from its full output: ``(p, p - output_padding)``
    (a negative end: zeros appended).

    >>> crop_of(2, 1), crop_of(0, 1)
    (Pad(before=2, after=1), Pad(before=0, after=-1))
    """
    return crop_less_output_padding(padding, padding, output_padding)


def padding_for_pad(pad: Pad) -> tuple[int, Pad]:
    """The PyTorch ``padding`` of a forward convolution that adds as much of ``pad`` (>= 0 on
    each side) as it can, ``min(before, after)``, and the zeros left to add to the input
    before the PyTorch op (``(0, 0)`` when exact).

    >>> padding_for_pad(Pad(1, 2)), padding_for_pad(Pad(2, 2))
    ((1, Pad(before=0, after=1)), (2, Pad(before=0, after=0)))
    """
    p = min(pad)
    return p, remainder(pad, pad_of(p))


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
    op = closest_output_padding(crop.after - p, largest)
    return p, op, remainder(crop, crop_of(p, op))


def needs_crop(crop: Pad, stride: int, dilation: int) -> bool:
    """Whether no PyTorch ``padding``/``output_padding`` pair makes ``crop`` on its own.

    >>> needs_crop(Pad(0, -1), stride=2, dilation=1), needs_crop(Pad(0, -2), stride=2, dilation=1)
    (False, True)
    """
    return padding_for_crop(crop, stride, dilation)[2] != (0, 0)

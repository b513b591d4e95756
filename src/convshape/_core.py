"""The arithmetic every framework shares, one rule per function, with plain names.

Trusted ints in, ints (or a :class:`Pad`) out: nothing here validates, raises or
knows a framework's argument names. The public modules (``convshape.arithmetic`` for
Keras, ``convshape.torch``, ``convshape.jax``, ``convshape.onnx``) validate their
arguments, resolve their padding modes to a ``(before, after)`` pair with these
functions, and compute lengths with them.

A forward convolution adds ``before`` and ``after`` zeros, then slides a window of
``k_eff = (k - 1) * d + 1``: ``O = floor((I + before + after - k_eff) / s) + 1``.
A transposed convolution removes ``before`` and ``after`` from its full output
``(I - 1) * s + k_eff`` (negative: zeros appended): ``O = (I - 1) * s + k_eff - before - after``.

>>> k_eff = effective_kernel(5, 1)
>>> forward_length(28, k_eff, 2, *same_padding(28, k_eff, 2))
14
>>> transposed_length(7, k_eff, 2, *same_crop(k_eff, 2))
14
"""

from __future__ import annotations

from ._types import Pad

__all__ = [
    "SMALL_SPLITS",
    "Pad",
    "causal_padding",
    "ceil_div",
    "ceil_mode_length",
    "closest_output_padding",
    "crop_less_output_padding",
    "effective_kernel",
    "forward_length",
    "full_padding",
    "full_transposed_length",
    "largest_output_padding",
    "remainder",
    "same_crop",
    "same_output_range",
    "same_padding",
    "same_total",
    "split",
    "transposed_length",
    "transposed_output_range",
    "valid_crop",
]


def ceil_div(numerator: int, denominator: int) -> int:
    """``ceil(numerator / denominator)`` in integers, for a positive denominator.

    >>> ceil_div(7, 2), ceil_div(-7, 2)
    (4, -3)
    """
    return -(-numerator // denominator)


def effective_kernel(kernel: int, dilation: int) -> int:
    """The span of a dilated kernel: ``k_eff = (k - 1) * d + 1``.

    >>> effective_kernel(3, 2)
    5
    """
    return (kernel - 1) * dilation + 1


def forward_length(size: int, k_eff: int, stride: int, before: int, after: int) -> int:
    """Windows of ``k_eff`` at ``stride`` over ``before + size + after``:
    ``floor((I + before + after - k_eff) / s) + 1`` (<= 0 when none fits).

    >>> forward_length(28, 5, 2, 0, 0)
    12
    """
    return (size + before + after - k_eff) // stride + 1


def ceil_mode_length(size: int, k_eff: int, stride: int, before: int, after: int) -> int:
    """Windows with ``ceil_mode`` (PyTorch's and ONNX Runtime's pooling):
    ``ceil((I + before + after - k_eff) / s) + 1``, less a last window that would start
    in the end padding (at or past ``I + before``).

    >>> ceil_mode_length(5, 2, 2, 0, 0), ceil_mode_length(6, 2, 2, 1, 1)
    (3, 4)
    """
    length = ceil_div(size + before + after - k_eff, stride) + 1
    return length - 1 if (length - 1) * stride >= size + before else length


def full_transposed_length(size: int, k_eff: int, stride: int) -> int:
    """The full output of a transposed convolution, before any crop: ``(I - 1) * s + k_eff``.

    >>> full_transposed_length(7, 5, 2)
    17
    """
    return transposed_length(size, k_eff, stride, 0, 0)


def transposed_length(size: int, k_eff: int, stride: int, before: int, after: int) -> int:
    """The full transposed output less its crop: ``(I - 1) * s + k_eff - before - after``.

    >>> transposed_length(7, 5, 2, 1, 2)
    14
    """
    return (size - 1) * stride + k_eff - before - after


def largest_output_padding(stride: int, dilation: int) -> int:
    """The largest ``output_padding`` PyTorch takes (and the core accepts): smaller than
    the stride *or* the dilation, ``max(stride, dilation) - 1``. Keras's stricter rule
    (smaller than the stride) belongs to its layers.

    >>> largest_output_padding(2, 1), largest_output_padding(1, 3)
    (1, 2)
    """
    return max(stride, dilation) - 1


def closest_output_padding(after: int, largest: int) -> int:
    """The ``output_padding`` (0 to ``largest``) that comes closest to a crop of ``after``
    at the end: the zeros a negative ``after`` appends, ``min(max(-after, 0), largest)``.

    >>> closest_output_padding(-1, 1), closest_output_padding(-3, 1), closest_output_padding(2, 1)
    (1, 1, 0)
    """
    return min(max(-after, 0), largest)


def crop_less_output_padding(before: int, after: int, output_padding: int) -> Pad:
    """What a transposed convolution that crops ``(before, after)`` from its full output and
    gives ``output_padding`` back at the end removes: ``(before, after - output_padding)``
    (a negative end: zeros appended).

    >>> crop_less_output_padding(2, 2, 1), crop_less_output_padding(0, 0, 2)
    (Pad(before=2, after=1), Pad(before=0, after=-2))
    """
    return Pad(before, after - output_padding)


def remainder(wanted: Pad, made: Pad) -> Pad:
    """What remains of a padding (or crop) ``wanted`` once an op has made ``made``:
    ``(wanted.before - made.before, wanted.after - made.after)``, for a port to add itself.

    >>> remainder(Pad(1, 2), Pad(1, 1)), remainder(Pad(0, -1), Pad(0, 0))
    (Pad(before=0, after=1), Pad(before=0, after=-1))
    """
    return Pad(wanted.before - made.before, wanted.after - made.after)


def split(total: int, odd: str = "after") -> Pad:
    """``total`` elements in two halves; ``odd`` says which end takes the odd one.

    ``(total // 2, total - total // 2)`` with the odd one "after" (TensorFlow, JAX "SAME",
    ONNX SAME_UPPER, PyTorch "same"), reversed with it "before" (JAX "SAME_LOWER", ONNX
    SAME_LOWER). A negative total (zeros appended to a transposed output) goes after
    whole: ``(0, total)``.

    >>> split(3), split(3, "before"), split(-2)
    (Pad(before=1, after=2), Pad(before=2, after=1), Pad(before=0, after=-2))
    """
    if odd == "after" and -8 <= total <= 24:
        return SMALL_SPLITS[total]
    return _halves(total, odd)


def _halves(total: int, odd: str) -> Pad:
    small = max(total, 0) // 2
    if odd == "after" or total < 0:
        return Pad(small, total - small)
    return Pad(total - small, small)


#: ``split(total)`` for -8 <= total <= 24, built once: building a Pad costs more than the
#: arithmetic (the negative totals at the end, where negative indices read them).
SMALL_SPLITS = tuple(_halves(total, "after") for total in (*range(25), *range(-8, 0)))


def causal_padding(k_eff: int) -> Pad:
    """The zeros a causal convolution adds (Keras's and Flax's "causal"): ``k_eff - 1``
    before, none after, so output ``i`` sees inputs ``i`` and earlier.

    >>> causal_padding(5)
    Pad(before=4, after=0)
    """
    return Pad(k_eff - 1, 0)


def full_padding(k_eff: int) -> Pad:
    """The zeros a "full" convolution adds (convshape's Keras "full", NumPy's
    ``correlate(mode="full")``): ``k_eff - 1`` on each side, so every window that overlaps
    the input counts; its transposed convolution crops the same pair.

    >>> full_padding(5)
    Pad(before=4, after=4)
    """
    return Pad(k_eff - 1, k_eff - 1)


def same_total(size: int, k_eff: int, stride: int) -> int:
    """The padding that gives "same" its ``ceil(I / s)`` windows:
    ``(ceil(I / s) - 1) * s + k_eff - I``; negative when the windows skip the input's end.

    >>> same_total(13, 6, 5), same_total(7, 1, 4)
    (3, -2)
    """
    return (ceil_div(size, stride) - 1) * stride + k_eff - size


def same_padding(size: int, k_eff: int, stride: int, odd: str = "after") -> Pad:
    """The zeros a forward "same" convolution adds: ``max(same_total, 0)`` split with the
    odd one at ``odd``.

    >>> same_padding(13, 6, 5), same_padding(13, 6, 5, "before")
    (Pad(before=1, after=2), Pad(before=2, after=1))
    """
    return split(max(same_total(size, k_eff, stride), 0), odd)


def same_crop(k_eff: int, stride: int, output_padding: int | None = None) -> Pad:
    """What a transposed "same" convolution removes from its full output, odd one at the end.

    ``O = I * s`` gives ``total = k_eff - s``; an ``output_padding`` (Keras) makes
    ``O = (I - 1) * s + k_eff % 2 + op``, ``total = k_eff - k_eff % 2 - op``. Negative:
    zeros appended at the end (a kernel shorter than the stride).

    >>> same_crop(5, 2), same_crop(1, 3), same_crop(4, 2, 1)
    (Pad(before=1, after=2), Pad(before=0, after=-2), Pad(before=1, after=2))
    """
    if output_padding is None:
        return split(k_eff - stride)
    return split(k_eff - k_eff % 2 - output_padding)


def same_output_range(size: int, stride: int) -> range:
    """The lengths a forward "same" convolution maps to ``size`` (>= 1):
    ``[(I - 1) * s + 1, I * s]``.

    >>> same_output_range(7, 2)
    range(13, 15)
    """
    return range((size - 1) * stride + 1, size * stride + 1)


def transposed_output_range(size: int, k_eff: int, stride: int, before: int, after: int) -> range:
    """The lengths >= 1 a forward convolution with padding ``(before, after)`` maps to
    ``size`` (>= 1): ``[L, L + s - 1]`` with ``L = (I - 1) * s + k_eff - before - after``.

    >>> transposed_output_range(7, 5, 2, 0, 0)
    range(17, 19)
    """
    lowest = transposed_length(size, k_eff, stride, before, after)
    return range(max(lowest, 1), max(lowest + stride, 1))


def valid_crop(k_eff: int, stride: int, output_padding: int | None = None) -> Pad:
    """What a transposed "valid" convolution removes: nothing before, and ``-op`` after
    (``op`` zeros appended), ``op`` defaulting to ``max(k_eff, s) - k_eff`` so that
    ``O = (I - 1) * s + max(k_eff, s)`` (Keras, JAX's "VALID").

    >>> valid_crop(5, 2), valid_crop(1, 3), valid_crop(5, 2, 1)
    (Pad(before=0, after=0), Pad(before=0, after=-2), Pad(before=0, after=-1))
    """
    extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
    return crop_less_output_padding(0, 0, extra)

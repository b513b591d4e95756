"""Keras's rules for one spatial dimension, under the public functions of
:mod:`convshape.arithmetic`: the resolvers from a padding mode to the (before, after) a
convolution adds or a transposed convolution crops, the validating paths (``_forward``,
``_transpose`` and each public function's ``_<name>_checked``) that check every argument
and raise or warn, and the warning for a length TensorFlow rejects at run time.

The analyses (plans, solvers, sizes, layers) call the resolvers with trusted arguments;
they import them from :mod:`convshape.arithmetic`.
"""

from __future__ import annotations

from ._core import (
    SMALL_SPLITS,
    causal_padding,
    crop_less_output_padding,
    effective_kernel,
    forward_length,
    full_padding,
    full_transposed_length,
    same_crop,
    same_output_range,
    same_padding,
    transposed_length,
    transposed_output_range,
    valid_crop,
)
from ._types import Pad
from ._validate import check_output_padding, check_padding, check_positive, check_size
from .errors import ConvShapeError, ConvShapeWarning, EmptyOutputError, _short_repr
from .errors import warn as _warn

# ---------------------------------------------------------------------------
# Keras's resolvers: trusted, validated arguments in, (before, after) out, by the
# formulas of convshape._core.


def _forward_pad(size: int | None, k_eff: int, stride: int, padding: str | Pad) -> Pad | None:
    """Zeros a forward convolution adds; None when they depend on an unknown size."""
    if isinstance(padding, Pad):
        return padding
    if padding == "valid":
        return SMALL_SPLITS[0]
    if padding == "causal":
        return causal_padding(k_eff)
    if padding == "full":
        return full_padding(k_eff)
    # "same": TensorFlow pads just enough for ceil(I / s) windows; the odd one goes after.
    if size is None:
        # With stride 1 the total is k_eff - 1 whatever the size.
        return same_padding(1, k_eff, 1) if stride == 1 else None
    return same_padding(size, k_eff, stride)


def _transpose_crop(k_eff: int, stride: int, padding: str | Pad, output_padding: int | None) -> Pad:
    """Elements a transposed convolution removes from its full output.

    The crop never depends on the input length: every mode fixes
    ``total = full - O`` independently of I.
    """
    if isinstance(padding, Pad):
        return crop_less_output_padding(padding.before, padding.after, output_padding or 0)
    if padding == "valid":
        return valid_crop(k_eff, stride, output_padding)
    if padding == "full":
        return crop_less_output_padding(*full_padding(k_eff), output_padding or 0)
    # "same": O = I * s, or (I - 1) * s + k_eff % 2 + output_padding when given.
    return same_crop(k_eff, stride, output_padding)


def _forward_length(size: int, k_eff: int, stride: int, pad: Pad) -> int:
    return forward_length(size, k_eff, stride, pad[0], pad[1])


def _transpose_length(size: int, k_eff: int, stride: int, crop: Pad) -> int:
    return transposed_length(size, k_eff, stride, crop[0], crop[1])


def _forward_is_empty(size: int, length: int, mode: str | Pad) -> bool:
    """No window fits: only an empty input under "same"/"causal" may give an empty output."""
    return length < 0 or (length == 0 and not (size == 0 and mode in ("same", "causal")))


def _transpose_is_empty(size: int, length: int) -> bool:
    """A negative length, or an empty output from a non-empty input."""
    return length < 0 or (length == 0 and size > 0)


def _received(
    size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    **extra: object,
) -> dict[str, object]:
    received: dict[str, object] = {
        "size": size,
        "kernel_size": kernel_size,
        "stride": stride,
        "padding": padding,
    }
    received.update(extra)
    received["dilation"] = dilation
    return received


def _forward(
    size: object, kernel_size: object, stride: object, padding: object, dilation: object
) -> tuple[int | None, Pad | None]:
    """Validate forward-convolution arguments; return (length, pad)."""
    checked_size = check_size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    mode = check_padding(padding, transpose=False)
    k_eff = effective_kernel(k, d)
    pad = _forward_pad(checked_size, k_eff, s, mode)
    if checked_size is None or pad is None:
        return None, pad
    length = _forward_length(checked_size, k_eff, s, pad)
    if _forward_is_empty(checked_size, length, mode):
        raise EmptyOutputError(
            f"the effective kernel ({k_eff}) is longer than the padded input "
            f"({checked_size + pad.before + pad.after} = size {checked_size} "
            f"+ padding {pad.before} + {pad.after}), so the output would be empty",
            argument="size",
            received=_received(size, kernel_size, stride, padding, dilation),
        )
    return length, pad


def _transpose(
    size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    output_padding: object,
    dilation: object,
    *,
    warn: bool = False,
) -> tuple[int | None, Pad]:
    """Validate transposed-convolution arguments; return (length, crop).

    With ``warn``, a length TensorFlow would reject at run time for a Keras
    mode ("same"/"valid") raises a :class:`ConvShapeWarning`.
    """
    checked_size = check_size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    mode = check_padding(padding, transpose=True)
    op = check_output_padding(output_padding, s, d)
    k_eff = effective_kernel(k, d)
    crop = _transpose_crop(k_eff, s, mode, op)
    if checked_size is None:
        return None, crop
    length = _transpose_length(checked_size, k_eff, s, crop)
    if _transpose_is_empty(checked_size, length):
        raise EmptyOutputError(
            f"the full transposed output ({full_transposed_length(checked_size, k_eff, s)}) "
            "minus the crop "
            f"({crop.before} + {crop.after}) leaves {length} elements; the output would be empty",
            argument="size",
            received=_received(
                size, kernel_size, stride, padding, dilation, output_padding=output_padding
            ),
        )
    if warn and _tensorflow_rejects(checked_size, k_eff, s, mode, length):
        _warn_if_tensorflow_rejects(
            checked_size,
            k_eff,
            s,
            mode,
            length,
            _received(size, kernel_size, stride, padding, dilation, output_padding=output_padding),
        )
    return length, crop


def _warn_if_tensorflow_rejects(
    size: int,
    k_eff: int,
    stride: int,
    mode: str | Pad,
    length: int,
    received: dict[str, object],
    layer: object = None,
) -> None:
    """Warn when Keras's length for "same"/"valid" is one TensorFlow refuses to run: at the
    caller's line, naming the layer, its index and its model when a model calls ``layer``."""
    if not _tensorflow_rejects(size, k_eff, stride, mode, length):
        return
    accepted = _output_range(size, k_eff, stride, mode)
    advice = (
        "with padding='same' and an even kernel, set output_padding=1 or leave it None"
        if mode == "same" and k_eff % 2 == 0
        else "choose the output_padding that gives one of them, or leave it None"
    )
    _warn(
        f"Keras predicts output length {length} here, but TensorFlow rejects it at "
        f"run time: the forward convolution does not map {length} back to {size}. "
        f"TensorFlow accepts lengths {accepted.start}..{accepted.stop - 1}; {advice}. "
        "Received: "
        + ", ".join(f"{name}={_short_repr(value)}" for name, value in received.items()),
        ConvShapeWarning,
        layer,
    )


def _tensorflow_rejects(size: int, k_eff: int, stride: int, mode: str | Pad, length: int) -> bool:
    """Keras's length for "same"/"valid" is one TensorFlow refuses to run."""
    return (
        mode in ("same", "valid")
        and size != 0
        and length not in _output_range(size, k_eff, stride, mode)
    )


def _output_range(size: int, k_eff: int, stride: int, mode: str | Pad) -> range:
    """Lengths >= 1 whose forward convolution has ``size`` (>= 1) outputs."""
    if mode == "same":
        return same_output_range(size, stride)
    pad = _forward_pad(size, k_eff, stride, mode)
    assert pad is not None  # only "same" depends on the size
    return transposed_output_range(size, k_eff, stride, *pad)


# ---------------------------------------------------------------------------
# The validating paths behind the public functions' fast paths (tests/test_fast_path.py
# holds each pair equal).


def _effective_kernel_size_checked(kernel_size: object, dilation: object = 1) -> int:
    k = check_positive(kernel_size, "kernel_size")
    d = check_positive(dilation, "dilation")
    return effective_kernel(k, d)


def _conv_output_length_checked(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    dilation: object = 1,
) -> int | None:
    return _forward(size, kernel_size, stride, padding, dilation)[0]


def _conv_padding_checked(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    dilation: object = 1,
) -> Pad:
    pad = _forward(size, kernel_size, stride, padding, dilation)[1]
    if pad is None:
        raise ConvShapeError(
            "`size` must be known for padding='same' with a stride above 1: "
            "the padding depends on the size",
            argument="size",
            received=_received(size, kernel_size, stride, padding, dilation),
        )
    return pad


def _conv_transpose_output_length_checked(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    output_padding: object = None,
    dilation: object = 1,
) -> int | None:
    return _transpose(size, kernel_size, stride, padding, output_padding, dilation, warn=True)[0]


def _conv_transpose_crop_checked(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    output_padding: object = None,
    dilation: object = 1,
) -> Pad:
    return _transpose(size, kernel_size, stride, padding, output_padding, dilation)[1]


def _conv_transpose_output_range_checked(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    dilation: object = 1,
) -> range:
    checked_size = check_size(size)
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    mode = check_padding(padding, transpose=True)
    if checked_size is None:
        raise ConvShapeError(
            "`size` must be known to compute the range of output lengths",
            argument="size",
            received=_received(size, kernel_size, stride, padding, dilation),
        )
    if checked_size == 0:
        return range(0, 1)
    return _output_range(checked_size, effective_kernel(k, d), s, mode)

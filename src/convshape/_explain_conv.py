"""A forward convolution explained by each framework's rules (behind
:func:`convshape.explain_conv`): how its ``padding`` argument becomes the zeros before
and after, in that framework's words, then the padded input and the windows.

>>> print(CONV["torch"](7, 3, 1, "same", 1).steps[1])
'same' (stride 1 only): k_eff - 1 = 2 zeros, 1 before and 1 after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from . import _explain_steps as shared
from ._core import effective_kernel
from ._render import counted
from ._types import Pad, PaddingArg
from .arithmetic import conv_output_length, conv_padding
from .explain import Explanation

__all__ = ["CONV"]


def _explained(
    title: str,
    rule: str,
    padded: str,
    size: int,
    pad: Pad,
    k: int,
    s: int,
    d: int,
    length: int,
    *,
    clamp: bool = False,
    notes: tuple[str, ...] = (),
) -> Explanation:
    """The explanation every framework's convolution gives once its padding ``rule`` and
    its ``padded`` input step are worded: the kernel's span, those two, the windows (the
    input, its padding, the window and the output length, in that order)."""
    k_eff = effective_kernel(k, d)
    windows = shared.windows_step(size + sum(pad), k_eff, s, length, clamp)
    steps = (shared.kernel_step(k, d), rule, padded, windows)
    return Explanation(title, steps, notes, **shared.forward_drawing(size, k, s, d, pad, length))


def _keras_conv(size: int, k: int, s: int, padding: PaddingArg, d: int) -> Explanation:
    length = shared.known(conv_output_length(size, k, s, padding, d), size)
    pad = conv_padding(size, k, s, padding, d)
    padded = shared.padded_step(size, k, s, d, pad)
    mode = padding.lower() if isinstance(padding, str) else padding
    rule = _keras_rule(size, s, effective_kernel(k, d), pad, mode)
    notes = []
    if mode == "same" and pad.after > pad.before:
        notes.append(
            "PyTorch pads symmetrically (padding='same' only for stride 1, the odd extra on "
            "the right as here); ONNX SAME_UPPER matches TensorFlow, SAME_LOWER does not."
        )
    title = (
        f"Convolution (Keras/TensorFlow): size {size}, kernel_size {k}, stride {s}, "
        f"padding {padding!r}, dilation {d}"
    )
    return _explained(title, rule, padded, size, pad, k, s, d, length, notes=tuple(notes))


def _keras_rule(size: int, s: int, k_eff: int, pad: Pad, mode: object) -> str:
    if mode == "same":
        return "'same': " + shared.same_step(size, s, k_eff, pad, "after")
    if mode == "causal":
        return (
            f"'causal': k_eff - 1 = {counted(pad.before, 'zero')} before, none after (each output "
            "sees only its own and earlier positions)."
        )
    if mode == "valid":
        return "'valid': no padding."
    if mode == "full":
        return (
            f"'full': k_eff - 1 = {counted(pad.before, 'zero')} on each side (a window at every "
            "position where it touches the input)."
        )
    return f"Padding {mode!r}: {counted(pad.before, 'zero')} before, {pad.after} after."


def _torch_conv(size: int, k: int, s: int, padding: PaddingArg, d: int) -> Explanation:
    pt = shared.rules("torch")
    length = shared.known(pt.conv_output_length(size, k, s, padding, d), size)
    pad = pt.conv_padding(size, k, s, padding, d)
    if padding == "same":
        total = pad.before + pad.after
        rule = (
            f"'same' (stride 1 only): k_eff - 1 = {counted(total, 'zero')}, {pad.before} before "
            f"and {pad.after} after{' (the odd one on the right)' if total % 2 else ''}."
        )
    elif padding == "valid":
        rule = "'valid': no padding."
    else:  # an int: PyTorch's rules refuse any other padding
        rule = f"padding={padding}: {counted(cast('int', padding), 'zero')} on each side."
    padded = shared.padded_step(size, k, s, d, pad)
    arguments = {"size": size, "kernel_size": k, "stride": s, "padding": padding, "dilation": d}
    title = shared.heading("Convolution", "torch", arguments)
    return _explained(title, rule, padded, size, pad, k, s, d, length)


def _jax_conv(size: int, k: int, s: int, padding: PaddingArg, d: int) -> Explanation:
    jx = shared.rules("jax")
    length = shared.known(jx.conv_output_length(size, k, s, padding, d), size)
    pad = jx.conv_padding(size, k, s, padding, d)
    rule = shared.jax_padding_step(size, s, effective_kernel(k, d), padding, pad)
    padded = shared.padded_step(size, k, s, d, pad)
    arguments = {"size": size, "kernel_size": k, "stride": s, "padding": padding, "rhs_dilation": d}
    title = shared.heading("Convolution", "jax", arguments)
    return _explained(title, rule, padded, size, pad, k, s, d, length, clamp=True)


def _onnx_rule(auto_pad: str, pad: Pad, size: int, s: int, k_eff: int) -> str:
    if auto_pad == "NOTSET":
        return f"pads ({pad.before}, {pad.after}): {pad.before} before, {pad.after} after."
    if auto_pad == "VALID":
        return "auto_pad 'VALID': no padding."
    where = "after" if auto_pad == "SAME_UPPER" else "before"
    return f"auto_pad {auto_pad!r}: " + shared.same_step(size, s, k_eff, pad, where)


def _onnx_conv(size: int, k: int, s: int, padding: PaddingArg, d: int) -> Explanation:
    auto_pad, pads = shared.onnx_padding(padding)
    ox = shared.rules("onnx")
    given = auto_pad if auto_pad != "NOTSET" else pads
    length = shared.known(ox.conv_output_length(size, k, s, given, d), size)
    pad = ox.conv_padding(size, k, s, given, d)
    padded = shared.padded_step(size, k, s, d, pad)
    rule = _onnx_rule(auto_pad, pad, size, s, effective_kernel(k, d))
    arguments = shared.onnx_arguments(k, s, auto_pad, pads)
    title = shared.heading("Convolution", "onnx", {"size": size, **arguments, "dilations": d})
    return _explained(title, rule, padded, size, pad, k, s, d, length)


#: Each framework's explanation of a forward convolution: (size, kernel_size, stride,
#: padding, dilation), the framework's own words for them.
CONV: dict[str, Callable[[int, int, int, PaddingArg, int], Explanation]] = {
    "keras": _keras_conv,
    "torch": _torch_conv,
    "jax": _jax_conv,
    "onnx": _onnx_conv,
}

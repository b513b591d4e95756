"""A forward convolution explained by each framework's rules (behind
:func:`convshape.explain_conv`): how its ``padding`` argument becomes the zeros before
and after, in that framework's words, then the padded input and the windows.

>>> print(CONV["torch"](7, 3, 1, "same", 1).steps[1])
'same' (stride 1 only): k_eff - 1 = 2 zeros, 1 before and 1 after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from ._core import effective_kernel
from ._explain_steps import (
    check_writable,
    forward_drawing,
    heading,
    kernel_step,
    known,
    onnx_arguments,
    onnx_padding,
    padded_step,
    rules,
    same_step,
    windows_step,
)
from ._render import counted
from ._types import Pad, PaddingArg
from .arithmetic import conv_output_length, conv_padding
from .explain import Explanation

__all__ = ["CONV"]


def _keras_conv(
    size: int, kernel_size: int, stride: int, padding: PaddingArg, dilation: int
) -> Explanation:
    length = known(conv_output_length(size, kernel_size, stride, padding, dilation), size)
    pad = conv_padding(size, kernel_size, stride, padding, dilation)
    k_eff = effective_kernel(kernel_size, dilation)
    check_writable(size, kernel_size, stride, dilation, size + sum(pad) + k_eff)
    padded = size + pad.before + pad.after
    mode = padding.lower() if isinstance(padding, str) else padding
    steps = [
        kernel_step(kernel_size, dilation),
        _keras_pad_step(size, stride, k_eff, pad, mode),
        f"Padded input: {size} + {pad.before} + {pad.after} = {padded}.",
        f"Windows: floor(({padded} - {k_eff}) / {stride}) + 1 = {length}.",
    ]
    notes = []
    if mode == "same" and pad.after > pad.before:
        notes.append(
            "PyTorch pads symmetrically (padding='same' only for stride 1, the odd extra on "
            "the right as here); ONNX SAME_UPPER matches TensorFlow, SAME_LOWER does not."
        )
    title = (
        f"Convolution (Keras/TensorFlow): size {size}, kernel_size {kernel_size}, "
        f"stride {stride}, padding {padding!r}, dilation {dilation}"
    )
    return Explanation(
        title,
        tuple(steps),
        tuple(notes),
        **forward_drawing(size, kernel_size, stride, dilation, pad, length),
    )


def _keras_pad_step(size: int, s: int, k_eff: int, pad: Pad, mode: object) -> str:
    if mode == "same":
        return "'same': " + same_step(size, s, k_eff, pad, "after")
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
    pt = rules("torch")
    length = known(pt.conv_output_length(size, k, s, padding, d), size)
    k_eff = effective_kernel(k, d)
    pad = pt.conv_padding(size, k, s, padding, d)
    if padding == "same":
        total = pad.before + pad.after
        rule = (
            f"'same' (stride 1 only): k_eff - 1 = {counted(total, 'zero')}, {pad.before} before "
            f"and {pad.after} after{' (the odd one on the right)' if total % 2 else ''}."
        )
    elif padding == "valid":
        rule = "'valid': no padding."
    else:  # an int: PyTorch's rules refuse anything else
        rule = f"padding={padding}: {counted(cast('int', padding), 'zero')} on each side."
    step = padded_step(size, k, s, d, pad)
    title = heading(
        "Convolution",
        "torch",
        {"size": size, "kernel_size": k, "stride": s, "padding": padding, "dilation": d},
    )
    padded = size + sum(pad)
    return Explanation(
        title,
        (kernel_step(k, d), rule, step, windows_step(padded, k_eff, s, length)),
        **forward_drawing(size, k, s, d, pad, length),
    )


def _jax_conv(size: int, k: int, s: int, padding: PaddingArg, d: int) -> Explanation:
    jx = rules("jax")
    length = known(jx.conv_output_length(size, k, s, padding, d), size)
    pad = jx.conv_padding(size, k, s, padding, d)
    k_eff = effective_kernel(k, d)
    mode = padding.upper() if isinstance(padding, str) else None
    if mode == "VALID":
        rule = "'VALID': no padding."
    elif mode is not None:
        where = "after" if mode == "SAME" else "before"
        rule = f"{padding!r}: " + same_step(size, s, k_eff, pad, where)
    else:
        sides = [
            f"{counted(-n, 'input element')} removed {side}"
            if n < 0
            else f"{counted(n, 'zero')} {side}"
            for n, side in zip(pad, ("before", "after"), strict=True)
        ]
        rule = f"(low, high) = {tuple(pad)}: {sides[0]}, {sides[1]}."
    step = padded_step(size, k, s, d, pad)
    title = heading(
        "Convolution",
        "jax",
        {"size": size, "kernel_size": k, "stride": s, "padding": padding, "rhs_dilation": d},
    )
    window = windows_step(size + sum(pad), k_eff, s, length, clamp=True)
    steps = (kernel_step(k, d), rule, step, window)
    return Explanation(title, steps, **forward_drawing(size, k, s, d, pad, length))


def _onnx_rule(auto_pad: str, pad: Pad, size: int, s: int, k_eff: int) -> str:
    if auto_pad == "NOTSET":
        return f"pads ({pad.before}, {pad.after}): {pad.before} before, {pad.after} after."
    if auto_pad == "VALID":
        return "auto_pad 'VALID': no padding."
    where = "after" if auto_pad == "SAME_UPPER" else "before"
    return f"auto_pad {auto_pad!r}: " + same_step(size, s, k_eff, pad, where)


def _onnx_conv(size: int, k: int, s: int, padding: PaddingArg, d: int) -> Explanation:
    auto_pad, pads = onnx_padding(padding)
    ox = rules("onnx")
    given = auto_pad if auto_pad != "NOTSET" else pads
    length = known(ox.conv_output_length(size, k, s, given, d), size)
    pad = ox.conv_padding(size, k, s, given, d)
    k_eff = effective_kernel(k, d)
    step = padded_step(size, k, s, d, pad)
    title = heading(
        "Convolution",
        "onnx",
        {"size": size, **onnx_arguments(k, s, auto_pad, pads), "dilations": d},
    )
    rule = _onnx_rule(auto_pad, pad, size, s, k_eff)
    window = windows_step(size + sum(pad), k_eff, s, length)
    steps = (kernel_step(k, d), rule, step, window)
    return Explanation(title, steps, **forward_drawing(size, k, s, d, pad, length))


#: Each framework's explanation of a forward convolution: (size, kernel_size, stride,
#: padding, dilation), the framework's own words for them.
CONV: dict[str, Callable[[int, int, int, PaddingArg, int], Explanation]] = {
    "keras": _keras_conv,
    "torch": _torch_conv,
    "jax": _jax_conv,
    "onnx": _onnx_conv,
}

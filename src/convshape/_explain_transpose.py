"""A transposed convolution explained by each framework's rules (behind
:func:`convshape.explain_conv_transpose`): the full output ``(I - 1) * s + k_eff`` they
all build, then how that framework's arguments set the crop, and the notes that relate
it to the convolution it transposes and to the other frameworks' arguments.

>>> print(TRANSPOSE["onnx"](4, 3, 2, "SAME_UPPER", None, 1).steps[-1])
Output: 9 - 0 - 1 = 8.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from . import _explain_steps as shared
from ._core import effective_kernel, full_transposed_length, transposed_length, valid_crop
from ._render import counted
from ._types import Pad, PaddingArg
from .arithmetic import conv_transpose_crop, conv_transpose_output_length
from .errors import ConvShapeError
from .explain import Explanation

__all__ = ["TRANSPOSE"]


def _transpose_steps(size: int, k: int, s: int, d: int, *numbers: int) -> tuple[int, list[str]]:
    """``k_eff`` and the steps every framework starts with (the kernel's span, the full
    output), once the numbers are known to be writable."""
    k_eff = effective_kernel(k, d)
    full = full_transposed_length(size, k_eff, s)
    shared.check_writable(size, k, s, d, full, *(abs(number) for number in numbers))
    steps = [
        shared.kernel_step(k, d),
        f"Full output: (I - 1) * s + k_eff = ({size} - 1) * {s} + {k_eff} = {full}.",
    ]
    return k_eff, steps


def _keras_transpose(
    size: int,
    kernel_size: int,
    stride: int,
    padding: PaddingArg,
    output_padding: int | None,
    dilation: int,
) -> Explanation:
    length = shared.known(
        conv_transpose_output_length(size, kernel_size, stride, padding, output_padding, dilation),
        size,
    )
    crop = conv_transpose_crop(size, kernel_size, stride, padding, output_padding, dilation)
    k_eff, steps = _transpose_steps(size, kernel_size, stride, dilation, crop.after, length)
    full = full_transposed_length(size, k_eff, stride)
    total = full - length
    mode = padding.lower() if isinstance(padding, str) else padding
    steps += [
        _keras_rule(size, kernel_size, stride, mode, output_padding, k_eff, length),
        _keras_crop_step(full, length, total, crop, mode),
        f"Output: {full} - {crop.before} - ({crop.after}) = {length}."
        if crop.after < 0
        else f"Output: {full} - {crop.before} - {crop.after} = {length}.",
    ]
    notes = _keras_notes(size, stride, dilation, k_eff, crop, mode, output_padding)
    title = (
        f"Transposed convolution (Keras/TensorFlow): size {size}, kernel_size {kernel_size}, "
        f"stride {stride}, padding {padding!r}, output_padding {output_padding}, "
        f"dilation {dilation}"
    )
    drawing = shared.transposed_drawing(size, kernel_size, stride, dilation, crop, length)
    return Explanation(title, tuple(steps), notes, **drawing)


def _keras_rule(
    size: int,
    k: int,
    s: int,
    mode: object,
    op: int | None,
    k_eff: int,
    length: int,
) -> str:
    if mode == "same" and op is None:
        return f"'same' without output_padding: O = I * s = {size} * {s} = {length}."
    if mode == "same":
        return (
            f"'same' with output_padding: O = (I - 1) * s + k_eff % 2 + output_padding = "
            f"({size} - 1) * {s} + {k_eff % 2} + {op} = {length}."
        )
    if mode == "valid":
        extra = -valid_crop(k_eff, s, op).after
        why = "max(k_eff, s) - k_eff" if op is None else "output_padding"
        return f"'valid': O = full + {why} = {length - extra} + {extra} = {length}."
    if mode == "full":
        return (
            f"'full': the crop is k_eff - 1 = {k_eff - 1} on each side, less output_padding after "
            "(the transpose of a 'full' convolution, which pads k_eff - 1 on each side)."
        )
    given = f"{mode} on each side"
    if isinstance(mode, tuple | list):
        given = f"{mode[0]} before, {mode[1]} after"
    return (
        f"Padding {mode!r} is the crop: {given}; output_padding {op or 0} gives "
        f"{counted(op or 0, 'position')} back at the end."
    )


def _keras_crop_step(full: int, length: int, total: int, crop: Pad, mode: object) -> str:
    text = f"Crop: {full} - {length} = {total}"
    if total == 0:
        return f"{text}: nothing is removed."
    if mode != "same" and crop.after < 0 <= crop.before:
        return (
            f"{text}: {crop.before} removed before, and {counted(-crop.after, 'zero')} "
            "appended at the end."
        )
    if mode != "same":
        return f"{text}: {crop.before} removed before and {crop.after} after."
    if total < 0:
        zeros = counted(-total, "zero")
        return f"{text}: the kernel is shorter than the stride, so {zeros} are appended."
    odd = " (the odd one at the end)" if crop.after > crop.before else ""
    return (
        f"{text} {'element' if total == 1 else 'elements'}; 'same' removes {total} // 2 = "
        f"{crop.before} before and "
        f"{total} - {crop.before} = {crop.after} after{odd}."
    )


def _keras_notes(
    size: int, stride: int, dilation: int, k_eff: int, crop: Pad, mode: object, op: int | None
) -> tuple[str, ...]:
    """The convolution a Keras crop transposes, and how the other frameworks get it."""
    notes = []
    if crop.before == crop.after:
        padded = f"padded {crop.before} on each side" if crop.before else "without padding"
        notes.append(
            f"It is the transpose of a convolution {padded} (Dumoulin & Visin's "
            f"relationship 13/14: o' = s (i' - 1) + a + k - 2p with p = {crop.before})."
        )
    elif crop.after > crop.before:
        notes.append(
            f"The crop is uneven ({crop.before} before, {crop.after} after), so no symmetric "
            f"padding p gives it: (I - 1) * s + k_eff - 2p = "
            f"{transposed_length(size, k_eff, stride, *crop)} has no integer p "
            f"(p = {sum(crop) / 2:g}); Dumoulin & Visin's relationships assume symmetric padding."
        )
    if mode == "same":
        if crop.after > crop.before:
            from .torch._crop import (  # noqa: PLC0415  (loaded when first needed)
                largest_output_padding,
                padding_for_crop,
            )

            p, given, rest = padding_for_crop(crop, stride, dilation)
            # One element more cropped before and given back after: the same length, shifted
            # (only where PyTorch takes an output_padding of 1).
            shifted = (
                f"; padding={crop.before + 1}, output_padding=1 gives the same length but every "
                "value shifted by one."
                if largest_output_padding(stride, dilation) >= 1
                else "."
            )
            notes.append(
                f"PyTorch: ConvTranspose has no 'same' and crops symmetrically{shifted} "
                f"The exact port: padding={p}, output_padding={given}, "
                f"then drop the last {counted(rest.after, 'element')}."
            )
        notes.append(
            "ONNX: auto_pad='SAME_UPPER' puts the odd extra at the end like TensorFlow; "
            "'SAME_LOWER' puts it at the start. JAX: lax.conv_transpose(..., 'SAME', "
            "transpose_kernel=True) matches TensorFlow."
        )
    return tuple(notes)


def _torch_transpose(
    size: int, k: int, s: int, padding: PaddingArg, output_padding: int | None, d: int
) -> Explanation:
    op = 0 if output_padding is None else output_padding
    padding = 0 if shared.is_valid(padding) else padding
    pt = shared.rules("torch")
    length = shared.known(pt.conv_transpose_output_length(size, k, s, padding, op, d), size)
    # An int from here: PyTorch's rules refuse any other padding.
    p = cast("int", padding)
    _, steps = _transpose_steps(size, k, s, d, p, op, length)
    steps += [
        f"padding={p} removes {p} from each side; output_padding={op} adds {op} at the end.",
        f"Output: (I - 1) * s - 2p + d * (k - 1) + output_padding + 1 = ({size} - 1) * {s} - "
        f"2 * {p} + {d} * ({k} - 1) + {op} + 1 = {length}.",
    ]
    title = shared.heading(
        "Transposed convolution",
        "torch",
        {
            "size": size,
            "kernel_size": k,
            "stride": s,
            "padding": p,
            "output_padding": op,
            "dilation": d,
        },
    )
    from .torch._crop import crop_of  # noqa: PLC0415  (loaded with PyTorch's rules)

    # The crop before output_padding, which the drawing appends itself.
    drawing = shared.transposed_drawing(size, k, s, d, crop_of(p, 0), length, appended=op)
    return Explanation(title, tuple(steps), **drawing)


def _jax_transpose(
    size: int, k: int, s: int, padding: PaddingArg, output_padding: int | None, d: int
) -> Explanation:
    if output_padding is not None:
        raise ConvShapeError(
            "lax.conv_transpose has no output_padding: give a (low, high) padding instead",
            argument="output_padding",
            received={"output_padding": output_padding},
        )
    padding = "VALID" if shared.is_valid(padding) else padding
    jx = shared.rules("jax")
    length = shared.known(jx.conv_transpose_output_length(size, k, s, padding, None, d), size)
    crop = jx.conv_transpose_crop(size, k, s, padding, None, d)
    k_eff, steps = _transpose_steps(size, k, s, d, *crop, length)
    from . import jax as lax_rules  # noqa: PLC0415  (loaded when first needed)

    low, high = lax_rules.transpose_padding_for_crop(k_eff, crop)
    spread = full_transposed_length(size, 1, s)  # the stride-dilated input
    if padding == "SAME":
        rule = (
            f"'SAME' pads the spread input k_eff + s - 2 = {low + high} in all: low = "
            + (f"k_eff - 1 = {low}" if s > k_eff - 1 else f"ceil({low + high} / 2) = {low}")
            + f", high = {high}."
        )
    elif padding == "VALID":
        rule = (
            f"'VALID' pads the spread input low = k_eff - 1 = {low} and high = s - 1 + "
            f"max(k_eff - s, 0) = {high}."
        )
    else:
        rule = f"(low, high) = ({low}, {high}) pads the spread input as given."
    steps[1:1] = [
        f"lax.conv_transpose spreads the input: (I - 1) * s + 1 = ({size} - 1) * {s} + 1 = "
        f"{counted(spread, 'position')}, {counted(s - 1, 'zero')} between."
    ]
    steps += [
        rule,
        f"Output: max({spread} + {low} + {high} - {k_eff} + 1, 0) = {length}."
        if min(low, high) >= 0
        else f"Output: max({spread} + ({low}) + ({high}) - {k_eff} + 1, 0) = {length}.",
    ]
    title = shared.heading(
        "Transposed convolution",
        "jax",
        {"size": size, "kernel_size": k, "stride": s, "padding": padding, "dilation": d},
    )
    notes = (_jax_crop_note(low, high, k_eff, crop),) if length > 0 else ()
    drawing = shared.transposed_drawing(size, k, s, d, crop, length)
    return Explanation(title, tuple(steps), notes, **drawing)


def _jax_crop_note(low: int, high: int, k_eff: int, crop: Pad) -> str:
    """How padding the spread input reads as the diagram's crop of the full output."""

    def side(pad: int, removed: int, where: str) -> str:
        if removed > 0:
            return f"{pad} removes k_eff - 1 - {pad} = {counted(removed, 'position')} {where}"
        if removed < 0:
            return f"{pad} adds {counted(-removed, 'zero')} {where}"
        return f"{pad} removes nothing {where}"

    return (
        "The diagram shows the same result as a crop of the full output: low = "
        f"{side(low, crop.before, 'at the start')}, high = {side(high, crop.after, 'at the end')}."
    )


def _onnx_transpose(
    size: int, k: int, s: int, padding: PaddingArg, output_padding: int | None, d: int
) -> Explanation:
    auto_pad, pads = shared.onnx_padding(padding)
    op = 0 if output_padding is None else output_padding
    from . import onnx as ox  # noqa: PLC0415  (loaded when first needed)

    length = ox.conv_transpose_output_length(size, k, s, auto_pad, pads, op, d)
    begin, end = ox.conv_transpose_pads(size, k, s, auto_pad, pads, op, d)
    k_eff, steps = _transpose_steps(size, k, s, d, begin, end, op, length)
    with_op = full_transposed_length(size, k_eff, s) + op
    steps[1] = (
        f"Full output: s * (I - 1) + output_padding + k_eff = {s} * ({size} - 1) + {op} + "
        f"{k_eff} = {with_op}."
    )
    if auto_pad == "NOTSET":
        rule = f"pads ({begin}, {end}): {begin} removed at the beginning, {end} at the end."
    elif auto_pad == "VALID":
        rule = "auto_pad 'VALID': nothing removed."
    else:
        total = begin + end
        where = "end" if auto_pad == "SAME_UPPER" else "beginning"
        rule = (
            f"auto_pad {auto_pad!r} aims at I * s = {size * s}: max({with_op} - {size * s}, 0) "
            f"= {total} removed, {begin} at the beginning and {end} at the end"
            f"{f' (the odd one at the {where})' if total % 2 else ''}."
        )
    steps += [rule, f"Output: {with_op} - {begin} - {end} = {length}."]
    title = shared.heading(
        "Transposed convolution",
        "onnx",
        {
            "size": size,
            **shared.onnx_arguments(k, s, auto_pad, pads),
            "output_padding": op,
            "dilations": d,
        },
    )
    drawing = shared.transposed_drawing(size, k, s, d, Pad(begin, end), length, appended=op)
    return Explanation(title, tuple(steps), **drawing)


#: Each framework's explanation of a transposed convolution: (size, kernel_size, stride,
#: padding, output_padding, dilation), the framework's own words for them.
TRANSPOSE: dict[str, Callable[[int, int, int, PaddingArg, int | None, int], Explanation]] = {
    "keras": _keras_transpose,
    "torch": _torch_transpose,
    "jax": _jax_transpose,
    "onnx": _onnx_transpose,
}

"""A pooling explained by each framework's rules (behind :func:`convshape.explain_pool`):
its padding, the windows (rounded up with ``ceil_mode``, less a last window that would
start in the right padding), and what a max or an average does with the positions
outside the input.

>>> print(POOL["onnx"](7, 3, 2, "SAME_UPPER", False, 1, "average").notes[0])
AveragePool divides by the input positions in the window only (count_include_pad=0, the default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from . import _explain_steps as shared
from ._core import ceil_div, effective_kernel, full_transposed_length
from ._render import counted
from ._types import Pad, PaddingArg
from .arithmetic import conv_output_length, conv_padding
from .errors import ConvShapeError
from .explain import Explanation

__all__ = ["POOL", "POOLS"]


#: The poolings explained, as their headings name them.
POOLS = {"max": "Max pooling", "average": "Average pooling"}


def _pool_note(framework: str, kind: str, padded: bool, past: bool) -> str:
    """What a pooling does with the positions outside the input: the padding, and those
    past the end that only a ceil_mode window reaches."""
    if kind == "max":
        kinds = ["padding positions"] if padded else []
        kinds += ["positions past the end"] if past else []
        outside = " and ".join(kinds)
        return f"{outside[0].upper()}{outside[1:]} never win the max."
    if framework == "torch":
        if not padded:
            return "AvgPool divides by the window's positions up to the end of the input only."
        beyond = ", but not the positions past the end" if past else ""
        return (
            f"AvgPool counts the zero padding in the average{beyond} (count_include_pad=True, "
            "the default)."
        )
    if framework == "onnx":
        return (
            "AveragePool divides by the input positions in the window only "
            "(count_include_pad=0, the default)."
        )
    if framework == "jax":
        return (
            "Flax's avg_pool counts the zero padding in the average (count_include_pad=True, "
            "the default); lax.reduce_window leaves the division to you."
        )
    return "The average divides by the input positions in the window only."


def _ceil_steps(size: int, before: int, padded: int, k_eff: int, s: int, length: int) -> list[str]:
    raw = ceil_div(padded - k_eff, s) + 1
    start, limit = (raw - 1) * s, size + before
    steps = [f"Windows with ceil_mode: ceil(({padded} - {k_eff}) / {s}) + 1 = {raw}."]
    # The framework's length (the core's ceil_mode_length) says whether the last window
    # went: the text shows why, start >= limit.
    if length < raw:
        steps.append(
            f"The last window would start at ({raw} - 1) * {s} = {start} (counting the padded "
            f"input from 0), in the right "
            f"padding (at or past {size} + {before} = {limit}): it is dropped, so the output "
            f"is {raw} - 1 = {length}."
        )
    else:
        steps.append(
            f"The last window starts at ({raw} - 1) * {s} = {start} (counting the padded input "
            f"from 0), inside the input or the "
            f"left padding (before {size} + {before} = {limit}): it stays, so the output is "
            f"{length}."
        )
    return steps


def _pool_explanation(
    framework: str,
    kind: str,
    arguments: dict[str, object],
    size: int,
    k: int,
    s: int,
    d: int,
    pad: Pad,
    length: int,
    rule: str,
    ceil_mode: bool,
) -> Explanation:
    k_eff = effective_kernel(k, d)
    padded = size + pad.before + pad.after
    steps = [shared.kernel_step(k, d, pool=True)] if d != 1 else []
    steps += [rule, shared.padded_step(size, k, s, d, pad)]
    if ceil_mode:
        steps += _ceil_steps(size, pad.before, padded, k_eff, s, length)
    elif padded >= k_eff or framework != "onnx":
        # JAX's windows clamp at none, where a negative padding removes the whole input.
        steps.append(shared.windows_step(padded, k_eff, s, length, clamp=framework == "jax"))
    else:
        steps.append(
            f"Windows: ({padded} - {k_eff}) / {s} rounded toward zero (C++ division), + 1 "
            f"= {length}."
        )
    # What a window does with positions outside the input matters only when one has some.
    # The windows reach (O - 1) * s + k_eff: the full output of the transposed rule.
    padded_any = max(pad) > 0 and length > 0  # JAX's empty output: no window at all
    past = length > 0 and full_transposed_length(length, k_eff, s) > padded
    notes = [_pool_note(framework, kind, padded_any, past)] if padded_any or past else []
    title = shared.heading(POOLS[kind], framework, {"size": size, **arguments})
    drawing = shared.forward_drawing(size, k, s, d, pad, length, pool=True)
    return Explanation(title, tuple(steps), tuple(notes), **drawing)


def _keras_pool(
    size: int, k: int, strides: int | None, padding: PaddingArg, ceil_mode: bool, d: int, kind: str
) -> Explanation:
    if not isinstance(padding, str) or padding not in ("valid", "same"):
        raise ConvShapeError(
            "`padding` of a Keras pooling must be 'valid' or 'same'",
            argument="padding",
            received={"padding": padding},
        )
    if ceil_mode is not False or d != 1:
        raise ConvShapeError(
            "Keras poolings have no `ceil_mode` and no `dilation`",
            argument="ceil_mode" if ceil_mode is not False else "dilation",
            received={"ceil_mode": ceil_mode, "dilation": d},
        )
    s = k if strides is None else strides
    length = shared.known(conv_output_length(size, k, s, padding), size)
    pad = conv_padding(size, k, s, padding)
    if padding == "same":
        rule = "'same': " + shared.same_step(size, s, k, pad, "after", "padding position")
    else:
        rule = "'valid': no padding."
    arguments = {"pool_size": k, "strides": s, "padding": padding}
    return _pool_explanation("keras", kind, arguments, size, k, s, 1, pad, length, rule, False)


def _torch_pool(
    size: int, k: int, strides: int | None, padding: PaddingArg, ceil_mode: bool, d: int, kind: str
) -> Explanation:
    p = 0 if shared.is_valid(padding) else padding
    if kind == "average" and d != 1:
        raise ConvShapeError(
            "`dilation` must be 1 for average pooling: PyTorch's AvgPool has none",
            argument="dilation",
            received={"dilation": d},
        )
    from .torch._crop import pad_of  # noqa: PLC0415  (loaded with PyTorch's rules)

    pt = shared.rules("torch")
    length = shared.known(pt.pool_output_length(size, k, strides, p, d, ceil_mode), size)
    p = cast("int", p)  # PyTorch's rules refuse any other padding
    s = k if strides is None else strides
    rule = (
        f"padding={p}: {counted(p, 'padding position')} on each side."
        if p
        else "padding=0: no padding."
    )
    arguments: dict[str, object] = {"kernel_size": k, "stride": s, "padding": p}
    if d != 1:
        arguments["dilation"] = d
    arguments["ceil_mode"] = ceil_mode
    return _pool_explanation(
        "torch", kind, arguments, size, k, s, d, pad_of(p), length, rule, ceil_mode
    )


def _jax_pool(
    size: int, k: int, strides: int | None, padding: PaddingArg, ceil_mode: bool, d: int, kind: str
) -> Explanation:
    s = 1 if strides is None else strides  # lax.reduce_window's and Flax's default
    padding = "VALID" if shared.is_valid(padding) else padding
    jx = shared.rules("jax")  # its rule refuses a ceil_mode: JAX's poolings have none
    length = shared.known(jx.pool_output_length(size, k, s, padding, d, ceil_mode), size)
    pad = jx.conv_padding(size, k, s, padding, d)
    rule = shared.jax_padding_step(size, s, effective_kernel(k, d), padding, pad)
    arguments: dict[str, object] = {"kernel_size": k, "stride": s, "padding": padding}
    if d != 1:
        arguments["dilation"] = d
    return _pool_explanation("jax", kind, arguments, size, k, s, d, pad, length, rule, False)


def _onnx_pool(
    size: int, k: int, strides: int | None, padding: PaddingArg, ceil_mode: bool, d: int, kind: str
) -> Explanation:
    auto_pad, pads = shared.onnx_padding(padding)
    s = 1 if strides is None else strides
    op = "MaxPool" if kind == "max" else "AveragePool"
    from . import onnx as ox  # noqa: PLC0415  (loaded when first needed)

    length = ox.pool_output_length(size, k, s, auto_pad, pads, d, ceil_mode, op)
    if auto_pad == "NOTSET":
        pad = Pad(*pads)
        rule = f"pads ({pad.before}, {pad.after}): {pad.before} before, {pad.after} after."
    elif auto_pad == "VALID":
        pad, rule = Pad(0, 0), "auto_pad 'VALID': no padding."
    else:
        pad = ox._pool_same_pads(size, k, s, auto_pad)
        needed = pad.before + pad.after
        rule = (
            f"auto_pad {auto_pad!r}: (ceil({size} / {s}) - 1) * {s} + {k} - {size} = {needed} "
            f"in all{' (the undilated kernel)' if d != 1 else ''}: {pad.before} before, "
            f"{pad.after} after."
        )
    arguments = shared.onnx_arguments(k, s, auto_pad, pads)
    if d != 1:
        arguments["dilations"] = d
    arguments["ceil_mode"] = ceil_mode
    return _pool_explanation("onnx", kind, arguments, size, k, s, d, pad, length, rule, ceil_mode)


#: Each framework's explanation of a pooling: (size, pool_size, strides, padding,
#: ceil_mode, dilation, kind), the framework's own words for them.
POOL: dict[str, Callable[[int, int, int | None, PaddingArg, bool, int, str], Explanation]] = {
    "keras": _keras_pool,
    "torch": _torch_pool,
    "jax": _jax_pool,
    "onnx": _onnx_pool,
}

"""Explanations a person can follow: the computation with the numbers plugged in, and a diagram.

>>> from convshape import explain_conv_transpose
>>> text = str(explain_conv_transpose(7, 5, stride=2, padding="same"))
>>> print(text.splitlines()[4])  # doctest: +NORMALIZE_WHITESPACE
  4. Crop: 17 - 14 = 3 elements; 'same' removes 3 // 2 = 1 before
     and 3 - 1 = 2 after (the odd one at the end).
"""

from __future__ import annotations

import dataclasses
import html
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ._core import (
    ceil_div,
    effective_kernel,
    full_transposed_length,
    transposed_length,
    valid_crop,
)
from ._diagram import Figure, ascii_lines
from ._svg import FONT, figure_svg
from ._types import Pad
from ._validate import check_choice
from .arithmetic import (
    conv_output_length,
    conv_padding,
    conv_transpose_crop,
    conv_transpose_output_length,
)
from .errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the names below are for mypy only
if TYPE_CHECKING:
    from ._frameworks import Framework

__all__ = [
    "Explanation",
    "explain_conv",
    "explain_conv_transpose",
    "explain_layer",
    "explain_nodes",
    "explain_pool",
]

#: The frameworks an explanation can follow, as its heading names them.
FRAMEWORKS = {"keras": "Keras/TensorFlow", "torch": "PyTorch", "jax": "JAX", "onnx": "ONNX"}


@dataclass(frozen=True)
class Explanation:
    """A titled walk through one computation: numbered steps, notes and a diagram.

    ``str()`` gives the text, with the diagram in at most 80 columns (the two ends of a long
    axis); ``_repr_html_()`` (notebooks, documentation) gives the steps and the same
    diagram drawn in SVG from ``figure``."""

    title: str
    steps: tuple[str, ...]
    notes: tuple[str, ...] = ()
    diagram: tuple[str, ...] = ()
    #: The explanations this one is made of (a layer's spatial dimensions, a model's layers).
    parts: tuple[Explanation, ...] = ()
    #: What the diagram shows, as data (drawn as text in ``diagram``, as SVG in HTML).
    figure: Figure | None = None

    def __str__(self) -> str:
        lines = [self.title]
        lines += [f"  {number}. {step}" for number, step in enumerate(self.steps, 1)]
        lines += [f"  - {note}" for note in self.notes]
        if self.diagram:
            lines += ["", *self.diagram]
        for part in self.parts:
            lines += ["", *(f"  {line}" if line else "" for line in str(part).splitlines())]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation: {self.title}>"

    def _repr_html_(self) -> str:
        """The explanation for a notebook: the steps as a list and the diagram in SVG."""
        lines = [
            f'<div class="convshape-explanation" style="font-family: {html.escape(FONT)}; '
            'font-size: 13px; line-height: 1.45">',
            f'<div style="font-weight: bold">{html.escape(self.title)}</div>',
        ]
        if self.steps:
            # room for the widest number: notebooks give a list about 2em, which cuts "10."
            indent = len(str(len(self.steps))) + 2
            lines.append(f'<ol style="margin: 0.3em 0; padding-left: {indent}ch">')
            lines += [f"<li>{html.escape(step)}</li>" for step in self.steps]
            lines.append("</ol>")
        if self.notes:
            lines.append('<ul style="margin: 0.3em 0">')
            lines += [f"<li>{html.escape(note)}</li>" for note in self.notes]
            lines.append("</ul>")
        if self.figure is not None:
            lines.append(f'<div style="overflow-x: auto">{figure_svg(self.figure)}</div>')
        elif self.diagram:
            lines.append(f"<pre>{html.escape(chr(10).join(self.diagram))}</pre>")
        for part in self.parts:
            lines.append(f'<div style="margin: 0.8em 0 0 1.2em">{part._repr_html_()}</div>')
        lines.append("</div>")
        return "\n".join(lines)


def _check_known(size: int | None) -> None:
    """An explanation works with numbers: an unknown size (None) has none to show."""
    if size is None:
        raise ConvShapeError(
            "`size` must be known (not None) to explain it",
            argument="size",
            received={"size": size},
        )


def _known(length: int | None, size: int | None) -> int:
    """A framework's length once ``size`` is checked known (a known size has a known
    length)."""
    _check_known(size)
    return cast("int", length)


def _check_writable(*numbers: int) -> None:
    """An explanation writes out its numbers: refuse those Python cannot write in decimal."""
    limit = sys.get_int_max_str_digits()
    # Below 2 ** (3 * limit) a number has fewer than ``limit`` digits: no power of 10 built.
    if limit and max(numbers).bit_length() > 3 * limit and max(numbers) >= 10**limit:
        raise ConvShapeError(
            f"the numbers of this explanation have more than {limit} digits, too many to write out",
            argument="size",
            received={"numbers": max(numbers)},
        )


def _forward(
    size: int, kernel: int, stride: int, dilation: int, pad: Pad, length: int, pool: bool = False
) -> dict[str, Any]:
    """A forward window's diagram and figure, as Explanation's keyword arguments."""
    if size <= 0 or length <= 0:
        return {}
    figure = Figure(False, size, kernel, stride, dilation, pad.before, pad.after, length, pool)
    return {"diagram": ascii_lines(figure), "figure": figure}


def _transposed(
    size: int, kernel: int, stride: int, dilation: int, crop: Pad, length: int, appended: int = 0
) -> dict[str, Any]:
    """A transposed convolution's diagram and figure, as Explanation's keyword arguments:
    ``appended`` zeros end the full output before ``crop`` (output_padding, as PyTorch and
    ONNX explain it)."""
    if size <= 0 or length <= 0:
        return {}
    before, after = crop
    figure = Figure(True, size, kernel, stride, dilation, before, after, size, False, appended)
    return {"diagram": ascii_lines(figure), "figure": figure}


def explain_conv_transpose(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Any = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
    *,
    framework: str = "keras",
) -> Explanation:
    """How a transposed convolution gets its length and its crop, step by step, by the
    rules of ``framework``; the last step's number is what that framework computes.

    Every framework first builds the full output ``(I - 1) * s + k_eff`` (``k_eff =
    (k - 1) * d + 1``) and then crops it; they differ in how the arguments set the crop:

    - ``"keras"``: as :func:`conv_transpose_output_length` ("valid", "same", "full", an int
      or a (before, after) pair as the crop; ``output_padding`` None or an int).
    - ``"torch"``: ``nn.ConvTranspose*d``, ``O = (I - 1) s - 2p + d (k - 1) +
      output_padding + 1`` with an int ``padding`` p (``output_padding`` None means 0).
    - ``"jax"``: ``lax.conv_transpose``, ``padding`` "SAME", "VALID" or a (low, high) pair
      padding the stride-dilated input; no ``output_padding``.
    - ``"onnx"``: ``ConvTranspose``, ``O = s (I - 1) + output_padding + k_eff - begin -
      end`` with ``padding`` an ``auto_pad`` ("NOTSET", "VALID", "SAME_UPPER",
      "SAME_LOWER") or the ``pads`` (an int for both ends, or a (begin, end) pair).

    The default ``padding="valid"`` is each framework's "no padding" ("VALID", 0).

    >>> print(explain_conv_transpose(28, 5, stride=3, padding="same").steps[3])
    Crop: 86 - 84 = 2 elements; 'same' removes 2 // 2 = 1 before and 2 - 1 = 1 after.
    >>> print(explain_conv_transpose(7, 3, 2, 1, 1, framework="torch").steps[-1])
    Output: (I - 1) * s - 2p + d * (k - 1) + output_padding + 1 = (7 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1 = 14.
    """  # noqa: E501  (a doctest output line is as long as it is)
    name = _framework(framework, ("keras", "torch", "jax", "onnx"), "a transposed convolution")
    if name != "keras":
        return _OTHER_TRANSPOSE[name](size, kernel_size, stride, padding, output_padding, dilation)
    length = conv_transpose_output_length(
        size, kernel_size, stride, padding, output_padding, dilation
    )
    _check_known(size)
    crop = conv_transpose_crop(size, kernel_size, stride, padding, output_padding, dilation)
    k_eff = effective_kernel(kernel_size, dilation)
    full = full_transposed_length(size, k_eff, stride)
    _check_writable(size, kernel_size, stride, dilation, full, abs(crop.after), length)
    total = full - length
    mode = padding.lower() if isinstance(padding, str) else padding
    steps = [
        _kernel_step(kernel_size, dilation),
        f"Full output: (I - 1) * s + k_eff = ({size} - 1) * {stride} + {k_eff} = {full}.",
        _transpose_rule(size, kernel_size, stride, mode, output_padding, k_eff, length),
        _crop_step(full, length, total, crop, mode),
        f"Output: {full} - {crop.before} - ({crop.after}) = {length}."
        if crop.after < 0
        else f"Output: {full} - {crop.before} - {crop.after} = {length}.",
    ]
    notes = _transpose_notes(size, stride, dilation, k_eff, crop, mode, output_padding)
    title = (
        f"Transposed convolution (Keras/TensorFlow): size {size}, kernel_size {kernel_size}, "
        f"stride {stride}, padding {padding!r}, output_padding {output_padding}, "
        f"dilation {dilation}"
    )
    drawing = _transposed(size, kernel_size, stride, dilation, crop, length)
    return Explanation(title, tuple(steps), notes, **drawing)


def _transpose_rule(
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
        f"{_many(op or 0, 'position')} back at the end."
    )


def _crop_step(full: int, length: int, total: int, crop: Pad, mode: object) -> str:
    text = f"Crop: {full} - {length} = {total}"
    if total == 0:
        return f"{text}: nothing is removed."
    if mode != "same" and crop.after < 0 <= crop.before:
        return (
            f"{text}: {crop.before} removed before, and {_many(-crop.after, 'zero')} "
            "appended at the end."
        )
    if mode != "same":
        return f"{text}: {crop.before} removed before and {crop.after} after."
    if total < 0:
        zeros = _many(-total, "zero")
        return f"{text}: the kernel is shorter than the stride, so {zeros} are appended."
    odd = " (the odd one at the end)" if crop.after > crop.before else ""
    return (
        f"{text} {'element' if total == 1 else 'elements'}; 'same' removes {total} // 2 = "
        f"{crop.before} before and "
        f"{total} - {crop.before} = {crop.after} after{odd}."
    )


def _transpose_notes(
    size: int, stride: int, dilation: int, k_eff: int, crop: Pad, mode: object, op: int | None
) -> tuple[str, ...]:
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
                f"then drop the last {_many(rest.after, 'element')}."
            )
        notes.append(
            "ONNX: auto_pad='SAME_UPPER' puts the odd extra at the end like TensorFlow; "
            "'SAME_LOWER' puts it at the start. JAX: lax.conv_transpose(..., 'SAME', "
            "transpose_kernel=True) matches TensorFlow."
        )
    return tuple(notes)


def explain_conv(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Any = "valid",
    dilation: int = 1,
    *,
    framework: str = "keras",
) -> Explanation:
    """How a forward convolution gets its padding and length, step by step, by the rules
    of ``framework``; the last step's number is what that framework computes.

    Every framework pads the input with ``before`` and ``after`` zeros and slides the
    window: ``O = floor((I + before + after - k_eff) / s) + 1``, ``k_eff = (k - 1) * d + 1``.
    They differ in how ``padding`` sets ``before`` and ``after``:

    - ``"keras"``: as :func:`conv_output_length` ("valid", "same", "causal", "full", an int
      or a (before, after) pair).
    - ``"torch"``: ``nn.Conv*d``, an int p on both sides, "valid", or "same" (stride 1 only,
      the odd zero on the right).
    - ``"jax"``: ``lax.conv_general_dilated``, "SAME" (the odd zero after), "SAME_LOWER"
      (before), "VALID" or a (low, high) pair, negative to crop; an empty output is 0.
    - ``"onnx"``: ``Conv``, an ``auto_pad`` ("NOTSET", "VALID", "SAME_UPPER",
      "SAME_LOWER") or the ``pads`` (an int for both ends, or a (begin, end) pair).

    The default ``padding="valid"`` is each framework's "no padding" ("VALID", 0).
    For poolings see :func:`explain_pool`.

    >>> print("\\n".join(explain_conv(13, 6, stride=5, padding="same").diagram))
    The window of each output position over the input:
    input:       p  1  2  3  4  5  6  7  8  9 10 11 12 13  p  p
    output 1:   [================]
    output 2:                  [================]
    output 3:                                 [================]
    Key: p zero padding; [===] what one window reads
    >>> print(explain_conv(13, 6, 5, "SAME_LOWER", framework="onnx").steps[-1])
    Windows: floor((16 - 6) / 5) + 1 = 3.
    """
    name = _framework(framework, ("keras", "torch", "jax", "onnx"), "a convolution")
    if name != "keras":
        return _OTHER_CONV[name](size, kernel_size, stride, padding, dilation)
    length = conv_output_length(size, kernel_size, stride, padding, dilation)
    _check_known(size)
    pad = conv_padding(size, kernel_size, stride, padding, dilation)
    k_eff = effective_kernel(kernel_size, dilation)
    _check_writable(size, kernel_size, stride, dilation, size + sum(pad) + k_eff)
    padded = size + pad.before + pad.after
    mode = padding.lower() if isinstance(padding, str) else padding
    steps = [
        _kernel_step(kernel_size, dilation),
        _pad_step(size, stride, k_eff, pad, mode),
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
        **_forward(size, kernel_size, stride, dilation, pad, length),
    )


def _pad_step(size: int, s: int, k_eff: int, pad: Pad, mode: object) -> str:
    if mode == "same":
        windows = ceil_div(size, s)
        total = pad.before + pad.after
        return (
            f"'same': ceil({size} / {s}) = {windows} windows need max(({windows} - 1) * {s} + "
            f"{k_eff} - {size}, 0) = {_many(total, 'zero')}: {pad.before} before, "
            f"{pad.after} after{' (the odd one after)' if total % 2 else ''}."
        )
    if mode == "causal":
        return (
            f"'causal': k_eff - 1 = {_many(pad.before, 'zero')} before, none after (each output "
            "sees only its own and earlier positions)."
        )
    if mode == "valid":
        return "'valid': no padding."
    if mode == "full":
        return (
            f"'full': k_eff - 1 = {_many(pad.before, 'zero')} on each side (a window at every "
            "position where it touches the input)."
        )
    return f"Padding {mode!r}: {_many(pad.before, 'zero')} before, {pad.after} after."


def _rules(framework: str) -> Framework:
    """A framework's rules from the table, which loads the framework's module when first
    needed."""
    from ._frameworks import framework as entry  # noqa: PLC0415  (loads the frameworks)

    return entry(framework)


def _framework(framework: object, supported: tuple[str, ...], what: str) -> str:
    if not isinstance(framework, str) or framework not in supported:
        raise ConvShapeError(
            f"`framework` must be {', '.join(map(repr, supported))} to explain {what}",
            argument="framework",
            received={"framework": framework},
        )
    return framework


def _heading(what: str, framework: str, arguments: dict[str, object]) -> str:
    shown = ", ".join(f"{name} {value!r}" for name, value in arguments.items())
    return f"{what} ({FRAMEWORKS[framework]}): {shown}"


def _kernel_step(kernel_size: int, dilation: int) -> str:
    k_eff = effective_kernel(kernel_size, dilation)
    spread = f"{kernel_size} weights, {dilation} apart"
    if dilation == 1:
        spread = "no dilation"
    elif kernel_size == 1:
        spread = "one weight: dilation changes nothing"
    return (
        f"Kernel span: k_eff = (k - 1) * d + 1 = ({kernel_size} - 1) * {dilation} + 1 "
        f"= {_many(k_eff, 'position')} ({spread})."
    )


def _many(count: int, word: str) -> str:
    """``count`` and ``word``, plural unless there is one: "1 zero", "3 zeros"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _same_step(size: int, s: int, k_eff: int, pad: Pad, where: str, what: str = "zero") -> str:
    windows = ceil_div(size, s)
    total = pad.before + pad.after
    return (
        f"ceil({size} / {s}) = {windows} windows need max(({windows} - 1) * {s} + "
        f"{k_eff} - {size}, 0) = {_many(total, what)}: {pad.before} before, {pad.after} after"
        f"{f' (the odd one {where})' if total % 2 else ''}."
    )


def _windows_step(padded: int, k_eff: int, stride: int, length: int, clamp: bool = False) -> str:
    rule = f"floor(({padded} - {k_eff}) / {stride}) + 1"
    return f"Windows: {f'max({rule}, 0)' if clamp else rule} = {length}."


def _padded_step(size: int, k: int, stride: int, dilation: int, pad: Pad) -> str:
    """The padded input's length (the step every forward window shares), once its numbers
    are known to be writable."""
    k_eff = effective_kernel(k, dilation)
    _check_writable(size, k, stride, dilation, abs(pad.before) + abs(pad.after) + size + k_eff)
    padded = size + pad.before + pad.after
    before, after = (f"({n})" if n < 0 else str(n) for n in pad)
    return f"Padded input: {size} + {before} + {after} = {padded}."


def _torch_conv(size: int, k: int, s: int, padding: Any, d: int) -> Explanation:
    pt = _rules("torch")
    length = _known(pt.conv_output_length(size, k, s, padding, d), size)
    k_eff = effective_kernel(k, d)
    pad = pt.conv_padding(size, k, s, padding, d)
    if padding == "same":
        total = pad.before + pad.after
        rule = (
            f"'same' (stride 1 only): k_eff - 1 = {_many(total, 'zero')}, {pad.before} before and "
            f"{pad.after} after{' (the odd one on the right)' if total % 2 else ''}."
        )
    elif padding == "valid":
        rule = "'valid': no padding."
    else:
        rule = f"padding={padding}: {_many(padding, 'zero')} on each side."
    padded_step = _padded_step(size, k, s, d, pad)
    title = _heading(
        "Convolution",
        "torch",
        {"size": size, "kernel_size": k, "stride": s, "padding": padding, "dilation": d},
    )
    padded = size + sum(pad)
    return Explanation(
        title,
        (_kernel_step(k, d), rule, padded_step, _windows_step(padded, k_eff, s, length)),
        **_forward(size, k, s, d, pad, length),
    )


def _jax_conv(size: int, k: int, s: int, padding: Any, d: int) -> Explanation:
    jx = _rules("jax")
    length = _known(jx.conv_output_length(size, k, s, padding, d), size)
    pad = jx.conv_padding(size, k, s, padding, d)
    k_eff = effective_kernel(k, d)
    mode = padding.upper() if isinstance(padding, str) else None
    if mode == "VALID":
        rule = "'VALID': no padding."
    elif mode is not None:
        where = "after" if mode == "SAME" else "before"
        rule = f"{padding!r}: " + _same_step(size, s, k_eff, pad, where)
    else:
        sides = [
            f"{_many(-n, 'input element')} removed {side}"
            if n < 0
            else f"{_many(n, 'zero')} {side}"
            for n, side in zip(pad, ("before", "after"), strict=True)
        ]
        rule = f"(low, high) = {tuple(pad)}: {sides[0]}, {sides[1]}."
    padded_step = _padded_step(size, k, s, d, pad)
    title = _heading(
        "Convolution",
        "jax",
        {"size": size, "kernel_size": k, "stride": s, "padding": padding, "rhs_dilation": d},
    )
    window = _windows_step(size + sum(pad), k_eff, s, length, clamp=True)
    steps = (_kernel_step(k, d), rule, padded_step, window)
    return Explanation(title, steps, **_forward(size, k, s, d, pad, length))


def _is_valid(padding: object) -> bool:
    """Whether ``padding`` is the default "valid", which every framework reads as its own
    "no padding"."""
    return isinstance(padding, str) and padding == "valid"


def _onnx_padding(padding: Any) -> tuple[str, Any]:
    """``padding`` as ONNX's (auto_pad, pads); the default "valid" is auto_pad VALID."""
    if _is_valid(padding):
        return "VALID", (0, 0)
    if isinstance(padding, str):
        if padding not in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"):
            raise ConvShapeError(
                "`padding` for ONNX must be an auto_pad ('NOTSET', 'VALID', 'SAME_UPPER', "
                "'SAME_LOWER'), an int or a (begin, end) pair of pads",
                argument="padding",
                received={"padding": padding},
            )
        return padding, (0, 0)
    if isinstance(padding, int) and not isinstance(padding, bool):
        return "NOTSET", (padding, padding)
    return "NOTSET", padding


def _onnx_rule(auto_pad: str, pads: Any, pad: Pad, size: int, s: int, k_eff: int) -> str:
    if auto_pad == "NOTSET":
        return f"pads ({pad.before}, {pad.after}): {pad.before} before, {pad.after} after."
    if auto_pad == "VALID":
        return "auto_pad 'VALID': no padding."
    where = "after" if auto_pad == "SAME_UPPER" else "before"
    return f"auto_pad {auto_pad!r}: " + _same_step(size, s, k_eff, pad, where)


def _onnx_arguments(k: int, s: int, auto_pad: str, pads: Any) -> dict[str, object]:
    arguments: dict[str, object] = {"kernel_shape": k, "strides": s, "auto_pad": auto_pad}
    if auto_pad == "NOTSET":
        arguments["pads"] = tuple(pads)
    return arguments


def _onnx_conv(size: int, k: int, s: int, padding: Any, d: int) -> Explanation:
    auto_pad, pads = _onnx_padding(padding)
    ox = _rules("onnx")
    given = auto_pad if auto_pad != "NOTSET" else pads
    length = _known(ox.conv_output_length(size, k, s, given, d), size)
    pad = ox.conv_padding(size, k, s, given, d)
    k_eff = effective_kernel(k, d)
    padded_step = _padded_step(size, k, s, d, pad)
    title = _heading(
        "Convolution",
        "onnx",
        {"size": size, **_onnx_arguments(k, s, auto_pad, pads), "dilations": d},
    )
    rule = _onnx_rule(auto_pad, pads, pad, size, s, k_eff)
    window = _windows_step(size + sum(pad), k_eff, s, length)
    steps = (_kernel_step(k, d), rule, padded_step, window)
    return Explanation(title, steps, **_forward(size, k, s, d, pad, length))


_OTHER_CONV: dict[str, Callable[[int, int, int, Any, int], Explanation]] = {
    "torch": _torch_conv,
    "jax": _jax_conv,
    "onnx": _onnx_conv,
}


def _transpose_steps(size: int, k: int, s: int, d: int, *numbers: int) -> tuple[int, list[str]]:
    k_eff = effective_kernel(k, d)
    full = full_transposed_length(size, k_eff, s)
    _check_writable(size, k, s, d, full, *(abs(number) for number in numbers))
    steps = [
        _kernel_step(k, d),
        f"Full output: (I - 1) * s + k_eff = ({size} - 1) * {s} + {k_eff} = {full}.",
    ]
    return k_eff, steps


def _torch_transpose(
    size: int, k: int, s: int, padding: Any, output_padding: int | None, d: int
) -> Explanation:
    op = 0 if output_padding is None else output_padding
    padding = 0 if _is_valid(padding) else padding
    pt = _rules("torch")
    length = _known(pt.conv_transpose_output_length(size, k, s, padding, op, d), size)
    _, steps = _transpose_steps(size, k, s, d, padding, op, length)
    steps += [
        f"padding={padding} removes {padding} from each side; output_padding={op} adds {op} "
        "at the end.",
        f"Output: (I - 1) * s - 2p + d * (k - 1) + output_padding + 1 = ({size} - 1) * {s} - "
        f"2 * {padding} + {d} * ({k} - 1) + {op} + 1 = {length}.",
    ]
    title = _heading(
        "Transposed convolution",
        "torch",
        {
            "size": size,
            "kernel_size": k,
            "stride": s,
            "padding": padding,
            "output_padding": op,
            "dilation": d,
        },
    )
    drawing = _transposed(size, k, s, d, Pad(padding, padding), length, appended=op)
    return Explanation(title, tuple(steps), **drawing)


def _jax_transpose(
    size: int, k: int, s: int, padding: Any, output_padding: int | None, d: int
) -> Explanation:
    if output_padding is not None:
        raise ConvShapeError(
            "lax.conv_transpose has no output_padding: give a (low, high) padding instead",
            argument="output_padding",
            received={"output_padding": output_padding},
        )
    padding = "VALID" if _is_valid(padding) else padding
    jx = _rules("jax")
    length = _known(jx.conv_transpose_output_length(size, k, s, padding, None, d), size)
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
        f"{_many(spread, 'position')}, {_many(s - 1, 'zero')} between."
    ]
    steps += [
        rule,
        f"Output: max({spread} + {low} + {high} - {k_eff} + 1, 0) = {length}."
        if min(low, high) >= 0
        else f"Output: max({spread} + ({low}) + ({high}) - {k_eff} + 1, 0) = {length}.",
    ]
    title = _heading(
        "Transposed convolution",
        "jax",
        {"size": size, "kernel_size": k, "stride": s, "padding": padding, "dilation": d},
    )
    notes = (_jax_crop_note(low, high, k_eff, crop),) if length > 0 else ()
    drawing = _transposed(size, k, s, d, crop, length)
    return Explanation(title, tuple(steps), notes, **drawing)


def _jax_crop_note(low: int, high: int, k_eff: int, crop: Pad) -> str:
    """How padding the spread input reads as the diagram's crop of the full output."""

    def side(pad: int, removed: int, where: str) -> str:
        if removed > 0:
            return f"{pad} removes k_eff - 1 - {pad} = {_many(removed, 'position')} {where}"
        if removed < 0:
            return f"{pad} adds {_many(-removed, 'zero')} {where}"
        return f"{pad} removes nothing {where}"

    return (
        "The diagram shows the same result as a crop of the full output: low = "
        f"{side(low, crop.before, 'at the start')}, high = {side(high, crop.after, 'at the end')}."
    )


def _onnx_transpose(
    size: int, k: int, s: int, padding: Any, output_padding: int | None, d: int
) -> Explanation:
    auto_pad, pads = _onnx_padding(padding)
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
    title = _heading(
        "Transposed convolution",
        "onnx",
        {
            "size": size,
            **_onnx_arguments(k, s, auto_pad, pads),
            "output_padding": op,
            "dilations": d,
        },
    )
    drawing = _transposed(size, k, s, d, Pad(begin, end), length, appended=op)
    return Explanation(title, tuple(steps), **drawing)


_OTHER_TRANSPOSE: dict[str, Callable[[int, int, int, Any, int | None, int], Explanation]] = {
    "torch": _torch_transpose,
    "jax": _jax_transpose,
    "onnx": _onnx_transpose,
}


_POOLS = {"max": "Max pooling", "average": "Average pooling"}


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
    return "The average divides by the input positions in the window only."


def explain_pool(
    size: int,
    pool_size: int,
    strides: int | None = None,
    padding: Any = "valid",
    *,
    framework: str = "keras",
    ceil_mode: bool = False,
    dilation: int = 1,
    kind: str = "max",
) -> Explanation:
    """How a max (``kind="max"``) or average (``kind="average"``) pooling gets its length,
    step by step, by the rules of ``framework``; the last step's number is what that
    framework computes.

    ``O = floor((I + before + after - k_eff) / s) + 1`` windows, ``k_eff = (k - 1) * d + 1``;
    with ``ceil_mode`` the division rounds up, and a last window that would start in the
    right padding (at or past ``I + before``) is dropped. ``strides=None`` is the
    framework's default and ``padding="valid"`` means no padding in every framework.

    - ``"keras"``: ``MaxPooling*D``/``AveragePooling*D``, ``padding`` "valid" or "same",
      strides default to ``pool_size``; no ``ceil_mode``, no ``dilation``.
    - ``"torch"``: ``nn.MaxPool*d``/``nn.AvgPool*d``, an int ``padding`` on both sides (at
      most half the kernel), strides default to the kernel, ``ceil_mode``, ``dilation``
      (MaxPool only).
    - ``"onnx"``: ``MaxPool``/``AveragePool``, ``padding`` an ``auto_pad`` ("NOTSET",
      "VALID", "SAME_UPPER", "SAME_LOWER") or the ``pads`` (an int for both ends, or a
      (begin, end) pair), strides default to 1, ``ceil_mode``, ``dilation``.

    >>> text = explain_pool(8, 3, 2, 0, framework="torch", ceil_mode=True)
    >>> print(text.title)
    Max pooling (PyTorch): size 8, kernel_size 3, stride 2, padding 0, ceil_mode True
    >>> print("\\n".join(text.steps))  # doctest: +NORMALIZE_WHITESPACE
    padding=0: no padding.
    Padded input: 8 + 0 + 0 = 8.
    Windows with ceil_mode: ceil((8 - 3) / 2) + 1 = 4.
    The last window starts at (4 - 1) * 2 = 6 (counting the padded input from 0), inside
    the input or the left padding (before 8 + 0 = 8): it stays, so the output is 4.
    """
    name = _framework(framework, ("keras", "torch", "onnx"), "a pooling")
    check_choice(kind, "kind", tuple(_POOLS))
    if name == "keras":
        return _keras_pool(size, pool_size, strides, padding, ceil_mode, dilation, kind)
    if name == "torch":
        return _torch_pool(size, pool_size, strides, padding, ceil_mode, dilation, kind)
    return _onnx_pool(size, pool_size, strides, padding, ceil_mode, dilation, kind)


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
    steps = [_kernel_step(k, d)] if d != 1 else []
    steps += [rule, _padded_step(size, k, s, d, pad)]
    if ceil_mode:
        steps += _ceil_steps(size, pad.before, padded, k_eff, s, length)
    elif padded >= k_eff or framework != "onnx":
        steps.append(_windows_step(padded, k_eff, s, length))
    else:
        steps.append(
            f"Windows: ({padded} - {k_eff}) / {s} rounded toward zero (C++ division), + 1 "
            f"= {length}."
        )
    # What a window does with positions outside the input matters only when one has some.
    # The windows reach (O - 1) * s + k_eff: the full output of the transposed rule.
    padded_any, past = max(pad) > 0, full_transposed_length(length, k_eff, s) > padded
    notes = [_pool_note(framework, kind, padded_any, past)] if padded_any or past else []
    title = _heading(_POOLS[kind], framework, {"size": size, **arguments})
    drawing = _forward(size, k, s, d, pad, length, pool=True)
    return Explanation(title, tuple(steps), tuple(notes), **drawing)


def _keras_pool(
    size: int, k: int, strides: int | None, padding: Any, ceil_mode: bool, d: int, kind: str
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
    length = conv_output_length(size, k, s, padding)
    _check_known(size)
    pad = conv_padding(size, k, s, padding)
    if padding == "same":
        rule = "'same': " + _same_step(size, s, k, pad, "after", "padding position")
    else:
        rule = "'valid': no padding."
    arguments = {"pool_size": k, "strides": s, "padding": padding}
    return _pool_explanation("keras", kind, arguments, size, k, s, 1, pad, length, rule, False)


def _torch_pool(
    size: int, k: int, strides: int | None, padding: Any, ceil_mode: bool, d: int, kind: str
) -> Explanation:
    p = 0 if _is_valid(padding) else padding
    if kind == "average" and d != 1:
        raise ConvShapeError(
            "`dilation` must be 1 for average pooling: PyTorch's AvgPool has none",
            argument="dilation",
            received={"dilation": d},
        )
    pt = _rules("torch")
    length = _known(pt.pool_output_length(size, k, strides, p, d, ceil_mode), size)
    s = k if strides is None else strides
    rule = (
        f"padding={p}: {_many(p, 'padding position')} on each side."
        if p
        else "padding=0: no padding."
    )
    arguments: dict[str, object] = {"kernel_size": k, "stride": s, "padding": p}
    if d != 1:
        arguments["dilation"] = d
    arguments["ceil_mode"] = ceil_mode
    return _pool_explanation(
        "torch", kind, arguments, size, k, s, d, Pad(p, p), length, rule, ceil_mode
    )


def _onnx_pool(
    size: int, k: int, strides: int | None, padding: Any, ceil_mode: bool, d: int, kind: str
) -> Explanation:
    auto_pad, pads = _onnx_padding(padding)
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
    arguments = _onnx_arguments(k, s, auto_pad, pads)
    if d != 1:
        arguments["dilations"] = d
    arguments["ceil_mode"] = ceil_mode
    return _pool_explanation("onnx", kind, arguments, size, k, s, d, pad, length, rule, ceil_mode)


#: The spatial axes by name, in the order Keras lays them out, for 1, 2 and 3 dimensions.
AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _axes_label(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def explain_layer(layer: Any, input_shape: Sequence[int | None]) -> Explanation:
    """A layer's output shape, and for convolutions and poolings each spatial axis
    explained (used by ``layer.explain(input_shape)``); axes with the same explanation are
    explained once, labelled with the axes they cover ("height and width").

    >>> from convshape import layers
    >>> pooled = layers.MaxPooling2D((2, 3)).explain((None, 6, 6, 1))
    >>> [part.title.split(":")[0] for part in pooled.parts]
    ['height', 'width']
    >>> print(layers.Conv2D(1, 3).explain((None, 5, 5, 1)).parts[0].title)
    height and width: Convolution (Keras/TensorFlow): size 5, kernel_size 3, stride 1, padding 'valid', dilation 1
    """  # noqa: E501  (a doctest output line is as long as it is)
    shape = tuple(input_shape)
    output = layer.compute_output_shape(shape)
    name = f"{layer.name or type(layer).__name__} ({type(layer).__name__})"
    title = f"{name}: {shape} -> {output}"
    # Loaded when first needed: the geometry protocol imports every layer kind.
    from ._geometry import windowed  # noqa: PLC0415
    from .layers.pooling import (  # noqa: PLC0415
        MaxPooling1D,
        MaxPooling2D,
        MaxPooling3D,
        _Pooling,
    )

    windows = windowed(layer)
    if windows is None:
        return Explanation(title, ())
    geometry = windows.geometry
    names = AXIS_NAMES.get(len(geometry)) or tuple(f"axis {a.axis}" for a in geometry)
    pooling = None
    if isinstance(layer, _Pooling):
        maximum = isinstance(layer, (MaxPooling1D, MaxPooling2D, MaxPooling3D))
        pooling = "max" if maximum else "average"
    groups: dict[Explanation, list[str]] = {}
    for axis_name, axis in zip(names, geometry, strict=True):
        size = shape[axis.axis]
        if size is None:
            part = Explanation("unknown size, unknown output", ())
        elif axis.transposed:
            part = explain_conv_transpose(
                size, axis.kernel, axis.stride, axis.padding, axis.output_padding, axis.dilation
            )
        elif pooling is not None:
            part = explain_pool(size, axis.kernel, axis.stride, axis.padding, kind=pooling)
        else:
            part = explain_conv(size, axis.kernel, axis.stride, axis.padding, axis.dilation)
        groups.setdefault(part, []).append(axis_name)
    parts = tuple(
        dataclasses.replace(part, title=f"{_axes_label(axes)}: {part.title}")
        for part, axes in groups.items()
    )
    return Explanation(title, (), parts=parts)


def _shapes_text(shapes: Sequence[Any]) -> str:
    return str(shapes[0]) if len(shapes) == 1 else "[" + ", ".join(map(str, shapes)) + "]"


def explain_nodes(name: str, nodes: Sequence[Any], outputs: Sequence[Any]) -> Explanation:
    """Every layer call of a model's graph in turn (used by ``model.explain()``): one
    input and one output explained as ``layer.explain`` does, merges and nested models
    by their shapes."""
    from ._geometry import windowed  # noqa: PLC0415  (loaded when first needed)

    parts = []
    inputs = [node.outputs.shape for node in nodes if node.is_input]
    for node in nodes:
        if node.is_input:
            continue
        shapes_in = [tensor.shape for tensor in node.input_tensors]
        shapes_out = [tensor.shape for tensor in node.output_tensors]
        operation = node.operation
        if len(shapes_in) == 1 and len(shapes_out) == 1 and windowed(operation) is not None:
            part = explain_layer(operation, shapes_in[0])
        else:
            title = (
                f"{operation.name} ({type(operation).__name__}): "
                f"{_shapes_text(shapes_in)} -> {_shapes_text(shapes_out)}"
            )
            part = Explanation(title, ())
        parts.append(part)
    # The steps name every layer call; the parts explain those with something to explain.
    steps = tuple(part.title for part in parts)
    return Explanation(
        f'Model "{name}": {_shapes_text(inputs)} -> {_shapes_text(outputs)}',
        steps,
        parts=tuple(part for part in parts if part.steps or part.parts),
    )

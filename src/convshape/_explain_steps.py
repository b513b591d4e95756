"""The pieces every explanation is made of, whichever window and framework it explains:
the steps that read the same in each (the kernel's span, the padded input, the windows,
a 'same' padding's total), the heading, the checks that the numbers are there to write
(a known size, a writable number, a framework it can follow), ONNX's padding argument
read as its ``auto_pad`` and ``pads``, and the diagram's figure.

>>> kernel_step(3, 2)
'Kernel span: k_eff = (k - 1) * d + 1 = (3 - 1) * 2 + 1 = 5 positions (3 weights, 2 apart).'
>>> padded_step(5, 3, 1, 1, Pad(1, -1))
'Padded input: 5 + 1 + (-1) = 5.'
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TypedDict, cast

from ._core import ceil_div, effective_kernel
from ._diagram import Figure, ascii_lines
from ._render import counted
from ._types import Pad, PaddingArg
from .errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the names below are for mypy only
if TYPE_CHECKING:
    from ._frameworks import Framework

__all__ = [
    "FRAMEWORKS",
    "Drawing",
    "Pads",
    "check_known",
    "check_writable",
    "forward_drawing",
    "framework_name",
    "heading",
    "is_valid",
    "jax_padding_step",
    "kernel_step",
    "known",
    "onnx_arguments",
    "onnx_padding",
    "padded_step",
    "rules",
    "same_step",
    "transposed_drawing",
    "windows_step",
]

#: The frameworks an explanation can follow, as its heading names them.
FRAMEWORKS = {"keras": "Keras/TensorFlow", "torch": "PyTorch", "jax": "JAX", "onnx": "ONNX"}


class Drawing(TypedDict, total=False):
    """An explanation's diagram and figure, as its keyword arguments (none for an empty
    input or output)."""

    diagram: tuple[str, ...]
    figure: Figure


def check_known(size: int | None) -> None:
    """An explanation works with numbers: an unknown size (None) has none to show."""
    if size is None:
        raise ConvShapeError(
            "`size` must be known (not None) to explain it",
            argument="size",
            received={"size": size},
        )


def known(length: int | None, size: int | None) -> int:
    """A framework's length once ``size`` is checked known (a known size has a known
    length)."""
    check_known(size)
    return cast("int", length)


def check_writable(*numbers: int) -> None:
    """An explanation writes out its numbers: refuse those Python cannot write in decimal."""
    limit = sys.get_int_max_str_digits()
    # Below 2 ** (3 * limit) a number has fewer than ``limit`` digits: no power of 10 built.
    if limit and max(numbers).bit_length() > 3 * limit and max(numbers) >= 10**limit:
        raise ConvShapeError(
            f"the numbers of this explanation have more than {limit} digits, too many to write out",
            argument="size",
            received={"numbers": max(numbers)},
        )


def forward_drawing(
    size: int, kernel: int, stride: int, dilation: int, pad: Pad, length: int, pool: bool = False
) -> Drawing:
    """A forward window's diagram and figure, as Explanation's keyword arguments."""
    if size <= 0 or length <= 0:
        return {}
    figure = Figure(False, size, kernel, stride, dilation, pad.before, pad.after, length, pool)
    return {"diagram": ascii_lines(figure), "figure": figure}


def transposed_drawing(
    size: int, kernel: int, stride: int, dilation: int, crop: Pad, length: int, appended: int = 0
) -> Drawing:
    """A transposed convolution's diagram and figure, as Explanation's keyword arguments:
    ``appended`` zeros end the full output before ``crop`` (output_padding, as PyTorch and
    ONNX explain it)."""
    if size <= 0 or length <= 0:
        return {}
    before, after = crop
    figure = Figure(True, size, kernel, stride, dilation, before, after, size, False, appended)
    return {"diagram": ascii_lines(figure), "figure": figure}


def rules(framework: str) -> Framework:
    """A framework's rules from the table, which loads the framework's module when first
    needed."""
    from ._frameworks import framework as entry  # noqa: PLC0415  (loads the frameworks)

    return entry(framework)


def framework_name(framework: object, supported: tuple[str, ...], what: str) -> str:
    """``framework``, once it is one of those that can explain ``what``."""
    if not isinstance(framework, str) or framework not in supported:
        raise ConvShapeError(
            f"`framework` must be {', '.join(map(repr, supported))} to explain {what}",
            argument="framework",
            received={"framework": framework},
        )
    return framework


def heading(what: str, framework: str, arguments: Mapping[str, object]) -> str:
    """An explanation's title: what it explains, the framework, the arguments in its words."""
    shown = ", ".join(f"{name} {value!r}" for name, value in arguments.items())
    return f"{what} ({FRAMEWORKS[framework]}): {shown}"


def kernel_step(kernel_size: int, dilation: int, *, pool: bool = False) -> str:
    """The kernel's span ``k_eff``, and what the dilation does to it (``pool``: a pooling's
    window, which reads positions rather than weighs them)."""
    k_eff = effective_kernel(kernel_size, dilation)
    one, many = ("position read", "positions read") if pool else ("weight", "weights")
    spread = f"{kernel_size} {many}, {dilation} apart"
    if dilation == 1:
        spread = "no dilation"
    elif kernel_size == 1:
        spread = f"one {one}: dilation changes nothing"
    return (
        f"{'Window' if pool else 'Kernel'} span: k_eff = (k - 1) * d + 1 = "
        f"({kernel_size} - 1) * {dilation} + 1 = {counted(k_eff, 'position')} ({spread})."
    )


def same_step(size: int, s: int, k_eff: int, pad: Pad, where: str, what: str = "zero") -> str:
    """A 'same' padding's total and split, the odd one ``where`` the framework puts it."""
    windows = ceil_div(size, s)
    total = pad.before + pad.after
    return (
        f"ceil({size} / {s}) = {windows} windows need max(({windows} - 1) * {s} + "
        f"{k_eff} - {size}, 0) = {counted(total, what)}: {pad.before} before, {pad.after} after"
        f"{f' (the odd one {where})' if total % 2 else ''}."
    )


def windows_step(padded: int, k_eff: int, stride: int, length: int, clamp: bool = False) -> str:
    """How many windows fit the padded input (``clamp``: never fewer than none)."""
    rule = f"floor(({padded} - {k_eff}) / {stride}) + 1"
    return f"Windows: {f'max({rule}, 0)' if clamp else rule} = {length}."


def padded_step(size: int, k: int, stride: int, dilation: int, pad: Pad) -> str:
    """The padded input's length (the step every forward window shares), once its numbers
    are known to be writable."""
    k_eff = effective_kernel(k, dilation)
    check_writable(size, k, stride, dilation, abs(pad.before) + abs(pad.after) + size + k_eff)
    padded = size + pad.before + pad.after
    before, after = (f"({n})" if n < 0 else str(n) for n in pad)
    return f"Padded input: {size} + {before} + {after} = {padded}."


def jax_padding_step(size: int, s: int, k_eff: int, padding: PaddingArg, pad: Pad) -> str:
    """JAX's padding in words: "VALID", "SAME" (the odd one high), "SAME_LOWER" (low), or
    the (low, high) pair given, whose negative sides remove input elements."""
    mode = padding.upper() if isinstance(padding, str) else None
    if mode == "VALID":
        return "'VALID': no padding."
    if mode is not None:
        where = "after" if mode == "SAME" else "before"
        return f"{padding!r}: " + same_step(size, s, k_eff, pad, where)
    sides = [
        f"{counted(-n, 'input element')} removed {side}"
        if n < 0
        else f"{counted(n, 'zero')} {side}"
        for n, side in zip(pad, ("before", "after"), strict=True)
    ]
    return f"(low, high) = {tuple(pad)}: {sides[0]}, {sides[1]}."


def is_valid(padding: object) -> bool:
    """Whether ``padding`` is the default "valid", which every framework reads as its own
    "no padding"."""
    return isinstance(padding, str) and padding == "valid"


#: ONNX's ``pads`` for one axis: (begin, end).
Pads = tuple[int, int] | list[int]


def onnx_padding(padding: PaddingArg) -> tuple[str, Pads]:
    """``padding`` as ONNX's (auto_pad, pads); the default "valid" is auto_pad VALID."""
    if is_valid(padding):
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
    # Anything else is ONNX's to refuse: its rules validate the pads.
    return "NOTSET", cast("Pads", padding)


def onnx_arguments(k: int, s: int, auto_pad: str, pads: Pads) -> dict[str, object]:
    """The ONNX attributes an explanation's heading shows (the pads only when they count)."""
    arguments: dict[str, object] = {"kernel_shape": k, "strides": s, "auto_pad": auto_pad}
    if auto_pad == "NOTSET":
        arguments["pads"] = tuple(pads)
    return arguments

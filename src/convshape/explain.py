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
from typing import Any

from ._types import Pad, PaddingArg
from .arithmetic import (
    conv_output_length,
    conv_padding,
    conv_transpose_crop,
    conv_transpose_output_length,
)
from .errors import ConvShapeError

__all__ = [
    "Explanation",
    "explain_conv",
    "explain_conv_transpose",
    "explain_layer",
    "explain_nodes",
]

#: Rows of more positions than this are drawn as their two ends, EDGE positions each.
MAX_DIAGRAM = 40
EDGE = 12


@dataclass(frozen=True)
class Explanation:
    """A titled walk through one computation: numbered steps, notes and a diagram."""

    title: str
    steps: tuple[str, ...]
    notes: tuple[str, ...] = ()
    diagram: tuple[str, ...] = ()
    #: The explanations this one is made of (a layer's spatial dimensions, a model's layers).
    parts: tuple[Explanation, ...] = ()

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
        return f"<pre>{html.escape(str(self))}</pre>"


def _check_known(size: int | None) -> None:
    """An explanation works with numbers: an unknown size (None) has none to show."""
    if size is None:
        raise ConvShapeError(
            "`size` must be known (not None) to explain it",
            argument="size",
            received={"size": size},
        )


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


def _shown(width: int) -> list[int | None]:
    """Positions to draw: all of them, or both ends with None for the elided middle."""
    if width <= MAX_DIAGRAM:
        return list(range(width))
    return [*range(EDGE), None, *range(width - EDGE, width)]


def _cells(
    label: Callable[[int], str], before: int, inside: int, shown: list[int | None]
) -> tuple[str, dict[int, int]]:
    """A row of 3-wide cells with bars around the ``inside`` cells; each shown cell's column.

    ``label`` names one position, so only the shown positions are ever built."""
    line, columns = "", {}
    for index in shown:
        if index is None:
            line += "..."
            continue
        if index in (before, before + inside):
            line += "|"
        columns[index] = len(line)
        line += label(index).rjust(2) + " "
    if shown[-1] == before + inside - 1:
        line += "|"
    return line, columns


def _contiguous(shown: list[int | None], first: int, last: int) -> bool:
    """Whether every position from ``first`` to ``last`` is drawn (none is elided)."""
    if None not in shown:
        return first >= 0 and last <= len(shown) - 1
    width = shown[-1]
    assert width is not None
    return first >= 0 and (last < EDGE or (first >= width + 1 - EDGE and last <= width))


def _bars(
    columns: dict[int, int], shown: list[int | None], stride: int, count: int, k_eff: int
) -> list[str]:
    """One bar per window or kernel stamp (the i-th spans ``i * stride`` to
    ``i * stride + k_eff - 1``) that lies wholly on one side of an elision; only the
    stamps starting at a drawn position are looked at."""
    lines = []
    for first, start in columns.items():
        if first % stride or first // stride >= count:
            continue
        last = first + k_eff - 1
        if last not in columns or not _contiguous(shown, first, last):
            continue
        end = columns[last] + 2
        lines.append(" " * (8 + start) + "|" + "_" * (end - start - 1) + "|")
    return lines


def _head(columns: dict[int, int], first: int, last: int, left: str, right: str) -> str:
    """The line above a row of cells: bars over the row's bars, labels outside them."""
    start, end = 8 + columns[first] - 1, 8 + columns[last] + 3
    head = " " * max(start - len(left), 0) + left[-start:] if start else ""
    return (head + "|").ljust(end) + "|" + right


def _row(
    label: Callable[[int], str], width: int, before: int, inside: int, left: str, right: str
) -> tuple[str, str, dict[int, int], list[int | None]] | None:
    """The head line and the row of cells, or None when an edge falls in the elided middle."""
    shown = _shown(width)
    row, columns = _cells(label, before, inside, shown)
    if before not in columns or before + inside - 1 not in columns:
        return None
    head = _head(columns, before, before + inside - 1, left, right).rstrip()
    return head, row.rstrip(), columns, shown


def _forward_diagram(size: int, k_eff: int, stride: int, pad: Pad, length: int) -> tuple[str, ...]:
    if size == 0:
        return ()

    def label(index: int) -> str:
        inside = pad.before <= index < pad.before + size
        return str(index - pad.before + 1) if inside else "0"

    width = pad.before + size + pad.after
    left, right = "pad" * (pad.before > 0), "pad" * (pad.after > 0)
    drawn = _row(label, width, pad.before, size, left, right)
    if drawn is None:
        return (f"(diagram left out: the padding is wider than {EDGE} positions)",)
    head, row, columns, shown = drawn
    return (head, "inputs: " + row, *_bars(columns, shown, stride, length, k_eff))


def _transpose_diagram(size: int, k_eff: int, stride: int, crop: Pad) -> tuple[str, ...]:
    if size == 0:
        return ()
    full = (size - 1) * stride + k_eff
    appended = max(-crop.after, 0)

    def label(index: int) -> str:
        lands = index < full and index % stride == 0 and index // stride < size
        return str(index // stride + 1) if lands else "0"

    width = full + appended
    kept = width - crop.before - max(crop.after, 0)
    right = "crop" if crop.after > 0 else (f"{appended} zero(s) appended" if appended else "")
    drawn = _row(label, width, crop.before, kept, "crop" * (crop.before > 0), right)
    if drawn is None:
        return (f"(diagram left out: the crop is wider than {EDGE} positions)",)
    head, row, columns, shown = drawn
    return (
        f"full output of {full} positions; input i lands at (i - 1) * {stride}, 0 between:",
        head,
        "outputs:" + row,
        *_bars(columns, shown, stride, size, k_eff),
    )


def explain_conv_transpose(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> Explanation:
    """How a transposed convolution gets its length and its crop, step by step.

    Same arguments and semantics as :func:`conv_transpose_output_length`.

    >>> print(explain_conv_transpose(28, 5, stride=3, padding="same").steps[3])
    Crop: 86 - 84 = 2 elements; 'same' removes 2 // 2 = 1 before and 2 - 1 = 1 after.
    """
    length = conv_transpose_output_length(
        size, kernel_size, stride, padding, output_padding, dilation
    )
    _check_known(size)
    crop = conv_transpose_crop(size, kernel_size, stride, padding, output_padding, dilation)
    k_eff = (kernel_size - 1) * dilation + 1
    full = (size - 1) * stride + k_eff
    _check_writable(size, kernel_size, stride, dilation, full, abs(crop.after), length)
    total = full - length
    mode = padding.lower() if isinstance(padding, str) else padding
    steps = [
        f"Effective kernel: k_eff = (k - 1) * d + 1 = ({kernel_size} - 1) * {dilation} + 1 "
        f"= {k_eff}.",
        f"Full output: (I - 1) * s + k_eff = ({size} - 1) * {stride} + {k_eff} = {full}.",
        _transpose_rule(size, kernel_size, stride, mode, output_padding, k_eff, length),
        _crop_step(full, length, total, crop, mode),
        f"Output: {full} - {crop.before} - ({crop.after}) = {length}."
        if crop.after < 0
        else f"Output: {full} - {crop.before} - {crop.after} = {length}.",
    ]
    notes = _transpose_notes(size, stride, k_eff, crop, mode, output_padding)
    title = (
        f"Transposed convolution (Keras/TensorFlow): size {size}, kernel_size {kernel_size}, "
        f"stride {stride}, padding {padding!r}, output_padding {output_padding}, "
        f"dilation {dilation}"
    )
    return Explanation(title, tuple(steps), notes, _transpose_diagram(size, k_eff, stride, crop))


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
        extra = max(k_eff, s) - k_eff if op is None else op
        why = "max(k_eff, s) - k_eff" if op is None else "output_padding"
        return f"'valid': O = full + {why} = {length - extra} + {extra} = {length}."
    if mode == "full":
        return (
            f"'full': the crop is k_eff - 1 = {k_eff - 1} on each side, less output_padding after."
        )
    return (
        f"Explicit padding {mode!r}: it is the crop, output_padding {op or 0} is added at the end."
    )


def _crop_step(full: int, length: int, total: int, crop: Pad, mode: object) -> str:
    text = f"Crop: {full} - {length} = {total} elements"
    if mode != "same":
        return f"{text}: {crop.before} before and {crop.after} after."
    if total < 0:
        return f"{text}: the kernel is shorter than the stride, so {-total} zeros are appended."
    odd = " (the odd one at the end)" if crop.after > crop.before else ""
    return (
        f"{text}; 'same' removes {total} // 2 = {crop.before} before and "
        f"{total} - {crop.before} = {crop.after} after{odd}."
    )


def _transpose_notes(
    size: int, stride: int, k_eff: int, crop: Pad, mode: object, op: int | None
) -> tuple[str, ...]:
    notes = []
    if crop.before == crop.after:
        notes.append(
            f"Dumoulin & Visin, relationship 13/14: o' = s (i' - 1) + a + k - 2p with p = "
            f"{crop.before}: the transpose of a convolution padded {crop.before} on each side."
        )
    elif crop.after > crop.before:
        notes.append(
            "The crop is not symmetric, so (I - 1) * s + k_eff - 2p = "
            f"{(size - 1) * stride + k_eff - sum(crop)} "
            f"has no integer p (p = {sum(crop) / 2:g}); Dumoulin & Visin's relationships assume "
            "symmetric padding."
        )
    if mode == "same":
        if crop.after > crop.before:
            notes.append(
                f"PyTorch: ConvTranspose has no 'same' and crops symmetrically; "
                f"padding={crop.before + 1}, output_padding=1 gives the same length but every "
                f"value shifted by one. The exact port: padding={crop.before}, output_padding=0, "
                f"then drop the last {crop.after - crop.before} element(s)."
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
    padding: PaddingArg = "valid",
    dilation: int = 1,
) -> Explanation:
    """How a forward convolution (or pooling) gets its padding and length, step by step.

    >>> print(explain_conv(13, 6, stride=5, padding="same").diagram[1])
    inputs:  0 | 1  2  3  4  5  6  7  8  9 10 11 12 13 | 0  0
    """
    length = conv_output_length(size, kernel_size, stride, padding, dilation)
    _check_known(size)
    pad = conv_padding(size, kernel_size, stride, padding, dilation)
    k_eff = (kernel_size - 1) * dilation + 1
    _check_writable(size, kernel_size, stride, dilation, size + sum(pad) + k_eff)
    padded = size + pad.before + pad.after
    mode = padding.lower() if isinstance(padding, str) else padding
    steps = [
        f"Effective kernel: k_eff = (k - 1) * d + 1 = ({kernel_size} - 1) * {dilation} + 1 "
        f"= {k_eff}.",
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
        title, tuple(steps), tuple(notes), _forward_diagram(size, k_eff, stride, pad, length)
    )


def _pad_step(size: int, s: int, k_eff: int, pad: Pad, mode: object) -> str:
    if mode == "same":
        windows = -(-size // s)
        total = pad.before + pad.after
        return (
            f"'same': ceil({size} / {s}) = {windows} windows need max(({windows} - 1) * {s} + "
            f"{k_eff} - {size}, 0) = {total} zeros: {pad.before} before, {pad.after} after "
            "(the odd one after)."
        )
    if mode == "causal":
        return f"'causal': k_eff - 1 = {pad.before} zeros before, none after."
    if mode == "valid":
        return "'valid': no padding."
    return f"Padding {mode!r}: {pad.before} before, {pad.after} after."


def explain_layer(layer: Any, input_shape: Sequence[int | None]) -> Explanation:
    """A layer's output shape, and for convolutions and poolings each spatial dimension
    explained (used by ``layer.explain(input_shape)``)."""
    shape = tuple(input_shape)
    output = layer.compute_output_shape(shape)
    name = f"{layer.name or type(layer).__name__} ({type(layer).__name__})"
    title = f"{name}: {shape} -> {output}"
    geometry = getattr(layer, "geometry", ())
    if not geometry:
        return Explanation(title, ())
    parts = []
    for dim, axis in enumerate(geometry):
        size = shape[axis.axis]
        if size is None:
            parts.append(Explanation(f"spatial dimension {dim}: unknown size, unknown output", ()))
            continue
        if axis.transposed:
            part = explain_conv_transpose(
                size, axis.kernel, axis.stride, axis.padding, axis.output_padding, axis.dilation
            )
        else:
            part = explain_conv(size, axis.kernel, axis.stride, axis.padding, axis.dilation)
        parts.append(dataclasses.replace(part, title=f"spatial dimension {dim}: {part.title}"))
    return Explanation(title, (), parts=tuple(parts))


def _shapes_text(shapes: Sequence[Any]) -> str:
    return str(shapes[0]) if len(shapes) == 1 else "[" + ", ".join(map(str, shapes)) + "]"


def explain_nodes(name: str, nodes: Sequence[Any], outputs: Sequence[Any]) -> Explanation:
    """Every layer call of a model's graph in turn (used by ``model.explain()``): one
    input and one output explained as ``layer.explain`` does, merges and nested models
    by their shapes."""
    parts = []
    inputs = [node.outputs.shape for node in nodes if node.is_input]
    for node in nodes:
        if node.is_input:
            continue
        shapes_in = [tensor.shape for tensor in node.input_tensors]
        shapes_out = [tensor.shape for tensor in node.output_tensors]
        operation = node.operation
        windowed: tuple[Any, ...] = getattr(operation, "geometry", ())
        if len(shapes_in) == 1 and len(shapes_out) == 1 and windowed:
            part = explain_layer(operation, shapes_in[0])
        else:
            title = (
                f"{operation.name} ({type(operation).__name__}): "
                f"{_shapes_text(shapes_in)} -> {_shapes_text(shapes_out)}"
            )
            part = Explanation(title, ())
        parts.append(part)
    steps = tuple(part.title for part in parts)
    return Explanation(
        f'Model "{name}": {_shapes_text(inputs)} -> {_shapes_text(outputs)}',
        steps,
        parts=tuple(parts),
    )

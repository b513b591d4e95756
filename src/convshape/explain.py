"""Explanations a person can follow: the computation with the numbers plugged in, and a diagram.

The public functions and :class:`Explanation` live here; each window's wording by each
framework's rules lives in ``convshape._explain_conv``, ``convshape._explain_transpose`` and
``convshape._explain_pool``, built on the steps they share (``convshape._explain_steps``).

>>> from convshape import explain_conv_transpose
>>> text = str(explain_conv_transpose(7, 5, stride=2, padding="same"))
>>> print(text.splitlines()[4])  # doctest: +NORMALIZE_WHITESPACE
  4. Crop: 17 - 14 = 3 elements; 'same' removes 3 // 2 = 1 before
     and 3 - 1 = 2 after (the odd one at the end).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from ._diagram import Figure
from ._explain_steps import framework_name
from ._svg import FONT, figure_svg
from ._types import PaddingArg
from ._validate import check_choice, plain_int

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the names below are for mypy only
_T = TypeVar("_T")

if TYPE_CHECKING:
    from .layers._base import Layer
    from .models.graph import Node

__all__ = [
    "Explanation",
    "explain_conv",
    "explain_conv_transpose",
    "explain_layer",
    "explain_nodes",
    "explain_pool",
]


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


def _plain(value: _T) -> _T:
    """An integer of another type (NumPy's, a tensor dimension) as a Python int, its text
    unchanged; a padding pair element by element (a ``Pad`` as a plain pair); anything
    else as given, for the framework's own checks to judge (``True`` and ``2.0`` are
    refused there)."""
    if isinstance(value, (tuple, list)):  # one level: a pair's elements, never deeper
        items = [plain_int(item) for item in value]
        # A Pad is written as the pair it is, (1, 2), as a plain tuple is.
        return cast("_T", items if isinstance(value, list) else tuple(items))
    return cast("_T", plain_int(value))


def explain_conv_transpose(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
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
    name = framework_name(framework, ("keras", "torch", "jax", "onnx"), "a transposed convolution")
    from ._explain_transpose import TRANSPOSE  # noqa: PLC0415  (it builds on Explanation)

    return TRANSPOSE[name](
        _plain(size),
        _plain(kernel_size),
        _plain(stride),
        _plain(padding),
        _plain(output_padding),
        _plain(dilation),
    )


def explain_conv(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingArg = "valid",
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
    name = framework_name(framework, ("keras", "torch", "jax", "onnx"), "a convolution")
    from ._explain_conv import CONV  # noqa: PLC0415  (it builds on Explanation)

    return CONV[name](
        _plain(size), _plain(kernel_size), _plain(stride), _plain(padding), _plain(dilation)
    )


def explain_pool(
    size: int,
    pool_size: int,
    strides: int | None = None,
    padding: PaddingArg = "valid",
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
    - ``"jax"``: ``lax.reduce_window`` (Flax's ``max_pool``/``avg_pool``), ``padding``
      "VALID", "SAME", "SAME_LOWER" or a (low, high) pair (negative sides crop), strides
      default to 1, ``dilation`` (``window_dilation``); no ``ceil_mode``.
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
    name = framework_name(framework, ("keras", "torch", "jax", "onnx"), "a pooling")
    from ._explain_pool import POOL, POOLS  # noqa: PLC0415  (it builds on Explanation)

    check_choice(kind, "kind", tuple(POOLS))
    return POOL[name](
        _plain(size),
        _plain(pool_size),
        _plain(strides),
        _plain(padding),
        ceil_mode,
        _plain(dilation),
        kind,
    )


#: The spatial axes by name, in the order Keras lays them out, for 1, 2 and 3 dimensions.
AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _axes_label(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def explain_layer(layer: Layer, input_shape: Sequence[int | None]) -> Explanation:
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


def _shapes_text(shapes: Sequence[object]) -> str:
    return str(shapes[0]) if len(shapes) == 1 else "[" + ", ".join(map(str, shapes)) + "]"


def explain_nodes(name: str, nodes: Sequence[Node], outputs: Sequence[object]) -> Explanation:
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

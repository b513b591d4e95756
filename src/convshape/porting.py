"""Exact ports of convolution layers between frameworks.

A :class:`Translation` holds the target's own constructor arguments, what to do around
the target op so its values match the source layer exactly (``input_pad`` zeros before
it, ``crop`` after it, per spatial dimension), and runnable code that does all of it.

>>> from convshape import layers, translate
>>> t = translate(layers.Conv2DTranspose(128, 5, strides=2, padding="same"), "torch",
...               (None, 7, 7, 256))
>>> t.kwargs["padding"], t.kwargs["output_padding"], t.crop, t.exact
((1, 1), (0, 0), (Pad(before=0, after=1), Pad(before=0, after=1)), False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from ._porting_code import CODE, arguments
from ._porting_rules import (
    TorchConvolution,
    from_keras,
    keras_activation,
    torch_conv_to_keras,
    torch_transpose_to_keras,
)
from ._types import Pad
from ._validate import check_shape
from .errors import ConvShapeError
from .layers.convolutional import Conv3DTranspose, _Conv, _ConvTranspose12
from .torch.conv import _ConvNd, _ConvTranspose

__all__ = ["TARGETS", "Translation", "translate"]

TARGETS = ("torch", "jax", "onnx", "keras")

_KERAS_CONVOLUTIONS = frozenset(
    f"Conv{rank}D{suffix}" for rank in (1, 2, 3) for suffix in ("", "Transpose")
)


@dataclass(frozen=True)
class Translation:
    """A layer written for another framework, with what makes its values identical.

    ``kwargs`` are the target's constructor (or op) arguments; ``input_pad`` the zeros to
    add to the input before the target op and ``crop`` the elements to remove from its
    output afterwards (negative: zeros to append), one (before, after) per spatial
    dimension; ``exact`` is true when neither is needed. ``activation`` is the source
    layer's activation ("relu", "sigmoid", "tanh"), applied after the op and the crop, or
    None. ``code()`` is a runnable snippet.
    """

    source: str
    target: str
    kind: str
    kwargs: dict[str, object]
    crop: tuple[Pad, ...]
    input_pad: tuple[Pad, ...]
    output_shape: tuple[int | None, ...]
    source_layout: str
    activation: str | None = None

    @property
    def exact(self) -> bool:
        """True when the target op needs no padding before it and no crop after it to
        reproduce the source layer (its ``activation``, if any, still follows it)."""
        return all(split == (0, 0) for split in self.crop + self.input_pad)

    def code(self) -> str:
        """Python that builds the target op from the source weights (``kernel`` and
        ``bias`` as NumPy arrays in the source layout) and defines ``forward(x)``, which
        takes and returns tensors in the source layout."""
        return CODE[self.target](self)

    def __str__(self) -> str:
        lines = [f"{self.source} -> {self.target}: {self.kind}({arguments(self.kwargs)})"]
        if any(pad != (0, 0) for pad in self.input_pad):
            lines.append(f"  zero-pad the input first: {list(map(tuple, self.input_pad))}")
        if any(crop != (0, 0) for crop in self.crop):
            lines.append(f"  then crop the output: {list(map(tuple, self.crop))}")
        steps = [] if self.exact else ["the padding/crop"]
        if self.activation is not None:
            lines.append(f"  then the activation: {self.activation}")
            steps.append("the activation")
        lines.append(
            f"  exact once {' and '.join(steps)} above is applied" if steps else "  exact as it is"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Translation {self.source} -> {self.target} {self.kind}, exact={self.exact}>"

    def _repr_html_(self) -> str:
        from ._html import text_block  # noqa: PLC0415  (only for notebooks)

        code = text_block(self.code(), kind="code", gap=True, name="code")
        return text_block(str(self), name="translation") + code


def translate(layer: object, to: str, input_shape: Sequence[int | None]) -> Translation:
    """Port a convolution or transposed-convolution layer to another framework exactly.

    Sources: convshape's Keras layers (``Conv1D/2D/3D``, ``Conv1DTranspose/2D/3D``) to
    ``"torch"``, ``"jax"`` or ``"onnx"``; convshape's PyTorch specs (``convshape.torch.Conv*d``,
    ``ConvTranspose*d``) to ``"keras"``. ``input_shape`` includes the batch axis, in the
    source's layout.

    What a port cannot carry raises :class:`~convshape.ConvShapeError` rather than being
    dropped: a Keras ``activation`` other than "relu", "sigmoid" or "tanh" (those the port
    applies after the op), ``lora_rank``, a
    PyTorch ``ConvTranspose*d``'s ``groups > 1`` (Keras's have no ``groups``), a PyTorch
    ``padding_mode`` other than ``"zeros"`` on a padded input, strides and dilation both > 1
    to Keras.
    """
    if to not in TARGETS:
        raise ConvShapeError(
            f"`to` must be one of {', '.join(map(repr, TARGETS))}",
            argument="to",
            received={"to": to},
        )
    if isinstance(layer, _ConvNd):
        if to != "keras":
            raise ConvShapeError(
                "a PyTorch layer translates to 'keras'", argument="to", received={"to": to}
            )
        shape = check_shape(input_shape)
        if isinstance(layer, _ConvTranspose):
            return Translation("torch", "keras", *torch_transpose_to_keras(layer, shape))
        # The forward specs (Conv1d/2d/3d) compute their output shape as every _ConvNd does.
        forward = cast("TorchConvolution", layer)
        return Translation("torch", "keras", *torch_conv_to_keras(forward, shape))
    kind = type(layer).__name__
    keras = (_Conv, _ConvTranspose12, Conv3DTranspose)
    if not isinstance(layer, keras) or kind not in _KERAS_CONVOLUTIONS:
        raise ConvShapeError(
            "translate() takes a Conv1D/2D/3D or Conv1D/2D/3DTranspose layer or a PyTorch "
            "Conv*d/ConvTranspose*d spec",
            argument="layer",
            received={"layer": kind},
        )
    if to == "keras":
        raise ConvShapeError(
            "the layer is already a Keras layer", argument="to", received={"to": to}
        )
    groups = layer.groups if isinstance(layer, _Conv) else None
    activation = keras_activation(layer)
    port = from_keras(layer, groups, check_shape(input_shape), to)
    return Translation("keras", to, *port, activation=activation)

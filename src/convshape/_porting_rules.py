"""How a convolution maps from one framework to another: the target op's arguments, the
zeros to add to the input before it and the elements to crop from its output after it, per
spatial axis.

Each framework's padding is its own rule's: Keras's from ``convshape.arithmetic``,
PyTorch's from ``convshape.torch._crop``, JAX's and ONNX's from their modules, the rest of
a padding or crop from ``convshape._core``. A Keras layer is read through its windows
(:class:`~convshape._geometry.Windowed`), a PyTorch spec through its own arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from ._core import closest_output_padding, effective_kernel, remainder, valid_crop
from ._geometry import AxisWindow, Shape, Windowed
from ._types import Pad
from .arithmetic import conv_padding, conv_transpose_crop
from .errors import ConvShapeError
from .jax import transpose_padding_for_crop
from .onnx import transpose_pads_for_crop
from .torch._crop import crop_of, pad_of, padding_for_crop, padding_for_pad

__all__ = [
    "PORTED_ACTIVATIONS",
    "KerasConvolution",
    "Port",
    "TorchConvTranspose",
    "TorchConvolution",
    "from_keras",
    "keras_activation",
    "torch_conv_to_keras",
    "torch_transpose_to_keras",
]


class Port(NamedTuple):
    """A translation's fields after its source and target (see ``Translation``)."""

    kind: str
    kwargs: dict[str, object]
    crop: tuple[Pad, ...]
    input_pad: tuple[Pad, ...]
    output_shape: Shape
    source_layout: str


class KerasConvolution(Windowed, Protocol):
    """What a port reads of a Keras ``Conv*D`` or ``Conv*DTranspose`` besides its windows."""

    @property
    def rank(self) -> int: ...
    @property
    def filters(self) -> int: ...
    @property
    def data_format(self) -> str: ...
    @property
    def use_bias(self) -> bool: ...
    @property
    def activation(self) -> object: ...
    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape: ...


class TorchConvolution(Protocol):
    """What a port reads of a ``convshape.torch`` ``Conv*d`` (PyTorch's plain ints)."""

    @property
    def rank(self) -> int: ...
    @property
    def out_channels(self) -> int: ...
    @property
    def kernel_size(self) -> tuple[int, ...]: ...
    @property
    def stride(self) -> tuple[int, ...]: ...
    @property
    def padding(self) -> str | tuple[int, ...]: ...
    @property
    def dilation(self) -> tuple[int, ...]: ...
    @property
    def groups(self) -> int: ...
    @property
    def bias(self) -> bool: ...
    @property
    def padding_mode(self) -> str: ...
    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape: ...


class TorchConvTranspose(TorchConvolution, Protocol):
    """A ``convshape.torch`` ``ConvTranspose*d``: an int padding per axis, and its
    ``output_padding``."""

    @property
    def padding(self) -> tuple[int, ...]: ...
    @property
    def output_padding(self) -> tuple[int, ...]: ...


# -- from Keras ---------------------------------------------------------------------

#: The Keras activations a port applies after the target op (the code spells each in the
#: target's terms): elementwise, so they follow the crop and the bias as in Keras.
PORTED_ACTIVATIONS = ("relu", "sigmoid", "tanh")


def keras_activation(layer: KerasConvolution) -> str | None:
    """The activation a port of ``layer`` applies after its op: None for none or
    "linear"; one of :data:`PORTED_ACTIVATIONS`; anything else is refused rather than
    dropped."""
    activation = layer.activation
    if activation is None or activation == "linear":
        return None
    if isinstance(activation, str) and activation in PORTED_ACTIVATIONS:
        return activation
    raise ConvShapeError(
        "translate() applies the activations "
        f"{', '.join(map(repr, PORTED_ACTIVATIONS))} after the convolution; apply this one "
        "after the port (or build the layer with activation=None)",
        argument="activation",
        received={"activation": activation},
    )


#: A rule's (kind, kwargs, crop, input_pad).
_Rule = tuple[str, dict[str, object], tuple[Pad, ...], tuple[Pad, ...]]


def from_keras(layer: KerasConvolution, groups: int | None, shape: Shape, to: str) -> Port:
    """A Keras convolution on an input of ``shape`` as the ``to`` framework's op; ``groups``
    is None for a transposed one (Keras's have none)."""
    lora_rank = getattr(layer, "lora_rank", None)  # Conv*D's; the transposed have none
    if lora_rank is not None:
        raise ConvShapeError(
            "translate() ports a kernel and a bias; a LoRA layer computes with kernel + "
            "lora_kernel_a @ lora_kernel_b * lora_alpha / lora_rank (merge it first, or build "
            "the layer with lora_rank=None)",
            argument="lora_rank",
            received={"lora_rank": lora_rank},
        )
    output = layer.compute_output_shape(shape)
    geometry = layer.geometry
    channels_axis = -1 if layer.data_format == "channels_last" else 1
    if geometry[0].transposed:
        splits = tuple(
            conv_transpose_crop(
                shape[a.axis], a.kernel, a.stride, a.padding, a.output_padding, a.dilation
            )
            for a in geometry
        )
    else:
        splits = tuple(
            conv_padding(shape[a.axis], a.kernel, a.stride, a.padding, a.dilation) for a in geometry
        )
    layout = "channels_last" if layer.data_format == "channels_last" else "channels_first"
    if to == "jax":
        kind, kwargs, crop, input_pad = _keras_to_jax(geometry, groups, splits, layout)
    elif to == "onnx":
        kind, kwargs, crop, input_pad = _keras_to_onnx(geometry, groups, splits)
    else:
        in_channels = shape[channels_axis]
        kind, kwargs, crop, input_pad = _keras_to_torch(layer, groups, splits, in_channels)
    return Port(kind, kwargs, crop, input_pad, output, layout)


def _axes(geometry: Sequence[AxisWindow]) -> tuple[tuple[int, ...], ...]:
    """The kernel sizes, strides and dilations, one tuple each."""
    return (
        tuple(a.kernel for a in geometry),
        tuple(a.stride for a in geometry),
        tuple(a.dilation for a in geometry),
    )


def _keras_to_torch(
    layer: KerasConvolution, groups: int | None, splits: tuple[Pad, ...], in_channels: int | None
) -> _Rule:
    geometry = layer.geometry
    kernel, strides, dilation = _axes(geometry)
    rank = len(geometry)
    transposed = geometry[0].transposed
    name = f"ConvTranspose{rank}d" if transposed else f"Conv{rank}d"
    kwargs: dict[str, object] = {
        "in_channels": in_channels,
        "out_channels": layer.filters,
        "kernel_size": kernel,
        "stride": strides,
    }
    zero = (Pad(0, 0),) * rank
    if transposed:
        pairs = [
            padding_for_crop(crop, s, d)
            for crop, s, d in zip(splits, strides, dilation, strict=True)
        ]
        kwargs["padding"] = tuple(p for p, _, _ in pairs)
        kwargs["output_padding"] = tuple(op for _, op, _ in pairs)
        crop, input_pad = tuple(rest for _, _, rest in pairs), zero
    else:
        forward = [padding_for_pad(pad) for pad in splits]
        kwargs["padding"] = tuple(p for p, _ in forward)
        crop = zero
        input_pad = tuple(rest for _, rest in forward)
    kwargs["dilation"] = dilation
    if not transposed:
        kwargs["groups"] = groups
    kwargs["bias"] = layer.use_bias
    return name, kwargs, crop, input_pad


def _keras_to_jax(
    geometry: Sequence[AxisWindow], groups: int | None, splits: tuple[Pad, ...], layout: str
) -> _Rule:
    _, strides, dilation = _axes(geometry)
    rank = len(geometry)
    spatial = {1: "W", 2: "HW", 3: "DHW"}[rank]
    lhs = f"N{spatial}C" if layout == "channels_last" else f"NC{spatial}"
    transposed = geometry[0].transposed
    kwargs: dict[str, object] = {"window_strides" if not transposed else "strides": strides}
    if transposed:
        kwargs["padding"] = [
            tuple(transpose_padding_for_crop(a.effective_kernel, crop))
            for a, crop in zip(geometry, splits, strict=True)
        ]
        kwargs["rhs_dilation"] = dilation
        kwargs["dimension_numbers"] = (lhs, f"{spatial}IO", lhs)
        kwargs["transpose_kernel"] = True
        kind = "lax.conv_transpose"
    else:
        kwargs["padding"] = [tuple(pad) for pad in splits]
        kwargs["rhs_dilation"] = dilation
        kwargs["dimension_numbers"] = (lhs, f"{spatial}IO", lhs)
        kwargs["feature_group_count"] = groups
        kind = "lax.conv_general_dilated"
    zero = (Pad(0, 0),) * rank
    return kind, kwargs, zero, zero


def _keras_to_onnx(
    geometry: Sequence[AxisWindow], groups: int | None, splits: tuple[Pad, ...]
) -> _Rule:
    """ONNX pads (begin..., end...) take any (before, after); ConvTranspose's zeros appended
    at the end are its output_padding."""
    kernel, strides, dilation = _axes(geometry)
    kwargs: dict[str, object] = {
        "kernel_shape": list(kernel),
        "strides": list(strides),
        "dilations": list(dilation),
    }
    if geometry[0].transposed:
        ported = [transpose_pads_for_crop(crop) for crop in splits]
        kwargs["pads"] = [pads.before for pads, _ in ported] + [pads.after for pads, _ in ported]
        kwargs["output_padding"] = [op for _, op in ported]
        kind = "ConvTranspose"
    else:
        kwargs["pads"] = [pad.before for pad in splits] + [pad.after for pad in splits]
        kwargs["group"] = groups
        kind = "Conv"
    zero = (Pad(0, 0),) * len(geometry)
    return kind, kwargs, zero, zero


# -- from PyTorch -------------------------------------------------------------------


def _torch_common(
    layer: TorchConvolution, shape: Shape
) -> tuple[tuple[int | None, ...], dict[str, object]]:
    """The Keras output shape (channels last) and the Keras arguments every port starts with."""
    output = layer.compute_output_shape(shape)
    keras_output = (output[0], *output[2:], output[1])
    if max(layer.stride) > 1 and max(layer.dilation) > 1:
        raise ConvShapeError(
            "Keras has no convolution with strides > 1 and dilation_rate > 1",
            argument="layer",
            received={"stride": layer.stride, "dilation": layer.dilation},
        )
    kwargs: dict[str, object] = {
        "filters": layer.out_channels,
        "kernel_size": layer.kernel_size,
        "strides": layer.stride,
    }
    return keras_output, kwargs


def torch_transpose_to_keras(layer: TorchConvTranspose, shape: Shape) -> Port:
    """A PyTorch ``ConvTranspose*d`` as a Keras "valid" ``Conv*DTranspose``."""
    if layer.groups > 1:
        raise ConvShapeError(
            f"Keras's Conv{layer.rank}DTranspose has no `groups` (Keras 3): a grouped "
            "transposed convolution has no Keras port",
            argument="groups",
            received={"groups": layer.groups},
        )
    output, kwargs = _torch_common(layer, shape)
    # Keras "valid" crops (0, -op) with op < strides; what remains of PyTorch's crop is
    # cropped (or zero-padded) after.
    ops, crops = [], []
    for k, p, op, s, d in zip(
        layer.kernel_size,
        layer.padding,
        layer.output_padding,
        layer.stride,
        layer.dilation,
        strict=True,
    ):
        made = crop_of(p, op)
        keras_op = closest_output_padding(made.after, s - 1)
        ops.append(keras_op)
        crops.append(remainder(made, valid_crop(effective_kernel(k, d), s, keras_op)))
    kwargs |= {"padding": "valid", "output_padding": tuple(ops), "dilation_rate": layer.dilation}
    kwargs["use_bias"] = layer.bias
    zero = (Pad(0, 0),) * layer.rank
    kind = f"Conv{layer.rank}DTranspose"
    return Port(kind, kwargs, tuple(crops), zero, output, "channels_first")


def torch_conv_to_keras(layer: TorchConvolution, shape: Shape) -> Port:
    """A PyTorch ``Conv*d`` as a Keras ``Conv*D``: its "same" as Keras's (both put the odd
    zero after at stride 1), int paddings as zeros added to the input before a "valid" one."""
    output, kwargs = _torch_common(layer, shape)
    rank = layer.rank
    zero = (Pad(0, 0),) * rank
    padding = layer.padding
    pads = (0,) * rank if isinstance(padding, str) else padding  # "same" or "valid"
    pads_input = any(pads) or (padding == "same" and max(layer.kernel_size) > 1)
    if layer.padding_mode != "zeros" and pads_input:
        raise ConvShapeError(
            "Keras pads with zeros only: a padding_mode other than 'zeros' has no Keras port "
            "unless the padding is 0",
            argument="padding_mode",
            received={"padding_mode": layer.padding_mode, "padding": padding},
        )
    if padding == "same" or all(p == 0 for p in pads):
        kwargs["padding"] = "same" if padding == "same" else "valid"
        input_pad = zero
    else:
        kwargs["padding"] = "valid"
        input_pad = tuple(pad_of(p) for p in pads)
    kwargs |= {"dilation_rate": layer.dilation, "groups": layer.groups}
    kwargs["use_bias"] = layer.bias
    return Port(f"Conv{rank}D", kwargs, zero, input_pad, output, "channels_first")

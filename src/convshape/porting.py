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
from typing import Any

from ._core import effective_kernel
from ._types import Pad
from ._validate import check_shape
from .arithmetic import conv_padding, conv_transpose_crop
from .errors import ConvShapeError
from .jax import transpose_padding_for_crop
from .layers._base import Layer, spatial_axes
from .onnx import transpose_pads_for_crop
from .torch._crop import padding_for_crop
from .torch.modules import _ConvNd, _ConvTranspose

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
    dimension; ``exact`` is true when neither is needed. ``code()`` is a runnable snippet.
    """

    source: str
    target: str
    kind: str
    kwargs: dict[str, Any]
    crop: tuple[Pad, ...]
    input_pad: tuple[Pad, ...]
    output_shape: tuple[int | None, ...]
    source_layout: str

    @property
    def exact(self) -> bool:
        """True when the target op alone reproduces the source layer."""
        return all(split == (0, 0) for split in self.crop + self.input_pad)

    def code(self) -> str:
        """Python that builds the target op from the source weights (``kernel`` and
        ``bias`` as NumPy arrays in the source layout) and defines ``forward(x)``, which
        takes and returns tensors in the source layout."""
        return _CODE[self.target](self)

    def __str__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.kwargs.items())
        lines = [f"{self.source} -> {self.target}: {self.kind}({args})"]
        if any(pad != (0, 0) for pad in self.input_pad):
            lines.append(f"  zero-pad the input first: {list(map(tuple, self.input_pad))}")
        if any(crop != (0, 0) for crop in self.crop):
            lines.append(f"  then crop the output: {list(map(tuple, self.crop))}")
        lines.append(
            "  exact as it is" if self.exact else "  exact once the padding/crop above is applied"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Translation {self.source} -> {self.target} {self.kind}, exact={self.exact}>"

    def _repr_html_(self) -> str:
        from ._html import text_block  # noqa: PLC0415  (only for notebooks)

        code = text_block(self.code(), kind="code", gap=True, name="code")
        return text_block(str(self), name="translation") + code


def translate(layer: Any, to: str, input_shape: Sequence[int | None]) -> Translation:
    """Port a convolution or transposed-convolution layer to another framework exactly.

    Sources: convshape's Keras layers (``Conv1D/2D/3D``, ``Conv1DTranspose/2D/3D``) to
    ``"torch"``, ``"jax"`` or ``"onnx"``; convshape's PyTorch specs (``convshape.torch.Conv*d``,
    ``ConvTranspose*d``) to ``"keras"``. ``input_shape`` includes the batch axis, in the
    source's layout.
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
        return _from_torch(layer, check_shape(input_shape))
    kind = type(layer).__name__
    if not isinstance(layer, Layer) or kind not in _KERAS_CONVOLUTIONS:
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
    return _from_keras(layer, check_shape(input_shape), to)


def _from_keras(layer: Any, shape: tuple[int | None, ...], to: str) -> Translation:
    output = layer.compute_output_shape(shape)
    rank = layer.rank
    axes = spatial_axes(rank, layer.data_format)
    channels_axis = -1 if layer.data_format == "channels_last" else 1
    sizes = [shape[axis] for axis in axes]
    transposed = "Transpose" in type(layer).__name__
    geometry = list(zip(sizes, layer.kernel_size, layer.strides, layer.dilation_rate, strict=True))
    if transposed:
        ops = layer.output_padding or (None,) * rank
        splits = tuple(
            conv_transpose_crop(size, k, s, layer.padding, op, d)
            for (size, k, s, d), op in zip(geometry, ops, strict=True)
        )
    else:
        splits = tuple(conv_padding(size, k, s, layer.padding, d) for size, k, s, d in geometry)
    layout = "channels_last" if layer.data_format == "channels_last" else "channels_first"
    common = {"source": "keras", "target": to, "output_shape": output, "source_layout": layout}
    in_channels = shape[channels_axis]
    if to == "jax":
        return _keras_to_jax(layer, rank, transposed, splits, common)
    if to == "onnx":
        return _keras_to_onnx(layer, rank, transposed, splits, common)
    return _keras_to_torch(layer, rank, transposed, splits, in_channels, common)


def _keras_to_torch(
    layer: Any,
    rank: int,
    transposed: bool,
    splits: tuple[Pad, ...],
    in_channels: int | None,
    common: dict[str, Any],
) -> Translation:
    name = f"ConvTranspose{rank}d" if transposed else f"Conv{rank}d"
    kwargs: dict[str, Any] = {
        "in_channels": in_channels,
        "out_channels": layer.filters,
        "kernel_size": layer.kernel_size,
        "stride": layer.strides,
    }
    zero = (Pad(0, 0),) * rank
    if transposed:
        pairs = [
            padding_for_crop(crop, s, d)
            for crop, s, d in zip(splits, layer.strides, layer.dilation_rate, strict=True)
        ]
        kwargs["padding"] = tuple(p for p, _, _ in pairs)
        kwargs["output_padding"] = tuple(op for _, op, _ in pairs)
        crop, input_pad = tuple(rest for _, _, rest in pairs), zero
    else:
        kwargs["padding"] = tuple(min(pad) for pad in splits)
        crop = zero
        input_pad = tuple(Pad(pad.before - min(pad), pad.after - min(pad)) for pad in splits)
    kwargs["dilation"] = layer.dilation_rate
    if not transposed:
        kwargs["groups"] = layer.groups
    kwargs["bias"] = layer.use_bias
    return Translation(kind=name, kwargs=kwargs, crop=crop, input_pad=input_pad, **common)


def _keras_to_jax(
    layer: Any, rank: int, transposed: bool, splits: tuple[Pad, ...], common: dict[str, Any]
) -> Translation:
    spatial = {1: "W", 2: "HW", 3: "DHW"}[rank]
    lhs = f"N{spatial}C" if common["source_layout"] == "channels_last" else f"NC{spatial}"
    kwargs: dict[str, Any] = {"window_strides" if not transposed else "strides": layer.strides}
    if transposed:
        kwargs["padding"] = [
            tuple(transpose_padding_for_crop(effective_kernel(k, d), crop))
            for k, d, crop in zip(layer.kernel_size, layer.dilation_rate, splits, strict=True)
        ]
        kwargs["rhs_dilation"] = layer.dilation_rate
        kwargs["dimension_numbers"] = (lhs, f"{spatial}IO", lhs)
        kwargs["transpose_kernel"] = True
        kind = "lax.conv_transpose"
    else:
        kwargs["padding"] = [tuple(pad) for pad in splits]
        kwargs["rhs_dilation"] = layer.dilation_rate
        kwargs["dimension_numbers"] = (lhs, f"{spatial}IO", lhs)
        kwargs["feature_group_count"] = layer.groups
        kind = "lax.conv_general_dilated"
    zero = (Pad(0, 0),) * rank
    return Translation(kind=kind, kwargs=kwargs, crop=zero, input_pad=zero, **common)


def _keras_to_onnx(
    layer: Any, rank: int, transposed: bool, splits: tuple[Pad, ...], common: dict[str, Any]
) -> Translation:
    """ONNX pads (begin..., end...) take any (before, after); ConvTranspose's zeros appended
    at the end are its output_padding."""
    kwargs: dict[str, Any] = {
        "kernel_shape": list(layer.kernel_size),
        "strides": list(layer.strides),
        "dilations": list(layer.dilation_rate),
    }
    if transposed:
        ported = [transpose_pads_for_crop(crop) for crop in splits]
        kwargs["pads"] = [pads.before for pads, _ in ported] + [pads.after for pads, _ in ported]
        kwargs["output_padding"] = [op for _, op in ported]
        kind = "ConvTranspose"
    else:
        kwargs["pads"] = [pad.before for pad in splits] + [pad.after for pad in splits]
        kwargs["group"] = layer.groups
        kind = "Conv"
    zero = (Pad(0, 0),) * rank
    return Translation(kind=kind, kwargs=kwargs, crop=zero, input_pad=zero, **common)


def _from_torch(layer: Any, shape: tuple[int | None, ...]) -> Translation:
    output = layer.compute_output_shape(shape)
    rank = layer.rank
    transposed = isinstance(layer, _ConvTranspose)
    keras_output = (output[0], *output[2:], output[1])
    if max(layer.stride) > 1 and max(layer.dilation) > 1:
        raise ConvShapeError(
            "Keras has no convolution with strides > 1 and dilation_rate > 1",
            argument="layer",
            received={"stride": layer.stride, "dilation": layer.dilation},
        )
    kwargs: dict[str, Any] = {
        "filters": layer.out_channels,
        "kernel_size": layer.kernel_size,
        "strides": layer.stride,
    }
    zero = (Pad(0, 0),) * rank
    if transposed:
        # Keras "valid" crops (0, -op_k); what remains of PyTorch's (p, p - op) is cropped after.
        ops, crops = [], []
        for p, op, s in zip(layer.padding, layer.output_padding, layer.stride, strict=True):
            op_k = min(max(op - p, 0), s - 1)
            ops.append(op_k)
            crops.append(Pad(p, p - op + op_k))
        kwargs |= {
            "padding": "valid",
            "output_padding": tuple(ops),
            "dilation_rate": layer.dilation,
        }
        crop, input_pad = tuple(crops), zero
        kind = f"Conv{rank}DTranspose"
    else:
        if layer.padding in ("same", "valid"):
            pads = (layer.padding,) * rank if layer.padding == "same" else (0,) * rank
        else:
            pads = layer.padding
        if layer.padding == "same" or all(p == 0 for p in pads):
            kwargs["padding"] = "same" if layer.padding == "same" else "valid"
            input_pad = zero
        else:
            kwargs["padding"] = "valid"
            input_pad = tuple(Pad(p, p) for p in pads)
        kwargs |= {"dilation_rate": layer.dilation, "groups": layer.groups}
        crop = zero
        kind = f"Conv{rank}D"
    kwargs["use_bias"] = layer.bias
    return Translation(
        source="torch",
        target="keras",
        kind=kind,
        kwargs=kwargs,
        crop=crop,
        input_pad=input_pad,
        output_shape=keras_output,
        source_layout="channels_first",
    )


def _slices(crop: tuple[Pad, ...], offset: int) -> str:
    """Python slicing that removes ``crop`` from the spatial axes starting at ``offset``."""
    parts = [":"] * offset
    for axis, c in enumerate(crop):
        stop = f"y.shape[{offset + axis}] - {c.after}" if c.after > 0 else ""
        parts.append(f"{max(c.before, 0)}:{stop}")
    return ", ".join(parts)


def _pads_spec(pads: Sequence[Pad]) -> list[int]:
    """torch.nn.functional.pad's flat (last axis first) spec."""
    flat: list[int] = []
    for pad in reversed(pads):
        flat += [pad.before, pad.after]
    return flat


def _torch_code(t: Translation) -> str:
    rank = len(t.crop)
    args = ", ".join(f"{name}={value!r}" for name, value in t.kwargs.items())
    last = t.source_layout == "channels_last"
    # Keras kernels: (*k, in, out) forward and (*k, out, in) transposed; PyTorch's weight is
    # (out, in, *k) forward and (in, out, *k) transposed: the same permutation in both.
    order = (rank + 1, rank, *range(rank))
    appended = [Pad(0, max(-c.after, 0)) for c in t.crop]
    late_bias = t.kwargs["bias"] and any(pad != (0, 0) for pad in appended)
    if late_bias:
        # Positions appended after the op get the bias too: add it after the padding.
        args = args.replace("bias=True", "bias=False")
    lines = [
        "import torch",
        "import torch.nn.functional as F",
        "",
        f"layer = torch.nn.{t.kind}({args})",
        f"layer.weight.data = torch.as_tensor(kernel).permute{order}.contiguous()",
    ]
    if t.kwargs["bias"] and not late_bias:
        lines.append("layer.bias.data = torch.as_tensor(bias)")
    lines += ["", "", "def forward(x):"]
    to_first = (0, rank + 1, *range(1, rank + 1))
    to_last = (0, *range(2, rank + 2), 1)
    if last:
        lines.append(f"    x = torch.as_tensor(x).permute{to_first}")
    else:
        lines.append("    x = torch.as_tensor(x)")
    if any(pad != (0, 0) for pad in t.input_pad):
        lines.append(f"    x = F.pad(x, {_pads_spec(t.input_pad)})")
    lines.append("    y = layer(x)")
    if any(c != (0, 0) for c in t.crop):
        if any(pad != (0, 0) for pad in appended):
            lines.append(f"    y = F.pad(y, {_pads_spec(appended)})")
        lines.append(f"    y = y[{_slices(t.crop, 2)}]")
    if late_bias:
        lines.append(f"    y = y + torch.as_tensor(bias).reshape((-1,) + (1,) * {rank})")
    if last:
        lines.append(f"    return y.permute{to_last}")
    else:
        lines.append("    return y")
    return "\n".join(lines) + "\n"


def _jax_code(t: Translation) -> str:
    op = t.kind.split(".")[1]
    args = ", ".join(f"{name}={value!r}" for name, value in t.kwargs.items())
    # Keras's kernel layout is already lax's (spatial..., I, O); transpose_kernel=True makes
    # lax.conv_transpose the gradient of the forward convolution, as TensorFlow's is.
    bias_shape = "(-1,)" if t.source_layout == "channels_last" else "(-1,) + (1,) * (y.ndim - 2)"
    return (
        "\n".join(
            [
                "import jax.numpy as jnp",
                "from jax import lax",
                "",
                "",
                "def forward(x):",
                f"    y = lax.{op}(jnp.asarray(x), jnp.asarray(kernel), {args})",
                "    if bias is not None:",
                f"        y = y + jnp.asarray(bias).reshape({bias_shape})",
                "    return y",
            ]
        )
        + "\n"
    )


def _keras_code(t: Translation) -> str:
    rank = len(t.crop)
    args = ", ".join(f"{name}={value!r}" for name, value in t.kwargs.items())
    # PyTorch's weight (out, in, *k) forward, (in, out, *k) transposed -> Keras (*k, in, out) /
    # (*k, out, in): the same permutation in both.
    order = (*range(2, rank + 2), 1, 0)
    in_axis = 0 if "Transpose" in t.kind else 1
    appended = [(0, max(-c.after, 0)) for c in t.crop]
    late_bias = t.kwargs["use_bias"] and any(after for _, after in appended)
    if late_bias:
        # Positions appended after the op get the bias too: add it after the padding.
        args = args.replace("use_bias=True", "use_bias=False")
    lines = [
        "import numpy as np",
        "import keras",
        "",
        f"layer = keras.layers.{t.kind}({args})",
        f"layer.build((None, *[None] * {rank}, kernel.shape[{in_axis}]))",
        f"weights = [np.transpose(np.asarray(kernel), {order})]",
    ]
    if t.kwargs["use_bias"] and not late_bias:
        lines.append("weights.append(np.asarray(bias))")
    lines += ["layer.set_weights(weights)", "", "", "def forward(x):"]
    to_last = (0, *range(2, rank + 2), 1)
    to_first = (0, rank + 1, *range(1, rank + 1))
    lines.append(f"    x = np.transpose(np.asarray(x), {to_last})")
    if any(pad != (0, 0) for pad in t.input_pad):
        spec = [(0, 0), *[tuple(pad) for pad in t.input_pad], (0, 0)]
        lines.append(f"    x = np.pad(x, {spec})")
    lines.append("    y = np.asarray(layer(x))")
    if any(c != (0, 0) for c in t.crop):
        if any(after for _, after in appended):
            lines.append(f"    y = np.pad(y, {[(0, 0), *appended, (0, 0)]})")
        lines.append(f"    y = y[{_slices(t.crop, 1)}, :]")
    if late_bias:
        lines.append("    y = y + np.asarray(bias)")
    lines.append(f"    return np.transpose(y, {to_first})")
    return "\n".join(lines) + "\n"


def _onnx_code(t: Translation) -> str:
    rank = len(t.crop)
    args = ", ".join(f"{name}={value!r}" for name, value in t.kwargs.items())
    # ONNX weights: Conv (out, in, *k), ConvTranspose (in, out, *k): the same permutation of
    # Keras's (*k, in, out) and (*k, out, in) as PyTorch's.
    order = (rank + 1, rank, *range(rank))
    to_first = (0, rank + 1, *range(1, rank + 1))
    to_last = (0, *range(2, rank + 2), 1)
    last = t.source_layout == "channels_last"
    lines = [
        "import numpy as np",
        "import onnx",
        "import onnxruntime",
        "from onnx import helper, numpy_helper",
        "",
        f"weight = np.ascontiguousarray(np.transpose(np.asarray(kernel, np.float32), {order}))",
        'inputs = ["X", "W"] + (["B"] if bias is not None else [])',
        f'node = helper.make_node("{t.kind}", inputs, ["Y"], {args})',
        'initializers = [numpy_helper.from_array(weight, "W")]',
        "if bias is not None:",
        '    initializers.append(numpy_helper.from_array(np.asarray(bias, np.float32), "B"))',
        "",
        "",
        "def forward(x):",
        f"    x = np.ascontiguousarray(np.transpose(np.asarray(x, np.float32), {to_first}))"
        if last
        else "    x = np.asarray(x, np.float32)",
        "    float_type = onnx.TensorProto.FLOAT",
        '    x_info = helper.make_tensor_value_info("X", float_type, list(x.shape))',
        '    y_info = helper.make_tensor_value_info("Y", float_type, None)',
        '    graph = helper.make_graph([node], "port", [x_info], [y_info], initializers)',
        '    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])',
        "    model.ir_version = 9",
        "    session = onnxruntime.InferenceSession(",
        '        model.SerializeToString(), providers=["CPUExecutionProvider"]',
        "    )",
        '    y = session.run(None, {"X": x})[0]',
        f"    return np.transpose(y, {to_last})" if last else "    return y",
    ]
    return "\n".join(lines) + "\n"


_CODE = {"torch": _torch_code, "jax": _jax_code, "onnx": _onnx_code, "keras": _keras_code}

"""The runnable code of a :class:`~convshape.Translation`: Python text that builds the target
op from the source layer's weights (``kernel`` and ``bias`` as NumPy arrays in the source
layout) and defines ``forward(x)``, which takes and returns tensors in the source layout,
adding the translation's ``input_pad`` before the op and removing its ``crop`` after it.
One renderer per target framework.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._types import Pad

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable

    from .porting import Translation

__all__ = ["CODE", "arguments"]


#: Each ported activation in each target's code: (PyTorch, JAX, ONNX operator).
_ACTIVATIONS = {
    "relu": ("torch.relu", "jax.nn.relu", "Relu"),
    "sigmoid": ("torch.sigmoid", "jax.nn.sigmoid", "Sigmoid"),
    "tanh": ("torch.tanh", "jnp.tanh", "Tanh"),
}


def _slices(crop: tuple[Pad, ...], offset: int) -> str:
    """Python slicing that removes ``crop``'s positive sides from the spatial axes starting at
    ``offset`` (its negative sides are zeros :func:`_appended` adds first)."""
    parts = [":"] * offset
    for axis, c in enumerate(crop):
        stop = f"y.shape[{offset + axis}] - {c.after}" if c.after > 0 else ""
        parts.append(f"{max(c.before, 0)}:{stop}")
    return ", ".join(parts)


def _appended(crop: tuple[Pad, ...]) -> list[Pad]:
    """The zeros each axis's crop adds (a negative ``before`` or ``after``), as pads."""
    return [Pad(max(-c.before, 0), max(-c.after, 0)) for c in crop]


def arguments(kwargs: dict[str, object]) -> str:
    """The op's keyword arguments as Python text: ``name=value, ...``."""
    return ", ".join(f"{name}={value!r}" for name, value in kwargs.items())


def _late_bias(t: Translation, name: str) -> tuple[bool, str]:
    """Whether the bias is added after the op, as positions the crop appends after it get
    the bias too; and the op's arguments (``name`` off when it is)."""
    args = arguments(t.kwargs)
    late = bool(t.kwargs[name]) and any(pad != (0, 0) for pad in _appended(t.crop))
    return late, args.replace(f"{name}=True", f"{name}=False") if late else args


def _pads_spec(pads: Sequence[Pad]) -> list[int]:
    """torch.nn.functional.pad's flat (last axis first) spec."""
    flat: list[int] = []
    for pad in reversed(pads):
        flat += [pad.before, pad.after]
    return flat


def _torch_code(t: Translation) -> str:
    rank = len(t.crop)
    late_bias, args = _late_bias(t, "bias")
    last = t.source_layout == "channels_last"
    # Keras kernels: (*k, in, out) forward and (*k, out, in) transposed; PyTorch's weight is
    # (out, in, *k) forward and (in, out, *k) transposed: the same permutation in both.
    order = (rank + 1, rank, *range(rank))
    appended = _appended(t.crop)
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
    if t.activation is not None:
        lines.append(f"    y = {_ACTIVATIONS[t.activation][0]}(y)")
    if last:
        lines.append(f"    return y.permute{to_last}")
    else:
        lines.append("    return y")
    return "\n".join(lines) + "\n"


def _jax_code(t: Translation) -> str:
    op = t.kind.split(".")[1]
    args = arguments(t.kwargs)
    # Keras's kernel layout is already lax's (spatial..., I, O); transpose_kernel=True makes
    # lax.conv_transpose the gradient of the forward convolution, as TensorFlow's is.
    bias_shape = "(-1,)" if t.source_layout == "channels_last" else "(-1,) + (1,) * (y.ndim - 2)"
    activation = [] if t.activation is None else [f"    y = {_ACTIVATIONS[t.activation][1]}(y)"]
    return (
        "\n".join(
            [
                *(["import jax"] if t.activation is not None else []),
                "import jax.numpy as jnp",
                "from jax import lax",
                "",
                "",
                "def forward(x):",
                f"    y = lax.{op}(jnp.asarray(x), jnp.asarray(kernel), {args})",
                "    if bias is not None:",
                f"        y = y + jnp.asarray(bias).reshape({bias_shape})",
                *activation,
                "    return y",
            ]
        )
        + "\n"
    )


def _keras_code(t: Translation) -> str:
    rank = len(t.crop)
    late_bias, args = _late_bias(t, "use_bias")
    # PyTorch's weight (out, in, *k) forward, (in, out, *k) transposed -> Keras (*k, in, out) /
    # (*k, out, in): the same permutation in both.
    order = (*range(2, rank + 2), 1, 0)
    # The input channels: a transposed weight's first axis, a forward one's second times groups.
    in_channels = "kernel.shape[0]" if "Transpose" in t.kind else "kernel.shape[1]"
    groups = t.kwargs.get("groups", 1)
    if groups != 1:
        in_channels += f" * {groups}"
    appended = _appended(t.crop)
    lines = [
        "import numpy as np",
        "import keras",
        "",
        f"layer = keras.layers.{t.kind}({args})",
        f"layer.build((None, *[None] * {rank}, {in_channels}))",
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
        if any(pad != (0, 0) for pad in appended):
            spec = [(0, 0), *map(tuple, appended), (0, 0)]
            lines.append(f"    y = np.pad(y, {spec})")
        lines.append(f"    y = y[{_slices(t.crop, 1)}, :]")
    if late_bias:
        lines.append("    y = y + np.asarray(bias)")
    lines.append(f"    return np.transpose(y, {to_first})")
    return "\n".join(lines) + "\n"


def _onnx_code(t: Translation) -> str:
    rank = len(t.crop)
    args = arguments(t.kwargs)
    # ONNX weights: Conv (out, in, *k), ConvTranspose (in, out, *k): the same permutation of
    # Keras's (*k, in, out) and (*k, out, in) as PyTorch's.
    order = (rank + 1, rank, *range(rank))
    to_first = (0, rank + 1, *range(1, rank + 1))
    to_last = (0, *range(2, rank + 2), 1)
    last = t.source_layout == "channels_last"
    # An activation is a second node, from the convolution's output "Z" to "Y".
    conv_out, nodes, activation = "Y", "[node]", []
    if t.activation is not None:
        conv_out, nodes = "Z", "[node, activation]"
        activation = [
            f'activation = helper.make_node("{_ACTIVATIONS[t.activation][2]}", ["Z"], ["Y"])'
        ]
    lines = [
        "import numpy as np",
        "import onnx",
        "import onnxruntime",
        "from onnx import helper, numpy_helper",
        "",
        f"weight = np.ascontiguousarray(np.transpose(np.asarray(kernel, np.float32), {order}))",
        'inputs = ["X", "W"] + (["B"] if bias is not None else [])',
        f'node = helper.make_node("{t.kind}", inputs, ["{conv_out}"], {args})',
        *activation,
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
        f'    graph = helper.make_graph({nodes}, "port", [x_info], [y_info], initializers)',
        '    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])',
        "    model.ir_version = 9",
        "    session = onnxruntime.InferenceSession(",
        '        model.SerializeToString(), providers=["CPUExecutionProvider"]',
        "    )",
        '    y = session.run(None, {"X": x})[0]',
        f"    return np.transpose(y, {to_last})" if last else "    return y",
    ]
    return "\n".join(lines) + "\n"


#: The renderer of each target.
CODE: dict[str, Callable[[Translation], str]] = {
    "torch": _torch_code,
    "jax": _jax_code,
    "onnx": _onnx_code,
    "keras": _keras_code,
}

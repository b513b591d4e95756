"""Pitfall checks: the traps people hit with strided and transposed convolutions.

>>> import convshape as cs
>>> from convshape import layers
>>> layer = layers.Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=0)
>>> [finding.code for finding in cs.check(layer)]
['keras-same-rejected-by-tensorflow']
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ._core import effective_kernel
from ._render import counted
from ._validate import check_shape
from .arithmetic import _output_range, _transpose_crop, _transpose_length
from .errors import ConvShapeError, _short_repr
from .explain import AXIS_NAMES
from .layers._base import Layer
from .layers.adaptive_pooling import (
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from .models.model import Model
from .models.sequential import Sequential
from .torch._crop import padding_for_crop

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the names below are for mypy only
if TYPE_CHECKING:
    from ._geometry import Windowed

__all__ = ["CODES", "Finding", "check"]

#: Tap offsets listed one by one up to this many; more are described.
MAX_OFFSETS = 32

#: Every finding code, with what it means.
CODES = {
    "keras-same-rejected-by-tensorflow": (
        "Keras's 'same' with this kernel and output_padding predicts a length TensorFlow "
        "rejects at run time"
    ),
    "odd-size-downsampling": (
        "a strided layer receives a size its stride does not divide; upsampling by the same "
        "stride cannot restore it (the U-Net mismatch)"
    ),
    "torch-port-needs-crop": (
        "no PyTorch ConvTranspose arguments reproduce this crop; a port must crop the output"
    ),
    "checkerboard-gaps": "some output positions are reached by no kernel tap",
    "output-padding-no-effect": "output_padding gives the length Keras gives without it",
    "size-mismatch": (
        "on this input size a merge's inputs do not line up (see convshape.diagnose for the "
        "chains and fixes)"
    ),
    "size-rejected": "a layer rejects the input size (an empty output, a weight mismatch)",
    "uneven-overlap": (
        "a transposed convolution's kernel is not divisible by its stride: output positions "
        "get different numbers of kernel taps (checkerboard artefacts)"
    ),
    "inputs-never-read": "a strided window shorter than its stride skips input positions",
    "field-misses-input": (
        "the model's output positions each see only part of the input along an axis "
        "(their receptive field is shorter than the input)"
    ),
    "tensorflow-adaptive-max-pool-crash": (
        "TensorFlow's CPU kernel stops the whole process (a floating-point exception) on "
        "this adaptive max pooling: an output or input of 1 along the last spatial axis"
    ),
}


@dataclass(frozen=True)
class Finding:
    """One trap found: a stable ``code`` (see :data:`CODES`), a message, the layer's name."""

    code: str
    message: str
    layer: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.layer}: {self.message}"

    def _repr_html_(self) -> str:
        from ._html import text_block  # noqa: PLC0415  (only for notebooks)

        return text_block(str(self), name="finding")


def check(
    layer_or_model: Layer | Model, input_shape: Sequence[int | None] | None = None
) -> list[Finding]:
    """The findings for a layer (on ``input_shape`` when given) or for every layer of a model.

    >>> from convshape import Input, Sequential, layers
    >>> model = Sequential([Input((25, 25, 1)), layers.MaxPooling2D(padding="same")])
    >>> print(check(model)[0])  # doctest: +ELLIPSIS
    [odd-size-downsampling] max_pooling2d: size 25 becomes 13 with strides 2; ...
    """
    if isinstance(layer_or_model, Model) and input_shape is not None:
        return _model_on(layer_or_model, input_shape)
    if isinstance(layer_or_model, Model):
        findings = []
        if isinstance(layer_or_model, Sequential) and not layer_or_model.built:
            for layer in layer_or_model.layers:
                findings += _layer_findings(layer, None)
            return findings
        # Every call of every layer in the graph, on the shapes it was called with.
        for node in layer_or_model._nodes():
            if node.is_input or len(node.input_tensors) != 1:
                continue
            if isinstance(node.operation, Layer):
                findings += _layer_findings(node.operation, node.input_tensors[0].shape)
        return findings + _field_findings(layer_or_model)
    if not isinstance(layer_or_model, Layer):
        raise TypeError(
            "check() takes a convshape layer or model, "
            f"not {type(layer_or_model).__name__}. "
            f"Received: layer_or_model={_short_repr(layer_or_model)}"
        )
    shape = None if input_shape is None else check_shape(input_shape)
    if shape is not None:
        layer_or_model.compute_output_shape(shape)  # a shape of the wrong rank is refused
    return _layer_findings(layer_or_model, shape)


def _field_findings(model: Model) -> list[Finding]:
    """Output positions that see only part of the input, from the receptive field."""
    from .receptive import receptive_field  # noqa: PLC0415  (receptive builds on the models)

    if len(model._inputs) != 1:
        return []
    source = model._inputs[0]
    origins = {"input", source.name, getattr(source.layer, "name", None)}
    try:
        fields = receptive_field(model)
    except ConvShapeError:
        return []
    parts = []
    for axis in fields:
        length = source.shape[axis.axis] if axis.axis < len(source.shape) else None
        if axis.whole or axis.origin not in origins or length is None or axis.size is None:
            continue
        if axis.size < length:
            parts.append(f"{axis.size} of {length} along axis {axis.axis} (jump {axis.jump})")
    if not parts:
        return []
    message = "each output position sees at most " + "; ".join(parts)
    return [Finding("field-misses-input", message, model.name)]


def _model_on(model: Model, input_shape: Sequence[int | None]) -> list[Finding]:
    """The model on another input shape: why it fails, or the traps on those shapes."""
    from .diagnosis import _input_shapes, _run, diagnose  # noqa: PLC0415  (builds on this module's users)

    found = diagnose(model, input_shape)
    if found is not None:
        code = "size-mismatch" if found.axes else "size-rejected"
        return [Finding(code, str(found).split("\n", 1)[0].split(": ", 1)[1], found.layer)]
    trace = _run(model, _input_shapes(model, input_shape))
    findings = []
    for node in model._nodes():
        if node.is_input or len(node.input_tensors) != 1:
            continue
        if isinstance(node.operation, Layer):
            shape = trace.shapes.get(id(node.input_tensors[0]))
            findings += _layer_findings(node.operation, shape)
    return findings


def _adaptive_max_crash(layer: Layer, shape: Sequence[int | None] | None) -> list[Finding]:
    """Keras's adaptive max pooling on TensorFlow's CPU kernels divides by zero (SIGFPE)
    when the last spatial axis has an output or an input of 1: its window
    ``ceil(I / O) + 1`` is then longer than the input."""
    if shape is None or not isinstance(
        layer, (AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
    ):
        return []
    last = layer.rank if layer.data_format == "channels_last" else layer.rank + 1
    size, out = shape[last], layer.output_size[-1]
    if out != 1 and size != 1:
        return []
    message = (
        f"{'an output' if out == 1 else 'an input'} of 1 along the last spatial axis: "
        "TensorFlow's CPU kernel for adaptive max pooling stops the process with a "
        "floating-point exception (the shape is right; JAX and PyTorch backends run it)"
    )
    return [Finding("tensorflow-adaptive-max-pool-crash", message, layer.name or "")]


def _layer_findings(layer: Layer, shape: Sequence[int | None] | None) -> list[Finding]:
    geometry = layer.geometry
    if not geometry:
        return _adaptive_max_crash(layer, shape)
    name = layer.name or type(layer).__name__
    if geometry[0].transposed:
        found = _transposed(layer, shape)
    else:
        output = None if shape is None else layer.compute_output_shape(tuple(shape))
        found = _strided(layer, shape, output)
    # One finding per code and message, naming the spatial dimensions it concerns.
    merged: dict[tuple[str, str], list[int]] = {}
    for code, dim, message in found:
        merged.setdefault((code, message), []).append(dim)
    rank = len(geometry)
    findings = []
    for (code, message), dims in merged.items():
        where = "" if rank == 1 else f" ({' and '.join(AXIS_NAMES[rank][dim] for dim in dims)})"
        findings.append(Finding(code, message + where, name))
    return findings


def _sizes(windows: Windowed, shape: Sequence[int | None] | None) -> list[int | None]:
    """The size along each window's axis in ``shape`` (None for an unknown shape)."""
    if shape is None:
        return [None] * len(windows.geometry)
    return [shape[axis.axis] for axis in windows.geometry]


def _transposed(
    windows: Windowed, shape: Sequence[int | None] | None
) -> Iterator[tuple[str, int, str]]:
    """The traps of a transposed window on ``shape``'s sizes: (code, dimension, message)."""
    axes = windows.geometry
    for dim, (axis, size) in enumerate(zip(axes, _sizes(windows, shape), strict=True)):
        k, s, d, op = axis.kernel, axis.stride, axis.dilation, axis.output_padding
        k_eff, padding = effective_kernel(k, d), axis.padding
        crop = _transpose_crop(k_eff, s, padding, op)
        probe = size or 1
        length = _transpose_length(probe, k_eff, s, crop)
        if length not in _output_range(probe, k_eff, s, padding):
            accepted = _output_range(probe, k_eff, s, padding)
            yield (
                "keras-same-rejected-by-tensorflow",
                dim,
                f"Keras predicts {length} for size {probe} (kernel {k_eff}, stride {s}, "
                f"output_padding={op}) but TensorFlow only runs "
                f"{accepted.start}..{accepted.stop - 1}; "
                "use output_padding=1 or leave it None",
            )
        if op is not None and crop == _transpose_crop(k_eff, s, padding, None):
            yield (
                "output-padding-no-effect",
                dim,
                f"output_padding={op} gives the same length and crop as leaving it None",
            )
        torch_padding, torch_output_padding, rest = padding_for_crop(crop, s, d)
        if rest != (0, 0):
            yield (
                "torch-port-needs-crop",
                dim,
                f"Keras crops {crop.before} before and {crop.after} after; PyTorch's "
                f"ConvTranspose crops (padding, padding - output_padding), so port it with "
                f"padding={torch_padding}, output_padding={torch_output_padding} and remove "
                f"the last {counted(rest.after, 'element')}",
            )
        count = min(k, s // math.gcd(d, s))  # distinct offsets t * d % s of the k taps
        if count < s:
            yield (
                "checkerboard-gaps",
                dim,
                f"kernel taps at offsets {_offsets(k, s, d, count)} modulo the stride {s}: "
                f"{s - count} of every {s} output positions get no kernel tap "
                "(only the bias)",
            )
        elif d == 1 and k % s:
            # Phases below k % s get one tap more than the others.
            yield (
                "uneven-overlap",
                dim,
                f"kernel {k} with stride {s}: output positions get "
                f"{k // s} or {k // s + 1} kernel taps in turn (uneven overlap, the "
                f"checkerboard artefact); a kernel the stride divides "
                f"({', '.join(str(s * m) for m in (1, 2))}, ...) spreads evenly",
            )


def _offsets(k: int, s: int, d: int, count: int) -> str:
    """The offsets modulo the stride the taps reach, listed when few, else described."""
    if count <= MAX_OFFSETS:
        return str(sorted({(t * d) % s for t in range(min(k, count))}))
    step = math.gcd(d, s)
    if count == s // step:  # every multiple of the gcd
        return f"0, {step}, ..., {s - step} ({count} offsets)"
    first = ", ".join(str((t * d) % s) for t in range(8))
    return f"{first}, ... ({count} offsets, one per tap)"


def _strided(
    windows: Windowed,
    shape: Sequence[int | None] | None,
    output: Sequence[int | None] | None = None,
) -> Iterator[tuple[str, int, str]]:
    """The traps of a forward window from ``shape`` to ``output``: (code, dimension,
    message); a size is compared with its output only where both are given."""
    sizes = zip(windows.geometry, _sizes(windows, shape), _sizes(windows, output), strict=True)
    for dim, (axis, size, out) in enumerate(sizes):
        k_eff, s = axis.effective_kernel, axis.stride
        if k_eff < s:
            yield (
                "inputs-never-read",
                dim,
                f"window {k_eff} with stride {s}: {s - k_eff} of every {s} input positions "
                "are read by no output; use a window at least as long as the stride",
            )
        if size is None or out is None or s == 1 or out * s == size:
            continue
        yield (
            "odd-size-downsampling",
            dim,
            f"size {size} becomes {out} with strides {s}; upsampling it by {s} "
            f"gives {out * s}, not {size}: crop, pad or choose sizes divisible by {s}",
        )

"""The per-layer rules of the receptive fields: what one Keras layer, merge or
``convshape.torch`` module does to its input tensor's fields.

Each rule reads the layer's own geometry (a sliding window's through
:class:`~convshape._geometry.Windowed`, the factors of an up-sampling, the pairs of a
padding or cropping, an adaptive pooling's output size) and returns the output's
:class:`~convshape._receptive_tensors.TensorState`; the rules themselves are stated in
``convshape.receptive``'s documentation.

>>> from convshape import layers
>>> from convshape._receptive_tensors import origin_state
>>> state = origin_state("input", (None, 10, 1), range(1, 2))
>>> layer = layers.Conv1D(1, 3, strides=2)
>>> keras_step(layer, state, (None, 10, 1), (None, 4, 1), "channels_last").axes[1].at(1)
(2, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._geometry import Shape, Windowed, forward_pad, transpose_crop, windowed
from ._receptive_spans import (
    PositionMap,
    adaptive,
    apply,
    linear,
    nearest,
    shift,
    transposed,
    window,
)
from ._receptive_tensors import TensorState, keras_axes, merge, new_origin, torch_axes
from .errors import ConvShapeError
from .layers._base import Layer, spatial_axes
from .layers.activation import Softmax
from .layers.adaptive_pooling import _AdaptivePooling
from .layers.core import Dense
from .layers.merging import Concatenate, _Elementwise
from .layers.normalization import GroupNormalization, LayerNormalization
from .layers.pooling import _GlobalPooling
from .layers.reshaping import (
    UpSampling1D,
    _as_pairs,
    _CroppingOps,
    _UpSampling,
    _ZeroPadding,
)
from .models.model import Model
from .models.ops import KerasOp
from .torch.activation import Softmax as TorchSoftmax
from .torch.flatten import Flatten as TorchFlatten
from .torch.flatten import Unflatten
from .torch.linear import Linear
from .torch.normalization import GroupNorm, LayerNorm, _InstanceNorm
from .torch.padding import _Pad as _TorchPad
from .torch.pooling import _AdaptiveAvgPool, _AdaptivePool
from .torch.rearrange import PixelShuffle, PixelUnshuffle
from .torch.upsampling import Upsample

if TYPE_CHECKING:
    from ._geometry import TorchSpec

__all__ = [
    "MergeOp",
    "generic",
    "keras_merge",
    "keras_step",
    "operation_name",
    "torch_step",
    "window_step",
]


# ---------------------------------------------------------------------------
# Rules every framework's layers share.


def window_step(layer: Windowed, state: TensorState, shape: Shape) -> TensorState:
    """Convolutions and poolings, forward and transposed, Keras's or PyTorch's, from
    their ``geometry``."""
    maps: dict[int, PositionMap] = {}
    placed: dict[int, bool] = {}
    for axis in layer.geometry:
        if axis.transposed:
            crop = transpose_crop(axis)
            maps[axis.axis] = transposed(axis.kernel, axis.stride, axis.dilation, crop.before)
            continue
        pad = forward_pad(axis, shape[axis.axis])
        placed[axis.axis] = pad is not None
        if pad is None:  # "same" and a stride above 1 on an unknown length
            pad = forward_pad(axis, axis.stride)
            assert pad is not None
        maps[axis.axis] = window(axis.kernel, axis.stride, axis.dilation, pad.before)
    return state.mapped(maps, placed)


def _adaptive_state(
    state: TensorState, shape: Shape, axes: Sequence[int], wanted: Sequence[int | None]
) -> TensorState:
    """Adaptive pooling, Keras's or PyTorch's: the windows of ``adaptive``."""
    assert state.axes is not None
    fields = dict(state.axes)
    for axis, out in zip(axes, wanted, strict=True):
        if out is None:
            continue
        size = shape[axis]
        if size is None or out == 1:
            fields[axis] = None  # every window may cover the whole length
        else:
            fields[axis] = apply(fields[axis], adaptive(size, out))
    return TensorState(state.origin, fields)


def generic(name: str, state: TensorState, out_axes: range, out: Shape) -> TensorState:
    """A layer without a rule: the whole origin (a new origin where it makes spatial axes
    out of a tensor without any)."""
    if state.axes is None and not state.origin.lengths and out_axes:
        return new_origin(name, state, out, out_axes)
    return state.whole()


# ---------------------------------------------------------------------------
# Keras layers.


def operation_name(operation: Layer | KerasOp | Model) -> str:
    """The operation's name (a layer's constructor gives one where ``name`` is None)."""
    return str(operation.name)


def keras_step(  # noqa: PLR0911
    layer: Layer, state: TensorState, shape: Shape, out: Shape, layout: str
) -> TensorState:
    """The state after one single-input Keras layer."""
    axes = keras_axes(shape, layout)
    out_axes = keras_axes(out, layout)
    if not axes:
        if out_axes:
            return new_origin(operation_name(layer), state, out, out_axes)
        return state
    if state.axes is None:
        return state
    if isinstance(layer, _GlobalPooling):
        return state.whole()
    if isinstance(layer, _AdaptivePooling):
        own = spatial_axes(layer.rank, layer.data_format)
        return _adaptive_state(state, shape, own, layer.output_size)
    windows = windowed(layer)
    if windows is not None:
        return window_step(windows, state, shape)
    if isinstance(layer, (UpSampling1D, _UpSampling)):
        return _keras_upsampling(layer, state)
    if isinstance(layer, (_ZeroPadding, _CroppingOps)):
        if isinstance(layer, _ZeroPadding):
            pairs, sign = _as_pairs(layer.padding, layer.rank), -1
            own = spatial_axes(layer.rank, layer.data_format)
        else:
            pairs, sign = _as_pairs(layer.cropping, layer.rank), 1
            own = spatial_axes(layer.rank, layer._data_format())
        return state.mapped(
            {axis: shift(sign * before) for axis, (before, _) in zip(own, pairs, strict=True)}
        )
    if _reads_spatial_axes(layer, shape, axes):
        return state.whole()
    if layer._keeps_spatial and out_axes == axes:
        return state
    return state.whole()


def _keras_upsampling(layer: UpSampling1D | _UpSampling, state: TensorState) -> TensorState:
    factors: tuple[int, ...] = (layer.size,) if isinstance(layer.size, int) else tuple(layer.size)
    # UpSampling1D has neither a data_format (channels_last) nor an interpolation.
    axes = spatial_axes(len(factors), getattr(layer, "data_format", "channels_last"))
    interpolation: str = getattr(layer, "interpolation", "nearest")
    if interpolation not in ("nearest", "bilinear"):
        raise ConvShapeError(
            "receptive fields know nearest and bilinear up-sampling; "
            f"{layer.name!r} uses interpolation={interpolation!r}",
            argument="interpolation",
            received={"layer": layer.name},
        )
    resample = nearest if interpolation == "nearest" else linear
    maps = {axis: resample(factor) for axis, factor in zip(axes, factors, strict=True)}
    return state.mapped(maps)


def _reads_spatial_axes(layer: Layer, shape: Shape, axes: range) -> bool:
    """Shape-preserving layers whose values mix positions: statistics or a softmax over a
    spatial axis."""
    if isinstance(layer, GroupNormalization):
        return True
    if isinstance(layer, Dense):  # its kernel spans the last axis
        return len(shape) - 1 in axes
    if isinstance(layer, (Softmax, LayerNormalization)):
        given = layer.axis if isinstance(layer.axis, (tuple, list)) else (layer.axis,)
        return any(axis % len(shape) in axes for axis in given)
    return False


#: The merges: elementwise layers, concatenation and Keras ops (``x + y``).
MergeOp = _Elementwise | Concatenate | KerasOp


def keras_merge(
    operation: MergeOp, states: list[TensorState], shapes: list[Shape], out: Shape, layout: str
) -> TensorState:
    """A merge's output: the inputs' fields joined (the whole origin for a concatenation
    along a spatial axis)."""
    axes = keras_axes(out, layout)
    if isinstance(operation, Concatenate) and len(states) > 1 and operation.axis % len(out) in axes:
        return states[0].whole()
    return merge(states, shapes, out, axes)


# ---------------------------------------------------------------------------
# PyTorch module specifications (NCHW).


def torch_step(  # noqa: PLR0911
    module: TorchSpec, name: str, state: TensorState, shape: Shape, out: Shape
) -> TensorState:
    """The state after one ``convshape.torch`` module."""
    axes = torch_axes(shape)
    out_axes = torch_axes(out)
    if not axes:
        if out_axes:
            return new_origin(name, state, out, out_axes)
        return state
    if state.axes is None:
        return state
    windows = windowed(module)  # convolutions (lazy ones too) and poolings
    if windows is not None:
        return window_step(windows, state, shape)
    moved = _torch_moves(module, shape, axes)
    if moved is not None:
        return state.mapped(moved)
    if isinstance(module, (_AdaptivePool, _AdaptiveAvgPool)):
        return _torch_adaptive(module, state, shape, axes)
    if isinstance(module, Upsample):
        return state.mapped(_torch_upsample(module, shape, out, axes))
    if isinstance(module, (_InstanceNorm, GroupNorm, Linear, TorchFlatten, Unflatten)):
        return state.whole()  # statistics over, or weights across, the spatial axes
    if isinstance(module, LayerNorm):
        return state.whole()  # it normalises the last dimensions, spatial in NCHW
    if isinstance(module, TorchSoftmax) and module.dim is not None:
        return state.whole() if module.dim % len(shape) in axes else state
    if out == shape:
        return state  # activations, BatchNorm, dropout, Identity
    return state.whole()


def _torch_moves(module: TorchSpec, shape: Shape, axes: range) -> dict[int, PositionMap] | None:
    """The maps of the padding modules and pixel (un)shuffling; None for other modules."""
    if isinstance(module, _TorchPad):
        # The pairs are given last dimension first; borders aside, every mode shifts.
        pads: tuple[int, ...] = module.padding
        padded = range(len(shape) - len(pads) // 2, len(shape))
        befores = dict(zip(padded, pads[-2::-2], strict=True))
        return {axis: shift(-befores[axis]) for axis in axes if axis in befores}
    if isinstance(module, PixelShuffle):
        return dict.fromkeys(axes[-2:], nearest(module.upscale_factor))
    if isinstance(module, PixelUnshuffle):
        r = module.downscale_factor
        return dict.fromkeys(axes[-2:], window(r, r, 1, 0))
    return None


def _torch_adaptive(
    module: _AdaptivePool | _AdaptiveAvgPool, state: TensorState, shape: Shape, axes: range
) -> TensorState:
    rank = len(axes)
    sizes: int | tuple[int | None, ...] = module.output_size  # as the spec keeps it
    wanted = sizes if isinstance(sizes, tuple) else (sizes,) * rank
    return _adaptive_state(state, shape, axes, wanted)


def _torch_upsample(
    module: Upsample, shape: Shape, out: Shape, axes: range
) -> dict[int, PositionMap]:
    mode = module.mode
    if mode in ("nearest", "nearest-exact"):
        resample = nearest
    elif mode in ("linear", "bilinear", "trilinear") and not module.align_corners:
        resample = linear
    else:
        raise ConvShapeError(
            "receptive fields know nearest and (bi/tri)linear up-sampling without align_corners",
            argument="mode",
            received={"mode": mode, "align_corners": module.align_corners},
        )
    maps: dict[int, PositionMap] = {}
    for index, axis in enumerate(axes):
        factor = _integer_factor(module, shape[axis], out[axis], index)
        maps[axis] = resample(factor)
    return maps


def _integer_factor(module: Upsample, size: int | None, out: int | None, index: int) -> int:
    scale = module.scale_factor
    if scale is not None:
        value = scale[index] if isinstance(scale, (tuple, list)) else scale
        factor = float(value)
    elif size and out is not None:
        factor = out / size
    else:
        factor = 0.5  # rejected below: the factor depends on an unknown length
    if factor < 1 or factor != int(factor):
        raise ConvShapeError(
            "receptive fields follow up-sampling by whole factors only",
            argument="scale_factor",
            received={"scale_factor": module.scale_factor, "size": module.size},
        )
    return int(factor)

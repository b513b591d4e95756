"""The length maps of the input-size search: what one Keras layer does to the length of
one spatial axis, as an integer function of that length (None where the output would be
empty), or no map where the layer needs the whole shape.

Convolutions and poolings (forward or transposed) map through their window
(:class:`~convshape._geometry.AxisWindow`), up-sampling scales, padding and cropping
shift, and shape-preserving layers whose weights ignore the axis pass it on. Equal
windows share one map, so that the search maps each list of lengths once.

>>> from convshape import layers
>>> down = length_map(layers.MaxPooling2D(), 1, (None, None, None, 3))
>>> [down(n) for n in (1, 2, 7)]
[None, 1, 3]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from ._geometry import AxisWindow, transpose_crop
from ._types import Pad
from .arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _transpose_is_empty,
    _transpose_length,
)
from .errors import ConvShapeError
from .layers._base import Layer
from .layers.reshaping import UpSampling1D, _CroppingOps, _UpSampling, _ZeroPadding

#: A length map: one input length to the output length, None where the output is empty.
LengthMap = Callable[[int], int | None]
IDENTITY: LengthMap = lambda n: n  # noqa: E731


def length_map(  # noqa: PLR0911  (one return per kind of layer)
    layer: Layer, axis: int, shape: Sequence[int | None]
) -> LengthMap | None:
    """The layer's integer map of a length along ``axis``, or None where it has none.

    Shape-preserving layers map identically when their weights do not depend on the
    axis; the windows of convolutions and poolings, up-sampling, padding and cropping
    have their arithmetic.
    """
    windows: Sequence[AxisWindow] = layer.geometry
    for geometry in windows:
        if geometry.axis == axis:
            return _window(geometry)
    if windows:
        return IDENTITY if _weights_ignore(layer, axis, shape) else None
    if isinstance(layer, (_UpSampling, UpSampling1D)):
        dims = (layer.size,) if isinstance(layer.size, int) else layer.size
        factor = dims[axis - 1] if axis - 1 < len(dims) else 1
        return _scale_map(factor)
    if isinstance(layer, _ZeroPadding):
        return _pairs_map(layer.padding, axis, 1)
    if isinstance(layer, _CroppingOps):
        return _pairs_map(layer.cropping, axis, -1)
    if layer._keeps_spatial and _weights_ignore(layer, axis, shape):
        return IDENTITY
    return None


def _pairs_map(
    pairs: tuple[int, int] | tuple[tuple[int, int], ...], axis: int, sign: int
) -> LengthMap:
    """Padding (``sign`` 1) or cropping (-1) by Keras's normal form of (before, after)
    pairs: one pair for the 1D layers, one per spatial axis for the others."""
    rows = (pairs,) if isinstance(pairs[0], int) else pairs
    if axis - 1 >= len(rows):
        return IDENTITY
    before, after = rows[axis - 1]
    return _shift_map(sign * (before + after))


def _window(geometry: AxisWindow) -> LengthMap:
    k_eff = geometry.effective_kernel
    if geometry.transposed:
        return _transposed_map(k_eff, geometry.stride, transpose_crop(geometry))
    return _forward_map(k_eff, geometry.stride, geometry.padding)


# One function per distinct window, so that equal axes share their mapped lengths.


@functools.lru_cache(maxsize=256)
def _transposed_map(k_eff: int, stride: int, crop: Pad) -> LengthMap:
    extra = k_eff - crop.before - crop.after
    if extra > 0:  # (n - 1) * s + extra, never empty
        return lambda n: (n - 1) * stride + extra

    def transposed_length(n: int) -> int | None:
        length = _transpose_length(n, k_eff, stride, crop)
        return None if _transpose_is_empty(n, length) else length

    return transposed_length


@functools.lru_cache(maxsize=256)
def _forward_map(k_eff: int, stride: int, padding: str | Pad) -> LengthMap:
    if stride == 1 and padding in ("same", "causal"):
        return IDENTITY
    if padding in ("same", "causal"):  # ceil(n / s), never empty for n >= 1
        return lambda n: -(-n // stride)
    if padding == "valid":
        return lambda n: (n - k_eff) // stride + 1 if n >= k_eff else None

    def forward(n: int) -> int | None:
        pad = _forward_pad(n, k_eff, stride, padding)
        assert pad is not None
        length = _forward_length(n, k_eff, stride, pad)
        return None if _forward_is_empty(n, length, padding) else length

    return forward


@functools.lru_cache(maxsize=128)
def _scale_map(factor: int) -> LengthMap:
    return lambda n: n * factor


@functools.lru_cache(maxsize=128)
def _shift_map(extra: int) -> LengthMap:
    return lambda n: n + extra if n + extra > 0 else None


def _weights_ignore(layer: Layer, axis: int, shape: Sequence[int | None]) -> bool:
    """Whether the layer's weights are the same whatever the length along ``axis``."""
    found = []
    for probe in (5, 7):
        trial = list(shape)
        trial[axis] = probe
        try:
            found.append([w.shape for w in layer.build_weights(tuple(trial))])
        except ConvShapeError:
            return False
    return found[0] == found[1]

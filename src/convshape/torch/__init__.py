"""PyTorch's conventions: per-dimension rules (``nn.Conv*``, ``nn.ConvTranspose*``,
pooling) and module specifications with PyTorch's names and arguments, NCHW.

>>> from convshape import torch as pt
>>> pt.conv_transpose_output_length(7, 5, stride=2, padding=2, output_padding=1)
14
>>> pt.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1).compute_output_shape(
...     (None, 256, 7, 7))
(None, 128, 14, 14)
"""

from __future__ import annotations

from .functional import conv_output_length, conv_transpose_output_length, pool_output_length
from .modules import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "conv_output_length",
    "conv_transpose_output_length",
    "pool_output_length",
]

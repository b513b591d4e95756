"""convshape: exact convolution and transposed-convolution shape arithmetic.

Pure Python, no dependencies, Keras/TensorFlow semantics by default.

>>> import convshape as cs
>>> cs.conv_transpose_output_length(7, 5, stride=2, padding="same")
14
>>> cs.conv_transpose_crop(7, 5, stride=2, padding="same")
Pad(before=1, after=2)
"""

from __future__ import annotations

from . import layers
from .arithmetic import (
    Pad,
    conv_output_length,
    conv_padding,
    conv_transpose_crop,
    conv_transpose_output_length,
    conv_transpose_output_range,
    effective_kernel_size,
)
from .errors import ConvShapeError, ConvShapeWarning, EmptyOutputError
from .layers import Input, InputLayer
from .sequential import Sequential
from .summary import Summary, SummaryRow

__version__ = "0.1.0"

__all__ = [
    "ConvShapeError",
    "ConvShapeWarning",
    "EmptyOutputError",
    "Input",
    "InputLayer",
    "Pad",
    "Sequential",
    "Summary",
    "SummaryRow",
    "__version__",
    "conv_output_length",
    "conv_padding",
    "conv_transpose_crop",
    "conv_transpose_output_length",
    "conv_transpose_output_range",
    "effective_kernel_size",
    "layers",
]

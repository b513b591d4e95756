"""Keras-compatible layer specifications: Keras 3's class names, arguments and defaults.

>>> from convshape import layers
>>> layers.Conv2DTranspose(64, 5, strides=2, padding="same").compute_output_shape((None, 7, 7, 128))
(None, 14, 14, 64)
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:
    from ._base import Layer, SymbolicTensor, Weight
    from .activation import (
        ELU,
        Activation,
        Dropout,
        GaussianNoise,
        LeakyReLU,
        PReLU,
        ReLU,
        Softmax,
        SpatialDropout1D,
        SpatialDropout2D,
        SpatialDropout3D,
    )
    from .adaptive_pooling import (
        AdaptiveAveragePooling1D,
        AdaptiveAveragePooling2D,
        AdaptiveAveragePooling3D,
        AdaptiveMaxPooling1D,
        AdaptiveMaxPooling2D,
        AdaptiveMaxPooling3D,
    )
    from .applications import CustomScaleLayer, LayerScale
    from .attention import AdditiveAttention, Attention, MultiHeadAttention
    from .convolutional import (
        Conv1D,
        Conv1DTranspose,
        Conv2D,
        Conv2DTranspose,
        Conv3D,
        Conv3DTranspose,
        DepthwiseConv1D,
        DepthwiseConv2D,
        SeparableConv1D,
        SeparableConv2D,
    )
    from .core import Dense, Embedding, Identity, Input, InputLayer
    from .merging import (
        Add,
        Average,
        Concatenate,
        Dot,
        Maximum,
        Minimum,
        Multiply,
        Subtract,
        add,
        average,
        concatenate,
        dot,
        maximum,
        minimum,
        multiply,
        subtract,
    )
    from .normalization import BatchNormalization, GroupNormalization, LayerNormalization
    from .pooling import (
        AveragePooling1D,
        AveragePooling2D,
        AveragePooling3D,
        GlobalAveragePooling1D,
        GlobalAveragePooling2D,
        GlobalAveragePooling3D,
        GlobalMaxPooling1D,
        GlobalMaxPooling2D,
        GlobalMaxPooling3D,
        MaxPooling1D,
        MaxPooling2D,
        MaxPooling3D,
    )
    from .preprocessing import CenterCrop, Normalization, Rescaling, Resizing
    from .reshaping import (
        Cropping1D,
        Cropping2D,
        Cropping3D,
        Flatten,
        Permute,
        RepeatVector,
        Reshape,
        UpSampling1D,
        UpSampling2D,
        UpSampling3D,
        ZeroPadding1D,
        ZeroPadding2D,
        ZeroPadding3D,
    )
    from .rnn import GRU, LSTM, SimpleRNN
    from .wrappers import Bidirectional, TimeDistributed

    AvgPool1D = AveragePooling1D
    AvgPool2D = AveragePooling2D
    AvgPool3D = AveragePooling3D
    Convolution1D = Conv1D
    Convolution1DTranspose = Conv1DTranspose
    Convolution2D = Conv2D
    Convolution2DTranspose = Conv2DTranspose
    Convolution3D = Conv3D
    Convolution3DTranspose = Conv3DTranspose
    GlobalAvgPool1D = GlobalAveragePooling1D
    GlobalAvgPool2D = GlobalAveragePooling2D
    GlobalAvgPool3D = GlobalAveragePooling3D
    GlobalMaxPool1D = GlobalMaxPooling1D
    GlobalMaxPool2D = GlobalMaxPooling2D
    GlobalMaxPool3D = GlobalMaxPooling3D
    MaxPool1D = MaxPooling1D
    MaxPool2D = MaxPooling2D
    MaxPool3D = MaxPooling3D
    SeparableConvolution1D = SeparableConv1D
    SeparableConvolution2D = SeparableConv2D

# Each submodule loads when one of its names is first used: defining all ~80 layer
# dataclasses up front would make `from convshape import layers` slow.
_MODULES = {
    "Activation": "activation",
    "AdaptiveAveragePooling1D": "adaptive_pooling",
    "AdaptiveAveragePooling2D": "adaptive_pooling",
    "AdaptiveAveragePooling3D": "adaptive_pooling",
    "AdaptiveMaxPooling1D": "adaptive_pooling",
    "AdaptiveMaxPooling2D": "adaptive_pooling",
    "AdaptiveMaxPooling3D": "adaptive_pooling",
    "Add": "merging",
    "Average": "merging",
    "AveragePooling1D": "pooling",
    "AveragePooling2D": "pooling",
    "AveragePooling3D": "pooling",
    "BatchNormalization": "normalization",
    "CenterCrop": "preprocessing",
    "Concatenate": "merging",
    "Conv1D": "convolutional",
    "Conv1DTranspose": "convolutional",
    "Conv2D": "convolutional",
    "Conv2DTranspose": "convolutional",
    "Conv3D": "convolutional",
    "Conv3DTranspose": "convolutional",
    "Cropping1D": "reshaping",
    "Cropping2D": "reshaping",
    "Cropping3D": "reshaping",
    "CustomScaleLayer": "applications",
    "Dense": "core",
    "DepthwiseConv1D": "convolutional",
    "DepthwiseConv2D": "convolutional",
    "Dot": "merging",
    "Dropout": "activation",
    "ELU": "activation",
    "Embedding": "core",
    "Flatten": "reshaping",
    "GaussianNoise": "activation",
    "GlobalAveragePooling1D": "pooling",
    "GlobalAveragePooling2D": "pooling",
    "GlobalAveragePooling3D": "pooling",
    "GlobalMaxPooling1D": "pooling",
    "GlobalMaxPooling2D": "pooling",
    "GlobalMaxPooling3D": "pooling",
    "GroupNormalization": "normalization",
    "Identity": "core",
    "Input": "core",
    "InputLayer": "core",
    "Layer": "_base",
    "LayerNormalization": "normalization",
    "LayerScale": "applications",
    "LeakyReLU": "activation",
    "MaxPooling1D": "pooling",
    "MaxPooling2D": "pooling",
    "MaxPooling3D": "pooling",
    "Maximum": "merging",
    "Minimum": "merging",
    "Multiply": "merging",
    "Normalization": "preprocessing",
    "PReLU": "activation",
    "Permute": "reshaping",
    "ReLU": "activation",
    "RepeatVector": "reshaping",
    "Rescaling": "preprocessing",
    "Reshape": "reshaping",
    "Resizing": "preprocessing",
    "SeparableConv1D": "convolutional",
    "SeparableConv2D": "convolutional",
    "Softmax": "activation",
    "SpatialDropout1D": "activation",
    "SpatialDropout2D": "activation",
    "SpatialDropout3D": "activation",
    "Subtract": "merging",
    "SymbolicTensor": "_base",
    "UpSampling1D": "reshaping",
    "UpSampling2D": "reshaping",
    "UpSampling3D": "reshaping",
    "Weight": "_base",
    "ZeroPadding1D": "reshaping",
    "ZeroPadding2D": "reshaping",
    "ZeroPadding3D": "reshaping",
    "add": "merging",
    "average": "merging",
    "concatenate": "merging",
    "dot": "merging",
    "maximum": "merging",
    "minimum": "merging",
    "multiply": "merging",
    "subtract": "merging",
    "AdditiveAttention": "attention",
    "Attention": "attention",
    "MultiHeadAttention": "attention",
    "Bidirectional": "wrappers",
    "GRU": "rnn",
    "LSTM": "rnn",
    "SimpleRNN": "rnn",
    "TimeDistributed": "wrappers",
}

#: Other names Keras exports for the same classes (``keras.layers.MaxPool2D is MaxPooling2D``).
_ALIASES = {
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "Convolution1D": "Conv1D",
    "Convolution1DTranspose": "Conv1DTranspose",
    "Convolution2D": "Conv2D",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3D": "Conv3D",
    "Convolution3DTranspose": "Conv3DTranspose",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
}


def __getattr__(name: str) -> Any:
    if name in _ALIASES:
        value = __getattr__(_ALIASES[name])
        globals()[name] = value
        return value
    if name not in _MODULES:
        raise AttributeError(f"module 'convshape.layers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"convshape.layers.{_MODULES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULES) | set(_ALIASES))


__all__ = [
    "ELU",
    "GRU",
    "LSTM",
    "Activation",
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
    "Add",
    "AdditiveAttention",
    "Attention",
    "Average",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "BatchNormalization",
    "Bidirectional",
    "CenterCrop",
    "Concatenate",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Convolution1D",
    "Convolution1DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "Convolution3D",
    "Convolution3DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "CustomScaleLayer",
    "Dense",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Dot",
    "Dropout",
    "Embedding",
    "Flatten",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GroupNormalization",
    "Identity",
    "Input",
    "InputLayer",
    "Layer",
    "LayerNormalization",
    "LayerScale",
    "LeakyReLU",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "Maximum",
    "Minimum",
    "MultiHeadAttention",
    "Multiply",
    "Normalization",
    "PReLU",
    "Permute",
    "ReLU",
    "RepeatVector",
    "Rescaling",
    "Reshape",
    "Resizing",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
    "SimpleRNN",
    "Softmax",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "Subtract",
    "SymbolicTensor",
    "TimeDistributed",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "Weight",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

"""Keras-compatible layer specifications: Keras 3's class names, arguments and defaults.

>>> from convshape import layers
>>> layers.Conv2DTranspose(64, 5, strides=2, padding="same").compute_output_shape((None, 7, 7, 128))
(None, 14, 14, 64)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

# Each submodule loads when one of its names is first used: defining all ~60 layer
# dataclasses up front would make `from convshape import layers` slow.
_MODULES = {
    "Activation": "activation",
    "AveragePooling1D": "pooling",
    "AveragePooling2D": "pooling",
    "AveragePooling3D": "pooling",
    "BatchNormalization": "normalization",
    "Conv1D": "convolutional",
    "Conv1DTranspose": "convolutional",
    "Conv2D": "convolutional",
    "Conv2DTranspose": "convolutional",
    "Conv3D": "convolutional",
    "Conv3DTranspose": "convolutional",
    "Cropping1D": "reshaping",
    "Cropping2D": "reshaping",
    "Cropping3D": "reshaping",
    "Dense": "core",
    "DepthwiseConv1D": "convolutional",
    "DepthwiseConv2D": "convolutional",
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
    "LeakyReLU": "activation",
    "MaxPooling1D": "pooling",
    "MaxPooling2D": "pooling",
    "MaxPooling3D": "pooling",
    "PReLU": "activation",
    "Permute": "reshaping",
    "ReLU": "activation",
    "RepeatVector": "reshaping",
    "Reshape": "reshaping",
    "SeparableConv1D": "convolutional",
    "SeparableConv2D": "convolutional",
    "Softmax": "activation",
    "SpatialDropout1D": "activation",
    "SpatialDropout2D": "activation",
    "SpatialDropout3D": "activation",
    "SymbolicTensor": "_base",
    "UpSampling1D": "reshaping",
    "UpSampling2D": "reshaping",
    "UpSampling3D": "reshaping",
    "Weight": "_base",
    "ZeroPadding1D": "reshaping",
    "ZeroPadding2D": "reshaping",
    "ZeroPadding3D": "reshaping",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'convshape.layers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"convshape.layers.{_MODULES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULES))


__all__ = [
    "ELU",
    "Activation",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "BatchNormalization",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Dense",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Dropout",
    "Embedding",
    "Flatten",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GroupNormalization",
    "Identity",
    "Input",
    "InputLayer",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "PReLU",
    "Permute",
    "ReLU",
    "RepeatVector",
    "Reshape",
    "SeparableConv1D",
    "SeparableConv2D",
    "Softmax",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "SymbolicTensor",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "Weight",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]

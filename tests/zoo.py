"""A zoo of Sequential models, each written once and built with either Keras or convshape.

Every builder takes a namespace ``k`` with ``Sequential``, ``Input`` and ``layers``
(``keras`` itself, or ``convshape``), so the very same code runs in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Builder = Callable[[Any], Any]


@dataclass(frozen=True)
class ZooModel:
    name: str
    build: Builder
    #: TensorFlow's CPU kernels can run it on zeros (not channels_first convolutions).
    runnable: bool = True
    #: Sizes to put in place of unknown (None) dimensions when running it.
    fill: int = 2


def dcgan_generator(k: Any) -> Any:
    """The seed: the TensorFlow DCGAN tutorial generator, upsampling 7 -> 14 -> 28 -> 84."""
    layers = k.layers
    model = k.Sequential()
    model.add(layers.Dense(7 * 7 * 256, use_bias=False, input_shape=(100,)))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(layers.Reshape((7, 7, 256)))
    assert model.output_shape == (None, 7, 7, 256)
    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same", use_bias=False))
    assert model.output_shape == (None, 14, 14, 128)
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False))
    assert model.output_shape == (None, 28, 28, 64)
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(
        layers.Conv2DTranspose(
            1, (5, 5), strides=(3, 3), padding="same", use_bias=False, activation="tanh"
        )
    )
    assert model.output_shape == (None, 84, 84, 1)
    return model


def dcgan_discriminator(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((84, 84, 1)),
            layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )


def odd_autoencoder(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((27, 29, 3)),
            layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
            layers.MaxPooling2D(padding="same"),
            layers.Conv2D(8, (3, 2), padding="valid"),
            layers.UpSampling2D((2, 3), interpolation="bilinear"),
            layers.Conv2DTranspose(8, 3, strides=2, padding="valid", output_padding=1),
            layers.Cropping2D(((1, 2), (0, 3))),
            layers.ZeroPadding2D(((0, 1), 2)),
            layers.Conv2DTranspose(4, 4, strides=(2, 1), padding="same"),
            layers.Conv2D(3, 1, activation="sigmoid"),
        ]
    )


def wavenet_1d(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((None, 16)),
            layers.Conv1D(32, 2, padding="causal", dilation_rate=1),
            layers.Conv1D(32, 2, padding="causal", dilation_rate=2),
            layers.Conv1D(32, 2, padding="causal", dilation_rate=4),
            layers.SpatialDropout1D(0.1),
            layers.Conv1D(32, 3, padding="causal", dilation_rate=8, activation="relu"),
            layers.ReLU(max_value=6.0),
            layers.Conv1D(8, 1),
            layers.GlobalMaxPooling1D(),
            layers.Dense(4, activation="softmax"),
        ]
    )


def volumetric_3d(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((17, 16, 15, 2)),
            layers.Conv3D(8, 3, padding="same", activation="relu"),
            layers.MaxPooling3D(),
            layers.Conv3D(8, (3, 2, 1), strides=(1, 2, 1)),
            layers.AveragePooling3D(2, padding="same"),
            layers.Conv3DTranspose(4, 3, strides=2, padding="same", output_padding=(1, 0, 1)),
            layers.UpSampling3D((1, 2, 1)),
            layers.ZeroPadding3D((1, 0, 2)),
            layers.Cropping3D(((0, 1), (1, 1), 0)),
            layers.SpatialDropout3D(0.2),
            layers.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 3), padding="valid"),
            layers.GlobalAveragePooling3D(keepdims=True),
            layers.GlobalMaxPooling3D(),
            layers.Dense(3),
        ]
    )


def channels_first_2d(k: Any) -> Any:
    layers = k.layers
    cf = "channels_first"
    return k.Sequential(
        [
            k.Input((3, 33, 31)),
            layers.Conv2D(16, 5, strides=2, padding="same", data_format=cf),
            layers.BatchNormalization(axis=1),
            layers.MaxPooling2D((3, 2), strides=(2, 2), data_format=cf),
            layers.SpatialDropout2D(0.1, data_format=cf),
            layers.SeparableConv2D(8, 3, padding="same", data_format=cf, depth_multiplier=2),
            layers.DepthwiseConv2D((3, 1), data_format=cf),
            layers.Conv2DTranspose(8, 4, strides=2, padding="same", data_format=cf),
            layers.UpSampling2D(data_format=cf),
            layers.ZeroPadding2D(1, data_format=cf),
            layers.Cropping2D((2, 1), data_format=cf),
            layers.AveragePooling2D(2, data_format=cf),
            layers.GlobalAveragePooling2D(data_format=cf, keepdims=True),
            layers.GlobalMaxPooling2D(data_format=cf),
        ]
    )


def channels_first_1d_3d(k: Any) -> Any:
    layers = k.layers
    cf = "channels_first"
    return k.Sequential(
        [
            k.Input((4, 30)),
            layers.Conv1D(8, 5, strides=3, padding="same", data_format=cf),
            layers.Conv1DTranspose(8, 3, strides=2, output_padding=1, data_format=cf),
            layers.MaxPooling1D(2, data_format=cf),
            layers.AveragePooling1D(3, strides=1, padding="same", data_format=cf),
            layers.ZeroPadding1D((1, 3), data_format=cf),
            layers.GlobalMaxPooling1D(data_format=cf, keepdims=True),
            layers.Reshape((8, 1, 1, 1)),
            layers.Conv3DTranspose(4, 2, strides=2, data_format=cf),
            layers.Conv3D(2, 1, data_format=cf),
            layers.UpSampling3D(data_format=cf),
            layers.MaxPooling3D(2, data_format=cf),
            layers.AveragePooling3D(1, data_format=cf),
            layers.GlobalAveragePooling3D(data_format=cf),
        ]
    )


def unknown_spatial(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((None, None, 3)),
            layers.Conv2D(8, 3, strides=2, padding="same"),
            layers.MaxPooling2D(),
            layers.Conv2DTranspose(8, 3, strides=2, padding="same"),
            layers.Conv2DTranspose(4, 2, strides=2, padding="valid"),
            layers.GlobalAveragePooling2D(keepdims=True),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )


def separable_depthwise(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((32, 32, 3)),
            layers.SeparableConv2D(16, 3, strides=2, padding="same", depth_multiplier=2),
            layers.DepthwiseConv2D(3, depth_multiplier=3, use_bias=False),
            layers.SeparableConv2D(8, (1, 3), dilation_rate=(2, 2), padding="valid"),
            layers.DepthwiseConv2D((2, 2), strides=2, padding="same"),
            layers.GlobalMaxPooling2D(),
        ]
    )


def text_cnn(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((50,)),
            layers.Embedding(1000, 32),
            layers.Conv1D(64, 5, activation="relu"),
            layers.MaxPooling1D(3),
            layers.Conv1D(64, 3, padding="same"),
            layers.GlobalMaxPooling1D(),
            layers.Dense(32),
            layers.Dropout(0.5),
            layers.Dense(4),
            layers.Softmax(),
        ]
    )


def grouped_convs(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((24, 8)),
            layers.Conv1D(16, 3, groups=4, padding="same"),
            layers.Conv1D(16, 3, groups=8, strides=2),
            layers.Reshape((11, 4, 4)),
            layers.Conv2D(8, (3, 1), groups=2),
            layers.Conv2D(12, 1, groups=4, use_bias=False),
        ]
    )


def frozen_layers(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((16, 16, 3)),
            layers.Conv2D(8, 3, trainable=False),
            layers.BatchNormalization(trainable=False),
            layers.PReLU(shared_axes=[1, 2]),
            layers.Conv2D(8, 3),
            layers.BatchNormalization(center=False),
            layers.PReLU(),
            layers.Flatten(),
            layers.Dense(10, trainable=False),
            layers.BatchNormalization(scale=False, renorm=True),
        ]
    )


def resampling_1d(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((20, 4)),
            layers.Conv1DTranspose(8, 4, strides=2, padding="same"),
            layers.Conv1DTranspose(8, 3, strides=3, padding="same", output_padding=2),
            layers.Conv1DTranspose(8, 1, strides=4, padding="valid"),
            layers.UpSampling1D(2),
            layers.ZeroPadding1D(3),
            layers.Cropping1D((5, 2)),
            layers.MaxPooling1D(4, strides=3, padding="same"),
            layers.AveragePooling1D(5),
            layers.DepthwiseConv1D(3, depth_multiplier=2),
            layers.SeparableConv1D(4, 3, depth_multiplier=2, padding="same"),
            layers.Conv1DTranspose(2, 3, dilation_rate=2),
            layers.GlobalAveragePooling1D(keepdims=True),
        ]
    )


def reshaping(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((6, 8)),
            layers.Permute((2, 1)),
            layers.Reshape((-1, 4)),
            layers.LayerNormalization(axis=[1, 2]),
            layers.Flatten(),
            layers.RepeatVector(3),
            layers.Dense(5),
            layers.Reshape((5, 3)),
            layers.Permute((2, 1)),
            layers.Identity(),
        ]
    )


def normalization_activation(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((8, 8, 16)),
            layers.GroupNormalization(groups=4),
            layers.ELU(alpha=0.5),
            layers.LayerNormalization(),
            layers.Activation("relu"),
            layers.GaussianNoise(0.1),
            layers.GroupNormalization(groups=-1, center=False),
            layers.ReLU(negative_slope=0.1, threshold=0.5),
            layers.LayerNormalization(axis=-1, scale=False),
            layers.Softmax(axis=1),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(3, activation="softmax"),
        ]
    )


def lora_and_dtypes(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((10,)),
            layers.Embedding(100, 8, lora_rank=2),
            layers.Conv1D(6, 3, lora_rank=3),
            layers.Flatten(),
            layers.Dense(16, lora_rank=4),
            layers.Dense(8, dtype="float16"),
            layers.Dense(4, dtype="float64"),
        ],
        name="lora",
    )


def batch_sized_input(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((9, 9, 2), batch_size=8),
            layers.Conv2D(4, 2, strides=2),
            layers.Conv2DTranspose(2, 3, strides=2, output_padding=0),
            layers.Flatten(),
        ]
    )


def dilated_dense_net(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [
            k.Input((40, 40, 1)),
            layers.Conv2D(4, 3, dilation_rate=(2, 3), padding="same"),
            layers.Conv2D(4, 3, dilation_rate=(3, 1)),
            layers.Conv2DTranspose(4, 3, dilation_rate=(2, 2), padding="same"),
            layers.Conv2DTranspose(4, (2, 3), dilation_rate=(1, 2), padding="valid"),
            layers.MaxPooling2D((3, 3), strides=(2, 1)),
            layers.AveragePooling2D((1, 2), strides=(3, 2), padding="same"),
            layers.Dense(2),
        ]
    )


def frozen_model(k: Any) -> Any:
    layers = k.layers
    return k.Sequential(
        [k.Input((12,)), layers.Dense(6), layers.BatchNormalization(), layers.Dense(2)],
        trainable=False,
        name="frozen",
    )


def unbuilt(k: Any) -> Any:
    """No input shape: Keras shows "?" and "0 (unbuilt)" for layers not built at init."""
    layers = k.layers
    return k.Sequential(
        [
            layers.Dense(3),
            layers.ReLU(),
            layers.Conv2D(2, 3),
            layers.Dropout(0.1),
            layers.Reshape((2, 2)),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.UpSampling1D(),
            layers.Identity(),
        ]
    )


def adaptive_pooling(k: Any) -> Any:
    """Keras's adaptive pooling layers in both data formats (no output of 1 and no input
    axis of 1 for max pooling: TensorFlow's CPU kernel fails on those)."""
    layers = k.layers
    cf = "channels_first"
    return k.Sequential(
        [
            k.Input((20, 18, 4)),
            layers.AdaptiveAveragePooling2D((7, 5)),
            layers.AdaptiveMaxPooling2D(3, data_format="channels_last"),
            layers.Reshape((9, 4)),
            layers.AdaptiveMaxPooling1D(4),
            layers.AdaptiveAveragePooling1D(2, data_format=cf),
            layers.Reshape((2, 2, 2, 1)),
            layers.UpSampling3D((3, 5, 4)),
            layers.AdaptiveAveragePooling3D((3, 4, 5)),
            layers.Reshape((1, 3, 4, 5)),
            layers.AdaptiveMaxPooling3D((2, 2, 2), data_format=cf),
            layers.Flatten(),
            layers.Dense(3),
        ]
    )


ZOO = [
    ZooModel("dcgan_generator", dcgan_generator),
    ZooModel("dcgan_discriminator", dcgan_discriminator),
    ZooModel("odd_autoencoder", odd_autoencoder),
    ZooModel("wavenet_1d", wavenet_1d, fill=37),
    ZooModel("volumetric_3d", volumetric_3d),
    ZooModel("channels_first_2d", channels_first_2d, runnable=False),
    ZooModel("channels_first_1d_3d", channels_first_1d_3d, runnable=False),
    ZooModel("unknown_spatial", unknown_spatial, fill=23),
    ZooModel("separable_depthwise", separable_depthwise),
    ZooModel("text_cnn", text_cnn),
    ZooModel("grouped_convs", grouped_convs),
    ZooModel("frozen_layers", frozen_layers),
    ZooModel("resampling_1d", resampling_1d),
    ZooModel("reshaping", reshaping),
    ZooModel("normalization_activation", normalization_activation),
    ZooModel("lora_and_dtypes", lora_and_dtypes),
    ZooModel("batch_sized_input", batch_sized_input),
    ZooModel("dilated_dense_net", dilated_dense_net),
    ZooModel("frozen_model", frozen_model),
    ZooModel("adaptive_pooling", adaptive_pooling),
]

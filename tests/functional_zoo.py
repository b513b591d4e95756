"""A zoo of functional models, each written once and built with either Keras or convshape.

Every builder takes a namespace ``k`` with ``Model``, ``Sequential``, ``Input`` and ``layers``
(``keras`` itself, or later ``convshape``), so the very same code runs in both. Only
``k.Model(inputs=..., outputs=..., name=...)`` builds functional models, merges go through
the merge layers (never ``x + y``), and there are no Lambda or custom layers.

Layer names depend on Keras's per-session counters: build each model right after
``keras.backend.clear_session()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

Builder = Callable[[Any], Any]


@dataclass(frozen=True)
class FunctionalZooModel:
    name: str
    build: Builder
    #: TensorFlow's CPU kernels can run it on zeros (not channels_first convolutions).
    runnable: bool = True


def _double_conv(k: Any, x: Any, filters: int, padding: str) -> Any:
    layers = k.layers
    x = layers.Conv2D(filters, 3, padding=padding, activation="relu")(x)
    return layers.Conv2D(filters, 3, padding=padding, activation="relu")(x)


def unet_same(k: Any, shape: tuple[int | None, ...] = (128, 128, 3), name: str = "unet") -> Any:
    """U-Net of depth 4, "same" padding: the decoder meets every skip at its own size."""
    layers = k.layers
    inputs = k.Input(shape, name="image")
    x = inputs
    skips = []
    for filters in (16, 32, 64, 128):
        x = _double_conv(k, x, filters, "same")
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = _double_conv(k, x, 256, "same")
    x = layers.Dropout(0.5)(x)
    for filters, skip in zip((128, 64, 32, 16), reversed(skips), strict=True):
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([skip, x])
        x = _double_conv(k, x, filters, "same")
    outputs = layers.Conv2D(shape[-1] or 1, 1, activation="sigmoid", name="mask")(x)
    return k.Model(inputs=inputs, outputs=outputs, name=name)


def unet_original(k: Any) -> Any:
    """Ronneberger et al. (2015): valid 3x3 convolutions, 572x572x1 in, 388x388x2 out.

    The skip connections are center-cropped (Cropping2D) to the upsampled size.
    """
    layers = k.layers
    inputs = k.Input((572, 572, 1))
    x = inputs
    skips = []
    for filters in (64, 128, 256, 512):
        x = _double_conv(k, x, filters, "valid")
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = _double_conv(k, x, 1024, "valid")  # 32 -> 28
    # skip size - upsampled size, halved: 64-56, 136-104, 280-200, 568-392.
    crops = (4, 16, 40, 88)
    for filters, skip, crop in zip((512, 256, 128, 64), reversed(skips), crops, strict=True):
        x = layers.Conv2DTranspose(filters, 2, strides=2)(x)
        cropped = layers.Cropping2D(crop)(skip)
        x = layers.Concatenate(axis=-1)([cropped, x])
        x = _double_conv(k, x, filters, "valid")
    outputs = layers.Conv2D(2, 1)(x)
    model = k.Model(inputs=inputs, outputs=outputs, name="unet_original")
    assert tuple(model.output_shape) == (None, 388, 388, 2)
    return model


def _basic_block(k: Any, x: Any, filters: int, stride: int) -> Any:
    layers = k.layers
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    if stride != 1:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = layers.BatchNormalization()(shortcut)
    y = layers.Add()([y, shortcut])
    return layers.ReLU()(y)


def resnet_basic(k: Any) -> Any:
    """A small CIFAR-style ResNet: identity shortcuts, strided 1x1-conv shortcuts."""
    layers = k.layers
    inputs = k.Input((32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    for filters, stride in ((16, 1), (16, 1), (32, 2), (32, 1), (64, 2), (64, 1)):
        x = _basic_block(k, x, filters, stride)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return k.Model(inputs=inputs, outputs=outputs, name="resnet_basic")


def dcgan_combined(k: Any) -> Any:
    """TensorFlow's DCGAN tutorial: generator and frozen discriminator chained."""
    layers = k.layers
    generator = k.Sequential(
        [
            k.Input((100,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(
                1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"
            ),
        ],
        name="generator",
    )
    discriminator = k.Sequential(
        [
            k.Input((28, 28, 1)),
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
    discriminator.trainable = False
    z = k.Input((100,), name="z")
    return k.Model(inputs=z, outputs=discriminator(generator(z)), name="dcgan")


def conditional_gan(k: Any) -> Any:
    """A generator conditioned on a class label: label map and noise map concatenated."""
    layers = k.layers
    noise = k.Input((100,), name="noise")
    label = k.Input((1,), dtype="int32", name="label")
    y = layers.Embedding(10, 50)(label)  # (1, 50)
    y = layers.Dense(7 * 7)(y)  # (1, 49)
    y = layers.Reshape((7, 7, 1))(y)
    x = layers.Dense(7 * 7 * 128)(noise)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Reshape((7, 7, 128))(x)
    x = layers.Concatenate(axis=-1)([x, y])  # (7, 7, 129)
    x = layers.Conv2DTranspose(128, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Conv2DTranspose(128, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    outputs = layers.Conv2D(1, 7, padding="same", activation="tanh", name="image")(x)
    return k.Model(inputs=[noise, label], outputs=outputs, name="conditional_generator")


def wavenet_1d(k: Any) -> Any:
    """Causal dilated convolutions, gated (tanh * sigmoid), residual and skip connections."""
    layers = k.layers
    inputs = k.Input((None, 1), name="waveform")
    x = layers.Conv1D(32, 2, padding="causal")(inputs)
    skips = []
    for dilation in (1, 2, 4, 8, 16):
        tanh = layers.Conv1D(32, 2, padding="causal", dilation_rate=dilation, activation="tanh")
        sigmoid = layers.Conv1D(
            32, 2, padding="causal", dilation_rate=dilation, activation="sigmoid"
        )
        gated = layers.Multiply()([tanh(x), sigmoid(x)])
        residual = layers.Conv1D(32, 1)(gated)
        skips.append(layers.Conv1D(64, 1)(gated))
        x = layers.Add()([x, residual])
    x = layers.Add(name="skip_sum")(skips)
    x = layers.ReLU()(x)
    x = layers.Conv1D(64, 1, activation="relu")(x)
    x = layers.Conv1D(256, 1)(x)
    outputs = layers.Activation("softmax")(x)
    return k.Model(inputs=inputs, outputs=outputs, name="wavenet")


def vae(k: Any) -> Any:
    """The Keras VAE example's shape: encoder -> [z_mean, z_log_var, z], decoder(z)."""
    layers = k.layers
    inputs = k.Input((28, 28, 1), name="encoder_input")
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    # No sampling layer: z is a deterministic stand-in with the same shape.
    scale = layers.Dense(2, use_bias=False, name="scale")(z_log_var)
    z = layers.Add(name="z")([z_mean, scale])
    encoder = k.Model(inputs=inputs, outputs=[z_mean, z_log_var, z], name="encoder")

    latent = k.Input((2,), name="z_sampling")
    y = layers.Dense(7 * 7 * 64, activation="relu")(latent)
    y = layers.Reshape((7, 7, 64))(y)
    y = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(y)
    y = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(y)
    y = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid")(y)
    decoder = k.Model(inputs=latent, outputs=y, name="decoder")

    return k.Model(inputs=inputs, outputs=decoder(encoder(inputs)[2]), name="vae")


def multi_io(k: Any, as_dicts: bool = False) -> Any:
    """An image and a vector in, a class and a score out."""
    layers = k.layers
    image = k.Input((32, 32, 3), name="image")
    meta = k.Input((8,), name="meta")
    x = layers.Conv2D(16, 3, activation="relu")(image)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    y = layers.Dense(16, activation="relu")(meta)
    y = layers.Dropout(0.2)(y)
    merged = layers.Concatenate()([x, y])
    merged = layers.Dense(32, activation="relu")(merged)
    label = layers.Dense(10, activation="softmax", name="class_output")(merged)
    score = layers.Dense(1, name="score_output")(merged)
    if as_dicts:
        return k.Model(
            inputs={"image": image, "meta": meta},
            outputs={"class_output": label, "score_output": score},
            name="multi_io_dict",
        )
    return k.Model(inputs=[image, meta], outputs=[label, score], name="multi_io")


def siamese(k: Any) -> Any:
    """One embedding network (a functional model) applied to two inputs."""
    layers = k.layers
    image = k.Input((28, 28, 1))
    x = layers.Conv2D(16, 3, activation="relu")(image)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32)(x)
    x = layers.LayerNormalization()(x)
    embedding = k.Model(inputs=image, outputs=x, name="embedding")

    left = k.Input((28, 28, 1), name="left")
    right = k.Input((28, 28, 1), name="right")
    e_left = embedding(left)
    e_right = embedding(right)
    difference = layers.Subtract()([e_left, e_right])
    squared = layers.Multiply()([difference, difference])
    cosine = layers.Dot(axes=1, normalize=True)([e_left, e_right])
    features = layers.Concatenate()([squared, cosine])
    outputs = layers.Dense(1, activation="sigmoid")(features)
    return k.Model(inputs=[left, right], outputs=outputs, name="siamese")


def shared_layers(k: Any) -> Any:
    """The same Conv2D called three times at two resolutions, the same Dense twice."""
    layers = k.layers
    inputs = k.Input((16, 16, 8))
    conv = layers.Conv2D(8, 3, padding="same", name="shared_conv")
    dense = layers.Dense(8, name="shared_dense")
    a = conv(inputs)  # 16x16
    b = layers.MaxPooling2D()(a)
    b = conv(b)  # 8x8
    b = layers.UpSampling2D()(b)
    c = layers.Add()([a, b])
    c = layers.BatchNormalization()(c)
    c = layers.MaxPooling2D()(c)
    c = conv(c)  # 8x8 again
    x = layers.GlobalAveragePooling2D()(c)
    x = dense(x)
    x = layers.ReLU()(x)
    x = dense(x)
    outputs = layers.Dense(3)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="shared_layers")


def merges(k: Any) -> Any:
    """Every merge: Average/Maximum/Minimum of three, Concatenate on axes 1 and -2, Dot."""
    layers = k.layers
    a = k.Input((4, 6), name="a")
    b = k.Input((4, 6), name="b")
    c = k.Input((4, 6), name="c")
    d = k.Input((5, 3), name="d")
    mean = layers.Average()([a, b, c])
    high = layers.Maximum()([a, b, c])
    low = layers.Minimum()([a, b])
    rows = layers.Concatenate(axis=1)([mean, high])  # (8, 6)
    rows = layers.Concatenate(axis=-2)([rows, low])  # (12, 6)
    wide = layers.Concatenate(axis=-1)([mean, low, high])  # (4, 18)
    product = layers.Multiply()([a, layers.Subtract()([b, c])])  # (4, 6)
    e = layers.Dense(12)(d)  # (5, 12)
    contracted = layers.Dot(axes=(1, 2))([rows, e])  # (6, 5)
    inner = layers.Dot(axes=-1)([wide, wide])  # (4, 4)
    x = layers.Concatenate(axis=1)([layers.Flatten()(contracted), layers.Flatten()(inner)])
    x = layers.Concatenate()([x, layers.Flatten()(product)])
    outputs = layers.Dense(3)(x)
    return k.Model(inputs=[a, b, c, d], outputs=outputs, name="merges")


def rnn_seq(k: Any) -> Any:
    layers = k.layers
    tokens = k.Input((None,), dtype="int32", name="tokens")
    x = layers.Embedding(1000, 32)(tokens)
    x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)
    x = layers.GRU(16)(x)
    outputs = layers.Dense(4, activation="softmax")(x)
    return k.Model(inputs=tokens, outputs=outputs, name="rnn_seq")


def time_distributed(k: Any) -> Any:
    layers = k.layers
    frames = k.Input((10, 16), name="frames")
    x = layers.TimeDistributed(layers.Dense(8))(frames)
    x = layers.Conv1D(8, 3, padding="same")(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2)(x)
    return k.Model(inputs=frames, outputs=outputs, name="time_distributed")


def nested_sequential_in_functional(k: Any) -> Any:
    """A frozen Sequential with an Input and a Sequential built when called, in a functional."""
    layers = k.layers
    features = k.Sequential(
        [
            k.Input((32, 32, 3)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
        ],
        name="features",
    )
    features.trainable = False
    head = k.Sequential(
        [layers.Dense(16, activation="relu"), layers.Dropout(0.5), layers.Dense(10)],
        name="head",
    )
    inputs = k.Input((32, 32, 3))
    x = layers.BatchNormalization()(inputs)
    x = features(x)
    outputs = head(x)
    return k.Model(inputs=inputs, outputs=outputs, name="nested_sequential")


def _residual_block(k: Any, shape: tuple[int | None, ...], name: str) -> Any:
    layers = k.layers
    inputs = k.Input(shape)
    x = layers.Conv2D(shape[-1], 3, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Add()([inputs, x])
    outputs = layers.ReLU()(x)
    return k.Model(inputs=inputs, outputs=outputs, name=name)


def functional_in_sequential(k: Any) -> Any:
    """Functional residual blocks as layers of a Sequential, the second one frozen and
    fully convolutional (built for unknown height and width)."""
    layers = k.layers
    block = _residual_block(k, (16, 16, 8), "block")
    frozen = _residual_block(k, (None, None, 8), "frozen_block")
    frozen.trainable = False
    return k.Sequential(
        [
            k.Input((16, 16, 3)),
            layers.Conv2D(8, 3, padding="same"),
            block,
            layers.MaxPooling2D(),
            frozen,
            layers.Flatten(),
            layers.Dense(10),
        ],
        name="functional_in_sequential",
    )


def nested_two_levels(k: Any) -> Any:
    """A functional model inside a Sequential inside a functional model.

    ``inner`` is used twice in the Sequential: ``middle.layers`` lists it twice, but Keras's
    config of ``middle`` lists it only once.
    """
    layers = k.layers
    inner = _residual_block(k, (8, 8, 4), "inner")
    middle = k.Sequential([k.Input((8, 8, 4)), inner, layers.Conv2D(4, 1), inner], name="middle")
    inputs = k.Input((8, 8, 4))
    x = middle(inputs)
    x = layers.Concatenate()([inputs, x])
    x = layers.Flatten()(x)
    outputs = layers.Dense(2)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="outer")


def plain_chain(k: Any) -> Any:
    """Sequential-like: Keras uses the 3-column summary for it."""
    layers = k.layers
    inputs = k.Input((28, 28, 1))
    x = layers.Conv2D(8, 3)(inputs)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="plain_chain")


def inception_block(k: Any) -> Any:
    """GoogLeNet-style branches at one resolution, concatenated on channels."""
    layers = k.layers
    inputs = k.Input((28, 28, 192))
    b1 = layers.Conv2D(64, 1, activation="relu")(inputs)
    b2 = layers.Conv2D(96, 1, activation="relu")(inputs)
    b2 = layers.Conv2D(128, 3, padding="same", activation="relu")(b2)
    b3 = layers.Conv2D(16, 1, activation="relu")(inputs)
    b3 = layers.Conv2D(32, 5, padding="same", activation="relu")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(inputs)
    b4 = layers.Conv2D(32, 1, activation="relu")(b4)
    x = layers.Concatenate(axis=-1, name="mixed")([b1, b2, b3, b4])
    x = layers.AveragePooling2D(5, strides=3)(x)
    x = layers.Conv2D(128, 1, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="inception_block")


def inverted_residuals(k: Any) -> Any:
    """MobileNetV2-style blocks: expand, depthwise, project, residual Add; SeparableConv2D."""
    layers = k.layers
    inputs = k.Input((64, 64, 3))
    x = layers.ZeroPadding2D(((0, 1), (0, 1)))(inputs)
    x = layers.Conv2D(16, 3, strides=2, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU(6.0)(x)
    for expand, stride in ((48, 1), (48, 2), (64, 1)):
        y = layers.Conv2D(expand, 1, use_bias=False)(x)
        y = layers.BatchNormalization()(y)
        y = layers.ReLU(6.0)(y)
        y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(y)
        y = layers.BatchNormalization()(y)
        y = layers.ReLU(6.0)(y)
        y = layers.Conv2D(16, 1, use_bias=False)(y)
        y = layers.BatchNormalization()(y)
        x = y if stride != 1 else layers.Add()([x, y])
    x = layers.SeparableConv2D(32, 3, padding="same", depth_multiplier=2)(x)
    x = layers.SpatialDropout2D(0.1)(x)
    x = layers.GlobalMaxPooling2D()(x)
    outputs = layers.Dense(5)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="inverted_residuals")


def conv1d_autoencoder(k: Any) -> Any:
    """1D encoder/decoder with transposed convolutions, padding and cropping on a skip."""
    layers = k.layers
    inputs = k.Input((100, 2))
    x = layers.Conv1D(16, 5, strides=2, padding="same", activation="relu")(inputs)  # 50
    skip = x
    x = layers.MaxPooling1D(2)(x)  # 25
    x = layers.Conv1D(32, 3, activation="relu")(x)  # 23
    x = layers.AveragePooling1D(2, padding="same")(x)  # 12
    x = layers.Conv1DTranspose(32, 3, strides=2, padding="valid")(x)  # 25
    x = layers.UpSampling1D(2)(x)  # 50
    x = layers.ZeroPadding1D((1, 2))(x)  # 53
    x = layers.Cropping1D((1, 2))(x)  # 50
    x = layers.Concatenate(axis=2)([x, skip])  # (50, 48)
    x = layers.SpatialDropout1D(0.1)(x)
    x = layers.Conv1DTranspose(2, 5, strides=2, padding="same", output_padding=1)(x)
    code = layers.GlobalAveragePooling1D(name="code")(skip)
    return k.Model(inputs=inputs, outputs=[x, code], name="conv1d_autoencoder")


def unet3d_small(k: Any) -> Any:
    """A two-level 3D U-Net with UpSampling3D and channel concatenation."""
    layers = k.layers
    inputs = k.Input((16, 16, 16, 1))
    a = layers.Conv3D(8, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling3D(2)(a)
    x = layers.Conv3D(16, 3, padding="same", activation="relu")(x)
    x = layers.AveragePooling3D(2)(x)
    x = layers.Conv3D(16, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling3D(2)(x)
    x = layers.ZeroPadding3D(1)(x)
    x = layers.Cropping3D(1)(x)
    x = layers.UpSampling3D(2)(x)
    x = layers.Concatenate(axis=-1)([a, x])
    x = layers.SpatialDropout3D(0.1)(x)
    x = layers.Conv3D(1, 1, activation="sigmoid")(x)
    pooled = layers.GlobalMaxPooling3D()(a)
    summary = layers.GlobalAveragePooling3D()(x)
    extra = layers.Concatenate()([pooled, summary])
    return k.Model(inputs=inputs, outputs=[x, extra], name="unet3d_small")


def channels_first_branches(k: Any) -> Any:
    """channels_first convolutions whose branches concatenate on axis 1."""
    layers = k.layers
    cf = "channels_first"
    inputs = k.Input((3, 32, 32))
    a = layers.Conv2D(8, 3, padding="same", data_format=cf)(inputs)
    a = layers.BatchNormalization(axis=1)(a)
    b = layers.Conv2D(4, 5, padding="same", data_format=cf)(inputs)
    b = layers.LayerNormalization(axis=1)(b)
    x = layers.Concatenate(axis=1)([a, b])  # (12, 32, 32)
    x = layers.MaxPooling2D(data_format=cf)(x)
    x = layers.Conv2DTranspose(6, 3, strides=2, padding="same", data_format=cf)(x)
    x = layers.Cropping2D(((1, 0), (2, 1)), data_format=cf)(x)  # (6, 31, 29)
    y = layers.ZeroPadding2D(((0, 1), (0, 1)), data_format=cf)(x)  # (32, 30)
    y = layers.Conv2D(6, 2, data_format=cf)(y)
    x = layers.Maximum()([x, y])
    x = layers.GlobalAveragePooling2D(data_format=cf)(x)
    outputs = layers.Dense(2)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="channels_first_branches")


def mixed_outputs(k: Any) -> Any:
    """An intermediate tensor as an output, a one-element output list, a named batch size."""
    layers = k.layers
    inputs = k.Input((12,), batch_size=4, name="vector")
    hidden = layers.Dense(8, name="hidden")(inputs)
    x = layers.LeakyReLU()(hidden)
    x = layers.Reshape((2, 4))(x)
    x = layers.LayerNormalization()(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(3, name="logits")(x)
    probabilities = layers.Activation("softmax", name="probabilities")(logits)
    return k.Model(inputs=[inputs], outputs=[probabilities, hidden], name="mixed_outputs")


def single_output_list(k: Any) -> Any:
    """Inputs and outputs given as one-element lists."""
    layers = k.layers
    inputs = k.Input((6,))
    x = layers.Dense(4)(inputs)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2)(x)
    return k.Model(inputs=[inputs], outputs=[outputs], name="single_output_list")


def preprocessing(k: Any) -> Any:
    """Images of any size resized, cropped and normalised in the model, as Keras's
    image-classification examples start."""
    layers = k.layers
    inputs = k.Input((None, None, 3))
    x = layers.Resizing(72, 80)(inputs)
    x = layers.CenterCrop(64, 64)(x)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.052, 0.050, 0.051])(x)
    x = layers.Normalization(axis=-1)(x)
    x = layers.Conv2D(8, 3, strides=2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(5)(x)
    return k.Model(inputs, outputs, name="preprocessing")


def attention(k: Any) -> Any:
    """A sequence encoder with self-attention, cross-attention and recurrent states, as
    Keras's text and time-series examples combine them."""
    layers = k.layers
    tokens = k.Input((12,), name="tokens")
    context = k.Input((7, 16), name="context")
    x = layers.Embedding(500, 16)(tokens)
    x = layers.SimpleRNN(16, return_sequences=True)(x)
    attended = layers.MultiHeadAttention(num_heads=4, key_dim=8)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    crossed = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=6)(x, context)
    dot = layers.Attention(use_scale=True)([x, context])
    additive = layers.AdditiveAttention()([x, context, context])
    x = layers.Concatenate()([x, crossed, dot, additive])
    sequence, state_h, state_c = layers.LSTM(8, return_state=True)(x)
    outputs = layers.Dense(3)(layers.Concatenate()([sequence, state_h, state_c]))
    return k.Model([tokens, context], outputs, name="attention")


FUNCTIONAL_ZOO: tuple[FunctionalZooModel, ...] = (
    FunctionalZooModel("unet_same", unet_same),
    FunctionalZooModel(
        "unet_same_none", partial(unet_same, shape=(None, None, 1), name="unet_none")
    ),
    FunctionalZooModel("unet_original", unet_original),
    FunctionalZooModel("resnet_basic", resnet_basic),
    FunctionalZooModel("dcgan_combined", dcgan_combined),
    FunctionalZooModel("conditional_gan", conditional_gan),
    FunctionalZooModel("wavenet_1d", wavenet_1d),
    FunctionalZooModel("vae", vae),
    FunctionalZooModel("multi_io", multi_io),
    FunctionalZooModel("multi_io_dict", partial(multi_io, as_dicts=True)),
    FunctionalZooModel("siamese", siamese),
    FunctionalZooModel("shared_layers", shared_layers),
    FunctionalZooModel("merges", merges),
    FunctionalZooModel("rnn_seq", rnn_seq),
    FunctionalZooModel("time_distributed", time_distributed),
    FunctionalZooModel("nested_sequential_in_functional", nested_sequential_in_functional),
    FunctionalZooModel("functional_in_sequential", functional_in_sequential),
    FunctionalZooModel("nested_two_levels", nested_two_levels),
    FunctionalZooModel("plain_chain", plain_chain),
    FunctionalZooModel("inception_block", inception_block),
    FunctionalZooModel("inverted_residuals", inverted_residuals),
    FunctionalZooModel("conv1d_autoencoder", conv1d_autoencoder),
    FunctionalZooModel("unet3d_small", unet3d_small),
    FunctionalZooModel("channels_first_branches", channels_first_branches, runnable=False),
    FunctionalZooModel("mixed_outputs", mixed_outputs),
    FunctionalZooModel("single_output_list", single_output_list),
    FunctionalZooModel("preprocessing", preprocessing),
    FunctionalZooModel("attention", attention),
)

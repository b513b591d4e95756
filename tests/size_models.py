"""Encoder-decoder models for the input-size tests, written once and built with either
Keras or convshape.

Every builder takes a namespace ``k`` with ``Model``, ``Input`` and ``layers`` (``keras``
itself, or convshape's), the spatial input shape (channels included), and an optional
:class:`Edits` that applies a fix: constructor arguments overridden by layer name, and
layers inserted on the inputs of a merge. Every layer has an explicit ``name=``, so the
names agree in both frameworks whatever the session counters say.

The U-Nets with valid convolutions crop each skip to the length of the path coming up,
as the original U-Net does; with ``None`` sizes the crops are read from the tensors' shapes
of the same network built once at a probe size (572 for the original), so they are
constants and only the lengths whose divisions are as exact as the probe's build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int | None, ...]

__all__ = [
    "SIZE_MODELS",
    "Edits",
    "ResNet",
    "SizeModel",
    "UNet",
    "build_resnet",
    "build_unet",
    "inserted_layer",
]


@dataclass(frozen=True)
class Edits:
    """A fix: ``replace`` overrides constructor arguments of the layer with that name;
    ``insert`` puts a layer on input ``position`` of the merge with that name."""

    replace: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    insert: Mapping[tuple[str, int], Callable[[Any], Any]] = field(default_factory=dict)


NO_EDITS = Edits()


def inserted_layer(class_name: str, argument: Any, name: str, k: Any) -> Any:
    """A ``Cropping*D`` or ``ZeroPadding*D`` of ``k`` (for ``Edits.insert`` via partial)."""
    return getattr(k.layers, class_name)(argument, name=name)


def _layer(k: Any, edits: Edits, class_name: str, name: str, **kwargs: Any) -> Any:
    kwargs.update(edits.replace.get(name, {}))
    return getattr(k.layers, class_name)(name=name, **kwargs)


def _merge(k: Any, edits: Edits, class_name: str, name: str, inputs: list[Any]) -> Any:
    given = []
    for position, tensor in enumerate(inputs):
        factory = edits.insert.get((name, position))
        given.append(tensor if factory is None else factory(k)(tensor))
    return _layer(k, edits, class_name, name)(given)


@dataclass(frozen=True)
class UNet:
    """A U-Net: one convolution per level, down-sampling, a bottom convolution, then per
    level up-sampling, the skip (cropped when ``crop``) concatenated, one convolution."""

    depth: int
    #: Of the stride-1 convolutions.
    padding: str = "same"
    kernel: int = 3
    #: "pool" (MaxPooling, size ``down_kernel``, stride 2) or "strided" (a convolution).
    down: str = "pool"
    down_kernel: int = 2
    #: "transpose" (Conv*DTranspose, kernel ``up_kernel``, stride 2) or "upsample".
    up: str = "transpose"
    up_kernel: int = 2
    #: Of the strided convolutions, the poolings and the transposed convolutions.
    resample_padding: str = "valid"
    #: Crop each skip to the up-path's length at the probe size.
    crop: bool = False
    probe: int = 0
    filters: int = 2

    def probe_size(self) -> int:
        return self.probe or 24 * 2**self.depth


def _rank(shape: Shape) -> int:
    return len(shape) - 1


def build_unet(k: Any, shape: Shape, config: UNet, edits: Edits | None = None) -> Any:
    edits = edits or NO_EDITS
    crops = _probe_crops(k, shape, config) if config.crop else None
    return _unet(k, shape, config, edits, crops)


#: The crops each framework reads at the probe size, by (framework, shape, config).
_CROPS: dict[tuple[Any, Shape, UNet], dict[int, Any]] = {}


def _probe_crops(k: Any, shape: Shape, config: UNet) -> dict[int, Any]:
    """The crops of each level, read from the tensors of the network built at the probe
    size (each ``None`` size replaced by it; known sizes kept)."""
    key = (k.Model, shape, config)
    if key not in _CROPS:
        probe = tuple(config.probe_size() if n is None else n for n in shape)
        crops: dict[int, Any] = {}
        _unet(k, probe, config, NO_EDITS, None, crops)
        _CROPS[key] = crops
    return _CROPS[key]


def _unet(
    k: Any,
    shape: Shape,
    config: UNet,
    edits: Edits,
    crops: dict[int, Any] | None,
    found: dict[int, Any] | None = None,
) -> Any:
    """The U-Net with the given crops; with ``found``, crops read from the shapes instead."""
    rank = _rank(shape)
    conv, pool = f"Conv{rank}D", f"MaxPooling{rank}D"
    filters = config.filters
    inputs = k.Input(shape, name="image")
    x = inputs
    skips = []
    for level in range(config.depth):
        x = _layer(
            k,
            edits,
            conv,
            f"down{level}_conv",
            filters=filters,
            kernel_size=config.kernel,
            padding=config.padding,
        )(x)
        skips.append(x)
        if config.down == "pool":
            x = _layer(
                k,
                edits,
                pool,
                f"down{level}_pool",
                pool_size=config.down_kernel,
                strides=2,
                padding=config.resample_padding,
            )(x)
        else:
            x = _layer(
                k,
                edits,
                conv,
                f"down{level}_stride",
                filters=filters,
                kernel_size=config.down_kernel,
                strides=2,
                padding=config.resample_padding,
            )(x)
    x = _layer(
        k,
        edits,
        conv,
        "bottom_conv",
        filters=filters,
        kernel_size=config.kernel,
        padding=config.padding,
    )(x)
    for level in reversed(range(config.depth)):
        if config.up == "transpose":
            x = _layer(
                k,
                edits,
                f"Conv{rank}DTranspose",
                f"up{level}_up",
                filters=filters,
                kernel_size=config.up_kernel,
                strides=2,
                padding=config.resample_padding,
            )(x)
        else:
            x = _layer(k, edits, f"UpSampling{rank}D", f"up{level}_up", size=2)(x)
        skip = skips[level]
        if found is not None:
            found[level] = _crop_amounts(skip.shape, x.shape, rank)
        crop = found[level] if found is not None else (crops or {}).get(level)
        if crop is not None:
            skip = _layer(k, edits, f"Cropping{rank}D", f"up{level}_crop", cropping=crop)(skip)
        x = _merge(k, edits, "Concatenate", f"up{level}_concat", [skip, x])
        x = _layer(
            k,
            edits,
            conv,
            f"up{level}_conv",
            filters=filters,
            kernel_size=config.kernel,
            padding=config.padding,
        )(x)
    outputs = _layer(k, edits, conv, "head", filters=1, kernel_size=1)(x)
    return k.Model(inputs=inputs, outputs=outputs, name="unet")


def _crop_amounts(skip: Shape, up: Shape, rank: int) -> Any:
    """The skip's excess over the up-path, split as the original U-Net's center crop;
    None where the skip is not longer on any axis."""
    pairs = []
    for axis in range(1, rank + 1):
        a, b = skip[axis], up[axis]
        assert a is not None
        assert b is not None
        excess = max(a - b, 0)
        pairs.append((excess // 2, excess - excess // 2))
    if not any(a or b for a, b in pairs):
        return None
    return pairs[0] if rank == 1 else tuple(pairs)


@dataclass(frozen=True)
class ResNet:
    """A ResNet-style backbone: a strided stem, then blocks of a strided 3x3 convolution
    and a 3x3 one, with a strided 1x1 shortcut and ``Add``. ``shifted`` pads one pixel
    before a "valid" strided convolution instead of "same" (a classic porting slip: it
    floors where the shortcut rounds up, so odd lengths no longer meet)."""

    blocks: int = 3
    shifted: bool = False


def build_resnet(k: Any, shape: Shape, config: ResNet, edits: Edits | None = None) -> Any:
    edits = edits or NO_EDITS
    inputs = k.Input(shape, name="image")
    x = _layer(
        k, edits, "Conv2D", "stem_conv", filters=2, kernel_size=3, strides=2, padding="valid"
    )(inputs)
    x = _layer(k, edits, "MaxPooling2D", "stem_pool", pool_size=3, strides=2)(x)
    for block in range(config.blocks):
        filters = min(block + 2, 4)
        y = x
        padding = "same"
        if config.shifted:
            y = _layer(k, edits, "ZeroPadding2D", f"block{block}_pad", padding=((1, 0), (1, 0)))(y)
            padding = "valid"
        y = _layer(
            k,
            edits,
            "Conv2D",
            f"block{block}_conv1",
            filters=filters,
            kernel_size=3,
            strides=2,
            padding=padding,
        )(y)
        y = _layer(k, edits, "ReLU", f"block{block}_relu")(y)
        y = _layer(
            k,
            edits,
            "Conv2D",
            f"block{block}_conv2",
            filters=filters,
            kernel_size=3,
            padding="same",
        )(y)
        shortcut = _layer(
            k, edits, "Conv2D", f"block{block}_shortcut", filters=filters, kernel_size=1, strides=2
        )(x)
        x = _merge(k, edits, "Add", f"block{block}_add", [y, shortcut])
        x = _layer(k, edits, "ReLU", f"block{block}_out")(x)
    return k.Model(inputs=inputs, outputs=x, name="resnet")


Builder = Callable[..., Any]


@dataclass(frozen=True)
class SizeModel:
    """A model of the size tests: ``build(k, edits=None)`` builds it at ``shape``."""

    name: str
    shape: Shape
    builder: Builder
    config: UNet | ResNet
    #: A 2D model with the same padding everywhere (the README's case, 358x358).
    same_2d: bool = False

    def build(self, k: Any, edits: Edits | None = None) -> Any:
        return self.builder(k, self.shape, self.config, edits)

    @property
    def rank(self) -> int:
        return _rank(self.shape)


FREE_2D: Shape = (None, None, 1)


def _unet_model(name: str, shape: Shape = FREE_2D, **config: Any) -> SizeModel:
    unet = UNet(**config)
    same = (
        len(shape) == 3
        and shape[1] is None
        and unet.padding == "same"
        and unet.resample_padding == "valid"
        and not unet.crop
    )
    return SizeModel(name, shape, build_unet, unet, same_2d=same)


SIZE_MODELS: tuple[SizeModel, ...] = (
    # "same" convolutions: the length must divide by 2**depth.
    _unet_model("unet2_same_pool_t2", depth=2),
    _unet_model("unet3_same_strided_t3", depth=3, down="strided", down_kernel=3, up_kernel=3),
    _unet_model("unet4_same_pool_t2", depth=4),
    _unet_model("unet5_same_pool_upsample_k2", depth=5, kernel=2, up="upsample"),
    _unet_model(
        "unet4_same_strided4_t2_k4",
        depth=4,
        kernel=4,
        down="strided",
        down_kernel=4,
        resample_padding="same",
    ),
    _unet_model("unet3_same_pool3_same_t3", depth=3, down_kernel=3, up_kernel=3),
    # "same" transposed convolutions that crop unevenly, (1, 2): k_eff 5, stride 2.
    _unet_model(
        "unet3_same_strided3_t5_same",
        depth=3,
        down="strided",
        down_kernel=3,
        up_kernel=5,
        resample_padding="same",
    ),
    # Valid strided convolution and transposed convolution, kernel 3: 2m + 1 after
    # (n - 3) // 2 + 1 = m only meets odd lengths, so n = 7 mod 8.
    _unet_model("unet3_odd_strided3_t3", depth=3, down="strided", down_kernel=3, up_kernel=3),
    # Valid convolutions, skips cropped (the original U-Net's n = 188 + 16k at depth 4).
    _unet_model("unet2_valid_crop", depth=2, padding="valid", crop=True),
    _unet_model(
        "unet3_valid_crop_k2_upsample", depth=3, padding="valid", kernel=2, up="upsample", crop=True
    ),
    _unet_model(
        "unet4_valid_crop_strided3_t3",
        depth=4,
        padding="valid",
        down="strided",
        down_kernel=3,
        up_kernel=3,
        crop=True,
    ),
    _unet_model("unet5_valid_crop_k4", depth=5, padding="valid", kernel=4, crop=True),
    # A fixed width, a free height.
    _unet_model("unet3_same_width48", (None, 48, 1), depth=3),
    _unet_model("unet2_valid_crop_width68", (None, 68, 1), depth=2, padding="valid", crop=True),
    # 1D.
    _unet_model("unet1d_3_same_pool_t2", (None, 1), depth=3),
    _unet_model(
        "unet1d_2_valid_crop_t3", (None, 1), depth=2, padding="valid", up_kernel=3, crop=True
    ),
    SizeModel("resnet_same", FREE_2D, build_resnet, ResNet()),
    SizeModel("resnet_shifted", FREE_2D, build_resnet, ResNet(shifted=True)),
)

#: The README's question: the depth-4 "same" U-Net at 358x358.
README_MODEL = next(model for model in SIZE_MODELS if model.name == "unet4_same_pool_t2")

"""The geometry protocol: every Keras layer with a sliding window and every
``convshape.torch`` convolution and pooling spec gives per-axis records the analyses read,
and those records predict the layer's own output lengths with the core's formulas."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from fractions import Fraction

import pytest

import convshape.torch as pt
from convshape import Input, Model, Pad, clear_session, input_sizes, layers, receptive_field
from convshape._geometry import (
    AxisWindow,
    TorchWindows,
    Windowed,
    forward_pad,
    torch_geometry,
    transpose_crop,
    windowed,
)
from convshape.costs import cost
from convshape.layers._base import Layer, spatial_axes
from convshape.layers.convolutional import (
    _Conv,
    _ConvTranspose12,
    _DepthwiseConv,
    _SeparableConv,
)
from convshape.layers.pooling import _Pooling
from convshape.torch.conv import _Conv as _TorchConv
from convshape.torch.conv import _ConvTranspose as _TorchConvTranspose
from convshape.torch.lazy import _LazyConv, _LazyConvTranspose
from convshape.torch.pooling import _AvgPool, _LPPool, _Pool

# -- building one of each class -------------------------------------------------------

#: A strided, "same"-padded instance of each kind of Keras window layer, by base class.
_KERAS_FACTORIES: dict[type, Callable[[type], object]] = {
    _Conv: lambda cls: cls(4, 3, strides=2, padding="same"),
    _ConvTranspose12: lambda cls: cls(4, 3, strides=2, padding="same"),
    layers.Conv3DTranspose: lambda cls: cls(4, 3, strides=2, padding="same"),
    _SeparableConv: lambda cls: cls(4, 3, strides=2, padding="same"),
    _DepthwiseConv: lambda cls: cls(3, strides=2, padding="same"),
    _Pooling: lambda cls: cls(3, strides=2, padding="same"),
}

#: An instance of each kind of PyTorch window spec (strided, padded), by base class.
_TORCH_FACTORIES: dict[type, Callable[[type], object]] = {
    _TorchConv: lambda cls: cls(4, 8, 3, stride=2, padding=1),
    _TorchConvTranspose: lambda cls: cls(4, 8, 3, stride=2, padding=1, output_padding=1),
    _LazyConv: lambda cls: cls(8, 3, stride=2, padding=1),
    _LazyConvTranspose: lambda cls: cls(8, 3, stride=2, padding=1, output_padding=1),
    _Pool: lambda cls: cls(3, stride=2, padding=1),
    _AvgPool: lambda cls: cls(3, stride=2, padding=1),
    _LPPool: lambda cls: cls(2, 3, stride=2),
}

#: convshape.torch classes named like a convolution or a pooling without a fixed window.
_TORCH_WITHOUT_WINDOW = ("AdaptiveAvgPool", "AdaptiveMaxPool", "MaxUnpool")


def _build(cls: type, factories: dict[type, Callable[[type], object]]) -> object:
    for base in cls.__mro__:
        if base in factories:
            return factories[base](cls)
    pytest.fail(f"{cls.__name__} has a window but no factory here: add one")


def _keras_window_classes() -> list[type]:
    """Every layer class of ``convshape.layers`` whose ``geometry`` is its own."""
    found = []
    for name in layers.__all__:
        cls = getattr(layers, name)
        if inspect.isclass(cls) and issubclass(cls, Layer) and cls.geometry is not Layer.geometry:
            found.append(cls)
    return found


def _torch_window_classes() -> list[type]:
    """Every class of ``convshape.torch`` named like a convolution or a pooling."""
    return [
        getattr(pt, name)
        for name in pt.__all__
        if inspect.isclass(getattr(pt, name))
        and ("Conv" in name or "Pool" in name)
        and not name.startswith(_TORCH_WITHOUT_WINDOW)
    ]


KERAS_CLASSES = _keras_window_classes()
TORCH_CLASSES = _torch_window_classes()


def test_the_enumerations_find_every_kind() -> None:
    keras = {cls.__name__ for cls in KERAS_CLASSES}
    assert {"Conv1D", "Conv3DTranspose", "DepthwiseConv2D", "SeparableConv1D"} <= keras
    assert {"MaxPooling1D", "AveragePooling3D"} <= keras
    assert len(keras) == 16
    torch = {cls.__name__ for cls in TORCH_CLASSES}
    assert {"Conv1d", "ConvTranspose3d", "LazyConv2d", "LazyConvTranspose1d"} <= torch
    assert {"MaxPool2d", "AvgPool1d", "LPPool3d"} <= torch
    assert len(torch) == 21


# -- the records -----------------------------------------------------------------------


def _satisfies(obj: object, protocol: type) -> bool:
    """``isinstance`` against a runtime-checkable protocol: every member is there."""
    return isinstance(obj, protocol)


def _check_record(record: object, axis: int) -> None:
    assert isinstance(record, AxisWindow)
    assert record.axis == axis
    for value in (record.kernel, record.stride, record.dilation):
        assert type(value) is int
        assert value >= 1
    assert record.effective_kernel == (record.kernel - 1) * record.dilation + 1
    assert type(record.transposed) is bool
    op = record.output_padding
    assert op is None or (type(op) is int and op >= 0)
    padding = record.padding
    if isinstance(padding, Pad):
        assert all(type(side) is int for side in padding)
    else:
        assert padding in ("valid", "same", "causal")


def _predicted(record: AxisWindow, size: int) -> int:
    """The output length the record gives, by the core's formulas."""
    if record.transposed:
        crop = transpose_crop(record)
        return (size - 1) * record.stride + record.effective_kernel - crop.before - crop.after
    pad = forward_pad(record, size)
    assert pad is not None
    return (size + pad.before + pad.after - record.effective_kernel) // record.stride + 1


@pytest.mark.parametrize("cls", KERAS_CLASSES, ids=lambda cls: cls.__name__)
def test_keras_window_layers_satisfy_the_protocol(cls: type) -> None:
    layer = _build(cls, _KERAS_FACTORIES)
    assert isinstance(layer, Layer)
    assert _satisfies(layer, Windowed)
    rank = len(layer.geometry)
    assert rank == cls.rank  # type: ignore[attr-defined]
    for record, axis in zip(layer.geometry, spatial_axes(rank, "channels_last"), strict=True):
        _check_record(record, axis)
    # The records say what the layer computes.
    shape = (None, *(9 + 2 * i for i in range(rank)), 3)
    out = layer.compute_output_shape(shape)
    for record in layer.geometry:
        size = shape[record.axis]
        assert size is not None
        assert out[record.axis] == _predicted(record, size)
    assert windowed(layer) is layer  # last: mypy narrows ``layer`` by it


@pytest.mark.parametrize("cls", TORCH_CLASSES, ids=lambda cls: cls.__name__)
def test_torch_window_specs_satisfy_the_protocol(cls: type) -> None:
    module = _build(cls, _TORCH_FACTORIES)
    windows = windowed(module)
    assert isinstance(windows, TorchWindows)
    assert _satisfies(windows, Windowed)
    assert windows.module is module
    records = torch_geometry(module)
    assert windows.geometry == records
    rank: int = cls.rank  # type: ignore[attr-defined]
    assert len(records) == rank
    for index, record in enumerate(records):
        _check_record(record, 2 + index)
        assert record.ceil_mode is False
    shape = (2, 4, *(9 + 2 * i for i in range(rank)))
    out = windows.module.compute_output_shape(shape)
    assert out[2:] == tuple(_predicted(record, 9 + 2 * i) for i, record in enumerate(records))


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (pt.Conv2d(1, 1, 3, padding="same", dilation=2), ("same", "same")),
        (pt.Conv1d(1, 1, 3, padding="valid"), ("valid",)),
        (pt.Conv2d(1, 1, 3, padding=(1, 2)), (Pad(1, 1), Pad(2, 2))),
        (pt.ConvTranspose1d(1, 1, 4, stride=3, padding=2, output_padding=2), (Pad(2, 2),)),
        (pt.AvgPool2d((3, 2), padding=(1, 0)), (Pad(1, 1), Pad(0, 0))),
        (pt.LPPool1d(2, 3), (Pad(0, 0),)),
    ],
)
def test_torch_paddings(module: object, expected: tuple[str | Pad, ...]) -> None:
    assert tuple(record.padding for record in torch_geometry(module)) == expected


def test_torch_records_keep_the_arguments() -> None:
    conv = torch_geometry(pt.ConvTranspose2d(2, 2, (3, 5), stride=(2, 3), dilation=(1, 2)))
    assert [(r.kernel, r.stride, r.dilation, r.output_padding) for r in conv] == [
        (3, 2, 1, 0),
        (5, 3, 2, 0),
    ]
    assert all(r.transposed for r in conv)
    pool = torch_geometry(pt.MaxPool3d((1, 2, 3), dilation=(3, 2, 1), ceil_mode=True))
    assert [(r.kernel, r.stride, r.dilation, r.ceil_mode) for r in pool] == [
        (1, 1, 3, True),
        (2, 2, 2, True),
        (3, 3, 1, True),
    ]
    # A lazy convolution has its geometry before any input materializes it.
    lazy = torch_geometry(pt.LazyConvTranspose2d(4, 3, stride=2, padding=1, output_padding=1))
    assert [transpose_crop(r) for r in lazy] == [Pad(1, 0), Pad(1, 0)]


def test_keras_and_torch_records_agree_on_one_convolution() -> None:
    """A Keras "same" transposed convolution and its PyTorch port crop alike."""
    keras = layers.Conv2DTranspose(8, 5, strides=2, padding="same").geometry
    torch = torch_geometry(pt.ConvTranspose2d(8, 8, 5, stride=2, padding=2, output_padding=1))
    assert [_predicted(r, 7) for r in keras] == [_predicted(r, 7) for r in torch] == [14, 14]


# -- everything else is not a window, and the analyses say so ---------------------------


@pytest.mark.parametrize(
    "obj",
    [
        object(),
        "Conv2D",
        layers.Dense(3),
        layers.GlobalAveragePooling2D(),
        layers.AdaptiveAveragePooling2D(2),
        pt.ReLU(),
        pt.AdaptiveMaxPool2d(2),
        pt.MaxUnpool2d(2),
        pt.Sequential(pt.Conv2d(1, 1, 3)),
    ],
    ids=repr,
)
def test_objects_without_a_window(obj: object) -> None:
    assert windowed(obj) is None
    assert torch_geometry(obj) == ()


class _Impostor:
    """Claims to be a model (the flag cost() once read) and holds geometry-like fields."""

    _is_model = True
    is_keras_op = False
    geometry = ()
    kernel_size = (3, 3)


@pytest.mark.parametrize("obj", [object(), "Conv2D", 3, _Impostor()], ids=repr)
def test_the_analyses_reject_what_is_not_a_layer(obj: object) -> None:
    with pytest.raises(TypeError, match=r"cost\(\) takes a convshape layer"):
        cost(obj, (None, 8, 8, 1))
    with pytest.raises(TypeError, match=r"receptive_field\(\) takes a convshape Keras layer"):
        receptive_field(obj, (None, 8, 8, 1))
    with pytest.raises(TypeError, match=r"input_sizes\(\) takes a convshape model"):
        input_sizes(obj)  # type: ignore[arg-type]


def test_the_analyses_read_torch_windows_as_keras_ones() -> None:
    """One fold for both: the same window gives the same field and the same MACs."""
    clear_session()
    x = Input((16, 16, 1))
    keras = Model(x, layers.Conv2D(4, 3, strides=2, padding="same")(x))
    torch = pt.Conv2d(1, 4, 3, stride=2, padding=1)
    keras_field = receptive_field(keras)[0]
    torch_field = receptive_field(torch, (1, 1, 16, 16))[0]
    assert (keras_field.size, keras_field.jump) == (torch_field.size, torch_field.jump)
    assert (keras_field.size, keras_field.jump) == (3, Fraction(2))
    # TensorFlow's "same" pads 0 before and 1 after on 16, PyTorch 1 on each side.
    assert (keras_field.start, torch_field.start) == (Fraction(1), Fraction(0))
    assert cost(keras).macs == cost(torch, (None, 1, 16, 16)).macs == 8 * 8 * 9 * 4


# Static checks (mypy reads this file): both frameworks' objects satisfy the protocols.
_KERAS_WINDOWED: Windowed = layers.Conv2D(1, 3)
_KERAS_AXIS: AxisWindow = layers.MaxPooling1D().geometry[0]
_TORCH_WINDOWED: Windowed = TorchWindows(pt.Conv2d(1, 1, 3))
_TORCH_AXIS: AxisWindow = torch_geometry(pt.AvgPool1d(2))[0]

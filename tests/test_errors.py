"""Every rejected argument: the exception type and a message naming argument, rule and value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import convshape as cs

FUNCTIONS: list[Callable[..., Any]] = [
    cs.conv_output_length,
    cs.conv_padding,
    cs.conv_transpose_output_length,
    cs.conv_transpose_crop,
    cs.conv_transpose_output_range,
]
FUNCTION_IDS = [f.__name__ for f in FUNCTIONS]

TYPE_ERRORS = [
    pytest.param(
        {"size": True}, r"`size` must be an int, not bool. Received: size=True", id="bool-size"
    ),
    pytest.param(
        {"size": 7.0}, r"`size` must be an int, not float. Received: size=7.0", id="float-size"
    ),
    pytest.param(
        {"size": "7"}, r"`size` must be an int, not str. Received: size='7'", id="str-size"
    ),
    pytest.param(
        {"kernel_size": 2.0},
        r"`kernel_size` must be an int, not float. Received: kernel_size=2.0",
        id="float-kernel",
    ),
    pytest.param(
        {"kernel_size": (3,)},
        r"`kernel_size` must be an int, not tuple",
        id="tuple-kernel",
    ),
    pytest.param(
        {"stride": True},
        r"`stride` must be an int, not bool. Received: stride=True",
        id="bool-stride",
    ),
    pytest.param(
        {"dilation": None}, r"`dilation` must be an int, not NoneType", id="none-dilation"
    ),
    pytest.param(
        {"padding": 1.5},
        r"`padding` must be a str, an int or a \(before, after\) pair, not float",
        id="float-padding",
    ),
    pytest.param(
        {"padding": True}, r"`padding` must be a str, an int .* not bool", id="bool-padding"
    ),
    pytest.param({"padding": (1, 1.0)}, r"`padding` must be an int, not float", id="float-in-pair"),
    pytest.param(
        {"padding": None}, r"`padding` must be a str, an int .* not NoneType", id="none-padding"
    ),
]

VALUE_ERRORS = [
    pytest.param(
        {"size": -1},
        r"`size` must be >= 0 \(or None for an unknown size\). Received: size=-1",
        id="negative-size",
    ),
    pytest.param(
        {"kernel_size": 0}, r"`kernel_size` must be >= 1. Received: kernel_size=0", id="zero-kernel"
    ),
    pytest.param(
        {"kernel_size": -3},
        r"`kernel_size` must be >= 1. Received: kernel_size=-3",
        id="negative-kernel",
    ),
    pytest.param({"stride": 0}, r"`stride` must be >= 1. Received: stride=0", id="zero-stride"),
    pytest.param(
        {"dilation": 0}, r"`dilation` must be >= 1. Received: dilation=0", id="zero-dilation"
    ),
    pytest.param(
        {"padding": "sam"},
        r"`padding` must be one of 'valid', 'same', 'full', 'causal', an int or a "
        r"\(before, after\) pair. Received: padding='sam'",
        id="unknown-padding",
    ),
    pytest.param(
        {"padding": -1}, r"`padding` must be >= 0. Received: padding=-1", id="negative-padding"
    ),
    pytest.param(
        {"padding": (1, 2, 3)},
        r"`padding` as a sequence must be a \(before, after\) pair. Received: padding=\(1, 2, 3\)",
        id="triple-padding",
    ),
    pytest.param(
        {"padding": (0, -1)},
        r"`padding` must not be negative on either side. Received: padding=\(0, -1\)",
        id="negative-side",
    ),
]

BASE = {"size": 7, "kernel_size": 3, "stride": 2, "padding": "valid", "dilation": 1}


@pytest.mark.parametrize("function", FUNCTIONS, ids=FUNCTION_IDS)
@pytest.mark.parametrize(("override", "match"), TYPE_ERRORS)
def test_wrong_types_raise_type_error(
    function: Callable[..., Any], override: dict[str, object], match: str
) -> None:
    with pytest.raises(TypeError, match=match):
        function(**{**BASE, **override})


@pytest.mark.parametrize("function", FUNCTIONS, ids=FUNCTION_IDS)
@pytest.mark.parametrize(("override", "match"), VALUE_ERRORS)
def test_wrong_values_raise_conv_shape_error(
    function: Callable[..., Any], override: dict[str, object], match: str
) -> None:
    with pytest.raises(cs.ConvShapeError, match=match) as info:
        function(**{**BASE, **override})
    assert isinstance(info.value, ValueError)
    assert info.value.argument in override


TRANSPOSE = [cs.conv_transpose_output_length, cs.conv_transpose_crop]


@pytest.mark.parametrize("function", TRANSPOSE, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("override", "match"),
    [
        pytest.param(
            {"output_padding": 2, "stride": 2},
            r"`output_padding` must be smaller than `stride` or `dilation`. "
            r"Received: output_padding=2, stride=2, dilation=1",
            id="op-equal-stride",
        ),
        pytest.param(
            {"output_padding": 2, "stride": 1, "dilation": 2},
            r"`output_padding` must be smaller than `stride` or `dilation`. "
            r"Received: output_padding=2, stride=1, dilation=2",
            id="op-equal-dilation",
        ),
        pytest.param(
            {"output_padding": -1},
            r"`output_padding` must be >= 0. Received: output_padding=-1",
            id="negative-op",
        ),
        pytest.param(
            {"output_padding": 1.0},
            r"`output_padding` must be an int, not float",
            id="float-op",
        ),
        pytest.param(
            {"padding": "causal"},
            r"`padding`='causal' applies to forward convolution only, not to transposed "
            r"convolution. Received: padding='causal'",
            id="causal-transpose",
        ),
    ],
)
def test_transpose_specific_errors(
    function: Callable[..., Any], override: dict[str, object], match: str
) -> None:
    error = TypeError if isinstance(override.get("output_padding"), float) else cs.ConvShapeError
    with pytest.raises(error, match=match):
        function(**{**BASE, **override})


def test_causal_is_rejected_by_the_output_range() -> None:
    with pytest.raises(cs.ConvShapeError, match=r"'causal' applies to forward convolution only"):
        cs.conv_transpose_output_range(7, 3, 1, "causal")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param(
            (3, 5, 1, "valid", 1),
            r"the effective kernel \(5\) is longer than the padded input \(3 = size 3 \+ padding "
            r"0 \+ 0\), so the output would be empty. Received: size=3, kernel_size=5, stride=1, "
            r"padding='valid', dilation=1",
            id="kernel-too-long",
        ),
        pytest.param(
            (4, 3, 1, "valid", 2),
            r"the effective kernel \(5\) is longer than the padded input \(4",
            id="dilated-kernel-too-long",
        ),
        pytest.param((0, 1, 1, "valid", 1), r"the effective kernel \(1\)", id="empty-valid"),
        pytest.param((0, 3, 1, 0, 1), r"padded input \(0 = size 0", id="empty-explicit"),
    ],
)
def test_forward_empty_output(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(cs.EmptyOutputError, match=match) as info:
        cs.conv_output_length(*args)
    assert info.value.argument == "size"
    assert info.value.received["size"] == args[0]
    with pytest.raises(cs.EmptyOutputError, match=match):
        cs.conv_padding(*args)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param(
            (1, 2, 1, "same", 0, 1),
            r"the full transposed output \(2\) minus the crop \(1 \+ 1\) leaves 0 elements; "
            r"the output would be empty. Received: size=1, kernel_size=2, stride=1, "
            r"padding='same', output_padding=0, dilation=1",
            id="same-even-kernel-size-1",
        ),
        pytest.param(
            (0, 1, 2, "valid", 0, 1),
            r"the full transposed output \(-1\) minus the crop \(0 \+ 0\) leaves -1 elements",
            id="keras-negative-length",
        ),
        pytest.param((2, 3, 1, (2, 3), None, 1), r"leaves -1 elements", id="crop-too-large"),
        pytest.param((1, 3, 1, "full", None, 1), r"leaves -1 elements", id="full-too-short"),
    ],
)
def test_transpose_empty_output(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(cs.EmptyOutputError, match=match):
        cs.conv_transpose_output_length(*args)
    with pytest.raises(cs.EmptyOutputError, match=match):
        cs.conv_transpose_crop(*args)


def test_same_padding_of_an_unknown_size_with_a_stride() -> None:
    with pytest.raises(
        cs.ConvShapeError,
        match=r"`size` must be known for padding='same' with a stride above 1: the padding "
        r"depends on the size. Received: size=None, kernel_size=3, stride=2",
    ):
        cs.conv_padding(None, 3, 2, "same")


def test_output_range_needs_a_known_size() -> None:
    with pytest.raises(
        cs.ConvShapeError, match=r"`size` must be known to compute the range of output lengths"
    ):
        cs.conv_transpose_output_range(None, 3, 2, "same")  # type: ignore[arg-type]


def test_error_keeps_structured_fields() -> None:
    with pytest.raises(cs.ConvShapeError) as info:
        cs.conv_transpose_output_length(7, 3, stride=2, output_padding=2)
    assert info.value.argument == "output_padding"
    assert info.value.received == {"output_padding": 2, "stride": 2, "dilation": 1}
    assert info.value.rule == "`output_padding` must be smaller than `stride` or `dilation`"


def test_integer_like_values_are_accepted() -> None:
    class Index(int):
        pass

    assert cs.conv_output_length(Index(7), Index(3)) == 5


# -- one wording per rule, whichever layer or module the argument belongs to -------------

RULES = [
    pytest.param(
        [
            lambda: cs.layers.Dropout(1.5),
            lambda: cs.layers.SpatialDropout2D(1.5),
            lambda: cs.torch.Dropout(1.5),
        ],
        cs.ConvShapeError,
        r"^`(rate|p)` must be between 0 and 1\. Received: (rate|p)=1\.5$",
        id="rate",
    ),
    pytest.param(
        [
            lambda: cs.layers.ReLU(negative_slope=-1),
            lambda: cs.layers.LeakyReLU(-1),
            lambda: cs.torch.BatchNorm2d(4, eps=-1.0),
        ],
        cs.ConvShapeError,
        r"^`(negative_slope|eps)` must be >= 0\. Received: (negative_slope|eps)=-1(\.0)?$",
        id="non-negative",
    ),
    pytest.param(
        [
            lambda: cs.layers.BatchNormalization(axis=3).count_params((None, 4)),
            lambda: cs.torch.Flatten(5).compute_output_shape((1, 3, 8, 8)),
        ],
        cs.ConvShapeError,
        r"^`(axis|start_dim)`( of BatchNormalization)? must be in \[-\d, \d\] for an input of "
        r"rank \d\. Received: (axis|start_dim)=[35]$",
        id="axis",
    ),
    pytest.param(
        [
            lambda: cs.layers.LayerNormalization(axis="1"),  # type: ignore[arg-type]
            lambda: cs.layers.PReLU(shared_axes="1"),  # type: ignore[arg-type]
        ],
        TypeError,
        r"^`(axis|shared_axes)` must be an int or a list/tuple of ints, not str\. "
        r"Received: (axis|shared_axes)='1'$",
        id="axes",
    ),
    pytest.param(
        [lambda: cs.layers.BatchNormalization(renorm=True, renorm_clipping={"rmx": 3})],
        cs.ConvShapeError,
        r"^`renorm_clipping` takes only the keys 'rmax', 'rmin', 'dmax'; 'rmx' is not one of "
        r"them\. Received: renorm_clipping=\{'rmx': 3\}$",
        id="keys",
    ),
]


@pytest.mark.parametrize(("calls", "error", "pattern"), RULES)
def test_one_rule_has_one_wording_in_layers_and_modules(
    calls: list[Callable[[], object]], error: type[Exception], pattern: str
) -> None:
    for call in calls:
        with pytest.raises(error, match=pattern):
            call()

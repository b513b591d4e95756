"""Table tests of the core arithmetic, worked by hand from the definitions."""

from __future__ import annotations

import pytest

import convshape as cs
from convshape import Pad

# (size, kernel, stride, padding, output_padding, dilation, length, crop)
TRANSPOSE_CASES = [
    pytest.param(7, 5, 2, "same", None, 1, 14, Pad(1, 2), id="seed-7-k5-s2-same"),
    pytest.param(14, 5, 2, "same", None, 1, 28, Pad(1, 2), id="seed-14-k5-s2-same"),
    pytest.param(28, 5, 3, "same", None, 1, 84, Pad(1, 1), id="seed-28-k5-s3-same"),
    pytest.param(7, 5, 1, "same", None, 1, 7, Pad(2, 2), id="seed-7-k5-s1-same"),
    pytest.param(7, 5, 2, "same", 0, 1, 13, Pad(2, 2), id="same-op0-odd-kernel"),
    pytest.param(7, 5, 2, "same", 1, 1, 14, Pad(1, 2), id="same-op1-odd-kernel"),
    pytest.param(7, 4, 2, "same", 1, 1, 13, Pad(1, 2), id="same-op1-even-kernel"),
    pytest.param(7, 1, 3, "same", None, 1, 21, Pad(0, -2), id="same-kernel-below-stride"),
    pytest.param(7, 3, 1, "same", None, 2, 7, Pad(2, 2), id="same-dilated"),
    pytest.param(7, 5, 2, "valid", None, 1, 17, Pad(0, 0), id="valid"),
    pytest.param(7, 5, 2, "valid", 1, 1, 18, Pad(0, -1), id="valid-op1"),
    pytest.param(7, 1, 3, "valid", None, 1, 21, Pad(0, -2), id="valid-kernel-below-stride"),
    pytest.param(7, 3, 2, "full", None, 1, 11, Pad(2, 2), id="full"),
    pytest.param(7, 3, 2, "full", 1, 1, 12, Pad(2, 1), id="full-op1"),
    pytest.param(7, 3, 2, 1, 1, 1, 14, Pad(1, 0), id="torch-style-int"),
    pytest.param(7, 4, 2, (1, 2), None, 1, 13, Pad(1, 2), id="explicit-pair"),
    pytest.param(7, 3, 1, 0, 1, 2, 12, Pad(0, -1), id="op-allowed-by-dilation"),
    pytest.param(0, 3, 2, "same", None, 1, 0, Pad(0, 1), id="empty-same"),
    pytest.param(0, 5, 2, "valid", None, 1, 3, Pad(0, 0), id="empty-valid-keras-value"),
    pytest.param(1, 1, 1, "valid", None, 1, 1, Pad(0, 0), id="identity"),
]


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "output_padding", "dilation", "length", "crop"),
    TRANSPOSE_CASES,
)
def test_conv_transpose(
    size: int,
    kernel: int,
    stride: int,
    padding: cs.arithmetic.PaddingArg,
    output_padding: int | None,
    dilation: int,
    length: int,
    crop: Pad,
) -> None:
    args = (size, kernel, stride, padding, output_padding, dilation)
    assert cs.conv_transpose_output_length(*args) == length
    assert cs.conv_transpose_crop(*args) == crop
    assert (size - 1) * stride + (kernel - 1) * dilation + 1 - sum(crop) == length


# (size, kernel, stride, padding, dilation, length, pad)
FORWARD_CASES = [
    pytest.param(28, 5, 2, "valid", 1, 12, Pad(0, 0), id="valid"),
    pytest.param(28, 5, 2, "same", 1, 14, Pad(1, 2), id="same-odd-extra-after"),
    pytest.param(13, 6, 5, "same", 1, 3, Pad(1, 2), id="same-tf-docs-example"),
    pytest.param(7, 1, 3, "same", 1, 3, Pad(0, 0), id="same-kernel-below-stride"),
    pytest.param(10, 3, 1, "causal", 4, 10, Pad(8, 0), id="causal-dilated"),
    pytest.param(5, 3, 1, "full", 1, 7, Pad(2, 2), id="full"),
    pytest.param(5, 3, 2, 1, 1, 3, Pad(1, 1), id="int"),
    pytest.param(5, 3, 2, (2, 0), 1, 3, Pad(2, 0), id="pair"),
    pytest.param(0, 3, 2, "same", 1, 0, Pad(0, 1), id="empty-same"),
    pytest.param(0, 3, 1, "causal", 1, 0, Pad(2, 0), id="empty-causal"),
    pytest.param(9, 3, 2, "valid", 3, 2, Pad(0, 0), id="dilated-valid"),
]


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "length", "pad"), FORWARD_CASES
)
def test_conv_forward(
    size: int,
    kernel: int,
    stride: int,
    padding: cs.arithmetic.PaddingArg,
    dilation: int,
    length: int,
    pad: Pad,
) -> None:
    assert cs.conv_output_length(size, kernel, stride, padding, dilation) == length
    assert cs.conv_padding(size, kernel, stride, padding, dilation) == pad


def test_unknown_size_passes_through() -> None:
    assert cs.conv_output_length(None, 3, 2, "same") is None
    assert cs.conv_transpose_output_length(None, 5, 2, "same") is None
    assert cs.conv_transpose_crop(None, 5, 2, "same") == Pad(1, 2)
    assert cs.conv_padding(None, 5, 1, "same") == Pad(2, 2)
    assert cs.conv_padding(None, 5, 3, "valid") == Pad(0, 0)


def test_padding_strings_are_case_insensitive() -> None:
    assert cs.conv_transpose_output_length(7, 5, 2, "SAME") == 14
    assert cs.conv_output_length(7, 3, 1, "Causal") == 7


def test_seed_question_has_no_integer_symmetric_padding() -> None:
    # (7 - 1) * 2 + 5 - 2p = 14 needs p = 1.5: the crop is 1 before and 2 after.
    crop = cs.conv_transpose_crop(7, 5, 2, "same")
    assert crop == (1, 2)
    assert (7 - 1) * 2 + 5 - crop.before - crop.after == 14


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "expected"),
    [
        pytest.param(7, 5, 2, "same", 1, range(13, 15), id="same"),
        pytest.param(7, 5, 2, "valid", 1, range(17, 19), id="valid"),
        pytest.param(7, 3, 2, "full", 1, range(11, 13), id="full"),
        pytest.param(7, 3, 2, 1, 1, range(13, 15), id="int"),
        pytest.param(1, 1, 1, (3, 3), 1, range(1, 1), id="nothing-maps-back"),
        pytest.param(0, 3, 2, "valid", 1, range(0, 1), id="empty"),
        pytest.param(4, 3, 1, "same", 2, range(4, 5), id="dilated"),
    ],
)
def test_conv_transpose_output_range(
    size: int,
    kernel: int,
    stride: int,
    padding: cs.arithmetic.PaddingArg,
    dilation: int,
    expected: range,
) -> None:
    assert cs.conv_transpose_output_range(size, kernel, stride, padding, dilation) == expected


def test_keras_same_even_kernel_pitfall_warns_with_the_accepted_lengths() -> None:
    with pytest.warns(
        cs.ConvShapeWarning, match=r"Keras predicts output length 12.*accepts lengths 13\.\.14"
    ):
        assert cs.conv_transpose_output_length(7, 4, 2, "same", output_padding=0) == 12


def test_no_warning_for_lengths_tensorflow_accepts() -> None:
    # filterwarnings = error turns any warning into a failure here.
    assert cs.conv_transpose_output_length(7, 4, 2, "same") == 14
    assert cs.conv_transpose_output_length(7, 4, 2, "same", output_padding=1) == 13
    assert cs.conv_transpose_crop(7, 4, 2, "same", output_padding=0) == Pad(2, 2)


def test_effective_kernel_size() -> None:
    assert cs.effective_kernel_size(5) == 5
    assert cs.effective_kernel_size(3, 3) == 7

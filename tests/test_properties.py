"""Property tests: the core formulas against brute-force scatter and gather references."""

from __future__ import annotations

import warnings

from hypothesis import assume, given
from hypothesis import strategies as st

import convshape as cs
from tests.reference import (
    forward_gather,
    scatter_full,
    transpose_cropped,
    transpose_gather,
    window_starts,
)

sizes = st.integers(min_value=1, max_value=40)
kernels = st.integers(min_value=1, max_value=9)
strides = st.integers(min_value=1, max_value=6)
dilations = st.integers(min_value=1, max_value=4)
modes = st.sampled_from(["valid", "same"])
explicit = st.one_of(
    st.integers(min_value=0, max_value=6),
    st.tuples(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=6)),
)


def _quiet_transpose_length(
    size: int,
    kernel: int,
    stride: int,
    padding: cs.arithmetic.PaddingArg,
    output_padding: int | None,
    dilation: int,
) -> int:
    """The transposed length, without the warning for lengths TensorFlow rejects."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        return cs.conv_transpose_output_length(
            size, kernel, stride, padding, output_padding, dilation
        )


@st.composite
def output_paddings(draw: st.DrawFn, stride: int, dilation: int) -> int | None:
    return draw(st.one_of(st.none(), st.integers(min_value=0, max_value=max(stride, dilation) - 1)))


@given(sizes, kernels, strides, dilations, st.data())
def test_transpose_is_the_adjoint_of_the_forward_convolution(
    size: int, kernel: int, stride: int, dilation: int, data: st.DataObject
) -> None:
    """For every output length TensorFlow accepts, scattering into the full output and
    cropping by conv_transpose_crop equals gathering through the forward windows."""
    padding = data.draw(modes)
    output_padding = data.draw(output_paddings(stride, dilation))
    try:
        length = _quiet_transpose_length(size, kernel, stride, padding, output_padding, dilation)
    except cs.EmptyOutputError:
        assume(False)
    crop = cs.conv_transpose_crop(size, kernel, stride, padding, output_padding, dilation)
    assume(length in cs.conv_transpose_output_range(size, kernel, stride, padding, dilation))
    x = [float(3 * i + 1) for i in range(size)]
    w = [float(2**t) for t in range(kernel)]
    pad = cs.conv_padding(length, kernel, stride, padding, dilation)
    assert transpose_cropped(x, w, stride, dilation, crop.before, length) == transpose_gather(
        x, w, stride, dilation, length, pad.before, pad.after
    )


@given(sizes, kernels, strides, dilations, st.one_of(modes, st.just("full"), explicit), st.data())
def test_length_is_the_full_output_minus_the_crop(
    size: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding: cs.arithmetic.PaddingArg,
    data: st.DataObject,
) -> None:
    output_padding = data.draw(output_paddings(stride, dilation))
    try:
        length = _quiet_transpose_length(size, kernel, stride, padding, output_padding, dilation)
    except cs.EmptyOutputError:
        k_eff = (kernel - 1) * dilation + 1
        crop = cs.conv_transpose_crop(None, kernel, stride, padding, output_padding, dilation)
        assert (size - 1) * stride + k_eff - sum(crop) <= 0
        return
    crop = cs.conv_transpose_crop(size, kernel, stride, padding, output_padding, dilation)
    full = scatter_full([1.0] * size, [1.0] * kernel, stride, dilation)
    assert length == len(full) - crop.before - crop.after
    assert length >= 1
    assert crop.before >= 0


@given(
    sizes,
    kernels,
    strides,
    dilations,
    st.one_of(modes, st.just("causal"), st.just("full"), explicit),
)
def test_forward_length_counts_the_windows(
    size: int, kernel: int, stride: int, dilation: int, padding: cs.arithmetic.PaddingArg
) -> None:
    k_eff = (kernel - 1) * dilation + 1
    try:
        pad = cs.conv_padding(size, kernel, stride, padding, dilation)
    except cs.EmptyOutputError:
        pad = cs.conv_padding(None, kernel, stride, padding, dilation)
    windows = window_starts(size, k_eff, stride, pad.before, pad.after)
    if not windows:
        try:
            cs.conv_output_length(size, kernel, stride, padding, dilation)
        except cs.EmptyOutputError:
            return
        raise AssertionError("an impossible convolution was accepted")
    assert cs.conv_output_length(size, kernel, stride, padding, dilation) == len(windows)
    x = [float(i + 1) for i in range(size)]
    assert len(forward_gather(x, [1.0] * kernel, stride, dilation, pad.before, pad.after)) == len(
        windows
    )


@given(sizes, kernels, strides, dilations)
def test_same_windows_cover_the_input_with_the_least_padding(
    size: int, kernel: int, stride: int, dilation: int
) -> None:
    """'same' gives ceil(I / s) windows, padding as little as that needs, the odd one after."""
    k_eff = (kernel - 1) * dilation + 1
    pad = cs.conv_padding(size, kernel, stride, "same", dilation)
    assert cs.conv_output_length(size, kernel, stride, "same", dilation) == -(-size // stride)
    assert 0 <= pad.after - pad.before <= 1
    windows = window_starts(size, k_eff, stride, pad.before, pad.after)
    assert len(windows) == -(-size // stride)
    total = pad.before + pad.after
    if total > 0:
        assert len(window_starts(size, k_eff, stride, 0, total - 1)) < len(windows)


@given(sizes, kernels, strides, dilations, st.one_of(modes, st.just("full"), explicit), st.data())
def test_round_trip_holds_exactly_when_the_length_is_in_the_range(
    size: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding: cs.arithmetic.PaddingArg,
    data: st.DataObject,
) -> None:
    """conv_output_length(conv_transpose_output_length(n)) == n where it holds; where it
    does not, the transposed length is outside conv_transpose_output_range."""
    output_padding = data.draw(output_paddings(stride, dilation))
    try:
        length = _quiet_transpose_length(size, kernel, stride, padding, output_padding, dilation)
    except cs.EmptyOutputError:
        return
    accepted = cs.conv_transpose_output_range(size, kernel, stride, padding, dilation)
    try:
        back = cs.conv_output_length(length, kernel, stride, padding, dilation)
    except cs.EmptyOutputError:
        back = None
    assert (back == size) == (length in accepted)
    k_eff = (kernel - 1) * dilation + 1
    op = output_padding or 0
    if padding == "same" and output_padding is not None:
        # Keras's "same" with an explicit output_padding: (I - 1) * s + k_eff % 2 + op.
        holds = 1 <= k_eff % 2 + op <= stride
    else:
        holds = op < stride
    assert (back == size) == holds


def test_round_trip_fails_for_the_keras_even_kernel_pitfall() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        length = cs.conv_transpose_output_length(7, 4, 2, "same", 0)
    assert length == 12
    assert cs.conv_output_length(length, 4, 2, "same") == 6

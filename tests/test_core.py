"""convshape._core against the frameworks whose rules it holds: each function on a small
grid, compared with TensorFlow, PyTorch, jax.lax or ONNX Runtime run on tensors (or with
the framework's own padding function), never with a copy of its formula."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from convshape import _core as core
from convshape import onnx as ox
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import forward_gather, transpose_cropped

RNG = np.random.default_rng(15)

KERNELS = range(1, 6)
STRIDES = range(1, 4)
DILATIONS = (1, 2)
SIZES = (1, 2, 5, 8)


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


@pytest.fixture(scope="module")
def tf() -> Any:
    return oracle("tensorflow")


@pytest.fixture(scope="module")
def lax() -> Any:
    return oracle("jax").lax


def test_ceil_div_is_the_ceiling() -> None:
    for numerator, denominator in itertools.product(range(-12, 13), range(1, 6)):
        expected = -(Fraction(-numerator, denominator).__floor__())
        assert core.ceil_div(numerator, denominator) == expected, (numerator, denominator)


def test_forward_length_and_effective_kernel_match_torch(torch: Any) -> None:
    """Windows over an explicitly padded input: torch.nn.functional.conv1d's length."""
    functional = torch.nn.functional
    mismatches = []
    for k, s, d, size, before, after in itertools.product(
        KERNELS, STRIDES, DILATIONS, SIZES, (0, 1, 3), (0, 2)
    ):
        ORACLE_COUNTS["torch conv1d (core forward length)"] += 1
        x = functional.pad(torch.ones(1, 1, size), (before, after))
        k_eff = core.effective_kernel(k, d)
        ours = core.forward_length(size, k_eff, s, before, after)
        try:
            theirs = functional.conv1d(x, torch.ones(1, 1, k), stride=s, dilation=d).shape[-1]
        except RuntimeError:  # no window fits
            theirs = None
        if (theirs if theirs is not None else 0) != max(ours, 0):
            mismatches.append(f"I={size} k={k} s={s} d={d} pad=({before}, {after}): {ours}")
    assert mismatches == []


def test_transposed_lengths_match_torch(torch: Any) -> None:
    """The full output and PyTorch's crop, ``padding`` less the ``output_padding`` given back
    at the end (core.crop_less_output_padding): torch's conv_transpose1d."""
    functional = torch.nn.functional
    mismatches = []
    for k, s, d, size in itertools.product(KERNELS, STRIDES, DILATIONS, SIZES):
        k_eff = core.effective_kernel(k, d)
        for p, op in itertools.product(range(3), range(max(s, d))):
            ORACLE_COUNTS["torch conv_transpose1d (core transposed length)"] += 1
            crop = core.crop_less_output_padding(p, p, op)
            ours = core.transposed_length(size, k_eff, s, *crop)
            try:
                theirs = functional.conv_transpose1d(
                    torch.ones(1, 1, size),
                    torch.ones(1, 1, k),
                    stride=s,
                    padding=p,
                    output_padding=op,
                    dilation=d,
                ).shape[-1]
            except RuntimeError:  # an empty output
                theirs = 0
            if max(ours, 0) != theirs:
                mismatches.append(f"I={size} k={k} s={s} d={d} p={p} op={op}: {ours} != {theirs}")
        full = functional.conv_transpose1d(
            torch.ones(1, 1, size), torch.ones(1, 1, k), stride=s, dilation=d
        )
        if core.full_transposed_length(size, k_eff, s) != full.shape[-1]:
            mismatches.append(f"I={size} k={k} s={s} d={d}: full length")
    assert mismatches == []


def test_a_port_reaches_any_crop_with_the_closest_output_padding_and_the_remainder(
    torch: Any,
) -> None:
    """A crop no PyTorch padding makes on its own: torch's conv_transpose1d with padding p and
    the output_padding core.closest_output_padding picks, then core.remainder cropped (or
    zero-padded at the end) from its values, is the full output less the crop wherever the op
    crops no value the crop keeps; and no other output_padding leaves less to do at the end."""
    functional = torch.nn.functional
    mismatches = []
    for k, s, d, before, after in itertools.product(
        range(1, 5), STRIDES, DILATIONS, range(3), range(-3, 3)
    ):
        largest = core.largest_output_padding(s, d)
        w = RNG.integers(1, 9, k).astype("float32")
        x = RNG.integers(1, 9, 4).astype("float32")
        wanted = core.Pad(before, after)
        length = core.transposed_length(4, core.effective_kernel(k, d), s, *wanted)
        expected = transpose_cropped(x.tolist(), w.tolist(), s, d, before, length)
        for p in range(before + 1):
            ORACLE_COUNTS["torch conv_transpose1d (core closest output_padding, values)"] += 1
            op = core.closest_output_padding(after - p, largest)
            if not 0 <= op <= largest:  # PyTorch refuses it
                mismatches.append(f"k={k} s={s} d={d} crop={wanted} p={p}: op={op}")
            made = core.crop_less_output_padding(p, p, op)
            if made.after > max(after, 0):  # the op crops values the wanted crop keeps
                continue
            rest = core.remainder(wanted, made)
            try:
                y = functional.conv_transpose1d(
                    torch.as_tensor(x).reshape(1, 1, -1),
                    torch.as_tensor(w).reshape(1, 1, -1),
                    stride=s,
                    padding=p,
                    output_padding=op,
                    dilation=d,
                )
            except RuntimeError:  # an empty output: PyTorch refuses it
                continue
            got = y.ravel().tolist() + [0.0] * max(-rest.after, 0)
            got = got[rest.before : len(got) - max(rest.after, 0)]
            if got != expected:
                mismatches.append(f"k={k} s={s} d={d} crop={wanted} p={p}: {got} != {expected}")
            left = [
                abs(core.remainder(wanted, core.crop_less_output_padding(p, p, other)).after)
                for other in range(largest + 1)
            ]
            if abs(rest.after) != min(left):
                mismatches.append(f"k={k} s={s} d={d} crop={wanted} p={p}: op={op}, {left}")
    assert mismatches == []


def test_causal_padding_matches_keras_values() -> None:
    """Keras's causal Conv1D (TensorFlow backend) on tensors: the zeros core.causal_padding
    adds, then a valid convolution."""
    keras = oracle("keras")
    mismatches = []
    for k, d, size in itertools.product(KERNELS, DILATIONS, (1, 4, 7)):
        ORACLE_COUNTS["keras Conv1D causal (core causal padding, values)"] += 1
        x = RNG.integers(1, 9, size).astype("float32")
        w = RNG.integers(1, 9, k).astype("float32")
        layer = keras.layers.Conv1D(1, k, padding="causal", dilation_rate=d, use_bias=False)
        layer.build((1, size, 1))
        layer.set_weights([w.reshape(k, 1, 1)])
        got = np.asarray(layer(x.reshape(1, size, 1))).ravel().tolist()
        pad = core.causal_padding(core.effective_kernel(k, d))
        expected = forward_gather(x.tolist(), w.tolist(), 1, d, *pad)
        if got != expected:
            mismatches.append(f"I={size} k={k} d={d}: {pad} gives {expected}, Keras {got}")
    assert mismatches == []


def test_full_padding_matches_numpy_full_correlation() -> None:
    """NumPy's ``correlate(mode="full")`` (every window that overlaps the input) on values,
    the kernel dilated with zeros: the zeros core.full_padding adds, then a valid
    convolution."""
    mismatches = []
    for k, d, size in itertools.product(KERNELS, DILATIONS, SIZES):
        x = RNG.integers(1, 9, size).astype("float64")
        w = RNG.integers(1, 9, k).astype("float64")
        dilated = np.zeros(core.effective_kernel(k, d))
        dilated[::d] = w
        got = np.correlate(x, dilated, mode="full").tolist()
        pad = core.full_padding(core.effective_kernel(k, d))
        expected = forward_gather(x.tolist(), w.tolist(), 1, d, *pad)
        if got != expected:
            mismatches.append(f"I={size} k={k} d={d}: {pad} gives {expected}, NumPy {got}")
    assert mismatches == []


@pytest.mark.parametrize(("odd", "mode"), [("after", "SAME"), ("before", "SAME_LOWER")])
def test_same_padding_matches_lax_padtype_to_pads(lax: Any, odd: str, mode: str) -> None:
    """JAX's own resolver: "SAME" puts the odd element high, "SAME_LOWER" low."""
    mismatches = []
    for k, s, d, size in itertools.product(KERNELS, STRIDES, DILATIONS, (*SIZES, 13)):
        ORACLE_COUNTS["lax.padtype_to_pads (core same padding)"] += 1
        k_eff = core.effective_kernel(k, d)
        theirs = tuple(lax.padtype_to_pads((size,), (k_eff,), (s,), mode)[0])
        ours = core.same_padding(size, k_eff, s, odd)
        if ours != theirs:
            mismatches.append(f"I={size} k_eff={k_eff} s={s}: {ours} != {theirs}")
    assert mismatches == []


def test_same_padding_matches_tensorflow_values(tf: Any) -> None:
    """tf.nn.conv1d with SAME equals the explicit padding core.same_padding gives."""
    mismatches = []
    for k, s, size in itertools.product(KERNELS, STRIDES, (1, 4, 7)):
        ORACLE_COUNTS["tf.nn.conv1d SAME (core same padding, values)"] += 1
        x = RNG.integers(1, 9, size).astype("float32")
        w = RNG.integers(1, 9, k).astype("float32")
        got = tf.nn.conv1d(x.reshape(1, size, 1), w.reshape(k, 1, 1), s, "SAME").numpy()
        pad = core.same_padding(size, k, s)
        expected = forward_gather(x.tolist(), w.tolist(), s, 1, *pad)
        if got.ravel().tolist() != expected:
            mismatches.append(f"I={size} k={k} s={s}: {pad} gives {expected}, TF {got.ravel()}")
    assert mismatches == []


def test_same_total_may_be_negative_as_onnx_runtime_pools_see_it() -> None:
    """ONNX Runtime's SAME pools take the total unclamped (convshape.onnx, proven against
    ORT in test_oracle_onnx.py): a window shorter than the stride gives a negative one."""
    assert core.same_total(7, 1, 4) == -2
    assert ox.pool_output_length(7, 1, 4, "SAME_UPPER", op="AveragePool") == 2


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_transposed_crops_match_keras_values(tf: Any, padding: str) -> None:
    """Keras's Conv1DTranspose (TensorFlow backend) on tensors: its length and values are
    the full output less core.same_crop / core.valid_crop."""
    keras = oracle("keras")
    mismatches = []
    for k, s in itertools.product(KERNELS, STRIDES):
        for op in (None, *range(s)):
            ORACLE_COUNTS["keras Conv1DTranspose (core crops, values)"] += 1
            w = RNG.integers(1, 9, k).astype("float32")
            x = RNG.integers(1, 9, 3).astype("float32")
            layer = keras.layers.Conv1DTranspose(
                1, k, strides=s, padding=padding, output_padding=op, use_bias=False
            )
            layer.build((1, 3, 1))
            layer.set_weights([w.reshape(k, 1, 1)])
            crop = (core.same_crop if padding == "same" else core.valid_crop)(k, s, op)
            length = core.transposed_length(3, k, s, *crop)
            try:
                got = np.asarray(layer(x.reshape(1, 3, 1))).ravel().tolist()
            except tf.errors.OpError:
                # TensorFlow refuses the length Keras predicts (an even kernel under
                # "same" with output_padding=0): it is one the forward conv cannot invert.
                if length in core.same_output_range(3, s):
                    mismatches.append(f"k={k} s={s} op={op}: TF refuses length {length}")
                continue
            expected = transpose_cropped(x.tolist(), w.tolist(), s, 1, crop.before, length)
            if got != expected:
                mismatches.append(f"k={k} s={s} op={op}: {crop}, {expected} != Keras {got}")
    assert mismatches == []


def test_output_ranges_match_tensorflow(tf: Any) -> None:
    """The output_shape values tf.nn.conv1d_transpose accepts: same_output_range for SAME,
    transposed_output_range with no padding for VALID (the forward convolution maps each
    back to the input)."""
    mismatches = []
    for k, s, size in itertools.product(range(1, 5), STRIDES, (1, 3)):
        w = tf.ones((k, 1, 1))
        x = tf.ones((1, size, 1))
        for mode in ("SAME", "VALID"):
            ours = (
                core.same_output_range(size, s)
                if mode == "SAME"
                else core.transposed_output_range(size, k, s, 0, 0)
            )
            accepted = []
            for length in range(1, (size + 1) * s + k + 2):
                ORACLE_COUNTS["tf.nn.conv1d_transpose output_shape (core ranges)"] += 1
                try:
                    tf.nn.conv1d_transpose(x, w, (1, length, 1), s, mode)
                except (tf.errors.OpError, ValueError):
                    continue
                accepted.append(length)
            expected = set(ours)
            if size == 1 and mode == "VALID":
                # TensorFlow's quirk pinned in test_oracle_keras.py: its truncating C++
                # division also lets through max(1, k - s + 1) <= O < k for one input.
                expected |= set(range(max(1, k - s + 1), k))
            if sorted(expected) != accepted:
                mismatches.append(f"I={size} k={k} s={s} {mode}: {list(ours)} != TF {accepted}")
    assert mismatches == []


def test_ceil_mode_length_matches_torch(torch: Any) -> None:
    """PyTorch's max_pool1d with ceil_mode: a last window starting in the right padding
    is dropped."""
    functional = torch.nn.functional
    mismatches = []
    for k, s, d, size in itertools.product(range(1, 5), STRIDES, DILATIONS, SIZES):
        for p in range(k // 2 + 1):
            ORACLE_COUNTS["torch max_pool1d ceil_mode (core ceil_mode_length)"] += 1
            ours = core.ceil_mode_length(size, core.effective_kernel(k, d), s, p, p)
            try:
                theirs = functional.max_pool1d(
                    torch.ones(1, 1, size), k, s, p, d, ceil_mode=True
                ).shape[-1]
            except RuntimeError:
                theirs = None
            if theirs is not None and ours != theirs:
                mismatches.append(f"I={size} k={k} s={s} d={d} p={p}: {ours} != {theirs}")
    assert mismatches == []


def test_split_puts_the_odd_element_where_asked() -> None:
    for total in range(-4, 9):
        after, before = core.split(total), core.split(total, "before")
        assert sum(after) == sum(before) == total
        if total >= 0:
            assert after.after - after.before == total % 2
            assert before == (after.after, after.before)
        else:
            assert after == before == (0, total)

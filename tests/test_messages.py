"""Messages stay bounded and always form: huge ints (``repr`` refuses over 4,300 digits),
deeply nested or huge containers, long texts and values whose ``__repr__`` fails."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

import convshape as cs
from convshape import torch as pt
from convshape._validate import array_shape, as_int, check_number, check_shape, check_size
from convshape.errors import ConvShapeError, _short_repr

HUGE = 10**5000


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


class _BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


SHORT = [
    pytest.param(7, "7", id="int"),
    pytest.param(-(10**59), repr(-(10**59)), id="int-60-digits"),
    pytest.param(10**60, "<int of 61 digits>", id="int-61-digits"),
    pytest.param(HUGE, "<int of 5001 digits>", id="int-5001-digits"),
    pytest.param(-HUGE, "<int of 5001 digits>", id="negative-huge"),
    pytest.param((None, 7, 7, 256), "(None, 7, 7, 256)", id="shape"),
    pytest.param((5,), "(5,)", id="one-tuple"),
    pytest.param({"a": [1, (2,)]}, "{'a': [1, (2,)]}", id="dict"),
    pytest.param(frozenset({1}), "frozenset({1})", id="frozenset"),
    pytest.param(set(), "set()", id="empty-set"),
    pytest.param("same", "'same'", id="str"),
    pytest.param(_BrokenRepr(), "<_BrokenRepr object>", id="broken-repr"),
    pytest.param(list(range(12)), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... (12 items)]", id="long-list"),
]


@pytest.mark.parametrize(("value", "expected"), SHORT)
def test_short_repr(value: object, expected: str) -> None:
    assert _short_repr(value) == expected


def test_short_repr_is_exact_for_every_digit_count_up_to_the_cut() -> None:
    for digits in range(1, 61):
        value = 10 ** (digits - 1)
        assert _short_repr(value) == repr(value)
        assert _short_repr(10**digits - 1) == repr(10**digits - 1)
    for digits in range(61, 400):
        assert _short_repr(10 ** (digits - 1)) == f"<int of {digits} digits>"
        assert _short_repr(10**digits - 1) == f"<int of {digits} digits>"


@pytest.mark.parametrize(
    "value",
    [
        HUGE,
        _nested(100_000),
        list(range(1_000_000)),
        "x" * 1_000_000,
        b"y" * 1_000_000,
        {i: i for i in range(100_000)},
        _BrokenRepr(),
        [HUGE, _nested(5000), _BrokenRepr()],
    ],
    ids=["huge-int", "deep", "long-list", "long-str", "long-bytes", "big-dict", "broken", "mixed"],
)
def test_error_messages_stay_short(value: object) -> None:
    start = time.perf_counter()
    error = ConvShapeError("`x` is wrong", argument="x", received={"x": value})
    assert len(str(error)) < 2_000
    assert str(error).startswith("`x` is wrong. Received: x=")
    assert error.received["x"] is value  # the attribute keeps the value itself
    assert time.perf_counter() - start < 1.0


def test_validators_format_huge_values() -> None:
    with pytest.raises(ConvShapeError, match=r"Received: size=<int of 5001 digits>"):
        check_size(-HUGE)
    with pytest.raises(cs.ConvShapeError, match=r"<int of 5001 digits>"):
        cs.conv_output_length(3, kernel_size=-HUGE)
    with pytest.raises(ConvShapeError, match=r"`eps` is too large for a float"):
        check_number(HUGE, "eps")
    with pytest.raises(ConvShapeError, match=r"`size` must fit in int64 .* 5001 digits>"):
        as_int(HUGE, "size")
    assert as_int(2**63 - 1, "size") == 2**63 - 1
    assert as_int(-(2**63 - 1), "padding") == -(2**63 - 1)


def test_validators_format_deep_values() -> None:
    deep = _nested(sys.getrecursionlimit() * 3)
    with pytest.raises(TypeError, match=r"`input_shape` must hold ints or None, not list"):
        check_shape([1, deep])
    with pytest.raises(TypeError, match=r"`size` must be an int, not list"):
        as_int(deep, "size")
    with pytest.raises(ConvShapeError, match=r"`mean` must have at most 64 dimensions"):
        array_shape(deep, "mean")
    hostile: Any = {"a": deep}
    with pytest.raises(TypeError, match=r"`padding` must be a str, an int or a"):
        cs.conv_padding(5, 3, padding=hostile)


@pytest.mark.parametrize("layer", [cs.layers.LSTM(4), cs.layers.Bidirectional(cs.layers.LSTM(4))])
def test_a_wrong_initial_state_is_shown_bounded(layer: Any) -> None:
    """The recurrent layers and their Bidirectional wrapper show a huge argument alike."""
    x = cs.Input((5, 3))
    with pytest.raises(TypeError, match="`initial_state` must be a tensor or a list") as error:
        layer(x, initial_state=HUGE)
    assert "Received: initial_state=<int of 5001 digits>" in str(error.value)


def test_cost_and_get_layer_show_a_wrong_argument_bounded() -> None:
    layer = cs.layers.Dense(3)
    with pytest.raises(TypeError, match=r"not int\. Received: input_shape=<int of 5001 digits>"):
        cs.cost(layer, input_shape=HUGE)
    with pytest.raises(TypeError, match=r"Received: input_shape='xxxx.*\(100000 characters\)"):
        cs.cost(layer, input_shape="x" * 100_000)
    model = cs.Sequential([cs.Input((4,)), layer])
    with pytest.raises(TypeError, match=r"`index` must be an int, not str\. Received: index="):
        model.get_layer(index="x" * 100_000)  # type: ignore[arg-type]
    with pytest.raises(TypeError) as error:
        model.get_layer(index="x" * 100_000)  # type: ignore[arg-type]
    assert len(str(error.value)) < 500


def test_torch_specs_format_huge_and_deep_values() -> None:
    with pytest.raises(ConvShapeError, match=r"Received: output_size=<int of 5001 digits>"):
        pt.ConvTranspose1d(1, 1, 3).compute_output_shape((1, 1, 5), output_size=[HUGE])
    with pytest.raises(ConvShapeError, match=r"`kernel_size` must be an int or a tuple of 2"):
        pt.Conv2d(1, 1, _nested(10_000))
    with pytest.raises(TypeError, match=r"`kernel_size` must be an int, not list"):
        pt.Conv2d(1, 1, [_nested(10_000)] * 2)  # type: ignore[list-item]
    with pytest.raises(ConvShapeError, match=r"`in_features` must fit in int64"):
        pt.Linear(-HUGE, 3)


def test_tensorflow_rejection_advice_fits_the_arguments() -> None:
    """The 'same' with an even kernel advice only where it applies (it was given for
    'valid' with dilation too)."""
    import warnings

    import convshape as cs

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cs.conv_transpose_output_length(7, 4, stride=2, padding="same", output_padding=0)
        cs.conv_transpose_output_length(
            1, 2, stride=1, padding="valid", output_padding=1, dilation=2
        )
    same, valid = (str(w.message) for w in caught)
    assert "with padding='same' and an even kernel, set output_padding=1" in same
    assert "even kernel" not in valid
    assert "choose the output_padding that gives one of them" in valid

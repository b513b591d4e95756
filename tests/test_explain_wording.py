"""Explanations read by a newcomer: every one the library can produce over a grid (the four
frameworks; convolution, transposed convolution and pooling; layers of one to three
dimensions and a model) is checked for wording that reads badly: counts written "zero(s)"
or "1 zeros", internal names, steps that do not end as sentences, repeated sentences,
notes about padding where there is none."""

from __future__ import annotations

import itertools
import numbers
import re
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from convshape.arithmetic import PaddingArg
from tests.zoo import dcgan_generator

SIZES = (1, 5, 13)
KERNELS = (1, 3, 6)
STRIDES = (1, 2, 5)
DILATIONS = (1, 2)


def _calls() -> Iterator[Callable[[], cs.Explanation]]:
    conv, transpose, pool = cs.explain_conv, cs.explain_conv_transpose, cs.explain_pool
    for size, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        paddings: dict[str, tuple[PaddingArg, ...]] = {
            "keras": ("valid", "same", "causal", "full", 1, (1, 2)),
            "torch": (0, 1, "same", "valid"),
            "jax": ("SAME", "SAME_LOWER", "VALID", (1, 2), (-1, 0)),
            "onnx": ("VALID", "SAME_UPPER", "SAME_LOWER", (1, 0), 2),
        }
        for framework, modes in paddings.items():
            for padding in modes:
                yield partial(conv, size, k, s, padding, d, framework=framework)
        keras_crops: tuple[PaddingArg, ...] = ("valid", "same", "full", 1, (1, 2))
        for padding, op in itertools.product(keras_crops, (None, 1)):
            yield partial(transpose, size, k, s, padding, op, d)
        for p, op in itertools.product((0, 1, 2), (0, 1)):
            yield partial(transpose, size, k, s, p, op, d, framework="torch")
        for padding in ("SAME", "VALID", (1, 2), (4, 1)):
            yield partial(transpose, size, k, s, padding, None, d, framework="jax")
        onnx_crops: tuple[PaddingArg, ...] = ("VALID", "SAME_UPPER", "SAME_LOWER", (1, 2))
        for padding, op in itertools.product(onnx_crops, (0, 1)):
            yield partial(transpose, size, k, s, padding, op, d, framework="onnx")
        for kind in ("max", "average"):
            for padding in ("valid", "same"):
                yield partial(pool, size, k, s, padding, kind=kind)
            for p, ceil in itertools.product((0, 1), (False, True)):
                yield partial(pool, size, k, s, p, framework="torch", ceil_mode=ceil, kind=kind)
            onnx_pads: tuple[PaddingArg, ...] = ("VALID", "SAME_LOWER", (1, 0))
            for padding, ceil in itertools.product(onnx_pads, (False, True)):
                yield partial(
                    pool, size, k, s, padding, framework="onnx", ceil_mode=ceil, kind=kind
                )
    yield partial(layers.Conv1D(2, 3, padding="causal", dilation_rate=2).explain, (None, 9, 1))
    yield partial(layers.Conv2D(2, (3, 5), strides=2, padding="same").explain, (None, 9, 12, 1))
    yield partial(layers.Conv3D(2, 3, padding="same").explain, (None, 8, 8, 9, 1))
    yield partial(layers.Conv2DTranspose(2, 5, strides=2, padding="same").explain, (None, 7, 7, 1))
    yield partial(layers.MaxPooling2D(3, strides=2).explain, (None, 25, 24, 3))
    yield partial(layers.AveragePooling1D(2).explain, (None, 9, 3))
    yield dcgan_generator(
        SimpleNamespace(Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers)
    ).explain


def _explanations() -> list[cs.Explanation]:
    made = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        for call in _calls():
            try:
                made.append(call())
            except (cs.ConvShapeError, TypeError):  # refused: tests/test_explain_frameworks.py
                continue
    return made


@pytest.fixture(scope="module")
def explanations() -> list[cs.Explanation]:
    return _explanations()


def _all(explanation: cs.Explanation) -> Iterator[cs.Explanation]:
    yield explanation
    for part in explanation.parts:
        yield from _all(part)


#: Counts of one written as plurals, and plurals hedged with "(s)".
BAD_COUNTS = re.compile(
    r"\(s\)|(?<![\d.])1 (zeros|elements|positions|padding positions|input elements|weights)\b"
)
#: Names from convshape's inside that mean nothing to a user.
INTERNAL = re.compile(r"\b(Pad\(|before=|after=|figure|taps?|bars?|k_eff_|crop\.)")


def test_the_grid_covers_every_kind(explanations: list[cs.Explanation]) -> None:
    titles = " ".join(e.title for e in explanations)
    for heading in ("(Keras/TensorFlow)", "(PyTorch)", "(JAX)", "(ONNX)", "Max pooling"):
        assert heading in titles
    assert "Average pooling" in titles
    assert 'Model "' in titles
    assert len(explanations) > 2000


def test_counts_are_written_as_words(explanations: list[cs.Explanation]) -> None:
    bad = sorted({found.group() for e in explanations for found in BAD_COUNTS.finditer(str(e))})
    assert bad == []
    seen = str(cs.explain_conv(12, 3, 2, 1, framework="torch"))
    assert "padding=1: 1 zero on each side." in seen


def test_no_internal_names(explanations: list[cs.Explanation]) -> None:
    bad = sorted({found.group() for e in explanations for found in INTERNAL.finditer(str(e))})
    assert bad == []


def test_steps_are_sentences_said_once(explanations: list[cs.Explanation]) -> None:
    wrong = []
    for explanation in explanations:
        for part in _all(explanation):
            sentences = [*part.steps, *part.notes]
            if part.parts:  # a layer or model lists its parts' titles as its steps
                continue
            wrong += [f"{part.title}: {s!r}" for s in sentences if not s.endswith(".")]
            if len(set(sentences)) != len(sentences):
                wrong.append(f"{part.title}: a sentence said twice")
    assert wrong == []


def test_padding_notes_only_where_there_is_padding() -> None:
    unpadded = cs.explain_pool(8, 2)
    assert unpadded.notes == ()
    padded = cs.explain_pool(9, 2, padding="same")
    assert padded.notes == ("Padding positions never win the max.",)
    overhang = cs.explain_pool(8, 3, 2, 0, framework="torch", ceil_mode=True)
    assert overhang.notes == ("Positions past the end never win the max.",)
    both = cs.explain_pool(8, 3, 2, 1, framework="torch", ceil_mode=True)
    assert both.notes == ("Padding positions and positions past the end never win the max.",)


def test_words_a_newcomer_reads() -> None:
    """The wording chosen for the cases that read badly before."""
    dilated = cs.explain_conv(10, 3, 1, "causal", 2)
    assert dilated.steps[0] == (
        "Kernel span: k_eff = (k - 1) * d + 1 = (3 - 1) * 2 + 1 = 5 positions (3 weights, 2 apart)."
    )
    removed = cs.explain_conv(13, 6, 5, (-1, 2), framework="jax")
    assert (
        removed.steps[1] == "(low, high) = (-1, 2): 1 input element removed before, 2 zeros after."
    )
    assert removed.steps[2] == "Padded input: 13 + (-1) + 2 = 14."
    nothing = cs.explain_conv_transpose(7, 3, 2, "valid")
    assert nothing.steps[3] == "Crop: 15 - 15 = 0: nothing is removed."
    assert nothing.notes[0].startswith("It is the transpose of a convolution without padding")
    appended = cs.explain_conv_transpose(4, 3, 2, "valid", 1)
    assert (
        appended.steps[3] == "Crop: 9 - 10 = -1: 0 removed before, and 1 zero appended at the end."
    )
    explicit = cs.explain_conv_transpose(7, 3, 2, (1, 2), 1)
    assert explicit.steps[2] == (
        "Padding (1, 2) is the crop: 1 before, 2 after; output_padding 1 gives 1 position back "
        "at the end."
    )
    uneven = cs.explain_conv_transpose(7, 5, 2, "same")
    assert uneven.notes[0].startswith("The crop is uneven (1 before, 2 after), so no symmetric")
    assert uneven.notes[1].endswith("then drop the last 1 element.")
    lax = cs.explain_conv_transpose(7, 5, 2, (4, 1), framework="jax")
    assert lax.notes == (
        "The diagram shows the same result as a crop of the full output: low = 4 removes "
        "nothing at the start, high = 1 removes k_eff - 1 - 1 = 3 positions at the end.",
    )
    assert lax.diagram[2].endswith("12 13 14  x  x  x")


class _Dimension:
    """An integer that is not an int, as NumPy's int64 or a tensor's dimension is."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value


numbers.Integral.register(_Dimension)


def test_integers_of_other_types_explain_as_ints() -> None:
    """``explain_*(np.int64(7), ...)`` raised AttributeError ('bit_length') while every
    other function took NumPy's integers; they explain exactly as Python's ints."""

    def d(value: int) -> Any:
        return _Dimension(value)

    pairs = [
        (
            cs.explain_conv_transpose(d(7), d(5), d(2), "same"),
            cs.explain_conv_transpose(7, 5, 2, "same"),
        ),
        (
            cs.explain_conv_transpose(d(7), 3, 2, (d(1), d(2)), d(1), framework="keras"),
            cs.explain_conv_transpose(7, 3, 2, (1, 2), 1, framework="keras"),
        ),
        (
            cs.explain_conv(d(13), d(6), d(5), "SAME_LOWER", framework="onnx"),
            cs.explain_conv(13, 6, 5, "SAME_LOWER", framework="onnx"),
        ),
        (
            cs.explain_pool(d(8), d(3), d(2), d(1), framework="torch", ceil_mode=True),
            cs.explain_pool(8, 3, 2, 1, framework="torch", ceil_mode=True),
        ),
    ]
    pad = cs.Pad(1, 2)
    assert cs.explain_conv_transpose(7, 3, 2, pad).steps == (
        cs.explain_conv_transpose(7, 3, 2, (1, 2)).steps
    )
    for other, plain in pairs:
        assert str(other) == str(plain)
        assert other.title == plain.title
    with pytest.raises(TypeError, match=r"`size` must be an int, not bool"):
        cs.explain_conv(True, 3)  # the refusal under test

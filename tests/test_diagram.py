"""Explanation diagrams, text and SVG, against what the arithmetic says.

The text diagram is read back as a person reads it (the labels of the first row, the '='
under them on each window or kernel copy line, the '^' marks) and the SVG is parsed as XML
and its cells counted by kind; both are compared, over grids, with the windows and kernel
copies enumerated one tap at a time from the definitions:

- a forward window ``j`` reads the padded positions ``j * s + t * d`` (``t < k``), the
  input starting after ``before`` padding positions (a negative ``before`` removes inputs);
- a transposed convolution's input ``i`` adds its kernel to the full output at
  ``i * s + t * d``, and the crop keeps ``before <= x < full - after``.

tests/test_diagram_frameworks.py checks the same readings against real frameworks.
"""

from __future__ import annotations

import itertools
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from convshape._svg import figure_svg
from convshape.torch import functional as ptf
from tests.zoo import dcgan_generator

SVG = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------------------------------
# Reading a text diagram back


@dataclass
class Reading:
    """A text diagram as read: the first row's labels, the other rows' label at the same
    columns, and each bar's marks ('=' read or written, '.' skipped) under them."""

    ruler: list[str]
    rows: dict[str, list[str]]
    bars: dict[int, list[str]]
    key: str
    #: How many windows or kernel copies the diagram says it leaves out.
    left_out: int

    def under(self, bar: int, mark: str = "=") -> list[str]:
        """The first row's labels over the ``mark`` of bar ``bar`` (1-based), in order."""
        return [label for label, m in zip(self.ruler, self.bars[bar], strict=True) if m == mark]

    def marked(self, row: str) -> list[str]:
        """The labels of the row above the '^' marks (the output row when transposed)."""
        above = self.rows.get("output", self.ruler)
        return [label for label, m in zip(above, self.rows.get(row, []), strict=False) if m]


LABEL = re.compile(r"^([a-z]+(?: [a-z]+)?)(?: (\d+))?:")


def read(diagram: tuple[str, ...]) -> Reading:
    lines = list(diagram)
    assert lines[-1].startswith("Key: ") or lines[-2].startswith("Key: "), lines
    first_key = next(i for i, line in enumerate(lines) if line.startswith("Key: "))
    key = " ".join(line.strip() for line in lines[first_key:])
    labelled = [(LABEL.match(line), line) for line in lines]
    first = next(
        line
        for match, line in labelled
        if match and match.group(1) in ("input", "full output") and not match.group(2)
    )
    start = first.index(":") + 1
    tokens = [(m.group(), m.end() - 1) for m in re.finditer(r"\S+", first[start:])]
    columns = [start + end for _, end in tokens]
    assert "..." not in [token for token, _ in tokens], "an elided diagram cannot be read whole"

    def at(line: str) -> list[str]:
        return [line[c] if c < len(line) and line[c] != " " else "" for c in columns]

    def word_at(line: str) -> list[str]:
        found = {start + m.end() - 1: m.group() for m in re.finditer(r"\S+", line[start:])}
        return [found.get(c, "") for c in columns]

    rows, bars = {}, {}
    for match, line in labelled:
        if not match or line == first:
            continue
        name, number = match.group(1), match.group(2)
        if number is not None:
            bars[int(number)] = at(line)
        else:
            rows[name] = word_at(line) if name == "output" else at(line)
    more = [re.search(r"\.\.\. (\d+) more", line) for line in lines]
    left_out = sum(int(found.group(1)) for found in more if found)
    return Reading([token for token, _ in tokens], rows, bars, key, left_out)


# ---------------------------------------------------------------------------------------
# What the arithmetic says


@dataclass(frozen=True)
class Forward:
    size: int
    kernel: int
    stride: int
    dilation: int
    before: int
    after: int
    count: int

    def window(self, j: int) -> list[int]:
        return [j * self.stride + t * self.dilation - self.before for t in range(self.kernel)]

    def read(self) -> set[int]:
        return {x for j in range(self.count) for x in self.window(j)}

    def label(self, x: int) -> str:
        if x < 0:
            return "p"
        if x >= self.size:
            return "p" if x < self.size + self.after else "-"
        removed = x < -self.before or x >= self.size + self.after
        return "x" if removed else str(x + 1)

    def positions(self) -> range:
        first = min(0, -self.before)
        return range(first, max(self.size, self.size + self.after, max(self.read()) + 1))

    def kept(self) -> list[int]:
        return [x for x in range(self.size) if self.label(x) == str(x + 1)]


@dataclass(frozen=True)
class Transposed:
    size: int
    kernel: int
    stride: int
    dilation: int
    before: int
    after: int
    #: Zeros appended to the full output before the crop (PyTorch's and ONNX's
    #: output_padding, as their explanations say).
    appended: int = 0

    @property
    def full(self) -> int:
        return (self.size - 1) * self.stride + (self.kernel - 1) * self.dilation + 1

    @property
    def extended(self) -> int:
        return self.full + self.appended

    def copy(self, i: int) -> list[int]:
        return [i * self.stride + t * self.dilation for t in range(self.kernel)]

    def reached(self) -> set[int]:
        return {x for i in range(self.size) for x in self.copy(i)}

    def positions(self) -> range:
        return range(min(0, self.before), max(self.extended, self.extended - self.after))

    def kept(self) -> range:
        return range(self.before, self.extended - self.after)


Case = tuple[str, Callable[[], cs.Explanation], Forward | Transposed]


def _forward_cases() -> Iterator[Case]:
    for size, k, s, d in itertools.product((1, 2, 5, 8), (1, 2, 3, 4), (1, 2, 3, 5), (1, 2)):
        paddings: tuple[Any, ...] = ("valid", "same", "causal", "full", 1, (2, 0), (0, 3))
        for padding in paddings:
            try:
                length = cs.conv_output_length(size, k, s, padding, d)
                pad = cs.conv_padding(size, k, s, padding, d)
            except cs.ConvShapeError:
                continue
            assert length is not None
            yield (
                f"conv {size} {k} {s} {padding} {d}",
                partial(cs.explain_conv, size, k, s, padding, d),
                Forward(size, k, s, d, *pad, length),
            )
        for padding in ((-1, 0), (0, -2), (2, -1), "SAME_LOWER"):
            try:
                jax_length = cs.jax.conv_output_length(size, k, s, padding, 1, d)
            except cs.ConvShapeError:
                continue
            if not jax_length:
                continue
            pad = cs.jax.conv_padding(size, k, s, padding, d)
            yield (
                f"jax conv {size} {k} {s} {padding} {d}",
                partial(cs.explain_conv, size, k, s, padding, d, framework="jax"),
                Forward(size, k, s, d, *pad, jax_length),
            )
        for auto_pad, ceil in itertools.product(("SAME_LOWER", "SAME_UPPER"), (False, True)):
            try:
                onnx_pooled = cs.onnx.pool_output_length(size, k, s, auto_pad, (0, 0), d, ceil)
            except cs.ConvShapeError:
                continue
            if not onnx_pooled:
                continue
            explained = cs.explain_pool(
                size, k, s, auto_pad, framework="onnx", ceil_mode=ceil, dilation=d
            )
            assert explained.figure is not None  # its padding: ONNX's rule, checked elsewhere
            before, after = explained.figure.before, explained.figure.after
            yield (
                f"onnx pool {size} {k} {s} {auto_pad} {d} ceil_mode={ceil}",
                partial(
                    cs.explain_pool,
                    size,
                    k,
                    s,
                    auto_pad,
                    framework="onnx",
                    ceil_mode=ceil,
                    dilation=d,
                ),
                Forward(size, k, s, d, before, after, onnx_pooled),
            )
        for p, ceil in itertools.product((0, 1, 2), (False, True)):
            if 2 * p > k:
                continue
            try:
                pooled = ptf.pool_output_length(size, k, s, p, d, ceil)
            except cs.ConvShapeError:
                continue
            assert pooled is not None
            yield (
                f"torch pool {size} {k} {s} {p} {d} ceil_mode={ceil}",
                partial(
                    cs.explain_pool, size, k, s, p, framework="torch", ceil_mode=ceil, dilation=d
                ),
                Forward(size, k, s, d, p, p, pooled),
            )


def _transposed_cases() -> Iterator[Case]:
    for size, k, s, d in itertools.product((1, 2, 5), (1, 2, 3, 4), (1, 2, 3, 5), (1, 2)):
        modes: tuple[Any, ...] = ("valid", "same", "full", 1)
        for padding, op in itertools.product(modes, (None, 0, 1)):
            try:
                length = cs.conv_transpose_output_length(size, k, s, padding, op, d)
                crop = cs.conv_transpose_crop(size, k, s, padding, op, d)
            except cs.ConvShapeError:
                continue
            if not length:
                continue
            yield (
                f"transpose {size} {k} {s} {padding} {op} {d}",
                partial(cs.explain_conv_transpose, size, k, s, padding, op, d),
                Transposed(size, k, s, d, *crop),
            )
        for p, op in itertools.product((0, 1, 2), (0, 1)):
            try:
                torch_length = ptf.conv_transpose_output_length(size, k, s, p, op, d)
            except cs.ConvShapeError:
                continue
            what = Transposed(size, k, s, d, p, p, op)
            assert torch_length == len(what.kept())
            yield (
                f"torch transpose {size} {k} {s} {p} {op} {d}",
                partial(cs.explain_conv_transpose, size, k, s, p, op, d, framework="torch"),
                what,
            )
        for auto_pad, pads, op in itertools.product(
            ("SAME_LOWER", "SAME_UPPER", "NOTSET"), ((1, 2),), (0, 1)
        ):
            try:
                onnx_length = cs.onnx.conv_transpose_output_length(
                    size, k, s, auto_pad, pads, op, d
                )
            except cs.ConvShapeError:
                continue
            if not onnx_length:
                continue
            begin, end = cs.onnx.conv_transpose_pads(size, k, s, auto_pad, pads, op, d)
            padding = pads if auto_pad == "NOTSET" else auto_pad
            yield (
                f"onnx transpose {size} {k} {s} {padding} {op} {d}",
                partial(cs.explain_conv_transpose, size, k, s, padding, op, d, framework="onnx"),
                Transposed(size, k, s, d, begin, end, op),
            )
        for padding in ("SAME", "VALID", (4, 1), (0, 5)):
            try:
                lax_length = cs.jax.conv_transpose_output_length(size, k, s, padding, d)
            except cs.ConvShapeError:
                continue
            if not lax_length:
                continue
            crop = cs.jax.conv_transpose_crop(size, k, s, padding, d)
            yield (
                f"jax transpose {size} {k} {s} {padding} {d}",
                partial(cs.explain_conv_transpose, size, k, s, padding, None, d, framework="jax"),
                Transposed(size, k, s, d, *crop),
            )


def _quiet(explain: Callable[[], cs.Explanation]) -> Callable[[], cs.Explanation]:
    """The explanation without Keras's warning that TensorFlow rejects the length
    (tests/test_explain_check.py has it): the diagram is the point here."""

    def quiet() -> cs.Explanation:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cs.ConvShapeWarning)
            return explain()

    return quiet


def _cases() -> list[Case]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        cases = [*_forward_cases(), *_transposed_cases()]
    return [(shown, _quiet(explain), what) for shown, explain, what in cases]


CASES = _cases()


def test_the_grid_has_every_kind_of_case() -> None:
    """Dilation, stride above the kernel, odd 'same', zeros added after and before, 'full',
    'causal', ceil_mode reaching past the padding, negative padding."""
    shapes: Counter[str] = Counter()
    for _, _, what in CASES:
        if isinstance(what, Forward):
            labels = Counter(what.label(x) for x in what.positions())
            shapes["dilation"] += what.dilation > 1
            shapes["never read"] += bool(set(what.kept()) - what.read())
            shapes["past the end"] += labels["-"] > 0
            shapes["removed"] += labels["x"] > 0
            shapes["odd padding"] += (what.before + what.after) % 2 == 1 and what.before >= 0
        else:
            shapes["zeros after"] += what.after < 0
            shapes["zeros before"] += what.before < 0
            shapes["cropped"] += what.before > 0 or what.after > 0
            shapes["no input"] += bool(set(what.kept()) - what.reached())
    assert len(CASES) > 1500
    assert min(shapes.values()) > 5, shapes


def _check_forward(reading: Reading, what: Forward) -> list[str]:
    wrong = []
    expected = [what.label(x) for x in what.positions()]
    if reading.ruler != expected:
        wrong.append(f"first row {reading.ruler} != {expected}")
    if not set(reading.bars) <= set(range(1, what.count + 1)) or (
        len(reading.bars) + reading.left_out != what.count
    ):
        wrong.append(f"windows {sorted(reading.bars)}, {reading.left_out} more != {what.count}")
    for j in range(what.count):
        if j + 1 in reading.bars and reading.under(j + 1) != [
            what.label(x) for x in what.window(j)
        ]:
            wrong.append(f"window {j + 1} reads {reading.under(j + 1)}")
    unread = [str(x + 1) for x in what.kept() if x not in what.read()]
    if reading.marked("never read") != unread:
        wrong.append(f"never read {reading.marked('never read')} != {unread}")
    return wrong


def _check_transposed(reading: Reading, what: Transposed) -> list[str]:
    wrong = []
    positions = what.positions()
    ruler = [str(x + 1) if 0 <= x < what.full else "+" for x in positions]
    output = [str(x - what.before + 1) if x in what.kept() else "x" for x in positions]
    if reading.ruler != ruler:
        wrong.append(f"full output row {reading.ruler} != {ruler}")
    if reading.rows.get("output") != output:
        wrong.append(f"output row {reading.rows.get('output')} != {output}")
    if not set(reading.bars) <= set(range(1, what.size + 1)) or (
        len(reading.bars) + reading.left_out != what.size
    ):
        wrong.append(f"copies {sorted(reading.bars)}, {reading.left_out} more != {what.size}")
    for i in range(what.size):
        if i + 1 in reading.bars and reading.under(i + 1) != [str(x + 1) for x in what.copy(i)]:
            wrong.append(f"input {i + 1} lands on {reading.under(i + 1)}")
    silent = [str(x - what.before + 1) for x in what.kept() if x not in what.reached()]
    if reading.marked("no input") != silent:
        wrong.append(f"no input {reading.marked('no input')} != {silent}")
    return wrong


def test_text_diagrams_draw_what_the_arithmetic_says() -> None:
    mismatches, checked = [], 0
    for shown, explain, what in CASES:
        diagram = explain().diagram
        if " ... " in diagram[1]:  # elided: tests below check long lengths
            continue
        checked += 1
        reading = read(diagram)
        if isinstance(what, Forward):
            wrong = _check_forward(reading, what)
        else:
            wrong = _check_transposed(reading, what)
        mismatches += [f"{shown}: {w}" for w in wrong]
    assert mismatches == []
    assert checked > 0.9 * len(CASES)


def test_a_misdrawn_diagram_is_caught() -> None:
    """The reading above sees a window moved by one position, and a missing mark."""
    explanation = cs.explain_conv(5, 1, 2)
    what = Forward(5, 1, 2, 1, 0, 0, 3)
    assert _check_forward(read(explanation.diagram), what) == []
    lines = list(explanation.diagram)
    moved = [line.replace("[", "   [") if line.startswith("output 2:") else line for line in lines]
    assert moved != lines
    assert _check_forward(read(tuple(moved)), what)
    unmarked = [line for line in lines if not line.startswith("never read")]
    assert _check_forward(read(tuple(unmarked)), what)


# ---------------------------------------------------------------------------------------
# The text: labels, symbols, key, width


def test_rows_say_what_they_hold_and_the_key_says_what_marks_mean() -> None:
    conv = cs.explain_conv(10, 1, 3, "same").diagram
    assert conv == (
        "The window of each output position over the input:",
        "input:       1  2  3  4  5  6  7  8  9 10",
        "never read:     ^  ^     ^  ^     ^  ^",
        "output 1:   [=]",
        "output 2:            [=]",
        "output 3:                     [=]",
        "output 4:                              [=]",
        "Key: [===] what one window reads; ^ never read",
    )
    transposed = cs.explain_conv_transpose(7, 5, 2, "same").diagram
    assert transposed[1:3] == (
        "full output:  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17",
        "output:       x  1  2  3  4  5  6  7  8  9 10 11 12 13 14  x  x",
    )
    assert transposed[-1] == "Key: x cropped; [===] one input's kernel copy"
    appended = cs.explain_conv_transpose(4, 1, 3, "same").diagram
    assert appended[1:4] == (
        "full output:  1  2  3  4  5  6  7  8  9 10  +  +",
        "output:       1  2  3  4  5  6  7  8  9 10 11 12",
        "no input:        ^  ^     ^  ^     ^  ^     ^  ^",
    )
    assert appended[-1] == "Key: + zero added; [===] one input's kernel copy; ^ no input lands here"
    dilated = cs.explain_conv(6, 2, 1, "causal", 3).diagram
    assert dilated[1:3] == ("input:       p  p  p  1  2  3  4  5  6", "output 1:   [==......==]")
    assert dilated[-1] == "Key: p zero padding; [===] what one window reads, . skipped (dilation)"
    pool = cs.explain_pool(5, 2, 2, 1, framework="torch", ceil_mode=True).diagram
    assert pool[1] == "input:       p  1  2  3  4  5  p"
    past = cs.explain_pool(8, 3, 2, 1, framework="torch", ceil_mode=True).diagram
    assert past[1] == "input:       p  1  2  3  4  5  6  7  8  p  -"
    assert past[-1] == "Key: p padding; - past the end (ceil_mode); [===] what one window reads"
    removed = cs.explain_conv(6, 2, 2, (-1, 0), framework="jax").diagram
    assert removed[1] == "input:       x  2  3  4  5  6"


LONG = [
    lambda: cs.explain_conv(28, 5, 2, "same"),
    lambda: cs.explain_conv(1000, 7, 3, "valid"),
    lambda: cs.explain_conv(100, 3, 5, "same"),
    lambda: cs.explain_conv(10**6, 3, 2, "full", 3),
    lambda: cs.explain_conv(10**9, 10**8, stride=3, padding="same"),
    lambda: cs.explain_conv_transpose(64, 4, 2, "same"),
    lambda: cs.explain_conv_transpose(10**9, 3, stride=2, padding="same"),
    lambda: cs.explain_conv_transpose(500, 1, 7, "same"),
    lambda: cs.explain_pool(999, 3, 2, 1, framework="torch", ceil_mode=True),
    lambda: layers.Conv1D(1, 9, dilation_rate=4).explain((None, 300, 1)).parts[0],
]


@pytest.mark.parametrize("explain", LONG, ids=range(len(LONG)))
def test_long_lengths_are_elided_within_80_columns(explain: Callable[[], Any]) -> None:
    diagram = explain().diagram
    assert max(map(len, diagram)) <= 80, "\n".join(diagram)
    first = diagram[1].split(":")[1]
    assert " ... " in first
    assert first.split()[0] in ("1", "p")  # the start is drawn
    assert first.split()[-1] in ("p", "-", "x", "+", str(explain().figure.stop))  # and the end
    assert sum(line.startswith("Key: ") for line in diagram) == 1
    assert "more" in "".join(diagram)  # the windows or copies left out are counted


def test_elision_keeps_both_ends_and_their_windows() -> None:
    diagram = cs.explain_conv(28, 5, 2, "same").diagram
    assert diagram[1] == "input:       p  1  2  3  4  5  6  7  8  ... 22 23 24 25 26 27 28  p  p"
    assert diagram[2:9] == (
        "output 1:   [=============]",
        "output 2:         [=============]",
        "output 3:               [=============]",
        "            ... 8 more windows not drawn ...",
        "output 12:                                  [=============]",
        "output 13:                                        [=============]",
        "output 14:                                              [=============]",
    )
    assert diagram[-1] == "Key: p zero padding; [===] what one window reads; ... left out"


def test_nested_diagrams_fit_80_columns() -> None:
    """A model indents its layers' axes by 4 columns: their diagrams still fit."""
    model = dcgan_generator(
        SimpleNamespace(Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers)
    ).explain()
    drawn = [
        line
        for line in str(model).splitlines()
        if line.strip().split(":")[0] in ("full output", "output", "input", "Key")
        or line.strip().startswith(("input ", "output ", "..."))
    ]
    assert len(drawn) > 20
    assert max(map(len, drawn)) <= 80


def test_every_text_diagram_fits_80_columns() -> None:
    wide = [shown for shown, explain, _ in CASES if max(map(len, explain().diagram)) > 80]
    assert wide == []


# ---------------------------------------------------------------------------------------
# SVG


def _svg(explanation: cs.Explanation) -> ET.Element:
    assert explanation.figure is not None
    return ET.fromstring(figure_svg(explanation.figure))


def _cells(root: ET.Element) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if classes[:1] == ["cell"]:
            counts[group.get("data-row", ""), classes[1]] += 1
            if "unread" in classes:
                counts[group.get("data-row", ""), "unread"] += 1
    return counts


def _bars(root: ET.Element, kind: str) -> dict[int, list[int]]:
    return {
        int(group.get("data-index", "0")): [
            int(tap.get("data-position", "")) for tap in group.iter(f"{SVG}rect")
        ]
        for group in root.iter(f"{SVG}g")
        if group.get("class") == kind
    }


def _expected_cells(what: Forward | Transposed) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    if isinstance(what, Forward):
        names = {"p": "pad", "-": "past", "x": "crop"}
        for x in what.positions():
            expected["input", names.get(what.label(x), "input")] += 1
        expected["input", "unread"] = len(set(what.kept()) - what.read())
    else:
        for x in what.positions():
            expected["full", "full" if 0 <= x < what.full else "zero"] += 1
            inside = 0 <= x < what.full
            expected[
                "output", ("output" if inside else "zero") if x in what.kept() else "crop"
            ] += 1
        expected["output", "unread"] = len(set(what.kept()) - what.reached())
    return +expected


def test_svg_draws_what_the_arithmetic_says() -> None:
    mismatches = []
    for shown, explain, what in CASES:
        root = _svg(explain())
        cells = _cells(root)
        if cells != _expected_cells(what):
            mismatches.append(f"{shown}: cells {dict(cells)} != {dict(_expected_cells(what))}")
        if isinstance(what, Forward):
            bars = _bars(root, "window")
            expected = {j + 1: what.window(j) for j in range(what.count)}
        else:
            bars = _bars(root, "copy")
            expected = {i + 1: what.copy(i) for i in range(what.size)}
        drawn = {index: expected[index] for index in bars if index in expected}
        text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        more = re.search(r"… (\d+) more", text)
        left_out = int(more.group(1)) if more else 0
        if bars != drawn or len(bars) + left_out != len(expected):
            mismatches.append(f"{shown}: bars {bars}, {left_out} more != {expected}")
    assert mismatches == []


def test_svg_is_monospace_labelled_and_bounded() -> None:
    small = _svg(cs.explain_conv(10, 1, 3, "same"))
    assert "monospace" in small.get("font-family", "")
    assert small.get("font-family", "").startswith("ui-monospace")
    legend = [
        text.text
        for entry in small.iter(f"{SVG}g")
        if entry.get("class", "").startswith("legend-entry")
        for text in entry.iter(f"{SVG}text")
    ]
    assert legend == ["input position", "what one window reads", "never read"]
    for huge in (
        cs.explain_conv(10**9, 3, 2, "same"),
        cs.explain_conv_transpose(10**6, 4, 2, "same"),
        cs.explain_conv(300, 9, 1, "same", 4),
    ):
        root = _svg(huge)
        assert float(root.get("width", "0")) < 1400
        assert float(root.get("height", "0")) < 600
        assert sum(_cells(root)[key] for key in _cells(root) if key[1] != "unread") <= 66
        assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "elision"]


def test_html_shows_the_steps_and_the_svg() -> None:
    page = cs.explain_conv_transpose(7, 5, 2, "same")._repr_html_()
    assert "<li>Crop: 17 - 14 = 3 elements; &#x27;same&#x27; removes" in page
    assert page.count("<svg") == 1
    assert "full output:" not in page  # the SVG replaces the text diagram
    model = layers.Conv2DTranspose(1, 5, strides=(2, 3), padding="same")
    nested = model.explain((None, 7, 5, 3))._repr_html_()
    assert nested.count("<svg") == 2
    ET.fromstring(f"<div>{nested.replace('&#x27;', '&apos;')}</div>")

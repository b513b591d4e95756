"""What an explanation's diagram shows, one axis: the positions, what each holds, and which
positions each window reads (forward) or each input's kernel copy reaches (transposed).

A :class:`Figure` is data; :func:`ascii_lines` draws it for a terminal and
``convshape._svg`` for notebooks. Both draw only the positions they show (the two ends of a
long axis), so a huge size costs no more than a small one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd

from ._core import effective_kernel, full_transposed_length

#: The width a terminal diagram keeps within: 80 columns with room for the indentation of
#: a model's layer's axis (4 columns).
COLUMNS = 76
#: At most this many window (or kernel copy) lines; more are drawn as both ends.
MAX_BARS = 8


def reaches(x: int, stride: int, dilation: int, kernel: int, count: int) -> bool:
    """Whether ``x == i * stride + t * dilation`` for some ``0 <= i < count`` and
    ``0 <= t < kernel``: window (or input) ``i`` reaches position ``x``.

    Solved as a congruence on ``t``, so a huge kernel costs nothing.

    >>> [x for x in range(10) if reaches(x, 3, 1, 1, 3)]
    [0, 3, 6]
    >>> [x for x in range(10) if reaches(x, 2, 2, 3, 2)]
    [0, 2, 4, 6]
    """
    if x < 0 or count <= 0:
        return False
    low = max(0, -((x - (count - 1) * stride) // -dilation) if x > (count - 1) * stride else 0)
    high = min(kernel - 1, x // dilation)
    if low > high:
        return False
    common = gcd(dilation, stride)
    if x % common:
        return False
    modulus = stride // common
    first = (x // common) * pow(dilation // common, -1, modulus) % modulus if modulus > 1 else 0
    t = low + (first - low) % modulus
    return t <= high


@dataclass(frozen=True)
class Figure:
    """One axis of a forward window (``transposed`` False) or a transposed convolution.

    Positions are numbered from 0 at the first input element (forward) or at the first
    element of the full output (transposed); negative positions lie before it.

    - forward: ``size`` inputs, ``before``/``after`` padding (negative removes input
      elements), ``count`` windows, the first starting at ``-before``; ``pool`` says the
      padding is not zeros.
    - transposed: ``size`` inputs, each spreading ``kernel`` taps from ``i * stride``; the
      full output, with ``appended`` zeros at its end (PyTorch's and ONNX's
      output_padding), is cropped by ``before``/``after`` (negative adds zeros).
    """

    transposed: bool
    size: int
    kernel: int
    stride: int
    dilation: int
    before: int
    after: int
    count: int
    pool: bool = False
    appended: int = 0

    @property
    def k_eff(self) -> int:
        return effective_kernel(self.kernel, self.dilation)

    @property
    def full(self) -> int:
        """The full output's length (transposed)."""
        return full_transposed_length(self.size, self.k_eff, self.stride)

    @property
    def extended(self) -> int:
        """The full output with the zeros appended before the crop (transposed)."""
        return self.full + self.appended

    def added(self, x: int) -> bool:
        """Whether position ``x`` is a zero added to the full output (transposed)."""
        return self.transposed and not 0 <= x < self.full

    @property
    def origin(self) -> int:
        """Where the first window or kernel copy starts."""
        return 0 if self.transposed else -self.before

    @property
    def start(self) -> int:
        return min(0, self.before) if self.transposed else min(0, -self.before)

    @property
    def stop(self) -> int:
        if self.transposed:
            return max(self.extended, self.extended - self.after)
        # The windows' reach, (count - 1) * s + k_eff: the transposed rule's full length.
        last = self.origin + full_transposed_length(self.count, self.k_eff, self.stride)
        return max(self.size, self.size + self.after, last)

    @property
    def bars(self) -> int:
        """How many windows (forward) or kernel copies (transposed) there are."""
        return self.size if self.transposed else self.count

    def kind(self, x: int) -> str:
        """What position ``x`` holds.

        forward: "input", "pad" (padding), "past" (past the padded input, where only a
        ceil_mode window reaches), "crop" (an input element a negative padding removes).
        transposed: "output" (kept), "crop" (removed), "zero" (an added zero, kept).
        """
        if self.transposed:
            if self.before <= x < self.extended - self.after:
                return "zero" if self.added(x) else "output"
            return "crop"
        if x < 0:
            return "pad"
        if x < self.size:
            return "crop" if x < -self.before or x >= self.size + self.after else "input"
        return "pad" if x < self.size + self.after else "past"

    def hit(self, x: int) -> bool:
        """Whether some window reads position ``x`` (forward), or some input's kernel copy
        reaches it (transposed)."""
        return reaches(x - self.origin, self.stride, self.dilation, self.kernel, self.bars)

    def unread(self, x: int) -> bool:
        """An input no window reads (forward), an output no input reaches (transposed)."""
        wanted = "output" if self.transposed else "input"
        return self.kind(x) in (wanted, "zero") and not self.hit(x)

    def label(self, x: int) -> str:
        """The text of position ``x`` on the first row (the input, or the full output)."""
        if self.transposed:
            return str(x + 1) if 0 <= x < self.full else "+"
        kind = self.kind(x)
        return {"pad": "p", "past": "-", "crop": "x"}.get(kind, str(x + 1))

    def output_label(self, x: int) -> str:
        """The text of position ``x`` on a transposed convolution's output row."""
        return "x" if self.kind(x) == "crop" else str(x - self.before + 1)

    def first_tap(self, bar: int) -> int:
        return self.origin + bar * self.stride

    def taps(self, bar: int, x: int) -> bool:
        """Whether window or kernel copy ``bar`` reads or writes position ``x``."""
        offset = x - self.first_tap(bar)
        return 0 <= offset < self.k_eff and offset % self.dilation == 0


def shown(start: int, stop: int, cells: int) -> list[int | None]:
    """The positions drawn: all of them, or both ends (``cells`` in all, the elided middle
    as None)."""
    if stop - start <= cells:
        return list(range(start, stop))
    edge = max((cells - 1) // 2, 1)
    return [*range(start, start + edge), None, *range(stop - edge, stop)]


def drawable(figure: Figure, cells: list[int | None]) -> list[int]:
    """The windows (or kernel copies) lying wholly on one side of an elision, in order;
    only those starting at a drawn position are looked at."""
    segments: list[list[int]] = [[]]
    for x in cells:
        if x is None:
            segments.append([])
        else:
            segments[-1].append(x)
    found = []
    for segment in segments:
        if not segment:
            continue
        low, high = segment[0], segment[-1]
        for x in segment:
            offset = x - figure.origin
            if offset % figure.stride or not 0 <= offset // figure.stride < figure.bars:
                continue
            if x + figure.k_eff - 1 <= high and x >= low:
                found.append(offset // figure.stride)
    return found


def trimmed(bars: list[int], limit: int = MAX_BARS) -> list[int | None]:
    """At most ``limit`` bars: both ends, None where the others are left out (never to
    leave out only one or two)."""
    if len(bars) <= limit + 2:
        return list(bars)
    half = limit // 2
    return [*bars[:half], None, *bars[-half:]]


def what_bars_are(figure: Figure) -> tuple[str, str]:
    """The bars' name, singular and plural."""
    return ("kernel copy", "kernel copies") if figure.transposed else ("window", "windows")


def ascii_lines(figure: Figure) -> tuple[str, ...]:
    """The figure as lines of at most :data:`COLUMNS` characters (unless its numbers alone
    are wider), with a caption above and a key below."""
    if figure.transposed:
        rows = [("full output", figure.label), ("output", figure.output_label)]
        bar_name, marker = "input", "no input"
    else:
        rows = [("input", figure.label)]
        bar_name, marker = "output", "never read"
    names = [name for name, _ in rows] + [marker, f"{bar_name} {max(figure.bars, 1)}"]
    label_width = max(map(len, names)) + 2
    width = max(3, len(str(max(figure.stop, -figure.start))) + 1)
    gap = max(width, len(ELISION))
    cells = shown(figure.start, figure.stop, (COLUMNS - label_width - gap) // width + 1)

    def line(label: str, text: Callable[[int], str], elision: str) -> str:
        drawn = (elision.center(gap) if x is None else text(x) for x in cells)
        return (f"{label}:".ljust(label_width) + "".join(drawn)).rstrip()

    lines = [line(name, _cells(text, width), ELISION) for name, text in rows]
    marked = [x is not None and figure.unread(x) for x in cells]
    if any(marked):
        lines.append(line(marker, lambda x: _cell("^" if figure.unread(x) else "", width), ""))
    drawn = trimmed(drawable(figure, cells))
    for bar in with_gap(drawn, figure.bars):
        if bar is None:
            left = figure.bars - sum(bar is not None for bar in drawn)
            what = what_bars_are(figure)[left != 1]
            lines.append(" " * label_width + f"... {left} more {what} not drawn ...")
        else:
            lines.append(line(f"{bar_name} {bar + 1}", _bar(figure, bar, width), ""))
    key = _key(figure, cells, marked, any(bar is not None for bar in drawn))
    return (_caption(figure), *lines, *textwrap.wrap(key, COLUMNS, subsequent_indent="     "))


def with_gap(drawn: list[int | None], count: int) -> list[int | None]:
    """The bars drawn, with one None where those not drawn belong (if any)."""
    bars = [bar for bar in drawn if bar is not None]
    if len(bars) == count:
        return [*bars]
    for place in range(1, len(bars)):
        if bars[place] != bars[place - 1] + 1:
            return [*bars[:place], None, *bars[place:]]
    return [None, *bars] if bars and bars[0] != 0 else [*bars, None]


#: The text standing for the positions left out of the middle of a row.
ELISION = " ... "


def _cell(text: str, width: int) -> str:
    return text.rjust(width - 1) + " "


def _cells(text: Callable[[int], str], width: int) -> Callable[[int], str]:
    return lambda x: _cell(text(x), width)


def _bar(figure: Figure, bar: int, width: int) -> Callable[[int], str]:
    """A window or kernel copy: '=' under each position it reads or writes, '.' under
    those its dilation skips, brackets at its ends."""
    first = figure.first_tap(bar)
    last = first + figure.k_eff - 1

    def cell(x: int) -> str:
        if not first <= x <= last:
            return " " * width
        drawn = ("=" if figure.taps(bar, x) else ".") * width
        if x == first:
            drawn = "[" + drawn[1:]
        if x == last:
            drawn = drawn[:-1] + "]"
        return drawn

    return cell


def _caption(figure: Figure) -> str:
    if figure.transposed:
        return "Where each input's kernel copy lands, and which positions the output keeps:"
    return "The window of each output position over the input:"


def _key(figure: Figure, cells: list[int | None], marked: list[bool], bars: bool) -> str:
    kinds = {figure.kind(x) for x in cells if x is not None}
    parts = []
    if "pad" in kinds:
        parts.append("p padding" if figure.pool else "p zero padding")
    if "past" in kinds:
        parts.append("- past the end (ceil_mode)")
    if "crop" in kinds:
        parts.append("x cropped" if figure.transposed else "x removed (negative padding)")
    if any(x is not None and figure.added(x) for x in cells):
        parts.append("+ zero added")
    if bars:
        what = "one input's kernel copy" if figure.transposed else "what one window reads"
        parts.append(f"[===] {what}" + (", . skipped (dilation)" if figure.dilation > 1 else ""))
    if any(marked):
        parts.append("^ no input lands here" if figure.transposed else "^ never read")
    if None in cells:
        parts.append("... left out")
    return "Key: " + "; ".join(parts)

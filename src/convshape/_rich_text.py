"""rich's text layout without rich: column widths fitted to a line, word wrapping with
rich's "ellipsis" overflow, justification, and a row's cells side by side.

The wrapped lines and the padded cells are cached (``_wrap``, ``_cell_lines``) by text
and width: shapes, counts and class names repeat down a large model's table. The module
imports nothing (no ``re``, ``functools`` or ``textwrap``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence
    from typing import Any


def _column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Widths of the cells (padding included, borders not), as rich lays them out."""
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    available = line_length - (len(widths) + 1)
    widths = [min(width + 2, available) for width in widths]
    excess = sum(widths) - available
    if excess > 0:
        # rich's ratio_reduce with equal ratios: the excess taken off the widths evenly.
        ratio = len(widths)
        for index, width in enumerate(widths):
            taken = min(width, round(excess / ratio))
            widths[index] = width - taken
            excess -= taken
            ratio -= 1
    return widths


class _Memo:
    """A bounded cache of a function of hashable arguments, with ``functools.lru_cache``'s
    ``cache_clear`` (without importing functools); emptied when full, which is safe with
    threads.

    ``derived`` are caches of values made from this one's; clearing it clears them.
    """

    __slots__ = ("__wrapped__", "cache", "derived", "maxsize")

    def __init__(
        self,
        function: Callable[..., tuple[str, ...]],
        maxsize: int,
        derived: tuple[dict[Any, Any], ...] = (),
    ) -> None:
        self.__wrapped__ = function
        self.cache: dict[tuple[Hashable, ...], tuple[str, ...]] = {}
        self.maxsize = maxsize
        self.derived = derived

    def __call__(self, *args: Hashable) -> tuple[str, ...]:
        cache = self.cache
        value = cache.get(args)
        if value is None:
            value = self.__wrapped__(*args)
            if len(cache) >= self.maxsize:
                cache.clear()
            cache[args] = value
        return value

    def cache_clear(self) -> None:
        """Forget every cached value (and the values made from them)."""
        self.cache.clear()
        for cache in self.derived:
            cache.clear()


def _wrap_text(text: str, width: int) -> tuple[str, ...]:
    """Word-wrap like rich with its default "ellipsis" overflow: words keep their trailing
    spaces; a word longer than the width gets a line of its own, cut with "…".

    A line ends before the first word that would take it past the width (the spaces
    before that word are dropped); the lines are slices of the text, found with
    ``str.split`` (no regular expression).
    """
    if len(text) <= width:
        return (text.rstrip(),)
    if text.isprintable():  # only the ASCII space is printable whitespace
        if " " not in text:  # one word, cut
            return (text[: width - 1] + "…",)
        spaced = text
    else:  # any whitespace separates words
        spaced = "".join([" " if c.isspace() else c for c in text])
    lines = []
    start = position = 0
    first = True  # the first word goes on the first line with the spaces before it
    for word in spaced.split(" "):
        if word:
            if first:
                first = False
            elif position + len(word) - start > width:
                lines.append(text[start:position].rstrip())
                start = position
            position += len(word)
        position += 1
    lines.append(text[start:].rstrip())
    if max(map(len, lines)) > width:  # a word longer than the width, cut
        return tuple([line if len(line) <= width else line[: width - 1] + "…" for line in lines])
    return tuple(lines)


#: Wrapped lines by (text, width). Cached: shapes, counts and class names repeat down a
#: large model's table.
_wrap = _Memo(_wrap_text, maxsize=8192)


def _justify(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rjust(width)
    if how == "center":
        left = (width - len(text)) // 2
        return (" " * left + text).ljust(width)
    return text.ljust(width)


def _pad_cell(cell: str, width: int, align: str) -> tuple[str, ...]:
    """A cell's lines, wrapped, justified and padded to the column's width."""
    return tuple(" " + _justify(line, width - 2, align) + " " for line in _wrap(cell, width - 2))


#: A cell's lines by (text, column width, alignment); ``derived`` caches (the tables'
#: frames) are cleared with it.
_cell_lines = _Memo(_pad_cell, maxsize=8192)


def _row_lines(
    cells: Sequence[str],
    widths: Sequence[int],
    aligns: Sequence[str],
    bar: str,
    bottom: bool = False,
) -> list[str]:
    """The lines of a row, its cells wrapped and side by side: blank under short cells,
    or above them with ``bottom`` (rich aligns a header's cells to the bottom)."""
    columns = [
        _cell_lines(cell, width, align)
        for cell, width, align in zip(cells, widths, aligns, strict=True)
    ]
    height = max(map(len, columns))
    if height == 1:
        return [bar + bar.join([lines[0] for lines in columns]) + bar]
    columns = [
        lines
        if len(lines) == height
        else (" " * width,) * (height - len(lines)) + lines
        if bottom
        else lines + (" " * width,) * (height - len(lines))
        for lines, width in zip(columns, widths, strict=True)
    ]
    return [bar + bar.join(parts) + bar for parts in zip(*columns, strict=True)]

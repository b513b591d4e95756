"""How PyTorch pads circularly, as copies of slices: ``F.pad(mode="circular")`` writes the
input into the padded output, then copies each wrapped end from the output into itself.
A copy fails when its source is neither as long as its target nor one element long, and
when, contiguous in memory, it reads part of what it writes. The circular padding modules
check an input against these copies.

>>> circular_fits(3, 3, 0, dense=True)
True
>>> circular_fits(4, 4, -1, dense=True)
False
"""

from __future__ import annotations

__all__ = ["circular_copies", "circular_fits"]


def _slice(size: int, start: int, end: int) -> tuple[int, int]:
    """The bounds of ``tensor[start:end]`` along a dimension of ``size`` (ATen's slice:
    negative bounds count from the end, then both are clamped)."""
    start += size if start < 0 else 0
    end += size if end < 0 else 0
    start = min(max(start, 0), size)
    return start, min(max(end, start), size)


def circular_copies(size: int, before: int, after: int) -> list[tuple[tuple[int, int], ...]]:
    """PyTorch's circular padding as copies along one dimension, each (target bounds,
    source bounds): the input into the padded output (the source's bounds in the input),
    then each wrapped end from the output into itself."""
    out = size + before + after
    target = _slice(out, max(before, 0), out - max(after, 0))
    source = _slice(size, max(-before, 0), size - max(-after, 0))
    copies: list[tuple[tuple[int, int], ...]] = [(target, source)]
    if before > 0:
        end = out - max(after, 0)
        copies.append((_slice(out, 0, before), _slice(out, end - before, end)))
    if after > 0:
        start = max(before, 0)
        copies.append((_slice(out, out - after, out), _slice(out, start, start + after)))
    return copies


def circular_fits(size: int, before: int, after: int, dense: bool) -> bool:
    """Whether each copy has a source as long as its target, or of one element; and, where
    the copied slices are contiguous in memory (``dense``: every dimension before this one
    has one element), whether no wrapped end reads part of what it writes."""
    for index, (target, source) in enumerate(circular_copies(size, before, after)):
        target_length, source_length = target[1] - target[0], source[1] - source[0]
        if source_length not in (target_length, 1):
            return False
        overlap = source[0] < target[1] and target[0] < source[1]
        if index and dense and overlap and source != target:
            return False
    return True

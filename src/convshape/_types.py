"""Small value types shared by the arithmetic and the validation layer."""

from __future__ import annotations

from typing import NamedTuple, TypeAlias

__all__ = ["PADDING_MODES", "Pad", "PaddingArg"]

#: What a ``padding`` argument may be: a mode name, an int (each side) or a pair.
PaddingArg: TypeAlias = str | int | tuple[int, int] | list[int]

#: The padding modes convshape knows, in lower case.
PADDING_MODES = ("valid", "same", "full", "causal")


class Pad(NamedTuple):
    """Elements added (forward) or removed (transposed) at each end of a dimension.

    >>> Pad(1, 2)
    Pad(before=1, after=2)
    >>> sum(Pad(1, 2))
    3
    """

    before: int
    after: int

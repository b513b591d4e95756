"""Small value types shared by the arithmetic and the validation layer.

Nothing here imports ``typing`` at run time: ``import convshape`` stays cheap.
"""

from __future__ import annotations

__all__ = ["PADDING_MODES", "Pad", "PaddingArg"]

TYPE_CHECKING = False

#: What a ``padding`` argument may be: a mode name, an int (each side) or a pair.
PaddingArg = str | int | tuple[int, int] | list[int]

#: The padding modes convshape knows, in lower case.
PADDING_MODES = ("valid", "same", "full", "causal")

_PAD_DOC = """Elements added (forward) or removed (transposed) at each end of a dimension.

    >>> Pad(1, 2)
    Pad(before=1, after=2)
    >>> sum(Pad(1, 2))
    3
    """

if TYPE_CHECKING:
    from typing import NamedTuple

    class Pad(NamedTuple):
        before: int
        after: int

else:
    from collections import namedtuple

    class Pad(namedtuple("Pad", ["before", "after"])):
        __slots__ = ()
        __doc__ = _PAD_DOC

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
    from typing import Any, NamedTuple

    class Pad(NamedTuple):
        before: int
        after: int

    class TupleRecord(tuple[Any, ...]):
        _fields: tuple[str, ...]

    def field_getter(index: int, doc: str) -> Any: ...

else:
    from _collections import _tuplegetter  # what namedtuple's fields use

    def field_getter(index, doc):
        """The property reading field ``index`` of a :class:`TupleRecord`."""
        return _tuplegetter(index, doc)

    class TupleRecord(tuple):
        """A named tuple without ``collections.namedtuple``, whose module costs a
        millisecond to import: subclasses give ``_fields``, ``__new__`` and the field
        properties (see :func:`field_getter`)."""

        __slots__ = ()
        _fields = ()

        def __repr__(self):
            # Bounded as messages are: a field over 4,300 digits or nested 1,000 deep
            # still prints (summarised), ordinary values exactly as repr writes them.
            from .errors import _short_repr  # noqa: PLC0415

            shown = ", ".join(
                f"{name}={_short_repr(value)}"
                for name, value in zip(self._fields, self, strict=True)
            )
            return f"{type(self).__name__}({shown})"

        def __getnewargs__(self):
            return tuple(self)

        def _asdict(self):
            return dict(zip(self._fields, self, strict=True))

        def _replace(self, **changes):
            values = self._asdict()
            unknown = set(changes) - set(values)
            if unknown:
                raise ValueError(f"Got unexpected field names: {sorted(unknown)!r}")
            values.update(changes)
            return type(self)(*values.values())

    class Pad(TupleRecord):
        __slots__ = ()
        __doc__ = _PAD_DOC
        _fields = ("before", "after")

        def __new__(cls, before, after):
            return tuple.__new__(cls, (before, after))

        before = field_getter(0, "Elements at the start.")
        after = field_getter(1, "Elements at the end.")

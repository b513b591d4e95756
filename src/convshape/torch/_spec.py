"""The decorator of the PyTorch specs and the default of a typed field.

``@spec`` is ``dataclasses.dataclass(frozen=True)``. A type checker reads it as a
dataclass transform, as it reads ``convshape._record.Record``: a field typed
``Arg[In, Out]`` (``convshape._fields``) then takes ``In`` in the constructor and reads
back as ``Out``, which mypy does not do for a plain dataclass. Such a field spells its
default ``field(default=...)``: ``stride: IntTuple = field(default=1)``.
"""

from __future__ import annotations

import dataclasses

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    import sys
    from typing import Any, TypeVar

    if sys.version_info >= (3, 11):
        from typing import dataclass_transform
    else:
        from typing_extensions import dataclass_transform

    T = TypeVar("T")

    def field(
        *,
        default: object = ...,
        init: bool = True,
        repr: bool = True,
        compare: bool = True,
    ) -> Any:
        """``dataclasses.field`` for a field of any type (its default is not checked
        against the descriptor an ``Arg`` field is typed as)."""

    # Not frozen for the type checker (it is at run time), as convshape._record.Record:
    # mypy types a field a frozen subclass inherits by what its descriptor accepts
    # (python/mypy#17601).
    @dataclass_transform(field_specifiers=(field, dataclasses.Field))
    def spec(cls: type[T]) -> type[T]:
        """``dataclasses.dataclass(frozen=True)``."""

else:
    spec = dataclasses.dataclass(frozen=True)
    field = dataclasses.field

__all__ = ["field", "spec"]

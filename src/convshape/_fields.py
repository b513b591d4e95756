"""What the arguments of a layer or a PyTorch spec accept, and what the object holds once
it has normalised them: the types of their fields.

A field annotated ``Arg[In, Out]`` takes an ``In`` in the constructor and reads back as an
``Out``. ``Conv2D(8, 3)`` takes ``kernel_size=3`` and holds ``kernel_size == (3, 3)``, so
the field is an ``IntTuple``: ``Arg[int | tuple[int, ...] | list[int], tuple[int, ...]]``.
A type checker reads ``Arg`` as a descriptor whose ``__set__`` takes ``In`` and whose
``__get__`` returns ``Out``, which is how it types a dataclass's constructor and its
attributes. A field whose value is kept as given has a plain annotation.

A module whose fields need a type of their own declares it beside them, in its
``TYPE_CHECKING`` block, as ``Name: TypeAlias = Arg[In, Out]``: the API pages show each
argument's ``In`` (``docs/_griffe/api_reference.py`` reads the aliases of every module, so
no two may share a name).

Everything here is for the type checker: at run time the module defines nothing, and the
fields' annotations stay unevaluated strings. A field of an ``Arg`` type spells its default
``field(default=...)``, as a dataclass spells the default of a descriptor field.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Generic, TypeAlias, TypeVar, overload

    In_contra = TypeVar("In_contra", contravariant=True)
    Out_co = TypeVar("Out_co", covariant=True)

    class Arg(Generic[In_contra, Out_co]):
        """A field that accepts ``In`` as an argument and holds ``Out``."""

        @overload
        def __get__(self, instance: None, owner: type) -> Any: ...
        @overload
        def __get__(self, instance: object, owner: type) -> Out_co: ...
        def __get__(self, instance: object, owner: type) -> Any: ...
        def __set__(self, instance: object, value: In_contra) -> None: ...

    #: An int for every spatial axis or one per axis, held as one int per axis
    #: (``kernel_size``, ``strides``, ``dilation_rate``, ``pool_size``, PyTorch's
    #: ``stride``...).
    IntTuple: TypeAlias = Arg[int | tuple[int, ...] | list[int], tuple[int, ...]]
    #: The same, or None (``output_padding``).
    OptionalIntTuple: TypeAlias = Arg[
        int | tuple[int, ...] | list[int] | None, tuple[int, ...] | None
    ]
    #: Keras's ``data_format``: None (the default, channels_last) or either name, held as
    #: "channels_last" or "channels_first".
    DataFormat: TypeAlias = Arg[str | None, str]
    #: A Keras activation: a name, a callable or None; kept as given.
    Activation: TypeAlias = str | Callable[..., Any] | None
    #: A Keras initializer, regularizer or constraint: a name, a config or an object; kept
    #: as given, never interpreted.
    Opaque: TypeAlias = object

__all__: list[str] = []

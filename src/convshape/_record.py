"""Frozen records with typed fields: what ``@dataclass(frozen=True)`` gives the layers,
without its cost at import.

A subclass of :class:`Record` declares its fields as annotated class attributes, in
the order and with the defaults of its constructor, exactly as a dataclass would
(``_: KW_ONLY`` starts the keyword-only fields, :func:`field` sets the options); a
subclass adds fields after its bases'. ``dataclasses`` builds each class by compiling
generated code, which costs a few milliseconds per module of layers at first use; a
record reads its fields once per class and shares one ``__init__``.

>>> class Window(Record):
...     size: int
...     stride: int = 1
>>> Window(3), Window(3, stride=2) == Window(3, 2)
(Window(size=3, stride=1), True)
>>> Window(3).size = 4
Traceback (most recent call last):
convshape._record.FrozenInstanceError: cannot assign to field 'size'
"""

from __future__ import annotations

from .errors import _short_repr, unexpected_keyword

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    import sys
    from collections.abc import Callable
    from dataclasses import KW_ONLY
    from typing import Any, TypeVar

    if sys.version_info >= (3, 11):
        from typing import dataclass_transform
    else:
        from typing_extensions import dataclass_transform

    R = TypeVar("R", bound="Record")
else:

    def dataclass_transform(**_options: object) -> Callable[[type], type]:
        return lambda cls: cls

    #: Marks the start of keyword-only fields (``_: KW_ONLY``); read from the annotation.
    KW_ONLY = object()

__all__ = ["KW_ONLY", "MISSING", "Field", "FrozenInstanceError", "Record", "field", "fields"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


#: No default: the argument is required.
MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Raised on an assignment to a field of a record (as dataclasses' error of that name)."""


class Field:
    """One field of a record: its name, default, and whether it is an argument, shown and
    compared."""

    __slots__ = ("compare", "default", "default_factory", "init", "kw_only", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        compare: bool = True,
    ) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.kw_only = False

    def _copy(self, name: str, kw_only: bool) -> Field:
        copy = Field(self.default, self.default_factory, self.init, self.repr, self.compare)
        copy.name = name
        copy.kw_only = kw_only
        return copy

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """Options of one field, as ``dataclasses.field``."""
    return Field(default, default_factory, init, repr, compare)


def fields(record: object) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order.

    >>> from convshape import layers
    >>> [f.name for f in fields(layers.Dense) if not f.kw_only][:3]
    ['units', 'activation', 'use_bias']
    """
    cls = record if isinstance(record, type) else type(record)
    found: tuple[Field, ...] = cls._fields  # type: ignore[attr-defined]
    return found


class _Signature:
    """``inspect.signature`` of a record class, built on first use (inspect is slow to
    import)."""

    def __get__(self, instance: object, owner: type) -> Any:
        signature = _SIGNATURES.get(owner)
        if signature is None:
            import inspect  # noqa: PLC0415

            parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
            specs = [spec for spec in owner._fields if spec.init]  # type: ignore[attr-defined]
            for spec in sorted(specs, key=lambda spec: spec.kw_only):
                kind = (
                    inspect.Parameter.KEYWORD_ONLY
                    if spec.kw_only
                    else inspect.Parameter.POSITIONAL_OR_KEYWORD
                )
                default = inspect.Parameter.empty if spec.default is MISSING else spec.default
                parameters.append(inspect.Parameter(spec.name, kind, default=default))
            signature = _SIGNATURES[owner] = inspect.Signature(parameters[1:])
        return signature


_SIGNATURES: dict[type, Any] = {}


# Not frozen for the type checker, though frozen at run time (``__setattr__`` below): mypy
# types a field a frozen subclass inherits by what its descriptor accepts rather than what
# it returns (python/mypy#17601), so ``Conv2D(8, 3).kernel_size`` would read as
# ``int | tuple[int, ...] | list[int]`` instead of ``tuple[int, ...]`` (convshape._fields).
@dataclass_transform(field_specifiers=(field, Field))
class Record:
    """A frozen record: fields from annotations, one shared ``__init__``, equality and
    hashing by the compared fields, a dataclass-style repr."""

    _fields: tuple[Field, ...] = ()
    #: Constructor arguments that may be passed by position, in order.
    _positional: tuple[str, ...] = ()
    #: Defaults of the arguments that have one.
    _defaults: dict[str, Any] = {}  # noqa: RUF012  (set per class)
    _init_names: frozenset[str] = frozenset()
    _init_count: int = 0
    #: Fields that are not arguments, or whose default is built per instance.
    _factories: tuple[tuple[str, Any], ...] = ()
    _compared: tuple[str, ...] = ()

    __signature__ = _Signature()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs: dict[str, Field] = {}
        for base in reversed(cls.__mro__[1:]):
            if "_fields" in base.__dict__:
                specs.update((spec.name, spec) for spec in base.__dict__["_fields"])
        kw_only = False
        namespace = cls.__dict__
        for name, annotation in namespace.get("__annotations__", {}).items():
            text = (
                annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
            )
            if text.startswith(("ClassVar", "typing.ClassVar")):
                continue
            if text in ("KW_ONLY", "dataclasses.KW_ONLY"):
                kw_only = True
                continue
            value = namespace.get(name, MISSING)
            options = value if isinstance(value, Field) else Field(default=value)
            specs[name] = options._copy(name, kw_only)
            if isinstance(value, Field):  # the class keeps plain defaults only
                if value.default is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value.default)
        ordered = tuple(specs.values())
        init = [spec for spec in ordered if spec.init]
        cls._fields = ordered
        cls._positional = tuple(spec.name for spec in init if not spec.kw_only)
        cls._defaults = {spec.name: spec.default for spec in init if spec.default is not MISSING}
        cls._init_names = frozenset(spec.name for spec in init)
        cls._init_count = len(init)
        cls._factories = tuple(
            (spec.name, spec.default_factory)
            if spec.default_factory is not MISSING
            else (spec.name, _constant(spec.default))
            for spec in ordered
            if spec.default_factory is not MISSING or not spec.init
        )
        cls._compared = tuple(spec.name for spec in ordered if spec.compare)
        if "__init__" not in namespace:  # compiled on first use, for this class's fields
            cls.__init__ = Record.__init__  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The first instance of each class compiles that class's own __init__, with the
        # parameters and defaults its fields declare (what dataclasses does when the class
        # is defined), so a class never used costs nothing.
        cls = type(self)
        init = _compile_init(cls)
        cls.__init__ = init  # type: ignore[method-assign]
        init(self, *args, **kwargs)

    def __post_init__(self) -> None:
        """Validate and normalise the arguments (overridden)."""

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = self._compared
        return tuple(getattr(self, name) for name in names) == tuple(
            getattr(other, name) for name in names
        )

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self._compared))

    def __repr__(self) -> str:
        # Bounded as messages are: an argument kept as given (nested 2,000 deep, an int
        # over 4,300 digits) still prints; ordinary values exactly as repr writes them.
        shown = ", ".join(
            f"{spec.name}={_short_repr(getattr(self, spec.name))}"
            for spec in self._fields
            if spec.repr
        )
        return f"{type(self).__name__}({shown})"

    def _replace(self: R, **changes: Any) -> R:
        """A new record with some arguments changed, validated again (``dataclasses.replace``)."""
        for name in changes:
            if name not in self._init_names:
                raise TypeError(f"{type(self).__name__}: {name!r} is not a constructor argument")
        arguments = {name: getattr(self, name) for name in self._init_names}
        arguments.update(changes)
        return type(self)(**arguments)


def _constant(value: object) -> Callable[[], object]:
    return lambda: value


def _compile_init(cls: type[Record]) -> Callable[..., None]:
    """The ``__init__`` of a record class: its arguments in field order (keyword-only ones
    after a ``*``), stored in the instance's dict, then ``__post_init__``."""
    namespace: dict[str, Any] = {}
    positional: list[str] = []
    keywords: list[str] = []
    for spec in cls._fields:
        if not spec.init:
            continue
        parameter = spec.name
        if spec.default is not MISSING:
            namespace[f"_default_{spec.name}"] = spec.default
            parameter += f"=_default_{spec.name}"
        (keywords if spec.kw_only else positional).append(parameter)
    parameters = ", ".join(
        ["self", *positional, *(["*", *keywords] if keywords else []), "**_unexpected"]
    )
    # An unknown keyword gets Python's error with a "did you mean" (strides for stride).
    namespace["_unexpected_keyword"] = unexpected_keyword
    namespace["_owner"] = cls.__name__
    namespace["_known"] = cls._init_names
    lines = [
        f"def __init__({parameters}):",
        "    if _unexpected:",
        "        raise _unexpected_keyword(_owner, _unexpected, _known)",
        "    state = self.__dict__",
    ]
    for spec in cls._fields:
        if not spec.init:
            continue
        if spec.default is MISSING:
            lines.append(f"    state[{spec.name!r}] = {spec.name}")
        else:  # a default stays the class's attribute: a smaller dict, built faster
            lines.append(f"    if {spec.name} is not _default_{spec.name}:")
            lines.append(f"        state[{spec.name!r}] = {spec.name}")
    for name, factory in cls._factories:
        namespace[f"_factory_{name}"] = factory
        lines.append(f"    state[{name!r}] = _factory_{name}()")
    if any(spec.init and spec.default_factory is not MISSING for spec in cls._fields):
        raise TypeError(f"{cls.__name__}: an argument takes a default, not a default_factory")
    if cls.__post_init__ is not Record.__post_init__:
        lines.append("    self.__post_init__()")
    exec("\n".join(lines), namespace)  # our own field names and defaults
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init

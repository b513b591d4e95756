"""A griffe extension that makes the docstrings read well in the API reference.

The docstrings are written for ``help()`` and doctest: reST roles (:class:`Pad`),
``::`` literal blocks and doctests. At render time, without touching the source:

- a doctest becomes a ``pycon`` code block: the ``>>>`` lines are highlighted as
  Python, their output as plain output; ``<BLANKLINE>`` becomes the blank line it
  stands for and ``# doctest:`` directives are dropped;
- a reST literal block (a paragraph ending in ``::``) becomes a plain-text code block
  after a paragraph ending in ``:``;
- a reST simple table (columns under ``====  ====`` borders) becomes a Markdown table;
- a Sphinx role becomes inline code, linked to the object when the API reference
  documents it (an optional cross-reference: unresolved ones stay plain code);
- a shape's ``*`` wildcard (``(*, C, H, W)``) stays a star rather than start emphasis;
- a class whose constructor is generated (a layer or other record, a dataclass, a tuple
  record such as ``Pad``) gets an ``__init__`` with the signature Python reports for it,
  and a docstring set as ``__doc__ = ...`` is read;
- a private base class (``_Conv``) is replaced by the public classes it derives from
  (``Layer``), and base classes nobody can import are left out;
- a module constant documented by a ``#:`` comment gets that comment as its docstring.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import inspect
import itertools
import pathlib
import re
import textwrap
from typing import Any

import griffe

RECORD = "convshape._record.Record"
SYNTHESIZED = "record-init"

ROLE = re.compile(r":(?:py:)?(class|func|meth|data|mod|attr|exc|obj):`([^`]+)`")
DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")


# -- text --------------------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def literal_blocks(text: str) -> str:
    """reST literal blocks as fenced text; the ``::`` before them as Sphinx shows it.

    >>> print(literal_blocks("Two formulas::\\n\\n    O = I * s\\n\\nThen more."))
    Two formulas:
    <BLANKLINE>
    ```text
    O = I * s
    ```
    <BLANKLINE>
    Then more.
    """
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if not stripped.endswith("::") or stripped.lstrip().startswith((">>>", "...")):
            out.append(line)
            i += 1
            continue
        indent = _indent(line)
        head = stripped[:-2]
        if head.strip():
            out.append(head.rstrip() if head.endswith(" ") else head + ":")
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        block: list[str] = []
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
            block.append(lines[j])
            j += 1
        while block and not block[-1].strip():
            block.pop()
            j -= 1
        if block:
            pad = " " * indent
            body = textwrap.dedent("\n".join(block)).splitlines()
            out.extend(["", f"{pad}```text", *(pad + row for row in body), f"{pad}```"])
        i = j
    return "\n".join(out)


BORDER = re.compile(r"^(?P<indent>[ \t]*)=+(?: +=+)+[ \t]*$")


def simple_tables(text: str) -> str:
    """reST simple tables (columns under ``=====  =====`` borders) as Markdown tables. A
    line continues the row above when its first column is empty or the row above's first
    column ends with a comma (a list of names broken over lines).

    >>> print(simple_tables("===  =====\\nA    B\\n===  =====\\nx    one\\n     two\\n===  ====="))
    | A | B |
    | --- | --- |
    | x | one two |
    """
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        border = BORDER.match(lines[i])
        ends = [j for j in range(i + 1, len(lines)) if lines[j].strip() == lines[i].strip()]
        if border is None or len(ends) < 2:
            out.append(lines[i])
            i += 1
            continue
        spans = [match.span() for match in re.finditer(r"=+", lines[i])]
        starts = [start for start, _ in spans] + [None]

        def cells(line: str, starts: list[Any] = starts) -> list[str]:
            return [line[a:b].strip() for a, b in itertools.pairwise(starts)]

        header = [cells(line) for line in lines[i + 1 : ends[0]] if line.strip()]
        rows: list[list[str]] = []
        for line in lines[ends[0] + 1 : ends[1]]:
            if not line.strip():
                continue
            row = cells(line)
            if rows and (not row[0] or rows[-1][0].endswith(",")):
                rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], row, strict=True)]
            else:
                rows.append(row)
        indent = border["indent"]
        head = [" ".join(column).strip() for column in zip(*header, strict=True)]
        for row in [head, ["---"] * len(head), *rows]:
            escaped = (cell.replace("|", "\\|") for cell in row)
            out.append(indent + "| " + " | ".join(escaped) + " |")
        i = ends[1] + 1
    return "\n".join(out)


STAR = re.compile(r"(?<=[(\[])\*(?=[,)\]])")
CODE_SPAN = re.compile(r"(`+).+?\1")


def literal_stars(text: str) -> str:
    """A shape's ``*`` wildcard (``(*, C, H, W)``) as a literal star, not emphasis.

    >>> literal_stars("(*, C r², H, W) to (*, C, H r, W r), ``(*, C)``")
    '(\\\\*, C r², H, W) to (\\\\*, C, H r, W r), ``(*, C)``'
    """
    out: list[str] = []
    position = 0
    for span in CODE_SPAN.finditer(text):
        out.append(STAR.sub(r"\\*", text[position : span.start()]))
        out.append(span.group())
        position = span.end()
    out.append(STAR.sub(r"\\*", text[position:]))
    return "".join(out)


def doctest_fences(text: str) -> str:
    """Every run of doctest lines (up to a blank line) as a ``pycon`` block.

    >>> doctest_fences("Example:\\n\\n>>> f()  # doctest: +SKIP\\na\\n<BLANKLINE>\\nb").splitlines()
    ['Example:', '', '```pycon', '>>> f()', 'a', '', 'b', '```']
    """
    out: list[str] = []
    indent = ""
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if not inside and stripped.startswith(">>>"):
            indent = line[: _indent(line)]
            out.append(f"{indent}```pycon")
            inside = True
        elif inside and not stripped:
            out.append(f"{indent}```")
            inside = False
        if inside and stripped == "<BLANKLINE>":
            out.append(indent)
        elif inside and stripped.startswith((">>>", "...")):
            out.append(DIRECTIVE.sub("", line))
        else:
            out.append(line)
    if inside:
        out.append(f"{indent}```")
    return "\n".join(out)


def _outside_fences(text: str, change: Any) -> str:
    parts = re.split(r"(^[ \t]*```.*?^[ \t]*```[ \t]*$)", text, flags=re.MULTILINE | re.DOTALL)
    return "".join(part if index % 2 else change(part) for index, part in enumerate(parts))


def roles(text: str, resolve: Any) -> str:
    """Sphinx roles as inline code, linked where ``resolve`` finds the object.

    >>> roles("Raises :class:`~convshape.X` or :func:`f`.", {"convshape.X": "a.X"}.get)
    'Raises <autoref identifier="a.X" optional><code>X</code></autoref> or `f`.'
    """

    def one(match: re.Match[str]) -> str:
        content = match.group(2)
        titled = re.fullmatch(r"(.*?)\s*<(.+)>", content)
        if titled:
            title, target = titled.group(1), titled.group(2)
        else:
            target = content.lstrip("!")
            title = target.lstrip("~.")
            if target.startswith("~"):
                title = title.rsplit(".", 1)[-1]
        path = resolve(target.lstrip("~.!"))
        if path is None:
            return f"`{title}`"
        return f'<autoref identifier="{path}" optional><code>{title}</code></autoref>'

    return ROLE.sub(one, text)


# -- objects -----------------------------------------------------------------------------


def _walk(obj: griffe.Object) -> Any:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)  # type: ignore[arg-type]


def _is_private(path: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in path.split("."))


class ApiReference(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        # The dataclasses' constructors first (griffe would add them after this extension
        # has hidden the private dataclasses they inherit their fields from).
        griffe.DataclassesExtension().on_package(pkg=pkg)
        objects = list(_walk(pkg))
        exported = self._exported(objects)
        classes = [obj for obj in objects if obj.is_class]
        for cls in classes:
            self._record_init(cls)
        for cls in classes:
            self._own_init(cls)
        for cls in classes:
            self._public_bases(cls, exported)
        for obj in objects:
            if obj.is_attribute and obj.parent.is_module and obj.docstring is None:
                self._comment_docstring(obj)
        for obj in objects:
            if obj.docstring is not None:
                obj.docstring.value = self._docstring(obj, obj.docstring.value, loader)

    @staticmethod
    def _exported(objects: list[Any]) -> set[str]:
        """Canonical paths of the objects a public module re-exports in ``__all__``."""
        found: set[str] = set()
        for module in objects:
            if not module.is_module or _is_private(module.path):
                continue
            for name in module.exports or ():
                member = module.members.get(name)
                if member is None:
                    continue
                try:
                    found.add(member.final_target.path if member.is_alias else member.path)
                except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                    continue
        return found

    @staticmethod
    def _record_init(cls: Any) -> None:  # noqa: PLW0211  (cls is a griffe Class)
        """A generated constructor (a record's, a dataclass's or a tuple record's ``__new__``)
        from the signature Python reports for the class: it knows which fields are
        arguments, in which order. A docstring set as ``__doc__ = ...`` is read too."""
        try:
            mro = cls.mro()
        except ValueError:
            return
        for owner in (cls, *mro):
            init = owner.members.get("__init__")
            if owner.path == RECORD or (init is not None and not init.is_alias):
                if owner.path != RECORD and init.lineno and SYNTHESIZED not in init.labels:
                    return  # written by hand: griffe reads it from the source
                break
        # convshape itself must import: a silent fallback would document every layer with
        # its base class's constructor.
        runtime: Any = importlib.import_module(cls.module.path)
        try:
            for name in cls.path[len(cls.module.path) + 1 :].split("."):
                runtime = getattr(runtime, name)
            generated = (
                dataclasses.is_dataclass(runtime)
                or "__new__" in vars(runtime)  # a tuple record: Pad, Weight
                or any(f"{b.__module__}.{b.__qualname__}" == RECORD for b in runtime.__mro__)
            )
            signature = inspect.signature(runtime)
        except (AttributeError, TypeError, ValueError):
            return
        if not generated:
            return
        if cls.docstring is None and isinstance(vars(runtime).get("__doc__"), str):
            cls.docstring = griffe.Docstring(inspect.cleandoc(runtime.__doc__), parent=cls)
        kinds = {
            inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
            inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
            inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
            inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
        }
        parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for parameter in signature.parameters.values():
            default = _default(runtime, cls, mro, parameter)
            parameters.append(
                griffe.Parameter(
                    parameter.name,
                    annotation=_annotation(cls, mro, parameter.name)
                    or _init_var(runtime, parameter.name),
                    kind=kinds[parameter.kind],
                    default=default,
                )
            )
        init = griffe.Function(
            "__init__",
            lineno=cls.lineno,
            endlineno=cls.lineno,
            parent=cls,
            parameters=griffe.Parameters(*parameters),
            returns="None",
        )
        init.labels.add(SYNTHESIZED)
        cls.set_member("__init__", init)

    @staticmethod
    def _comment_docstring(attribute: Any) -> None:
        """A module constant's ``#:`` comment (Sphinx's convention) as its docstring."""
        try:
            lines = attribute.parent.lines
        except (AttributeError, OSError):
            return
        comment: list[str] = []
        index = attribute.lineno - 2
        while index >= 0 and lines[index].lstrip().startswith("#:"):
            comment.insert(0, lines[index].lstrip()[2:].strip())
            index -= 1
        if comment:
            attribute.docstring = griffe.Docstring("\n".join(comment), parent=attribute)

    @staticmethod
    def _own_init(cls: Any) -> None:  # noqa: PLW0211  (cls is a griffe Class)
        """Keep the constructor a class inherits, before its private bases are hidden."""
        if "__init__" in cls.members:
            return
        try:
            inherited = cls.all_members.get("__init__")
            target = inherited.final_target if inherited is not None else None
        except (ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            return
        if target is not None and target.path.startswith("convshape."):
            cls.set_member("__init__", griffe.Alias("__init__", target, parent=cls))

    @staticmethod
    def _public_bases(cls: Any, exported: set[str]) -> None:  # noqa: PLW0211  (a griffe Class)
        """Replace private base classes by the public classes they derive from."""

        def public(bases: list[Any], seen: set[str]) -> list[Any]:
            kept: list[Any] = []
            for base in bases:
                path = getattr(base, "canonical_path", str(base))
                if path in seen:
                    continue
                seen.add(path)
                if not path.startswith("convshape."):
                    kept.append(base)  # builtins and other libraries' classes
                    continue
                if not _is_private(path) or path in exported:
                    kept.append(base)
                    continue
                try:
                    target = cls.modules_collection[path]
                    if target.is_alias:
                        target = target.final_target
                except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                    continue
                if target.is_class:
                    kept.extend(public(list(target.bases), seen))
            return kept

        if any(_is_private(getattr(base, "canonical_path", "")) for base in cls.bases):
            cls.bases = public(list(cls.bases), set())

    @staticmethod
    def _docstring(obj: Any, text: str, loader: griffe.GriffeLoader) -> str:
        def resolve(target: str) -> str | None:
            scopes = [obj.path if obj.is_class else obj.parent.path, obj.module.path, "convshape"]
            candidates = [target, *(f"{scope}.{target}" for scope in scopes)]
            for candidate in candidates:
                try:
                    found = loader.modules_collection[candidate]
                    if found.is_alias:
                        found = found.final_target
                except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                    continue
                return str(found.path)
            return None

        text = literal_blocks(simple_tables(text))
        text = doctest_fences(text)
        return _outside_fences(text, lambda part: literal_stars(roles(part, resolve)))


def _default(runtime: Any, cls: Any, mro: list[Any], parameter: inspect.Parameter) -> str | None:
    """A parameter's default as Python source: its repr, the factory a dataclass calls, or,
    for a sentinel whose repr is not Python (``<unset>``), the name the source gives it."""
    if dataclasses.is_dataclass(runtime):
        for spec in dataclasses.fields(runtime):
            if spec.name == parameter.name and spec.default_factory is not dataclasses.MISSING:
                return f"{getattr(spec.default_factory, '__qualname__', 'factory')}()"
    if parameter.default is parameter.empty:
        return None
    text = repr(parameter.default)
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        pass
    else:
        return text
    for owner in (cls, *mro):
        member = owner.members.get(parameter.name)
        if member is None or member.is_alias or not member.is_attribute:
            continue
        value = member.value
        for argument in getattr(value, "arguments", ()):
            if getattr(argument, "name", None) == "default":
                return str(argument.value)
        if value is not None and not isinstance(value, griffe.ExprCall):
            return str(value)
    return "..."


def _annotation(cls: Any, mro: list[Any], name: str) -> Any:
    """The field's annotation where a class declares it, unless it says nothing (Any).

    A field typed with an alias of ``convshape._fields`` shows what the argument accepts:
    ``kernel_size: IntTuple`` reads ``int | tuple[int, ...] | list[int]``."""
    for owner in (cls, *mro):
        member = owner.members.get(name)
        if member is not None and not member.is_alias and member.is_attribute:
            annotation = member.annotation
            if annotation is None or str(annotation) == "Any":
                return None
            return _accepted(annotation)
    return None


def _init_var(runtime: Any, name: str) -> str | None:
    """The type of a dataclass's ``InitVar`` argument (griffe keeps no member for it):
    ``device: InitVar[object]`` shows ``device: object``."""
    for owner in runtime.__mro__:
        text = vars(owner).get("__annotations__", {}).get(name)
        if isinstance(text, str):
            found = re.fullmatch(r"(?:dataclasses\.)?InitVar\[(.*)\]", text)
            return found.group(1) if found else None
    return None


SOURCE = pathlib.Path(__file__).resolve().parents[2] / "src" / "convshape"


@functools.cache
def _field_types() -> dict[str, str]:
    """Each type alias of ``convshape`` (``convshape._fields`` and a layer module's own,
    ``Name: TypeAlias = ...``) by what an argument of that type accepts: ``In`` for an
    ``Arg[In, Out]``, the alias's own value otherwise. Two aliases may not share a name."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and ast.unparse(node.annotation) == "TypeAlias"
                and node.value
            ):
                name, accepted = node.target.id, _accepted_text(node.value)
                if found.setdefault(name, accepted) != accepted:
                    raise ValueError(f"two type aliases are named {name} ({path})")
    return found


def _accepted_text(value: ast.expr) -> str:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        value = ast.parse(value.value, mode="eval").body
    if (
        isinstance(value, ast.Subscript)
        and isinstance(value.value, ast.Name)
        and value.value.id == "Arg"
        and isinstance(value.slice, ast.Tuple)
    ):
        return ast.unparse(value.slice.elts[0])
    return ast.unparse(value)


def _accepted(annotation: Any) -> Any:
    """An annotation as the argument takes it: aliases of ``convshape._fields`` and an
    ``Arg[In, Out]`` written in place become what they accept, in place (``IntTuple | None``
    reads ``int | tuple[int, ...] | list[int] | None``)."""
    text = str(annotation)
    types = _field_types()
    names = re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text)
    if not any(name in types for name in names) and "Arg[" not in text:
        return annotation
    tree = ast.parse(text, mode="eval")

    class Expand(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in types:
                return ast.parse(f"({types[node.id]})", mode="eval").body
            return node

        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            if isinstance(node.value, ast.Name) and node.value.id == "Arg":
                return ast.parse(f"({_accepted_text(node)})", mode="eval").body
            return self.generic_visit(node)

    return ast.unparse(Expand().visit(tree))

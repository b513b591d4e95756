"""Inverse problems: which arguments take a length to a target length.

Every solution is one the framework's layer accepts and that gives the target (the
test suite builds a random sample of them in Keras and PyTorch); a request no
layer of the framework can take raises ConvShapeError. Every solver answers for the
whole search space within its bounds without enumerating it: each length formula is
``(I - 1) * s + r`` with r affine in s and k_eff (or depending on its parity), so per
dilation and mode the strides that can reach the target form a window, and per stride
the output_paddings, kernels and paddings that do are computed directly. The work so
follows the solutions returned, and past :data:`MAX_SOLUTIONS` the solver asks for
narrower bounds. The tests compare the results with the exhaustive search they replace.

>>> from convshape import solve_conv_transpose
>>> best = solve_conv_transpose(7, 14, kernel_size=5)[0]
>>> best.kwargs
{'kernel_size': 5, 'strides': 2, 'padding': 'same', 'output_padding': None, 'dilation_rate': 1}
>>> best.crop
Pad(before=1, after=2)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._core import effective_kernel
from ._frameworks import FRAMEWORKS as TABLE
from ._render import counted
from ._solve_forward import _conv, _conv_reasons
from ._solve_rank import _ranked
from ._solve_space import (
    Found,
    Search,
    _check_output_padding,
    _choices,
    _known,
    _TooMany,
)
from ._solve_words import _hints, _no_solution

# The words cli.py and the tests import from here (`X as X`: the explicit re-export mypy
# --strict reads).
from ._solve_words import crop_words as crop_words  # noqa: PLC0414
from ._solve_words import pad_words as pad_words  # noqa: PLC0414
from ._types import Pad
from ._validate import check_padding, check_positive, choice_error
from .arithmetic import _output_range
from .errors import ConvShapeError

__all__ = [
    "MAX_SOLUTIONS",
    "Solution",
    "Solutions",
    "conv_input_lengths",
    "solve_conv",
    "solve_conv_transpose",
]

#: The frameworks the solvers take: those whose entry in the framework table
#: (``convshape._frameworks``) has a ``solver``.
FRAMEWORKS = tuple(name for name, entry in TABLE.items() if entry.solver is not None)


@dataclass(frozen=True)
class Solution:
    """One layer that reaches the target.

    ``kwargs`` uses the framework's own argument names; ``crop`` (transposed) or
    ``pad`` (forward) is the resulting (before, after) split; ``note`` says what a
    user porting it should know (e.g. that no torch arguments give Keras's "same" values);
    ``same_as`` lists the other spellings of the very same layer (same output and split on
    every input size), merged into this one, the simplest spelling.
    """

    kwargs: dict[str, Any]
    output: int
    split: Pad
    note: str = ""
    same_as: tuple[dict[str, Any], ...] = ()

    @property
    def crop(self) -> Pad:
        """Elements removed from the full transposed output (transposed solvers)."""
        return self.split

    @property
    def pad(self) -> Pad:
        """Zeros added to the input (forward solvers)."""
        return self.split

    @property
    def transposed(self) -> bool:
        """Whether this is a transposed convolution (its split is a crop)."""
        return "output_padding" in self.kwargs

    def __str__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.kwargs.items())
        words = crop_words(self.split) if self.transposed else pad_words(self.split)
        text = f"{args} -> {self.output}, {words}"
        if self.same_as:
            spellings = [
                ", ".join(
                    f"{name}={value!r}"
                    for name, value in alias.items()
                    if self.kwargs.get(name, ...) != value
                )
                for alias in self.same_as
            ]
            text += f"; the same layer as {' and as '.join(spellings)}"
        return f"{text}; {self.note}" if self.note else text


@dataclass(frozen=True)
class Solutions(Sequence[Solution]):
    """The solutions of one problem, simplest first, and why there are none when empty."""

    problem: str
    solutions: tuple[Solution, ...]
    reason: str = ""
    notes: tuple[str, ...] = field(default=())
    hints: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.solutions)

    def __getitem__(self, index: Any) -> Any:
        return self.solutions[index]

    def __iter__(self) -> Iterator[Solution]:
        return iter(self.solutions)

    def __str__(self) -> str:
        lines = [f"{self.problem}: {counted(len(self.solutions), 'solution')}"]
        lines += [f"  {solution}" for solution in self.solutions]
        if not self.solutions and self.reason:
            lines.append(f"  {self.reason}")
        if not self.solutions:
            lines += [f"  {hint}" for hint in self.hints]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Solutions: {self.problem}: {counted(len(self.solutions), 'solution')}>"

    def _repr_html_(self) -> str:
        from ._html import text_block  # noqa: PLC0415  (only for notebooks)

        return text_block(str(self), name="solutions")


#: A solver stops past this many solutions and asks for narrower bounds, so that its cost
#: follows what it returns, never the size of the bounds.
MAX_SOLUTIONS = 10_000


def _too_many(size: int, target: int) -> ConvShapeError:
    return ConvShapeError(
        f"more than {MAX_SOLUTIONS} argument combinations take {size} to {target}; "
        "fix more arguments or lower max_kernel_size, max_stride or max_dilation",
        argument="max_stride",
        received={"size": size, "target": target},
    )


def _solver(framework: object) -> Search:
    """How the solvers search framework ``framework``'s layers: its entry's ``solver`` in
    the framework table, or a ConvShapeError naming the frameworks the solvers take."""
    entry = TABLE.get(framework) if isinstance(framework, str) else None
    if entry is None or entry.solver is None:
        raise choice_error(framework, "framework", FRAMEWORKS)
    return entry.solver


def _solutions(
    size: int, target: int, run: Callable[[Found], None] | None, pooling: bool = False
) -> tuple[Solution, ...]:
    """What the search ``run`` finds (none when None), in its order, then ranked and merged
    (:func:`_ranked`); a ConvShapeError past :data:`MAX_SOLUTIONS`."""
    found = Found(MAX_SOLUTIONS)
    if run is not None:
        try:
            run(found)
        except _TooMany:
            raise _too_many(size, target) from None
    found.sort(key=lambda item: item[0])
    solutions = [Solution(kwargs, target, split, note) for _, (kwargs, split, note) in found]
    return _ranked(solutions, pooling)


def solve_conv_transpose(
    size: int,
    target: int,
    *,
    kernel_size: int | None = None,
    stride: int | None = None,
    padding: Any = None,
    output_padding: Any = ...,
    dilation: int | None = None,
    framework: str = "keras",
    max_kernel_size: int = 7,
    max_stride: int = 4,
    max_dilation: int = 1,
) -> Solutions:
    """Every transposed-convolution argument combination that takes ``size`` to ``target``.

    Arguments given are held fixed, the others range over ``1..max_*``;
    ``output_padding=...`` (the default) tries None and every value the framework
    allows. The length is ``(I - 1) * s + k_eff - before - after`` (see
    :func:`conv_transpose_crop`). Every solution is one the framework's layer accepts
    and that gives the target: for Keras, padding "valid" or "same", and no length
    TensorFlow rejects at run time (even kernel, "same", output_padding=0);
    ``framework="torch"`` solves for PyTorch's int ``padding`` and ``output_padding``
    (smaller than the stride or the dilation; no empty input or output) and says whether
    the crop is the one Keras's "same" would make. More than :data:`MAX_SOLUTIONS`
    solutions raise ConvShapeError.

    Solutions that build the same layer (the same output and crop on every input size, such
    as output_padding=None and the output_padding it defaults to) are one solution, in its
    plainest spelling, the others in ``same_as``. Ranked as an engineer would choose: no
    layer :func:`convshape.check` flags (a kernel the stride does not divide) nor zeros
    appended, no kernel 1 with a stride, no side cropped by a whole kernel, kernel sizes 3,
    4, 5 first, no output_padding, the smallest crop. An empty answer has a ``reason`` and
    ``hints``: the bounds searched and what to ask instead.

    >>> [s.kwargs["strides"] for s in solve_conv_transpose(7, 14, kernel_size=5, padding="same")]
    [2]
    >>> print(solve_conv_transpose(7, 14)[1])  # doctest: +NORMALIZE_WHITESPACE
    kernel_size=2, strides=2, padding='valid', output_padding=None, dilation_rate=1 -> 14,
    crops nothing; the same layer as output_padding=0 and as padding='same'
    >>> solve_conv_transpose(7, 15, kernel_size=5, stride=2, padding="same").reason
    "with kernel_size=5, strides=2, padding='same' the lengths that map back to 7 are 13..14"
    """
    size = _known(size, "size")
    target = _known(target, "target")
    search = _solver(framework)
    kernels = _choices(kernel_size, "kernel_size", max_kernel_size)
    strides = _choices(stride, "stride", max_stride)
    dilations = _choices(dilation, "dilation", max_dilation)
    op = _check_output_padding(output_padding, strides, dilations)
    checked = search.transpose_padding(padding)
    empty = bool(search.empty) and not (size and target)
    run = functools.partial(
        search.transpose, size, target, kernels, strides, dilations, checked, op
    )
    ready = kernels and strides and dilations and not empty
    solutions = _solutions(size, target, run if ready else None)
    reason = ""
    if not solutions:
        if empty:
            reason = f"{search.empty} of a transposed convolution"
        else:
            reasons = search.transpose_reasons(size, kernels, strides, dilations, checked, op)
            reason = _no_solution(reasons, size, target)
    bounds = {
        "kernel sizes": (kernels, kernel_size),
        "strides": (strides, stride),
        "dilations": (dilations, dilation),
    }
    hints = (
        () if solutions else _hints(True, size, target, bounds, padding, search.other, max_stride)
    )
    notes = search.transpose_notes(size, target, solutions)
    problem = f"transposed convolution {size} -> {target} ({search.name})"
    return Solutions(problem, solutions, reason, notes, hints)


def solve_conv(
    size: int,
    target: int,
    *,
    kernel_size: int | None = None,
    stride: int | None = None,
    padding: Any = None,
    dilation: int | None = None,
    framework: str = "keras",
    pooling: bool = False,
    max_kernel_size: int = 7,
    max_stride: int = 4,
    max_dilation: int = 1,
) -> Solutions:
    """Every forward convolution (or pooling) argument combination from ``size`` to ``target``.

    ``O = floor((I + before + after - k_eff) / s) + 1`` (see :func:`conv_padding`).
    Keras modes are "valid" and "same" ("causal" when asked for, convolutions only); torch
    solves for the int ``padding`` (at most half the kernel for pooling; "same" where
    PyTorch allows it: stride 1, no pooling; no empty input or output). Every solution is
    one the framework's layer accepts; more than :data:`MAX_SOLUTIONS` raise ConvShapeError.

    Ranked and merged as :func:`solve_conv_transpose` ranks them (pool sizes 2 and 3 first).

    >>> print(*solve_conv(28, 14, kernel_size=5, stride=2))  # doctest: +NORMALIZE_WHITESPACE
    kernel_size=5, strides=2, padding='same', dilation_rate=1 -> 14,
    pads 1 zero at the start and 2 at the end
    >>> print(solve_conv(28, 13, kernel_size=5, stride=2).reason.replace("; ", "\\n"))
    kernel_size=5, stride=2, padding='same' gives 14
    kernel_size=5, stride=2, padding='valid' gives 12
    """
    size = _known(size, "size")
    target = _known(target, "target")
    search = _solver(framework)
    kernels = _choices(kernel_size, "kernel_size", max_kernel_size)
    strides = _choices(stride, "stride", max_stride)
    dilations = range(1, 2) if pooling else _choices(dilation, "dilation", max_dilation)
    modes = search.forward_modes(padding, pooling, strides)
    empty = bool(search.empty) and not (size and target)  # the framework rejects them
    run = functools.partial(
        _conv, size, target, search, pooling, kernels, strides, dilations, modes
    )
    kind = "pooling" if pooling else "convolution"
    ready = kernels and strides and not empty
    solutions = _solutions(size, target, run if ready else None, pooling)
    reason = ""
    if not solutions:
        if empty:
            reason = search.empty
        else:
            reasons = _conv_reasons(
                size, search, pooling, padding, kernels, strides, dilations, modes
            )
            reason = _no_solution(reasons, size, target)
    # A "same" the framework takes only up to a stride (PyTorch's: 1) was searched there.
    searched = strides
    if padding == "same" and search.same_stride is not None:
        searched = range(strides.start, min(strides.stop, search.same_stride + 1))
    bounds = {"kernel sizes": (kernels, kernel_size), "strides": (searched, stride)}
    if not pooling:
        bounds["dilations"] = (dilations, dilation)
    hints = (
        () if solutions else _hints(False, size, target, bounds, padding, search.other, max_stride)
    )
    return Solutions(f"{kind} {size} -> {target} ({search.name})", solutions, reason, (), hints)


def conv_input_lengths(
    output: int, kernel_size: int, stride: int = 1, padding: Any = "valid", dilation: int = 1
) -> range:
    """Every input length a forward convolution maps to ``output``.

    A stride s folds up to s input lengths onto one output length; a transposed
    convolution must pick one of them, which is what ``output_padding`` does (these
    are :func:`conv_transpose_output_range`'s lengths). "same" gives
    ``(O - 1) * s + 1 .. O * s``; other modes
    ``(O - 1) * s + k_eff - before - after`` and the next ``s - 1``.

    >>> conv_input_lengths(7, 5, stride=2, padding="same")
    range(13, 15)
    >>> conv_input_lengths(12, 5, stride=2)
    range(27, 29)
    """
    out = _known(output, "output")
    k = check_positive(kernel_size, "kernel_size")
    s = check_positive(stride, "stride")
    d = check_positive(dilation, "dilation")
    mode = check_padding(padding, transpose=False)
    if out == 0:
        return range(0, 1) if mode in ("same", "causal") else range(0, 0)
    return _output_range(out, effective_kernel(k, d), s, mode)

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
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._core import ceil_div, effective_kernel, full_transposed_length, same_crop
from ._render import counted
from ._types import Pad
from ._validate import as_int, check_padding, check_positive, check_size
from .arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from .errors import ConvShapeError
from .torch import functional as pt
from .torch._crop import largest_output_padding, padding_for_crop

__all__ = [
    "MAX_SOLUTIONS",
    "Solution",
    "Solutions",
    "conv_input_lengths",
    "solve_conv",
    "solve_conv_transpose",
]

FRAMEWORKS = ("keras", "torch")


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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def crop_words(crop: Pad) -> str:
    """What a transposed convolution does to its full output, in words: a positive crop
    removes elements, a negative one appends zeros (the output is longer than the full
    convolution, and Keras/TensorFlow pad it).

    >>> crop_words(Pad(1, 2))
    'crops 1 at the start and 2 at the end'
    >>> crop_words(Pad(0, -1))
    'appends 1 zero at the end'
    >>> crop_words(Pad(0, 0))
    'crops nothing'
    """
    parts = []
    removed = [
        (count, where) for count, where in zip(crop, ("start", "end"), strict=True) if count > 0
    ]
    if removed:
        parts.append("crops " + " and ".join(f"{count} at the {where}" for count, where in removed))
    for count, where in zip(crop, ("start", "end"), strict=True):
        if count < 0:
            parts.append(f"appends {_count(-count, 'zero')} at the {where}")
    return " and ".join(parts) if parts else "crops nothing"


def pad_words(pad: Pad) -> str:
    """The zeros a forward convolution adds to its input, in words.

    >>> pad_words(Pad(0, 1))
    'pads 1 zero at the end'
    >>> pad_words(Pad(1, 2))
    'pads 1 zero at the start and 2 at the end'
    """
    added = [(count, where) for count, where in zip(pad, ("start", "end"), strict=True) if count]
    if not added:
        return "pads nothing"
    first, *rest = added
    words = [f"pads {_count(first[0], 'zero')} at the {first[1]}"]
    words += [f"{count} at the {where}" for count, where in rest]
    return " and ".join(words)


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

Found = list[tuple[tuple[Any, ...], Solution]]


class _TooMany(Exception):
    """More than MAX_SOLUTIONS solutions (a ConvShapeError at the boundary)."""


def _add(found: Found, key: tuple[Any, ...], solution: Solution) -> None:
    found.append((key, solution))
    if len(found) > MAX_SOLUTIONS:
        raise _TooMany


def _too_many(size: int, target: int) -> ConvShapeError:
    return ConvShapeError(
        f"more than {MAX_SOLUTIONS} argument combinations take {size} to {target}; "
        "fix more arguments or lower max_kernel_size, max_stride or max_dilation",
        argument="max_stride",
        received={"size": size, "target": target},
    )


def _writable(value: int, name: str) -> int:
    """``value``, if Python can write it out in decimal (answers show every number)."""
    limit = sys.get_int_max_str_digits()
    # Below 2 ** (3 * limit) a number has fewer than ``limit`` digits: no power of 10 built.
    if limit and value.bit_length() > 3 * limit and abs(value) >= 10**limit:
        raise ConvShapeError(
            f"`{name}` has more than {limit} digits, too many to write out in an answer",
            argument=name,
            received={name: value},
        )
    return value


def _choices(fixed: object, name: str, upper: object) -> range:
    """The values an argument ranges over: the one given, or ``1..upper``."""
    if fixed is None:
        bound = _writable(as_int(upper, f"max_{name}"), f"max_{name}")
        if bound < 0:
            raise ConvShapeError(
                f"`max_{name}` must be >= 0", argument=f"max_{name}", received={name: upper}
            )
        return range(1, bound + 1)
    value = _writable(check_positive(fixed, name), name)
    return range(value, value + 1)


def _check_framework(framework: object) -> str:
    if framework not in FRAMEWORKS:
        raise ConvShapeError(
            f"`framework` must be one of {', '.join(map(repr, FRAMEWORKS))}",
            argument="framework",
            received={"framework": framework},
        )
    return str(framework)


def _known(value: object, name: str) -> int:
    checked = check_size(value, name)
    if checked is None:
        raise ConvShapeError(f"`{name}` must be known", argument=name, received={name: value})
    return _writable(checked, name)


def _padding_error(padding: object, rule: str) -> ConvShapeError:
    return ConvShapeError(rule, argument="padding", received={"padding": padding})


def _keras_modes(padding: object, *, transpose: bool, pooling: bool = False) -> list[Any]:
    """The Keras padding modes to try: what Keras layers accept, and nothing else."""
    if padding is None:
        return ["same", "valid"]
    mode = check_padding(padding, transpose=transpose)
    allowed = ("same", "valid") if transpose or pooling else ("same", "valid", "causal")
    if mode not in allowed:
        layer = "transposed convolutions" if transpose else "poolings" if pooling else "Conv1D"
        raise _padding_error(
            padding,
            f"Keras {layer} take `padding` {' or '.join(map(repr, allowed))}"
            " (an explicit padding is PyTorch's: use framework='torch')",
        )
    return [padding if isinstance(padding, str) else mode]


def _torch_padding(padding: object, *, transpose: bool, pooling: bool) -> Any:
    """None (solved for), a padding int >= 0, or the string PyTorch accepts here."""
    if padding is None:
        return None
    if isinstance(padding, str):
        if transpose or pooling or padding not in ("same", "valid"):
            kind = "ConvTranspose" if transpose else "pooling" if pooling else "Conv"
            allowed = "an int >= 0" if transpose or pooling else "an int >= 0, 'valid' or 'same'"
            raise _padding_error(padding, f"PyTorch {kind} layers take `padding` {allowed}")
        return padding
    if isinstance(padding, (tuple, list)):
        raise _padding_error(
            padding,
            "PyTorch pads both sides of a dimension alike: `padding` must be one int "
            "(pad the input first for an uneven split)",
        )
    value = _writable(as_int(padding, "padding"), "padding")
    if value < 0:
        raise _padding_error(padding, "`padding` must be >= 0")
    return value


def _check_output_padding(output_padding: object, strides: range, dilations: range) -> Any:
    """``...`` (every value), None, or an int >= 0 that some stride or dilation allows."""
    if output_padding is ... or output_padding is None:
        return output_padding
    value = _writable(as_int(output_padding, "output_padding"), "output_padding")
    if value < 0:
        raise ConvShapeError(
            "`output_padding` must be >= 0",
            argument="output_padding",
            received={"output_padding": output_padding},
        )
    if strides and dilations and value > largest_output_padding(strides[-1], dilations[-1]):
        raise ConvShapeError(
            "`output_padding` must be smaller than `stride` (or, in PyTorch, `dilation`)",
            argument="output_padding",
            received={"output_padding": output_padding},
        )
    return value


def _kernels_between(
    kernels: range, d: int, low: int, high: int | None = None, parity: int | None = None
) -> range:
    """The kernels k whose k_eff = effective_kernel(k, d) lies in ``low..high`` (no upper bound
    when None) and, when given, has this parity."""
    first = max(kernels.start, ceil_div(low - 1, d) + 1)
    stop = kernels.stop if high is None else min(kernels.stop, (high - 1) // d + 2)
    if parity is None:
        return range(first, stop)
    if d % 2 == 0:  # (k - 1) * d + 1 is odd for every k
        return range(first, stop) if parity == 1 else range(0)
    # d odd: k_eff has the parity of k.
    return range(first + (first - parity) % 2, stop, 2)


def _k_effs(kernels: range, d: int) -> tuple[int, int]:
    """The smallest and the largest k_eff of (non-empty) ``kernels``."""
    return effective_kernel(kernels.start, d), effective_kernel(kernels[-1], d)


def _window(
    strides: range,
    size: int,
    target: int,
    low: tuple[int, int] | None,
    high: tuple[int, int],
    first: int = 1,
) -> range:
    """The strides s >= ``first`` for which ``(size - 1) * s + r`` can be the target when
    ``c * s + b`` bounds r for the pairs (c, b) ``low`` and ``high`` (none below when None)."""
    start, stop = max(strides.start, first), strides.stop
    if low is not None:  # (size - 1 + c) * s + b <= target
        a, b = size - 1 + low[0], low[1]
        if a > 0:
            stop = min(stop, (target - b) // a + 1)
        elif a < 0:
            start = max(start, ceil_div(b - target, -a))
        elif b > target:
            return range(0)
    a, b = size - 1 + high[0], high[1]  # (size - 1 + c) * s + b >= target
    if a > 0:
        start = max(start, ceil_div(target - b, a))
    elif a < 0:
        stop = min(stop, (b - target) // -a + 1)
    elif b < target:
        return range(0)
    return range(start, max(start, stop))


def _dilations(dilations: range, stable: int, found: Found) -> Iterator[int]:
    """The dilations to search. Past ``stable`` a kernel over 1 is too long to reach the
    target unless its length does not matter, so whether a dilation has solutions no
    longer depends on it but for its parity: two dilations without any end the search."""
    empty = 0
    for d in dilations:
        before = len(found)
        yield d
        if len(found) > before or d <= stable:
            empty = 0
            continue
        empty += 1
        if empty == 2:
            return


def _each_stride(window: range, stable: int | None, solve: Callable[[int], bool]) -> None:
    """``solve`` each stride of the window. Past ``stable``, whether a stride has solutions
    no longer depends on it but for its parity: two strides without any end the search."""
    empty = 0
    for s in window:
        if solve(s) or stable is None or s <= stable:
            empty = 0
            continue
        empty += 1
        if empty == 2:
            return


#: Kernel sizes an engineer reaches for first (convolutions, and poolings).
COMMON_KERNEL_SIZES = (3, 4, 5)
COMMON_POOL_SIZES = (2, 3)

#: The findings of :func:`convshape.check` that rank a solution after every other: a
#: kernel that overlaps unevenly or leaves output positions without a tap (transposed),
#: or a window that skips inputs (forward).
FLAGGED = ("uneven-overlap", "checkerboard-gaps", "inputs-never-read")


@functools.lru_cache(maxsize=4096)
def _flagged(transposed: bool, k: int, s: int, d: int) -> bool:
    """Whether :func:`convshape.check` flags a layer of this geometry (its own rules, on one
    axis: a PyTorch geometry, strided and dilated, is no Keras layer to build)."""
    from .layers._spatial import AxisGeometry  # noqa: PLC0415  (the layers import the solvers' users)
    from .pitfalls import _strided, _transposed  # noqa: PLC0415

    axis = AxisGeometry(1, k, s, d, "valid", None, transposed)
    probe = _Probe((axis,))
    rules = _transposed if transposed else _strided
    return any(code in FLAGGED for code, _, _ in rules(probe, None))


@dataclass(frozen=True)
class _Probe:
    """One axis's geometry, all check()'s per-layer rules read of a layer."""

    geometry: tuple[Any, ...]


def _spelling(kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """How plain a spelling is: the framework's defaults (padding 'valid' or 0, no
    output_padding) first, then 'same', then the rest."""
    padding, op = kwargs["padding"], kwargs.get("output_padding")
    mode = 0 if padding in ("valid", 0) else 1 if isinstance(padding, int) else 2
    return (op not in (None, 0), mode, padding == "causal", op is not None, str(padding))


def _signature(solution: Solution, pooling: bool) -> tuple[Any, ...]:
    """What the layer does on every input size: two solutions with one signature build the
    same layer. A transposed crop does not depend on the size; a forward padding does
    only for "same" with a stride over 1 and a kernel over 1 (it is then
    ``max(k_eff - m, 0)`` with ``m = I - (ceil(I / s) - 1) * s`` taking every value 1..s)."""
    kwargs = solution.kwargs
    k = kwargs["pool_size"] if "pool_size" in kwargs else kwargs["kernel_size"]
    s = kwargs["strides"] if "strides" in kwargs else kwargs["stride"]
    d = kwargs.get("dilation_rate", kwargs.get("dilation", 1))
    if solution.transposed:
        return (k, s, d, tuple(solution.split))
    varies = kwargs["padding"] == "same" and s > 1 and effective_kernel(k, d) > 1
    return (k, s, d, pooling, "same" if varies else tuple(solution.split))


def _rank_key(solution: Solution, pooling: bool) -> tuple[Any, ...]:
    """An engineer's order: no layer check() flags nor appended zeros, no kernel 1 with a
    stride (it skips inputs), no side padded or cropped by a whole window, the usual kernel
    sizes, no output_padding, the smallest crop or padding, no dilation, the shorter stride
    and kernel, the plainest spelling."""
    kwargs = solution.kwargs
    k = kwargs["pool_size"] if "pool_size" in kwargs else kwargs["kernel_size"]
    s = kwargs["strides"] if "strides" in kwargs else kwargs["stride"]
    d = kwargs.get("dilation_rate", kwargs.get("dilation", 1))
    common = COMMON_POOL_SIZES if pooling else COMMON_KERNEL_SIZES
    appends = min(solution.split) < 0
    # A side padded by the whole window makes outputs that read only zeros; a side cropped
    # by it drops whole taps of an input: the stride and padding do not fit.
    oversized = max(solution.split) >= effective_kernel(k, d)
    return (
        appends or _flagged(solution.transposed, k, s, d),
        k == 1 and s > 1,
        oversized,
        k not in common,
        kwargs.get("output_padding") not in (None, 0),
        sum(abs(side) for side in solution.split),
        d,
        s,
        k,
        _spelling(kwargs),
    )


def _ranked(solutions: Sequence[Solution], pooling: bool = False) -> tuple[Solution, ...]:
    """The solutions, those that build the same layer merged into the plainest spelling,
    in :func:`_rank_key`'s order."""
    groups: dict[tuple[Any, ...], list[Solution]] = {}
    for solution in solutions:
        groups.setdefault(_signature(solution, pooling), []).append(solution)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        group.sort(key=lambda solution: _spelling(solution.kwargs))
        first, *rest = group
        notes = [first.note, *(other.note for other in rest if other.note != first.note)]
        note = "; ".join(text for text in notes if text)
        aliases = tuple(other.kwargs for other in rest)
        merged.append(Solution(first.kwargs, first.output, first.split, note, aliases))
    keys = {id(solution): _rank_key(solution, pooling) for solution in merged}
    return tuple(sorted(merged, key=lambda solution: keys[id(solution)]))


def _hints(
    transposed: bool,
    size: int,
    target: int,
    searched: dict[str, tuple[range, bool]],
    padding: Any,
    framework: str,
    max_stride: object,
) -> tuple[str, ...]:
    """After an empty answer: the bounds searched and the question to ask instead."""

    def shown(values: range, held: bool) -> str:
        if held or len(values) == 1:
            return f"{values.start}{' (held)' if held else ''}"
        return f"{values.start}..{values.stop - 1}" if values else "none"

    parts = [f"{name} {shown(*bounds)}" for name, bounds in searched.items()]
    if padding is not None:
        parts.append(f"padding {padding!r} (held)")
    hints = [f"Searched: {', '.join(parts)}."]
    held = [name for name, (_, fixed) in searched.items() if fixed]
    held = [name.removesuffix("s").replace(" ", "_") for name in held]
    strides, held_stride = searched["strides"]
    # A held stride says nothing of how long a stride the user would take.
    longest = strides.stop - 1 if strides and not held_stride else 1
    if held_stride:
        longest = max_stride if type(max_stride) is int and max_stride > 1 else 4
    if transposed and target < size:
        hints.append(
            "A transposed convolution grows its input: solve_conv finds the convolutions "
            "(or, with pooling=True, the poolings) that shrink it."
        )
    elif not transposed and target > size:
        hints.append("A convolution or pooling shrinks its input: try solve_conv_transpose.")
    elif min(size, target) and max(size, target) > min(size, target) * longest:
        planner = "plan_upsampling" if target > size else "plan_downsampling"
        hints.append(
            f"One layer of stride {longest} or less cannot: {planner}({size}, {target}) "
            "stacks strided layers, or raise max_stride."
        )
    elif held or padding is not None:
        names = [*held, *(["padding"] if padding is not None else [])]
        hints.append(f"Try without {' or '.join(names)}: a held value rules the others out.")
    else:
        other = "framework='torch' (explicit paddings)" if framework == "keras" else ""
        hints.append(
            "Try wider bounds: max_kernel_size, max_stride"
            + (f", or {other}" if other else "")
            + "."
        )
    return tuple(hints)


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
    framework = _check_framework(framework)
    kernels = _choices(kernel_size, "kernel_size", max_kernel_size)
    strides = _choices(stride, "stride", max_stride)
    dilations = _choices(dilation, "dilation", max_dilation)
    op = _check_output_padding(output_padding, strides, dilations)
    found: Found = []
    problem = f"transposed convolution {size} -> {target} ({framework})"
    if framework == "keras":
        modes = _keras_modes(padding, transpose=True)
        if kernels and strides and dilations:
            try:
                _keras_transpose(size, target, kernels, strides, dilations, modes, op, found)
            except _TooMany:
                raise _too_many(size, target) from None
    else:
        fixed = _torch_padding(padding, transpose=True, pooling=False)
        if kernels and strides and dilations and size and target:
            try:
                _torch_transpose(size, target, kernels, strides, dilations, fixed, op, found)
            except _TooMany:
                raise _too_many(size, target) from None
    found.sort(key=lambda item: item[0])
    solutions = _ranked([solution for _, solution in found])
    reason = ""
    if not solutions:
        if framework == "keras":
            reasons = _keras_transpose_reasons(size, kernels, strides, dilations, modes, op)
            reason = _no_solution(reasons, size, target)
        elif not (size and target):
            reason = "PyTorch rejects an empty input or output of a transposed convolution"
        else:
            reason = _no_solution(iter(()), size, target)
    hints: tuple[str, ...] = ()
    if not solutions:
        searched = {
            "kernel sizes": (kernels, kernel_size is not None),
            "strides": (strides, stride is not None),
            "dilations": (dilations, dilation is not None),
        }
        hints = _hints(True, size, target, searched, padding, framework, max_stride)
    notes = _torch_notes(size, target, framework, solutions)
    return Solutions(problem, solutions, reason, notes, hints)


def _keras_transpose(
    size: int,
    target: int,
    kernels: range,
    strides: range,
    dilations: range,
    modes: list[str],
    output_padding: Any,
    found: Found,
) -> None:
    """Keras's solutions: per (dilation, mode, output_padding) the strides that can reach
    the target, and per stride the output_paddings and kernels computed directly."""
    stable = size + target + (output_padding if type(output_padding) is int else 0) + 2
    for d in _dilations(dilations, stable, found):
        # Keras rejects strided dilated convolutions.
        usable = strides if d == 1 else range(strides.start, min(strides.stop, 2))
        e_lo, e_hi = _k_effs(kernels, d)
        for padding in modes:
            mode = check_padding(padding, transpose=True)
            assert isinstance(mode, str)
            for op in [None, ...] if output_padding is ... else [output_padding]:
                window = _keras_transpose_window(usable, size, target, mode, op, e_lo, e_hi)
                stable_s = max(target, op if type(op) is int else 0) + 2 if size <= 1 else None

                def solve(
                    s: int,
                    mode: str = mode,
                    op: Any = op,
                    d: int = d,
                    lo: int = e_lo,
                    hi: int = e_hi,
                ) -> bool:
                    return _keras_transpose_stride(
                        size, target, kernels, s, d, mode, op, lo, hi, found
                    )

                _each_stride(window, stable_s, solve)


def _keras_transpose_window(
    strides: range, size: int, target: int, mode: str, op: Any, e_lo: int, e_hi: int
) -> range:
    """The strides that can reach the target: the length is ``(I - 1) * s + r`` with r
    ``s`` ("same"), ``k_eff % 2 + op`` ("same" with op), ``max(k_eff, s)`` ("valid") or
    ``k_eff + op`` ("valid" with op), and op < s."""
    if mode == "valid" and op is None and size == 0:
        # max(k_eff - s, 0): s = k_eff - target, or any s >= k_eff for 0
        first = max(strides.start, e_lo - target if target else e_lo)
        stop = min(strides.stop, e_hi - target + 1) if target else strides.stop
        return range(first, max(first, stop))
    fixed = type(op) is int
    bounds: dict[tuple[str, bool, bool], tuple[tuple[int, int], tuple[int, int]]] = {
        ("same", True, False): ((1, 0), (1, 0)),
        ("same", False, False): ((0, 0), (1, 0)),
        ("same", False, True): ((0, op), (0, op + 1)) if fixed else ((0, 0), (0, 0)),
        ("valid", True, False): ((1, 0), (1, e_hi)),
        ("valid", False, False): ((0, e_lo), (1, e_hi - 1)),
        ("valid", False, True): ((0, e_lo + op), (0, e_hi + op)) if fixed else ((0, 0), (0, 0)),
    }
    low, high = bounds[mode, op is None, fixed]
    return _window(strides, size, target, low, high, op + 1 if fixed else 1)


def _keras_transpose_stride(
    size: int,
    target: int,
    kernels: range,
    s: int,
    d: int,
    mode: str,
    output_padding: Any,
    e_lo: int,
    e_hi: int,
    found: Found,
) -> bool:
    """The solutions with stride s; whether there are any."""
    before = len(found)
    ops: Sequence[int | None]
    if output_padding is ...:
        rest = target - (size - 1) * s
        if mode == "same":  # rest = k_eff % 2 + op
            ops = range(max(rest - 1, 0), min(rest, s - 1) + 1)
        else:  # rest = k_eff + op
            ops = range(max(rest - e_hi, 0), min(rest - e_lo, s - 1) + 1)
    else:
        ops = [output_padding]
    for op in ops:
        if op is not None and not 0 <= op < s:
            continue
        for k in _keras_transpose_kernels(size, target, kernels, s, d, mode, op):
            _keras_transpose_solution(size, target, k, s, d, mode, op, found)
    return len(found) > before


def _keras_transpose_kernels(
    size: int, target: int, kernels: range, s: int, d: int, mode: str, op: int | None
) -> range:
    """The kernels whose length is the target: ``(I - 1) * s`` plus ``rest``, which
    depends on k_eff (if at all) in a way each mode fixes."""
    rest = target - (size - 1) * s
    if mode == "same":
        if op is None:  # I * s, whatever the kernel
            return kernels if rest == s else range(0)
        # k_eff % 2 + op
        return (
            _kernels_between(kernels, d, 1, parity=rest - op) if rest - op in (0, 1) else range(0)
        )
    if op is None:  # max(k_eff, s)
        if rest == s:
            return _kernels_between(kernels, d, 1, s)
        return _kernels_between(kernels, d, rest, rest) if rest > s else range(0)
    return _kernels_between(kernels, d, rest - op, rest - op)  # k_eff + op


def _keras_transpose_solution(
    size: int, target: int, k: int, s: int, d: int, mode: str, op: int | None, found: Found
) -> None:
    k_eff = effective_kernel(k, d)
    crop = _transpose_crop(k_eff, s, mode, op)
    length = _transpose_length(size, k_eff, s, crop)
    # TensorFlow checks the length against the forward convolution, except for an
    # empty input, whose output it accepts at any length.
    accepted = _output_range(size, k_eff, s, mode) if size else range(0, length + 1)
    if length == target and length in accepted:
        kwargs = {
            "kernel_size": k,
            "strides": s,
            "padding": mode,
            "output_padding": op,
            "dilation_rate": d,
        }
        # Even kernel overlap (k_eff divisible by the stride) first: no checkerboard.
        key = (k_eff % s != 0, op is not None, k, s, d, mode != "same", op or 0)
        _add(found, key, Solution(kwargs, target, crop))


def _keras_transpose_reasons(
    size: int,
    kernels: range,
    strides: range,
    dilations: range,
    modes: list[str],
    output_padding: Any,
) -> Iterator[str]:
    """When nothing reaches the target: the lengths each argument combination accepts,
    in the order of the search, built only as far as they are shown."""
    op = None if output_padding is ... else output_padding
    first = strides.start if op is None else max(strides.start, op + 1)
    for k in kernels:
        for s in range(first, strides.stop):
            # Keras rejects strided dilated convolutions.
            for d in dilations if s == 1 else range(dilations.start, min(dilations.stop, 2)):
                k_eff = effective_kernel(k, d)
                for padding in modes:
                    mode = check_padding(padding, transpose=True)
                    length = _transpose_length(size, k_eff, s, _transpose_crop(k_eff, s, mode, op))
                    accepted = _output_range(size, k_eff, s, mode) if size else range(0, length + 1)
                    yield (
                        f"with kernel_size={k}, strides={s}, padding={mode!r} the lengths "
                        f"that map back to {size} are {accepted.start}..{accepted.stop - 1}"
                    )


def _torch_transpose(
    size: int,
    target: int,
    kernels: range,
    strides: range,
    dilations: range,
    padding: int | None,
    output_padding: Any,
    found: Found,
) -> None:
    """PyTorch's solutions: O = (I - 1) * s + r with r = k_eff + op - 2p, op smaller than
    max(s, d); per dilation the strides that can reach the target, per stride the
    output_paddings and kernels computed directly."""
    fixed_op = output_padding if type(output_padding) is int else None
    twice_p = 0 if padding is None else 2 * padding
    stable_d = size + target + twice_p + (fixed_op or 0) + 2
    for d in _dilations(dilations, stable_d, found):
        e_lo, e_hi = _k_effs(kernels, d)
        if fixed_op is None:  # op <= max(s, d) - 1 <= s + d - 2
            low = None if padding is None else (0, e_lo - twice_p)
            window = _window(strides, size, target, low, (1, e_hi + d - 2 - twice_p))
        else:
            low = None if padding is None else (0, e_lo + fixed_op - twice_p)
            first = 1 if fixed_op < d else fixed_op + 1
            window = _window(strides, size, target, low, (0, e_hi + fixed_op - twice_p), first)
        stable = target + twice_p + (fixed_op or 0) + 2

        def solve(s: int, d: int = d, e_lo: int = e_lo, e_hi: int = e_hi) -> bool:
            return _torch_transpose_stride(
                size, target, kernels, s, d, padding, fixed_op, e_lo, e_hi, found
            )

        _each_stride(window, stable, solve)


def _torch_transpose_stride(
    size: int,
    target: int,
    kernels: range,
    s: int,
    d: int,
    padding: int | None,
    fixed_op: int | None,
    e_lo: int,
    e_hi: int,
    found: Found,
) -> bool:
    """The solutions with stride s; whether there are any."""
    before = len(found)
    rest = target - (size - 1) * s  # k_eff + op - 2p
    largest = largest_output_padding(s, d)
    if fixed_op is not None:
        ops = range(fixed_op, fixed_op + 1) if fixed_op <= largest else range(0)
    elif padding is None:  # k_eff - 2p = rest - op <= e_hi
        ops = range(max(rest - e_hi, 0), largest + 1)
    else:  # k_eff = rest + 2p - op, which is 1 modulo d
        need = rest + 2 * padding
        low = max(need - e_hi, 0)
        ops = range(low + (need - 1 - low) % d, min(need - e_lo, largest) + 1, d)
    for op in ops:
        need = rest - op
        if padding is None:
            candidates = _kernels_between(kernels, d, need, parity=need % 2)
        else:
            candidates = _kernels_between(kernels, d, need + 2 * padding, need + 2 * padding)
        for k in candidates:
            _torch_transpose_solution(size, target, k, s, d, padding, op, found)
    return len(found) > before


@functools.lru_cache(maxsize=4096)
def _torch_crop(k: int, s: int, p: int, op: int, d: int) -> Pad:
    """PyTorch's crop, :func:`convshape.torch.conv_transpose_crop`, remembered: the solver
    asks it for the same small geometries again and again, and it validates each time."""
    return pt.conv_transpose_crop(None, k, s, p, op, d)


def _torch_transpose_solution(
    size: int, target: int, k: int, s: int, d: int, padding: int | None, op: int, found: Found
) -> None:
    k_eff = effective_kernel(k, d)
    # O = (I - 1) * s - 2p + k_eff + op: at most one padding p reaches the target.
    twice_p = full_transposed_length(size, k_eff, s) + op - target
    if twice_p < 0 or twice_p % 2:
        return
    p = twice_p // 2
    if padding is not None and p != padding:
        return
    crop = _torch_crop(k, s, p, op, d)
    # The twice_p above gives the target, so Keras's "same" does when its crop is this one.
    matches = crop == same_crop(k_eff, s)
    kwargs = {"kernel_size": k, "stride": s, "padding": p, "output_padding": op, "dilation": d}
    note = "the crop Keras's padding='same' makes" if matches else ""
    _add(found, (k_eff % s != 0, op > 0, k, s, d, p, op), Solution(kwargs, target, crop, note))


def _torch_notes(
    size: int, target: int, framework: str, solutions: tuple[Solution, ...]
) -> tuple[str, ...]:
    """For torch: the kernels and strides whose Keras "same" reaches the target but whose
    values no torch arguments reproduce (Keras's crop is not symmetric)."""
    if framework != "torch":
        return ()
    exact = {_geometry(sol) for sol in solutions if sol.note}
    notes = []
    for k, s, d in sorted({_geometry(sol) for sol in solutions} - exact):
        if size * s != target:  # Keras's "same" gives I * s
            continue
        crop = same_crop(effective_kernel(k, d), s)
        p, op, rest = padding_for_crop(crop, s, d)
        if rest != (0, 0):
            notes.append(
                f"kernel_size={k}, stride={s}: no torch arguments reproduce Keras's "
                f"padding='same' values (Keras crops {crop.before} before and {crop.after} "
                f"after); port it with padding={p}, output_padding={op} and drop the "
                f"last {counted(rest.after, 'element')}"
            )
    return tuple(notes)


def _geometry(solution: Solution) -> tuple[int, int, int]:
    kwargs = solution.kwargs
    return kwargs["kernel_size"], kwargs["stride"], kwargs["dilation"]


def _no_solution(reasons: Iterator[str], size: int, target: int) -> str:
    """The reasons when at most four, else a summary (so a fifth is the last one built)."""
    shown = list(itertools.islice(reasons, 5))
    if shown and len(shown) <= 4:
        return "; ".join(shown)
    return f"no argument combination within the bounds takes {size} to {target}"


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
    framework = _check_framework(framework)
    kernels = _choices(kernel_size, "kernel_size", max_kernel_size)
    strides = _choices(stride, "stride", max_stride)
    dilations = range(1, 2) if pooling else _choices(dilation, "dilation", max_dilation)
    if framework == "keras":
        modes = _keras_modes(padding, transpose=False, pooling=pooling)
    else:
        fixed = _torch_padding(padding, transpose=False, pooling=pooling)
        if fixed == "same" and strides.start > 1:
            raise _padding_error(padding, "PyTorch takes padding='same' for stride 1 only")
        modes = [] if fixed is None else [Pad(fixed, fixed) if type(fixed) is int else fixed]
        if not (size and target):
            kernels = range(0)  # PyTorch rejects empty inputs and outputs
    found: Found = []
    if kernels and strides:
        try:
            _conv(size, target, framework, pooling, kernels, strides, dilations, modes, found)
        except _TooMany:
            raise _too_many(size, target) from None
    found.sort(key=lambda item: item[0])
    kind = "pooling" if pooling else "convolution"
    solutions = _ranked([solution for _, solution in found], pooling)
    reason = ""
    if not solutions:
        if framework == "torch" and not (size and target):
            reason = "PyTorch rejects an empty input or output"
        else:
            reasons = _conv_reasons(
                size, framework, pooling, padding, kernels, strides, dilations, modes
            )
            reason = _no_solution(reasons, size, target)
    hints: tuple[str, ...] = ()
    if not solutions:
        searched = {
            "kernel sizes": (kernels, kernel_size is not None),
            "strides": (strides, stride is not None),
        }
        if not pooling:
            searched["dilations"] = (dilations, dilation is not None)
        hints = _hints(False, size, target, searched, padding, framework, max_stride)
    return Solutions(f"{kind} {size} -> {target} ({framework})", solutions, reason, (), hints)


def _conv(
    size: int,
    target: int,
    framework: str,
    pooling: bool,
    kernels: range,
    strides: range,
    dilations: range,
    modes: list[Any],
    found: Found,
) -> None:
    """The forward solutions: per (dilation, mode) the strides that can reach the target,
    per stride the kernels (and PyTorch paddings) computed directly."""
    extra = max((sum(m) for m in modes if isinstance(m, Pad)), default=0)
    for d in _dilations(dilations, size + target + extra + 2, found):
        # Keras rejects strided dilated convolutions.
        keras_dilated = framework == "keras" and d > 1
        usable = range(strides.start, min(strides.stop, 2)) if keras_dilated else strides
        if framework == "torch" and not modes:
            # Every symmetric padding that reaches the target, for each kernel.
            # O * s - 1 >= I + 2p - k_eff >= I - k_eff, and for pooling (p <= k // 2)
            # (O - 1) * s <= I + 2p - k_eff <= I.
            first = max(usable.start, ceil_div(size + 1 - _k_effs(kernels, d)[1], target))
            last = size // (target - 1) + 1 if pooling and target > 1 else usable.stop
            window = range(first, max(first, min(usable.stop, last)))

            def free(s: int, d: int = d) -> bool:
                return _torch_free_stride(size, target, kernels, s, d, pooling, found)

            _each_stride(window, size + 2, free)
            # PyTorch's "same" (stride 1, no pooling) is another solution.
            tried = [] if pooling else ["same"]
        else:
            tried = modes
        for mode in tried:
            checked = check_padding(mode, transpose=False)
            chosen = kernels
            if framework == "torch" and pooling and isinstance(checked, Pad):
                chosen = range(max(kernels.start, 2 * checked.before), kernels.stop)
            if not chosen:
                continue
            window = _forward_window(usable, size, target, checked, _k_effs(chosen, d))
            if checked == "same" and framework == "torch":
                window = range(window.start, min(window.stop, 2))
            extra = sum(checked) if isinstance(checked, Pad) else 0

            def one(s: int, d: int = d, mode: Any = mode, chosen: range = chosen) -> bool:
                before = len(found)
                checked = check_padding(mode, transpose=False)
                for k in _conv_kernels(size, target, chosen, s, d, checked):
                    _conv_solution(size, target, framework, pooling, k, s, d, mode, found)
                return len(found) > before

            _each_stride(window, size + extra + 2, one)


def _forward_window(
    strides: range, size: int, target: int, mode: str | Pad, k_effs: tuple[int, int]
) -> range:
    """The strides that can give ``target`` outputs: ceil(I / s) ("same"),
    floor((I - 1) / s) + 1 ("causal"), floor((I + before + after - k_eff) / s) + 1."""
    if mode in ("same", "causal"):
        if size == 0:
            return strides if target == 0 else range(0)
        if target == 0:
            return range(0)
        # (O - 1) * s < I <= O * s, or (O - 1) * s <= I - 1 < O * s
        first = ceil_div(size, target) if mode == "same" else (size - 1) // target + 1
        last = (size - 1) // (target - 1) if target > 1 else strides.stop
    else:
        room = size + (sum(mode) if isinstance(mode, Pad) else 0)  # I + before + after
        e_lo, e_hi = k_effs
        if target == 0 or room < e_lo:
            return range(0)
        # (O - 1) * s <= room - k_eff <= O * s - 1
        first = ceil_div(room + 1 - e_hi, target)
        last = (room - e_lo) // (target - 1) if target > 1 else strides.stop
    start = max(strides.start, first)
    return range(start, max(start, min(strides.stop, last + 1)))


def _torch_free_stride(
    size: int, target: int, kernels: range, s: int, d: int, pooling: bool, found: Found
) -> bool:
    """The solutions with stride s, PyTorch's padding solved for; whether there are any."""
    before = len(found)
    for k in _torch_kernels(size, target, kernels, s, d, pooling):
        k_eff = effective_kernel(k, d)
        for p in _torch_paddings(size, target, k_eff, s, k, pooling):
            _conv_solution(size, target, "torch", pooling, k, s, d, Pad(p, p), found)
    return len(found) > before


def _conv_kernels(size: int, target: int, kernels: range, s: int, d: int, mode: str | Pad) -> range:
    """The kernels with ``floor((I + before + after - k_eff) / s) + 1 == target``."""
    if mode == "same":  # ceil(I / s) whatever the kernel
        return kernels if ceil_div(size, s) == target else range(0)
    if mode == "causal":  # k_eff - 1 before: floor((I - 1) / s) + 1
        return kernels if (size - 1) // s + 1 == target else range(0)
    extra = sum(mode) if isinstance(mode, Pad) else 0  # "valid" or explicit
    return _kernels_between(
        kernels, d, size + extra - target * s + 1, size + extra - (target - 1) * s
    )


def _torch_kernels(size: int, target: int, kernels: range, s: int, d: int, pooling: bool) -> range:
    """The kernels for which :func:`_torch_paddings` is not empty."""
    parity = (size - target + 1) % 2 if s == 1 else None  # the padding is (I - O + ...)/2
    if pooling:  # d == 1 and p <= k // 2
        over = (target - 1) * s - size
        if over > 0 or (over == 0 and parity == 1):
            return range(0)
        if over == 0:
            parity = 0
    return _kernels_between(kernels, d, size - target * s + 1, parity=parity)


def _conv_solution(
    size: int,
    target: int,
    framework: str,
    pooling: bool,
    k: int,
    s: int,
    d: int,
    mode: Any,
    found: Found,
) -> None:
    k_eff = effective_kernel(k, d)
    checked = check_padding(mode, transpose=False)
    pad = _forward_pad(size, k_eff, s, checked)
    assert pad is not None
    length = _forward_length(size, k_eff, s, pad)
    if length != target or _forward_is_empty(size, length, checked):
        return
    kwargs = _forward_kwargs(framework, pooling, k, s, d, checked)
    shown = mode if isinstance(mode, str) else checked
    key = (k, s, d, str(shown) != "same", str(shown))
    _add(found, key, Solution(kwargs, target, pad))


def _conv_reasons(
    size: int,
    framework: str,
    pooling: bool,
    padding: Any,
    kernels: range,
    strides: range,
    dilations: range,
    modes: list[Any],
) -> Iterator[str]:
    """When nothing reaches the target: what each argument combination gives, in the
    order of the search, built only as far as they are shown."""
    if framework == "torch" and padding is None:
        if pooling or 1 not in strides:
            return  # only "same" (stride 1, no pooling) can miss: each padding p is solved for
        strides, modes = range(1, 2), ["same"]
    checked_modes = [check_padding(mode, transpose=False) for mode in modes]
    # Past the padded size only "same" and "causal" windows fit, and longer dilations neither.
    room = None
    if all(isinstance(mode, Pad) or mode in ("valid", "full") for mode in checked_modes):
        room = size + max(sum(mode) if isinstance(mode, Pad) else 0 for mode in checked_modes)
        room = room if "full" not in checked_modes else None
    for k in kernels:
        for s in strides:
            keras_strided = framework == "keras" and s > 1
            for d in range(dilations.start, min(dilations.stop, 2)) if keras_strided else dilations:
                k_eff = effective_kernel(k, d)
                if room is not None and k_eff > room:
                    break
                for mode in modes:
                    checked = check_padding(mode, transpose=False)
                    pad = _forward_pad(size, k_eff, s, checked)
                    assert pad is not None
                    length = _forward_length(size, k_eff, s, pad)
                    if not _forward_is_empty(size, length, checked):
                        shown = padding if padding is not None else mode
                        yield f"kernel_size={k}, stride={s}, padding={shown!r} gives {length}"


def _torch_paddings(size: int, target: int, k_eff: int, s: int, k: int, pooling: bool) -> range:
    """The symmetric paddings p with floor((I + 2p - k_eff) / s) + 1 == target
    (PyTorch pooling allows p <= k // 2 only)."""
    lowest = max(ceil_div((target - 1) * s + k_eff - size, 2), 0)
    highest = (target * s - 1 + k_eff - size) // 2
    if pooling:
        highest = min(highest, k // 2)
    return range(lowest, highest + 1)


def _forward_kwargs(
    framework: str, pooling: bool, k: int, s: int, d: int, mode: str | Pad
) -> dict[str, Any]:
    if framework == "keras":
        if pooling:
            return {"pool_size": k, "strides": s, "padding": mode}
        return {"kernel_size": k, "strides": s, "padding": mode, "dilation_rate": d}
    padding = mode.before if isinstance(mode, Pad) else mode
    if pooling:
        return {"kernel_size": k, "stride": s, "padding": padding}
    return {"kernel_size": k, "stride": s, "padding": padding, "dilation": d}


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

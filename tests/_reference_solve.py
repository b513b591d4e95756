"""Frozen copy of ``convshape.solve`` as it was before the planners pruned and the
solvers computed kernels directly (commit e01e2d2): the reference the speed tests and
``benchmarks/bench_plan.py`` compare against. Do not edit.

Inverse problems: which arguments take a length to a target length.

Every solver enumerates the whole search space within its bounds and keeps
what the core arithmetic maps to the target, so it is complete by
construction; the arithmetic itself is checked against the frameworks.

>>> from convshape import solve_conv_transpose
>>> best = solve_conv_transpose(7, 14, kernel_size=5)[0]
>>> best.kwargs
{'kernel_size': 5, 'strides': 2, 'padding': 'same', 'output_padding': None, 'dilation_rate': 1}
>>> best.crop
Pad(before=1, after=2)
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from convshape._types import Pad
from convshape._validate import check_padding, check_positive, check_size
from convshape.arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from convshape.errors import ConvShapeError

__all__ = [
    "Solution",
    "Solutions",
    "conv_input_lengths",
    "solve_conv",
    "solve_conv_transpose",
]

FRAMEWORKS = ("keras", "torch")


@dataclass(frozen=True)
class Solution:
    """One argument combination that reaches the target.

    ``kwargs`` uses the framework's own argument names; ``crop`` (transposed) or
    ``pad`` (forward) is the resulting (before, after) split; ``note`` says what a
    user porting it should know (e.g. that no torch arguments give Keras's "same" values).
    """

    kwargs: dict[str, Any]
    output: int
    split: Pad
    note: str = ""

    @property
    def crop(self) -> Pad:
        """Elements removed from the full transposed output (transposed solvers)."""
        return self.split

    @property
    def pad(self) -> Pad:
        """Zeros added to the input (forward solvers)."""
        return self.split

    def __str__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.kwargs.items())
        text = (
            f"{args} -> {self.output} (split {self.split.before} before, {self.split.after} after)"
        )
        return f"{text}; {self.note}" if self.note else text


@dataclass(frozen=True)
class Solutions(Sequence[Solution]):
    """The solutions of one problem, simplest first, and why there are none when empty."""

    problem: str
    solutions: tuple[Solution, ...]
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.solutions)

    def __getitem__(self, index: Any) -> Any:
        return self.solutions[index]

    def __iter__(self) -> Iterator[Solution]:
        return iter(self.solutions)

    def __str__(self) -> str:
        lines = [f"{self.problem}: {len(self.solutions)} solution(s)"]
        lines += [f"  {solution}" for solution in self.solutions]
        if not self.solutions and self.reason:
            lines.append(f"  {self.reason}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Solutions: {self.problem}: {len(self.solutions)} solution(s)>"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def _choices(fixed: object, name: str, upper: int) -> list[int]:
    if fixed is None:
        return list(range(1, upper + 1))
    return [check_positive(fixed, name)]


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
    return checked


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
    :func:`conv_transpose_crop`). For Keras, a length TensorFlow rejects at run time
    (even kernel, "same", output_padding=0) is no solution. ``framework="torch"``
    solves for PyTorch's ``padding``/``output_padding`` and says whether the crop is
    the one Keras's "same" would make.

    >>> [s.kwargs["strides"] for s in solve_conv_transpose(7, 14, kernel_size=5, padding="same")]
    [2, 2]
    >>> solve_conv_transpose(7, 15, kernel_size=5, stride=2, padding="same").reason
    "with kernel_size=5, strides=2, padding='same' the lengths that map back to 7 are 13..14"
    """
    size = _known(size, "size")
    target = _known(target, "target")
    framework = _check_framework(framework)
    kernels = _choices(kernel_size, "kernel_size", max_kernel_size)
    strides = _choices(stride, "stride", max_stride)
    dilations = _choices(dilation, "dilation", max_dilation)
    found: list[tuple[tuple[Any, ...], Solution]] = []
    reasons: list[str] = []
    for k, s, d in itertools.product(kernels, strides, dilations):
        k_eff = (k - 1) * d + 1
        if framework == "keras":
            found += _keras_transpose(
                size, target, k, s, d, k_eff, padding, output_padding, reasons
            )
        else:
            found += _torch_transpose(size, target, k, s, d, k_eff, padding, output_padding)
    found.sort(key=lambda item: item[0])
    solutions = tuple(solution for _, solution in found)
    problem = f"transposed convolution {size} -> {target} ({framework})"
    reason = "" if solutions else _no_solution(reasons, size, target)
    return Solutions(problem, solutions, reason, _torch_notes(size, target, framework, solutions))


def _keras_transpose(
    size: int,
    target: int,
    k: int,
    s: int,
    d: int,
    k_eff: int,
    padding: Any,
    output_padding: Any,
    reasons: list[str],
) -> list[tuple[tuple[Any, ...], Solution]]:
    if s > 1 and d > 1:  # Keras rejects strided dilated convolutions
        return []
    modes = ["same", "valid"] if padding is None else [check_padding(padding, transpose=True)]
    ops: Iterable[int | None] = [None, *range(s)] if output_padding is ... else [output_padding]
    out = []
    for mode, op in itertools.product(modes, ops):
        if op is not None and not 0 <= op < s:
            continue
        assert isinstance(mode, str)
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
            out.append((key, Solution(kwargs, target, crop)))
        elif (output_padding is ... and op is None) or op == output_padding:
            reasons.append(
                f"with kernel_size={k}, strides={s}, padding={mode!r} the lengths that map "
                f"back to {size} are {accepted.start}..{accepted.stop - 1}"
            )
    return out


def _torch_transpose(
    size: int,
    target: int,
    k: int,
    s: int,
    d: int,
    k_eff: int,
    padding: Any,
    output_padding: Any,
) -> list[tuple[tuple[Any, ...], Solution]]:
    ops = range(max(s, d)) if output_padding in (..., None) else [output_padding]
    out = []
    for op in ops:
        # O = (I - 1) * s - 2p + k_eff + op: at most one padding p reaches the target.
        twice_p = (size - 1) * s + k_eff + op - target
        if twice_p < 0 or twice_p % 2:
            continue
        p = twice_p // 2
        if padding is not None and p != padding:
            continue
        crop = Pad(p, p - op)
        keras_same = _transpose_crop(k_eff, s, "same", None)
        matches = keras_same == crop and (size - 1) * s + k_eff - sum(keras_same) == target
        kwargs = {"kernel_size": k, "stride": s, "padding": p, "output_padding": op, "dilation": d}
        note = "the crop Keras's padding='same' makes" if matches else ""
        out.append(((k_eff % s != 0, op > 0, k, s, d, p, op), Solution(kwargs, target, crop, note)))
    return out


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
        crop = _transpose_crop((k - 1) * d + 1, s, "same", None)
        if size * s == target and crop.after > crop.before:
            notes.append(
                f"kernel_size={k}, stride={s}: no torch arguments reproduce Keras's "
                f"padding='same' values (Keras crops {crop.before} before and {crop.after} "
                f"after); port it with padding={crop.before}, output_padding=0 and drop the "
                f"last {crop.after - crop.before} "
                f"element{'' if crop.after - crop.before == 1 else 's'}"
            )
    return tuple(notes)


def _geometry(solution: Solution) -> tuple[int, int, int]:
    kwargs = solution.kwargs
    return kwargs["kernel_size"], kwargs["stride"], kwargs["dilation"]


def _no_solution(reasons: list[str], size: int, target: int) -> str:
    if reasons and len(reasons) <= 4:
        return "; ".join(reasons)
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
    Keras modes are "valid" and "same" ("causal" when asked for); torch solves for
    the integer ``padding`` (and "same" where PyTorch allows it: stride 1, no pooling).

    >>> [str(s) for s in solve_conv(28, 14, kernel_size=5, stride=2)]
    ["kernel_size=5, strides=2, padding='same', dilation_rate=1 -> 14 (split 1 before, 2 after)"]
    >>> print(solve_conv(28, 13, kernel_size=5, stride=2).reason.replace("; ", "\\n"))
    kernel_size=5, stride=2, padding='same' gives 14
    kernel_size=5, stride=2, padding='valid' gives 12
    """
    size = _known(size, "size")
    target = _known(target, "target")
    framework = _check_framework(framework)
    kernels = _choices(kernel_size, "kernel_size", max_kernel_size)
    strides = _choices(stride, "stride", max_stride)
    dilations = [1] if pooling else _choices(dilation, "dilation", max_dilation)
    found: list[tuple[tuple[Any, ...], Solution]] = []
    reasons: list[str] = []
    for k, s, d in itertools.product(kernels, strides, dilations):
        k_eff = (k - 1) * d + 1
        if framework == "keras":
            if s > 1 and d > 1:
                continue
            modes: list[Any] = ["same", "valid"] if padding is None else [padding]
        elif padding is None:
            modes = [Pad(p, p) for p in _torch_paddings(size, target, k_eff, s, k, pooling)]
            if s == 1 and not pooling:
                modes.append("same")
        else:
            modes = [padding]
        for mode in modes:
            checked = check_padding(mode, transpose=False)
            pad = _forward_pad(size, k_eff, s, checked)
            assert pad is not None
            length = _forward_length(size, k_eff, s, pad)
            if _forward_is_empty(size, length, checked):
                continue
            if length != target:
                reasons.append(f"kernel_size={k}, stride={s}, padding={mode!r} gives {length}")
                continue
            kwargs = _forward_kwargs(framework, pooling, k, s, d, checked)
            shown = mode if isinstance(mode, str) else checked
            key = (k, s, d, str(shown) != "same", str(shown))
            found.append((key, Solution(kwargs, target, pad)))
    found.sort(key=lambda item: item[0])
    kind = "pooling" if pooling else "convolution"
    solutions = tuple(solution for _, solution in found)
    reason = "" if solutions else _no_solution(reasons, size, target)
    return Solutions(f"{kind} {size} -> {target} ({framework})", solutions, reason)


def _torch_paddings(size: int, target: int, k_eff: int, s: int, k: int, pooling: bool) -> range:
    """The symmetric paddings p with floor((I + 2p - k_eff) / s) + 1 == target
    (PyTorch pooling allows p <= k // 2 only)."""
    lowest = max(-(-((target - 1) * s + k_eff - size) // 2), 0)
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
    return _output_range(out, (k - 1) * d + 1, s, mode)

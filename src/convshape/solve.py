"""Inverse problems: which arguments take a length to a target length.

Every solver answers for the whole search space within its bounds: per stride,
mode and output_padding it computes the kernels whose length is the target (each
length formula is affine in k_eff, or depends only on its parity) and keeps those
the core arithmetic maps to the target, so it finds what enumerating every
combination would (the tests compare it with that search); the arithmetic itself is
checked against the frameworks.

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._types import Pad
from ._validate import check_padding, check_positive, check_size
from .arithmetic import (
    _forward_is_empty,
    _forward_length,
    _forward_pad,
    _output_range,
    _transpose_crop,
    _transpose_length,
)
from .errors import ConvShapeError

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


def _choices(fixed: object, name: str, upper: int) -> range:
    """The values an argument ranges over: the one given, or ``1..upper``."""
    if fixed is None:
        return range(1, upper + 1)
    value = check_positive(fixed, name)
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
    return checked


def _kernels_between(
    kernels: range, d: int, low: int, high: int | None = None, parity: int | None = None
) -> range:
    """The kernels k whose k_eff = (k - 1) * d + 1 lies in ``low..high`` (no upper bound
    when None) and, when given, has this parity."""
    first = max(kernels.start, -((1 - low) // d) + 1)
    stop = kernels.stop if high is None else min(kernels.stop, (high - 1) // d + 2)
    if parity is None:
        return range(first, stop)
    if d % 2 == 0:  # (k - 1) * d + 1 is odd for every k
        return range(first, stop) if parity == 1 else range(0)
    # d odd: k_eff has the parity of k.
    return range(first + (first - parity) % 2, stop, 2)


Found = list[tuple[tuple[Any, ...], Solution]]


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
    found: Found = []
    if kernels:
        solve = _keras_transpose if framework == "keras" else _torch_transpose
        solve(size, target, kernels, strides, dilations, padding, output_padding, found)
    found.sort(key=lambda item: item[0])
    solutions = tuple(solution for _, solution in found)
    problem = f"transposed convolution {size} -> {target} ({framework})"
    reason = ""
    if not solutions:
        reasons = (
            _keras_transpose_reasons(size, kernels, strides, dilations, padding, output_padding)
            if framework == "keras"
            else iter(())
        )
        reason = _no_solution(reasons, size, target)
    return Solutions(problem, solutions, reason, _torch_notes(size, target, framework, solutions))


def _keras_transpose(
    size: int,
    target: int,
    kernels: range,
    strides: range,
    dilations: range,
    padding: Any,
    output_padding: Any,
    found: Found,
) -> None:
    """Keras's solutions, the kernels computed directly per (stride, mode, output_padding)."""
    # Other output_padding types go through every kernel, as the formulas assume ints.
    direct = output_padding is ... or output_padding is None or type(output_padding) is int
    modes: list[str | Pad] | None = None
    for s in strides:
        for d in dilations:
            if s > 1 and d > 1:  # Keras rejects strided dilated convolutions
                continue
            if modes is None:
                modes = (
                    ["same", "valid"]
                    if padding is None
                    else [check_padding(padding, transpose=True)]
                )
            ops: list[Any] = [None, *range(s)] if output_padding is ... else [output_padding]
            for mode, op in itertools.product(modes, ops):
                if op is not None and not 0 <= op < s:
                    continue
                assert isinstance(mode, str)
                if direct:
                    candidates = _keras_transpose_kernels(size, target, kernels, s, d, mode, op)
                else:
                    candidates = kernels
                for k in candidates:
                    _keras_transpose_solution(size, target, k, s, d, mode, op, found)


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
    if mode == "valid":
        if op is None:  # max(k_eff, s)
            if rest == s:
                return _kernels_between(kernels, d, 1, s)
            return _kernels_between(kernels, d, rest, rest) if rest > s else range(0)
        return _kernels_between(kernels, d, rest - op, rest - op)  # k_eff + op
    k_eff = 2 + (op or 0) - rest  # "full": 2 - k_eff + op
    return _kernels_between(kernels, d, k_eff, k_eff)


def _keras_transpose_solution(
    size: int, target: int, k: int, s: int, d: int, mode: str, op: Any, found: Found
) -> None:
    k_eff = (k - 1) * d + 1
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
        found.append((key, Solution(kwargs, target, crop)))


def _keras_transpose_reasons(
    size: int,
    kernels: range,
    strides: range,
    dilations: range,
    padding: Any,
    output_padding: Any,
) -> Iterator[str]:
    """When nothing reaches the target: the lengths each argument combination accepts,
    in the order of the search, built only as far as they are shown."""
    op = None if output_padding is ... else output_padding
    for k, s, d in itertools.product(kernels, strides, dilations):
        if s > 1 and d > 1:
            continue
        k_eff = (k - 1) * d + 1
        modes = ["same", "valid"] if padding is None else [check_padding(padding, transpose=True)]
        for mode in modes:
            if op is not None and not 0 <= op < s:
                continue
            length = _transpose_length(size, k_eff, s, _transpose_crop(k_eff, s, mode, op))
            accepted = _output_range(size, k_eff, s, mode) if size else range(0, length + 1)
            yield (
                f"with kernel_size={k}, strides={s}, padding={mode!r} the lengths that map "
                f"back to {size} are {accepted.start}..{accepted.stop - 1}"
            )


def _torch_transpose(
    size: int,
    target: int,
    kernels: range,
    strides: range,
    dilations: range,
    padding: Any,
    output_padding: Any,
    found: Found,
) -> None:
    """PyTorch's solutions: O = (I - 1) * s - 2p + k_eff + op, so k_eff - 2p is fixed."""
    direct = padding is None or type(padding) is int
    for s in strides:
        for d in dilations:
            ops = range(max(s, d)) if output_padding in (..., None) else [output_padding]
            for op in ops:
                if direct and type(op) is int:
                    need = target - (size - 1) * s - op  # k_eff - 2p
                    if padding is None:
                        candidates = _kernels_between(kernels, d, need, parity=need % 2)
                    else:
                        candidates = _kernels_between(
                            kernels, d, need + 2 * padding, need + 2 * padding
                        )
                else:
                    candidates = kernels
                for k in candidates:
                    _torch_transpose_solution(size, target, k, s, d, padding, op, found)


def _torch_transpose_solution(
    size: int, target: int, k: int, s: int, d: int, padding: Any, op: Any, found: Found
) -> None:
    k_eff = (k - 1) * d + 1
    # O = (I - 1) * s - 2p + k_eff + op: at most one padding p reaches the target.
    twice_p = (size - 1) * s + k_eff + op - target
    if twice_p < 0 or twice_p % 2:
        return
    p = twice_p // 2
    if padding is not None and p != padding:
        return
    crop = Pad(p, p - op)
    keras_same = _transpose_crop(k_eff, s, "same", None)
    matches = keras_same == crop and (size - 1) * s + k_eff - sum(keras_same) == target
    kwargs = {"kernel_size": k, "stride": s, "padding": p, "output_padding": op, "dilation": d}
    note = "the crop Keras's padding='same' makes" if matches else ""
    found.append(((k_eff % s != 0, op > 0, k, s, d, p, op), Solution(kwargs, target, crop, note)))


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
                f"last {crop.after - crop.before} element(s)"
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
    dilations = range(1, 2) if pooling else _choices(dilation, "dilation", max_dilation)
    found: Found = []
    if kernels:
        _conv(size, target, framework, pooling, kernels, strides, dilations, padding, found)
    found.sort(key=lambda item: item[0])
    kind = "pooling" if pooling else "convolution"
    solutions = tuple(solution for _, solution in found)
    reason = ""
    if not solutions:
        reasons = _conv_reasons(size, framework, pooling, kernels, strides, dilations, padding)
        reason = _no_solution(reasons, size, target)
    return Solutions(f"{kind} {size} -> {target} ({framework})", solutions, reason)


def _conv(
    size: int,
    target: int,
    framework: str,
    pooling: bool,
    kernels: range,
    strides: range,
    dilations: range,
    padding: Any,
    found: Found,
) -> None:
    """The forward solutions, the kernels computed directly per (stride, dilation, mode)."""
    for s in strides:
        for d in dilations:
            if framework == "keras":
                if s > 1 and d > 1:
                    continue
                modes: list[Any] = ["same", "valid"] if padding is None else [padding]
            elif padding is None:
                # Every symmetric padding that reaches the target, for each kernel.
                for k in _torch_kernels(size, target, kernels, s, d, pooling):
                    k_eff = (k - 1) * d + 1
                    for p in _torch_paddings(size, target, k_eff, s, k, pooling):
                        _conv_solution(size, target, framework, pooling, k, s, d, Pad(p, p), found)
                modes = ["same"] if s == 1 and not pooling else []
            else:
                modes = [padding]
            for mode in modes:
                checked = check_padding(mode, transpose=False)
                for k in _conv_kernels(size, target, kernels, s, d, checked):
                    _conv_solution(size, target, framework, pooling, k, s, d, mode, found)


def _conv_kernels(size: int, target: int, kernels: range, s: int, d: int, mode: str | Pad) -> range:
    """The kernels with ``floor((I + before + after - k_eff) / s) + 1 == target``."""
    if mode == "same":  # ceil(I / s) whatever the kernel
        return kernels if -(-size // s) == target else range(0)
    if mode == "causal":  # k_eff - 1 before: floor((I - 1) / s) + 1
        return kernels if (size - 1) // s + 1 == target else range(0)
    if mode == "full":  # k_eff - 1 on each side: floor((I + k_eff - 2) / s) + 1
        return _kernels_between(kernels, d, (target - 1) * s - size + 2, target * s - size + 1)
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
    k_eff = (k - 1) * d + 1
    checked = check_padding(mode, transpose=False)
    pad = _forward_pad(size, k_eff, s, checked)
    assert pad is not None
    length = _forward_length(size, k_eff, s, pad)
    if length != target or _forward_is_empty(size, length, checked):
        return
    kwargs = _forward_kwargs(framework, pooling, k, s, d, checked)
    shown = mode if isinstance(mode, str) else checked
    key = (k, s, d, str(shown) != "same", str(shown))
    found.append((key, Solution(kwargs, target, pad)))


def _conv_reasons(
    size: int,
    framework: str,
    pooling: bool,
    kernels: range,
    strides: range,
    dilations: range,
    padding: Any,
) -> Iterator[str]:
    """When nothing reaches the target: what each argument combination gives, in the
    order of the search, built only as far as they are shown."""
    if framework == "torch" and padding is None and (pooling or 1 not in strides):
        return  # only "same" (stride 1, no pooling) can miss: each padding p is solved for
    for k, s, d in itertools.product(kernels, strides, dilations):
        k_eff = (k - 1) * d + 1
        if framework == "keras":
            if s > 1 and d > 1:
                continue
            modes: list[Any] = ["same", "valid"] if padding is None else [padding]
        elif padding is None:
            modes = ["same"] if s == 1 else []
        else:
            modes = [padding]
        for mode in modes:
            checked = check_padding(mode, transpose=False)
            pad = _forward_pad(size, k_eff, s, checked)
            assert pad is not None
            length = _forward_length(size, k_eff, s, pad)
            if not _forward_is_empty(size, length, checked):
                yield f"kernel_size={k}, stride={s}, padding={mode!r} gives {length}"


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

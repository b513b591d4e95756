"""Keras's layers in the solvers: the padding modes its layers take, its transposed
search (per dilation, mode and output_padding the strides that can reach the target, per
stride the output_paddings and kernels computed directly), the lengths its layers accept
when none reaches the target, and the names of its arguments.
:data:`KERAS` is the record ``convshape._frameworks`` holds as Keras's ``solver``."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

from ._core import effective_kernel
from ._solve_space import (
    Found,
    Search,
    _add,
    _dilations,
    _dilations_for,
    _each_stride,
    _k_effs,
    _kernels_between,
    _padding_error,
    _strides_for,
    _window,
)
from ._validate import check_padding
from .arithmetic import _output_range, _transpose_crop, _transpose_length


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
        usable = _strides_for(strides, d, KERAS.strided_dilation)
        e_lo, e_hi = _k_effs(kernels, d)
        for padding in modes:
            mode = check_padding(padding, transpose=True)
            assert isinstance(mode, str)
            for op in [None, ...] if output_padding is ... else [output_padding]:
                window = _keras_transpose_window(usable, size, target, mode, op, e_lo, e_hi)
                stable_s = max(target, op if type(op) is int else 0) + 2 if size <= 1 else None
                solve = functools.partial(
                    _keras_transpose_stride, size, target, kernels, d, mode, op, e_lo, e_hi, found
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
    d: int,
    mode: str,
    output_padding: Any,
    e_lo: int,
    e_hi: int,
    found: Found,
    s: int,
) -> bool:
    """The solutions with stride s (last: the walk over strides gives it); whether there
    are any."""
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
        _add(found, key, kwargs, crop)


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
            for d in _dilations_for(dilations, s, KERAS.strided_dilation):
                k_eff = effective_kernel(k, d)
                for padding in modes:
                    mode = check_padding(padding, transpose=True)
                    length = _transpose_length(size, k_eff, s, _transpose_crop(k_eff, s, mode, op))
                    accepted = _output_range(size, k_eff, s, mode) if size else range(0, length + 1)
                    yield (
                        f"with kernel_size={k}, strides={s}, padding={mode!r} the lengths "
                        f"that map back to {size} are {accepted.start}..{accepted.stop - 1}"
                    )


def _transpose_padding(padding: object) -> list[Any]:
    return _keras_modes(padding, transpose=True)


def _forward_modes(padding: object, pooling: bool, strides: range) -> list[Any]:
    return _keras_modes(padding, transpose=False, pooling=pooling)


def _no_notes(size: int, target: int, solutions: Sequence[Any]) -> tuple[str, ...]:
    return ()


#: How the solvers search Keras's layers.
KERAS = Search(
    name="keras",
    empty="",
    strided_dilation=False,  # Keras rejects strided dilated convolutions
    same_stride=None,
    pool_padding_half=False,
    also=(),
    other="framework='torch' (explicit paddings)",
    transpose_padding=_transpose_padding,
    transpose=_keras_transpose,
    transpose_reasons=_keras_transpose_reasons,
    transpose_notes=_no_notes,
    forward_modes=_forward_modes,
    free=None,
    names=("pool_size", "kernel_size", "strides", "dilation_rate"),
)

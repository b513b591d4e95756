"""The forward solvers' search, shared by every framework: per (dilation, mode) the
strides that can give the target, per stride the kernels that do, computed directly; and,
when nothing does, what each argument combination gives. A framework's :class:`Search`
says what differs: which strides and dilations go together, the paddings it solves for,
its limits on "same" and on a pooling's padding, and the names of its arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._core import ceil_div, effective_kernel
from ._solve_space import (
    Found,
    Search,
    _add,
    _dilations,
    _dilations_for,
    _each_stride,
    _k_effs,
    _kernels_between,
    _strides_for,
)
from ._types import Pad
from ._validate import check_padding
from .arithmetic import _forward_is_empty, _forward_length, _forward_pad


def _conv(
    size: int,
    target: int,
    search: Search,
    pooling: bool,
    kernels: range,
    strides: range,
    dilations: range,
    modes: list[Any],
    found: Found,
) -> None:
    """The forward solutions: per (dilation, mode) the strides that can reach the target,
    per stride the kernels computed directly; without modes, the paddings the framework
    solves for (``search.free``) and the modes it tries besides."""
    extra = max((sum(m) for m in modes if isinstance(m, Pad)), default=0)
    for d in _dilations(dilations, size + target + extra + 2, found):
        usable = _strides_for(strides, d, search.strided_dilation)
        if modes:
            tried = modes
        else:
            assert search.free is not None
            search.free(size, target, kernels, usable, d, pooling, found)
            tried = [] if pooling else list(search.also)
        for mode in tried:
            checked = check_padding(mode, transpose=False)
            chosen = kernels
            if search.pool_padding_half and pooling and isinstance(checked, Pad):
                chosen = range(max(kernels.start, 2 * checked.before), kernels.stop)
            if not chosen:
                continue
            window = _forward_window(usable, size, target, checked, _k_effs(chosen, d))
            if checked == "same" and search.same_stride is not None:
                window = range(window.start, min(window.stop, search.same_stride + 1))
            extra = sum(checked) if isinstance(checked, Pad) else 0

            def one(s: int, d: int = d, mode: Any = mode, chosen: range = chosen) -> bool:
                before = len(found)
                checked = check_padding(mode, transpose=False)
                for k in _conv_kernels(size, target, chosen, s, d, checked):
                    _conv_solution(size, target, search.names, pooling, k, s, d, mode, found)
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


def _conv_solution(
    size: int,
    target: int,
    names: tuple[str, str, str, str],
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
    kwargs = _kwargs(names, pooling, k, s, d, checked)
    shown = mode if isinstance(mode, str) else checked
    key = (k, s, d, str(shown) != "same", str(shown))
    _add(found, key, kwargs, pad)


def _conv_reasons(
    size: int,
    search: Search,
    pooling: bool,
    padding: Any,
    kernels: range,
    strides: range,
    dilations: range,
    modes: list[Any],
) -> Iterator[str]:
    """When nothing reaches the target: what each argument combination gives, in the
    order of the search, built only as far as they are shown."""
    if not modes:
        # Each padding was solved for: only the modes tried besides (convolutions only,
        # PyTorch's "same" at stride 1) can miss.
        last = strides.stop if search.same_stride is None else search.same_stride + 1
        strides = range(strides.start, min(strides.stop, last))
        if pooling or not strides:
            return
        modes = list(search.also)
    checked_modes = [check_padding(mode, transpose=False) for mode in modes]
    # Past the padded size only "same" and "causal" windows fit, and longer dilations neither.
    room = None
    if all(isinstance(mode, Pad) or mode in ("valid", "full") for mode in checked_modes):
        room = size + max(sum(mode) if isinstance(mode, Pad) else 0 for mode in checked_modes)
        room = room if "full" not in checked_modes else None
    for k in kernels:
        for s in strides:
            for d in _dilations_for(dilations, s, search.strided_dilation):
                k_eff = effective_kernel(k, d)
                if room is not None and k_eff > room:
                    break
                for mode in modes:
                    checked = check_padding(mode, transpose=False)
                    if checked == "same" and s > (search.same_stride or s):
                        continue  # PyTorch's "same" takes stride 1 only
                    pad = _forward_pad(size, k_eff, s, checked)
                    assert pad is not None
                    length = _forward_length(size, k_eff, s, pad)
                    if not _forward_is_empty(size, length, checked):
                        shown = padding if padding is not None else mode
                        yield f"kernel_size={k}, stride={s}, padding={shown!r} gives {length}"


def _kwargs(
    names: tuple[str, str, str, str], pooling: bool, k: int, s: int, d: int, mode: str | Pad
) -> dict[str, Any]:
    """A forward layer's arguments under the framework's ``names`` (see :class:`Search`):
    a padding mode as given, an explicit (symmetric) padding as its one int."""
    pool_size, kernel_size, stride, dilation = names
    padding = mode.before if isinstance(mode, Pad) else mode
    if pooling:
        return {pool_size: k, stride: s, "padding": padding}
    return {kernel_size: k, stride: s, "padding": padding, dilation: d}

"""PyTorch's layers in the solvers: the int ``padding`` (and the strings) its layers
take, its transposed search (``O = (I - 1) * s + k_eff + op - 2p``, the output_paddings,
kernels and the one padding per stride computed directly), the notes on Keras's "same"
crops no PyTorch arguments reproduce, the forward paddings solved for (symmetric, at most
half the kernel for pooling), and the names of its arguments. :data:`TORCH` is the
record ``convshape._frameworks`` holds as PyTorch's ``solver``."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._core import ceil_div, effective_kernel, full_transposed_length, same_crop
from ._render import counted
from ._solve_forward import _conv_solution
from ._solve_space import (
    Found,
    Search,
    _add,
    _dilations,
    _each_stride,
    _k_effs,
    _kernels_between,
    _padding_error,
    _window,
    _writable,
)
from ._types import Pad
from ._validate import as_int
from .torch import functional as pt
from .torch._crop import largest_output_padding, pad_of, padding_for_crop

if TYPE_CHECKING:
    from .solve import Solution


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
    _add(found, (k_eff % s != 0, op > 0, k, s, d, p, op), kwargs, crop, note)


def _torch_notes(size: int, target: int, solutions: tuple[Solution, ...]) -> tuple[str, ...]:
    """The kernels and strides whose Keras "same" reaches the target but whose values no
    torch arguments reproduce (Keras's crop is not symmetric)."""
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


def _free(
    size: int, target: int, kernels: range, strides: range, d: int, pooling: bool, found: Found
) -> None:
    """Every symmetric padding that reaches the target, for each kernel, per stride."""
    # O * s - 1 >= I + 2p - k_eff >= I - k_eff, and for pooling (p <= k // 2)
    # (O - 1) * s <= I + 2p - k_eff <= I.
    first = max(strides.start, ceil_div(size + 1 - _k_effs(kernels, d)[1], target))
    last = size // (target - 1) + 1 if pooling and target > 1 else strides.stop
    window = range(first, max(first, min(strides.stop, last)))

    def free(s: int) -> bool:
        return _torch_free_stride(size, target, kernels, s, d, pooling, found)

    _each_stride(window, size + 2, free)


def _torch_free_stride(
    size: int, target: int, kernels: range, s: int, d: int, pooling: bool, found: Found
) -> bool:
    """The solutions with stride s, PyTorch's padding solved for; whether there are any."""
    before = len(found)
    for k in _torch_kernels(size, target, kernels, s, d, pooling):
        k_eff = effective_kernel(k, d)
        for p in _torch_paddings(size, target, k_eff, s, k, pooling):
            _conv_solution(size, target, TORCH.names, pooling, k, s, d, pad_of(p), found)
    return len(found) > before


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


def _torch_paddings(size: int, target: int, k_eff: int, s: int, k: int, pooling: bool) -> range:
    """The symmetric paddings p with floor((I + 2p - k_eff) / s) + 1 == target
    (PyTorch pooling allows p <= k // 2 only)."""
    lowest = max(ceil_div((target - 1) * s + k_eff - size, 2), 0)
    highest = (target * s - 1 + k_eff - size) // 2
    if pooling:
        highest = min(highest, k // 2)
    return range(lowest, highest + 1)


def _transpose_padding(padding: object) -> Any:
    return _torch_padding(padding, transpose=True, pooling=False)


def _no_reasons(*_: object) -> Iterator[str]:
    """PyTorch's transposed search solves for every padding and output_padding: when none
    reaches the target, no argument combination is worth listing."""
    return iter(())


def _forward_modes(padding: object, pooling: bool, strides: range) -> list[Any]:
    fixed = _torch_padding(padding, transpose=False, pooling=pooling)
    if fixed == "same" and strides.start > 1:
        raise _padding_error(padding, "PyTorch takes padding='same' for stride 1 only")
    return [] if fixed is None else [pad_of(fixed) if type(fixed) is int else fixed]


#: How the solvers search PyTorch's layers.
TORCH = Search(
    name="torch",
    empty="PyTorch rejects an empty input or output",
    strided_dilation=True,
    same_stride=1,
    pool_padding_half=True,
    also=("same",),
    other="",
    transpose_padding=_transpose_padding,
    transpose=_torch_transpose,
    transpose_reasons=_no_reasons,
    transpose_notes=_torch_notes,
    forward_modes=_forward_modes,
    free=_free,
    names=("kernel_size", "kernel_size", "stride", "dilation"),
)

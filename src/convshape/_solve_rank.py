"""How the solvers order their solutions and merge the spellings of one layer: an
engineer's order (no layer :func:`convshape.check` flags, the usual kernel sizes, the
smallest crop or padding, the plainest spelling), and one solution for the spellings that
build the same layer on every input size (the others in its ``same_as``)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._core import effective_kernel

if TYPE_CHECKING:
    from .solve import Solution

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


@dataclasses.dataclass(frozen=True)
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
        merged.append(dataclasses.replace(first, note=note, same_as=aliases))
    keys = {id(solution): _rank_key(solution, pooling) for solution in merged}
    return tuple(sorted(merged, key=lambda solution: keys[id(solution)]))

"""The planners' words after an empty answer: why no plan takes the start to the target
and what to ask instead (:func:`_why_none`, cheap reasons only, no second search), and
which kernels :func:`convshape.check` ruled out along the way."""

from __future__ import annotations

from ._core import ceil_div
from ._plan_search import _Planner


def _refused(planner: _Planner | None) -> str:
    """The (kernel, stride) pairs check() ruled out along the way, if any."""
    if planner is None:
        return ""
    refused = [
        (k, s)
        for s, usable in sorted(planner.usable_kernels.items())
        for k in planner.kernels
        if k not in usable
    ]
    if not refused:
        return ""
    shown = ", ".join(f"kernel {k} with stride {s}" for k, s in refused[:6])
    more = f" and {len(refused) - 6} more" if len(refused) > 6 else ""
    why = "uneven overlap or output positions no tap reaches" if planner.up else "inputs never read"
    return f" convshape.check() ruled out {shown}{more} ({why})."


def _layers(up: bool) -> str:
    return "Conv2DTranspose" if up else "Conv2D"


def _flagged_reason(planner: _Planner) -> str:
    """When check() refused every kernel with every stride the search tried: which, and
    what to add."""
    tried = sorted(planner.usable_kernels)
    every = planner.max_stride < 2 or tried == list(range(2, planner.max_stride + 1))
    if any(planner.usable_kernels.values()) or not every:
        return ""
    sizes = ", ".join(map(str, planner.kernels))
    strides = ", ".join(map(str, tried)) if tried else f"2..{planner.requested_stride}"
    with_strides = f"with stride{'s' * (len(tried) != 1)} {strides}"
    if planner.up:
        return (
            f"convshape.check() flags kernel sizes {sizes} {with_strides}: a "
            "transposed kernel the stride does not divide overlaps unevenly (the "
            "checkerboard) or leaves output positions no tap reaches. Add a kernel size "
            "the stride divides: kernel_sizes=(4,) for stride 2, (3,) for stride 3."
        )
    return (
        f"convshape.check() flags kernel sizes {sizes} {with_strides}: a window "
        "shorter than its stride never reads some inputs. Add a kernel at least as long "
        "as the stride, such as 3 for stride 2."
    )


def _why_none(  # noqa: PLR0911  (one return per reason)
    start: int,
    target: int,
    max_stride: int,
    kernels: list[int],
    modes: list[str],
    max_layers: int,
    up: bool,
    planner: _Planner | None = None,
) -> str:
    """Why no plan takes ``start`` to ``target``, and what to ask instead: cheap reasons
    only (no second search)."""
    one = "solve_conv_transpose" if up else "solve_conv"
    name = "plan_upsampling" if up else "plan_downsampling"
    if start == target:
        return f"{start} and {target} are equal: no strided layer is needed."
    if up != (target > start):
        other = "plan_downsampling" if up else "plan_upsampling"
        verb = "grows" if up else "shrinks"
        return f"{name} {verb} its input: {other}({start}, {target}) plans the other way."
    if max_stride < 2:
        return (
            f"max_stride={max_stride}: a plan's layers have strides 2 or more; "
            f"{one}({start}, {target}) finds one layer of stride 1."
        )
    if not kernels:
        return "kernel_sizes is empty: pass the kernel sizes to choose from, such as (3, 4, 5)."
    # One layer of stride 2 or more takes I to at least 2 * I - 1, or to at most ceil(I / 2).
    nearest = 2 * start - 1 if up else ceil_div(start, 2)
    if (up and target < nearest) or (not up and target > nearest):
        return (
            f"A layer of stride 2 or more takes {start} to {'at least' if up else 'at most'} "
            f"{nearest}: {one}({start}, {target}) finds one layer of stride 1."
        )
    flagged = "" if planner is None else _flagged_reason(planner)
    if flagged:
        return flagged
    padding = f"padding {modes[0]!r} (else {modes[1]!r}{' or an output_padding' if up else ''})"
    searched = (
        f"No stack of at most {max_layers} {_layers(up)} layers with strides 2..{max_stride}, "
        f"kernel sizes {', '.join(map(str, kernels))} and {padding}, each one "
        f"convshape.check() accepts, takes {start} to {target}.{_refused(planner)}"
    )
    longest = min(max_stride, kernels[-1])
    reach = start
    for _ in range(min(max_layers, 64)):
        reach = reach * longest + kernels[-1] - 1 if up else max(reach // longest, 1)
    if (up and reach < target) or (not up and reach > target):
        return (
            f"{searched} {max_layers} layers of stride {longest} or less "
            f"{'reach at most' if up else 'shrink it to no less than'} about {reach}: "
            f"raise max_layers (or max_stride, with kernel sizes as long as the stride)."
        )
    return (
        f"{searched} Try max_layers={max_layers + 1}, other kernel_sizes (a kernel the "
        f"stride divides{' for upsampling' if up else ''}), or padding="
        f"{modes[1]!r}."
    )

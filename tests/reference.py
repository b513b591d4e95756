"""Brute-force, pure-Python references: scatter for transposed, gather for forward.

They know nothing of padding modes: they take the (before, after) pair
explicitly, so they check the resolvers from outside.
"""

from __future__ import annotations

from collections.abc import Sequence

Number = float


def scatter_full(
    x: Sequence[Number], w: Sequence[Number], stride: int, dilation: int
) -> list[Number]:
    """The full transposed output: every input element stamps the kernel at i * stride."""
    k_eff = (len(w) - 1) * dilation + 1
    full = [0.0] * max((len(x) - 1) * stride + k_eff, 0)
    for i, xi in enumerate(x):
        for t, wt in enumerate(w):
            full[i * stride + t * dilation] += xi * wt
    return full


def transpose_cropped(
    x: Sequence[Number], w: Sequence[Number], stride: int, dilation: int, before: int, length: int
) -> list[Number]:
    """Output ``j`` is full-output element ``j + before``; outside the full output it is 0."""
    full = scatter_full(x, w, stride, dilation)
    return [full[j + before] if 0 <= j + before < len(full) else 0.0 for j in range(length)]


def window_starts(size: int, k_eff: int, stride: int, before: int, after: int) -> list[int]:
    """Start positions (in input coordinates) of every window that fits the padded input."""
    starts = []
    start = -before
    while start + k_eff <= size + after:
        starts.append(start)
        start += stride
    return starts


def forward_gather(
    x: Sequence[Number], w: Sequence[Number], stride: int, dilation: int, before: int, after: int
) -> list[Number]:
    """Cross-correlation of zero-padded ``x`` with ``w``, window by window."""
    k_eff = (len(w) - 1) * dilation + 1
    out = []
    for start in window_starts(len(x), k_eff, stride, before, after):
        total = 0.0
        for t, wt in enumerate(w):
            position = start + t * dilation
            if 0 <= position < len(x):
                total += x[position] * wt
        out.append(total)
    return out


def transpose_gather(
    x: Sequence[Number],
    w: Sequence[Number],
    stride: int,
    dilation: int,
    length: int,
    before: int,
    after: int,
) -> list[Number]:
    """The adjoint of :func:`forward_gather` on an input of ``length``: output j collects
    x[i] * w[t] for every forward window i whose tap t reads position j."""
    k_eff = (len(w) - 1) * dilation + 1
    out = [0.0] * length
    for i, start in enumerate(window_starts(length, k_eff, stride, before, after)):
        if i >= len(x):
            break
        for t, wt in enumerate(w):
            position = start + t * dilation
            if 0 <= position < length:
                out[position] += x[i] * wt
    return out


def pool_gather(
    x: Sequence[Number], pool: int, stride: int, before: int, after: int, kind: str
) -> list[Number]:
    """Max or average over the real (not padded) elements of each window, as TensorFlow pools."""
    out = []
    for start in window_starts(len(x), pool, stride, before, after):
        inside = [x[p] for p in range(start, start + pool) if 0 <= p < len(x)]
        out.append(max(inside) if kind == "max" else sum(inside) / len(inside))
    return out

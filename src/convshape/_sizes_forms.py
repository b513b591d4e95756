"""How the input-size answer is told: the closed form of an axis's valid lengths (a
period among the divisors of the total stride, its offsets and the smallest length),
the lengths as runs where there is none, and the reason in words (the layers that divide,
trim or compare the length).

>>> closed_form(tuple(range(1, 41)), set(range(4, 41, 4)), 8)
(4, (0,), 4)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._render import counted


def closed_form(
    tried: tuple[int, ...], valid: set[int], strides: int
) -> tuple[int | None, tuple[int, ...] | None, int | None]:
    """The smallest period among the divisors of the total stride that the tried
    lengths (beyond the smallest valid one) follow, with its offsets."""
    if not valid:
        return None, None, None
    smallest = min(valid)
    span = [n for n in tried if n >= smallest]
    if len(span) < 2 or span != list(range(smallest, span[-1] + 1)):
        return None, None, smallest
    for period in _divisors(strides):
        if 2 * period > len(span):
            break
        offsets = {n % period for n in valid}
        if all((n in valid) == (n % period in offsets) for n in span):
            return period, tuple(sorted(offsets)), smallest
    return None, None, smallest


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted({*small, *(n // d for d in small)})


def runs(values: Sequence[int], most: int = 8) -> str:
    """Sorted lengths as runs, ``25..28, 31``; past ``most`` runs, how many more.

    >>> runs((25, 26, 27, 28, 31)), runs(tuple(range(0, 40, 2)), most=3)
    ('25..28, 31', '0, 2, 4 and 17 more')
    """
    spans: list[list[int]] = []
    for value in values:
        if spans and value == spans[-1][1] + 1:
            spans[-1][1] = value
        else:
            spans.append([value, value])
    text = [f"{a}..{b}" if b > a + 1 else (f"{a}, {b}" if b > a else str(a)) for a, b in spans]
    if len(spans) > most:
        return f"{', '.join(text[:most])} and {len(spans) - most} more"
    return ", ".join(text)


def reason(
    down: Sequence[tuple[str, int]], trimming: Sequence[str], merges: Sequence[str], strides: int
) -> str:
    """Why an axis has its valid lengths: the layers that divide it (``down``, with their
    strides, ``strides`` in all), trim it (valid windows) and compare it (merges).

    >>> reason([("pool", 2)], ["conv", "conv"], ["add"], 2)
    'pool divide the length by 2 = 2; 1 layer without padding trims it (conv), which sets \
the smallest length; add join paths that must agree, which they do only where every \
division is exact.'
    """
    trimming = list(dict.fromkeys(trimming))
    parts = []
    if down:
        names = ", ".join(name for name, _ in down)
        factors = " x ".join(str(s) for _, s in down)
        parts.append(f"{names} divide the length by {factors} = {strides}")
    if trimming:
        parts.append(
            f"{counted(len(trimming), 'layer')} without padding "
            f"{'trims' if len(trimming) == 1 else 'trim'} it ({', '.join(trimming[:4])}"
            f"{', ...' if len(trimming) > 4 else ''}), which sets the smallest length"
        )
    if merges:
        listed = ", ".join(merges[:4]) + (", ..." if len(merges) > 4 else "")
        parts.append(
            f"{listed} join paths that must agree"
            + (", which they do only where every division is exact" if down else "")
        )
    if not parts:
        return "no layer divides, trims or compares this length."
    return "; ".join(parts) + "."

"""The solvers' words: what a crop or a padding does (:func:`crop_words`,
:func:`pad_words`), and after an empty answer the reason (:func:`_no_solution`) and the
hints (:func:`_hints`): the bounds searched and the question to ask instead."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from ._types import Pad


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


def _hints(
    transposed: bool,
    size: int,
    target: int,
    bounds: Mapping[str, tuple[range, object]],
    padding: Any,
    other: str,
    max_stride: object,
) -> tuple[str, ...]:
    """After an empty answer: the bounds searched (each argument's range, and the value
    given, None when searched) and the question to ask instead (``other``: the framework
    to suggest with wider bounds, if any)."""
    searched = {name: (values, given is not None) for name, (values, given) in bounds.items()}

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
    # A held padding that allows shorter strides than max_stride (PyTorch's "same": 1).
    narrowed = (
        not held_stride
        and padding is not None
        and type(max_stride) is int
        and strides.stop - 1 < max_stride
    )
    if transposed and target < size:
        hints.append(
            "A transposed convolution grows its input: solve_conv finds the convolutions "
            "(or, with pooling=True, the poolings) that shrink it."
        )
    elif not transposed and target > size:
        hints.append("A convolution or pooling shrinks its input: try solve_conv_transpose.")
    elif not narrowed and min(size, target) and max(size, target) > min(size, target) * longest:
        planner = "plan_upsampling" if target > size else "plan_downsampling"
        hints.append(
            f"One layer of stride {longest} or less cannot: {planner}({size}, {target}) "
            "stacks strided layers, or raise max_stride."
        )
    elif held or padding is not None:
        names = [*held, *(["padding"] if padding is not None else [])]
        hints.append(f"Try without {' or '.join(names)}: a held value rules the others out.")
    else:
        hints.append(
            "Try wider bounds: max_kernel_size, max_stride"
            + (f", or {other}" if other else "")
            + "."
        )
    return tuple(hints)


def _no_solution(reasons: Iterator[str], size: int, target: int) -> str:
    """The reasons when at most four, else a summary (so a fifth is the last one built)."""
    shown = list(itertools.islice(reasons, 5))
    if shown and len(shown) <= 4:
        return "; ".join(shown)
    return f"no argument combination within the bounds takes {size} to {target}"

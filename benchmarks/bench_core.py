"""The core functions against a bare Python function, measured in the same run.

    python benchmarks/bench_core.py            # the ratios (a few seconds)
    python benchmarks/bench_core.py --quick    # one call each: checks it runs

Each figure is a common call of a function of ``convshape.arithmetic``, such as
``conv_transpose_output_length(7, 5, 2, "same")``, and the same call of a bare function
with the same signature that returns a constant; the target is at most 4x the bare call.
As in bench.py, each is timed through a zero-argument callable (the callable's own call
is in both times); run as a script, this module also prints the stricter ratio of the
two calls timed inline, without the callable. Times are the best of many short runs,
the two calls interleaved so that both see the same load.
"""

from __future__ import annotations

import os
import sys
import timeit
from collections.abc import Callable

# The checkout's convshape, not an installed one.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import convshape as cs


def _bare_forward(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    dilation: object = 1,
) -> int:
    return 0


def _bare_transpose(
    size: object,
    kernel_size: object,
    stride: object = 1,
    padding: object = "valid",
    output_padding: object = None,
    dilation: object = 1,
) -> int:
    return 0


def _bare_kernel(kernel_size: object, dilation: object = 1) -> int:
    return 0


#: The bare function with the signature of each core function.
_BARE: dict[str, Callable[..., int]] = {
    "conv_output_length": _bare_forward,
    "conv_padding": _bare_forward,
    "conv_transpose_output_length": _bare_transpose,
    "conv_transpose_crop": _bare_transpose,
    "conv_transpose_output_range": _bare_forward,
    "effective_kernel_size": _bare_kernel,
}

#: (function name, its arguments): the common calls.
FORMS: list[tuple[str, str]] = [
    ("conv_transpose_output_length", '7, 5, 2, "same"'),
    ("conv_transpose_output_length", '7, 5, 2, "valid"'),
    ("conv_output_length", "28, 5, 2"),
    ("conv_output_length", '28, 5, 2, "same"'),
    ("conv_transpose_output_length", '7, 4, 2, "same", 1'),
    ("conv_transpose_crop", '7, 5, 2, "same"'),
    ("conv_padding", '28, 5, 2, "same"'),
    ("conv_transpose_output_range", '7, 5, 2, "same"'),
    ("effective_kernel_size", "3, 2"),
]


def _best_of(timers: list[timeit.Timer], quick: bool) -> list[float]:
    """The best seconds per call of each timer, over interleaved runs of ~0.1 ms each."""
    if quick:
        return [timer.timeit(1) for timer in timers]
    numbers = [max(1, int(1e-4 / (timer.timeit(1000) / 1000))) for timer in timers]
    best = [float("inf")] * len(timers)
    for _ in range(300):
        for index, (timer, number) in enumerate(zip(timers, numbers, strict=True)):
            best[index] = min(best[index], timer.timeit(number) / number)
    return best


def _measure(quick: bool, inline: bool) -> list[tuple[str, float, float]]:
    names = {name: getattr(cs, name) for name in _BARE} | {
        bare.__name__: bare for bare in _BARE.values()
    }
    timers = []
    for name, args in FORMS:
        for function in (name, _BARE[name].__name__):
            call = f"{function}({args})"
            if inline:
                timers.append(timeit.Timer(call, globals=names))
            else:
                timers.append(timeit.Timer(eval(f"lambda: {call}", names)))
    times = _best_of(timers, quick)
    return [
        (f"{name}({args})", times[2 * index], times[2 * index + 1])
        for index, (name, args) in enumerate(FORMS)
    ]


def figures(quick: bool) -> list[tuple[str, float, float]]:
    """(label, seconds per convshape call, seconds per bare call) for each common form."""
    return _measure(quick, inline=False)


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    for title, inline in (("through a callable, as bench.py", False), ("inline", True)):
        print(f"core calls against a bare call with the same arguments, timed {title}:")
        for label, ours, bare in _measure(quick, inline):
            ratio = ours / bare
            print(
                f"  {label:<52} {ours * 1e9:7.1f} ns   bare {bare * 1e9:6.1f} ns   "
                f"{ratio:4.1f}x{'' if ratio <= 4 else '  (above 4x)'}"
            )


if __name__ == "__main__":
    main()

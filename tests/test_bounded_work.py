"""Huge numbers cost no more than small ones: solvers, translate, explanations and checks
finish each call within a time bound and a memory bound whatever the sizes, kernels,
strides and search bounds (issue 14). Their cost follows what they return or show.

The calls run in a child process with a limited address space; each is timed, its peak
allocation traced, and cut off by an alarm if it runs away, so a regression fails here
instead of hanging or exhausting the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SECONDS = 2.0  # per call
PEAK_BYTES = 32 * 2**20  # traced allocations per call
ADDRESS_SPACE = 2 * 2**30  # the child's whole address space

B = "10**9"

CALLS = [
    # explanations: the diagram builds only the cells it shows
    "str(cs.explain_conv(10**9, 3))",
    "str(cs.explain_conv(10**7, 3))",
    "str(cs.explain_conv(10**9, 10**8, stride=3, padding='same'))",
    "str(cs.explain_conv(10**18, 10**17, padding='full'))",
    "str(cs.explain_conv_transpose(10**9, 3, stride=2, padding='same'))",
    f"str(cs.explain_conv_transpose({B}, {B}, stride={B}))",
    f"str(layers.Conv1DTranspose(1, 5, strides=3).explain((None, {B}, 2)))",
    # ... under each framework's rules, poolings included
    f"str(cs.explain_pool({B}, 3, framework='torch', ceil_mode=True))",
    f"str(cs.explain_pool({B}, 10**8, strides=7, padding=10**6, framework='torch', "
    "ceil_mode=True))",
    f"str(cs.explain_pool({B}, 3, framework='onnx', padding='SAME_UPPER', ceil_mode=True))",
    f"str(cs.explain_conv({B}, 10**8, stride=3, padding='SAME', framework='jax'))",
    f"str(cs.explain_conv({B}, 3, padding='SAME_LOWER', framework='onnx'))",
    f"str(cs.explain_conv_transpose({B}, 10**8, stride=3, padding=1, framework='torch'))",
    f"str(cs.explain_conv_transpose({B}, {B}, stride={B}, framework='onnx'))",
    # checks: tap offsets in closed form
    "[str(f) for f in cs.check(layers.Conv1DTranspose(1, 10**8))]",
    f"[str(f) for f in cs.check(layers.Conv1DTranspose(1, 10**8, strides={B}))]",
    f"[str(f) for f in cs.check(layers.Conv1DTranspose(1, {B}, strides={B}))]",
    f"[str(f) for f in cs.check(layers.Conv1DTranspose(1, 7, strides={B}), (None, {B}, 2))]",
    f"[str(f) for f in cs.check(layers.Conv1D(1, {B}, strides=10**8), (None, {B}, 2))]",
    # translate: the PyTorch arguments closest to a crop in closed form
    f"str(cs.translate(layers.Conv1DTranspose(2, 3, strides={B}, padding='same'), 'torch', "
    "(1, 5, 3)))",
    f"str(cs.translate(layers.Conv1DTranspose(2, {B}, strides={B}, padding='same'), 'torch', "
    "(1, 5, 3)))",
    # solvers: windows of strides and dilations, output_paddings and kernels computed
    f"str(cs.solve_conv_transpose(7, 14, stride={B}))",
    f"str(cs.solve_conv_transpose(7, 14, stride={B}, framework='torch'))",
    f"str(cs.solve_conv_transpose(7, 14, stride={B}, framework='torch', output_padding=0))",
    f"str(cs.solve_conv_transpose(7, 14, max_kernel_size={B}))",
    f"str(cs.solve_conv_transpose(7, 14, max_kernel_size={B}, framework='torch', padding=1))",
    f"str(cs.solve_conv_transpose(7, 14, max_stride={B}))",
    f"str(cs.solve_conv_transpose(7, 14, max_stride={B}, max_kernel_size={B}))",
    f"str(cs.solve_conv_transpose(2, {B}, max_stride={B}, output_padding=0))",
    f"str(cs.solve_conv_transpose(1, 0, kernel_size=3, padding='same', output_padding=0, "
    f"max_stride={B}))",
    f"str(cs.solve_conv_transpose(1, 10**12, max_stride={B}))",
    f"str(cs.solve_conv_transpose(0, 5, max_stride={B}, kernel_size={B}))",
    f"str(cs.solve_conv_transpose(3, 11, kernel_size=2, output_padding=0, framework='torch', "
    f"max_stride={B}))",
    f"str(cs.solve_conv_transpose(7, 14, max_dilation={B}, stride=1))",
    f"str(cs.solve_conv_transpose(7, 14, max_dilation={B}, framework='torch', padding=0))",
    f"str(cs.solve_conv(28, 14, stride={B}))",
    f"str(cs.solve_conv(28, 14, max_stride={B}))",
    f"str(cs.solve_conv(28, 14, max_kernel_size={B}, padding='valid', stride=2))",
    f"str(cs.solve_conv(28, 13, max_stride={B}, kernel_size={B}))",
    f"str(cs.solve_conv(28, 14, max_stride={B}, framework='torch', pooling=True))",
    f"str(cs.solve_conv({B}, 3, max_stride={B}, framework='torch', pooling=True))",
    f"str(cs.solve_conv({B}, 3, max_stride={B}, max_kernel_size={B}))",
    f"str(cs.solve_conv(28, 14, max_dilation={B}))",
    f"str(cs.solve_conv(28, 3, max_dilation={B}, framework='torch', padding=1))",
    f"str(cs.solve_conv(28, 1, max_stride={B}))",
    f"str(cs.solve_conv(28, 14, stride={B}, framework='torch'))",
]

CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys, time, tracemalloc
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import convshape as cs
    from convshape import layers

    def alarm(signum, frame):
        raise TimeoutError("call ran away")

    signal.signal(signal.SIGALRM, alarm)
    results = []
    for call in json.loads(sys.stdin.read()):
        tracemalloc.start()
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, {cutoff})
        try:
            eval(call)
            outcome = "ok"
        except cs.ConvShapeError:  # e.g. more than MAX_SOLUTIONS solutions
            outcome = "ConvShapeError"
        except BaseException as error:
            outcome = type(error).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append([call, outcome, seconds, peak])
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def measured() -> dict[str, tuple[str, float, int]]:
    # Warm up first (imports, compiled records) so the first timed call is not penalised.
    calls = ["cs.explain_conv(5, 3)", "cs.solve_conv(5, 3)", *CALLS]
    script = CHILD.format(limit=ADDRESS_SPACE, cutoff=SECONDS * 5)
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return {
        call: (outcome, seconds, peak) for call, outcome, seconds, peak in json.loads(done.stdout)
    }


@pytest.mark.parametrize("call", CALLS)
def test_huge_values_cost_what_is_shown(
    measured: dict[str, tuple[str, float, int]], call: str
) -> None:
    outcome, seconds, peak = measured[call]
    assert outcome in ("ok", "ConvShapeError"), outcome
    assert seconds < SECONDS
    assert peak < PEAK_BYTES


def test_too_many_solutions_is_an_error_naming_the_bounds() -> None:
    import convshape as cs

    with pytest.raises(cs.ConvShapeError, match="more than 10000 argument combinations"):
        cs.solve_conv_transpose(7, 14, stride=10**9, framework="torch")


@pytest.mark.parametrize(
    "call",
    [
        "cs.solve_conv(10**5000, 3)",
        "cs.solve_conv_transpose(3, 10**5000)",
        "cs.solve_conv(10, 3, kernel_size=10**5000)",
        "cs.solve_conv(10, 3, max_stride=10**5000)",
        "cs.solve_conv_transpose(10, 3, padding=10**5000, framework='torch')",
        "str(cs.explain_conv(10**5000, 3))",
        "str(cs.explain_conv_transpose(3, 10**5000, stride=2))",
        "str(cs.explain_conv_transpose(10**4299, 3, stride=10**4299))",
        "str(cs.explain_conv(None, 3))",
    ],
)
def test_numbers_too_long_to_write_are_refused(call: str) -> None:
    import convshape as cs

    with pytest.raises(cs.ConvShapeError, match=r"digits|must be known"):
        eval(call, {"cs": cs})

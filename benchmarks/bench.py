"""convshape against its references, measured in the same run on the same machine.

    python benchmarks/bench.py            # every figure (a few minutes: Keras is slow)
    python benchmarks/bench.py --quick    # every figure once, small sizes: checks it runs

Each line gives convshape's time, the reference's (Keras with the TensorFlow backend, a
bare Python function, or convshape's previous implementation kept in the repository),
the ratio, and the target it is meant to meet. A script, not a test: the numbers depend
on the machine; the ratios are what to compare. Times are the best of several runs in
one process with the garbage collector off while a call is timed (as ``timeit`` does),
except the fresh-process figures (median of separate interpreters, with byte-code
caching on as on a user's machine, interpreter start-up excluded).
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
import timeit
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tests.zoo import dcgan_generator

import convshape as cs
from benchmarks import bench_core, bench_plan, bench_render
from convshape._rich_text import _cell_lines, _wrap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

QUICK = "--quick" in sys.argv[1:]
#: (figure, convshape seconds, reference seconds, target text, met)
RESULTS: list[tuple[str, float, float, str, bool]] = []


def per_call(function: Callable[[], object], repeat: int = 5) -> float:
    """The best per-call time in seconds over ``repeat`` timeit runs."""
    timer = timeit.Timer(function)
    if QUICK:
        return min(timer.repeat(repeat=1, number=1))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def once(function: Callable[[], object], repeat: int = 3) -> float:
    """The best wall time of ``repeat`` single calls, in seconds, with the cyclic garbage
    collector off while a call is timed, as ``timeit`` (and so :func:`per_call`) does:
    otherwise a call pays for collecting the garbage the previous ones left."""
    best = float("inf")
    collecting = gc.isenabled()
    for _ in range(1 if QUICK else repeat):
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - start)
        finally:
            if collecting:
                gc.enable()
    return best


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def report(
    label: str,
    ours: float,
    reference: float,
    reference_name: str,
    target: str,
    met: bool,
    *,
    cost: bool = False,
) -> None:
    """One line; the ratio is the reference's time over convshape's (how many times
    faster), or with ``cost`` convshape's over the reference's (how many bare calls)."""
    if cost:
        ratio = ours / reference if reference else float("inf")
    else:
        ratio = reference / ours if ours else float("inf")
    RESULTS.append((label, ours, reference, target, met))
    verdict = "" if QUICK or met else "  (NOT MET)"  # one untimed run says nothing
    print(
        f"{label:<60} convshape {fmt(ours):>10}   {reference_name} {fmt(reference):>10}"
        f"   {'cost ' if cost else 'ratio'} {ratio:>9,.1f}x   target {target}{verdict}"
    )


def fresh(code: str, runs: int = 7) -> float:
    """Median seconds of ``code`` in fresh interpreters, start-up excluded: the code runs
    between two clock readings inside the interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = ROOT
    timed = (
        "import time as _t\n_start = _t.perf_counter()\n"
        + code
        + "\nprint(_t.perf_counter() - _start)\n"
    )

    def run() -> float:
        result = subprocess.run(
            [sys.executable, "-c", timed], check=True, env=env, capture_output=True, text=True
        )
        return float(result.stdout.strip().splitlines()[-1])

    if not QUICK:
        run()  # warm the byte-code cache
    return statistics.median(run() for _ in range(1 if QUICK else runs))


def _recorded_json(key: str) -> str:
    """A model's ``to_json()`` as Keras wrote it (tests/data, see record_keras_models.py)."""
    path = os.path.join(ROOT, "tests", "data", "keras_models.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return str(json.load(handle)[key]["json"])


def stack(k: Any, depth: int) -> Any:
    """A deep stack, passed as one list (Keras rebuilds its graph on every add())."""
    return k.Sequential([k.Input((64,)), *(k.layers.Dense(64) for _ in range(depth))])


# -- the figures -----------------------------------------------------------------


#: The common forms: a forward or transposed length, "valid" or "same", no output_padding.
_COMMON = ("conv_output_length(", "conv_transpose_output_length(")


def core() -> None:
    for label, ours, bare in bench_core.figures(QUICK):
        if label.startswith(_COMMON) and label.count(",") <= 3:
            met = ours <= 4 * bare
            report(label, ours, bare, "bare call", "<= 4x a bare call", met, cost=True)
        else:
            report(label, ours, bare, "bare call", "(other forms: no target)", True, cost=True)


#: Every sliding-window layer class, each rank and data format: (class, args, input shape).
def _window_layers() -> list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int | None, ...]]]:
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int | None, ...]]] = []
    for rank in (1, 2, 3):
        for fmt_name in ("channels_last", "channels_first"):
            spatial = (12,) * rank

            def shape(
                channels: int,
                spatial: tuple[int, ...] = spatial,
                last: bool = fmt_name == "channels_last",
            ) -> tuple[int | None, ...]:
                return (None, *spatial, channels) if last else (None, channels, *spatial)

            same = {"padding": "same", "strides": 2, "data_format": fmt_name}
            cases.append((f"Conv{rank}D", (16, 3), same, shape(8)))
            cases.append((f"Conv{rank}DTranspose", (16, 5), same, shape(8)))
            cases.append((f"MaxPooling{rank}D", (2,), {"data_format": fmt_name}, shape(8)))
            cases.append((f"AveragePooling{rank}D", (3,), same, shape(8)))
            if rank < 3:
                cases.append((f"SeparableConv{rank}D", (16, 3), same, shape(8)))
                cases.append((f"DepthwiseConv{rank}D", (3,), same, shape(8)))
    return cases


def layer_shapes(keras: Any) -> None:
    """Uncached compute_output_shape: a different input each call (no cache to hit)."""
    worst = float("inf")
    for name, args, kwargs, shape in _window_layers():
        if "Transpose" in name and kwargs.get("data_format") == "channels_first":
            continue  # shape only; Keras computes it the same way, timed below for channels_last
        ours_layer = getattr(cs.layers, name)(*args, **kwargs)
        keras_layer = getattr(keras.layers, name)(*args, **kwargs)
        sizes = [12, 13, 14, 15]
        shapes = [tuple(s if s != 12 else sizes[i % 4] for s in shape) for i in range(4)]

        def ours(layer: Any = ours_layer, shapes: list[Any] = shapes) -> None:
            for item in shapes:
                layer.compute_output_shape(item)

        def theirs(layer: Any = keras_layer, shapes: list[Any] = shapes) -> None:
            for item in shapes:
                layer.compute_output_shape(item)

        ours_time, keras_time = per_call(ours) / 4, per_call(theirs) / 4
        worst = min(worst, keras_time / ours_time)
        fmt_name = kwargs.get("data_format", "channels_last")
        report(
            f"{name} ({fmt_name}).compute_output_shape, uncached",
            ours_time,
            keras_time,
            "keras",
            ">= 3x faster",
            keras_time >= 3 * ours_time,
        )
    print(f"{'  every sliding-window layer: the smallest ratio':<60} {worst:.1f}x")


def dcgan(keras: Any, keras_ns: Any) -> None:
    def keras_build() -> int:
        keras.backend.clear_session()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(dcgan_generator(keras_ns).count_params())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's input_shape warning, in the reference
        ours = per_call(lambda: dcgan_generator(cs).summarize(), repeat=3)
        theirs = once(keras_build)
    report(
        "TensorFlow's DCGAN tutorial generator: build + summarize",
        ours,
        theirs,
        "keras",
        ">= 1000x Keras's build",
        theirs >= 1000 * ours,
    )
    for label, new, old in bench_render.figures(QUICK):
        if "NASNet" in label or "cold" in label:
            # The target is for the table as a notebook shows it again and again; the
            # first render of a session (cold caches) and NASNet's are given for scale.
            report(label, new, old, "before", "(no target)", True)
        else:
            report(label, new, old, "before", "<= 30 us", new <= 30e-6)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))  # Keras maps recursively

    def keras_stack() -> int:
        keras.backend.clear_session()
        return int(stack(keras_ns, 100 if QUICK else 1000).count_params())

    ours = once(lambda: stack(cs, 1000).summarize(), repeat=15)
    theirs = once(keras_stack, repeat=1)
    report(
        "1,000-layer Dense stack: build + summarize",
        ours,
        theirs,
        "keras",
        "<= 5 ms",
        ours <= 5e-3,
    )
    deep = stack(cs, 1000)
    seconds = once(lambda: cs.cost(deep), repeat=5)
    # Keras has no cost report to compare with; the figure stands on its own.
    print(
        f"{'1,000-layer Dense stack: cost (MACs, FLOPs, memory)':<60} convshape {fmt(seconds):>10}"
    )


def planners() -> None:
    for label, ours, before in bench_plan.figures(QUICK):
        limit = 100e-3 if "max_layers=5" in label else 20e-3
        report(label, ours, before, "before", f"<= {fmt(limit)}", ours <= limit)


_FIRST_SHAPE = (
    "from {module} import layers\n"
    "layers.Conv2DTranspose(128, 5, strides=2, padding='same')"
    ".compute_output_shape((None, 7, 7, 256))"
)
_FIRST_DCGAN = """
import warnings; warnings.simplefilter("ignore")
import {module} as k
from {module} import layers
model = k.Sequential()
model.add(layers.Dense(7 * 7 * 256, use_bias=False, input_shape=(100,)))
model.add(layers.BatchNormalization())
model.add(layers.LeakyReLU())
model.add(layers.Reshape((7, 7, 256)))
model.add(layers.Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same", use_bias=False))
model.add(layers.BatchNormalization())
model.add(layers.LeakyReLU())
model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False))
model.add(layers.BatchNormalization())
model.add(layers.LeakyReLU())
model.add(layers.Conv2DTranspose(1, (5, 5), strides=(3, 3), padding="same", use_bias=False,
                                 activation="tanh"))
model.summary(print_fn=lambda *args, **kwargs: None)
"""


def cold_start() -> None:
    keras_runs = 1 if QUICK else 3
    ours = fresh(_FIRST_SHAPE.format(module="convshape"))
    theirs = fresh(_FIRST_SHAPE.format(module="keras"), runs=keras_runs)
    report(
        "fresh process: first Conv2DTranspose shape",
        ours,
        theirs,
        "keras",
        "<= 5 ms",
        ours <= 5e-3,
    )
    ours = fresh(_FIRST_DCGAN.format(module="convshape"))
    theirs = fresh(_FIRST_DCGAN.format(module="keras"), runs=keras_runs)
    report(
        "fresh process: first DCGAN generator build + summary",
        ours,
        theirs,
        "keras",
        "<= 15 ms",
        ours <= 15e-3,
    )
    ours = fresh("import convshape")
    theirs = fresh("import keras", runs=keras_runs)
    report("fresh process: import convshape", ours, theirs, "keras", "<= 5 ms", ours <= 5e-3)


def models(keras: Any) -> None:
    """Functional models: loading and summarising NASNetLarge, and a U-Net's input sizes."""
    nasnet = _recorded_json("app:NASNetLarge")

    def ours_nasnet() -> str:
        _wrap.cache_clear()  # measured cold: no text wrapped by an earlier run
        _cell_lines.cache_clear()
        printed: list[str] = []
        cs.load_keras(nasnet).summary(print_fn=printed.append)
        return printed[0]

    def keras_nasnet() -> str:
        keras.backend.clear_session()
        printed: list[str] = []
        keras.models.model_from_json(nasnet).summary(print_fn=printed.append)
        return str(printed[0])

    assert ours_nasnet() == keras_nasnet(), "the NASNetLarge summaries differ"
    ours, theirs = once(ours_nasnet, repeat=7), once(keras_nasnet, repeat=2)
    report(
        "NASNetLarge (1,041 layers): load to_json() + summary()",
        ours,
        theirs,
        "keras",
        ">= 100x",
        theirs >= 100 * ours,
    )

    def unet(k: Any, depth: int = 5) -> Any:
        inputs = x = k.Input((None, None, 1))
        skips = []
        for _ in range(depth):
            x = k.layers.Conv2D(4, 3, padding="same")(x)
            skips.append(x)
            x = k.layers.MaxPooling2D()(x)
        for level in reversed(range(depth)):
            x = k.layers.Conv2DTranspose(4, 2, strides=2)(x)
            x = k.layers.Concatenate()([x, skips[level]])
        return k.Model(inputs, x)

    ours_unet = unet(cs)
    keras.backend.clear_session()
    keras_unet = unet(SimpleNamespace(Input=keras.Input, layers=keras.layers, Model=keras.Model))
    probes = range(100, 102 if QUICK else 120)

    def keras_lengths() -> int:
        accepted = 0
        for n in probes:
            try:
                keras_unet.compute_output_spec(keras.KerasTensor((1, n, n, 1)))
                accepted += 1
            except ValueError:
                pass
        return accepted

    # Keras has no size analysis: the alternative is trying each length; measured on a
    # few lengths, scaled to the 10,000 convshape answers at once.
    report(
        "depth-5 U-Net: valid input sizes 1..10,000 (keras: tried)",
        once(lambda: cs.input_sizes(ours_unet, range(1, 10_001)), repeat=5),
        once(keras_lengths, repeat=2) * 10_000 / len(probes),
        "keras",
        "(no target)",
        True,
    )


def main() -> None:
    import keras  # noqa: PLC0415  (after the environment is set)

    keras_ns = SimpleNamespace(
        Sequential=keras.Sequential, Model=keras.Model, Input=keras.Input, layers=keras.layers
    )
    mode = " (quick: one run each, small sizes; the numbers mean little)" if QUICK else ""
    print(f"Python {sys.version.split()[0]}, Keras {keras.__version__}{mode}")
    print()
    core()
    layer_shapes(keras)
    dcgan(keras, keras_ns)
    planners()
    cold_start()
    models(keras)
    missed = [label for label, *_, met in RESULTS if not met]
    print()
    if QUICK:
        print(f"{len(RESULTS)} figures measured once each (quick mode: no verdicts)")
        return
    print(f"{len(RESULTS) - len(missed)} of {len(RESULTS)} figures meet their targets")
    for label in missed:
        print(f"  not met: {label}")


if __name__ == "__main__":
    main()

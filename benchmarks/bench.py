"""convshape against Keras (TensorFlow backend), measured in the same run on the same machine.

    python benchmarks/bench.py

Prints per-call times and the ratio Keras / convshape for: the 1D transposed
length, Conv2DTranspose.compute_output_shape, the seed generator's summary,
a 1,000-layer stack, loading and summarising NASNetLarge (about 1,000 layers) from
its ``to_json()``, the valid input sizes of a depth-5 U-Net, and the import itself.
A script, not a test: the numbers depend on the machine; the ratios are what to compare.
"""

from __future__ import annotations

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
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.zoo import dcgan_generator

import convshape as cs
from convshape._render import _cell_lines, _wrap


def per_call(function: Callable[[], object], repeat: int = 5) -> float:
    """The best per-call time in seconds over ``repeat`` timeit runs."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def once(function: Callable[[], object], repeat: int = 3) -> float:
    """The best wall time of ``repeat`` single calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def import_time(module: str, runs: int = 7) -> float:
    """Median seconds to import ``module`` in a fresh interpreter, minus the bare start-up."""

    # Byte-code caching on, as on a user's machine (some shells turn it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - start

    run(f"import {module}")  # warm the byte-code cache
    base = statistics.median(run("pass") for _ in range(runs))
    return max(statistics.median(run(f"import {module}") for _ in range(runs)) - base, 0.0)


def report(label: str, ours: float, theirs: float) -> None:
    ratio = theirs / ours
    print(
        f"{label:<58} convshape {fmt(ours):>10}   keras {fmt(theirs):>10}   ratio {ratio:>9,.1f}x"
    )


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _recorded_json(key: str) -> str:
    """A model's ``to_json()`` as Keras wrote it (tests/data, see record_keras_models.py)."""
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "keras_models.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return str(json.load(handle)[key]["json"])


def stack(k: Any, depth: int) -> Any:
    """A deep stack, passed as one list (Keras rebuilds its graph on every add())."""
    return k.Sequential([k.Input((64,)), *(k.layers.Dense(64) for _ in range(depth))])


def main() -> None:
    import keras  # noqa: PLC0415  (after the environment is set)
    from keras.src.backend.common.backend_utils import (  # noqa: PLC0415
        compute_conv_transpose_output_shape,
    )

    keras_ns = SimpleNamespace(
        Sequential=keras.Sequential, Model=keras.Model, Input=keras.Input, layers=keras.layers
    )
    print(f"Python {sys.version.split()[0]}, Keras {keras.__version__} ({keras.backend.backend()})")
    print()

    report(
        "conv_transpose_output_length(7, 5, 2, 'same')",
        per_call(lambda: cs.conv_transpose_output_length(7, 5, 2, "same")),
        per_call(
            lambda: compute_conv_transpose_output_shape((None, 7, 256), (5,), 128, (2,), "same")
        ),
    )
    ours_layer = cs.layers.Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same")
    keras_layer = keras.layers.Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same")
    report(
        "Conv2DTranspose.compute_output_shape((None, 7, 7, 256))",
        per_call(lambda: ours_layer.compute_output_shape((None, 7, 7, 256))),
        per_call(lambda: keras_layer.compute_output_shape((None, 7, 7, 256))),
    )

    shapes = [(None, h, w, 256) for h in range(1, 41) for w in range(1, 26)]

    def ours_distinct() -> None:
        layer = cs.layers.Conv2DTranspose(128, (5, 5), strides=(2, 2), padding="same")
        for shape in shapes:
            layer.compute_output_shape(shape)

    def keras_distinct() -> None:
        for shape in shapes:
            keras_layer.compute_output_shape(shape)

    report(
        f"  the same, {len(shapes)} distinct shapes (no cache hits)",
        per_call(ours_distinct, repeat=3) / len(shapes),
        per_call(keras_distinct, repeat=3) / len(shapes),
    )

    def keras_seed() -> int:
        keras.backend.clear_session()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(dcgan_generator(keras_ns).count_params())

    report(
        "seed generator: build + count params (summarize)",
        per_call(lambda: dcgan_generator(cs).summarize(), repeat=3),
        once(keras_seed),
    )

    def keras_stack() -> int:
        keras.backend.clear_session()
        return int(stack(keras_ns, 1000).count_params())

    # Keras maps its 1,000-node graph recursively; Python's default limit is too low for it.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

    report(
        "1,000-layer Dense stack: build + summarize / count params",
        once(lambda: stack(cs, 1000).summarize()),
        once(keras_stack, repeat=1),
    )
    deep = stack(cs, 1000)
    seconds = once(lambda: cs.cost(deep), repeat=5)
    # Keras has no cost report to compare with; the figure stands on its own.
    print(
        f"{'1,000-layer Dense stack: cost (MACs, FLOPs, memory)':<58} convshape {fmt(seconds):>10}"
    )
    models(keras, keras_ns)
    keras_import = import_time("keras")
    report("import convshape (start-up subtracted)", import_time("convshape"), keras_import)
    seed_modules = ", ".join(
        f"convshape.{name}"
        for name in (
            "models.sequential",
            "layers.core",
            "layers.convolutional",
            "layers.normalization",
            "layers.activation",
            "layers.reshaping",
        )
    )
    report("  + Sequential and the seed's layer modules", import_time(seed_modules), keras_import)


def models(keras: Any, keras_ns: Any) -> None:
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
    report(
        "NASNetLarge (1,041 layers): load to_json() + summary()",
        once(ours_nasnet, repeat=5),
        once(keras_nasnet, repeat=2),
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
    keras_unet = unet(keras_ns)
    probes = range(100, 120)

    def keras_lengths() -> int:
        accepted = 0
        for n in probes:
            try:
                keras_unet.compute_output_spec(keras.KerasTensor((1, n, n, 1)))
                accepted += 1
            except ValueError:
                pass
        return accepted

    # Keras has no size analysis: the alternative is trying each length; measured on 20
    # lengths, scaled to the 10,000 convshape answers at once.
    report(
        "depth-5 U-Net: valid input sizes 1..10,000 (keras: tried)",
        once(lambda: cs.input_sizes(ours_unet, range(1, 10_001)), repeat=5),
        once(keras_lengths, repeat=2) * 10_000 / len(probes),
    )


if __name__ == "__main__":
    main()

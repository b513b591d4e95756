"""`import convshape` must stay cheap: nothing outside the standard library."""

from __future__ import annotations

import json
import subprocess
import sys

import convshape


def _modules_loaded_by_import() -> list[str]:
    code = (
        "import sys, json; before = set(sys.modules); import convshape; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_import_loads_only_the_standard_library_and_convshape() -> None:
    stdlib = sys.stdlib_module_names
    foreign = [
        name
        for name in _modules_loaded_by_import()
        if name.split(".")[0] not in stdlib and name.split(".")[0] != "convshape"
    ]
    assert foreign == []


def test_import_does_not_load_heavy_packages() -> None:
    loaded = set(_modules_loaded_by_import())
    assert not loaded & {"numpy", "tensorflow", "keras", "jax", "torch"}
    assert "convshape.arithmetic" in loaded


def test_public_surface_is_sorted_and_complete() -> None:
    assert convshape.__all__ == sorted(convshape.__all__)
    for name in convshape.__all__:
        assert hasattr(convshape, name), name


def _modules_loaded_by(code: str) -> set[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; before = set(sys.modules)\n"
            + code
            + "\nloaded = sorted(set(sys.modules) - before)"
            + "\nimport json; print(json.dumps(loaded))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout))


#: Standard-library modules that cost a millisecond or more to import, which the first
#: layer of a session does not need (see benchmarks/bench.py for the timings).
_SLOW_STDLIB = {"collections", "dataclasses", "inspect", "numbers", "re", "typing", "enum"}


def test_first_layer_shape_loads_no_slow_standard_module() -> None:
    loaded = _modules_loaded_by(
        "from convshape import layers\n"
        "layers.Conv2DTranspose(128, 5, strides=2, padding='same')"
        ".compute_output_shape((None, 7, 7, 256))"
    )
    assert "convshape.layers.convolutional" in loaded
    assert not loaded & _SLOW_STDLIB, sorted(loaded & _SLOW_STDLIB)


def test_snake_case_follows_keras_regular_expressions() -> None:
    import random
    import re

    from convshape._naming import _snake_case

    def keras(name: str) -> str:  # keras.src.utils.naming.to_snake_case
        name = re.sub(r"\W+", "", name)
        name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
        return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()

    generator = random.Random(0)
    alphabet = "aAbBzZ09_ -.\u00e9\u00c9\n"
    names = [
        "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 10)))
        for _ in range(20_000)
    ]
    names += ["Conv2DTranspose", "LeakyReLU", "PReLU", "GlobalAveragePooling2D", "MyHTTPLayer"]
    assert [_snake_case(name) for name in names] == [keras(name) for name in names]


def test_keras_analyses_do_not_load_the_pytorch_specs() -> None:
    """Explaining, sizing, costing a Keras model reads the geometry protocol, which loads
    convshape.torch only once a PyTorch spec exists (it doubled a first explain's time)."""
    code = (
        "import sys; import convshape as cs; from convshape import layers, Sequential, Input\n"
        "m = Sequential([Input((28, 28, 3)), layers.Conv2D(8, 3, strides=2, padding='same'),"
        " layers.MaxPooling2D()])\n"
        "m.explain(); m.layers[0].explain((None, 28, 28, 3)); cs.input_sizes(m)\n"
        "print('convshape.torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"

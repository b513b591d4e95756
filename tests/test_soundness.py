"""Every solution the solvers return is proven by construction in its framework: the layer
is built with the solution's own arguments in Keras (TensorFlow backend) or PyTorch, run on
zeros of the input length, and must be accepted and give the target length. The calls are
a seeded random sample over sizes, targets, fixed arguments and bounds; requests no layer
of the framework can take must raise ConvShapeError or TypeError (issue 14)."""

from __future__ import annotations

import random
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import convshape as cs
from tests.oracles import ORACLE_COUNTS, oracle

CALLS = 200  # solver calls per framework and kind


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


def _random_calls(
    rng: random.Random, framework: str, kind: str
) -> Iterator[tuple[tuple[int, int], dict[str, Any]]]:
    """(size, target) and keyword arguments: a fixed argument or a bound for each."""
    keras_paddings: list[Any] = [None, None, "same", "valid", "SAME"]
    if kind == "conv":
        keras_paddings.append("causal")
    torch_paddings: list[Any] = [None, None, 0, 1, 2, 3]
    if kind == "conv":
        torch_paddings += ["same", "valid"]
    for _ in range(CALLS):
        size = rng.randint(0, 12)
        target = rng.choice([rng.randint(0, 8), rng.randint(0, 30)])
        kwargs: dict[str, Any] = {"framework": framework}
        kwargs["padding"] = rng.choice(keras_paddings if framework == "keras" else torch_paddings)
        if rng.random() < 0.3:
            kwargs["kernel_size"] = rng.randint(1, 7)
        else:
            kwargs["max_kernel_size"] = rng.randint(0, 7)
        if rng.random() < 0.3:
            kwargs["stride"] = rng.randint(1, 4)
        else:
            kwargs["max_stride"] = rng.randint(1, 5)
        if kind != "pool":
            if rng.random() < 0.2:
                kwargs["dilation"] = rng.randint(1, 3)
            else:
                kwargs["max_dilation"] = rng.randint(1, 3)
        if kind == "transpose" and rng.random() < 0.4:
            kwargs["output_padding"] = rng.choice([None, 0, 1, 2])
        if kind == "pool":
            kwargs["pooling"] = True
        yield (size, target), kwargs


def _solve(kind: str, args: tuple[int, int], kwargs: dict[str, Any]) -> cs.Solutions | None:
    """The solutions, or None when the request is rejected (with the documented errors)."""
    solver = cs.solve_conv_transpose if kind == "transpose" else cs.solve_conv
    try:
        return solver(*args, **kwargs)
    except (cs.ConvShapeError, TypeError):
        return None


def _keras_length(keras: Any, kind: str, size: int, kwargs: dict[str, Any]) -> int | None:
    """The length Keras gives on zeros, or None when Keras rejects the layer or the input."""
    layers = keras.layers
    try:
        if kind == "transpose":
            layer = layers.Conv1DTranspose(1, **kwargs)
        elif kind == "conv":
            layer = layers.Conv1D(1, **kwargs)
        else:
            layer = layers.MaxPooling1D(**kwargs)
        out = layer(np.zeros((1, size, 1), dtype="float32"))
    except Exception:  # Keras and TensorFlow raise many types for rejected layers
        return None
    return int(out.shape[1])


def _torch_length(torch: Any, kind: str, size: int, kwargs: dict[str, Any]) -> int | None:
    """The length PyTorch gives on zeros, or None when PyTorch rejects it."""
    nn = torch.nn
    x = torch.zeros(1, 1, size)
    with warnings.catch_warnings():
        # PyTorch warns that padding="same" with an even kernel copies the input.
        warnings.simplefilter("ignore", UserWarning)
        try:
            if kind == "transpose":
                return int(nn.ConvTranspose1d(1, 1, **kwargs)(x).shape[-1])
            if kind == "conv":
                return int(nn.Conv1d(1, 1, **kwargs)(x).shape[-1])
            lengths = {int(nn.MaxPool1d(**kwargs)(x).shape[-1])}
            lengths.add(int(nn.AvgPool1d(**kwargs)(x).shape[-1]))
        except (RuntimeError, ValueError, TypeError):
            return None
    return lengths.pop() if len(lengths) == 1 else None


def _unsound(
    framework: str, kind: str, length: Callable[[str, int, dict[str, Any]], int | None]
) -> tuple[list[str], int]:
    rng = random.Random(f"{framework}-{kind}-14")
    wrong, checked, seen = [], 0, {}
    for args, kwargs in _random_calls(rng, framework, kind):
        solutions = _solve(kind, args, kwargs)
        if solutions is None:
            continue
        for solution in solutions:
            key = (args[0], repr(solution.kwargs))
            if key not in seen:
                seen[key] = length(kind, args[0], solution.kwargs)
                checked += 1
                ORACLE_COUNTS[f"solver solutions built in {framework} ({kind})"] += 1
            if seen[key] != args[1]:
                wrong.append(f"{args} {kwargs}: {solution} gives {seen[key]}")
    return wrong, checked


@pytest.mark.parametrize("kind", ["transpose", "conv", "pool"])
def test_keras_solutions_are_accepted_and_reach_the_target(keras: Any, kind: str) -> None:
    wrong, checked = _unsound("keras", kind, lambda *a: _keras_length(keras, *a))
    assert wrong == []
    assert checked > 50


@pytest.mark.parametrize("kind", ["transpose", "conv", "pool"])
def test_torch_solutions_are_accepted_and_reach_the_target(torch: Any, kind: str) -> None:
    wrong, checked = _unsound("torch", kind, lambda *a: _torch_length(torch, *a))
    assert wrong == []
    assert checked > 50


def test_the_reported_cases_are_sound(keras: Any, torch: Any) -> None:
    for padding in (1, 2, (1, 1), "full"):
        with pytest.raises(cs.ConvShapeError, match="Keras transposed convolutions take"):
            cs.solve_conv_transpose(7, 14, padding=padding)
    with pytest.raises(cs.ConvShapeError, match="PyTorch pads both sides"):
        cs.solve_conv(10, 11, kernel_size=3, padding=(1, 2), framework="torch")
    with pytest.raises(cs.ConvShapeError, match="Keras poolings take"):
        cs.solve_conv(10, 10, padding="causal", pooling=True)
    with pytest.raises(cs.ConvShapeError, match="PyTorch ConvTranspose layers take"):
        cs.solve_conv_transpose(7, 14, padding="same", framework="torch")
    with pytest.raises(cs.ConvShapeError, match="stride 1 only"):
        cs.solve_conv(8, 4, padding="same", stride=2, framework="torch")
    with pytest.raises(cs.ConvShapeError, match="output_padding"):
        cs.solve_conv_transpose(7, 14, output_padding=5, framework="torch")
    cases: list[tuple[str, tuple[int, int], dict[str, Any]]] = [
        ("transpose", (7, 14), {"framework": "torch", "padding": 2}),
        ("transpose", (7, 14), {"framework": "torch", "output_padding": 2, "max_dilation": 3}),
        ("conv", (10, 11), {"framework": "torch", "kernel_size": 3, "padding": 1}),
        ("conv", (10, 5), {"framework": "torch", "padding": "same", "max_stride": 3}),
        ("pool", (10, 5), {"framework": "torch", "pooling": True, "padding": 3}),
        ("pool", (10, 10), {"framework": "torch", "pooling": True}),
        ("transpose", (7, 14), {"padding": "same"}),
    ]
    for kind, args, kwargs in cases:
        solutions = _solve(kind, args, kwargs)
        assert solutions is not None
        framework = kwargs.get("framework", "keras")
        for solution in solutions:
            if framework == "torch":
                got = _torch_length(torch, kind, args[0], solution.kwargs)
            else:
                got = _keras_length(keras, kind, args[0], solution.kwargs)
            assert got == args[1], (args, kwargs, str(solution))


@pytest.mark.parametrize("padding", ["1", "2"])
def test_cli_solve_with_an_explicit_padding_exits_2(padding: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "convshape", "solve", "7", "14", "-p", padding],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "framework='torch'" in result.stderr
    torch_run = subprocess.run(
        [
            sys.executable,
            "-m",
            "convshape",
            "solve",
            "7",
            "14",
            "-p",
            padding,
            "--framework",
            "torch",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert torch_run.returncode == 0, torch_run.stderr


def test_torch_valid_padding_translates_without_padding(keras: Any, torch: Any) -> None:
    from tests.test_translate import _run_code

    module = torch.nn.Conv2d(3, 2, 3, stride=2, padding="valid")
    spec = cs.torch.Conv2d(3, 2, 3, stride=2, padding="valid")
    translation = cs.translate(spec, "keras", (None, 3, 9, 8))
    assert "np.pad" not in translation.code()
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 8)).astype("float32")
    expected = module(torch.as_tensor(x)).detach().numpy()
    weight, bias = module.weight.detach().numpy(), module.bias.detach().numpy()
    got = _run_code(translation, weight, bias, x)
    ORACLE_COUNTS["translations torch -> keras proven on values"] += 1
    assert got.shape == expected.shape
    assert np.allclose(got, expected, atol=1e-4)

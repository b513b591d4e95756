"""Modules that must agree: the CLI and the library, for every framework; the solvers and
the layers they name; the input sizes an analysis accepts and the lengths the layers give;
``check`` and ``translate`` on a PyTorch port.

A rule copied into a second module and changed there shows up here as a disagreement,
even where each copy passes its own tests. The grids are seeded, so a failure replays.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest

import convshape as cs
from convshape import Input, Sequential, layers
from convshape import jax as jx
from convshape import onnx as ox
from convshape import torch as pt
from convshape.cli import main

SEED = 15
CASES = 150

#: (output lengths, padding or crop per axis), or None where the library refuses.
Answer = tuple[list[int], list[list[int]]] | None


def cli(argv: list[str]) -> Answer:
    """The CLI's JSON answer, run in process; None when it exits 2 with one error line."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([*argv, "--json"])
    if code == 2:
        assert out.getvalue() == "", argv
        assert err.getvalue().count("\n") == 1, argv
        assert ": error: " in err.getvalue(), argv
        return None
    assert code == 0, (argv, err.getvalue())
    result = json.loads(out.getvalue())
    return result["output"], result.get("crop", result.get("padding"))


def _padding_word(padding: Any) -> str:
    if isinstance(padding, tuple):
        return f"{padding[0]}:{padding[1]}"
    return str(padding)


def _refused(compute: Callable[..., tuple[int, list[int]]], *args: Any) -> Any:
    """``compute(*args)``, or None when it refuses them."""
    try:
        return compute(*args)
    except (cs.ConvShapeError, TypeError):
        return None


# -- the library's answer for one axis, by framework -------------------------------------


def _keras_layer_accepts(kind: str, k: int, s: int, padding: Any, op: Any, d: int) -> None:
    """The Keras layer's own checks (modes, strides with dilation, output_padding)."""
    mode = padding if isinstance(padding, str) else "valid"
    if kind == "conv":
        layers.Conv1D(1, k, strides=s, padding=mode, dilation_rate=d)
    elif kind == "conv-transpose":
        layers.Conv1DTranspose(1, k, strides=s, padding=mode, output_padding=op, dilation_rate=d)
    else:
        layers.MaxPooling1D(k, strides=s, padding=mode)


def keras(kind: str, n: int, k: int, s: int, padding: Any, op: Any, d: int, ceil: bool) -> Any:
    _keras_layer_accepts(kind, k, s, padding, op, d)
    if kind == "conv-transpose":
        length = cs.conv_transpose_output_length(n, k, s, padding, op, d)
        return length, list(cs.conv_transpose_crop(n, k, s, padding, op, d))
    if kind == "pool":
        shape = layers.MaxPooling1D(k, strides=s, padding=padding).compute_output_shape(
            (None, n, 1)
        )
        return shape[1], list(cs.conv_padding(n, k, s, padding))
    if isinstance(padding, str):
        layer = layers.Conv1D(1, k, strides=s, padding=padding, dilation_rate=d)
        assert layer.compute_output_shape((None, n, 1))[1] == cs.conv_output_length(
            n, k, s, padding, d
        )
    return cs.conv_output_length(n, k, s, padding, d), list(cs.conv_padding(n, k, s, padding, d))


def torch(kind: str, n: int, k: int, s: int, padding: Any, op: Any, d: int, ceil: bool) -> Any:
    if kind == "conv-transpose":
        op = op or 0
        spec = pt.ConvTranspose1d(1, 1, k, stride=s, padding=padding, output_padding=op, dilation=d)
        length = spec.compute_output_shape((None, 1, n))[2]
        assert length == pt.conv_transpose_output_length(n, k, s, padding, op, d)
        return length, list(pt.conv_transpose_crop(n, k, s, padding, op, d))
    if kind == "pool":
        pool = pt.MaxPool1d(k, stride=s, padding=padding, ceil_mode=ceil)
        length = pool.compute_output_shape((None, 1, n))[2]
        assert length == pt.pool_output_length(n, k, s, padding, 1, ceil)
        # a pooling's padding is its int on both sides (with ceil_mode a kernel may pass
        # the padded input, which the convolution's rule refuses)
        return length, [padding, padding]
    conv = pt.Conv1d(1, 1, k, stride=s, padding=padding, dilation=d)
    length = conv.compute_output_shape((None, 1, n))[2]
    assert length == pt.conv_output_length(n, k, s, padding, d)
    return length, list(pt.conv_padding(n, k, s, padding, d))


def jax(kind: str, n: int, k: int, s: int, padding: Any, op: Any, d: int, ceil: bool) -> Any:
    if isinstance(padding, str):
        padding = padding.upper()
    elif isinstance(padding, int):
        padding = (padding, padding)
    if kind == "conv-transpose":
        if op is not None:
            raise cs.ConvShapeError("lax has no output_padding", argument="output_padding")
        length = jx.conv_transpose_output_length(n, k, s, padding, d)
        return length, list(jx.conv_transpose_crop(n, k, s, padding, d))
    return jx.conv_output_length(n, k, s, padding, 1, d), list(jx.conv_padding(n, k, s, padding, d))


def onnx(kind: str, n: int, k: int, s: int, padding: Any, op: Any, d: int, ceil: bool) -> Any:
    if isinstance(padding, str):
        auto_pad = {"SAME": "SAME_UPPER"}.get(padding.upper(), padding.upper())
        pads: Any = (0, 0)
    else:
        auto_pad = "NOTSET"
        pads = (padding, padding) if isinstance(padding, int) else padding
    if kind == "conv-transpose":
        op = op or 0
        length = ox.conv_transpose_output_length(n, k, s, auto_pad, pads, op, d)
        return length, list(ox.conv_transpose_crop(n, k, s, auto_pad, pads, op, d))
    return (
        ox.conv_output_length(n, k, s, auto_pad, pads, d),
        list(ox.conv_padding(n, k, s, auto_pad, pads, d)),
    )


LIBRARY: dict[str, Callable[..., Any]] = {"keras": keras, "torch": torch, "jax": jax, "onnx": onnx}

#: The paddings each framework's CLI takes, per command.
PADDINGS: dict[tuple[str, str], list[Any]] = {
    ("keras", "conv"): ["valid", "same", "causal", 0, 1, 2, (0, 1), (2, 1)],
    ("keras", "conv-transpose"): ["valid", "same", 0, 1, 2, (0, 1), (2, 1)],
    ("keras", "pool"): ["valid", "same"],
    ("torch", "conv"): ["valid", "same", 0, 1, 2, 3],
    ("torch", "conv-transpose"): [0, 1, 2, 3],
    ("torch", "pool"): [0, 1, 2],
    ("jax", "conv"): ["valid", "same", 0, 1, (0, 2), (3, 1)],
    ("jax", "conv-transpose"): ["valid", "same", 0, 1, (0, 2), (3, 1)],
    ("onnx", "conv"): ["valid", "same", "same_lower", 0, 1, (0, 2), (3, 1)],
    ("onnx", "conv-transpose"): ["valid", "same", "same_lower", 0, 1, (0, 2), (2, 1)],
}


def grid(framework: str, kind: str) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(f"{SEED}:{framework}:{kind}")
    for _ in range(CASES):
        n, k, s = rng.randint(0, 14), rng.randint(1, 6), rng.randint(1, 4)
        d = 1 if kind == "pool" else rng.choice([1, 1, 2, 3])
        padding = rng.choice(PADDINGS[framework, kind])
        op = None
        if kind == "conv-transpose" and rng.random() < 0.6:
            # One past the largest allowed now and then; for Keras below the stride, which
            # test_cli_keras_refuses_an_output_padding_keras_refuses covers.
            op = rng.randint(0, s - 1 if framework == "keras" else max(s, d))
        ceil = kind == "pool" and framework == "torch" and rng.random() < 0.5
        if kind == "pool" and rng.random() < 0.3:
            s = 0  # no --stride: a pooling's stride defaults to its pool size
        yield n, k, s, padding, op, d, ceil


def argv(kind: str, framework: str, case: tuple[Any, ...]) -> list[str]:
    n, k, s, padding, op, d, ceil = case
    words = [kind, str(n), "-k", str(k), "-p", _padding_word(padding)]
    if s:
        words += ["-s", str(s)]
    if kind != "pool":
        words += ["-d", str(d)]
    if op is not None:
        words += ["--output-padding", str(op)]
    if ceil:
        words.append("--ceil-mode")
    return [*words, "--framework", framework]


COMMANDS = [(framework, kind) for framework, kind in PADDINGS]


@pytest.mark.parametrize(("framework", "kind"), COMMANDS, ids=[f"{f}-{k}" for f, k in COMMANDS])
def test_cli_answers_as_the_library(framework: str, kind: str) -> None:
    mismatches, answered = [], 0
    for case in grid(framework, kind):
        words = argv(kind, framework, case)
        n, k, s, padding, op, d, ceil = case
        expected = _refused(LIBRARY[framework], kind, n, k, s or k, padding, op, d, ceil)
        got = cli(words)
        want = None if expected is None else ([expected[0]], [expected[1]])
        if got != want:
            mismatches.append((" ".join(words), got, want))
        answered += got is not None
    assert mismatches == []
    assert answered >= CASES // 3, "the grid should mostly ask answerable questions"


@pytest.mark.parametrize(
    ("framework", "kind"),
    [("keras", "conv-transpose"), ("torch", "conv"), ("onnx", "conv-transpose")],
)
def test_cli_answers_each_axis_as_the_library(framework: str, kind: str) -> None:
    rng = random.Random(f"{SEED}:axes:{framework}:{kind}")
    for _ in range(30):
        sizes, kernels, strides = [rng.randint(1, 12) for _ in "ab"], [3, 4], [2, 1]
        padding = rng.choice([p for p in PADDINGS[framework, kind] if not isinstance(p, tuple)])
        words = [
            kind,
            f"{sizes[0]}x{sizes[1]}",
            "-k",
            ",".join(map(str, kernels)),
            "-s",
            ",".join(map(str, strides)),
            "-p",
            str(padding),
            "--framework",
            framework,
        ]
        expected = [
            _refused(LIBRARY[framework], kind, n, k, s, padding, None, 1, False)
            for n, k, s in zip(sizes, kernels, strides, strict=True)
        ]
        got = cli(words)
        if any(answer is None for answer in expected):
            assert got is None, words
        else:
            assert got == ([a[0] for a in expected], [a[1] for a in expected]), words


def test_cli_keras_refuses_an_output_padding_keras_refuses() -> None:
    with pytest.raises(cs.ConvShapeError, match="output_padding"):
        layers.Conv1DTranspose(1, 4, strides=1, output_padding=1, dilation_rate=2)
    words = ["conv-transpose", "4", "-k", "4", "-s", "1", "-d", "2", "--output-padding", "1"]
    assert cli(words) is None


# -- solvers, sizes, check and translate ----------------------------------------------------


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_transpose_solutions_build_layers_of_the_target_length(framework: str) -> None:
    rng = random.Random(f"{SEED}:solve-transpose:{framework}")
    checked = 0
    for _ in range(12):
        size, factor = rng.randint(1, 9), rng.randint(1, 4)
        target = size * factor + rng.randint(-1, 2)
        for solution in cs.solve_conv_transpose(size, target, framework=framework):
            kwargs = dict(solution.kwargs)
            if framework == "keras":
                layer = layers.Conv1DTranspose(1, **kwargs)
                length = layer.compute_output_shape((None, size, 1))[1]
                crop = cs.conv_transpose_crop(
                    size,
                    kwargs["kernel_size"],
                    kwargs["strides"],
                    kwargs["padding"],
                    kwargs["output_padding"],
                    kwargs["dilation_rate"],
                )
            else:
                spec = pt.ConvTranspose1d(1, 1, **kwargs)
                length = spec.compute_output_shape((None, 1, size))[2]
                crop = pt.conv_transpose_crop(size, **kwargs)
            assert (length, crop) == (target, solution.split), (size, target, solution)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_conv_solutions_build_layers_of_the_target_length(framework: str) -> None:
    rng = random.Random(f"{SEED}:solve-conv:{framework}")
    checked = 0
    for _ in range(12):
        target, factor = rng.randint(1, 9), rng.randint(1, 3)
        size = target * factor + rng.randint(0, 2)
        for pooling in (False, True):
            found = cs.solve_conv(size, target, framework=framework, pooling=pooling)
            for solution in found:
                kwargs = dict(solution.kwargs)
                if framework == "keras" and pooling:
                    layer: Any = layers.MaxPooling1D(**kwargs)
                elif framework == "keras":
                    layer = layers.Conv1D(1, **kwargs)
                elif pooling:
                    layer = pt.MaxPool1d(**kwargs)
                else:
                    layer = pt.Conv1d(1, 1, **kwargs)
                shape = (None, size, 1) if framework == "keras" else (None, 1, size)
                axis = 1 if framework == "keras" else 2
                assert layer.compute_output_shape(shape)[axis] == target, (size, solution)
                checked += 1
    assert checked > 20


def _strided_stack(length: int | None, padding: str) -> cs.Model:
    return Sequential(
        [
            Input((length, 1)),
            layers.Conv1D(2, 3, strides=2, padding=padding),
            layers.MaxPooling1D(2),
            layers.Conv1DTranspose(1, 4, strides=3, padding=padding),
        ]
    )


def _skip_connection(length: int | None, padding: str) -> cs.Model:
    inputs = Input((length, 1))
    down = layers.Conv1D(1, 2, strides=2, padding=padding)(inputs)
    up = layers.UpSampling1D(2)(down)
    return cs.Model(inputs, layers.Concatenate()([inputs, up]))


@pytest.mark.parametrize("build", [_strided_stack, _skip_connection])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_input_sizes_are_the_lengths_the_layers_accept(
    build: Callable[[int | None, str], cs.Model], padding: str
) -> None:
    (axis,) = cs.input_sizes(build(None, padding), range(1, 40)).inputs[0].axes
    built = []
    for length in range(1, 40):
        try:
            build(length, padding)
        except cs.ConvShapeError:
            continue
        built.append(length)
    assert list(axis.values) == built
    assert built, "the model should take some length"


def _transposes() -> Iterator[tuple[Any, ...]]:
    for k in range(1, 7):
        for s in range(1, 5):
            for d in (1, 2):
                for padding in ("valid", "same"):
                    for op in (None, *range(s)):
                        yield k, s, d, padding, op


@pytest.mark.filterwarnings("ignore::convshape.ConvShapeWarning")
def test_check_flags_a_torch_crop_exactly_when_the_port_crops() -> None:
    compared = 0
    for k, s, d, padding, op in _transposes():
        try:
            layer = layers.Conv1DTranspose(
                1, k, strides=s, padding=padding, output_padding=op, dilation_rate=d
            )
            translation = cs.translate(layer, "torch", (None, 9, 1))
        except cs.ConvShapeError:
            continue
        codes = [finding.code for finding in cs.check(layer, (None, 9, 1))]
        crops = any(crop != (0, 0) for crop in translation.crop)
        assert ("torch-port-needs-crop" in codes) == crops, (k, s, d, padding, op)
        assert translation.exact or crops, (k, s, d, padding, op)
        compared += 1
    assert compared > 100

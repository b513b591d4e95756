"""Receptive fields of the modules and layers added beside the first ones, read off real
frameworks as tests/test_oracle_receptive.py reads them: PyTorch gradients for the padding
modules, LPPool, pixel (un)shuffling and lazy convolutions (each after a convolution of
positive weights, so that no gradient cancels), and Keras's adaptive pooling windows read
off the real layer on one-hot inputs."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from convshape import torch as pt
from tests.oracles import ORACLE_COUNTS, oracle
from tests.test_oracle_receptive import _compare, _observe

COUNTED = "torch gradients: receptive fields of the padding, LPPool, pixel and lazy modules"


@pytest.fixture(scope="module")
def torch() -> Any:
    module = oracle("torch")
    module.set_num_threads(1)
    return module


def _positive(torch: Any, module: Any) -> Any:
    """The real module with weights in [0.5, 1] (float64), so no gradient cancels."""
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.rand(parameter.shape, generator=generator) * 0.5 + 0.5)
    return module.double()


# (id, builder of both stacks from a namespace, input lengths, margin, period)
STACKS_1D: list[tuple[str, Callable[[Any], list[Any]], int]] = [
    ("zero-pad", lambda nn: [nn.ZeroPad1d((3, 1)), nn.Conv1d(1, 1, 3, stride=2)], 4),
    ("constant-pad-crop", lambda nn: [nn.ConstantPad1d((-2, 3), 0.0), nn.Conv1d(1, 1, 5)], 6),
    ("reflection-pad", lambda nn: [nn.Conv1d(1, 1, 3), nn.ReflectionPad1d((2, 1))], 6),
    ("replication-pad", lambda nn: [nn.ReplicationPad1d((1, 4)), nn.Conv1d(1, 1, 2)], 6),
    ("circular-pad", lambda nn: [nn.CircularPad1d((3, 2)), nn.Conv1d(1, 1, 3, dilation=2)], 8),
    ("lppool", lambda nn: [nn.Conv1d(1, 1, 3), nn.LPPool1d(2, 3, stride=2)], 6),
    ("lppool-default-stride", lambda nn: [nn.LPPool1d(3, 2), nn.Conv1d(1, 1, 3)], 6),
    ("lazy-conv", lambda nn: [nn.LazyConv1d(1, 4, stride=3, padding=2), nn.Conv1d(1, 1, 2)], 6),
    (
        "lazy-conv-transpose",
        lambda nn: [nn.Conv1d(1, 1, 3), nn.LazyConvTranspose1d(1, 4, stride=2, padding=1)],
        6,
    ),
]


@pytest.mark.parametrize(
    ("build", "margin"), [(b, m) for _, b, m in STACKS_1D], ids=[name for name, _, _ in STACKS_1D]
)
def test_1d_modules_match_gradients(
    torch: Any, build: Callable[[Any], list[Any]], margin: int
) -> None:
    length = 61
    stack = pt.Sequential(*build(pt))
    (field,) = cs.receptive_field(stack, (1, 1, length))
    real = torch.nn.Sequential(*build(torch.nn))
    real(torch.zeros(1, 1, length))  # materializes the lazy modules
    forward = _positive(torch, real)
    observed = _observe(torch, forward, [length], [field.period])
    assert observed is not None
    ORACLE_COUNTS[COUNTED] += 1
    assert _compare(field, observed.spans[0], length, margin, field.period) == []


STACKS_2D: list[tuple[str, Callable[[Any], list[Any]]]] = [
    (
        "pixel-unshuffle-shuffle",
        lambda nn: [nn.PixelUnshuffle(2), nn.Conv2d(4, 4, 3), nn.PixelShuffle(2)],
    ),
    ("pixel-shuffle", lambda nn: [nn.Conv2d(1, 9, 3), nn.PixelShuffle(3), nn.Conv2d(1, 1, 2)]),
    ("zero-pad-2d", lambda nn: [nn.ZeroPad2d((1, 2, 3, 0)), nn.Conv2d(1, 1, (3, 2), stride=2)]),
    ("lppool-2d", lambda nn: [nn.Conv2d(1, 1, 2), nn.LPPool2d(2, (2, 3), stride=(1, 2))]),
]


@pytest.mark.parametrize("build", [b for _, b in STACKS_2D], ids=[n for n, _ in STACKS_2D])
def test_2d_modules_match_gradients(torch: Any, build: Callable[[Any], list[Any]]) -> None:
    lengths = [36, 36]
    fields = cs.receptive_field(pt.Sequential(*build(pt)), (1, 1, *lengths))
    forward = _positive(torch, torch.nn.Sequential(*build(torch.nn)))
    periods = [field.period for field in fields]
    observed = _observe(torch, forward, lengths, periods)
    assert observed is not None
    ORACLE_COUNTS[COUNTED] += 1
    for axis, field in enumerate(fields):
        assert _compare(field, observed.spans[axis], lengths[axis], 6, field.period) == []


def _keras_windows(keras: Any, name: str, size: int, out: int) -> list[tuple[int, int]]:
    """(first, last) input read by each output of the real layer, from one-hot inputs."""
    import numpy as np

    y = np.asarray(getattr(keras.layers, name)(out)(np.eye(size, dtype="float32")[None]))
    return [(int(np.flatnonzero(row).min()), int(np.flatnonzero(row).max())) for row in y[0]]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_keras_adaptive_pooling_fields_are_its_windows(data_format: str) -> None:
    keras = oracle("keras")
    for size, out in [(20, 6), (13, 5), (12, 4), (7, 7), (9, 2), (10, 1), (30, 12)]:
        windows = _keras_windows(keras, "AdaptiveAveragePooling1D", size, out)
        shape = (size, 3) if data_format == "channels_last" else (3, size)
        model = cs.Sequential(
            [layers.Input(shape), layers.AdaptiveAveragePooling1D(out, data_format=data_format)]
        )
        (field,) = cs.receptive_field(model)
        ORACLE_COUNTS["keras adaptive pooling windows (one-hot inputs) as receptive fields"] += 1
        if out == 1:
            assert field.whole
            continue
        assert [field.span(o) for o in range(out)] == windows, (size, out)
        assert field.size == max(last - first + 1 for first, last in windows)
        assert field.jump == Fraction(size, out)

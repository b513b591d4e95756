"""Costs of the layers and modules added beside the first ones, against the frameworks.

- PyTorch's lazy convolutions: MACs against ``FlopCounterMode`` on real ``LazyConv*d``
  modules run on real tensors, and their output and parameter bytes.
- PyTorch's padding, pixel shuffle, LPPool and lazy modules in a ``Sequential``: FLOPs and
  every module's output bytes against the real modules.
- Keras's adaptive pooling: the FLOPs convention sums each output's window, so the sum of
  the windows is read off real Keras layers: pooling a one-hot input (one channel per
  input position) gives a non-zero output exactly where a window holds that position.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from convshape import layers
from convshape import torch as pt
from convshape.costs import cost, macs
from tests.oracles import ORACLE_COUNTS, oracle


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def _flop_count(torch: Any, module: Any, x: Any) -> tuple[int, Any]:
    from torch.utils.flop_counter import FlopCounterMode

    with warnings.catch_warnings(), torch.no_grad(), FlopCounterMode(display=False) as counter:
        warnings.simplefilter("ignore", UserWarning)  # the lazy modules' "in development"
        y = module(x)
    return counter.get_total_flops(), y


LAZY_CASES = [
    (rank, transposed, out, k, s, groups)
    for rank, transposed, out, k, s, groups in itertools.product(
        (1, 2, 3), (False, True), (4, 6), (1, 3), (1, 2), (1, 2)
    )
]


@pytest.mark.parametrize(("rank", "transposed", "out", "k", "s", "groups"), LAZY_CASES)
def test_lazy_convolutions_count_as_the_real_ones(
    torch: Any, rank: int, transposed: bool, out: int, k: int, s: int, groups: int
) -> None:
    name = f"LazyConv{'Transpose' if transposed else ''}{rank}d"
    shape = (2, 4, *[5 + i for i in range(rank)])
    real = getattr(torch.nn, name)(out, k, stride=s, groups=groups)
    flops, y = _flop_count(torch, real, torch.zeros(shape))
    spec = getattr(pt, name)(out, k, stride=s, groups=groups)
    ours = cost(spec, (None, *shape[1:]), batch_size=2)
    ORACLE_COUNTS["torch FlopCounterMode: lazy convolutions"] += 1
    assert 2 * ours.macs == flops
    assert ours.layers[0].output_bytes == y.nbytes
    assert ours.memory.params_bytes == sum(p.nbytes for p in real.parameters())


def _new_modules(nn: Any) -> Any:
    return nn.Sequential(
        nn.ZeroPad2d((1, 2, 0, 1)),
        nn.LazyConv2d(8, 3),
        nn.ReflectionPad2d(1),
        nn.LPPool2d(2, 3, stride=2),
        nn.PixelShuffle(2),
        nn.ReplicationPad2d((0, 1, 1, 0)),
        nn.LazyConvTranspose2d(4, 4, stride=2, padding=1),
        nn.PixelUnshuffle(2),
        nn.CircularPad2d(1),
        nn.ConstantPad2d(2, 0.5),
        nn.Conv2d(16, 2, 1),
    )


def test_new_modules_in_a_sequential(torch: Any) -> None:
    module = _new_modules(torch.nn).eval()
    outputs: list[int] = []
    x = torch.zeros(2, 3, 11, 12)
    module(x)  # materializes the lazy modules before the hooks
    for child in module:
        child.register_forward_hook(lambda m, i, o: outputs.append(o.nbytes))
    real, _ = _flop_count(torch, module, x)
    ours = cost(_new_modules(pt), (None, 3, 11, 12), batch_size=2)
    ORACLE_COUNTS["torch FlopCounterMode: padding, pixel shuffle, LPPool, lazy modules"] += 1
    assert 2 * ours.macs == real
    assert [row.output_bytes for row in ours.layers] == outputs
    for row, child in zip(ours.layers, module, strict=True):
        assert row.params * 4 == sum(p.nbytes for p in child.parameters()), row.class_name
    lp = next(row for row in ours.layers if row.class_name == "LPPool2d")
    assert lp.flops == math.prod(lp.output_shape) * 3 * 3  # K per output, as other pools


def _window_sum_keras(keras: Any, cls: Callable[..., Any], size: tuple[int, ...], out: Any) -> int:
    """The sum over outputs of their windows' sizes, read off the real layer."""
    import numpy as np

    positions = math.prod(size)
    one_hot = np.eye(positions, dtype="float32").reshape(1, *size, positions)
    y = np.asarray(cls(out)(one_hot))
    return int(np.count_nonzero(y))


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("kind", ["Average", "Max"])
def test_keras_adaptive_pooling_sums_its_windows(keras: Any, rank: int, kind: str) -> None:
    name = f"Adaptive{kind}Pooling{rank}D"
    sizes = (3, 5, 8, 13) if rank == 1 else (4, 7)
    outputs = (2, 3, 5) if rank == 1 else (2, 3)
    for size in itertools.product(sizes, repeat=rank):
        for out in itertools.product(outputs, repeat=rank):
            if kind == "Max" and any(
                o == 1 or -(-i // o) + 1 > i for i, o in zip(size, out, strict=True)
            ):
                continue  # TensorFlow's CPU max-pool kernel fails on these windows
            windows = _window_sum_keras(keras, getattr(keras.layers, name), size, out)
            layer = getattr(layers, name)(out)
            report = cost(layer, (2, *size, 3))
            ORACLE_COUNTS["keras adaptive pooling window sums (one-hot inputs)"] += 1
            assert report.flops == 2 * 3 * windows, (name, size, out)
            assert macs(layer, (2, *size, 3)) == 0
            first = getattr(layers, name)(out, data_format="channels_first")
            assert cost(first, (2, 3, *size)).flops == report.flops

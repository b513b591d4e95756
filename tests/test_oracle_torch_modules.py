"""convshape.torch's module specifications against real torch.nn modules: the same models
built from the same code, run on zeros; every module's output shape, parameters and
buffers compared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import convshape.torch as pt
from tests.oracles import ORACLE_COUNTS, oracle

Builder = Callable[[Any], Any]


def generator(nn: Any) -> Any:
    return nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False),
        nn.BatchNorm1d(7 * 7 * 256),
        nn.LeakyReLU(),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(128),
        nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 1, 5, stride=3, padding=1, output_padding=1),
        nn.Tanh(),
    )


def classifier(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.GroupNorm(4, 16),
        nn.GELU(),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.Conv2d(16, 32, (3, 5), stride=(2, 1), dilation=(1, 2), groups=4),
        nn.InstanceNorm2d(32, affine=True),
        nn.SiLU(),
        nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False),
        nn.AdaptiveAvgPool2d((1, None)),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Identity(),
    )


def signal(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv1d(4, 8, 5, padding="same"),
        nn.PReLU(8),
        nn.MaxPool1d(2, ceil_mode=True),
        nn.ConvTranspose1d(8, 8, 3, stride=3, dilation=2, output_padding=1),
        nn.InstanceNorm1d(8),
        nn.AdaptiveMaxPool1d(7),
        nn.Upsample(scale_factor=1.5),
        nn.AvgPool1d(3, stride=2, padding=1),
        nn.ELU(),
        nn.Flatten(),
        nn.LayerNorm(40),
        nn.Softmax(dim=1),
    )


def volume(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv3d(1, 4, 3, stride=2, padding=1),
        nn.BatchNorm3d(4),
        nn.MaxPool3d(2, stride=1),
        nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, output_padding=1),
        nn.Upsample(size=(9, 10, 11)),
        nn.InstanceNorm3d(2),
        nn.AdaptiveAvgPool3d(2),
        nn.AvgPool3d(2),
        nn.AdaptiveMaxPool3d((None, 1, 1)),
        nn.Sigmoid(),
    )


MODELS: list[tuple[str, Builder, tuple[int, ...]]] = [
    ("generator", generator, (2, 100)),
    ("classifier", classifier, (2, 3, 29, 31)),
    ("signal", signal, (2, 4, 17)),
    ("volume", volume, (2, 1, 11, 12, 13)),
]


@pytest.mark.parametrize(("name", "build", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_modules_match_torch(name: str, build: Builder, shape: tuple[int, ...]) -> None:
    torch = oracle("torch")
    theirs = build(torch.nn)
    theirs.eval()
    outputs: list[tuple[int, ...]] = []
    for module in theirs:
        module.register_forward_hook(lambda m, i, o: outputs.append(tuple(o.shape)))
    with torch.no_grad():
        theirs(torch.zeros(shape))
    ours = build(pt)
    rows = ours.summarize(shape)
    assert len(rows) == len(outputs)
    for row, module, out in zip(rows, theirs, outputs, strict=True):
        ORACLE_COUNTS["torch modules (shape, parameters, buffers)"] += 1
        assert row.class_name == type(module).__name__
        assert row.output_shape == out, row.class_name
        assert row.parameters == sum(p.numel() for p in module.parameters()), row.class_name
        assert row.buffers == sum(b.numel() for b in module.buffers()), row.class_name
    assert "Total params:" in str(ours.summarize(shape))


def test_conv_transpose_output_size_range() -> None:
    torch = oracle("torch")
    spec = pt.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    module = torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    x = torch.zeros(1, 4, 7, 7)
    for size in range(11, 16):
        ORACLE_COUNTS["torch ConvTranspose output_size"] += 1
        try:
            real: tuple[int, ...] | None = tuple(module(x, output_size=[size, size]).shape)
        except (RuntimeError, ValueError):
            real = None
        try:
            ours: tuple[int | None, ...] | None = spec.compute_output_shape(
                (1, 4, 7, 7), output_size=(size, size)
            )
        except ValueError:  # ConvShapeError
            ours = None
        assert ours == real, size


# (id, builder, input shape): configurations real PyTorch refuses, at construction or forward.
REJECTED: list[tuple[str, Builder, tuple[int, ...]]] = [
    ("conv-groups", lambda nn: nn.Conv2d(3, 8, 3, groups=2), (1, 3, 8, 8)),
    ("conv-same-strided", lambda nn: nn.Conv2d(4, 8, 3, stride=2, padding="same"), (1, 4, 8, 8)),
    ("conv-channels", lambda nn: nn.Conv2d(4, 8, 3), (1, 5, 8, 8)),
    ("conv-too-small", lambda nn: nn.Conv2d(4, 8, 5), (1, 4, 3, 3)),
    (
        "transpose-output-padding",
        lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=2),
        (1, 4, 5, 5),
    ),
    ("transpose-too-small", lambda nn: nn.ConvTranspose1d(4, 2, 1, padding=1), (1, 4, 1)),
    ("pool-padding", lambda nn: nn.MaxPool2d(3, padding=2), (1, 4, 8, 8)),
    ("pool-too-small", lambda nn: nn.AvgPool1d(4), (1, 2, 3)),
    ("linear-features", lambda nn: nn.Linear(10, 3), (2, 9)),
    ("batchnorm-channels", lambda nn: nn.BatchNorm2d(8), (2, 4, 5, 5)),
    ("groupnorm-groups", lambda nn: nn.GroupNorm(3, 8), (2, 8, 4, 4)),
    ("layernorm-shape", lambda nn: nn.LayerNorm(5), (2, 4)),
    ("unflatten-size", lambda nn: nn.Unflatten(1, (3, 3)), (2, 10)),
    ("upsample-nothing", lambda nn: nn.Upsample(), (1, 2, 4, 4)),
]


@pytest.mark.parametrize(
    ("build", "shape"), [(b, s) for _, b, s in REJECTED], ids=[i for i, _, _ in REJECTED]
)
def test_modules_reject_what_torch_rejects(build: Builder, shape: tuple[int, ...]) -> None:
    torch = oracle("torch")
    ORACLE_COUNTS["torch module rejections reproduced"] += 1
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        torch.nn.Sequential(build(torch.nn))(torch.zeros(shape))
    with pytest.raises((ValueError, TypeError)):  # ConvShapeError is a ValueError
        pt.Sequential(build(pt)).compute_output_shape(shape)

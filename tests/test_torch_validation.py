"""convshape.torch's module specifications on hostile and unusual arguments: real torch
decides what is accepted (each case built in PyTorch and run on zeros), every rejection is a
ConvShapeError or TypeError naming the argument, and a Hypothesis fuzz over the
constructors finds no other exception and no result that is not a plain int."""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convshape.torch as pt
from convshape import ConvShapeError
from convshape.torch._module import Module
from convshape.torch.conv import _ConvNd, _ConvTranspose
from tests.oracles import ORACLE_COUNTS, oracle

Builder = Callable[[Any], Any]
Outcome = tuple[tuple[int | None, ...], int, int] | None


def _theirs(torch: Any, build: Builder, shape: tuple[int, ...], **kwargs: Any) -> Outcome:
    """PyTorch's (output shape, parameters, buffers), or None where it refuses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = build(torch.nn)
            module.eval()
            with torch.no_grad():
                out = module(torch.zeros(shape), **kwargs)
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError, ArithmeticError):
        return None
    if isinstance(out, tuple):  # return_indices=True
        out = out[0]
    params = sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for b in module.buffers())
    return tuple(out.shape), params, buffers


def _ours(build: Builder, shape: tuple[int, ...], **kwargs: Any) -> Outcome:
    """convshape's answer, or None where it rejects (ConvShapeError or TypeError only)."""
    try:
        spec = build(pt)
        out = spec.compute_output_shape(shape, **kwargs)
    except (ConvShapeError, TypeError):
        return None
    buffers = spec.buffer_count() if isinstance(spec, Module) else 0
    return tuple(out), spec.parameter_count(), buffers


# (id, builder, input shape): each compared with real PyTorch, accepted or refused.
CASES: list[tuple[str, Builder, tuple[int, ...]]] = [
    # unbatched (C, *spatial) convolutions
    ("conv1d-unbatched", lambda nn: nn.Conv1d(4, 8, 3), (4, 9)),
    ("conv2d-unbatched", lambda nn: nn.Conv2d(4, 8, 3, padding=1), (4, 9, 7)),
    ("conv3d-unbatched", lambda nn: nn.Conv3d(2, 4, 3), (2, 5, 6, 7)),
    ("convt2d-unbatched", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (4, 5, 5)),
    ("convt1d-unbatched", lambda nn: nn.ConvTranspose1d(4, 2, 4, stride=3), (4, 6)),
    ("conv2d-unbatched-channels", lambda nn: nn.Conv2d(4, 8, 3), (5, 9, 9)),
    ("conv2d-zero-batch", lambda nn: nn.Conv2d(4, 8, 1), (0, 4, 5, 5)),
    ("convt2d-zero-batch", lambda nn: nn.ConvTranspose2d(4, 8, 1), (0, 4, 5, 5)),
    ("convt2d-zero-spatial", lambda nn: nn.ConvTranspose2d(4, 8, 1), (4, 0, 8)),
    ("conv1d-rank4", lambda nn: nn.Conv1d(4, 8, 3), (1, 4, 5, 5)),
    ("convt1d-rank4", lambda nn: nn.ConvTranspose1d(4, 8, 3), (1, 4, 5, 5)),
    ("convt2d-rank2", lambda nn: nn.ConvTranspose2d(4, 8, 3), (4, 5)),
    # one-element tuples PyTorch expands (not for kernel_size), empty ones
    ("conv2d-stride-1tuple", lambda nn: nn.Conv2d(4, 8, 3, stride=(2,)), (1, 4, 5, 5)),
    ("conv2d-padding-1tuple", lambda nn: nn.Conv2d(4, 8, 3, padding=(1,)), (1, 4, 5, 5)),
    ("conv2d-dilation-1tuple", lambda nn: nn.Conv2d(4, 8, 3, dilation=(2,)), (1, 4, 9, 9)),
    ("conv2d-kernel-1tuple", lambda nn: nn.Conv2d(4, 8, (3,)), (1, 4, 5, 5)),
    ("conv2d-stride-empty", lambda nn: nn.Conv2d(4, 8, 3, stride=()), (1, 4, 5, 5)),
    (
        "convt2d-op-1tuple",
        lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2, output_padding=(1,)),
        (1, 4, 5, 5),
    ),
    ("convt2d-kernel-1tuple", lambda nn: nn.ConvTranspose2d(4, 8, (3,)), (1, 4, 5, 5)),
    ("maxpool2d-kernel-1tuple", lambda nn: nn.MaxPool2d((2,)), (1, 3, 8, 8)),
    ("maxpool3d-kernel-1tuple", lambda nn: nn.MaxPool3d((2,)), (1, 3, 8, 8, 8)),
    ("maxpool2d-stride-empty", lambda nn: nn.MaxPool2d(2, stride=()), (1, 3, 8, 8)),
    ("maxpool2d-kernel-empty", lambda nn: nn.MaxPool2d(()), (1, 3, 8, 8)),
    ("maxpool2d-padding-empty", lambda nn: nn.MaxPool2d(2, padding=()), (1, 3, 8, 8)),
    ("maxpool2d-padding-1tuple", lambda nn: nn.MaxPool2d(2, padding=(1,)), (1, 3, 8, 8)),
    ("maxpool2d-dilation-1tuple", lambda nn: nn.MaxPool2d(2, dilation=(2,)), (1, 3, 8, 8)),
    ("maxpool2d-stride-3tuple", lambda nn: nn.MaxPool2d(2, stride=(1, 2, 3)), (1, 3, 8, 8)),
    ("maxpool2d-stride-0", lambda nn: nn.MaxPool2d(2, stride=0), (1, 3, 8, 8)),
    ("avgpool2d-kernel-1tuple", lambda nn: nn.AvgPool2d((2,)), (1, 3, 8, 8)),
    ("avgpool3d-stride-empty", lambda nn: nn.AvgPool3d(2, stride=()), (1, 3, 8, 8, 8)),
    ("avgpool1d-stride-empty", lambda nn: nn.AvgPool1d(2, stride=()), (1, 3, 8)),
    # zero-size non-batch dimensions
    ("maxpool2d-zero-channels", lambda nn: nn.MaxPool2d(2), (1, 0, 8, 8)),
    ("maxpool2d-unbatched-zero-channels", lambda nn: nn.MaxPool2d(2), (0, 8, 8)),
    ("maxpool2d-zero-batch", lambda nn: nn.MaxPool2d(2), (0, 3, 8, 8)),
    ("avgpool1d-zero-channels", lambda nn: nn.AvgPool1d(2), (1, 0, 8)),
    ("avgpool3d-zero-batch", lambda nn: nn.AvgPool3d(2), (0, 3, 8, 8, 8)),
    ("adaptiveavg2d-zero-channels", lambda nn: nn.AdaptiveAvgPool2d(3), (1, 0, 8, 8)),
    ("adaptiveavg1d-zero-channels", lambda nn: nn.AdaptiveAvgPool1d(3), (1, 0, 8)),
    ("adaptiveavg3d-zero-channels", lambda nn: nn.AdaptiveAvgPool3d(3), (1, 0, 8, 8, 8)),
    ("adaptiveavg3d-unbatched-zero", lambda nn: nn.AdaptiveAvgPool3d(3), (0, 8, 8, 8)),
    ("adaptivemax2d-zero-channels", lambda nn: nn.AdaptiveMaxPool2d(3), (1, 0, 8, 8)),
    ("adaptivemax2d-unbatched-zero", lambda nn: nn.AdaptiveMaxPool2d(3), (0, 8, 8)),
    ("adaptivemax1d-zero-channels", lambda nn: nn.AdaptiveMaxPool1d(3), (1, 0, 8)),
    ("adaptiveavg2d-zero-spatial", lambda nn: nn.AdaptiveAvgPool2d(3), (1, 3, 0, 8)),
    ("adaptiveavg2d-zero-batch", lambda nn: nn.AdaptiveAvgPool2d(3), (0, 3, 8, 8)),
    # adaptive output sizes
    ("adaptiveavg2d-negative", lambda nn: nn.AdaptiveAvgPool2d(-1), (1, 3, 8, 8)),
    ("adaptivemax2d-negative", lambda nn: nn.AdaptiveMaxPool2d(-2), (1, 3, 8, 8)),
    ("adaptiveavg2d-zero", lambda nn: nn.AdaptiveAvgPool2d(0), (1, 3, 8, 8)),
    ("adaptivemax3d-zero", lambda nn: nn.AdaptiveMaxPool3d(0), (1, 3, 8, 8, 8)),
    ("adaptiveavg2d-float", lambda nn: nn.AdaptiveAvgPool2d(2.0), (1, 3, 8, 8)),
    ("adaptiveavg2d-1tuple", lambda nn: nn.AdaptiveAvgPool2d((2,)), (1, 3, 8, 8)),
    ("adaptiveavg2d-none", lambda nn: nn.AdaptiveAvgPool2d(None), (1, 3, 8, 8)),
    ("adaptiveavg1d-none-tuple", lambda nn: nn.AdaptiveAvgPool1d((None,)), (1, 3, 8)),
    ("adaptiveavg2d-none-pair", lambda nn: nn.AdaptiveAvgPool2d((None, None)), (1, 3, 8, 8)),
    ("adaptiveavg2d-bigger", lambda nn: nn.AdaptiveAvgPool2d([20, None]), (1, 3, 8, 8)),
    # divisor_override
    ("avgpool2d-divisor-0", lambda nn: nn.AvgPool2d(2, divisor_override=0), (1, 3, 8, 8)),
    ("avgpool3d-divisor-0", lambda nn: nn.AvgPool3d(2, divisor_override=0), (1, 3, 8, 8, 8)),
    ("avgpool2d-divisor-negative", lambda nn: nn.AvgPool2d(2, divisor_override=-1), (1, 3, 8, 8)),
    ("avgpool2d-divisor-float", lambda nn: nn.AvgPool2d(2, divisor_override=1.5), (1, 3, 8, 8)),
    # padding modes
    *[
        (
            f"conv1d-{mode}-p{p}",
            lambda nn, mode=mode, p=p: nn.Conv1d(1, 1, 3, padding=p, padding_mode=mode),
            (1, 1, 5),
        )
        for mode in ("reflect", "replicate", "circular")
        for p in (4, 5, 6)
    ],
    *[
        (
            f"conv1d-{mode}-same",
            lambda nn, mode=mode: nn.Conv1d(1, 1, 9, padding="same", padding_mode=mode),
            (1, 1, 3),
        )
        for mode in ("reflect", "replicate", "circular")
    ],
    (
        "conv2d-reflect-pair",
        lambda nn: nn.Conv2d(1, 1, 3, padding=(1, 3), padding_mode="reflect"),
        (1, 1, 3, 3),
    ),
    ("conv2d-padding-mode", lambda nn: nn.Conv2d(4, 8, 3, padding_mode="foo"), (1, 4, 5, 5)),
    (
        "convt2d-reflect",
        lambda nn: nn.ConvTranspose2d(4, 8, 3, padding_mode="reflect"),
        (1, 4, 5, 5),
    ),
    ("conv2d-padding-upper", lambda nn: nn.Conv2d(4, 8, 3, padding="SAME"), (1, 4, 5, 5)),
    ("conv2d-padding-negative", lambda nn: nn.Conv2d(4, 8, 3, padding=-1), (1, 4, 5, 5)),
    (
        "convt2d-op-negative",
        lambda nn: nn.ConvTranspose2d(4, 8, 3, 2, output_padding=-1),
        (1, 4, 5, 5),
    ),
    (
        "convt2d-op-dilation",
        lambda nn: nn.ConvTranspose2d(4, 8, 3, 2, dilation=3, output_padding=2),
        (1, 4, 5, 5),
    ),
    ("conv2d-negative-channels", lambda nn: nn.Conv2d(-1, 8, 3), (1, 4, 5, 5)),
    ("conv2d-float-channels", lambda nn: nn.Conv2d(4.0, 8, 3), (1, 4, 5, 5)),
    ("conv2d-float-kernel", lambda nn: nn.Conv2d(4, 8, 3.0), (1, 4, 5, 5)),
    ("conv2d-groups-0", lambda nn: nn.Conv2d(4, 8, 3, groups=0), (1, 4, 5, 5)),
    ("conv2d-stride-0", lambda nn: nn.Conv2d(4, 8, 3, stride=0), (1, 4, 5, 5)),
    # factory arguments
    ("conv2d-device", lambda nn: nn.Conv2d(4, 8, 3, device="cpu", dtype=None), (1, 4, 5, 5)),
    ("linear-device", lambda nn: nn.Linear(3, 4, device="cpu"), (2, 3)),
    ("batchnorm-device", lambda nn: nn.BatchNorm2d(8, device="cpu"), (2, 8, 3, 3)),
    ("groupnorm-device", lambda nn: nn.GroupNorm(2, 8, device="cpu"), (2, 8, 3)),
    ("layernorm-device", lambda nn: nn.LayerNorm(8, device="cpu"), (2, 8)),
    ("prelu-device", lambda nn: nn.PReLU(8, device="cpu"), (2, 8)),
    # normalisation: bias, eps, ranks, groups
    ("batchnorm-no-bias", lambda nn: nn.BatchNorm2d(8, bias=False), (2, 8, 3, 3)),
    (
        "batchnorm-no-affine-bias",
        lambda nn: nn.BatchNorm2d(8, affine=False, bias=False),
        (2, 8, 3, 3),
    ),
    (
        "instancenorm-no-bias",
        lambda nn: nn.InstanceNorm2d(8, affine=True, bias=False),
        (2, 8, 3, 3),
    ),
    ("groupnorm-no-bias", lambda nn: nn.GroupNorm(2, 8, bias=False), (2, 8, 3)),
    ("groupnorm-zero-groups", lambda nn: nn.GroupNorm(0, 8), (2, 8, 3)),
    ("groupnorm-negative-groups", lambda nn: nn.GroupNorm(-2, 8), (2, 8, 3)),
    ("groupnorm-negative-channels", lambda nn: nn.GroupNorm(2, -8), (2, 8, 3)),
    ("groupnorm-zero-channels", lambda nn: nn.GroupNorm(2, 0), (2, 0, 3)),
    ("groupnorm-1d", lambda nn: nn.GroupNorm(2, 8), (8,)),
    ("groupnorm-channels", lambda nn: nn.GroupNorm(2, 8), (2, 4, 3)),
    ("groupnorm-free-channels", lambda nn: nn.GroupNorm(2, 8, affine=False), (1, 6, 3)),
    ("groupnorm-free-indivisible", lambda nn: nn.GroupNorm(2, 8, affine=False), (1, 5, 3)),
    ("groupnorm-eps-str", lambda nn: nn.GroupNorm(2, 8, eps="a"), (1, 8, 3)),
    ("batchnorm-eps-negative", lambda nn: nn.BatchNorm2d(8, eps=-1), (2, 8, 3, 3)),
    ("batchnorm-eps-str", lambda nn: nn.BatchNorm2d(8, eps="a"), (2, 8, 3, 3)),
    ("batchnorm-eps-none", lambda nn: nn.BatchNorm2d(8, eps=None), (2, 8, 3, 3)),
    ("instancenorm-eps-negative", lambda nn: nn.InstanceNorm2d(8, eps=-1), (2, 8, 3, 3)),
    ("layernorm-eps-str", lambda nn: nn.LayerNorm(8, eps="a"), (2, 8)),
    ("batchnorm-momentum-none", lambda nn: nn.BatchNorm2d(8, momentum=None), (2, 8, 3, 3)),
    ("batchnorm-momentum-str", lambda nn: nn.BatchNorm2d(8, momentum="a"), (2, 8, 3, 3)),
    ("batchnorm-negative", lambda nn: nn.BatchNorm2d(-1), (2, 8, 3, 3)),
    ("batchnorm2d-unbatched", lambda nn: nn.BatchNorm2d(8), (8, 3, 3)),
    ("batchnorm1d-1d", lambda nn: nn.BatchNorm1d(8), (8,)),
    ("batchnorm1d-4d", lambda nn: nn.BatchNorm1d(8), (2, 8, 5, 5)),
    ("batchnorm1d-zero-length", lambda nn: nn.BatchNorm1d(8), (2, 8, 0)),
    ("batchnorm3d-4d", lambda nn: nn.BatchNorm3d(8), (8, 2, 3, 3)),
    ("instancenorm1d-unbatched", lambda nn: nn.InstanceNorm1d(8), (8, 5)),
    ("instancenorm2d-5d", lambda nn: nn.InstanceNorm2d(8), (2, 8, 3, 3, 3)),
    ("instancenorm2d-free-channels", lambda nn: nn.InstanceNorm2d(8), (2, 5, 3, 3)),
    ("instancenorm2d-affine-channels", lambda nn: nn.InstanceNorm2d(8, affine=True), (5, 3, 3)),
    ("instancenorm2d-one-element", lambda nn: nn.InstanceNorm2d(8), (2, 8, 1, 1)),
    ("layernorm-negative", lambda nn: nn.LayerNorm(-1), (2, 3)),
    ("layernorm-empty", lambda nn: nn.LayerNorm(()), (2, 3)),
    ("layernorm-zero", lambda nn: nn.LayerNorm(0), (2, 0)),
    ("layernorm-float", lambda nn: nn.LayerNorm(3.0), (2, 3)),
    ("layernorm-short-input", lambda nn: nn.LayerNorm((2, 3)), (3,)),
    ("layernorm-1d", lambda nn: nn.LayerNorm(3), (3,)),
    # linear, flatten, unflatten, PReLU, dropout, softmax, GELU
    ("linear-negative", lambda nn: nn.Linear(-1, 3), (2, 3)),
    ("linear-zero-in", lambda nn: nn.Linear(0, 3), (2, 0)),
    ("linear-zero-out", lambda nn: nn.Linear(3, 0), (2, 3)),
    ("linear-1d", lambda nn: nn.Linear(3, 4), (3,)),
    ("linear-0d", lambda nn: nn.Linear(3, 4), ()),
    ("linear-float", lambda nn: nn.Linear(3.0, 4), (2, 3)),
    ("flatten-start-high", lambda nn: nn.Flatten(5), (1, 3, 8, 8)),
    ("flatten-start-low", lambda nn: nn.Flatten(-5), (1, 3, 8, 8)),
    ("flatten-end-low", lambda nn: nn.Flatten(0, -5), (1, 3, 8, 8)),
    ("flatten-reversed", lambda nn: nn.Flatten(2, 1), (1, 3, 8, 8)),
    ("flatten-1d", lambda nn: nn.Flatten(), (5,)),
    ("flatten-scalar", lambda nn: nn.Flatten(0), ()),
    ("flatten-scalar-out", lambda nn: nn.Flatten(1), ()),
    ("flatten-zero", lambda nn: nn.Flatten(), (2, 0, 8)),
    ("flatten-float", lambda nn: nn.Flatten(2.0), (1, 3, 8, 8)),
    ("unflatten-infer", lambda nn: nn.Unflatten(1, (-1, 4)), (2, 12)),
    ("unflatten-two-infer", lambda nn: nn.Unflatten(1, (-1, -1)), (2, 12)),
    ("unflatten-negative", lambda nn: nn.Unflatten(1, (-2, -6)), (2, 12)),
    ("unflatten-indivisible", lambda nn: nn.Unflatten(1, (5, -1)), (2, 12)),
    ("unflatten-zero-infer", lambda nn: nn.Unflatten(1, (0, -1)), (2, 0)),
    ("unflatten-empty", lambda nn: nn.Unflatten(1, ()), (2, 1)),
    ("unflatten-dim", lambda nn: nn.Unflatten(3, (2, 6)), (2, 12)),
    ("unflatten-last", lambda nn: nn.Unflatten(-1, [2, 6]), (2, 12)),
    ("unflatten-int", lambda nn: nn.Unflatten(1, 5), (2, 5)),
    ("unflatten-float", lambda nn: nn.Unflatten(1, (2.0, 6)), (2, 12)),
    ("prelu-full", lambda nn: nn.PReLU("full"), (2, 4)),
    ("prelu-negative", lambda nn: nn.PReLU(-1), (2, 4)),
    ("prelu-zero", lambda nn: nn.PReLU(0), (2, 0, 3)),
    ("prelu-channels", lambda nn: nn.PReLU(3), (2, 4, 5)),
    ("prelu-1d", lambda nn: nn.PReLU(4), (4,)),
    ("prelu-scalar", lambda nn: nn.PReLU(4), ()),
    ("prelu-one-scalar", lambda nn: nn.PReLU(1), ()),
    ("prelu-float", lambda nn: nn.PReLU(1.0), (2, 4)),
    ("dropout-high", lambda nn: nn.Dropout(1.5), (2, 4)),
    ("dropout-negative", lambda nn: nn.Dropout(-0.1), (2, 4)),
    ("dropout-str", lambda nn: nn.Dropout("a"), (2, 4)),
    ("dropout-one", lambda nn: nn.Dropout(1), (2, 4)),
    ("gelu-approximate", lambda nn: nn.GELU("foo"), (2,)),
    ("softmax-dim", lambda nn: nn.Softmax(5), (2, 3)),
    ("softmax-str", lambda nn: nn.Softmax("a"), (2, 3)),
    ("softmax-none", lambda nn: nn.Softmax(), (2, 3, 4, 4)),
    ("leakyrelu-str", lambda nn: nn.LeakyReLU("a"), (2,)),
    ("elu-str", lambda nn: nn.ELU("a"), (2,)),
    # Upsample
    ("upsample-negative", lambda nn: nn.Upsample(scale_factor=-1), (1, 3, 8, 8)),
    ("upsample-zero", lambda nn: nn.Upsample(scale_factor=0), (1, 3, 8, 8)),
    ("upsample-small", lambda nn: nn.Upsample(scale_factor=0.1), (1, 3, 8, 8)),
    ("upsample-inf", lambda nn: nn.Upsample(scale_factor=math.inf), (1, 3, 8, 8)),
    ("upsample-nan", lambda nn: nn.Upsample(scale_factor=math.nan), (1, 3, 8, 8)),
    ("upsample-scale-1tuple", lambda nn: nn.Upsample(scale_factor=(2,)), (1, 3, 8, 8)),
    ("upsample-scale-3tuple", lambda nn: nn.Upsample(scale_factor=(2, 3, 4)), (1, 3, 8, 8)),
    ("upsample-scale-pair", lambda nn: nn.Upsample(scale_factor=(2, 3)), (1, 3, 8, 8)),
    ("upsample-scale-list", lambda nn: nn.Upsample(scale_factor=[2, 3]), (1, 3, 8, 8)),
    ("upsample-scale-third", lambda nn: nn.Upsample(scale_factor=1 / 3), (1, 3, 9)),
    ("upsample-scale-huge", lambda nn: nn.Upsample(scale_factor=1e300), (1, 3, 7, 7)),
    ("upsample-size-negative", lambda nn: nn.Upsample(size=-1), (1, 3, 8, 8)),
    ("upsample-size-zero", lambda nn: nn.Upsample(size=0), (1, 3, 8, 8)),
    ("upsample-size-1tuple", lambda nn: nn.Upsample(size=(3,)), (1, 3, 8, 8)),
    ("upsample-size-float", lambda nn: nn.Upsample(size=3.0), (1, 3, 8, 8)),
    ("upsample-both", lambda nn: nn.Upsample(size=3, scale_factor=2), (1, 3, 8, 8)),
    ("upsample-2d-input", lambda nn: nn.Upsample(scale_factor=2), (3, 8)),
    ("upsample-6d-input", lambda nn: nn.Upsample(scale_factor=2), (1, 1, 2, 2, 2, 2)),
    ("upsample-zero-spatial", lambda nn: nn.Upsample(scale_factor=2), (1, 3, 0, 8)),
    ("upsample-zero-channels", lambda nn: nn.Upsample(scale_factor=2), (1, 0, 4, 8)),
    ("upsample-zero-batch", lambda nn: nn.Upsample(scale_factor=2), (0, 3, 8)),
    ("upsample-bilinear-3d", lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"), (1, 3, 8)),
    ("upsample-linear-4d", lambda nn: nn.Upsample(scale_factor=2, mode="linear"), (1, 3, 8, 8)),
    ("upsample-bicubic", lambda nn: nn.Upsample(scale_factor=2, mode="bicubic"), (1, 3, 8, 8)),
    (
        "upsample-trilinear",
        lambda nn: nn.Upsample(scale_factor=2, mode="trilinear"),
        (1, 3, 4, 4, 4),
    ),
    ("upsample-mode", lambda nn: nn.Upsample(scale_factor=2, mode="foo"), (1, 3, 8, 8)),
    (
        "upsample-nearest-corners",
        lambda nn: nn.Upsample(scale_factor=2, align_corners=True),
        (1, 3, 8, 8),
    ),
    (
        "upsample-bilinear-corners",
        lambda nn: nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
        (1, 3, 7, 7),
    ),
    ("upsample-area-small", lambda nn: nn.Upsample(scale_factor=0.1, mode="area"), (1, 3, 7)),
    ("upsample-area-zero-size", lambda nn: nn.Upsample(size=0, mode="area"), (1, 3, 7)),
    (
        "upsample-area-zero-channels",
        lambda nn: nn.Upsample(scale_factor=2, mode="area"),
        (1, 0, 8, 8),
    ),
    (
        "upsample-recompute-size",
        lambda nn: nn.Upsample(size=3, recompute_scale_factor=True),
        (1, 3, 7, 7),
    ),
    (
        "upsample-recompute",
        lambda nn: nn.Upsample(scale_factor=0.3, recompute_scale_factor=True),
        (1, 3, 8, 8),
    ),
    (
        "upsample-nearest-exact",
        lambda nn: nn.Upsample(scale_factor=2, mode="nearest-exact"),
        (1, 3, 4, 4, 4),
    ),
]


@pytest.mark.parametrize(
    ("build", "shape"), [(b, s) for _, b, s in CASES], ids=[i for i, _, _ in CASES]
)
def test_module_agrees_with_torch(build: Builder, shape: tuple[int, ...]) -> None:
    torch = oracle("torch")
    ORACLE_COUNTS["torch module validation (accepted or refused, shape, counts)"] += 1
    assert _ours(build, shape) == _theirs(torch, build, shape)


OUTPUT_SIZES: list[tuple[str, Builder, tuple[int, ...], Any]] = [
    ("batched-2", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), [12, 12]),
    ("batched-4", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), [1, 8, 12, 12]),
    ("batched-3", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), [8, 12, 12]),
    ("batched-1", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), [12]),
    ("batched-empty", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), []),
    (
        "batched-wrong-n",
        lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2),
        (1, 4, 5, 5),
        [7, 9, 12, 12],
    ),
    ("unbatched-3", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (4, 5, 5), [8, 12, 12]),
    ("unbatched-4", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (4, 5, 5), [1, 8, 12, 12]),
    ("unbatched-2", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (4, 5, 5), [11, 12]),
    ("float", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), [12.0, 12.0]),
    ("int", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), 12),
    ("too-big", lambda nn: nn.ConvTranspose2d(4, 8, 3, stride=2), (1, 4, 5, 5), [13, 12]),
    ("dilated", lambda nn: nn.ConvTranspose2d(4, 8, 3, dilation=2), (1, 4, 5, 5), [10, 10]),
    (
        "dilated-strided",
        lambda nn: nn.ConvTranspose1d(4, 8, 3, stride=2, dilation=3),
        (1, 4, 5),
        [16],
    ),
]


@pytest.mark.parametrize(
    ("build", "shape", "size"),
    [(b, s, o) for _, b, s, o in OUTPUT_SIZES],
    ids=[i for i, _, _, _ in OUTPUT_SIZES],
)
def test_conv_transpose_output_size_agrees_with_torch(
    build: Builder, shape: tuple[int, ...], size: Any
) -> None:
    torch = oracle("torch")
    ORACLE_COUNTS["torch module validation (accepted or refused, shape, counts)"] += 1
    assert _ours(build, shape, output_size=size) == _theirs(torch, build, shape, output_size=size)


def _random_case(rng: random.Random) -> tuple[Builder, tuple[int, ...]]:
    """A convolution or pooling module with broadcast, unbatched and edge arguments."""
    rank = rng.randint(1, 3)
    shape = tuple(
        rng.randint(0, 7) if rng.random() < 0.1 else rng.randint(1, 9) for _ in range(rank)
    )

    def window(low: int) -> Any:
        choice = rng.random()
        if choice < 0.2:
            return (rng.randint(low, 3),)
        if choice < 0.5:
            return tuple(rng.randint(low, 3) for _ in range(rank))
        return rng.randint(low, 3)

    kind = rng.choice(["conv", "convt", "max", "avg", "adaptive", "upsample"])
    batch = () if rng.random() < 0.3 else (rng.randint(0, 2),)
    channels = rng.randint(1, 4)
    shape = (*batch, channels if rng.random() < 0.9 else channels + 1, *shape)
    k, s, p, d = window(1), window(1), window(0), window(1)
    cls = ["", "1d", "2d", "3d"][rank]
    if kind == "conv":
        return lambda nn: getattr(nn, "Conv" + cls)(channels, 2, k, s, p, d), shape
    if kind == "convt":
        # PyTorch skips every check of a transposed convolution on an empty batch.
        shape = (*batch, *shape[len(batch) :]) if batch != (0,) else (1, *shape[1:])
        op = rng.choice([0, 1, (1,)])
        return lambda nn: getattr(nn, "ConvTranspose" + cls)(
            channels, 2, k, s, p, op, 1, True, d
        ), shape
    if kind == "max":
        ceil = rng.random() < 0.5
        return lambda nn: getattr(nn, "MaxPool" + cls)(k, s, p, d, ceil_mode=ceil), shape
    if kind == "avg":
        ceil = rng.random() < 0.5
        return lambda nn: getattr(nn, "AvgPool" + cls)(k, s, p, ceil_mode=ceil), shape
    if kind == "adaptive":
        out = window(0)
        name = rng.choice(["AdaptiveAvgPool", "AdaptiveMaxPool"]) + cls
        return lambda nn: getattr(nn, name)(out), shape
    factor = rng.choice([0.5, 1.5, 2, 3, (2,) * rank, (0.7,) * rank])
    mode = rng.choice(
        ["nearest", "area", "nearest-exact", ["", "linear", "bilinear", "trilinear"][rank]]
    )
    return lambda nn: nn.Upsample(scale_factor=factor, mode=mode), shape


def test_random_modules_agree_with_torch() -> None:
    torch = oracle("torch")
    rng = random.Random(14)
    mismatches = []
    for _ in range(1500):
        build, shape = _random_case(rng)
        ORACLE_COUNTS["torch module validation (random conv, pool, upsample)"] += 1
        ours, theirs = _ours(build, shape), _theirs(torch, build, shape)
        if ours != theirs:
            mismatches.append((build(torch.nn), shape, ours, theirs))
    assert mismatches == []


def test_numpy_integers_are_converted() -> None:
    np = pytest.importorskip("numpy")
    assert pt.Linear(200, np.uint8(200)).parameter_count() == 40200
    conv = pt.Conv2d(np.uint8(200), np.uint8(200), np.int64(3))
    assert conv.parameter_count() == 360200
    assert type(conv.in_channels) is int
    assert all(type(k) is int for k in conv.kernel_size)
    assert pt.BatchNorm2d(np.uint8(200)).parameter_count() == 400
    assert type(pt.MaxPool2d(np.uint8(2)).kernel_size) is int
    assert pt.GroupNorm(np.uint8(4), np.uint8(200)).parameter_count() == 400
    assert pt.LayerNorm(np.uint8(200)).parameter_count() == 400
    assert pt.PReLU(np.uint8(200)).parameter_count() == 200


def _hostile(value: Any) -> Any:
    """A value of a type the signature does not allow, passed as a user might."""
    return value


REJECTIONS: list[tuple[Callable[[], Any], type[Exception], str]] = [
    (lambda: pt.Linear(-1, 3), ConvShapeError, r"`in_features` must be an integer >= 0"),
    (
        lambda: pt.Conv2d(4, 8, 3).compute_output_shape(_hostile("abc")),
        TypeError,
        r"`input_shape` must be",
    ),
    (
        lambda: pt.Conv2d(4, 8, 3).compute_output_shape((1, 4, -5, 5)),
        ConvShapeError,
        r"`input_shape`",
    ),
    (
        lambda: pt.Flatten(5).compute_output_shape((1, 3, 8, 8)),
        ConvShapeError,
        r"`start_dim` must be in \[-4, 3\] for an input of rank 4",
    ),
    (lambda: pt.Upsample(scale_factor=-1), ConvShapeError, r"`scale_factor` must hold finite"),
    (lambda: pt.Upsample(scale_factor=math.inf), ConvShapeError, r"`scale_factor`"),
    (
        lambda: pt.Upsample(scale_factor=(2,)).compute_output_shape((1, 3, 4, 4)),
        ConvShapeError,
        r"`scale_factor` must have one value",
    ),
    (
        lambda: pt.AdaptiveAvgPool2d(2.5),  # type: ignore[arg-type]
        TypeError,
        r"`output_size` must be an int",
    ),
    (lambda: pt.AdaptiveMaxPool1d(-1), ConvShapeError, r"`output_size` must hold sizes >= 0"),
    (
        lambda: pt.PReLU(num_parameters=_hostile("full")),
        TypeError,
        r"`num_parameters` must be an int",
    ),
    (lambda: pt.GroupNorm(0, 8), ConvShapeError, r"`num_groups` must be >= 1"),
    (lambda: pt.GroupNorm(3, 8), ConvShapeError, r"`num_channels` must be divisible"),
    (
        lambda: pt.ConvTranspose1d(4, 2, 3).compute_output_shape((1, 4, 5, 5)),
        ConvShapeError,
        r"ConvTranspose1d expects",
    ),
    (
        lambda: pt.ConvTranspose2d(4, 2, 3).compute_output_shape((5,)),
        ConvShapeError,
        r"ConvTranspose2d expects",
    ),
    (lambda: pt.Conv2d(4, 8, 3, bias=_hostile(1)), TypeError, r"`bias` must be a bool"),
    (lambda: pt.BatchNorm2d(8, eps=_hostile("a")), TypeError, r"`eps` must be a number"),
    (
        lambda: pt.AvgPool2d(2, divisor_override=0),
        ConvShapeError,
        r"`divisor_override` must not be zero",
    ),
    (
        lambda: pt.AvgPool1d(2, divisor_override=2),
        TypeError,
        r"AvgPool1d takes no `divisor_override`",
    ),
    (
        lambda: pt.Sequential(5),  # type: ignore[arg-type]
        TypeError,
        r"Sequential takes convshape.torch modules, not int",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), REJECTIONS)
def test_rejections_name_the_argument(
    call: Callable[[], Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


def test_factory_and_bias_arguments() -> None:
    assert pt.BatchNorm2d(8, bias=False).parameter_count() == 8
    assert pt.InstanceNorm2d(8, affine=True, bias=False).parameter_count() == 8
    assert pt.GroupNorm(2, 8, bias=False).parameter_count() == 8
    assert pt.Conv2d(4, 8, 3, device="cpu", dtype="float64") == pt.Conv2d(4, 8, 3)
    assert pt.Conv2d(4, 8, 3).compute_output_shape((4, 9, 9)) == (8, 7, 7)


# -- fuzz: constructors on hostile values -----------------------------------------------


def _numpy_ints() -> st.SearchStrategy[Any]:
    try:
        import numpy as np
    except ImportError:
        return st.nothing()
    return st.sampled_from([np.uint8(200), np.int64(-3), np.int32(2), np.int8(0), np.uint16(7)])


SCALARS = st.one_of(
    st.integers(min_value=-3, max_value=12),
    st.integers(),
    st.sampled_from([0, 1, 2**63, -(2**63), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.booleans(),
    st.none(),
    _numpy_ints(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4).map(tuple) | st.lists(inner, max_size=3),
    max_leaves=8,
)
SMALL = st.integers(min_value=0, max_value=9)
#: Mostly values a constructor accepts, so that the fuzz reaches the shape arithmetic.
PLAUSIBLE = st.one_of(
    SMALL,
    SMALL,
    SMALL,
    st.tuples(SMALL),
    st.tuples(SMALL, SMALL),
    st.tuples(SMALL, SMALL, SMALL),
    st.booleans(),
    VALUES,
)
NEAR_SHAPES = st.lists(
    st.one_of(st.integers(min_value=1, max_value=12), SMALL, st.none()), min_size=1, max_size=6
).map(tuple)
SHAPES = st.one_of(
    NEAR_SHAPES,
    NEAR_SHAPES,
    st.lists(st.one_of(st.integers(min_value=0, max_value=12), st.none()), max_size=6).map(tuple),
    VALUES,
)
#: The module specifications of ``convshape.torch`` (not Sequential or its summary).
SPECS = [
    getattr(pt, name)
    for name in pt.__all__
    if isinstance(getattr(pt, name), type) and issubclass(getattr(pt, name), (Module, _ConvNd))
]


def _plain(value: object) -> bool:
    return value is None or type(value) is int


@settings(
    max_examples=600,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    spec=st.sampled_from(SPECS),
    args=st.lists(PLAUSIBLE, max_size=5),
    shape=SHAPES,
    output_size=st.one_of(st.none(), VALUES),
)
def test_fuzz_constructors(spec: type, args: list[Any], shape: Any, output_size: Any) -> None:
    try:
        module = spec(*args)
    except (ConvShapeError, TypeError):
        return
    assert _plain(module.parameter_count())
    if isinstance(module, Module):
        assert _plain(module.buffer_count())
    try:
        if isinstance(module, _ConvTranspose) and output_size is not None:
            out = module.compute_output_shape(shape, output_size=output_size)
        else:
            out = module.compute_output_shape(shape)
    except (ConvShapeError, TypeError) as error:
        str(error)  # the message forms, whatever the values
        return
    assert isinstance(out, tuple)
    assert all(_plain(dim) for dim in out), out
    assert all(dim is None or dim >= 0 for dim in out), out


@settings(max_examples=300, deadline=None, database=None)
@given(
    function=st.sampled_from(
        [pt.conv_output_length, pt.conv_transpose_output_length, pt.pool_output_length]
    ),
    args=st.lists(PLAUSIBLE, max_size=6),
)
def test_fuzz_functional_rules(function: Callable[..., Any], args: list[Any]) -> None:
    try:
        length = function(*args)
    except (ConvShapeError, TypeError) as error:
        str(error)
        return
    assert length is None or (type(length) is int and length >= 0)


def _random_arguments(rng: random.Random) -> list[Any]:
    def one() -> Any:
        draw = rng.random()
        if draw < 0.6:
            return rng.randint(0, 6)
        if draw < 0.7:
            return (rng.randint(0, 4),)
        if draw < 0.85:
            return tuple(rng.randint(0, 4) for _ in range(rng.randint(2, 3)))
        if draw < 0.9:
            return rng.choice([True, False])
        if draw < 0.95:
            return rng.choice([0.5, 1.5, -1, None])
        return rng.choice(["same", "valid", "nearest", "area", "tanh", "zeros", "reflect"])

    return [one() for _ in range(rng.randint(0, 4))]


def _quirk(name: str, args: list[Any], shape: tuple[int, ...], theirs: Outcome) -> bool:
    """What PyTorch runs only by a shortcut: empty tensors skip its checks, an adaptive
    average pool to 1 is a mean over any rank, and InstanceNorm without weights ignores
    ``num_features``."""
    if theirs is None:
        return False
    return (
        0 in shape
        or (name.startswith("AdaptiveAvgPool") and args[:1] == [1])
        or (name.startswith("InstanceNorm") and args[:1] == [-1])
    )


def test_random_arguments_agree_with_torch() -> None:
    """Every module class on random arguments and shapes: where convshape accepts or
    rejects with a ConvShapeError, PyTorch agrees. A TypeError may be stricter than PyTorch
    (``bias=1``, ``kernel_size=True``, ``inplace=2``: PyTorch takes any truthy value)."""
    torch = oracle("torch")
    rng = random.Random(1414)
    names = [spec.__name__ for spec in SPECS if spec is not pt.Identity]
    mismatches = []
    for _ in range(4000):
        name = rng.choice(names)
        args = _random_arguments(rng)
        if name == "PReLU":
            args = args[:2]  # a random device= would depend on the machine
        rank = rng.randint(1, 5)
        shape = tuple(
            rng.randint(0, 6) if rng.random() < 0.15 else rng.randint(1, 7) for _ in range(rank)
        )

        def build(nn: Any, name: str = name, args: list[Any] = args) -> Any:
            return getattr(nn, name)(*args)

        try:
            spec = build(pt)
            out = spec.compute_output_shape(shape)
        except TypeError:
            continue
        except ConvShapeError:
            ours: Outcome = None
        else:
            buffers = spec.buffer_count() if isinstance(spec, Module) else 0
            ours = (tuple(out), spec.parameter_count(), buffers)
        ORACLE_COUNTS["torch module validation (random arguments, every class)"] += 1
        # MaxUnpool also takes the pooling's indices, of the input's shape.
        indices = {"indices": torch.zeros(shape, dtype=torch.long)} if "Unpool" in name else {}
        theirs = _theirs(torch, build, shape, **indices)
        if ours != theirs and not _quirk(name, args, shape, theirs):
            mismatches.append((name, args, shape, ours, theirs))
    assert mismatches == []

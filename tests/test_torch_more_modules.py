"""convshape.torch's power-average pooling, padding, pixel shuffle, fold/unfold, max
unpooling and lazy convolution specs against real torch.nn modules run on zeros.

Each grid draws arguments and input shapes (batched, unbatched, empty, wrong rank) from a
seeded generator; for every case the real module is built and run, and its output shape
and parameter count, or its refusal (at construction or forward), must be convshape's:
where PyTorch raises, convshape raises ConvShapeError or TypeError.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

import pytest

import convshape.torch as pt
from convshape import ConvShapeError
from tests.oracles import ORACLE_COUNTS, oracle

#: PyTorch's exceptions for arguments or inputs it refuses.
_TORCH_ERRORS = (
    RuntimeError,
    ValueError,
    TypeError,
    IndexError,
    NotImplementedError,
    ArithmeticError,
)

Outcome = tuple[tuple[int | None, ...], int] | None
#: (class name, positional arguments, keyword arguments, input shape, forward keywords)
Case = tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...], dict[str, Any]]


@pytest.fixture(scope="module")
def torch() -> Any:
    module = oracle("torch")
    threads = module.get_num_threads()
    module.set_num_threads(1)  # tiny tensors: a thread pool costs more than the work
    yield module
    module.set_num_threads(threads)


def _theirs(torch: Any, case: Case) -> Outcome:
    """PyTorch's (output shape, parameters), or None where it refuses."""
    name, args, kwargs, shape, forward = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = getattr(torch.nn, name)(*args, **kwargs)
        except _TORCH_ERRORS:
            return None
        module.eval()
        x = torch.zeros(shape)
        inputs = (x, torch.zeros(shape, dtype=torch.long)) if "Unpool" in name else (x,)
        try:
            with torch.no_grad():
                out = module(*inputs, **forward)
        except _TORCH_ERRORS:
            return None
    return tuple(out.shape), sum(p.numel() for p in module.parameters())


def _ours(case: Case) -> Outcome:
    """convshape's (output shape, parameters), or None where it refuses."""
    name, args, kwargs, shape, forward = case
    try:
        spec = getattr(pt, name)(*args, **kwargs)
        out = spec.compute_output_shape(shape, **forward)
    except (ConvShapeError, TypeError):
        return None
    return tuple(out), spec.parameter_count()


def _empty_transposed(case: Case, theirs: Outcome, ours: Outcome) -> bool:
    """PyTorch's transposed convolution returns an empty output on some paths (a batch
    over one, groups over one) where its plain path refuses it ("Output size is too
    small"); convshape's ConvTranspose refuses it on every path, and the lazy ones follow."""
    return "ConvTranspose" in case[0] and ours is None and theirs is not None and 0 in theirs[0]


def _compare(torch: Any, cases: list[Case], label: str) -> None:
    mismatches = []
    refused = 0
    for case in cases:
        ORACLE_COUNTS[f"torch {label} (shape, parameters or refusal)"] += 1
        theirs, ours = _theirs(torch, case), _ours(case)
        refused += theirs is None
        if _empty_transposed(case, theirs, ours):
            ORACLE_COUNTS["torch transposed convolutions: empty output refused (known)"] += 1
            continue
        if ours != theirs:
            mismatches.append((case, "torch", theirs, "convshape", ours))
    # The grids must exercise both outcomes, or they test half a rule.
    assert 0 < refused < len(cases), (refused, len(cases))
    assert mismatches == [], f"{len(mismatches)} of {len(cases)}: {mismatches[:10]}"


def _shape(rng: random.Random, spatial: int, *, low: int = 0, high: int = 6) -> tuple[int, ...]:
    """(N, C, *spatial) or (C, *spatial), now and then a dimension more or less or empty."""
    rank = spatial + rng.choice([1, 2, 2, 2, 1, 0, 3] if rng.random() < 0.2 else [1, 2])
    dims = [rng.randint(1, high) for _ in range(rank)]
    if rng.random() < 0.1 and dims:
        dims[rng.randrange(rank)] = low
    return tuple(dims)


def _window(rng: random.Random, rank: int, low: int, high: int) -> Any:
    """An int, a tuple of ``rank``, or now and then one of another length."""
    draw = rng.random()
    if draw < 0.5:
        return rng.randint(low, high)
    if draw < 0.85:
        return tuple(rng.randint(low, high) for _ in range(rank))
    return tuple(rng.randint(low, high) for _ in range(rng.choice([1, rank + 1])))


def lp_pool_cases(rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    for _ in range(n):
        rank = rng.randint(1, 3)
        norm = rng.choice([2, 2.0, 1, 1.5, -1, math.inf, -math.inf, 0])
        kernel = _window(rng, rank, 1, 3) if rng.random() < 0.95 else 0
        stride = rng.choice([None, None, 1, 2, 3, (2,), (), (1,) * rank, (2,) * rank])
        kwargs: dict[str, Any] = {"ceil_mode": rng.random() < 0.4}
        if stride is not None:
            kwargs["stride"] = stride
        cases.append((f"LPPool{rank}d", (norm, kernel), kwargs, _shape(rng, rank), {}))
    return cases


_PAD_CLASSES = ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"]


def pad_cases(rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    for _ in range(n):
        rank = rng.randint(1, 3)
        kind = rng.choice(_PAD_CLASSES)
        draw = rng.random()
        if draw < 0.3:
            padding: Any = rng.randint(-2, 3)
        elif draw < 0.9:
            padding = tuple(rng.randint(-4, 4) for _ in range(2 * rank))
        else:
            padding = tuple(rng.randint(-2, 2) for _ in range(rng.choice([0, 1, 2, 3, 4, 6])))
        args = (padding, 1.5) if kind == "ConstantPad" else (padding,)
        spatial = rank if rng.random() < 0.85 else rng.randint(1, 3)
        shape = _shape(rng, spatial, high=5)
        cases.append((f"{kind}{rank}d", args, {}, shape, {}))
    return cases


def pixel_cases(rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    for _ in range(n):
        factor = rng.choice([1, 2, 2, 3, 0])
        shuffle = rng.random() < 0.5
        dims = [rng.randint(0, 3) if rng.random() < 0.1 else rng.randint(1, 4) for _ in range(2)]
        rest = [rng.randint(1, 3) for _ in range(rng.choice([0, 0, 1, 2]))]
        if rng.random() < 0.1:
            rest, dims = [], dims[:1]
        channels = factor * factor * rng.randint(0, 3) if shuffle else rng.randint(1, 4)
        if rng.random() < 0.2:
            channels += 1
        if not shuffle:
            dims = [size * max(factor, 1) + (rng.random() < 0.2) for size in dims]
        name = "PixelShuffle" if shuffle else "PixelUnshuffle"
        cases.append((name, (factor,), {}, (*rest, channels, *dims), {}))
    return cases


def _blocks(size: int, k: int, d: int, p: int, s: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1 if s > 0 else 0


def fold_cases(rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    for _ in range(n):
        kernel = _window(rng, 2, 1, 3) if rng.random() < 0.95 else 0
        kwargs = {
            "dilation": _window(rng, 2, 1, 2),
            "padding": _window(rng, 2, 0, 2) if rng.random() < 0.95 else -1,
            "stride": _window(rng, 2, 1, 3),
        }
        batch = () if rng.random() < 0.3 else (rng.randint(0, 2),)
        if rng.random() < 0.5:
            shape = (*batch, rng.randint(1, 3), rng.randint(1, 7), rng.randint(1, 7))
            if rng.random() < 0.1:
                shape = shape[1:] if rng.random() < 0.5 else (1, *shape)
            cases.append(("Unfold", (kernel,), kwargs, shape, {}))
            continue
        out = _window(rng, 2, 1, 7) if rng.random() < 0.95 else 0
        ks, ds, ps, ss, os_ = (
            value if isinstance(value, tuple) else (value, value)
            for value in (kernel, kwargs["dilation"], kwargs["padding"], kwargs["stride"], out)
        )
        # Mostly the number of blocks Fold expects, so that most cases are accepted.
        length = math.prod(
            _blocks(size, k, d, p, s)
            for size, k, d, p, s in zip(os_[:2], ks[:2], ds[:2], ps[:2], ss[:2], strict=False)
        )
        if rng.random() < 0.2 or length < 1:
            length = rng.randint(1, 12)
        columns = rng.randint(1, 3) * math.prod(ks[:2])
        if rng.random() < 0.15:
            columns += 1
        shape = (*batch, columns, length)
        cases.append(("Fold", (out, kernel), kwargs, shape, {}))
    return cases


def unpool_cases(rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    for _ in range(n):
        rank = rng.randint(1, 3)
        kernel = _window(rng, rank, 1, 3) if rng.random() < 0.9 else rng.randint(-1, 0)
        kwargs: dict[str, Any] = {}
        if rng.random() < 0.6:
            kwargs["stride"] = (
                _window(rng, rank, 1, 3) if rng.random() < 0.9 else rng.randint(-1, 0)
            )
        if rng.random() < 0.5:
            kwargs["padding"] = _window(rng, rank, 0, 2) if rng.random() < 0.9 else -1
        shape = _shape(rng, rank, high=4)
        forward: dict[str, Any] = {}
        if rng.random() < 0.4 and len(shape) >= rank:
            ks = kernel if isinstance(kernel, tuple) else (kernel,) * rank
            stride = kwargs.get("stride", ks)
            ss = stride if isinstance(stride, tuple) else (stride,) * rank
            ps_ = kwargs.get("padding", 0)
            ps = ps_ if isinstance(ps_, tuple) else (ps_,) * rank
            if min(len(ks), len(ss), len(ps)) >= rank:
                sizes = [
                    (size - 1) * s + k - 2 * p + rng.randint(-2, 2)
                    for size, k, s, p in zip(shape[-rank:], ks, ss, ps, strict=False)
                ]
                extra = rng.choice([(), (), shape[:2], (1,)])
                forward["output_size"] = (*extra, *sizes)
        cases.append((f"MaxUnpool{rank}d", (kernel,), kwargs, shape, forward))
    return cases


def lazy_cases(rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    for _ in range(n):
        rank = rng.randint(1, 3)
        transposed = rng.random() < 0.5
        groups = rng.choice([1, 1, 2, 3])
        out = rng.choice([groups, 2 * groups, 4, 3, 1])
        kernel = _window(rng, rank, 1, 3)
        kwargs: dict[str, Any] = {
            "stride": rng.choice([1, 1, 2, (2,) * rank]),
            "groups": groups,
            "bias": rng.random() < 0.6,
        }
        if rng.random() < 0.4:
            kwargs["padding"] = rng.choice([0, 1, 2, "same", "valid"])
        if rng.random() < 0.3:
            kwargs["dilation"] = rng.choice([1, 2])
        if transposed and rng.random() < 0.4:
            kwargs["output_padding"] = rng.choice([0, 1])
        if rng.random() < 0.15:
            kwargs["padding_mode"] = rng.choice(["reflect", "replicate", "circular"])
        channels = groups * rng.randint(1, 2) + (rng.random() < 0.15)
        batch = () if rng.random() < 0.3 else (rng.randint(1, 2),)
        spatial = tuple(rng.randint(1, 6) for _ in range(rank if rng.random() < 0.9 else rank + 1))
        name = f"Lazy{'ConvTranspose' if transposed else 'Conv'}{rank}d"
        cases.append((name, (out, kernel), kwargs, (*batch, channels, *spatial), {}))
    return cases


GRIDS: list[tuple[str, Callable[[random.Random, int], list[Case]], int]] = [
    ("LPPool", lp_pool_cases, 500),
    ("padding", pad_cases, 1500),
    ("PixelShuffle", pixel_cases, 300),
    ("Fold-Unfold", fold_cases, 500),
    ("MaxUnpool", unpool_cases, 600),
    ("Lazy", lazy_cases, 800),
]


@pytest.mark.parametrize(("label", "make", "n"), GRIDS, ids=[grid[0] for grid in GRIDS])
def test_grid_agrees_with_torch(
    torch: Any, label: str, make: Callable[[random.Random, int], list[Case]], n: int
) -> None:
    _compare(torch, make(random.Random(label), n), label)


# -- explicit cases: argument types, quirks and the call-time arguments ------------------

# (id, class name, arguments, keyword arguments, input shape, forward keywords)
CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any], tuple[int, ...], dict[str, Any]]] = [
    ("lppool-norm-0", "LPPool2d", (0, 3), {}, (1, 2, 7, 7), {}),
    ("lppool-norm-negative", "LPPool2d", (-1, 3), {}, (1, 2, 7, 7), {}),
    ("lppool-norm-nan", "LPPool1d", (math.nan, 3), {}, (2, 7), {}),
    ("lppool1d-kernel-tuple", "LPPool1d", (2, (3,)), {}, (1, 2, 7), {}),
    ("lppool1d-kernel-tuple-inf", "LPPool1d", (math.inf, (3,)), {}, (1, 2, 7), {}),
    ("lppool2d-kernel-1tuple", "LPPool2d", (2, (3,)), {}, (1, 2, 7, 7), {}),
    ("lppool2d-stride-1tuple", "LPPool2d", (2, 3, (2,)), {}, (1, 2, 7, 7), {}),
    ("lppool2d-stride-empty", "LPPool2d", (2, 3, ()), {}, (1, 2, 7, 7), {}),
    ("lppool3d-small-finite", "LPPool3d", (2, 3, 2), {"ceil_mode": True}, (1, 2, 2, 2, 2), {}),
    ("lppool3d-small-inf", "LPPool3d", (math.inf, 3, 2), {"ceil_mode": True}, (1, 2, 2, 2, 2), {}),
    ("constantpad-value-none", "ConstantPad2d", (1, None), {}, (1, 2, 3, 3), {}),
    ("constantpad-value-nan", "ConstantPad2d", (1, math.nan), {}, (1, 2, 3, 3), {}),
    ("constantpad-value-str", "ConstantPad2d", (1, "a"), {}, (1, 2, 3, 3), {}),
    ("constantpad-no-value", "ConstantPad1d", (1,), {}, (1, 2, 3), {}),
    ("zeropad-value", "ZeroPad1d", (1, 2.0), {}, (1, 2, 3), {}),
    ("zeropad-float", "ZeroPad2d", (1.5,), {}, (1, 2, 3, 3), {}),
    ("zeropad-odd", "ZeroPad2d", ((1, 2, 3),), {}, (1, 2, 3, 3), {}),
    ("zeropad-empty", "ZeroPad2d", ((),), {}, (1, 2, 3, 3), {}),
    ("zeropad-five-pairs", "ZeroPad2d", ((1,) * 10,), {}, (1, 2, 3, 3), {}),
    ("zeropad-2d-on-5d", "ZeroPad2d", (1,), {}, (1, 1, 1, 3, 3), {}),
    ("zeropad-scalar", "ZeroPad1d", (1,), {}, (), {}),
    ("reflection-empty-batch", "ReflectionPad1d", (1,), {}, (0, 2, 3), {}),
    ("reflection-empty-unbatched", "ReflectionPad1d", (1,), {}, (0, 3), {}),
    ("circular-empty-channels", "CircularPad1d", (1,), {}, (1, 0, 3), {}),
    ("circular-empty-length", "CircularPad1d", (0,), {}, (1, 2, 0), {}),
    ("circular-1d-4tuple", "CircularPad1d", ((1, 1, 1, 1),), {}, (1, 2, 3), {}),
    ("circular-overlap", "CircularPad1d", ((4, -1),), {}, (1, 1, 4), {}),
    ("circular-overlap-strided", "CircularPad3d", ((0, 0, 4, -1, 0, 0),), {}, (1, 1, 4, 4, 4), {}),
    ("pixelshuffle-float", "PixelShuffle", (2.0,), {}, (1, 8, 3, 3), {}),
    ("pixelshuffle-bool", "PixelShuffle", (True,), {}, (1, 8, 3, 3), {}),
    ("pixelunshuffle-empty", "PixelUnshuffle", (2,), {}, (1, 0, 4, 6), {}),
    ("pixelunshuffle-empty-odd", "PixelUnshuffle", (2,), {}, (1, 0, 4, 5), {}),
    ("unfold-2d-input", "Unfold", (2,), {}, (4, 4), {}),
    ("unfold-float", "Unfold", (2.0,), {}, (1, 3, 4, 4), {}),
    ("fold-int-input", "Fold", (4, 2), {}, (12, 9), {}),
    ("fold-zero-output", "Fold", (0, 1), {}, (1, 12, 1), {}),
    (
        "unpool2d-output-size-4",
        "MaxUnpool2d",
        (2,),
        {},
        (1, 2, 3, 3),
        {"output_size": (9, 2, 7, 7)},
    ),
    ("unpool2d-output-size-3", "MaxUnpool2d", (2,), {}, (1, 2, 3, 3), {"output_size": (2, 7, 7)}),
    ("unpool2d-unbatched-3", "MaxUnpool2d", (2,), {}, (2, 3, 3), {"output_size": (2, 7, 7)}),
    ("unpool1d-unbatched-3", "MaxUnpool1d", (2,), {}, (2, 3), {"output_size": (1, 2, 7)}),
    ("unpool1d-output-int", "MaxUnpool1d", (2,), {}, (1, 2, 3), {"output_size": 7}),
    ("unpool2d-output-float", "MaxUnpool2d", (2,), {}, (1, 2, 3, 3), {"output_size": [7.0, 7]}),
    (
        "unpool2d-output-negative",
        "MaxUnpool2d",
        (1,),
        {"stride": 2, "padding": 1},
        (1, 2, 1, 3),
        {"output_size": (-1, 3)},
    ),
    (
        "unpool2d-stride-0-output",
        "MaxUnpool2d",
        (2,),
        {"stride": 0},
        (1, 2, 2, 2),
        {"output_size": (2, 2)},
    ),
    ("unpool2d-empty-output", "MaxUnpool2d", (2,), {"padding": 1}, (1, 2, 1, 1), {}),
    ("unpool2d-empty-channels-unbatched", "MaxUnpool2d", (3,), {}, (0, 3, 3), {}),
    ("unpool3d-stride-3tuple", "MaxUnpool3d", (2,), {"stride": (1, 2, 3, 4)}, (1, 2, 3, 3, 3), {}),
    ("unpool2d-stride-3tuple", "MaxUnpool2d", (2,), {"stride": (1, 2, 3)}, (1, 2, 3, 3), {}),
    ("lazy-out-float", "LazyConv2d", (8.0, 3), {}, (1, 4, 5, 5), {}),
    ("lazy-out-0", "LazyConv2d", (0, 3), {}, (1, 4, 5, 5), {}),
    ("lazy-groups-0", "LazyConv2d", (8, 3), {"groups": 0}, (1, 4, 5, 5), {}),
    ("lazy-same-strided", "LazyConv2d", (8, 3), {"padding": "same", "stride": 2}, (1, 4, 5, 5), {}),
    ("lazyt-reflect", "LazyConvTranspose2d", (8, 3), {"padding_mode": "reflect"}, (1, 4, 5, 5), {}),
    (
        "lazyt-groups-no-bias",
        "LazyConvTranspose2d",
        (7, 3),
        {"groups": 2, "bias": False},
        (1, 4, 5, 5),
        {},
    ),
    ("lazyt-groups-bias", "LazyConvTranspose2d", (7, 3), {"groups": 2}, (1, 4, 5, 5), {}),
    (
        "lazyt-groups-empty",
        "LazyConvTranspose2d",
        (1, 3),
        {"groups": 2, "bias": False},
        (1, 4, 5, 5),
        {},
    ),
    (
        "lazyt-output-size",
        "LazyConvTranspose2d",
        (8, 3),
        {"stride": 2},
        (1, 4, 5, 5),
        {"output_size": (12, 12)},
    ),
    (
        "lazyt-output-size-far",
        "LazyConvTranspose2d",
        (8, 3),
        {"stride": 2},
        (1, 4, 5, 5),
        {"output_size": (13, 12)},
    ),
    ("lazy-device", "LazyConv1d", (8, 3), {"device": "cpu", "dtype": None}, (4, 5), {}),
]


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "shape", "forward"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_case_agrees_with_torch(
    torch: Any,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    shape: tuple[int, ...],
    forward: dict[str, Any],
) -> None:
    ORACLE_COUNTS["torch more modules: explicit cases"] += 1
    case: Case = (name, args, kwargs, shape, forward)
    assert _ours(case) == _theirs(torch, case)


@pytest.mark.parametrize(
    ("call", "theirs"),
    [
        (lambda nn: nn.LPPool2d(True, 3), "accepted"),
        (lambda nn: nn.LPPool2d("2", 3), "accepted"),
        (lambda nn: nn.ConstantPad2d(1, True), "accepted"),
    ],
    ids=["lppool-norm-bool", "lppool-norm-str", "constantpad-value-bool"],
)
def test_stricter_than_torch_with_type_error(
    torch: Any, call: Callable[[Any], Any], theirs: str
) -> None:
    """PyTorch reads these with float() (True as 1, "2" as 2); convshape refuses a bool or a
    string as a number, as everywhere else."""
    module = call(torch.nn)
    with torch.no_grad():
        module(torch.zeros(1, 2, 7, 7))
    with pytest.raises(TypeError, match="must be a number"):
        call(pt)


# -- in a Sequential: every row's shape and parameters, as torch's hooks see them ---------


def image(nn: Any) -> Any:
    return nn.Sequential(
        nn.ReflectionPad2d(1),
        nn.LazyConv2d(16, 3),
        nn.PixelUnshuffle(2),
        nn.ZeroPad2d((1, 0, 1, 0)),
        nn.LPPool2d(2, 3, stride=2),
        nn.CircularPad2d((1, 1, 0, 0)),
        nn.LazyConvTranspose2d(8, 4, stride=2, padding=1, bias=False),
        nn.PixelShuffle(2),
        nn.ReplicationPad2d((0, 1, 0, 1)),
        nn.ConstantPad2d(-1, 0.5),
        nn.Unfold(3, stride=2),
        nn.Fold((15, 23), 3, stride=2),
    )


def signal(nn: Any) -> Any:
    return nn.Sequential(
        nn.ReplicationPad1d((2, 0)),
        nn.LazyConv1d(6, 3, groups=3),
        nn.LPPool1d(1.5, 2, ceil_mode=True),
        nn.CircularPad1d(2),
        nn.LazyConvTranspose1d(4, 3, stride=3, output_padding=1),
        nn.ConstantPad1d((-1, 3), 2.0),
        nn.ZeroPad1d(1),
        nn.ReflectionPad1d((3, 1)),
    )


def volume(nn: Any) -> Any:
    return nn.Sequential(
        nn.ZeroPad3d((1, 1, 0, 0, 2, 2)),
        nn.LazyConv3d(4, 3, padding=1, bias=False),
        nn.LPPool3d(math.inf, 2),
        nn.ReflectionPad3d(1),
        nn.LazyConvTranspose3d(2, 2, stride=2),
        nn.CircularPad3d((0, 1, 1, 0, 0, 0)),
        nn.ReplicationPad3d(1),
        nn.ConstantPad3d((0, 0, 0, 0, -1, -1), 1.0),
    )


MODELS: list[tuple[str, Callable[[Any], Any], tuple[int, ...]]] = [
    ("image", image, (2, 3, 16, 16)),
    ("signal", signal, (2, 3, 11)),
    ("volume", volume, (1, 2, 4, 5, 6)),
]


@pytest.mark.parametrize(("name", "build", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_sequential_rows_match_torch(
    torch: Any, name: str, build: Callable[[Any], Any], shape: tuple[int, ...]
) -> None:
    theirs = build(torch.nn)
    outputs: list[tuple[int, ...]] = []
    for module in theirs:
        module.register_forward_hook(lambda m, i, o: outputs.append(tuple(o.shape)))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # "Lazy modules are a new feature"
        theirs(torch.zeros(shape))
    ours = build(pt)
    rows = ours.summarize(shape)
    assert len(rows) == len(outputs) == len(theirs)
    for row, module, out in zip(rows, theirs, outputs, strict=True):
        ORACLE_COUNTS["torch more modules: Sequential rows (shape, parameters)"] += 1
        # A lazy module becomes its convolution in PyTorch; the row keeps the spec's name.
        assert row.class_name in (type(module).__name__, f"Lazy{type(module).__name__}")
        assert row.output_shape == out, row.class_name
        assert row.parameters == sum(p.numel() for p in module.parameters()), row.class_name
        assert row.buffers == 0
    assert f"Total params: {sum(row.parameters for row in rows):,}" in str(ours.summarize(shape))


# -- lazy convolutions: materialized by the first input, as in PyTorch ---------------------


def test_lazy_parameters_counted_once_an_input_is_known(torch: Any) -> None:
    """Before an input, 0 parameters (torchinfo skips uninitialized ones) and no
    in_channels; PyTorch itself refuses to count them."""
    spec = pt.LazyConv2d(8, 3, groups=2)
    assert spec.parameter_count() == 0
    assert spec.in_channels is None
    module = torch.nn.LazyConv2d(8, 3, groups=2)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        sum(p.numel() for p in module.parameters())
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        out = module(torch.zeros(1, 4, 5, 5))
    assert spec.compute_output_shape((None, 4, 5, 5)) == (None, *tuple(out.shape)[1:])
    assert spec.in_channels == module.in_channels == 4
    assert spec.parameter_count() == sum(p.numel() for p in module.parameters()) == 152
    assert spec == pt.LazyConv2d(8, 3, groups=2)  # materialized or not, the same arguments


@pytest.mark.parametrize("transposed", [False, True], ids=["conv", "transpose"])
def test_lazy_keeps_the_first_inputs_channels(torch: Any, transposed: bool) -> None:
    name = "LazyConvTranspose1d" if transposed else "LazyConv1d"
    module, spec = getattr(torch.nn, name)(4, 3), getattr(pt, name)(4, 3)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        module(torch.zeros(2, 6, 9))
        assert tuple(module(torch.zeros(6, 7)).shape) == spec.compute_output_shape((6, 7))
        with pytest.raises(RuntimeError):
            module(torch.zeros(2, 5, 9))
    with pytest.raises(ConvShapeError, match="took in_channels=6 from its first input"):
        spec.compute_output_shape((2, 5, 9))
    assert spec.compute_output_shape((None, None, 9))[1] == 4  # unknown channels: as before


def test_lazy_zero_channels_refused(torch: Any) -> None:
    """PyTorch materializes a LazyConv2d with no input channels and returns an empty output;
    convshape refuses zero channels, as its Conv2d refuses in_channels=0."""
    module = torch.nn.LazyConv2d(8, 3)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        assert tuple(module(torch.zeros(1, 0, 5, 5)).shape) == (1, 0, 3, 3)
    with pytest.raises(ConvShapeError, match="must be known and non-zero"):
        pt.LazyConv2d(8, 3).compute_output_shape((1, 0, 5, 5))


# -- messages: the argument, the rule and the value ---------------------------------------

REJECTIONS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("lppool-norm-0", lambda: pt.LPPool2d(0, 3), ConvShapeError, r"`norm_type` must not be 0"),
    ("lppool1d-tuple", lambda: pt.LPPool1d(2, (3,)), TypeError, r"`kernel_size` of LPPool1d"),
    ("lppool-bool", lambda: pt.LPPool2d(True, 3), TypeError, r"`norm_type` must be a number"),
    ("pad-odd", lambda: pt.ZeroPad2d((1, 2, 3)), ConvShapeError, r"`padding` must hold \(before"),
    (
        "reflect-long",
        lambda: pt.ReflectionPad1d(3).compute_output_shape((1, 2, 3)),
        ConvShapeError,
        r"reflects by less than the input length.*padding=\(3, 3\)",
    ),
    (
        "circular-wrap",
        lambda: pt.CircularPad1d(4).compute_output_shape((1, 2, 3)),
        ConvShapeError,
        r"wraps around at most once",
    ),
    (
        "circular-overlap",
        lambda: pt.CircularPad1d((4, -1)).compute_output_shape((1, 1, 4)),
        ConvShapeError,
        r"copies a wrapped end over itself",
    ),
    (
        "zero-crop",
        lambda: pt.ZeroPad2d(-2).compute_output_shape((1, 2, 3, 3)),
        ConvShapeError,
        r"crops more than the input length \(dimension 2: length 3",
    ),
    (
        "replicate-rank",
        lambda: pt.ReplicationPad2d(1).compute_output_shape((1, 2, 3, 3, 3)),
        ConvShapeError,
        r"pad the last 2 dimensions of a 3D or 4D input only",
    ),
    (
        "reflect-nothing",
        lambda: pt.ReflectionPad2d((-3, 0, -3, 0)).compute_output_shape((1, 2, 3, 3)),
        ConvShapeError,
        r"crops every padded dimension to nothing",
    ),
    (
        "value-str",
        lambda: pt.ConstantPad2d(1, "a"),  # type: ignore[arg-type]
        TypeError,
        r"`value` must be a number",
    ),
    ("shuffle-0", lambda: pt.PixelShuffle(0), ConvShapeError, r"`upscale_factor` must be an"),
    (
        "shuffle-channels",
        lambda: pt.PixelShuffle(2).compute_output_shape((1, 6, 3, 3)),
        ConvShapeError,
        r"channels divisible by upscale_factor \*\* 2 = 4.*input_shape=\(1, 6, 3, 3\)",
    ),
    (
        "unshuffle-size",
        lambda: pt.PixelUnshuffle(2).compute_output_shape((1, 2, 3, 4)),
        ConvShapeError,
        r"height and width divisible by downscale_factor=2",
    ),
    ("unfold-1tuple", lambda: pt.Unfold((2,)), ConvShapeError, r"`kernel_size` must be an int or"),
    (
        "unfold-blocks",
        lambda: pt.Unfold(5).compute_output_shape((1, 3, 4, 4)),
        ConvShapeError,
        r"the sliding blocks do not fit",
    ),
    (
        "fold-blocks",
        lambda: pt.Fold(4, 2).compute_output_shape((1, 12, 8)),
        ConvShapeError,
        r"Fold expects 9 blocks",
    ),
    ("fold-output-0", lambda: pt.Fold(0, 2), ConvShapeError, r"`output_size` must hold integers"),
    (
        "unpool-output-size",
        lambda: pt.MaxUnpool2d(2).compute_output_shape((1, 2, 3, 3), output_size=(4, 4)),
        ConvShapeError,
        r"`output_size` must lie strictly between 4 and 8 in dimension 0",
    ),
    (
        "unpool-output-size-type",
        lambda: pt.MaxUnpool1d(2).compute_output_shape((1, 2, 3), output_size=_hostile(7)),
        TypeError,
        r"`output_size` must be a tuple or list of ints, not int",
    ),
    (
        "unpool-negative",
        lambda: pt.MaxUnpool2d(-1).compute_output_shape((1, 2, 2, 2)),
        ConvShapeError,
        r"the unpooled length would be -2",
    ),
    (
        "unpool3d-stride",
        lambda: pt.MaxUnpool3d(2, stride=0),
        ConvShapeError,
        r"`stride` must hold integers >= 1",
    ),
    (
        "unpool-indices",
        lambda: pt.MaxUnpool2d(2).compute_output_shape((1, 2, 3, 3), indices_shape=(1, 2, 3, 2)),
        ConvShapeError,
        r"the indices must have the input's shape",
    ),
    (
        "lazy-groups",
        lambda: pt.LazyConv2d(7, 3, groups=2),
        ConvShapeError,
        r"`out_channels` must be divisible by `groups`.*out_channels=7, groups=2",
    ),
    (
        "lazy-input-groups",
        lambda: pt.LazyConv2d(6, 3, groups=3).compute_output_shape((1, 4, 5, 5)),
        ConvShapeError,
        r"channels \(in_channels\) must be divisible by `groups`",
    ),
    (
        "lazy-unknown-channels",
        lambda: pt.LazyConv2d(8, 3).compute_output_shape((None, None, 5, 5)),
        ConvShapeError,
        r"must be known and non-zero",
    ),
    (
        "lazy-rank",
        lambda: pt.LazyConvTranspose2d(8, 3).compute_output_shape((5, 5)),
        ConvShapeError,
        r"LazyConvTranspose2d expects 3D \(unbatched\) or 4D \(batched\) input",
    ),
    ("lazy-out-str", lambda: pt.LazyConv1d(_hostile("8"), 3), TypeError, r"`out_channels` must"),
]


def _hostile(value: Any) -> Any:
    """A value of a type the signature does not allow, passed as a user might."""
    return value


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in REJECTIONS],
    ids=[case[0] for case in REJECTIONS],
)
def test_rejections_name_the_argument(
    call: Callable[[], Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


# -- what a spec keeps ----------------------------------------------------------------


def _plain_values(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_plain_values(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return all(_plain_values(getattr(value, spec.name)) for spec in fields(value))
    return value is None or type(value) in (int, float, bool, str)


def test_specs_keep_plain_values() -> None:
    """NumPy numbers become ints and floats; device= and dtype= are taken, not kept."""
    np = pytest.importorskip("numpy")
    lazy = pt.LazyConv2d(np.uint8(8), np.int64(3), device="cpu", dtype=np.float32)
    lazy.compute_output_shape((1, np.int64(4), 5, 5))
    specs = [
        pt.LPPool2d(np.float64(2), np.int64(3), np.int32(2)),
        pt.ConstantPad2d(np.int64(1), np.float32(0.5)),
        pt.ZeroPad1d((np.int8(-1), np.uint8(2))),
        pt.MaxUnpool2d(np.int64(2), padding=(np.int16(1), 0)),
        pt.PixelShuffle(np.uint8(2)),
        pt.Fold(np.int64(4), (np.int64(2), 2)),
        lazy,
        pt.PReLU(4, dtype=np.uint8(200)),
        pt.Conv2d(4, 8, 3, device=np.int64(0)),
    ]
    for spec in specs:
        assert _plain_values(spec), spec
    assert lazy.materialized == pt.Conv2d(4, 8, 3)
    assert lazy.parameter_count() == 296


def test_sequential_and_flatten_check_the_shape() -> None:
    with pytest.raises(TypeError, match="`input_shape` must hold ints or None"):
        pt.Sequential().compute_output_shape(_hostile([[1]]))
    with pytest.raises(ConvShapeError, match="does not fit PyTorch's int64 sizes"):
        pt.Flatten().compute_output_shape((1, 2**40, 2**40))
    assert pt.Flatten().compute_output_shape((1, 2**31, 2**31)) == (1, 2**62)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_unpooling_in_a_sequential(torch: Any, rank: int) -> None:
    """nn.Sequential cannot hand MaxUnpool its indices; a model does, from the pooling
    with return_indices. In convshape's Sequential the indices have the input's shape."""
    shape = (2, 3, *(7, 9, 5)[:rank])
    pool = getattr(torch.nn, f"MaxPool{rank}d")(3, stride=2, return_indices=True)
    unpool = getattr(torch.nn, f"MaxUnpool{rank}d")(3, stride=2)
    with torch.no_grad():
        pooled, indices = pool(torch.zeros(shape))
        theirs = [tuple(pooled.shape), tuple(unpool(pooled, indices).shape)]
        sized = tuple(unpool(pooled, indices, output_size=shape[2:]).shape)
    unpool_spec = getattr(pt, f"MaxUnpool{rank}d")(3, stride=2)
    ours = pt.Sequential(getattr(pt, f"MaxPool{rank}d")(3, stride=2), unpool_spec)
    assert [row.output_shape for row in ours.summarize(shape)] == theirs
    assert unpool_spec.compute_output_shape(theirs[0], output_size=shape[2:]) == sized == shape
    ORACLE_COUNTS["torch more modules: Sequential rows (shape, parameters)"] += 2

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


def _compare(torch: Any, cases: list[Case], label: str) -> None:
    mismatches = []
    refused = 0
    for case in cases:
        ORACLE_COUNTS[f"torch {label} (shape, parameters or refusal)"] += 1
        theirs, ours = _theirs(torch, case), _ours(case)
        refused += theirs is None
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
        # A batch of one: with more, PyTorch returns an empty output where one input
        # fails ("output size is too small"); convshape's ConvTranspose refuses both.
        batch = () if rng.random() < 0.3 else (1,)
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
    ("Lazy", lazy_cases, 500),
]


@pytest.mark.parametrize(("label", "make", "n"), GRIDS, ids=[grid[0] for grid in GRIDS])
def test_grid_agrees_with_torch(
    torch: Any, label: str, make: Callable[[random.Random, int], list[Case]], n: int
) -> None:
    _compare(torch, make(random.Random(label), n), label)

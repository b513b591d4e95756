"""convshape.torch against real PyTorch (CPU): lengths and errors over exhaustive small
grids, and the padding/crop split read off the values."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

import pytest

import convshape as cs
from convshape import torch as pt
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import forward_gather, pool_gather, transpose_cropped

SIZES = [*range(0, 13), 16, 21]


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


def _ours(function: Callable[..., int | None], *args: Any) -> int | None:
    """convshape's answer, or None where it rejects the arguments."""
    try:
        return function(*args)
    except (cs.ConvShapeError, TypeError):
        return None


def _theirs(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """PyTorch's output tensor, or None where PyTorch raises."""
    try:
        return function(*args, **kwargs)
    except (RuntimeError, ValueError):
        return None


def _values(rng: random.Random, count: int) -> list[float]:
    return [float(rng.randint(1, 9)) for _ in range(count)]


def test_conv_matches_pytorch(torch: Any) -> None:
    functional = torch.nn.functional
    rng = random.Random(11)
    mismatches = []
    paddings: list[int | str] = [0, 1, 2, 3, "same", "valid"]
    for k, s, d, padding in itertools.product(range(1, 7), range(1, 5), range(1, 4), paddings):
        w = _values(rng, k)
        weight = torch.tensor(w).reshape(1, 1, k)
        for size in SIZES:
            ORACLE_COUNTS["torch conv1d (lengths, errors, values)"] += 1
            x = _values(rng, size)
            ours = _ours(pt.conv_output_length, size, k, s, padding, d)
            inputs = torch.tensor(x).reshape(1, 1, size)
            got = _theirs(functional.conv1d, inputs, weight, stride=s, padding=padding, dilation=d)
            case = f"I={size} k={k} s={s} p={padding!r} d={d}"
            if got is None or ours is None:
                if (got is None) != (ours is None):
                    mismatches.append(
                        f"{case}: convshape {ours}, torch {'error' if got is None else got.shape}"
                    )
                continue
            values = got.reshape(-1).tolist()
            if padding == "same":
                split = cs.conv_padding(size, k, s, "same", d)
            else:
                each = 0 if padding == "valid" else int(padding)
                split = cs.Pad(each, each)
            if len(values) != ours or values != forward_gather(
                x, w, s, d, split.before, split.after
            ):
                mismatches.append(f"{case}: length {ours}, torch values {values}")
    assert mismatches == []


def test_conv_transpose_matches_pytorch(torch: Any) -> None:
    functional = torch.nn.functional
    rng = random.Random(12)
    mismatches = []
    for k, s, d, p, op in itertools.product(
        range(1, 6), range(1, 5), range(1, 4), range(0, 4), range(0, 4)
    ):
        w = _values(rng, k)
        weight = torch.tensor(w).reshape(1, 1, k)
        for size in SIZES:
            ORACLE_COUNTS["torch conv_transpose1d (lengths, errors, values)"] += 1
            x = _values(rng, size)
            ours = _ours(pt.conv_transpose_output_length, size, k, s, p, op, d)
            inputs = torch.tensor(x).reshape(1, 1, size)
            got = _theirs(
                functional.conv_transpose1d,
                inputs,
                weight,
                stride=s,
                padding=p,
                output_padding=op,
                dilation=d,
            )
            case = f"I={size} k={k} s={s} p={p} op={op} d={d}"
            if got is None or ours is None:
                if (got is None) != (ours is None):
                    mismatches.append(
                        f"{case}: convshape {ours}, torch {'error' if got is None else got.shape}"
                    )
                continue
            values = got.reshape(-1).tolist()
            # PyTorch's padding p crops p before and p - output_padding after.
            if values != transpose_cropped(x, w, s, d, p, ours):
                mismatches.append(f"{case}: length {ours}, torch values {values}")
    assert mismatches == []


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_matches_pytorch(torch: Any, kind: str) -> None:
    functional = torch.nn.functional
    mismatches = []
    dilations = (1, 2) if kind == "max" else (1,)
    for k, s, p, d, ceil in itertools.product(
        range(1, 6), (None, 1, 2, 3), range(0, 3), dilations, (False, True)
    ):
        for size in SIZES:
            ORACLE_COUNTS[f"torch {kind}_pool1d (lengths, errors)"] += 1
            ours = _ours(pt.pool_output_length, size, k, s, p, d, ceil)
            x = torch.ones(1, 1, size)
            if kind == "max":
                got = _theirs(functional.max_pool1d, x, k, s, p, d, ceil_mode=ceil)
            else:
                got = _theirs(functional.avg_pool1d, x, k, s, p, ceil_mode=ceil)
            theirs = None if got is None else got.shape[-1]
            if ours != theirs:
                mismatches.append(
                    f"I={size} k={k} s={s} p={p} d={d} ceil={ceil}: {ours} != torch {theirs}"
                )
    assert mismatches == []


def test_max_pool_values_without_ceil(torch: Any) -> None:
    """The windows read off max_pool1d values match the symmetric padding."""
    rng = random.Random(13)
    for k, s, p in itertools.product(range(1, 6), range(1, 4), range(0, 3)):
        if 2 * p > k:
            continue
        for size in range(k, 12):
            x = [float(rng.randint(-50, 50)) for _ in range(size)]
            got = torch.nn.functional.max_pool1d(torch.tensor(x).reshape(1, 1, size), k, s, p)
            ORACLE_COUNTS["torch max_pool1d values"] += 1
            assert got.reshape(-1).tolist() == pool_gather(x, k, s, p, p, "max")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: pt.conv_output_length(9, 3, stride=2, padding="same"),
            "padding='same' is not supported for strided",
        ),
        (lambda: pt.conv_output_length(9, 3, padding="SAME"), "must be an int, 'same' or 'valid'"),
        (lambda: pt.conv_output_length(9, 3, padding=-1), "negative padding is not supported"),
        (lambda: pt.conv_output_length(0, 1), "PyTorch does not run empty spatial dimensions"),
        (
            lambda: pt.conv_output_length(2, 3),
            "kernel size can't be greater than actual input size",
        ),
        (
            lambda: pt.conv_transpose_output_length(3, 3, 2, 0, 2),
            "smaller than either `stride` or `dilation`",
        ),
        (lambda: pt.conv_transpose_output_length(1, 1, 1, 1), "output size is too small"),
        (lambda: pt.pool_output_length(5, 3, 2, 2), "at most half of `kernel_size`"),
        (lambda: pt.pool_output_length(2, 3, 1), "invalid computed output size"),
    ],
)
def test_errors(call: Callable[[], object], match: str) -> None:
    with pytest.raises(cs.ConvShapeError, match=match):
        call()


def test_unknown_size_passes_through() -> None:
    assert pt.conv_output_length(None, 3) is None
    assert pt.conv_transpose_output_length(None, 3, 2) is None
    assert pt.pool_output_length(None, 2) is None
    with pytest.raises(TypeError, match="`ceil_mode` must be a bool"):
        pt.pool_output_length(5, 2, ceil_mode=1)  # type: ignore[arg-type]

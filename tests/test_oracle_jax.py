"""convshape.jax against real JAX shape inference (``jax.eval_shape`` of the lax ops):
lengths and errors over exhaustive small grids, and the SAME split read off values."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

import convshape as cs
from convshape import jax as jx
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import forward_gather

SIZES = range(0, 11)
PAIRS = [(low, high) for low in range(-2, 3) for high in range(-2, 3)]


@pytest.fixture(scope="module")
def jax() -> Any:
    return oracle("jax")


def _ours(function: Callable[..., int | None], *args: Any, **kwargs: Any) -> int | str:
    try:
        result = function(*args, **kwargs)
    except (cs.ConvShapeError, TypeError):
        return "error"
    assert result is not None
    return result


def _theirs(
    jax: Any, function: Callable[..., Any], size: int, kernel: int, channels_last: bool
) -> int | str:
    lhs_shape = (1, size, 1) if channels_last else (1, 1, size)
    rhs_shape = (kernel, 1, 1) if channels_last else (1, 1, kernel)
    try:
        out = jax.eval_shape(
            function,
            jax.ShapeDtypeStruct(lhs_shape, "float32"),
            jax.ShapeDtypeStruct(rhs_shape, "float32"),
        )
    except (ValueError, TypeError, RuntimeError):
        return "error"
    return int(out.shape[1] if channels_last else out.shape[-1])


def test_conv_general_dilated_matches_jax(jax: Any) -> None:
    lax = jax.lax
    mismatches = []
    paddings: list[Any] = ["SAME", "SAME_LOWER", "VALID", "same", *PAIRS]
    for k, s, lhs, rhs, padding in itertools.product(
        range(1, 5), range(1, 4), (1, 2), (1, 2), paddings
    ):
        pads = padding if isinstance(padding, str) else [padding]

        def forward(
            x: Any, w: Any, s: int = s, pads: Any = pads, lhs: int = lhs, rhs: int = rhs
        ) -> Any:
            return lax.conv_general_dilated(x, w, (s,), pads, (lhs,), (rhs,))

        for size in SIZES:
            ORACLE_COUNTS["jax conv_general_dilated shapes and errors"] += 1
            ours = _ours(jx.conv_output_length, size, k, s, padding, lhs, rhs)
            theirs = _theirs(jax, forward, size, k, channels_last=False)
            if ours != theirs:
                mismatches.append(
                    f"I={size} k={k} s={s} lhs={lhs} rhs={rhs} {padding!r}: {ours} != jax {theirs}"
                )
    assert mismatches == []


def test_conv_transpose_matches_jax(jax: Any) -> None:
    lax = jax.lax
    mismatches = []
    paddings: list[Any] = ["SAME", "VALID", *PAIRS]
    for k, s, d, padding, consistent in itertools.product(
        range(1, 6), range(1, 4), (1, 2), paddings, (False, True)
    ):
        pads = padding if isinstance(padding, str) else [padding]

        def transpose(
            x: Any, w: Any, s: int = s, pads: Any = pads, d: int = d, consistent: bool = consistent
        ) -> Any:
            return lax.conv_transpose(
                x,
                w,
                (s,),
                pads,
                rhs_dilation=(d,),
                dimension_numbers=("NWC", "WIO", "NWC"),
                use_consistent_padding=consistent,
            )

        for size in SIZES:
            ORACLE_COUNTS["jax conv_transpose shapes and errors"] += 1
            ours = _ours(jx.conv_transpose_output_length, size, k, s, padding, d, consistent)
            theirs = _theirs(jax, transpose, size, k, channels_last=True)
            if ours != theirs:
                mismatches.append(
                    f"I={size} k={k} s={s} d={d} {padding!r} consistent={consistent}: "
                    f"{ours} != jax {theirs}"
                )
    assert mismatches == []


def test_same_split_read_off_values(jax: Any) -> None:
    """The SAME and SAME_LOWER padding JAX applies, read off real values."""
    import numpy as np

    for size, k, s, mode in itertools.product(
        range(1, 10), range(1, 6), range(1, 4), ("SAME", "SAME_LOWER")
    ):
        ORACLE_COUNTS["jax SAME split read off values"] += 1
        x = [float(i + 1) for i in range(size)]
        w = [float(2**t) for t in range(k)]
        got = jax.lax.conv_general_dilated(
            np.asarray(x, "float32").reshape(1, 1, size),
            np.asarray(w, "float32").reshape(1, 1, k),
            (s,),
            mode,
        )
        low, high = jx.conv_padding(size, k, s, mode)
        assert np.asarray(got).reshape(-1).tolist() == forward_gather(x, w, s, 1, low, high)


def test_flax_modules_match(jax: Any) -> None:
    """Flax's linen.Conv and linen.ConvTranspose, initialised abstractly on each shape."""
    linen = oracle("flax.linen")
    key = jax.random.key(0)
    mismatches = []
    conv_paddings: list[Any] = ["SAME", "VALID", "CIRCULAR", "REFLECT", "CAUSAL", 1, (2, 0)]
    for k, s, d, padding in itertools.product(range(1, 5), range(1, 4), (1, 2), conv_paddings):
        for module, ours_fn, kind in (
            (
                linen.Conv(
                    1,
                    (k,),
                    strides=s,
                    padding=padding if isinstance(padding, str) else [padding],
                    kernel_dilation=d,
                ),
                jx.flax_conv_output_length,
                "Conv",
            ),
            (
                linen.ConvTranspose(
                    1,
                    (k,),
                    strides=s,
                    padding=padding if isinstance(padding, str) else [padding],
                    kernel_dilation=d,
                ),
                jx.flax_conv_transpose_output_length,
                "ConvTranspose",
            ),
        ):
            if kind == "ConvTranspose" and padding in ("REFLECT", "CAUSAL"):
                continue
            for size in (1, 4, 7):
                ORACLE_COUNTS[f"flax {kind} shapes and errors"] += 1
                ours = (
                    _ours(ours_fn, size, k, s, padding, 1, d)
                    if kind == "Conv"
                    else _ours(ours_fn, size, k, s, padding, d)
                )
                try:
                    out, _ = jax.eval_shape(
                        module.init_with_output, key, jax.ShapeDtypeStruct((1, size, 1), "float32")
                    )
                    theirs: int | str = int(out.shape[1])
                except (ValueError, TypeError, RuntimeError):
                    theirs = "error"
                if ours != theirs:
                    mismatches.append(
                        f"{kind} I={size} k={k} s={s} d={d} {padding!r}: {ours} != flax {theirs}"
                    )
    assert mismatches == []


def test_pool_output_length_matches_reduce_window(jax: Any) -> None:
    """lax.reduce_window (Flax's max_pool/avg_pool) lengths: the window as the kernel."""
    mismatches = []
    for size, window, stride, dilation in itertools.product(
        range(1, 9), range(1, 5), range(1, 4), (1, 2)
    ):
        for padding in ("VALID", "SAME", "SAME_LOWER", (1, 0), (0, 2)):
            ORACLE_COUNTS["jax reduce_window shapes"] += 1

            def pool(
                x: Any, w: int = window, s: int = stride, d: int = dilation, p: Any = padding
            ) -> Any:
                pads = p if isinstance(p, str) else [p]
                return jax.lax.reduce_window(
                    x, 0.0, jax.lax.add, (w,), (s,), pads, window_dilation=(d,)
                )

            try:
                out = jax.eval_shape(pool, jax.ShapeDtypeStruct((size,), "float32"))
                theirs: int | str = int(out.shape[0])
            except (ValueError, TypeError, RuntimeError):
                theirs = "error"
            ours = _ours(jx.pool_output_length, size, window, stride, padding, dilation)
            if ours != theirs:
                mismatches.append(
                    f"I={size} w={window} s={stride} d={dilation} {padding}: {ours} != {theirs}"
                )
    assert mismatches == []

"""``convshape pool --framework onnx`` and ``--framework jax`` against the frameworks: the
CLI's answer for each size, pool size, stride, padding (in the CLI's terms, translated
here as docs/cli.md says) and ceil_mode, against ONNX Runtime's MaxPool/AveragePool and
``jax.lax.reduce_window``: the output length, a refusal where the framework refuses, and
the padding the CLI reports, read off the values the framework pools. Then the framework
table's pooling rule with dilations, which the CLI does not ask."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from typing import Any

import numpy as np
import pytest

from convshape._frameworks import framework
from convshape.cli import main
from tests.oracles import ORACLE_COUNTS, oracle

RNG = np.random.default_rng(41)

SIZES = (1, 2, 5, 8)
KERNELS = (1, 2, 3, 4)
STRIDES = (1, 2, 3)
#: The CLI's paddings of a pooling: its modes, an int for both sides, before:after pairs.
PADDINGS = ("valid", "same", "same_lower", "0", "1", "2", "1:0", "0:2", "2:1")


def _cli(argv: list[str]) -> dict[str, Any] | None:
    """The JSON answer of ``convshape pool ... --json``; None when the CLI refuses (exit 2)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["pool", *argv, "--json"])
    if code != 0:
        assert code == 2, err.getvalue()
        assert err.getvalue().startswith("convshape pool: error: "), err.getvalue()
        return None
    answer: dict[str, Any] = json.loads(out.getvalue())
    return answer


def _pair(padding: str) -> tuple[int, int]:
    before, _, after = padding.partition(":")
    return int(before), int(after or before)


def _sums(x: Any, pad: list[int], length: int, k: int, s: int, d: int = 1) -> list[float]:
    """Each window's sum over x padded with zeros as ``pad`` says (a negative side removes
    elements), for the windows that end inside the padded input."""
    before, after = pad
    padded = np.concatenate([np.zeros(max(before, 0)), x, np.zeros(max(after, 0))])
    padded = padded[max(-before, 0) : len(padded) - max(-after, 0)]
    k_eff = (k - 1) * d + 1
    return [
        float(padded[i * s : i * s + k_eff : d].sum())
        for i in range(length)
        if i * s + k_eff <= len(padded)
    ]


# -- ONNX Runtime -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ort() -> Any:
    return oracle("onnxruntime")


def _onnx_attributes(padding: str) -> dict[str, Any]:
    """The CLI's padding as ONNX's: same is SAME_UPPER, same_lower SAME_LOWER, an int or
    before:after the ``pads``."""
    modes = {"valid": "VALID", "same": "SAME_UPPER", "same_lower": "SAME_LOWER"}
    if padding in modes:
        return {"auto_pad": modes[padding]}
    return {"auto_pad": "NOTSET", "pads": list(_pair(padding))}


def _onnx_pool(ort: Any, op: str, x: Any, **attributes: Any) -> Any:
    """One MaxPool or AveragePool node run on x (one axis); None when ONNX Runtime refuses."""
    onnx = oracle("onnx")
    helper = onnx.helper
    data = x.reshape(1, 1, -1).astype("float32")
    graph = helper.make_graph(
        [helper.make_node(op, ["X"], ["Y"], **attributes)],
        "g",
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, list(data.shape))],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return session.run(None, {"X": data})[0].reshape(-1)
    except Exception:  # ONNX Runtime's own failures: the configuration is refused
        return None


def test_cli_pool_onnx_matches_onnx_runtime(ort: Any) -> None:
    """The CLI's length (or refusal) is MaxPool's; its padding is the one AveragePool
    (counting the padding) averages over, where no window passes the padded input."""
    mismatches: list[Any] = []
    for size, k, s, padding, ceil in itertools.product(
        SIZES, KERNELS, STRIDES, PADDINGS, (False, True)
    ):
        flags = ["--ceil-mode"] if ceil else []
        argv = [str(size), "-k", str(k), "-s", str(s), "-p", padding, "--framework", "onnx"]
        ours = _cli(argv + flags)
        x = RNG.integers(1, 9, size).astype("float64")
        attributes = {"kernel_shape": [k], "strides": [s], "ceil_mode": int(ceil)}
        attributes |= _onnx_attributes(padding)
        theirs = _onnx_pool(ort, "MaxPool", x, **attributes)
        ORACLE_COUNTS["onnxruntime MaxPool (convshape pool --framework onnx)"] += 1
        if (ours is None) != (theirs is None):
            mismatches.append((argv + flags, ours, theirs if theirs is None else theirs.shape))
            continue
        if ours is None or theirs is None:
            continue
        if ours["output"] != [len(theirs)]:
            mismatches.append((argv + flags, ours["output"], len(theirs)))
            continue
        average = _onnx_pool(ort, "AveragePool", x, count_include_pad=1, **attributes)
        assert average is not None, argv + flags
        assert len(average) == len(theirs), argv + flags
        expected = _sums(x, ours["padding"][0], len(theirs), k, s)
        fitting = len(expected)  # the windows inside the padded input come first
        if ceil and fitting < len(theirs):
            continue  # a ceil_mode window past the padding averages over fewer elements
        if not np.allclose(average[:fitting] * k, expected):
            mismatches.append((argv + flags, ours["padding"], (average * k).tolist(), expected))
    assert mismatches == []


def test_the_table_pool_onnx_matches_onnx_runtime_with_dilations(ort: Any) -> None:
    mismatches: list[Any] = []
    rules = framework("onnx")
    for size, k, s, d, padding, ceil in itertools.product(
        SIZES, KERNELS, STRIDES, (1, 2, 3), ("valid", "same", "same_lower", "1", "1:0"), (0, 1)
    ):
        attributes: dict[str, Any] = {"kernel_shape": [k], "strides": [s], "ceil_mode": ceil}
        attributes["dilations"] = [d]
        attributes |= _onnx_attributes(padding)
        auto_pad = attributes["auto_pad"]
        ours = _outcome(
            rules.pool_output_length,
            size,
            k,
            s,
            auto_pad if auto_pad != "NOTSET" else tuple(attributes["pads"]),
            d,
            bool(ceil),
        )
        theirs = _onnx_pool(ort, "MaxPool", np.ones(size), **attributes)
        ORACLE_COUNTS["onnxruntime MaxPool (the framework table's pool_output_length)"] += 1
        if ours != (None if theirs is None else len(theirs)):
            mismatches.append((size, k, s, d, padding, ceil, ours, theirs))
    assert mismatches == []


def _outcome(function: Any, *args: Any) -> int | None:
    try:
        result: int | None = function(*args)
    except (ValueError, TypeError):  # ConvShapeError is a ValueError
        return None
    return result


# -- JAX ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jax() -> Any:
    return oracle("jax")


def _lax_padding(padding: str) -> Any:
    """The CLI's padding as lax's: the modes in capitals, an int or before:after a pair."""
    modes = {"valid": "VALID", "same": "SAME", "same_lower": "SAME_LOWER"}
    return modes[padding] if padding in modes else [_pair(padding)]


def _reduce_window(jax: Any, x: Any, k: int, s: int, padding: Any, *, d: int = 1) -> Any:
    """The window sums lax.reduce_window gives (zeros pad); None when lax refuses. The
    shape is traced first (lax's checks), the sums computed only for a non-empty one."""

    def pool(data: Any) -> Any:
        return jax.lax.reduce_window(
            data, 0.0, jax.lax.add, (k,), (s,), padding, window_dilation=(d,)
        )

    try:
        shape = jax.eval_shape(pool, jax.ShapeDtypeStruct((len(x),), "float32")).shape
    except (ValueError, TypeError, RuntimeError):  # lax's own checks: refused
        return None
    if shape[0] == 0:
        return np.zeros(0)
    if k == 1 and not isinstance(padding, str) and min(padding[0]) < 0:
        # XLA's simplifier aborts the process on a one-element window that crops (it
        # replaces the reduce_window by an add of the wrong shape): the length only.
        return np.full(shape, np.nan)
    return np.asarray(pool(jax.numpy.asarray(x, "float32")))


def test_cli_pool_jax_matches_lax_reduce_window(jax: Any) -> None:
    """The CLI's length (or refusal) and padding are lax.reduce_window's: the window sums
    equal those over x padded as the CLI says (a negative side crops)."""
    mismatches: list[Any] = []
    emptied = 0
    for size, k, s, padding in itertools.product(SIZES, KERNELS, STRIDES, (*PADDINGS, "-1")):
        argv = [str(size), "-k", str(k), "-s", str(s), "-p", padding, "--framework", "jax"]
        ours = _cli(argv)
        x = RNG.integers(1, 9, size).astype("float64")
        theirs = _reduce_window(jax, x, k, s, _lax_padding(padding))
        ORACLE_COUNTS["jax lax.reduce_window (convshape pool --framework jax)"] += 1
        if (ours is None) != (theirs is None):
            mismatches.append((argv, ours, theirs))
        elif ours is not None and theirs is not None:
            expected = _sums(x, ours["padding"][0], ours["output"][0], k, s)
            summed = np.isnan(theirs).any() or np.allclose(theirs, expected)
            if ours["output"] != [len(theirs)] or not summed:
                mismatches.append((argv, ours, theirs.tolist(), expected))
            emptied += padding == "-1" and size < 2
    assert mismatches == []
    # A padding that crops the whole input (and more) leaves lax.reduce_window (and Flax's
    # pools) an empty output, as it does convshape's (conv_general_dilated refuses it).
    assert emptied == len(KERNELS) * len(STRIDES)
    assert _cli(["5", "-k", "2", "--framework", "jax", "--ceil-mode"]) is None  # lax has none


def test_the_table_pool_jax_matches_lax_reduce_window_with_dilations(jax: Any) -> None:
    mismatches: list[Any] = []
    rules = framework("jax")
    for size, k, s, d, padding in itertools.product(
        SIZES, KERNELS, STRIDES, (1, 2, 3), ("VALID", "SAME", "SAME_LOWER", (1, 0), (2, 2))
    ):
        ours = _outcome(rules.pool_output_length, size, k, s, padding, d, False)
        lax_padding = padding if isinstance(padding, str) else [padding]
        theirs = _reduce_window(jax, np.ones(size), k, s, lax_padding, d=d)
        ORACLE_COUNTS["jax lax.reduce_window (the framework table's pool_output_length)"] += 1
        if ours != (None if theirs is None else len(theirs)):
            mismatches.append((size, k, s, d, padding, ours, theirs))
    assert mismatches == []

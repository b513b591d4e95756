"""convshape.onnx against ONNX Runtime: tiny one-node models run on tensors, lengths and
errors compared over small grids, and the crop read off ConvTranspose values."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import convshape as cs
from convshape import onnx as ox
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import transpose_cropped

RNG = np.random.default_rng(5)


@pytest.fixture(scope="module")
def ort() -> Any:
    return oracle("onnxruntime")


def _run(ort: Any, op: str, x: Any, weight: Any | None, **attributes: Any) -> Any:
    """Run one ONNX node on x (N, C, L); None when ONNX Runtime refuses."""
    onnx = oracle("onnx")
    helper = onnx.helper
    inputs = ["X"] + (["W"] if weight is not None else [])
    node = helper.make_node(op, inputs, ["Y"], **attributes)
    initializers = [] if weight is None else [onnx.numpy_helper.from_array(weight, "W")]
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return session.run(None, {"X": x})[0]
    except Exception:  # ONNX Runtime's own failures: the configuration is refused
        return None


def _ours(function: Any, *args: Any, **kwargs: Any) -> int | None:
    try:
        result: int = function(*args, **kwargs)
    except (cs.ConvShapeError, TypeError):
        return None
    return result


def test_conv_transpose_matches_onnx_runtime(ort: Any) -> None:
    mismatches = []
    for k, s, d, mode in itertools.product(
        range(1, 5), range(1, 4), (1, 2), ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")
    ):
        for pads, op in itertools.product(
            [(0, 0), (1, 0), (1, 2)] if mode == "NOTSET" else [(0, 0)], range(max(s, d))
        ):
            w = RNG.integers(1, 9, (1, 1, k)).astype("float32")
            for size in (1, 3, 6):
                ORACLE_COUNTS["onnxruntime ConvTranspose (lengths, values)"] += 1
                x = RNG.integers(1, 9, (1, 1, size)).astype("float32")
                attributes: dict[str, Any] = {
                    "kernel_shape": [k],
                    "strides": [s],
                    "dilations": [d],
                    "output_padding": [op],
                    "auto_pad": mode,
                }
                if mode == "NOTSET":
                    attributes["pads"] = list(pads)
                got = _run(ort, "ConvTranspose", x, w, **attributes)
                ours = _ours(ox.conv_transpose_output_length, size, k, s, mode, pads, op, d)
                case = f"I={size} k={k} s={s} d={d} {mode} pads={pads} op={op}"
                if got is None or ours is None:
                    if (got is None) != (ours is None):
                        mismatches.append(
                            f"{case}: convshape {ours}, "
                            f"onnxruntime {None if got is None else got.shape}"
                        )
                    continue
                crop = ox.conv_transpose_pads(size, k, s, mode, pads, op, d)
                # ONNX Runtime appends output_padding at the end: the full output is longer by op.
                expected = transpose_cropped(
                    x.ravel().tolist(), w.ravel().tolist(), s, d, crop.before, ours
                )
                if got.shape[-1] != ours or got.ravel().tolist() != expected:
                    mismatches.append(
                        f"{case}: length {ours} crop {crop}, onnxruntime {got.ravel().tolist()}"
                    )
    assert mismatches == []


def test_conv_matches_onnx_runtime(ort: Any) -> None:
    mismatches = []
    for k, s, d, mode in itertools.product(
        range(1, 5), range(1, 4), (1, 2), ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")
    ):
        for pads in [(0, 0), (1, 0), (2, 1)] if mode == "NOTSET" else [(0, 0)]:
            w = np.ones((1, 1, k), "float32")
            for size in (1, 2, 5, 8):
                ORACLE_COUNTS["onnxruntime Conv (lengths)"] += 1
                x = np.ones((1, 1, size), "float32")
                attributes: dict[str, Any] = {
                    "kernel_shape": [k],
                    "strides": [s],
                    "dilations": [d],
                    "auto_pad": mode,
                }
                if mode == "NOTSET":
                    attributes["pads"] = list(pads)
                got = _run(ort, "Conv", x, w, **attributes)
                ours = _ours(ox.conv_output_length, size, k, s, mode, pads, d)
                theirs = None if got is None else got.shape[-1]
                if ours != theirs:
                    mismatches.append(
                        f"I={size} k={k} s={s} d={d} {mode} pads={pads}: "
                        f"{ours} != onnxruntime {theirs}"
                    )
    assert mismatches == []


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
def test_pooling_matches_onnx_runtime(ort: Any, op: str) -> None:
    mismatches = []
    dilations = (1, 2) if op == "MaxPool" else (1,)
    modes = ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")
    for k, s, d, mode, ceil in itertools.product(
        range(1, 5), range(1, 4), dilations, modes, (0, 1)
    ):
        for pads in [(0, 0), (1, 1), (1, 0)] if mode == "NOTSET" else [(0, 0)]:
            if max(pads) >= k:
                continue
            for size in (1, 2, 5, 8):
                ORACLE_COUNTS[f"onnxruntime {op} (lengths)"] += 1
                x = np.ones((1, 1, size), "float32")
                attributes: dict[str, Any] = {"kernel_shape": [k], "strides": [s], "auto_pad": mode}
                attributes["ceil_mode"] = ceil
                if d > 1:
                    attributes["dilations"] = [d]
                if mode == "NOTSET":
                    attributes["pads"] = list(pads)
                got = _run(ort, op, x, None, **attributes)
                ours = _ours(ox.pool_output_length, size, k, s, mode, pads, d, bool(ceil), op)
                theirs = None if got is None else got.shape[-1]
                if ours != theirs:
                    mismatches.append(
                        f"I={size} k={k} s={s} d={d} {mode} pads={pads} ceil={ceil}: "
                        f"{ours} != onnxruntime {theirs}"
                    )
    assert mismatches == []


def test_conv_transpose_output_shape_matches_onnx_runtime(ort: Any) -> None:
    """An explicit output_shape: ONNX Runtime's length and where it crops, read off values."""
    mismatches = []
    for k, s, size, mode in itertools.product(
        range(1, 6), range(1, 4), (2, 5), ("NOTSET", "SAME_UPPER", "SAME_LOWER")
    ):
        w = RNG.integers(1, 9, (1, 1, k)).astype("float32")
        x = RNG.integers(1, 9, (1, 1, size)).astype("float32")
        full = (size - 1) * s + k
        for target in range(max(full - 3, 1), full + 1):
            ORACLE_COUNTS["onnxruntime ConvTranspose output_shape"] += 1
            attributes: dict[str, Any] = {
                "kernel_shape": [k],
                "strides": [s],
                "output_shape": [target],
            }
            if mode != "NOTSET":
                attributes["auto_pad"] = mode
            got = _run(ort, "ConvTranspose", x, w, **attributes)
            crop = ox.conv_transpose_pads(size, k, s, mode, output_shape=target).before
            if got is None:
                continue  # refused: nothing to compare the crop with
            expected = transpose_cropped(
                x.ravel().tolist(), w.ravel().tolist(), s, 1, crop or 0, target
            )
            if got.shape[-1] != target or got.ravel().tolist() != expected:
                mismatches.append(
                    f"I={size} k={k} s={s} {mode} O={target}: crop {crop}, "
                    f"ORT {got.ravel().tolist()}"
                )
    assert mismatches == []


def test_conv_transpose_crop_is_read_off_onnx_runtime_values(ort: Any) -> None:
    """conv_transpose_crop counts from the full output without output_padding: ORT's
    values are the full output shifted by ``before``, and its length is the full output
    less the crop."""
    mismatches = []
    for k, s, mode in itertools.product(range(1, 5), range(1, 4), ("NOTSET", "SAME_LOWER")):
        for pads, op in itertools.product(
            [(0, 0), (2, 1)] if mode == "NOTSET" else [(0, 0)], range(s)
        ):
            ORACLE_COUNTS["onnxruntime ConvTranspose (conv_transpose_crop)"] += 1
            w = RNG.integers(1, 9, (1, 1, k)).astype("float32")
            x = RNG.integers(1, 9, (1, 1, 4)).astype("float32")
            attributes: dict[str, Any] = {
                "kernel_shape": [k],
                "strides": [s],
                "output_padding": [op],
                "auto_pad": mode,
            }
            if mode == "NOTSET":
                attributes["pads"] = list(pads)
            got = _run(ort, "ConvTranspose", x, w, **attributes)
            crop = _ours(ox.conv_transpose_crop, 4, k, s, mode, pads, op)
            if got is None or crop is None:
                if (got is None) != (crop is None):
                    mismatches.append(f"k={k} s={s} {mode} pads={pads} op={op}: {crop}")
                continue
            assert isinstance(crop, cs.Pad)
            length = 3 * s + k - crop.before - crop.after
            expected = transpose_cropped(
                x.ravel().tolist(), w.ravel().tolist(), s, 1, crop.before, length
            )
            if got.ravel().tolist() != expected:
                mismatches.append(f"k={k} s={s} {mode} pads={pads} op={op}: {crop}")
    assert mismatches == []


def test_conv_transpose_output_range_is_what_onnx_runtime_accepts(ort: Any) -> None:
    """Every output_shape ONNX Runtime runs, and no other, is in conv_transpose_output_range."""
    mismatches = []
    for k, s, size, d in itertools.product(range(1, 4), range(1, 4), (1, 3), (1, 2)):
        w = np.ones((1, 1, k), "float32")
        x = np.ones((1, 1, size), "float32")
        accepted = []
        for target in range(1, size * s + k * d + s + 2):
            ORACLE_COUNTS["onnxruntime ConvTranspose output_shape (range)"] += 1
            attributes = {
                "kernel_shape": [k],
                "strides": [s],
                "dilations": [d],
                "output_shape": [target],
            }
            if _run(ort, "ConvTranspose", x, w, **attributes) is not None:
                accepted.append(target)
        ours = ox.conv_transpose_output_range(size, k, s, dilation=d)
        if list(ours) != accepted:
            mismatches.append(f"I={size} k={k} s={s} d={d}: {ours} != ORT {accepted}")
    assert mismatches == []

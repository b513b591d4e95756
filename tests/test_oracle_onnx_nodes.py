"""Whole-node shapes of ``Conv``, ``ConvInteger`` and ``DeformConv`` against ONNX Runtime:
input and weight shapes, groups, flat pads, strides, dilations, auto_pad, and for
DeformConv the offset and mask shapes and offset groups. Where ONNX Runtime refuses a
node, convshape must raise ConvShapeError or TypeError; where it runs, the shapes agree."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import convshape as cs
from convshape import onnx as ox
from tests.oracles import ORACLE_COUNTS, oracle


@pytest.fixture(scope="module")
def ort() -> Any:
    module = oracle("onnxruntime")
    module.set_default_logger_severity(4)  # refusals are expected; keep their logs quiet
    return module


OUTPUT_TYPES = {"Conv": 1, "DeformConv": 1, "ConvInteger": 6}  # float, float, int32


def _run(ort: Any, op: str, arrays: dict[str, Any], **attributes: Any) -> Any:
    """The output shape of one node, or None when ONNX Runtime refuses it."""
    onnx = oracle("onnx")
    helper = onnx.helper
    dtype = onnx.helper.np_dtype_to_tensor_dtype
    node = helper.make_node(op, list(arrays), ["Y"], **attributes)
    graph = helper.make_graph(
        [node],
        "g",
        [
            helper.make_tensor_value_info(n, dtype(a.dtype), list(a.shape))
            for n, a in arrays.items()
        ],
        [helper.make_tensor_value_info("Y", OUTPUT_TYPES[op], None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return tuple(session.run(None, arrays)[0].shape)
    except Exception:  # ONNX Runtime's own failures: the node is refused
        return None


def _ours(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except (cs.ConvShapeError, TypeError):
        return None


def _conv_cases() -> list[tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]]:
    cases = []
    for rank, channels, group, out, k, s, d, pad in itertools.product(
        (1, 2), (2, 4), (1, 2, 3), (2, 3, 6), (1, 3), (1, 2), (1, 2), ("none", "flat", "same")
    ):
        x = (1, channels, *[6 + i for i in range(rank)])
        w = (out, max(channels // group, 1), *[k] * rank)
        attributes: dict[str, Any] = {"strides": [s] * rank, "dilations": [d] * rank}
        if group != 1:
            attributes["group"] = group
        if pad == "flat":
            attributes["pads"] = [1] * rank + [2] * rank
        elif pad == "same":
            attributes["auto_pad"] = "SAME_UPPER"
        cases.append((x, w, attributes))
    # Attributes that disagree with the weight, or of the wrong length.
    cases += [
        ((1, 2, 7), (3, 2, 3), {"kernel_shape": [2]}),
        ((1, 2, 7), (3, 2, 3), {"kernel_shape": [3]}),
        ((1, 2, 7), (3, 2, 3), {"strides": [1, 1]}),
        ((1, 2, 7), (3, 2, 3), {"pads": [1]}),
        ((1, 2, 7, 7), (3, 2, 3, 3), {"dilations": [1]}),
        ((1, 2, 7), (3, 2, 3, 3), {}),
        ((1, 2, 2), (3, 2, 3), {}),
        ((1, 2, 2), (3, 2, 3), {"pads": [1, 0]}),
        ((0, 2, 5), (3, 2, 3), {}),
    ]
    return cases


@pytest.mark.parametrize("op", ["Conv", "ConvInteger"])
def test_conv_nodes_match_onnx_runtime(ort: Any, op: str) -> None:
    mismatches = []
    dtype = "float32" if op == "Conv" else "uint8"
    for x_shape, w_shape, attributes in _conv_cases():
        arrays = {"X": np.ones(x_shape, dtype), "W": np.ones(w_shape, dtype)}
        theirs = _run(ort, op, arrays, **attributes)
        ours = _ours(ox.conv_output_shape, x_shape, w_shape, **attributes)
        ORACLE_COUNTS[f"onnxruntime {op} whole-node shapes"] += 1
        if ours != theirs:
            mismatches.append((x_shape, w_shape, attributes, ours, theirs))
    assert mismatches == []


def test_deform_conv_nodes_match_onnx_runtime(ort: Any) -> None:
    mismatches = []
    for channels, group, offset_group, k, s, pad, offset_delta, mask in itertools.product(
        (2, 4), (1, 2), (1, 2, 3), (1, 2, 3), (1, 2), (0, 1), (0, 1), (None, 0, 1)
    ):
        x_shape = (1, channels, 5, 6)
        w_shape = (2, channels // group, k, k)
        attributes: dict[str, Any] = {"strides": [s, s], "pads": [pad] * 4}
        if group != 1:
            attributes["group"] = group
        if offset_group != 1:
            attributes["offset_group"] = offset_group
        out = [(size + 2 * pad - k) // s + 1 for size in x_shape[2:]]
        taps = offset_group * k * k
        offset_shape = (1, 2 * taps + offset_delta, *out)
        arrays = {
            "X": np.ones(x_shape, "float32"),
            "W": np.ones(w_shape, "float32"),
            "offset": np.zeros(offset_shape, "float32"),
        }
        mask_shape = None
        if mask is not None:
            mask_shape = (1, taps, out[0] + mask, out[1])
            arrays["B"] = np.zeros((2,), "float32")
            arrays["mask"] = np.ones(mask_shape, "float32")
        theirs = _run(ort, "DeformConv", arrays, **attributes)
        ours = _ours(
            ox.deform_conv_output_shape, x_shape, w_shape, offset_shape, mask_shape, **attributes
        )
        ORACLE_COUNTS["onnxruntime DeformConv whole-node shapes"] += 1
        if ours != theirs:
            mismatches.append(
                (x_shape, w_shape, offset_shape, mask_shape, attributes, ours, theirs)
            )
    assert mismatches == []


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: ox.conv_output_shape((1, 2, 5), (3, 2, 3), strides=2), TypeError),
        (lambda: ox.conv_output_shape((1, 2, 5), (3, 2, 3), pads=[1, True]), TypeError),
        (lambda: ox.conv_output_shape((1, 2, 5), (3, 2, 3), group=0), cs.ConvShapeError),
        (lambda: ox.conv_output_shape((1, None, 5), (3, 2, 3)), cs.ConvShapeError),
        (lambda: ox.conv_output_shape("15", (3, 2, 3)), TypeError),
        (lambda: ox.conv_output_shape((1, 2, 5), (3, 2, 3), auto_pad="SAME"), cs.ConvShapeError),
        (
            lambda: ox.deform_conv_output_shape((1, 2, 5), (3, 2, 3), offset_group=0),
            cs.ConvShapeError,
        ),
        (lambda: ox.deform_conv_output_shape((1, 2, 5), (3, 2, 3), (1, 6)), cs.ConvShapeError),
    ],
)
def test_bad_node_arguments_are_refused_by_name(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="Received"):
        call()

"""ONNX's own node test cases for Conv, ConvTranspose and the pools, run against
convshape.onnx, plus the ONNX Runtime behaviours those cases led to.

The onnx wheel ships no node test data, but ``onnx/backend/test/case/node/<op>.py``
generates it: every ``export*`` static method builds a node and calls ``expect(node,
inputs, outputs, name)``. Here ``expect`` records (node, input shapes, output shapes)
instead of writing files; convshape then computes every output shape from the node's
attributes and the input and weight shapes, every output included (MaxPool's Indices has
the shape of its output, as the operator's specification says); an attribute the
comparison does not read fails the test unless ``SHAPE_NEUTRAL`` says why it cannot
change the shape.
"""

from __future__ import annotations

import importlib
import itertools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import convshape as cs
from convshape import onnx as ox
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import transpose_cropped

#: The operators whose ONNX node cases are run, by case module.
OPERATORS = {
    "Conv": "conv",
    "ConvInteger": "convinteger",
    "QLinearConv": "qlinearconv",
    "DeformConv": "deformconv",
    "ConvTranspose": "convtranspose",
    "MaxPool": "maxpool",
    "AveragePool": "averagepool",
    "LpPool": "lppool",
    "GlobalAveragePool": "globalaveragepool",
    "GlobalMaxPool": "globalmaxpool",
}

#: Attributes that change values but never shapes, per operator.
SHAPE_NEUTRAL = {
    "MaxPool": {"storage_order": "only the layout of the indices output"},
    "AveragePool": {"count_include_pad": "only the divisor of each window"},
    "LpPool": {"p": "only the norm of each window"},
}


@dataclass
class NodeCase:
    name: str
    op: str
    attributes: dict[str, Any]
    input_shapes: list[tuple[int, ...]]
    output_shapes: list[tuple[int, ...]]


def _collect() -> dict[str, list[NodeCase]]:
    """Every node case ONNX's case modules generate for OPERATORS, by operator.

    The case classes' metaclass runs the exports when a module is first imported, and each
    module binds ``expect`` (and the pools' ``pool``) by name at import, so both are
    replaced before the import and on an already imported module, and put back after.
    ``pool`` is ONNX's reference pooling loop, about a second for each 32x32x32 case:
    its stand-in returns zeros of the very shape ``pool`` allocates, ``(N, C, *out_shape)``,
    where ``out_shape`` comes from ONNX's own shape functions in the export.
    """
    onnx = oracle("onnx")
    package = importlib.import_module("onnx.backend.test.case.node")
    common = importlib.import_module("onnx.reference.ops.op_pool_common")
    base = importlib.import_module("onnx.backend.test.case.base").Base
    real = {"expect": package.expect, "pool": common.pool}
    recorded: list[NodeCase] = []

    def record(
        node: Any, inputs: Sequence[Any], outputs: Sequence[Any], name: str, **_: Any
    ) -> None:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        recorded.append(
            NodeCase(
                name,
                node.op_type,
                attributes,
                [tuple(np.shape(x)) for x in inputs],
                [tuple(np.shape(y)) for y in outputs],
            )
        )

    def pool(padded: Any, x_shape: Sequence[int], *args: Any, **kwargs: Any) -> Any:
        out_shape = args[2]  # pool(padded, x_shape, kernel, strides, out_shape, ...)
        return np.zeros([x_shape[0], x_shape[1], *list(out_shape)], dtype=padded.dtype)

    stand_ins = {"expect": record, "pool": pool}
    modules: list[Any] = []
    try:
        _swap([package, common], stand_ins)
        for module_name in OPERATORS.values():
            name = f"{package.__name__}.{module_name}"
            imported = name in sys.modules
            modules.append(importlib.import_module(name))  # a first import runs the exports
            if imported:
                _swap(modules[-1:], stand_ins)
                _run_exports(modules[-1], base)
    finally:
        _swap([package, common, *modules], real)
    cases: dict[str, list[NodeCase]] = {op: [] for op in OPERATORS}
    for case in recorded:
        cases[case.op].append(case)
    return cases


def _swap(modules: list[Any], values: dict[str, Any]) -> None:
    """Set each of ``values`` on every module that has that attribute."""
    for module in modules:
        for attribute, value in values.items():
            if hasattr(module, attribute):
                setattr(module, attribute, value)


def _run_exports(module: Any, base: type) -> None:
    """Call every ``export*`` static method of the case classes defined in ``module``."""
    for cls in vars(module).values():
        if not (isinstance(cls, type) and issubclass(cls, base) and cls is not base):
            continue
        for attribute, value in vars(cls).items():
            if attribute.startswith("export") and isinstance(value, staticmethod):
                np.random.seed(0)  # as the exporter metaclass does
                getattr(cls, attribute)()


@pytest.fixture(scope="module")
def node_cases() -> dict[str, list[NodeCase]]:
    return _collect()


class _Attributes:
    """A node's attributes, read once each, per spatial dimension."""

    def __init__(self, case: NodeCase, rank: int) -> None:
        self.values = dict(case.attributes)
        self.rank = rank
        neutral = SHAPE_NEUTRAL.get(case.op, {})
        self.unread = {name for name in self.values if name not in neutral}

    def get(self, name: str, default: Any) -> Any:
        self.unread.discard(name)
        value = self.values.get(name, default)
        return value.decode() if isinstance(value, bytes) else value

    def per_dim(self, name: str, default: int) -> list[int]:
        return list(self.get(name, [default] * self.rank))

    def pads(self) -> list[tuple[int, int]]:
        flat = self.get("pads", [0] * 2 * self.rank)
        return [(flat[i], flat[i + self.rank]) for i in range(self.rank)]


def _convshape_shapes(case: NodeCase) -> tuple[list[tuple[int | None, ...]], set[str]]:
    """convshape's shape of each modelled output, and the attributes it did not read."""
    x = case.input_shapes[0]
    rank = len(x) - 2
    a = _Attributes(case, rank)
    if case.op.startswith("Global"):
        return [ox.global_pool_output_shape(x)], a.unread
    if case.op in ("Conv", "ConvInteger", "QLinearConv", "DeformConv"):
        return [_conv_node_shape(case, a)], a.unread
    kernel = a.per_dim("kernel_shape", 0) if case.op.endswith("Pool") else None
    if kernel is None:
        kernel = a.get("kernel_shape", list(case.input_shapes[1][2:]))
    strides, dilations, pads = a.per_dim("strides", 1), a.per_dim("dilations", 1), a.pads()
    auto_pad = a.get("auto_pad", "NOTSET")
    dims = range(rank)
    spatial: list[int]
    if case.op == "ConvTranspose":
        channels = case.input_shapes[1][1] * a.get("group", 1)
        output_padding = a.per_dim("output_padding", 0)
        output_shape = a.get("output_shape", None)
        if output_shape is not None:
            output_shape = list(output_shape)[-rank:]  # spatial, or the whole (N, C, ...)
        spatial = [
            ox.conv_transpose_output_length(
                x[2 + i],
                kernel[i],
                strides[i],
                auto_pad,
                pads[i],
                output_padding[i],
                dilations[i],
                None if output_shape is None else output_shape[i],
            )
            for i in dims
        ]
    else:
        channels = x[1]
        ceil_mode = bool(a.get("ceil_mode", 0))
        spatial = [
            ox.pool_output_length(
                x[2 + i],
                kernel[i],
                strides[i],
                auto_pad,
                pads[i],
                dilations[i],
                ceil_mode,
                op=case.op,
            )
            for i in dims
        ]
    shape = (x[0], channels, *spatial)
    # MaxPool's optional second output, Indices, has the output's shape.
    return [shape] * len(case.output_shapes) if case.op == "MaxPool" else [shape], a.unread


def _conv_node_shape(case: NodeCase, a: _Attributes) -> tuple[int | None, ...]:
    """The whole-node functions, with the attributes as ONNX gives them (flat pads)."""
    shapes = case.input_shapes
    x, w = (shapes[0], shapes[3]) if case.op == "QLinearConv" else shapes[:2]
    options = {name: a.get(name, None) for name in ("kernel_shape", "strides", "pads", "dilations")}
    group = a.get("group", 1)
    if case.op == "DeformConv":
        offset = shapes[2]
        mask = shapes[4] if len(shapes) > 4 else None
        offset_group = a.get("offset_group", 1)
        return ox.deform_conv_output_shape(
            x, w, offset, mask, group=group, offset_group=offset_group, **options
        )
    return ox.conv_output_shape(x, w, auto_pad=a.get("auto_pad", "NOTSET"), group=group, **options)


@pytest.mark.parametrize("op", list(OPERATORS))
def test_onnx_node_cases(node_cases: dict[str, list[NodeCase]], op: str) -> None:
    cases = node_cases[op]
    assert cases, f"ONNX generated no node cases for {op}"
    mismatches = []
    for case in cases:
        try:
            ours, unread = _convshape_shapes(case)
        except (cs.ConvShapeError, TypeError) as error:
            mismatches.append(f"{case.name}: convshape refused ({error})")
            continue
        if unread:
            mismatches.append(f"{case.name}: attributes not read {sorted(unread)}")
        for index, expected in enumerate(case.output_shapes):
            if index >= len(ours):
                mismatches.append(f"{case.name}: output {index} not modelled")
                continue
            ORACLE_COUNTS[f"onnx node cases {op} (output shapes)"] += 1
            if ours[index] != expected:
                mismatches.append(f"{case.name} output {index}: {ours[index]} != onnx {expected}")
    assert mismatches == []


# ONNX Runtime on the behaviours the node cases lead to -----------------------------------


@pytest.fixture(scope="module")
def ort() -> Any:
    module = oracle("onnxruntime")
    module.set_default_logger_severity(4)  # refusals are expected; keep their logs quiet
    return module


def _run(ort: Any, op: str, x: Any, weight: Any | None = None, **attributes: Any) -> Any:
    """Run one ONNX node on x; None when ONNX Runtime refuses."""
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


def _ours(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except (cs.ConvShapeError, TypeError):
        return None


def test_conv_transpose_output_shape_beyond_the_full_output(ort: Any) -> None:
    """An output_shape up to s (I - 1) + k_eff + s - 1 gets zeros at the end; longer, or
    below 1, is refused; read off the values, with output_padding and dilation."""
    rng = np.random.default_rng(14)
    mismatches = []
    for k, s, d, size, mode in itertools.product(
        (1, 3), (1, 2, 3), (1, 2), (1, 3), ("NOTSET", "SAME_UPPER", "SAME_LOWER")
    ):
        w = rng.integers(1, 9, (1, 1, k)).astype("float32")
        x = rng.integers(1, 9, (1, 1, size)).astype("float32")
        k_eff = (k - 1) * d + 1
        for op in range(s):
            full = (size - 1) * s + k_eff + op
            for target in range(max(full - 1, 0), (size - 1) * s + k_eff + s + 1):
                ORACLE_COUNTS["onnxruntime ConvTranspose output_shape past the full output"] += 1
                attributes: dict[str, Any] = {
                    "kernel_shape": [k],
                    "strides": [s],
                    "dilations": [d],
                    "output_padding": [op],
                    "output_shape": [target],
                    "auto_pad": mode,
                }
                got = _run(ort, "ConvTranspose", x, w, **attributes)
                args = (size, k, s, mode, (0, 0), op, d, target)
                ours = _ours(ox.conv_transpose_output_length, *args)
                case = f"I={size} k={k} s={s} d={d} op={op} {mode} O={target}"
                if got is None or ours is None:
                    if (got is None) != (ours is None):
                        theirs = None if got is None else got.shape
                        mismatches.append(f"{case}: convshape {ours}, onnxruntime {theirs}")
                    continue
                crop = ox.conv_transpose_pads(*args)
                expected = transpose_cropped(
                    x.ravel().tolist(), w.ravel().tolist(), s, d, crop.before, ours
                )
                if got.shape[-1] != ours or got.ravel().tolist() != expected:
                    mismatches.append(f"{case}: {ours} crop {crop}, ORT {got.ravel().tolist()}")
    assert mismatches == []


def test_conv_transpose_output_shape_bound_in_the_error() -> None:
    assert ox.conv_transpose_output_length(3, 3, stride=2, output_shape=8) == 8
    assert ox.conv_transpose_pads(3, 3, stride=2, output_shape=8) == (0, -1)
    for target in (0, 9):
        with pytest.raises(cs.ConvShapeError, match=r"between 1 and .* longest=8") as error:
            ox.conv_transpose_output_length(3, 3, stride=2, output_shape=target)
        assert error.value.argument == "output_shape"
    huge = 10**5000  # refused as no framework's int64 holds it, without formatting it
    with pytest.raises(cs.ConvShapeError, match=r"must fit in int64.*<int of 5001 digits>"):
        ox.conv_transpose_output_length(huge, 3, output_shape=huge + 3)


@pytest.mark.parametrize("op", ["LpPool", "MaxPool", "AveragePool"])
def test_pools_match_onnx_runtime_with_pads_up_to_the_kernel(ort: Any, op: str) -> None:
    """LpPool's lengths (as AveragePool's), and every pool refusing pads >= the kernel."""
    mismatches = []
    modes = ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")
    for k, s, d, mode, ceil in itertools.product((1, 2, 3), (1, 2, 3), (1, 2), modes, (0, 1)):
        pad_grid = [(0, 0), (1, 0), (0, 2), (3, 3)] if mode == "NOTSET" else [(0, 0)]
        for pads in pad_grid:
            for size in (1, 2, 5):
                ORACLE_COUNTS[f"onnxruntime {op} (lengths, pads vs kernel)"] += 1
                attributes: dict[str, Any] = {
                    "kernel_shape": [k],
                    "strides": [s],
                    "dilations": [d],
                    "auto_pad": mode,
                    "ceil_mode": ceil,
                }
                if op == "LpPool":
                    attributes["p"] = 2
                if mode == "NOTSET":
                    attributes["pads"] = list(pads)
                got = _run(ort, op, np.ones((1, 1, size), "float32"), **attributes)
                ours = _ours(ox.pool_output_length, size, k, s, mode, pads, d, bool(ceil), op)
                if op == "LpPool":
                    lp = _ours(ox.lp_pool_output_length, size, k, s, mode, pads, d, bool(ceil))
                    assert lp == ours
                theirs = None if got is None else got.shape[-1]
                if ours != theirs:
                    mismatches.append(
                        f"I={size} k={k} s={s} d={d} {mode} pads={pads} ceil={ceil}: "
                        f"{ours} != onnxruntime {theirs}"
                    )
    assert mismatches == []


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
def test_global_pools_match_onnx_runtime(ort: Any, op: str) -> None:
    mismatches = []
    shapes = [(1, 3), (2, 3, 4), (1, 1, 5, 6), (1, 2, 3, 4, 5), (0, 3, 4), (1, 0, 4)]
    shapes += [(1, 3, 0), (1, 3, 0, 2), (2, 2, 2, 2, 2, 2)]
    for shape in shapes:
        ORACLE_COUNTS[f"onnxruntime {op} (shapes)"] += 1
        got = _run(ort, op, np.ones(shape, "float32"))
        ours = _ours(ox.global_pool_output_shape, shape)
        theirs = None if got is None else got.shape
        if ours != theirs:
            mismatches.append(f"{shape}: {ours} != onnxruntime {theirs}")
    assert mismatches == []


def test_global_pool_output_shape_rejects() -> None:
    assert ox.global_pool_output_shape([None, 4, 9, 9]) == (None, 4, 1, 1)
    with pytest.raises(cs.ConvShapeError, match="one to three spatial"):
        ox.global_pool_output_shape((1, 3))
    with pytest.raises(cs.ConvShapeError, match="only the batch"):
        ox.global_pool_output_shape((1, None, 4))
    with pytest.raises(TypeError, match="input_shape"):
        ox.global_pool_output_shape(5)

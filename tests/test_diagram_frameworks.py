"""Explanation diagrams against the real frameworks: what each window reads, which inputs
no window reads, where each input's kernel copy lands and what the crop removes, as the
text diagram shows them (read back by ``tests.test_diagram.read``), compared with
PyTorch, Keras (TensorFlow) and JAX on one-hot inputs.

A batch of one-hot inputs (the identity) through a convolution with a kernel of ones
shows, in output ``j`` of batch row ``p``, whether window ``j`` reads input ``p``; a max
pooling gives 1 where the window holds the one, an average pooling a positive share.
Through a transposed convolution the row of input ``i`` is non-zero exactly where its
kernel copy lands and the crop keeps it; with no padding (PyTorch's ``padding=0``) it
shows the full output, before any crop.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

import convshape as cs
from tests.oracles import ORACLE_COUNTS, oracle
from tests.test_diagram import Reading, read

#: What a framework shows, one set per window (or input): the 1-based positions read (or
#: reached), or None when it refuses the configuration.
Seen = list[set[int]] | None


def _nonzero_rows(values: Any) -> list[set[int]]:
    """For a (batch, length) array: per column, the batch rows that are positive (a window
    of padding alone gives 0, or -inf in a max pooling); forward,
    callers transpose for the transposed convolution."""
    rows, columns = values.shape
    return [{p + 1 for p in range(rows) if values[p, j] > 0} for j in range(columns)]


def _drawn_reads(reading: Reading) -> dict[int, set[int]]:
    return {j: {int(label) for label in reading.under(j) if label.isdigit()} for j in reading.bars}


def _compare_forward(
    shown: str, explanation: cs.Explanation, reads: list[set[int]], size: int
) -> list[str] | None:
    if " ... " in explanation.diagram[1]:
        return None  # the long diagrams' ends: tests/test_diagram.py
    reading = read(explanation.diagram)
    wrong = []
    if len(reading.bars) + reading.left_out != len(reads):
        wrong.append(f"{len(reading.bars)} + {reading.left_out} windows != {len(reads)}")
    for j, drawn in _drawn_reads(reading).items():
        if drawn != reads[j - 1]:
            wrong.append(f"window {j} reads {sorted(drawn)} != {sorted(reads[j - 1])}")
    shown_inputs = {int(label) for label in reading.ruler if label.isdigit()}
    removed = set(range(1, size + 1)) - shown_inputs
    unread = {int(label) for label in reading.marked("never read")} | removed
    never = set(range(1, size + 1)) - set().union(*reads)
    if unread != never:
        wrong.append(f"never read {sorted(unread)} != {sorted(never)}")
    return [f"{shown}: {w}" for w in wrong]


def _compare_transposed(
    shown: str, explanation: cs.Explanation, kept: list[set[int]], full: list[set[int]]
) -> list[str] | None:
    """``kept[i]``: the output positions input ``i + 1`` reaches; ``full[i]``: the positions
    of the full (uncropped) output it reaches."""
    if " ... " in explanation.diagram[1]:
        return None  # the long diagrams' ends: tests/test_diagram.py
    reading = read(explanation.diagram)
    output = reading.rows["output"]
    wrong = []
    if len(reading.bars) + reading.left_out != len(kept):
        wrong.append(f"{len(reading.bars)} + {reading.left_out} copies != {len(kept)}")
    for i, marks in reading.bars.items():
        lands = [c for c, mark in enumerate(marks) if mark == "="]
        on_full = {int(reading.ruler[c]) for c in lands}
        on_output = {int(output[c]) for c in lands if output[c] != "x"}
        if on_full != full[i - 1]:
            wrong.append(f"input {i} lands on {sorted(on_full)} != {sorted(full[i - 1])}")
        if on_output != kept[i - 1]:
            wrong.append(f"input {i} reaches {sorted(on_output)} != {sorted(kept[i - 1])}")
    length = sum(label.isdigit() for label in output)
    silent = {int(label) for label in reading.marked("no input")}
    reached = set().union(*kept)
    if silent != set(range(1, length + 1)) - reached:
        wrong.append(f"no input {sorted(silent)} != {sorted(set(range(1, length + 1)) - reached)}")
    return [f"{shown}: {w}" for w in wrong]


def _tally(mismatches: list[str], found: list[str] | None) -> int:
    """Adds what a comparison found; 1 when it compared (the diagram was drawn whole)."""
    if found is None:
        return 0
    mismatches += found
    return 1


# ---------------------------------------------------------------------------------------
# PyTorch


@pytest.fixture(scope="module")
def torch() -> Iterator[Any]:
    module = oracle("torch")
    threads = module.get_num_threads()
    module.set_num_threads(1)  # hundreds of tiny calls: threads only cost
    yield module
    module.set_num_threads(threads)


def _torch_forward(torch: Any, function: Callable[..., Any], size: int, *args: Any) -> Seen:
    eye = torch.eye(size).reshape(size, 1, size)
    try:
        values = function(eye, *args)[:, 0, :]
    except (RuntimeError, ValueError):
        return None
    return _nonzero_rows(values.numpy())


def test_torch_windows_read_what_the_diagram_draws(torch: Any) -> None:
    functional = torch.nn.functional
    mismatches: list[str] = []
    compared = 0
    for size, k, s, d, p in itertools.product(
        (1, 2, 5, 8), (1, 2, 3), (1, 2, 3, 4), (1, 2), (0, 1)
    ):
        ones = torch.ones((1, 1, k))
        pool = partial(cs.explain_pool, size, k, s, p, framework="torch")
        runs: list[tuple[str, Seen, Callable[[], cs.Explanation]]] = [
            (
                "conv1d",
                _torch_forward(torch, functional.conv1d, size, ones, None, s, p, d),
                partial(cs.explain_conv, size, k, s, p, d, framework="torch"),
            )
        ]
        if 2 * p <= k:
            for ceil in (False, True):
                runs.append(
                    (
                        f"max_pool1d ceil_mode={ceil}",
                        _torch_forward(torch, functional.max_pool1d, size, k, s, p, d, ceil),
                        partial(pool, ceil_mode=ceil, dilation=d),
                    )
                )
                if d == 1:
                    runs.append(
                        (
                            f"avg_pool1d ceil_mode={ceil}",
                            _torch_forward(torch, functional.avg_pool1d, size, k, s, p, ceil),
                            partial(pool, ceil_mode=ceil, kind="average"),
                        )
                    )
        for name, reads, explain in runs:
            if reads is None or not reads:
                continue
            shown = f"{name} I={size} k={k} s={s} p={p} d={d}"
            compared += _tally(mismatches, _compare_forward(shown, explain(), reads, size))
    ORACLE_COUNTS["torch diagrams (forward)"] += compared
    assert mismatches == []
    assert compared > 400


def test_torch_average_pooling_notes_say_what_it_divides_by(torch: Any) -> None:
    """A ceil_mode window reaching past the end: PyTorch averages over the padding it
    covers but not over the positions past the end, as the note says."""
    average = torch.nn.functional.avg_pool1d
    padded = average(torch.ones((1, 1, 8)), 3, 2, 1, ceil_mode=True)[0, 0, -1].item()
    assert padded == 1 / 2  # one input, one padding position: not the one past the end
    note = cs.explain_pool(8, 3, 2, 1, framework="torch", ceil_mode=True, kind="average").notes
    assert note == (
        "AvgPool counts the zero padding in the average, but not the positions past the end "
        "(count_include_pad=True, the default).",
    )
    unpadded = average(torch.ones((1, 1, 9)), 2, 2, 0, ceil_mode=True)[0, 0, -1].item()
    assert unpadded == 1  # the one input position alone
    note = cs.explain_pool(9, 2, 2, 0, framework="torch", ceil_mode=True, kind="average").notes
    assert note == ("AvgPool divides by the window's positions up to the end of the input only.",)


def _torch_transposed(torch: Any, size: int, k: int, s: int, p: int, op: int, d: int) -> Seen:
    eye = torch.eye(size).reshape(size, 1, size)
    ones = torch.ones((1, 1, k))
    try:
        values = torch.nn.functional.conv_transpose1d(eye, ones, None, s, p, op, 1, d)[:, 0, :]
    except (RuntimeError, ValueError):
        return None
    if not values.shape[-1]:  # PyTorch returns an empty output that convshape refuses
        return None
    return [set(row) for row in _nonzero_rows(values.numpy().T)]


def test_torch_kernel_copies_land_where_the_diagram_draws(torch: Any) -> None:
    mismatches: list[str] = []
    compared = 0
    for size, k, s, d in itertools.product((1, 2, 5), (1, 2, 3, 4), (1, 2, 3, 4), (1, 2)):
        full = _torch_transposed(torch, size, k, s, 0, 0, d)
        assert full is not None
        for p, op in itertools.product((0, 1, 2), range(max(s, d))):
            kept = _torch_transposed(torch, size, k, s, p, op, d)
            if kept is None:
                continue
            explanation = cs.explain_conv_transpose(size, k, s, p, op, d, framework="torch")
            shown = f"conv_transpose1d I={size} k={k} s={s} p={p} op={op} d={d}"
            compared += _tally(mismatches, _compare_transposed(shown, explanation, kept, full))
    ORACLE_COUNTS["torch diagrams (transposed)"] += compared
    assert mismatches == []
    assert compared > 150


# ---------------------------------------------------------------------------------------
# Keras


def _keras_run(keras: Any, layer: Any, size: int) -> Any:
    import numpy as np

    eye = np.eye(size, dtype="float32").reshape(size, size, 1)
    try:
        return np.asarray(layer(eye))[:, :, 0]
    except Exception:  # TensorFlow refuses the configuration
        return None


def test_keras_windows_and_kernel_copies(torch: Any) -> None:
    keras = oracle("keras")
    mismatches: list[str] = []
    compared = 0
    for size, k, s in itertools.product((3, 7), (1, 2, 3), (1, 2, 3)):
        for padding, d in itertools.product(("valid", "same", "causal"), (1, 2)):
            if s > 1 and d > 1:  # Keras refuses strides > 1 with dilation > 1
                continue
            layer = keras.layers.Conv1D(
                1, k, s, padding, dilation_rate=d, use_bias=False, kernel_initializer="ones"
            )
            values = _keras_run(keras, layer, size)
            if values is None or not values.shape[1]:
                continue
            explanation = cs.explain_conv(size, k, s, padding, d)
            shown = f"Conv1D I={size} k={k} s={s} {padding} d={d}"
            compared += _tally(
                mismatches, _compare_forward(shown, explanation, _nonzero_rows(values), size)
            )
        for padding, kind in itertools.product(("valid", "same"), ("max", "average")):
            if padding == "valid" and k > size:  # TensorFlow crashes (SIGFPE) on an empty pool
                continue
            pooling = keras.layers.MaxPooling1D if kind == "max" else keras.layers.AveragePooling1D
            values = _keras_run(keras, pooling(k, s, padding), size)
            if values is None or not values.shape[1]:
                continue
            explanation = cs.explain_pool(size, k, s, padding, kind=kind)
            shown = f"{kind} pooling I={size} k={k} s={s} {padding}"
            compared += _tally(
                mismatches, _compare_forward(shown, explanation, _nonzero_rows(values), size)
            )
        for padding, op in (("same", None), ("valid", None), ("valid", 0), ("same", 1)):
            if op is not None and op >= s:
                continue
            layer = keras.layers.Conv1DTranspose(
                1, k, s, padding, output_padding=op, use_bias=False, kernel_initializer="ones"
            )
            values = _keras_run(keras, layer, size)
            if values is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cs.ConvShapeWarning)
                explanation = cs.explain_conv_transpose(size, k, s, padding, op)
            full = _torch_transposed(torch, size, k, s, 0, 0, 1)
            assert full is not None
            kept = [set(row) for row in _nonzero_rows(values.T)]
            shown = f"Conv1DTranspose I={size} k={k} s={s} {padding} output_padding={op}"
            compared += _tally(mismatches, _compare_transposed(shown, explanation, kept, full))
    ORACLE_COUNTS["keras diagrams"] += compared
    assert mismatches == []
    assert compared > 100


# ---------------------------------------------------------------------------------------
# JAX: negative padding removes inputs, SAME_LOWER puts the odd zero first


def test_jax_windows_with_negative_and_lower_padding() -> None:
    jax = oracle("jax")
    import numpy as np

    mismatches: list[str] = []
    compared = 0
    # Each configuration compiles: a small grid, every padding kind on it.
    for size, k, s, d in itertools.product((7,), (3,), (1, 3), (1, 2)):
        eye = np.eye(size, dtype="float32").reshape(size, 1, size)
        for padding in ((-1, 0), (0, -2), (2, -1), (1, 2), "SAME_LOWER"):
            lax_padding = padding if isinstance(padding, str) else [padding]
            try:
                values = jax.lax.conv_general_dilated(
                    eye, np.ones((1, 1, k), "float32"), (s,), lax_padding, rhs_dilation=(d,)
                )
            except (ValueError, TypeError):
                continue
            reads = _nonzero_rows(np.asarray(values)[:, 0, :])
            if not reads:
                continue
            explanation = cs.explain_conv(size, k, s, padding, d, framework="jax")
            shown = f"conv_general_dilated I={size} k={k} s={s} {padding} d={d}"
            compared += _tally(mismatches, _compare_forward(shown, explanation, reads, size))
    ORACLE_COUNTS["jax diagrams"] += compared
    assert mismatches == []
    assert compared > 15


# ---------------------------------------------------------------------------------------
# ONNX Runtime: SAME_LOWER crops the odd element at the start, pads and output_padding


def _ort_run(ort: Any, op: str, size: int, k: int, s: int, attributes: dict[str, Any]) -> Any:
    """``op`` (ConvTranspose with a kernel of ones, or a pooling) on one-hot inputs."""
    import numpy as np

    onnx = oracle("onnx")
    helper = onnx.helper
    inputs, weights = ["X"], []
    if op == "ConvTranspose":
        inputs.append("W")
        weights.append(onnx.numpy_helper.from_array(np.ones((1, 1, k), "float32"), "W"))
    node = helper.make_node(op, inputs, ["Y"], kernel_shape=[k], strides=[s], **attributes)
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, [size, 1, size])],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    eye = np.eye(size, dtype="float32").reshape(size, 1, size)
    return session.run(None, {"X": eye})[0][:, 0, :]


def test_onnx_runtime_kernel_copies_and_crops(torch: Any) -> None:
    ort = oracle("onnxruntime")
    paddings: list[tuple[Any, dict[str, Any]]] = [
        ("SAME_UPPER", {"auto_pad": "SAME_UPPER"}),
        ("SAME_LOWER", {"auto_pad": "SAME_LOWER"}),
        ((1, 2), {"pads": [1, 2]}),
    ]
    mismatches: list[str] = []
    compared = 0
    for size, k, s, (padding, attributes), op in itertools.product(
        (3, 5), (2, 3, 4), (2, 3), paddings, (0, 1)
    ):
        values = _ort_run(ort, "ConvTranspose", size, k, s, {**attributes, "output_padding": [op]})
        if not values.shape[1]:
            continue
        kept = [set(row) for row in _nonzero_rows(values.T)]
        full = _torch_transposed(torch, size, k, s, 0, 0, 1)
        assert full is not None
        explanation = cs.explain_conv_transpose(size, k, s, padding, op, framework="onnx")
        shown = f"ConvTranspose I={size} k={k} s={s} {padding} output_padding={op}"
        compared += _tally(mismatches, _compare_transposed(shown, explanation, kept, full))
    ORACLE_COUNTS["onnxruntime diagrams"] += compared
    assert mismatches == []
    assert compared > 50


def test_onnx_runtime_pooling_windows() -> None:
    """SAME_LOWER and SAME_UPPER split the padding as the diagram draws it, with ceil_mode
    and dilation."""
    ort = oracle("onnxruntime")
    mismatches: list[str] = []
    compared = 0
    for size, k, s, d, auto_pad, ceil in itertools.product(
        (4, 7), (2, 3), (1, 2, 3), (1, 2), ("SAME_LOWER", "SAME_UPPER"), (0, 1)
    ):
        attributes = {"auto_pad": auto_pad, "ceil_mode": ceil, "dilations": [d]}
        values = _ort_run(ort, "MaxPool", size, k, s, attributes)
        explanation = cs.explain_pool(
            size, k, s, auto_pad, framework="onnx", ceil_mode=bool(ceil), dilation=d
        )
        shown = f"MaxPool I={size} k={k} s={s} d={d} {auto_pad} ceil_mode={ceil}"
        found = _compare_forward(shown, explanation, _nonzero_rows(values), size)
        compared += _tally(mismatches, found)
    ORACLE_COUNTS["onnxruntime diagrams"] += compared
    assert mismatches == []
    assert compared > 80

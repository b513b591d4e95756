"""Explanations follow the framework that computes the answer: the number an explanation
ends on equals what convshape's function for that framework returns (over grids), and what
the real framework produces on tensors (PyTorch, JAX's lax, ONNX Runtime) for a sample."""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

import convshape as cs
from convshape import jax as jx
from convshape import onnx as ox
from convshape import torch as pt
from convshape.torch import functional as ptf
from tests.oracles import ORACLE_COUNTS, oracle

#: A case: the explanation's thunk, the library's thunk, and how to show it.
Case = tuple[Callable[[], cs.Explanation], Callable[[], int | None], str]

SIZES = (1, 2, 3, 5, 8, 13)
KERNELS = (1, 2, 3, 5)
STRIDES = (1, 2, 3)
DILATIONS = (1, 2)


def final_number(explanation: cs.Explanation) -> int:
    """The number the explanation's last step arrives at (its last number)."""
    found = re.search(r"(-?\d+)\D*$", explanation.steps[-1])
    assert found, explanation.steps[-1]
    return int(found.group(1))


def _outcome(thunk: Callable[[], Any]) -> tuple[str, Any]:
    """The result, or the kind of error; Keras's warnings about TensorFlow are not the
    point here (tests/test_explain_check.py has them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        try:
            return "ok", thunk()
        except (cs.ConvShapeError, TypeError) as error:
            return "error", type(error).__name__


def _case(
    explain: Callable[..., cs.Explanation],
    explain_args: tuple[Any, ...],
    explain_kwargs: dict[str, Any],
    compute: Callable[..., int | None],
    compute_args: tuple[Any, ...],
    shown: str,
) -> Case:
    return (
        partial(explain, *explain_args, **explain_kwargs),
        partial(compute, *compute_args),
        f"{shown} {explain_args} {explain_kwargs}",
    )


ONNX_PADDINGS: list[tuple[Any, tuple[str, tuple[int, int]]]] = [
    ("VALID", ("VALID", (0, 0))),
    ("SAME_UPPER", ("SAME_UPPER", (0, 0))),
    ("SAME_LOWER", ("SAME_LOWER", (0, 0))),
    ((1, 0), ("NOTSET", (1, 0))),
    (2, ("NOTSET", (2, 2))),
]


def _conv_cases() -> Iterator[Case]:
    for size, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        for padding in ("valid", "same", "causal", "full", 1, (1, 2)):
            args = (size, k, s, padding, d)
            yield _case(cs.explain_conv, args, {}, cs.conv_output_length, args, "keras")
        for padding in (0, 1, 2, "valid", "same"):
            args = (size, k, s, padding, d)
            torch = {"framework": "torch"}
            yield _case(cs.explain_conv, args, torch, pt.conv_output_length, args, "torch")
        for padding in ("SAME", "SAME_LOWER", "VALID", (1, 2), (-1, 0), (0, -2)):
            args = (size, k, s, padding, d)
            lax_args = (size, k, s, padding, 1, d)
            jax = {"framework": "jax"}
            yield _case(cs.explain_conv, args, jax, jx.conv_output_length, lax_args, "jax")
        for padding, (auto_pad, pads) in ONNX_PADDINGS:
            args = (size, k, s, padding, d)
            ort_args = (size, k, s, auto_pad, pads, d)
            onnx = {"framework": "onnx"}
            yield _case(cs.explain_conv, args, onnx, ox.conv_output_length, ort_args, "onnx")


def _transpose_cases() -> Iterator[Case]:
    explain = cs.explain_conv_transpose
    for size, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        for padding, op in itertools.product(("valid", "same", "full", 1), (None, 0, 1)):
            args = (size, k, s, padding, op, d)
            yield _case(explain, args, {}, cs.conv_transpose_output_length, args, "keras")
        for padding, op in itertools.product((0, 1, 2), (None, 0, 1, 2)):
            args = (size, k, s, padding, op, d)
            torch_args = (size, k, s, padding, op or 0, d)
            torch = {"framework": "torch"}
            torch_length: Callable[..., int | None] = pt.conv_transpose_output_length
            yield _case(explain, args, torch, torch_length, torch_args, "torch")
        for padding in ("SAME", "VALID", (1, 2), (0, 0), (4, 1)):
            args = (size, k, s, padding, None, d)
            lax_args = (size, k, s, padding, d)
            jax = {"framework": "jax"}
            lax_length: Callable[..., int | None] = jx.conv_transpose_output_length
            yield _case(explain, args, jax, lax_length, lax_args, "jax")
        for (padding, (auto_pad, pads)), op in itertools.product(ONNX_PADDINGS, (0, 1)):
            args = (size, k, s, padding, op, d)
            ort_args = (size, k, s, auto_pad, pads, op, d)
            onnx = {"framework": "onnx"}
            ort_length: Callable[..., int | None] = ox.conv_transpose_output_length
            yield _case(explain, args, onnx, ort_length, ort_args, "onnx")


def _pool_cases() -> Iterator[Case]:
    explain = cs.explain_pool
    for size, k, strides in itertools.product(SIZES, KERNELS, (None, *STRIDES)):
        for padding, kind in itertools.product(("valid", "same"), ("max", "average")):
            args: tuple[Any, ...] = (size, k, strides, padding)
            keras_args = (size, k, strides or k, padding)
            yield _case(explain, args, {"kind": kind}, cs.conv_output_length, keras_args, "keras")
        for p, d, ceil, kind in itertools.product(
            (0, 1, 2), DILATIONS, (False, True), ("max", "average")
        ):
            if kind == "average" and d != 1:
                continue
            args = (size, k, strides, p)
            options = {"framework": "torch", "ceil_mode": ceil, "dilation": d, "kind": kind}
            torch_args = (size, k, strides, p, d, ceil)
            yield _case(explain, args, options, ptf.pool_output_length, torch_args, "torch")
        for (padding, (auto_pad, pads)), d, ceil, kind in itertools.product(
            ONNX_PADDINGS, DILATIONS, (False, True), ("max", "average")
        ):
            args = (size, k, strides, padding)
            options = {"framework": "onnx", "ceil_mode": ceil, "dilation": d, "kind": kind}
            op = "MaxPool" if kind == "max" else "AveragePool"
            ort_args = (size, k, strides or 1, auto_pad, pads, d, ceil, op)
            yield _case(explain, args, options, ox.pool_output_length, ort_args, "onnx")


GRIDS = {"conv": _conv_cases, "conv_transpose": _transpose_cases, "pool": _pool_cases}


@pytest.mark.parametrize("grid", sorted(GRIDS))
def test_final_number_is_the_frameworks_answer(grid: str) -> None:
    """Every explanation ends on the number convshape's function for that framework
    returns, and refuses exactly what that function refuses."""
    mismatches, explained = [], 0
    for explain, compute, shown in GRIDS[grid]():
        expected = _outcome(compute)
        got = _outcome(explain)
        if got[0] == "ok":
            explained += 1
            got = ("ok", final_number(got[1]))
        if got != expected:
            mismatches.append(f"{shown}: explanation {got} != library {expected}")
    assert mismatches == []
    assert explained > 300


def test_a_wrong_final_number_fails() -> None:
    """The check above reads the number the text ends on, not the library's answer again."""
    explanation = cs.explain_pool(8, 3, 2, 0, framework="torch", ceil_mode=True)
    assert final_number(explanation) == 4 == ptf.pool_output_length(8, 3, 2, 0, ceil_mode=True)
    wrong = cs.Explanation(explanation.title, (*explanation.steps[:-1], "Output: 3."))
    assert final_number(wrong) != ptf.pool_output_length(8, 3, 2, 0, ceil_mode=True)


def test_the_issue_example_explains_torch_ceil_mode() -> None:
    text = str(cs.explain_pool(8, 3, 2, 0, framework="torch", ceil_mode=True))
    assert text.startswith(
        "Max pooling (PyTorch): size 8, kernel_size 3, stride 2, padding 0, ceil_mode True"
    )
    assert "Windows with ceil_mode: ceil((8 - 3) / 2) + 1 = 4." in text
    assert "Convolution" not in text
    assert "dilation" not in text
    dropped = cs.explain_pool(6, 2, 2, 1, framework="torch", ceil_mode=False)
    assert final_number(dropped) == 4
    last = cs.explain_pool(5, 2, 2, 1, framework="torch", ceil_mode=True)
    assert "in the right padding (at or past 5 + 1 = 6): it is dropped" in last.steps[-1]
    assert final_number(last) == 3 == ptf.pool_output_length(5, 2, 2, 1, ceil_mode=True)


@pytest.mark.parametrize(
    ("explanation", "heading"),
    [
        (lambda: cs.explain_conv(8, 3), "Convolution (Keras/TensorFlow): size 8"),
        (lambda: cs.explain_conv(8, 3, framework="torch"), "Convolution (PyTorch): size 8"),
        (lambda: cs.explain_conv(8, 3, framework="jax"), "Convolution (JAX): size 8"),
        (lambda: cs.explain_conv(8, 3, framework="onnx"), "Convolution (ONNX): size 8"),
        (
            lambda: cs.explain_conv_transpose(8, 3, framework="jax"),
            "Transposed convolution (JAX): size 8",
        ),
        (lambda: cs.explain_pool(8, 2, kind="average"), "Average pooling (Keras/TensorFlow)"),
        (
            lambda: cs.explain_pool(8, 3, framework="torch", dilation=2),
            "Max pooling (PyTorch): size 8, kernel_size 3, stride 3, padding 0, dilation 2, "
            "ceil_mode False",
        ),
        (
            lambda: cs.explain_pool(8, 3, padding=(1, 0), framework="onnx"),
            "Max pooling (ONNX): size 8, kernel_shape 3, strides 1, auto_pad 'NOTSET', "
            "pads (1, 0), ceil_mode False",
        ),
    ],
    ids=["keras", "torch", "jax", "onnx", "jax-transpose", "keras-pool", "torch-pool", "onnx-pool"],
)
def test_headings_name_the_framework(
    explanation: Callable[[], cs.Explanation], heading: str
) -> None:
    assert explanation().title.startswith(heading)


@pytest.mark.parametrize(
    ("thunk", "match"),
    [
        (
            lambda: cs.explain_pool(8, 2, framework="jax", ceil_mode=True),
            "`ceil_mode` is not taken by JAX: lax.reduce_window has no ceil_mode",
        ),
        (lambda: cs.explain_conv(8, 2, framework="tf"), "`framework` must be 'keras', 'torch'"),
        (lambda: cs.explain_pool(8, 2, ceil_mode=True), "Keras poolings have no `ceil_mode`"),
        (lambda: cs.explain_pool(8, 2, dilation=2), "Keras poolings have no `ceil_mode`"),
        (lambda: cs.explain_pool(8, 2, padding=1), "`padding` of a Keras pooling must be"),
        (lambda: cs.explain_pool(8, 2, kind="min"), "`kind` must be one of 'max', 'average'"),
        (
            lambda: cs.explain_pool(8, 2, framework="torch", dilation=2, kind="average"),
            "`dilation` must be 1 for average pooling",
        ),
        (
            lambda: cs.explain_conv_transpose(8, 2, 2, "SAME", 1, framework="jax"),
            "lax.conv_transpose has no output_padding",
        ),
        (lambda: cs.explain_conv(8, 2, padding="same", framework="onnx"), "`padding` for ONNX"),
        (lambda: cs.explain_conv(8, 3, 2, "same", framework="torch"), "not supported for strided"),
        (lambda: cs.explain_conv(None, 3, framework="torch"), "`size` must be known"),  # type: ignore[arg-type]
    ],
    ids=[
        "jax-pool-ceil",
        "unknown-framework",
        "keras-ceil",
        "keras-dilation",
        "keras-int-padding",
        "kind",
        "torch-avg-dilation",
        "jax-output-padding",
        "onnx-same",
        "torch-strided-same",
        "unknown-size",
    ],
)
def test_refused_arguments(thunk: Callable[[], Any], match: str) -> None:
    with pytest.raises(cs.ConvShapeError, match=match):
        thunk()


def test_huge_values_stay_cheap() -> None:
    big = 10**17
    assert final_number(cs.explain_pool(big, 3, 2, 1, framework="torch", ceil_mode=True)) == (
        ptf.pool_output_length(big, 3, 2, 1, ceil_mode=True)
    )
    assert final_number(cs.explain_conv_transpose(big, 5, 3, "SAME", framework="jax")) == 3 * big
    assert final_number(cs.explain_conv(big, big, 1, "SAME_LOWER", framework="onnx")) == big


# ---------------------------------------------------------------------------------------
# The real frameworks, on tensors.


#: A run on the real framework (None when it refuses), the explanation, and how to show it.
Run = tuple[Callable[[], int | None], Callable[[], cs.Explanation], str]


def _compare(runs: list[Run], oracle_name: str) -> tuple[list[str], int]:
    """The runs whose explanation ends on another number than the framework's (or explains
    what the framework refuses, or refuses what it runs), and how many ran."""
    mismatches, compared = [], 0
    for run, explain, shown in runs:
        ORACLE_COUNTS[f"{oracle_name} {shown.split()[0]} (explanations)"] += 1
        theirs = run()
        ours = _outcome(explain)
        mine = final_number(ours[1]) if ours[0] == "ok" else None
        compared += theirs is not None
        if mine != theirs:
            mismatches.append(f"{shown}: explanation {mine} != {oracle_name} {theirs}")
    return mismatches, compared


def _torch_runs(torch: Any) -> Iterator[Run]:
    functional = torch.nn.functional
    for size, k, s in itertools.product((1, 3, 5, 8, 13), (1, 2, 3, 5), (1, 2, 3)):
        x, weight = torch.ones((1, 1, size)), torch.ones((1, 1, k))
        for p, d, ceil in itertools.product((0, 1, 2), (1, 2), (False, True)):
            if 2 * p > k:  # PyTorch's own check, before any shape
                continue
            shown = f"I={size} k={k} s={s} p={p} d={d} ceil_mode={ceil}"
            yield (
                partial(_torch_length, functional.max_pool1d, x, k, s, p, d, ceil_mode=ceil),
                partial(
                    cs.explain_pool, size, k, s, p, framework="torch", ceil_mode=ceil, dilation=d
                ),
                f"max_pool1d {shown}",
            )
            if d == 1:
                yield (
                    partial(_torch_length, functional.avg_pool1d, x, k, s, p, ceil_mode=ceil),
                    partial(
                        cs.explain_pool,
                        *(size, k, s, p),
                        framework="torch",
                        ceil_mode=ceil,
                        kind="average",
                    ),
                    f"avg_pool1d {shown}",
                )
            if ceil:
                continue
            yield (
                partial(_torch_length, functional.conv1d, x, weight, None, s, p, d),
                partial(cs.explain_conv, size, k, s, p, d, framework="torch"),
                f"conv1d {shown}",
            )
            for op in range(max(s, d)):
                yield (
                    partial(
                        _torch_length, functional.conv_transpose1d, x, weight, None, s, p, op, 1, d
                    ),
                    partial(cs.explain_conv_transpose, size, k, s, p, op, d, framework="torch"),
                    f"conv_transpose1d {shown} output_padding={op}",
                )


def test_torch_explanations_match_pytorch() -> None:
    mismatches, compared = _compare(list(_torch_runs(oracle("torch"))), "torch")
    assert mismatches == []
    assert compared > 1000


def _torch_length(function: Callable[..., Any], *args: Any, **kwargs: Any) -> int | None:
    try:
        length: int = function(*args, **kwargs).shape[-1]
    except (RuntimeError, ValueError):  # PyTorch refuses the configuration
        return None
    return length


def _lax_length(function: Callable[..., Any], *args: Any, **kwargs: Any) -> int | None:
    try:
        length: int = function(*args, **kwargs).shape[-1]
    except (ValueError, TypeError):  # lax refuses the configuration
        return None
    return length


def _lax_runs(jax: Any) -> Iterator[Run]:
    lax, jnp = jax.lax, jax.numpy
    for size, k, s, d in itertools.product((1, 3, 5, 8), (1, 2, 3, 5), (1, 2, 3), (1, 2)):
        x, kernel = jnp.ones((1, 1, size)), jnp.ones((1, 1, k))
        shown = f"I={size} k={k} s={s} d={d}"
        for padding in ("SAME", "SAME_LOWER", "VALID", (1, 2), (-1, 0)):
            lax_padding = padding if isinstance(padding, str) else [padding]
            yield (
                partial(
                    _lax_length,
                    lax.conv_general_dilated,
                    *(x, kernel, (s,), lax_padding),
                    rhs_dilation=(d,),
                ),
                partial(cs.explain_conv, size, k, s, padding, d, framework="jax"),
                f"conv_general_dilated {shown} padding={padding}",
            )
        for padding in ("SAME", "SAME_LOWER", "VALID", (1, 2), (-1, 0), (-2, -3)):
            yield (
                # The shape only (eval_shape): XLA aborts on running a one-element window
                # that crops.
                partial(_reduce_window_length, jax, size, k, s, padding, d),
                partial(cs.explain_pool, size, k, s, padding, framework="jax", dilation=d),
                f"reduce_window {shown} padding={padding}",
            )
        for padding in ("SAME", "VALID", (1, 2), (0, 0)):
            lax_padding = padding if isinstance(padding, str) else [padding]
            yield (
                partial(
                    _lax_length,
                    lax.conv_transpose,
                    *(x, kernel.T, (s,), lax_padding),
                    rhs_dilation=(d,),
                    dimension_numbers=("NCH", "HIO", "NCH"),
                ),
                partial(cs.explain_conv_transpose, size, k, s, padding, None, d, framework="jax"),
                f"conv_transpose {shown} padding={padding}",
            )


def _reduce_window_length(jax: Any, size: int, k: int, s: int, padding: Any, d: int) -> int | None:
    pads = padding if isinstance(padding, str) else (padding,)

    def pool(data: Any) -> Any:
        return jax.lax.reduce_window(
            data, -jax.numpy.inf, jax.lax.max, (k,), (s,), pads, window_dilation=(d,)
        )

    try:
        shape = jax.eval_shape(pool, jax.ShapeDtypeStruct((size,), "float32")).shape
    except (ValueError, TypeError):  # lax refuses the configuration
        return None
    length: int = shape[-1]
    return length


def test_jax_explanations_match_lax() -> None:
    mismatches, compared = _compare(list(_lax_runs(oracle("jax"))), "jax")
    assert mismatches == []
    assert compared > 900


def test_jax_average_pooling_note_is_flax_avg_pool() -> None:
    """The note of a padded JAX average pooling says Flax's avg_pool counts the zero
    padding: on ones, a window with one padding position averages to 2/3, not 1."""
    jax, flax = oracle("jax"), oracle("flax")
    pooled = flax.linen.avg_pool(jax.numpy.ones((1, 5, 1)), (3,), strides=(1,), padding=((1, 1),))
    ORACLE_COUNTS["flax avg_pool padding counted (explanation note)"] += 1
    assert float(pooled[0, 0, 0]) == pytest.approx(2 / 3)
    assert float(pooled[0, 2, 0]) == pytest.approx(1.0)
    explained = cs.explain_pool(5, 3, 1, (1, 1), framework="jax", kind="average")
    assert explained.notes == (
        "Flax's avg_pool counts the zero padding in the average (count_include_pad=True, "
        "the default); lax.reduce_window leaves the division to you.",
    )
    assert final_number(explained) == pooled.shape[1]
    assert cs.explain_pool(5, 3, 1, "VALID", framework="jax", kind="average").notes == ()


def test_jax_pooling_defaults_heading_and_empty_output() -> None:
    """Flax's max_pool strides default to 1; the heading names a dilation only when there
    is one; an output emptied by a negative padding has no window, so no note on what a
    window does with the padding."""
    jax, flax = oracle("jax"), oracle("flax")
    pooled = flax.linen.max_pool(jax.numpy.ones((1, 10, 1)), (3,))
    ORACLE_COUNTS["flax max_pool default strides (explanation)"] += 1
    explained = cs.explain_pool(10, 3, framework="jax")
    assert final_number(explained) == pooled.shape[1] == 8
    assert explained.title == "Max pooling (JAX): size 10, kernel_size 3, stride 1, padding 'VALID'"
    dilated = cs.explain_pool(10, 3, 2, "SAME", framework="jax", dilation=2)
    assert dilated.title.endswith("padding 'SAME', dilation 2")
    for padding in ((-2, -2), (1, -4)):  # no window: 3 - 4 and 2 - 3 positions left
        emptied = cs.explain_pool(3 if padding[0] < 0 else 2, 2, 1, padding, framework="jax")
        assert final_number(emptied) == 0
        assert emptied.notes == ()


def _onnx_length(ort: Any, op: str, size: int, k: int | None, **attributes: Any) -> int | None:
    import numpy as np

    onnx = oracle("onnx")
    helper = onnx.helper
    x = np.ones((1, 1, size), "float32")
    inputs, initializers = ["X"], []
    if k is not None:
        inputs.append("W")
        initializers.append(onnx.numpy_helper.from_array(np.ones((1, 1, k), "float32"), "W"))
    graph = helper.make_graph(
        [helper.make_node(op, inputs, ["Y"], **attributes)],
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
        length: int = session.run(None, {"X": x})[0].shape[-1]
    except Exception:  # ONNX Runtime's own failures: the configuration is refused
        return None
    return length


def _onnx_runs(ort: Any) -> Iterator[Run]:
    paddings: list[tuple[Any, dict[str, Any]]] = [
        ("VALID", {"auto_pad": "VALID"}),
        ("SAME_UPPER", {"auto_pad": "SAME_UPPER"}),
        ("SAME_LOWER", {"auto_pad": "SAME_LOWER"}),
        ((1, 0), {"pads": [1, 0]}),
    ]
    for size, k, s, (padding, attributes) in itertools.product(
        (1, 3, 8), (1, 2, 3), (1, 2, 3), paddings
    ):
        geometry = {"kernel_shape": [k], "strides": [s], **attributes}
        shown = f"I={size} k={k} s={s} padding={padding}"
        yield (
            partial(_onnx_length, ort, "Conv", size, k, **geometry),
            partial(cs.explain_conv, size, k, s, padding, framework="onnx"),
            f"Conv {shown}",
        )
        yield (
            partial(_onnx_length, ort, "ConvTranspose", size, k, **geometry),
            partial(cs.explain_conv_transpose, size, k, s, padding, framework="onnx"),
            f"ConvTranspose {shown}",
        )
        for ceil, kind in itertools.product((0, 1), ("max", "average")):
            op = "MaxPool" if kind == "max" else "AveragePool"
            options: dict[str, Any] = {"framework": "onnx", "ceil_mode": bool(ceil), "kind": kind}
            yield (
                partial(_onnx_length, ort, op, size, None, ceil_mode=ceil, **geometry),
                partial(cs.explain_pool, size, k, s, padding, **options),
                f"{op} {shown} ceil_mode={ceil}",
            )


def test_onnx_explanations_match_onnx_runtime() -> None:
    mismatches, compared = _compare(list(_onnx_runs(oracle("onnxruntime"))), "onnxruntime")
    assert mismatches == []
    assert compared > 400


def test_keras_same_transpose_note_offers_only_ports_pytorch_runs() -> None:
    """The PyTorch note of an uneven Keras 'same' crop names padding/output_padding pairs
    that PyTorch runs and that give Keras's length (less the elements it says to drop):
    at stride 1 and dilation 1 PyTorch takes no output_padding of 1."""
    torch = oracle("torch")
    functional = torch.nn.functional
    checked, bad = 0, []
    for size, k, s, d in itertools.product((5, 8), (2, 3, 4, 5, 6), (1, 2, 3), (1, 2)):
        if s > 1 and d > 1:
            continue
        explanation = cs.explain_conv_transpose(size, k, s, "same", None, d)
        notes = [note for note in explanation.notes if note.startswith("PyTorch:")]
        if not notes:
            continue
        wanted = final_number(explanation)
        dropped = int(re.findall(r"drop the last (\d+)", notes[0])[0])
        pairs = [
            tuple(map(int, pair))
            for pair in re.findall(r"padding=(\d+), output_padding=(\d+)", notes[0])
        ]
        for index, (p, op) in enumerate(pairs):
            x, weight = torch.zeros(1, 1, size), torch.zeros(1, 1, k)
            try:
                got = functional.conv_transpose1d(x, weight, None, s, p, op, 1, d).shape[-1]
            except RuntimeError:
                got = None
            exact = index == len(pairs) - 1
            expected = wanted + dropped if exact else wanted
            if got != expected:
                bad.append((size, k, s, d, p, op, got, expected))
            checked += 1
    assert bad == []
    assert checked > 15

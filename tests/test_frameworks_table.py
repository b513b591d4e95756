"""convshape._frameworks: every framework under the same names and return types, each
entry equal to its framework module's public function, the functions new to a module
proven against the framework, and the cross-check that check() and translate() agree on
which PyTorch ports of a Keras transposed convolution need a crop."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import itertools
import pkgutil
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import convshape as cs
from convshape import (
    _frameworks,
    _solve_forward,
    _solve_keras,
    _solve_rank,
    _solve_space,
    _solve_torch,
    arithmetic,
    layers,
    solve,
)
from convshape import jax as jx
from convshape import onnx as ox
from convshape import torch as pt
from convshape._frameworks import FRAMEWORKS, Framework, framework
from convshape.torch._crop import needs_crop, padding_for_crop
from tests.oracles import ORACLE_COUNTS, oracle
from tests.reference import forward_gather, scatter_full, transpose_cropped

RNG = np.random.default_rng(16)

FIELDS = (
    "name",
    "title",
    "conv_output_length",
    "conv_padding",
    "same",
    "modes_in_capitals",
    "symmetric_padding",
    "causal",
    "strided_dilation",
    "conv_transpose_output_length",
    "output_padding",
    "output_padding_below_stride",
    "conv_transpose_crop",
    "conv_transpose_output_range",
    "pool_output_length",
    "pool_ceil_mode",
    "pool_explicit_padding",
    "solver",
)
#: The fields that hold one of the framework's rules.
RULES = (
    "conv_output_length",
    "conv_padding",
    "conv_transpose_output_length",
    "conv_transpose_crop",
    "conv_transpose_output_range",
    "pool_output_length",
)
#: The fields that say what a framework takes and how it spells it (facts, no rules).
FACTS = tuple(field for field in FIELDS[2:-1] if field not in RULES)

#: Each framework's own padding values, forward and transposed.
FORWARD_PADDINGS: dict[str, list[Any]] = {
    "keras": ["valid", "same", "causal", "full", 1, (1, 2)],
    "torch": [0, 1, 2, "valid", "same"],
    "jax": ["VALID", "SAME", "SAME_LOWER", (1, 2), (-1, 0)],
    "onnx": ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", (1, 2)],
}
TRANSPOSE_PADDINGS: dict[str, list[Any]] = {
    "keras": ["valid", "same", "full", 1, (1, 2)],
    "torch": [0, 1, 2],
    "jax": ["VALID", "SAME", (1, 2), (3, 0)],
    "onnx": ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", (1, 2)],
}
POOL_PADDINGS: dict[str, list[Any]] = {
    "keras": ["valid", "same"],
    "torch": [0, 1],
    "jax": ["VALID", "SAME", "SAME_LOWER", (1, 0)],
    "onnx": ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", (1, 0)],
}
OUTPUT_PADDINGS: dict[str, list[Any]] = {
    "keras": [None, 0, 1],
    "torch": [None, 0, 1],
    "jax": [None],
    "onnx": [None, 0, 1],
}
GRID = list(itertools.product((1, 2, 5, 8), (1, 2, 3, 4), (1, 2, 3), (1, 2)))


def _outcome(function: Callable[..., Any], *args: Any) -> Any:
    """The result, or the error's type and message (a warning, such as Keras's length that
    TensorFlow rejects, is test_arithmetic.py's business)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        try:
            return function(*args)
        except (cs.ConvShapeError, TypeError) as error:
            return (type(error), str(error))


def _onnx(padding: Any) -> tuple[Any, Any]:
    return (padding, (0, 0)) if isinstance(padding, str) else ("NOTSET", padding)


# -- the shape of the table ---------------------------------------------------------------


def test_every_framework_has_the_shared_names() -> None:
    assert sorted(FRAMEWORKS) == ["jax", "keras", "onnx", "torch"]
    for name, entry in FRAMEWORKS.items():
        assert isinstance(entry, Framework)
        assert tuple(field.name for field in dataclasses.fields(entry)) == FIELDS
        assert entry.name == name
        assert framework(name) is entry
    assert FRAMEWORKS["jax"].conv_transpose_output_range is None


def test_the_solvers_take_the_frameworks_with_a_solver() -> None:
    """The solvers find a framework's search in the table: Keras's and PyTorch's, and
    refuse the others naming the ones they take."""
    solvers = {name: entry.solver for name, entry in FRAMEWORKS.items()}
    assert [name for name, solver in solvers.items() if solver is not None] == ["keras", "torch"]
    assert all(solver is None or solver.name == name for name, solver in solvers.items())
    assert solve.FRAMEWORKS == ("keras", "torch")
    for name in ("keras", "torch"):
        for solver in (cs.solve_conv, cs.solve_conv_transpose):
            assert solver(7, 7, framework=name).problem.endswith(f"({name})")
    for name in ("jax", "onnx", "tf"):
        for solver in (cs.solve_conv, cs.solve_conv_transpose):
            with pytest.raises(cs.ConvShapeError) as error:
                solver(7, 7, framework=name)
            assert str(error.value).startswith("`framework` must be one of 'keras', 'torch'")
            assert error.value.received == {"framework": name}


def _name_comparisons(source: str) -> list[str]:
    """The comparisons in ``source`` with a framework's name (or a literal
    collection of names): a branch on the name instead of a look-up in the table."""
    names = {repr(name) for name in FRAMEWORKS}

    def names_one(part: ast.expr) -> bool:
        if isinstance(part, ast.Tuple | ast.List | ast.Set):
            return any(names_one(element) for element in part.elts)
        return ast.unparse(part) in names

    tree = ast.parse(source)
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and any(map(names_one, (node.left, *node.comparators)))
    ]


def test_no_solver_code_branches_on_a_framework_name() -> None:
    """The solvers read a framework's differences from its Search record: no comparison
    with a framework's name in their modules."""
    for module in (solve, _solve_forward, _solve_keras, _solve_rank, _solve_space, _solve_torch):
        assert _name_comparisons(inspect.getsource(module)) == [], module.__name__


def test_no_cli_code_branches_on_a_framework_name() -> None:
    """The CLI reads what a framework takes and how it spells a padding from its record
    (the facts after ``solver``): no comparison with a framework's name in its modules."""
    names = [
        info.name for info in pkgutil.iter_modules(cs.__path__) if info.name.startswith("_cli")
    ]
    assert len(names) >= 6
    for name in ["cli", *names]:
        module = importlib.import_module(f"convshape.{name}")
        assert _name_comparisons(inspect.getsource(module)) == [], name
    # What the CLI did before the table said what each framework takes:
    said = "if name in ('jax', 'onnx') or rules.name == 'keras' or 'torch' != name: pass"
    assert _name_comparisons(said) == [
        "name in ('jax', 'onnx')",
        "rules.name == 'keras'",
        "'torch' != name",
    ]


def test_the_facts_are_flags_and_names() -> None:
    """The facts the CLI reads: a bool each, and ``same`` the framework's own mode name,
    capitals where its modes are capitals."""
    for entry in FRAMEWORKS.values():
        for field in FACTS[1:]:
            assert type(getattr(entry, field)) is bool, (entry.name, field)
        assert entry.same.isupper() == entry.modes_in_capitals
        assert entry.conv_output_length(5, 3, 1, entry.same, 1) == 5
        if not entry.symmetric_padding:  # PyTorch's poolings take an int padding only
            assert entry.pool_output_length(5, 2, 2, entry.same, 1, False) == 3
        # What each flag says the framework takes, its functions take:
        valid = 0 if entry.symmetric_padding else "VALID" if entry.modes_in_capitals else "valid"
        explicit = 1 if entry.symmetric_padding else (1, 1)
        assert entry.conv_output_length(5, 3, 1, valid, 1) == 3
        ceil = _outcome(entry.pool_output_length, 5, 2, 2, valid, 1, True)
        assert (ceil == 3) is entry.pool_ceil_mode, (entry.name, ceil)
        padded = _outcome(entry.pool_output_length, 6, 2, 2, explicit, 1, False)
        assert (padded == 4) is entry.pool_explicit_padding, (entry.name, padded)
        output_padding = _outcome(entry.conv_transpose_output_length, 5, 3, 2, valid, 1, 1)
        assert (output_padding == 12) is entry.output_padding, (entry.name, output_padding)
    assert [name for name, entry in FRAMEWORKS.items() if entry.causal] == ["keras"]
    for name in ("keras", "torch"):
        solver = FRAMEWORKS[name].solver
        assert solver is not None
        assert FRAMEWORKS[name].strided_dilation is solver.strided_dilation


@pytest.mark.parametrize("name", [None, "tf", "Keras", 3])
def test_an_unknown_framework_is_refused_by_name(name: object) -> None:
    with pytest.raises(cs.ConvShapeError, match="`framework` must be one of 'keras', 'torch'"):
        framework(name)


def _valid_results(entry: Framework) -> Iterator[tuple[str, Any]]:
    name = entry.name
    for size, k, s, d in GRID:
        for padding in FORWARD_PADDINGS[name]:
            yield "length", _outcome(entry.conv_output_length, size, k, s, padding, d)
            yield "padding", _outcome(entry.conv_padding, size, k, s, padding, d)
        for padding, op in itertools.product(TRANSPOSE_PADDINGS[name], OUTPUT_PADDINGS[name]):
            args = (size, k, s, padding, op, d)
            yield "length", _outcome(entry.conv_transpose_output_length, *args)
            yield "crop", _outcome(entry.conv_transpose_crop, *args)
            if entry.conv_transpose_output_range is not None:
                yield "range", _outcome(entry.conv_transpose_output_range, size, k, s, padding, d)
        for padding, stride in itertools.product(POOL_PADDINGS[name], (None, s)):
            yield "length", _outcome(entry.pool_output_length, size, k, stride, padding, 1, False)


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_every_entry_returns_the_same_types(name: str) -> None:
    expected = {"length": int, "padding": cs.Pad, "crop": cs.Pad, "range": range}
    counts: dict[str, int] = dict.fromkeys(expected, 0)
    for kind, result in _valid_results(FRAMEWORKS[name]):
        if isinstance(result, tuple) and isinstance(result[0], type):
            assert issubclass(result[0], cs.ConvShapeError), result
            continue
        assert type(result) is expected[kind], (name, kind, result)
        if isinstance(result, tuple):
            assert all(type(side) is int for side in result)
        counts[kind] += 1
    # Each kind answered on most of the grid, not refused throughout.
    assert all(counts[kind] > 50 for kind in ("length", "padding", "crop")), counts
    assert counts["range"] > 50 or name == "jax", counts


def test_what_a_framework_lacks_is_refused_by_name() -> None:
    with pytest.raises(cs.ConvShapeError, match="`dilation` is not taken by Keras"):
        FRAMEWORKS["keras"].pool_output_length(8, 2, None, "valid", 2, False)
    with pytest.raises(cs.ConvShapeError, match="`ceil_mode` is not taken by Keras"):
        FRAMEWORKS["keras"].pool_output_length(8, 2, None, "valid", 1, True)
    with pytest.raises(cs.ConvShapeError, match="`output_padding` is not taken by JAX"):
        FRAMEWORKS["jax"].conv_transpose_crop(7, 3, 2, "SAME", 1, 1)
    with pytest.raises(cs.ConvShapeError, match="`ceil_mode` is not taken by JAX"):
        FRAMEWORKS["jax"].pool_output_length(8, 2, 2, "VALID", 1, True)


# -- each entry is its module's public function ---------------------------------------


def _op(output_padding: int | None) -> int:
    return 0 if output_padding is None else output_padding


def _step(stride: int | None) -> int:
    return 1 if stride is None else stride


def _keras_pool(size: int, k: int, stride: int | None, padding: Any, d: int) -> Any:
    if d != 1:  # Keras pools have no dilation: the table refuses it (tested above)
        return _outcome(FRAMEWORKS["keras"].pool_output_length, size, k, stride, padding, d, False)
    return _outcome(arithmetic.pool_output_length, size, k, stride, padding)


#: Each framework's module functions, called with the framework's own argument names:
#: (forward length, padding, transposed length, crop, range, pool length).
MODULE_CALLS: dict[str, tuple[Callable[..., Any] | None, ...]] = {
    "keras": (
        arithmetic.conv_output_length,
        arithmetic.conv_padding,
        lambda n, k, s, p, op, d: arithmetic.conv_transpose_output_length(
            n, k, s, p, output_padding=op, dilation=d
        ),
        lambda n, k, s, p, op, d: arithmetic.conv_transpose_crop(
            n, k, s, p, output_padding=op, dilation=d
        ),
        lambda n, k, s, p, d: arithmetic.conv_transpose_output_range(n, k, s, p, dilation=d),
        _keras_pool,
    ),
    "torch": (
        lambda n, k, s, p, d: pt.conv_output_length(n, k, s, padding=p, dilation=d),
        lambda n, k, s, p, d: pt.conv_padding(n, k, s, padding=p, dilation=d),
        lambda n, k, s, p, op, d: pt.conv_transpose_output_length(
            n, k, s, padding=p, output_padding=_op(op), dilation=d
        ),
        lambda n, k, s, p, op, d: pt.conv_transpose_crop(
            n, k, s, padding=p, output_padding=_op(op), dilation=d
        ),
        lambda n, k, s, p, d: pt.conv_transpose_output_range(n, k, s, padding=p, dilation=d),
        lambda n, k, s, p, d: pt.pool_output_length(n, k, s, padding=p, dilation=d),
    ),
    "jax": (
        lambda n, k, s, p, d: jx.conv_output_length(n, k, s, padding=p, rhs_dilation=d),
        lambda n, k, s, p, d: jx.conv_padding(n, k, s, padding=p, rhs_dilation=d),
        lambda n, k, s, p, op, d: jx.conv_transpose_output_length(n, k, s, padding=p, dilation=d),
        lambda n, k, s, p, op, d: jx.conv_transpose_crop(n, k, s, padding=p, dilation=d),
        None,
        lambda n, k, s, p, d: jx.pool_output_length(n, k, _step(s), padding=p, dilation=d),
    ),
    "onnx": (
        lambda n, k, s, p, d: ox.conv_output_length(n, k, s, *_onnx(p), dilation=d),
        lambda n, k, s, p, d: ox.conv_padding(n, k, s, *_onnx(p), dilation=d),
        lambda n, k, s, p, op, d: ox.conv_transpose_output_length(
            n, k, s, *_onnx(p), output_padding=_op(op), dilation=d
        ),
        lambda n, k, s, p, op, d: ox.conv_transpose_crop(
            n, k, s, *_onnx(p), output_padding=_op(op), dilation=d
        ),
        lambda n, k, s, p, d: ox.conv_transpose_output_range(n, k, s, *_onnx(p), dilation=d),
        lambda n, k, s, p, d: ox.pool_output_length(n, k, _step(s), *_onnx(p), dilation=d),
    ),
}


def _pairs(name: str) -> Iterator[tuple[str, Any, Any]]:
    """(call, the table's outcome, the module's outcome) over the grid."""
    entry = FRAMEWORKS[name]
    module = dict(zip(RULES, MODULE_CALLS[name], strict=True))
    for size, k, s, d in GRID:
        forward = [(size, k, s, padding, d) for padding in FORWARD_PADDINGS[name]]
        transposed = [
            (size, k, s, padding, op, d)
            for padding, op in itertools.product(TRANSPOSE_PADDINGS[name], OUTPUT_PADDINGS[name])
        ]
        pools = [
            (size, k, stride, padding, d)
            for padding, stride in itertools.product(POOL_PADDINGS[name], (None, s))
        ]
        calls: list[tuple[str, tuple[Any, ...], tuple[Any, ...]]] = [
            *((field, args, args) for args in forward for field in RULES[0:2]),
            *((field, args, args) for args in transposed for field in RULES[2:4]),
            *((RULES[4], args, args) for args in forward),
            *((RULES[5], (*args, False), args) for args in pools),
        ]
        for field, table_args, module_args in calls:
            table, ours = getattr(entry, field), module[field]
            if table is None or ours is None:
                assert table is ours is None, field  # absent from both, or from neither
                continue
            yield f"{field}{table_args}", _outcome(table, *table_args), _outcome(ours, *module_args)


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_every_entry_equals_its_module_function(name: str) -> None:
    mismatches = [
        f"{what}: table {table!r} != module {module!r}"
        for what, table, module in _pairs(name)
        if table != module
    ]
    assert mismatches == []


def test_the_table_holds_no_arithmetic() -> None:
    """The adapters only pass arguments on: no formula of their own (the rules are in
    convshape._core and the framework modules), and each default read once."""
    tree = ast.parse(inspect.getsource(_frameworks))
    formulas = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.BitOr)  # not `int | None`
    ]
    assert formulas == []
    tests = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Compare)]
    assert sorted(tests) == sorted(
        [
            "dilation != 1",
            "ceil_mode is not False",
            "output_padding is None",  # the one default of output_padding, shared
            "stride is None",  # the one default of a pooling's stride, shared
            "output_padding is not None",
            "ceil_mode is not False",
            "name not in FRAMEWORKS",
        ]
    )


# -- the functions new to a framework module, against the framework -------------------


@pytest.fixture(scope="module")
def torch() -> Any:
    return oracle("torch")


def test_torch_conv_padding_matches_torch_values(torch: Any) -> None:
    """nn.functional.conv1d with its own padding equals the explicit pad conv_padding gives."""
    functional = torch.nn.functional
    mismatches = []
    for size, k, s, d in GRID:
        for padding in FORWARD_PADDINGS["torch"]:
            ours = _outcome(pt.conv_padding, size, k, s, padding, d)
            x = torch.tensor(RNG.integers(1, 9, (1, 1, size)).astype("float32"))
            w = torch.tensor(RNG.integers(1, 9, (1, 1, k)).astype("float32"))
            ORACLE_COUNTS["torch conv1d (torch.conv_padding, values)"] += 1
            try:
                with warnings.catch_warnings():  # 'same' with an even kernel copies the input
                    warnings.simplefilter("ignore", UserWarning)
                    got = functional.conv1d(x, w, stride=s, padding=padding, dilation=d)
            except RuntimeError:
                got = None
            if got is None or not isinstance(ours, cs.Pad):
                if (got is None) != (not isinstance(ours, cs.Pad)):
                    mismatches.append(f"I={size} k={k} s={s} d={d} p={padding!r}: {ours}")
                continue
            expected = forward_gather(x.ravel().tolist(), w.ravel().tolist(), s, d, *ours)
            if got.ravel().tolist() != expected:
                mismatches.append(f"I={size} k={k} s={s} d={d} p={padding!r}: {ours} values")
    assert mismatches == []


def test_torch_conv_transpose_crop_matches_torch_values(torch: Any) -> None:
    functional = torch.nn.functional
    mismatches = []
    for size, k, s, d in GRID:
        for p, op in itertools.product(range(3), range(max(s, d))):
            ORACLE_COUNTS["torch conv_transpose1d (torch.conv_transpose_crop, values)"] += 1
            x = torch.tensor(RNG.integers(1, 9, (1, 1, size)).astype("float32"))
            w = torch.tensor(RNG.integers(1, 9, (1, 1, k)).astype("float32"))
            ours = _outcome(pt.conv_transpose_crop, size, k, s, p, op, d)
            try:
                got = functional.conv_transpose1d(
                    x, w, stride=s, padding=p, output_padding=op, dilation=d
                )
            except RuntimeError:
                got = None
            if got is None or not isinstance(ours, cs.Pad):
                if (got is None) != (not isinstance(ours, cs.Pad)):
                    mismatches.append(f"I={size} k={k} s={s} d={d} p={p} op={op}: {ours}")
                continue
            expected = transpose_cropped(
                x.ravel().tolist(), w.ravel().tolist(), s, d, ours.before, got.shape[-1]
            )
            # The crop's two ends account for the whole difference from the full output.
            full = len(scatter_full(x.ravel().tolist(), w.ravel().tolist(), s, d))
            if got.ravel().tolist() != expected or full - sum(ours) != got.shape[-1]:
                mismatches.append(f"I={size} k={k} s={s} d={d} p={p} op={op}: {ours}")
    assert mismatches == []


def test_torch_conv_transpose_output_range_matches_output_size(torch: Any) -> None:
    """The output_size values ConvTranspose1d.forward accepts."""
    mismatches = []
    for size, k, s, d in GRID:
        for p in range(3):
            module = torch.nn.ConvTranspose1d(1, 1, k, stride=s, padding=p, dilation=d)
            x = torch.ones(1, 1, size)
            accepted = []
            for length in range(0, size * s + k * d + 3):
                ORACLE_COUNTS["torch ConvTranspose1d output_size (torch range)"] += 1
                try:
                    module(x, output_size=[length])
                except (RuntimeError, ValueError):
                    continue
                accepted.append(length)
            ours = _outcome(pt.conv_transpose_output_range, size, k, s, p, d)
            if list(ours) != accepted:
                mismatches.append(f"I={size} k={k} s={s} d={d} p={p}: {ours} != {accepted}")
    assert mismatches == []


def test_keras_pool_output_length_matches_keras() -> None:
    keras = oracle("keras")
    mismatches = []
    for size, k, s in itertools.product((1, 2, 5, 8), (1, 2, 3), (None, 1, 2, 3)):
        for padding in ("valid", "same"):
            ORACLE_COUNTS["keras MaxPooling1D (pool_output_length)"] += 1
            layer = keras.layers.MaxPooling1D(k, strides=s, padding=padding)
            # TensorFlow's CPU pooling stops the process on an empty output: run the
            # layer on a tensor only where Keras's own shape is not empty.
            try:
                theirs = layer.compute_output_shape((1, size, 1))[1]
            except ValueError:  # Keras refuses an empty output
                theirs = None
            if theirs is not None and theirs > 0:
                theirs = layer(np.ones((1, size, 1), "float32")).shape[1]
            else:
                theirs = None
            ours = _outcome(arithmetic.pool_output_length, size, k, s, padding)
            if (ours if isinstance(ours, int) else None) != theirs:
                mismatches.append(f"I={size} k={k} s={s} {padding}: {ours} != Keras {theirs}")
    assert mismatches == []


def test_keras_pool_output_length_refuses_what_keras_pools_refuse() -> None:
    with pytest.raises(cs.ConvShapeError, match="`padding` of a Keras pooling must be"):
        arithmetic.pool_output_length(8, 2, padding="causal")
    with pytest.raises(cs.ConvShapeError, match="`pool_size`"):
        arithmetic.pool_output_length(8, 0)
    with pytest.raises(TypeError, match="`strides`"):
        arithmetic.pool_output_length(8, 2, strides=2.0)  # type: ignore[arg-type]


# -- the PyTorch crop rule -------------------------------------------------------------


def test_needs_crop_matches_the_pairs_torch_accepts(torch: Any) -> None:
    """Brute force: a crop needs no extra step exactly when some (padding, output_padding)
    that PyTorch accepts makes it, (p, p - op)."""
    mismatches = []
    for s, d in itertools.product(range(1, 4), range(1, 4)):
        made = set()
        for p, op in itertools.product(range(5), range(5)):
            ORACLE_COUNTS["torch ConvTranspose1d (p, output_padding) accepted"] += 1
            try:
                module = torch.nn.ConvTranspose1d(
                    1, 1, 3, stride=s, padding=p, output_padding=op, dilation=d
                )
                module(torch.ones(1, 1, 9))
            except (RuntimeError, ValueError):
                continue
            made.add((p, p - op))
        for crop in itertools.product(range(-1, 5), range(-5, 5)):
            pad = cs.Pad(*crop)
            p, op, rest = padding_for_crop(pad, s, d)
            if needs_crop(pad, s, d) == (crop in made):
                mismatches.append(f"s={s} d={d} crop={crop}: needs_crop {needs_crop(pad, s, d)}")
            # The closest pair is one PyTorch takes, and the rest completes it.
            if (p, p - op) not in made or (p + rest.before, p - op + rest.after) != crop:
                mismatches.append(f"s={s} d={d} crop={crop}: p={p} op={op}, then {rest}")
            # ... and it is the closest such pair, the one with the smallest padding first
            distance = {pair: abs(crop[0] - pair[0]) + abs(crop[1] - pair[1]) for pair in made}
            closest = min(distance.values())
            first = min(pair[0] for pair in made if distance[pair] == closest)
            if abs(rest.before) + abs(rest.after) != closest or p != first:
                mismatches.append(f"s={s} d={d} crop={crop}: p={p} is not the first closest")
    assert mismatches == []


def _keras_transposed_layers() -> Iterator[tuple[Any, tuple[int | None, ...]]]:
    for rank, k, s, d, padding in itertools.product(
        (1, 2), range(1, 6), range(1, 4), (1, 2), ("same", "valid")
    ):
        if s > 1 and d > 1:
            continue  # Keras refuses both
        for op in (None, *range(s)):
            cls = layers.Conv1DTranspose if rank == 1 else layers.Conv2DTranspose
            try:
                layer = cls(4, k, strides=s, padding=padding, output_padding=op, dilation_rate=d)
            except cs.ConvShapeError:
                continue
            yield layer, (None, *(7,) * rank, 3)


def test_check_flags_a_torch_crop_exactly_when_translate_is_not_exact() -> None:
    """The cross-check: check()'s torch-port-needs-crop and translate(..., "torch").exact
    answer the same question for every Keras transposed convolution."""
    mismatches = []
    count = 0
    for layer, shape in _keras_transposed_layers():
        count += 1
        with warnings.catch_warnings():  # a length TensorFlow rejects: another finding
            warnings.simplefilter("ignore", cs.ConvShapeWarning)
            findings = cs.check(layer, shape)
            exact = cs.translate(layer, "torch", shape).exact
        flagged = any(f.code == "torch-port-needs-crop" for f in findings)
        if flagged == exact:
            mismatches.append(f"{layer!r}: check {flagged}, translate exact {exact}")
    assert count > 100
    assert mismatches == []

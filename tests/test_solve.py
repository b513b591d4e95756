"""Solvers and plans: complete and sound against brute force over the bounds, and against
real Keras run on tensors."""

from __future__ import annotations

import itertools
import re
import warnings
from collections import defaultdict
from typing import Any

import pytest

import convshape as cs
from tests.oracles import ORACLE_COUNTS, oracle


def _quiet_length(*args: Any) -> int | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cs.ConvShapeWarning)
        try:
            length: int = cs.conv_transpose_output_length(*args)
        except cs.EmptyOutputError:
            return None
    return length


def _brute_keras_transpose(
    size: int, target: int, kmax: int, smax: int, dmax: int
) -> set[tuple[Any, ...]]:
    """Every Keras combination whose length is the target and that TensorFlow accepts."""
    found = set()
    for k, s, d, mode in itertools.product(
        range(1, kmax + 1), range(1, smax + 1), range(1, dmax + 1), ("same", "valid")
    ):
        if s > 1 and d > 1:
            continue
        for op in (None, *range(s)):
            length = _quiet_length(size, k, s, mode, op, d)
            accepted = cs.conv_transpose_output_range(size, k, s, mode, d)
            if length == target and length in accepted:
                found.add((k, s, mode, op, d))
    return found


def _keys(solutions: cs.Solutions) -> set[tuple[Any, ...]]:
    """Every spelling of every solution (those merged into one included)."""
    keys = set()
    for kw in (kw for solution in solutions for kw in (solution.kwargs, *solution.same_as)):
        keys.add(
            (
                kw["kernel_size"],
                kw["strides"],
                kw["padding"],
                kw["output_padding"],
                kw["dilation_rate"],
            )
        )
    return keys


@pytest.mark.parametrize("size", [1, 2, 3, 7, 10])
def test_keras_transpose_solver_matches_brute_force(size: int) -> None:
    for target in range(0, 4 * size + 8):
        solutions = cs.solve_conv_transpose(
            size, target, max_kernel_size=6, max_stride=4, max_dilation=2
        )
        assert _keys(solutions) == _brute_keras_transpose(size, target, 6, 4, 2), (size, target)
        for solution, kw in (
            (found, kw) for found in solutions for kw in (found.kwargs, *found.same_as)
        ):
            args = (
                size,
                kw["kernel_size"],
                kw["strides"],
                kw["padding"],
                kw["output_padding"],
                kw["dilation_rate"],
            )
            assert cs.conv_transpose_crop(*args) == solution.crop
        if not solutions:
            assert solutions.reason


def test_solutions_are_ordered_simplest_first() -> None:
    solutions = cs.solve_conv_transpose(7, 14, max_kernel_size=5)
    # Even kernel overlap first (the stride divides the kernel: no checkerboard), kernel 1
    # with a stride last, the usual kernels before kernel 2.
    assert [(s.kwargs["kernel_size"], s.kwargs["strides"]) for s in solutions] == [
        (4, 2),
        (2, 2),
        (3, 2),
        (5, 2),
        (1, 2),
    ]
    uneven = [
        solution.kwargs["kernel_size"] % solution.kwargs["strides"] != 0 for solution in solutions
    ]
    assert uneven == sorted(uneven)
    assert all(solution.kwargs["output_padding"] is None for solution in solutions)


def test_fixed_arguments_are_held() -> None:
    solutions = cs.solve_conv_transpose(7, 14, kernel_size=5, padding="same", output_padding=None)
    assert [s.kwargs for s in solutions] == [
        {
            "kernel_size": 5,
            "strides": 2,
            "padding": "same",
            "output_padding": None,
            "dilation_rate": 1,
        }
    ]


def test_pitfall_is_no_solution() -> None:
    # Keras predicts 12 for k=4, s=2, "same", output_padding=0, but TensorFlow rejects it.
    solutions = cs.solve_conv_transpose(7, 12, kernel_size=4, stride=2, padding="same")
    assert list(solutions) == []
    assert "the lengths that map back to 7 are 13..14" in solutions.reason


def test_torch_transpose_solver_matches_brute_force() -> None:
    for size, target in itertools.product([1, 4, 7], range(1, 30)):
        solutions = cs.solve_conv_transpose(
            size, target, framework="torch", max_kernel_size=5, max_stride=3, max_dilation=2
        )
        expected = set()
        for k, s, d in itertools.product(range(1, 6), range(1, 4), range(1, 3)):
            for p, op in itertools.product(range(0, 40), range(max(s, d))):
                if _quiet_length(size, k, s, p, op, d) == target:
                    expected.add((k, s, p, op, d))
        got = {
            (kw["kernel_size"], kw["stride"], kw["padding"], kw["output_padding"], kw["dilation"])
            for kw in (sol.kwargs for sol in solutions)
        }
        assert got == expected, (size, target)


def test_torch_solutions_say_when_keras_same_cannot_be_ported() -> None:
    solutions = cs.solve_conv_transpose(7, 14, kernel_size=5, stride=2, framework="torch")
    assert [(s.kwargs["padding"], s.kwargs["output_padding"]) for s in solutions] == [(2, 1)]
    assert solutions[0].crop == (2, 1)
    assert any(
        "no torch arguments reproduce Keras's padding='same' values" in note
        for note in solutions.notes
    )
    exact = cs.solve_conv_transpose(7, 14, kernel_size=4, stride=2, framework="torch")
    assert exact[0].note == "the crop Keras's padding='same' makes"
    assert exact.notes == ()


def test_torch_notes_port_keras_same_on_values(keras: Any) -> None:
    """Each note's recipe (its padding and output_padding, then drop the last elements)
    gives the values of Keras's padding='same', both run on tensors with one kernel."""
    import numpy as np

    torch = oracle("torch")
    rng = np.random.default_rng(0)
    recipe = re.compile(
        r"kernel_size=(\d+), stride=(\d+): .* padding=(\d+), output_padding=(\d+) "
        r"and drop the last (\d+) element"
    )
    mismatches, checked = [], 0
    for size, s in itertools.product((1, 3, 7), (1, 2, 3, 4)):
        solutions = cs.solve_conv_transpose(size, size * s, stride=s, framework="torch")
        for note in solutions.notes:
            found = recipe.search(note)
            assert found, note
            k, _, p, op, drop = map(int, found.groups())
            layer = keras.layers.Conv1DTranspose(1, k, strides=s, padding="same", use_bias=False)
            x = rng.standard_normal((1, size, 1)).astype("float32")
            expected = np.asarray(layer(x))[0, :, 0]
            kernel = np.asarray(layer.get_weights()[0])  # (k, out, in); torch: (in, out, k)
            module = torch.nn.ConvTranspose1d(
                1, 1, k, stride=s, padding=p, output_padding=op, bias=False
            )
            with torch.no_grad():
                module.weight.copy_(torch.from_numpy(kernel.transpose(2, 1, 0).copy()))
                got = module(torch.from_numpy(x.transpose(0, 2, 1).copy())).numpy()[0, 0]
            got = got[: len(got) - drop]
            ORACLE_COUNTS["keras 'same' ports in solver notes run in torch"] += 1
            checked += 1
            if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-5):
                mismatches.append(f"I={size}: {note}")
    assert checked >= 10
    assert mismatches == []


@pytest.mark.parametrize("framework", ["keras", "torch"])
@pytest.mark.parametrize("pooling", [False, True])
def test_forward_solver_matches_brute_force(framework: str, pooling: bool) -> None:
    for size, target in itertools.product([1, 5, 12, 28], range(1, 30)):
        solutions = cs.solve_conv(
            size,
            target,
            framework=framework,
            pooling=pooling,
            max_kernel_size=5,
            max_stride=3,
            max_dilation=2,
        )
        expected = set()
        for k, s, d in itertools.product(range(1, 6), range(1, 4), [1] if pooling else [1, 2]):
            if framework == "keras":
                if s > 1 and d > 1:
                    continue
                modes: list[Any] = ["same", "valid"]
            else:
                modes = list(range(0, (k // 2 if pooling else 100) + 1)) + (
                    ["same"] if s == 1 and not pooling else []
                )
            for mode in modes:
                try:
                    length = cs.conv_output_length(size, k, s, mode, d)
                except cs.EmptyOutputError:
                    continue
                if length == target:
                    expected.add((k, s, mode, d))
        got = set()
        for solution, kw in (
            (found, kw) for found in solutions for kw in (found.kwargs, *found.same_as)
        ):
            kernel: int = kw["pool_size"] if "pool_size" in kw else kw["kernel_size"]
            stride: int = kw["strides"] if "strides" in kw else kw["stride"]
            dilation: int = kw.get("dilation_rate", kw.get("dilation", 1))
            got.add((kernel, stride, kw["padding"], dilation))
            assert cs.conv_padding(size, kernel, stride, kw["padding"], dilation) == solution.pad
        assert got == expected, (framework, pooling, size, target)


@pytest.mark.parametrize(
    ("output", "kernel", "stride", "padding", "dilation"),
    [
        (7, 5, 2, "same", 1),
        (12, 5, 2, "valid", 1),
        (5, 3, 3, "causal", 1),
        (4, 3, 1, "valid", 2),
        (0, 3, 2, "same", 1),
        (3, 2, 2, 1, 1),
    ],
)
def test_conv_input_lengths_match_brute_force(
    output: int, kernel: int, stride: int, padding: Any, dilation: int
) -> None:
    lengths = []
    for size in range(0, 60):
        try:
            if cs.conv_output_length(size, kernel, stride, padding, dilation) == output:
                lengths.append(size)
        except cs.EmptyOutputError:
            continue
    assert list(cs.conv_input_lengths(output, kernel, stride, padding, dilation)) == lengths


def test_plans_reach_the_target_through_valid_layers() -> None:
    plans = cs.plan_upsampling(7, 84)
    assert [plan.strides for plan in plans[:5]] == [(2, 2, 3), (2, 3, 2), (3, 2, 2), (3, 4), (4, 3)]
    for plan in plans:
        size = plan.sizes[0]
        for step in plan.steps:
            kw = step.kwargs
            size = cs.conv_transpose_output_length(
                size, kw["kernel_size"], kw["strides"], kw["padding"], kw["output_padding"]
            )
            assert size == step.output
        assert size == 84
    down = cs.plan_downsampling(84, 7)
    for plan in down:
        size = plan.sizes[0]
        for step in plan.steps:
            size = cs.conv_output_length(
                size, step.kwargs["kernel_size"], step.kwargs["strides"], step.kwargs["padding"]
            )
        assert size == 7
    assert cs.plan_upsampling(7, 8) == []
    assert str(cs.plan_upsampling(7, 13)[0]) == "7 -> 13 in 1 layer, strides 2"


def test_solver_argument_errors() -> None:
    with pytest.raises(cs.ConvShapeError, match="`framework` must be one of 'keras', 'torch'"):
        cs.solve_conv_transpose(7, 14, framework="onnx")
    with pytest.raises(cs.ConvShapeError, match="`size` must be known"):
        cs.solve_conv(None, 14)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`target` must be an int"):
        cs.solve_conv(7, 14.0)  # type: ignore[arg-type]
    with pytest.raises(cs.ConvShapeError, match="`padding` of a plan must be 'same' or 'valid'"):
        cs.plan_upsampling(7, 14, padding="causal")


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


def test_keras_transpose_solutions_are_what_keras_runs(keras: Any) -> None:
    """Run every Keras configuration in the bounds on tensors; for each (size, length)
    TensorFlow produced, the solver returns exactly the configurations that produced it.
    An empty output from a non-empty input (TensorFlow skips its check for empty tensors)
    is never proposed."""
    import numpy as np

    tf = oracle("tensorflow")
    produced: dict[tuple[int, int], set[tuple[Any, ...]]] = defaultdict(set)
    sizes = range(1, 7)
    for k, s, d, mode in itertools.product(range(1, 5), range(1, 4), (1, 2), ("same", "valid")):
        if s > 1 and d > 1:
            continue
        for op in (None, *range(s)):
            layer = keras.layers.Conv1DTranspose(
                1, k, strides=s, padding=mode, output_padding=op, dilation_rate=d
            )
            layer.build((None, None, 1))
            for size in sizes:
                ORACLE_COUNTS["keras runs checking solver answers"] += 1
                try:
                    length = layer(np.ones((1, size, 1), dtype="float32")).shape[1]
                except (tf.errors.OpError, ValueError):  # TensorFlow refuses: no solution
                    continue
                produced[size, length].add((k, s, mode, op, d))
    assert produced[1, 0]  # e.g. kernel 2, "same", output_padding=0 on size 1
    for size in sizes:
        assert not cs.solve_conv_transpose(size, 0, max_kernel_size=4, max_stride=3, max_dilation=2)
        for target in range(1, 4 * size + 10):
            ORACLE_COUNTS["solver answers compared with keras"] += 1
            solutions = cs.solve_conv_transpose(
                size, target, max_kernel_size=4, max_stride=3, max_dilation=2
            )
            assert _keys(solutions) == produced.get((size, target), set()), (size, target)


def test_torch_same_reasons_offer_only_what_pytorch_accepts() -> None:
    """An empty answer's reason with PyTorch's padding='same' held names only layers that
    PyTorch builds (its 'same' takes stride 1 only), each with the length it gives."""
    torch = oracle("torch")
    offered = re.compile(r"kernel_size=(\d+), stride=(\d+), padding='same' gives (\d+)")
    checked, refused = 0, []
    for size, target, k in itertools.product((7, 13, 28), (3, 5, 13), (1, 2, 5)):
        solutions = cs.solve_conv(size, target, kernel_size=k, padding="same", framework="torch")
        if solutions:
            continue
        for part in solutions.reason.split("; "):
            found = offered.fullmatch(part)
            assert found, solutions.reason
            kernel, s, length = map(int, found.groups())
            ORACLE_COUNTS["torch Conv1d padding='same' offered in solver reasons"] += 1
            checked += 1
            try:
                layer = torch.nn.Conv1d(1, 1, kernel, stride=s, padding="same")
            except ValueError:
                refused.append(f"{size} -> {target}: {part}")
                continue
            with warnings.catch_warnings():  # an even kernel: a padded copy of the input
                warnings.simplefilter("ignore", UserWarning)
                got = layer(torch.zeros(1, 1, size)).shape[-1]
            if got != length:
                refused.append(f"{size} -> {target}: {part} (PyTorch gives another length)")
    assert checked >= 5
    assert refused == []


@pytest.mark.parametrize("kernel_size", [None, 3])
def test_torch_empty_input_hints_show_the_kernel_sizes_searched(kernel_size: int | None) -> None:
    """An empty input under PyTorch: the hints name the kernel sizes of the search, as the
    transposed solver's do, not an empty range."""
    shown = "1..7" if kernel_size is None else "3 (held)"
    forward = cs.solve_conv(0, 5, kernel_size=kernel_size, framework="torch")
    transposed = cs.solve_conv_transpose(0, 5, kernel_size=kernel_size, framework="torch")
    assert forward.reason == "PyTorch rejects an empty input or output"
    assert forward.hints[0] == f"Searched: kernel sizes {shown}, strides 1..4, dilations 1."
    assert transposed.hints[0] == forward.hints[0]


@pytest.mark.parametrize(("size", "target"), [(10, 3), (100, 3), (10, 30)])
def test_torch_same_hints_name_the_strides_pytorch_takes(size: int, target: int) -> None:
    """With padding='same' held, PyTorch's search tries stride 1 only, and the hints say so:
    real PyTorch takes 'same' at every stride the hint names and refuses it at the next."""
    torch = oracle("torch")
    solutions = cs.solve_conv(size, target, framework="torch", padding="same")
    assert not solutions
    searched = re.search(r"strides (\d+)(?:\.\.(\d+))?,", solutions.hints[0])
    assert searched, solutions.hints
    longest = int(searched.group(2) or searched.group(1))
    assert longest == 1
    torch.nn.Conv1d(1, 1, 3, stride=longest, padding="same")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        torch.nn.Conv1d(1, 1, 3, stride=longest + 1, padding="same")
    ORACLE_COUNTS["torch padding='same' strides named in solver hints"] += 2
    if target < size:  # a longer stride cannot help: the padding is what rules it out
        assert solutions.hints[1] == "Try without padding: a held value rules the others out."
        for bound in (2, 3):
            bounded = cs.solve_conv(
                size, target, framework="torch", padding="same", max_stride=bound
            )
            assert bounded.hints == solutions.hints
    if target * 4 < size:  # Keras's "same" takes every stride searched: a longer one would
        keras = cs.solve_conv(size, target, padding="same")
        assert keras.hints[0].startswith("Searched: kernel sizes 1..7, strides 1..4,")
        assert keras.hints[1].startswith("One layer of stride 4 or less cannot: plan_down")

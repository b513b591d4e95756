"""What a user meets first in a plan: the standard stacks (224 -> 7 by five stride-2
layers, 7 -> 84 by kernels their strides divide) first with the default arguments, no
layer convshape.check() flags, and an empty answer that says why. Every recommended
layer is built in real Keras and run on a tensor."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import convshape as cs
from convshape import Input, Sequential, layers
from convshape.cli import main
from convshape.plan import Plan
from tests.oracles import ORACLE_COUNTS, oracle

# What no recommended layer may be: its kernel overlaps unevenly or leaves output
# positions without a tap, skips inputs, has a length TensorFlow rejects, or has an
# output_padding that changes nothing.
REFUSED = {
    "uneven-overlap",
    "checkerboard-gaps",
    "inputs-never-read",
    "keras-same-rejected-by-tensorflow",
    "output-padding-no-effect",
}

QUESTIONS: list[tuple[int, int, dict[str, Any]]] = [
    *((start, target, {}) for start, target in itertools.product((1, 2, 3, 5, 7), range(2, 60))),
    *((7, target, {"padding": "valid"}) for target in range(8, 90)),
    *((4, target, {"kernel_sizes": (2, 3, 6), "max_stride": 6}) for target in range(5, 80)),
    (7, 84, {}),
    (4, 64, {}),
    (7, 224, {}),
    (1, 4096, {"max_stride": 8}),
]


def _model(plan: Plan, up: bool) -> Sequential:
    layer = layers.Conv1DTranspose if up else layers.Conv1D
    built: list[Any] = [Input((plan.sizes[0], 1))]
    built += [layer(1, **step.kwargs) for step in plan.steps]
    return Sequential(built)


def test_the_standard_stacks_come_first_with_default_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    down = cs.plan_downsampling(224, 7)
    assert down[0].strides == (2, 2, 2, 2, 2)
    assert {tuple(step.kwargs.items()) for step in down[0].steps} == {
        (("kernel_size", 3), ("strides", 2), ("padding", "same"))
    }
    up = cs.plan_upsampling(7, 84)
    assert [plan.strides for plan in up[:3]] == [(2, 2, 3), (2, 3, 2), (3, 2, 2)]
    assert [(s.kwargs["kernel_size"], s.kwargs["strides"]) for s in up[0].steps] == [
        (4, 2),
        (4, 2),
        (3, 3),
    ]
    assert cs.plan_upsampling(4, 64)[0].strides == (2, 2, 2, 2)  # DCGAN's generator
    assert cs.plan_downsampling(64, 4)[0].strides == (2, 2, 2, 2)
    assert cs.plan_upsampling(7, 28)[0].strides == (2, 2)
    main(["plan", "224", "7", "--limit", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[3:5] == [
        "1. 224 -> 7 in 5 layers, strides 2, 2, 2, 2, 2",
        "   224 -> 112  Conv2D(kernel_size=3, strides=2, padding='same')",
    ]


def test_downsampling_prefers_strides_that_divide_the_sizes() -> None:
    plans = [
        plan
        for plan in cs.plan_downsampling(224, 7)
        if all(step.kwargs["padding"] == "same" for step in plan.steps)
    ]
    exact = [all(s.output * s.kwargs["strides"] == s.size for s in p.steps) for p in plans]
    assert exact == sorted(exact, reverse=True)
    assert exact.count(True) == 8
    # 224 -> 75 -> 25 -> 7 (strides 3, 3, 4) no longer comes second.
    assert cs.plan_downsampling(224, 7, max_layers=3)[1].sizes == (224, 56, 28, 7)


def test_no_recommended_layer_is_one_check_flags() -> None:
    """The first plans of every question (what a user meets), built as a Sequential on its
    start size: check() finds none of the refused traps."""
    plans = 0
    for start, target, options in QUESTIONS:
        up = target > start
        planner = cs.plan_upsampling if up else cs.plan_downsampling
        for plan in planner(start, target, **options)[:8]:
            plans += 1
            model = _model(plan, up)
            assert model.output_shape == (None, target, 1)
            codes = {finding.code for finding in cs.check(model)}
            assert not codes & REFUSED, (plan.describe(), codes)
        down = cs.plan_downsampling(target, start, **options) if up else []
        for plan in down[:8]:
            plans += 1
            codes = {finding.code for finding in cs.check(_model(plan, False))}
            assert not codes & REFUSED, (plan.describe(), codes)
    assert plans > 2000


def test_the_stride_bound_is_check_s_rule() -> None:
    """The planners try no stride beyond their longest kernel: check() flags every
    kernel shorter than its stride, transposed or not."""
    for kernel, stride in itertools.product(range(1, 9), range(2, 12)):
        if kernel >= stride:
            continue
        for layer in (
            layers.Conv1DTranspose(1, kernel, strides=stride),
            layers.Conv1D(1, kernel, strides=stride),
        ):
            assert {finding.code for finding in cs.check(layer)} & REFUSED, (kernel, stride)


def test_recommended_plans_run_in_keras() -> None:
    """The first plans of every question, each layer built as a real Keras layer (once
    per argument set) and run on a tensor: every layer gives the length the plan says."""
    import numpy as np

    keras = oracle("keras")
    built: dict[tuple[bool, str], Any] = {}
    runs = 0
    for start, target, options in QUESTIONS:
        for first, last in ((start, target), (target, start)):
            up = last > first
            planner = cs.plan_upsampling if up else cs.plan_downsampling
            for plan in planner(first, last, **options)[:3]:
                x = np.ones((1, first, 1), dtype="float32")
                for step in plan.steps:
                    key = (up, repr(step.kwargs))
                    if key not in built:
                        layer = keras.layers.Conv1DTranspose if up else keras.layers.Conv1D
                        built[key] = layer(1, **step.kwargs)
                    x = np.asarray(built[key](x))
                    runs += 1
                    ORACLE_COUNTS["keras layers of recommended plans run"] += 1
                    assert x.shape[1] == step.output, plan.describe()
                assert x.shape[1] == last
    assert runs > 3000


def test_an_empty_plan_says_why_and_what_to_try(capsys: pytest.CaptureFixture[str]) -> None:
    flagged = cs.plan_upsampling(7, 14, kernel_sizes=(3,))
    assert flagged == []
    assert "convshape.check() ruled out kernel 3 with stride 2 (uneven overlap" in flagged.reason
    assert flagged.refused.startswith("convshape.check() ruled out kernel 3 with stride 2")
    every = cs.plan_upsampling(7, 84, kernel_sizes=(5,))
    assert every.reason.startswith("convshape.check() flags kernel sizes 5 with strides 2, 3, 4")
    assert "Add a kernel size the stride divides" in every.reason
    assert "solve_conv_transpose(7, 8) finds one layer of stride 1" in (
        cs.plan_upsampling(7, 8).reason
    )
    assert "plan_downsampling(14, 7) plans the other way" in cs.plan_upsampling(14, 7).reason
    far = cs.plan_upsampling(1, 10**6)
    assert "5 layers of stride 4 or less reach at most about 2388: raise max_layers" in far.reason
    assert cs.plan_downsampling(14, 7, kernel_sizes=(1,)).reason.startswith(
        "convshape.check() flags kernel sizes 1 with strides 2..4: a window shorter than its "
        "stride never reads some inputs."
    )
    assert str(far).startswith("No plan. No stack of at most 5 Conv2DTranspose layers")
    assert cs.plan_upsampling(7, 84).reason == ""
    main(["plan", "7", "14", "-k", "3"])
    out = capsys.readouterr().out
    assert "convshape.check() ruled out kernel 3 with stride 2" in out
    assert "each one `convshape check` accepts" in out

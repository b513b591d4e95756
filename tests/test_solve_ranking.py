"""What a user meets first in a solver's answer: the layer an engineer would choose first,
one entry per layer (spellings of the same layer merged), crops and paddings in words,
and an empty answer that says what to ask instead. Checked with convshape.check() on the
built layers and against real Keras run on tensors."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from convshape.cli import main
from convshape.solve import crop_words, pad_words
from tests.oracles import ORACLE_COUNTS, oracle

FLAGGED = {"uneven-overlap", "checkerboard-gaps", "inputs-never-read"}

# (solver, size, target, options): Keras and PyTorch, transposed, forward and pooling.
QUESTIONS: list[tuple[str, int, int, dict[str, Any]]] = [
    *(
        ("solve_conv_transpose", size, target, {"framework": framework})
        for framework in ("keras", "torch")
        for size, target in itertools.product((1, 2, 3, 7), range(1, 20))
    ),
    *(
        ("solve_conv", size, target, {"framework": framework, "pooling": pooling})
        for framework in ("keras", "torch")
        for pooling in (False, True)
        for size, target in itertools.product((1, 5, 8, 28), range(1, 15))
    ),
    ("solve_conv_transpose", 7, 14, {"max_dilation": 2, "stride": 1}),
    ("solve_conv", 12, 8, {"max_dilation": 3, "stride": 1}),
    ("solve_conv", 9, 9, {"padding": "causal"}),
]


def _answers() -> Iterator[tuple[str, int, dict[str, Any], cs.Solutions]]:
    for name, size, target, options in QUESTIONS:
        yield name, size, options, getattr(cs, name)(size, target, **options)


def _geometry(kwargs: dict[str, Any]) -> tuple[int, int, int]:
    kernel: int = kwargs["pool_size"] if "pool_size" in kwargs else kwargs["kernel_size"]
    stride: int = kwargs["strides"] if "strides" in kwargs else kwargs["stride"]
    dilation: int = kwargs.get("dilation_rate", kwargs.get("dilation", 1))
    return kernel, stride, dilation


def _behaviour(kwargs: dict[str, Any], pooling: bool, sizes: range) -> list[Any]:
    """(length, split) on each input size, from the public arithmetic (None: refused)."""
    k, s, d = _geometry(kwargs)
    found: list[Any] = []
    for size in sizes:
        try:
            if "output_padding" in kwargs:
                op = kwargs["output_padding"]
                args = (size, k, s, kwargs["padding"], op, d)
                found.append(
                    (cs.conv_transpose_output_length(*args), cs.conv_transpose_crop(*args))
                )
            else:
                dilation = 1 if pooling else d
                args4 = (size, k, s, kwargs["padding"], dilation)
                found.append((cs.conv_output_length(*args4), cs.conv_padding(*args4)))
        except cs.ConvShapeError:
            found.append(None)
    return found


def test_seven_to_fourteen_lists_the_usual_layer_first(capsys: pytest.CaptureFixture[str]) -> None:
    solutions = cs.solve_conv_transpose(7, 14)
    assert [_geometry(s.kwargs)[:2] for s in solutions] == [
        (4, 2),  # DCGAN's kernel 4, stride 2, "same"
        (2, 2),  # U-Net's 2x2 up-convolution
        (6, 2),
        (3, 2),  # kernels the stride does not divide: the checkerboard
        (5, 2),
        (7, 2),
        (1, 2),  # a kernel 1 with stride 2 leaves every other output without a tap
    ]
    assert solutions[0].kwargs["padding"] == "same"
    assert solutions[0].kwargs["output_padding"] is None
    main(["solve", "7", "14"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "transposed convolution 7 -> 14 (keras): 7 solutions"
    assert lines[1].startswith("  kernel_size=4, strides=2, padding='same', output_padding=None")
    assert lines[-1].startswith("  kernel_size=1, strides=2")
    # One entry for kernel 2, stride 2: None is the spelling, 0 and "same" the same layer.
    two = [line for line in lines if line.startswith("  kernel_size=2,")]
    assert two == [
        "  kernel_size=2, strides=2, padding='valid', output_padding=None, dilation_rate=1 "
        "-> 14, crops nothing; the same layer as output_padding=0 and as padding='same'"
    ]


def test_forward_and_pooling_answers_put_the_usual_layer_first() -> None:
    conv = cs.solve_conv(28, 14)
    assert [_geometry(s.kwargs)[:2] for s in conv][:3] == [(3, 2), (4, 2), (5, 2)]
    assert _geometry(conv[-1].kwargs)[:2] == (1, 2)  # reads every other input only
    pool = cs.solve_conv(28, 14, pooling=True)
    assert pool[0].kwargs == {"pool_size": 2, "strides": 2, "padding": "valid"}
    torch = cs.solve_conv(7, 7, framework="torch")
    assert torch[0].kwargs == {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1}
    assert torch[0].same_as == ({"kernel_size": 3, "stride": 1, "padding": "same", "dilation": 1},)


def _flagged_by_check(solution: cs.Solution, size: int, pooling: bool) -> bool:
    """Whether convshape.check() flags the built Keras layer (PyTorch geometries as the
    Keras layer of the same kernel and stride, undilated when strided)."""
    k, s, d = _geometry(solution.kwargs)
    d = 1 if s > 1 else d
    if solution.transposed:
        layer: Any = layers.Conv1DTranspose(1, k, strides=s, dilation_rate=d)
    elif pooling:
        layer = layers.MaxPooling1D(k, strides=s)
    else:
        layer = layers.Conv1D(1, k, strides=s, dilation_rate=d)
    return any(finding.code in FLAGGED for finding in cs.check(layer, (None, size + 16, 1)))


def test_layers_check_flags_come_after_every_other() -> None:
    checked = 0
    for name, size, options, solutions in _answers():
        pooling = options.get("pooling", False)
        bad = [_flagged_by_check(s, size, pooling) or min(s.split) < 0 for s in solutions]
        checked += len(bad)
        assert bad == sorted(bad), (name, size, options, [str(s) for s in solutions])
        # Among the rest, kernel 1 with a stride last (it skips inputs).
        good = [s for s, flag in zip(solutions, bad, strict=True) if not flag]
        skips = [_geometry(s.kwargs)[0] == 1 and _geometry(s.kwargs)[1] > 1 for s in good]
        assert skips == sorted(skips)
    assert checked > 2000


def test_no_two_solutions_build_the_same_layer() -> None:
    """Solutions of one answer differ on some input size; every merged spelling behaves
    exactly like the solution it is merged into (lengths and crops on sizes 1..20)."""
    sizes = range(1, 21)
    merged = 0
    for name, size, options, solutions in _answers():
        pooling = options.get("pooling", False)
        behaviours = [_behaviour(s.kwargs, pooling, sizes) for s in solutions]
        for (one, first), (two, second) in itertools.combinations(
            zip(solutions, behaviours, strict=True), 2
        ):
            if _geometry(one.kwargs) == _geometry(two.kwargs):
                assert first != second, (name, size, options, str(one), str(two))
        for solution, behaviour in zip(solutions, behaviours, strict=True):
            for alias in solution.same_as:
                merged += 1
                assert _behaviour(alias, pooling, sizes) == behaviour, (str(solution), alias)
    assert merged > 200


def test_negative_crops_are_worded() -> None:
    for _, _, _, solutions in _answers():
        for solution in solutions:
            text = str(solution)
            assert not re.search(r"-\d", text), text
            assert "split" not in text
    [appending] = cs.solve_conv_transpose(7, 16, kernel_size=3, stride=2)
    assert appending.crop == (0, -1)
    assert "appends 1 zero at the end" in str(appending)
    assert crop_words(cs.Pad(2, -3)) == "crops 2 at the start and appends 3 zeros at the end"
    assert crop_words(cs.Pad(0, 1)) == "crops 1 at the end"
    assert pad_words(cs.Pad(2, 0)) == "pads 2 zeros at the start"


def test_the_appended_zero_is_what_keras_computes() -> None:
    """'appends 1 zero at the end': Keras's output is one longer than the full
    convolution, and its last position gets no kernel tap (0 without a bias)."""
    import numpy as np

    keras = oracle("keras")
    [solution] = cs.solve_conv_transpose(7, 16, kernel_size=3, stride=2)
    layer = keras.layers.Conv1DTranspose(1, use_bias=False, **solution.kwargs)
    out = np.asarray(layer(np.ones((1, 7, 1), dtype="float32")))
    ORACLE_COUNTS["keras runs checking worded crops"] += 1
    assert out.shape[1] == 16
    assert out[0, -1, 0] == 0
    assert np.all(out[0, :-1, 0] != 0)


def _keras_layer(keras: Any, kwargs: dict[str, Any], pooling: bool) -> Any:
    if "output_padding" in kwargs:
        return keras.layers.Conv1DTranspose(1, **kwargs)
    if pooling:
        return keras.layers.MaxPooling1D(**kwargs)
    return keras.layers.Conv1D(1, **kwargs)


def test_merged_spellings_build_identical_layers_in_keras() -> None:
    """Every merged Keras spelling, built in Keras with the same weights and run on inputs
    of several lengths, gives the very same output tensor as the solution it is merged into:
    the same lengths and the same crop."""
    import numpy as np

    keras = oracle("keras")
    tf = oracle("tensorflow")
    rng = np.random.default_rng(0)
    groups = 0
    for name, size, options, solutions in _answers():
        if options.get("framework") != "keras" or size > 7:
            continue
        pooling = options.get("pooling", False)
        for solution in solutions:
            if not solution.same_as:
                continue
            groups += 1
            built = [
                _keras_layer(keras, kw, pooling) for kw in (solution.kwargs, *solution.same_as)
            ]
            for layer in built:
                layer.build((None, None, 1))
            if not pooling:
                weights = [rng.normal(size=w.shape).astype("float32") for w in built[0].weights]
                for layer in built:
                    layer.set_weights(weights)
            for length in (1, 2, size, size + 3):
                x = rng.normal(size=(1, length, 1)).astype("float32")
                outputs: list[Any] = []
                for layer in built:
                    ORACLE_COUNTS["keras runs checking merged solutions"] += 1
                    try:
                        outputs.append(np.asarray(layer(x)))
                    except (tf.errors.OpError, ValueError):
                        outputs.append(None)
                first = outputs[0]
                for other in outputs[1:]:
                    assert (first is None) == (other is None), (name, str(solution), length)
                    if first is not None and other is not None:
                        assert first.shape == other.shape, (str(solution), length)
                        np.testing.assert_allclose(first, other, rtol=1e-5, atol=1e-5)
    assert groups > 50


def test_an_empty_answer_says_what_to_ask_instead(capsys: pytest.CaptureFixture[str]) -> None:
    up = cs.solve_conv_transpose(7, 84)
    assert up.hints[0] == "Searched: kernel sizes 1..7, strides 1..4, dilations 1."
    assert "plan_upsampling(7, 84) stacks strided layers, or raise max_stride." in up.hints[1]
    assert "plan_upsampling(7, 84)" in str(up)
    down = cs.solve_conv(224, 7)
    assert "plan_downsampling(224, 7)" in down.hints[1]
    assert "solve_conv finds the convolutions" in cs.solve_conv_transpose(7, 3).hints[1]
    assert "try solve_conv_transpose" in cs.solve_conv(7, 14).hints[1]
    held = cs.solve_conv_transpose(7, 16, kernel_size=2, stride=2, padding="valid")
    assert held.hints == (
        "Searched: kernel sizes 2 (held), strides 2 (held), dilations 1, padding 'valid' (held).",
        "Try without kernel_size or stride or padding: a held value rules the others out.",
    )
    assert cs.solve_conv_transpose(7, 14).hints == ()
    # The command line names its own options, once.
    main(["solve", "7", "84"])
    out = capsys.readouterr().out
    assert "`convshape plan 7 84`" in out
    assert "plan_upsampling" not in out
    assert out.count("Searched:") == 1

"""``convshape.torch.Sequential``'s summary against real PyTorch and torchinfo.

The summary is a :class:`convshape.Summary` (totals, ``to_dict()``, HTML) printed in
Keras's layout; a row is named by the module's index, as ``nn.Sequential`` names its
children (``model[3]``, ``"3.weight"`` in a state dict). Each row's output shape is a
real forward pass's, its parameter and buffer counts are the real module's
``parameters()`` and ``buffers()``, and the totals are torchinfo's.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import convshape as cs
from convshape import torch as pt
from convshape._render import render_summary
from convshape.torch import SequentialSummary
from tests.oracles import ORACLE_COUNTS, oracle


def generator(nn: Any) -> Any:
    """The DCGAN tutorial's generator, written for PyTorch (channels first)."""
    return nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False),
        nn.BatchNorm1d(7 * 7 * 256),
        nn.LeakyReLU(),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.LeakyReLU(),
        nn.ConvTranspose2d(64, 1, 5, stride=3, padding=1, bias=False),
        nn.Tanh(),
    )


def classifier(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.GroupNorm(2, 8),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.LazyConv2d(16, 3, stride=2),
        nn.BatchNorm2d(16, affine=False),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.1),
        nn.Linear(16, 10),
    )


MODELS: list[tuple[str, Callable[[Any], Any], tuple[int, ...]]] = [
    ("generator", generator, (2, 100)),
    ("classifier", classifier, (2, 3, 29, 31)),
]


def _run_torch(torch: Any, build: Callable[[Any], Any], shape: tuple[int, ...]) -> Any:
    theirs = build(torch.nn)
    theirs.eval()
    outputs: list[tuple[int, ...]] = []
    for module in theirs:
        module.register_forward_hook(lambda m, i, o: outputs.append(tuple(o.shape)))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # "Lazy modules are a new feature"
        theirs(torch.zeros(shape))
    return theirs, outputs


@pytest.mark.parametrize(("name", "build", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_rows_are_the_real_modules(
    name: str, build: Callable[[Any], Any], shape: tuple[int, ...]
) -> None:
    torch = oracle("torch")
    theirs, outputs = _run_torch(torch, build, shape)
    summary = build(pt).summarize(shape)
    assert isinstance(summary, cs.Summary)
    assert isinstance(summary, SequentialSummary)
    children = list(theirs.named_children())
    assert len(summary.rows) == len(children) == len(outputs)
    for row, (child_name, module), out in zip(summary.rows, children, outputs, strict=True):
        ORACLE_COUNTS["torch summary rows (name, shape, parameters, buffers)"] = (
            ORACLE_COUNTS.get("torch summary rows (name, shape, parameters, buffers)", 0) + 1
        )
        assert row.name == child_name
        assert row.class_name in (type(module).__name__, f"Lazy{type(module).__name__}")
        assert row.output_shape == out, row.class_name
        assert row.params == sum(p.numel() for p in module.parameters()), row.class_name
        assert row.trainable_params == row.params
        assert row.non_trainable_params == 0
        assert row.to_dict()["buffers"] == sum(b.numel() for b in module.buffers())
    assert summary.total_params == sum(p.numel() for p in theirs.parameters())
    assert summary.trainable_params == sum(
        p.numel() for p in theirs.parameters() if p.requires_grad
    )
    assert summary.total_buffers == sum(b.numel() for b in theirs.buffers())
    assert summary.total_bytes == sum(p.numel() * p.element_size() for p in theirs.parameters())


@pytest.mark.parametrize(("name", "build", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_totals_are_torchinfo_totals(
    name: str, build: Callable[[Any], Any], shape: tuple[int, ...]
) -> None:
    torch = oracle("torch")
    torchinfo = oracle("torchinfo")
    theirs, _ = _run_torch(torch, build, shape)
    info = torchinfo.summary(theirs, input_size=shape, verbose=0, device="cpu")
    ORACLE_COUNTS["torchinfo summary totals"] = ORACLE_COUNTS.get("torchinfo summary totals", 0) + 1
    summary = build(pt).summarize(shape)
    assert summary.total_params == info.total_params
    assert summary.trainable_params == info.trainable_params
    assert summary.non_trainable_params == info.total_params - info.trainable_params
    depth_one = [layer for layer in info.summary_list if layer.depth == 1]
    assert [tuple(layer.output_size) for layer in depth_one] == [
        row.output_shape for row in summary.rows
    ]


def test_summary_text_is_keras_layout() -> None:
    model = generator(pt)
    shape = (None, 100)
    printed: list[str] = []
    assert model.summary(shape, print_fn=printed.append) is None  # printed, as Keras's
    (text,) = printed
    assert text == str(model.summarize(shape))
    lines = text.splitlines()
    assert lines[0] == 'Model: "Sequential"'
    # Keras's default 88 columns at 0.45/0.80/1.0.
    assert lines[1] == "┏" + "━" * 38 + "┳" + "━" * 29 + "┳" + "━" * 17 + "┓"
    assert (
        lines[2]
        == "┃ Layer (type)" + " " * 25 + "┃ Output Shape" + " " * 16 + "┃         Param # ┃"
    )
    assert (
        "│ 4 (ConvTranspose2d)                  │ (None, 128, 14, 14)         │         819,200 │"
        in lines
    )
    # Keras's 2,330,944 counts BatchNormalization's moving statistics as non-trainable
    # weights (25,472); PyTorch keeps them as buffers, with a batch counter each.
    assert lines[-4:] == [
        " Total params: 2,305,472 (8.79 MB)",
        " Trainable params: 2,305,472 (8.79 MB)",
        " Non-trainable params: 0 (0.00 B)",
        " Buffers: 25,475",
    ]
    model.summary(shape, line_length=120, print_fn=printed.append)
    assert printed[-1] == render_summary(model.summarize(shape), line_length=120)
    assert max(map(len, printed[-1].splitlines())) == 120
    with pytest.raises(TypeError, match="`print_fn` must be callable"):
        model.summary(shape, print_fn=5)


def test_summary_data_json_and_html() -> None:
    summary = generator(pt).summarize((None, 100))
    document = json.loads(json.dumps(summary.to_dict()))
    assert document["total_params"] == 2305472
    assert document["buffers"] == 25475
    assert document["output_shape"] == [None, 1, 84, 84]
    assert document["layers"][1] == {
        "name": "1",
        "class_name": "BatchNorm1d",
        "output_shape": [None, 12544],
        "params": 25088,
        "trainable_params": 25088,
        "non_trainable_params": 0,
        "trainable": True,
        "buffers": 25089,
    }
    page = summary._repr_html_()
    assert '>1 <span style="color:#777">(BatchNorm1d)' in page
    assert "BatchNorm1d" in page
    assert "<b>Buffers:</b> 25,475" in page
    assert "Total params:</b> 2,305,472" in page


def test_summary_reads_like_its_rows() -> None:
    """Iterating, indexing and ``len`` give the rows, as the list it once returned did."""
    summary = generator(pt).summarize((None, 100))
    assert len(summary) == 12
    assert list(summary) == list(summary.rows)
    assert summary[-1].class_name == "Tanh"
    assert summary[4].index == "4"
    assert summary[4].parameters == 819200


def test_summary_classes_are_public() -> None:
    """What ``summarize`` returns is importable from ``convshape.torch``, for annotations
    and ``isinstance``: the summary and its rows."""
    summary = generator(pt).summarize((None, 100))
    assert {"SequentialSummary", "SequentialRow"} <= set(pt.__all__)
    assert type(summary) is pt.SequentialSummary
    assert all(type(row) is pt.SequentialRow for row in summary)

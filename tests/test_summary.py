"""Summary data, its text and HTML renderings (golden files), and the Sequential API."""

from __future__ import annotations

import html.parser
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import convshape as cs
from convshape import Input, Sequential, layers
from tests.zoo import ZOO, dcgan_generator, unbuilt

GOLDEN = Path(__file__).parent / "golden"
CONVSHAPE = SimpleNamespace(Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers)


def _check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} is missing; run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_summary_text_golden(entry: object, update_golden: bool) -> None:
    model = entry.build(CONVSHAPE)  # type: ignore[attr-defined]
    _check_golden(f"{entry.name}.txt", str(model.summarize()), update_golden)  # type: ignore[attr-defined]


@pytest.mark.parametrize("entry", ZOO[:3], ids=[entry.name for entry in ZOO[:3]])
def test_summary_html_golden(entry: object, update_golden: bool) -> None:
    model = entry.build(CONVSHAPE)  # type: ignore[attr-defined]
    _check_golden(f"{entry.name}.html", model.summarize()._repr_html_(), update_golden)  # type: ignore[attr-defined]


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_escaped_and_self_contained() -> None:
    model = Sequential([Input((3,)), layers.Dense(2, name="<script>alert(1)</script>")], name="a&b")
    page = model._repr_html_()
    assert "<script>" not in page
    collector = _Collector()
    collector.feed(page)
    assert not {"script", "link", "img", "style"} & set(collector.tags)
    assert "<script>alert(1)</script>" in "".join(collector.text)
    assert 'Model: "a&b"' in "".join(collector.text)


def test_summary_data_of_the_seed() -> None:
    summary = dcgan_generator(CONVSHAPE).summarize()
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (
        2330944,
        2305472,
        25472,
    )
    assert summary.output_shape == (None, 84, 84, 1)
    assert summary.input_shape == (None, 100)
    first = summary.rows[0]
    assert (first.name, first.class_name, first.output_shape, first.params) == (
        "dense",
        "Dense",
        (None, 12544),
        1254400,
    )
    bn = summary.rows[1]
    assert (bn.trainable_params, bn.non_trainable_params) == (25088, 25088)
    document = json.loads(json.dumps(summary.to_dict()))
    assert document["total_params"] == 2330944
    assert document["layers"][4]["output_shape"] == [None, 14, 14, 128]
    assert document["total_bytes"] == 2330944 * 4


def test_str_uses_keras_default_width() -> None:
    text = str(dcgan_generator(CONVSHAPE).summarize())
    # 88 columns at positions 0.45/0.80/1.0, shrunk as rich shrinks them to fit the borders.
    assert text.splitlines()[1] == "┏" + "━" * 38 + "┳" + "━" * 29 + "┳" + "━" * 17 + "┓"
    assert text.endswith(" Non-trainable params: 25,472 (99.50 KB)\n")


def test_summary_prints_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    dcgan_generator(CONVSHAPE).summary(line_length=80)
    out = capsys.readouterr().out
    assert out.startswith('Model: "sequential"\n')
    assert " Total params: 2,330,944 (8.89 MB)\n" in out


def test_summary_too_narrow() -> None:
    with pytest.raises(ValueError, match="Insufficient console width"):
        dcgan_generator(CONVSHAPE).summary(line_length=8, print_fn=lambda text: None)


def test_layer_range_errors() -> None:
    model = dcgan_generator(CONVSHAPE)
    with pytest.raises(cs.ConvShapeError, match="`layer_range` must be two layer names"):
        model.summary(layer_range=["dense"], print_fn=print)
    with pytest.raises(cs.ConvShapeError, match="does not match the names"):
        model.summary(layer_range=["nope", "dense"], print_fn=print)


def test_unbuilt_model() -> None:
    model = unbuilt(CONVSHAPE)
    summary = model.summarize()
    assert [row.output_shape for row in summary.rows] == [None] * len(model.layers)
    assert summary.total_params == 0
    with pytest.raises(cs.ConvShapeError, match="has no input shape yet"):
        model.count_params()
    with pytest.raises(AttributeError, match="has no defined input yet"):
        _ = model.input_shape


def test_optional_columns_follow_keras_columns() -> None:
    """Columns beyond Keras's (costs, receptive fields) come after them, in text, HTML and
    JSON, with their totals; without them the table is Keras's own."""

    model = Sequential([Input((8, 8, 3)), layers.Conv2D(4, 3)], name="tiny")
    plain = model.summarize()
    row = plain.rows[0]._replace(extras=(("macs", 3888), ("receptive_field", "3x3")))
    extended = plain._replace(
        rows=(row,),
        columns=("macs", "receptive_field"),
        totals=(("macs", 3888), ("forward_bytes", 576)),
    )
    text = str(extended)
    assert "┃ MACs" in text or "MACs ┃" in text
    assert "3,888" in text
    assert "3x3" in text
    assert " Total MACs: 3,888" in text
    assert " Forward pass size: 576.00 B" in text
    assert extended.to_dict()["layers"][0]["macs"] == 3888
    assert extended.to_dict()["macs"] == 3888
    page = extended._repr_html_()
    # The receptive field is text: left-aligned, its header too, under any page CSS.
    assert '<th style="text-align:left;' in page.split("Receptive field</th>")[0][-300:]
    assert '<td style="text-align:left;' in page.split("3x3</td>")[0][-300:]
    assert "Total MACs" in page
    assert "MACs" not in str(plain)


def test_cost_and_receptive_field_columns_of_the_seed_generator() -> None:
    model = dcgan_generator(CONVSHAPE)
    columns = ("macs", "flops", "output_bytes", "receptive_field")
    summary = model.summarize(columns=columns)
    last = summary.to_dict()["layers"][-1]
    assert (last["macs"], last["output_bytes"], last["receptive_field"]) == (
        1254400,
        28224,
        "4x4, jump 1/12",
    )
    assert summary.to_dict()["macs"] == cs.macs(model) == 82790400
    printed: list[str] = []
    model.summary(print_fn=printed.append, columns=columns)
    assert "│ 4x4, jump 1/12" in printed[0]
    assert " Total MACs: 82,790,400" in printed[0]
    assert "…" not in printed[0]
    keras_only: list[str] = []
    model.summary(print_fn=keras_only.append)
    assert "MACs" not in keras_only[0]
    with pytest.raises(cs.ConvShapeError, match="`columns` may hold 'macs'"):
        model.summarize(columns=("params_size",))
    with pytest.raises(TypeError, match="`columns` must be a list or tuple of column names"):
        model.summarize(columns="macs")

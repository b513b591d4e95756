"""The command line's options: `convshape plan`, help texts and defaults, the usage a bare
`convshape` prints, option combinations refused with one line, per-axis values
(`-p 1:2,0:1`, `28x28`), and `--explain` by the rules of the `--framework` that computed
the answer."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shlex
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convshape import plan_downsampling, plan_upsampling
from convshape.cli import build_parser, main
from tests.oracles import oracle


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(status, stdout, stderr), argparse's own exits included."""
    try:
        status: object = main(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    assert isinstance(status, int)
    return status, captured.out, captured.err


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


COMMANDS = sorted(_subparsers())

# ---------------------------------------------------------------------------------------
# convshape plan


def test_plan_up_prints_ranked_plans_readably(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plan", "7", "84")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "7 -> 84: 11 plans of Conv2DTranspose layers, simplest first"
    assert lines[1] == (
        "(searched: strides 2..4, kernel sizes 3, 4, 5, padding 'same' (else 'valid' or an "
        "output_padding), at most 5 layers, each one `convshape check` accepts)"
    )
    assert lines[3:7] == [
        "1. 7 -> 84 in 3 layers, strides 2, 2, 3",
        "    7 -> 14  Conv2DTranspose(kernel_size=4, strides=2, padding='same')",
        "   14 -> 28  Conv2DTranspose(kernel_size=4, strides=2, padding='same')",
        "   28 -> 84  Conv2DTranspose(kernel_size=3, strides=3, padding='same')",
    ]
    assert "output_padding=None" not in out
    assert out.count("Conv2DTranspose(") == sum(len(p.steps) for p in plan_upsampling(7, 84)[:5])
    assert lines[-1] == "... and 6 more (--limit 0 shows every plan)"


def test_plan_down_and_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plan", "224", "7", "--limit", "0", "--json")
    assert status == 0
    document = json.loads(out)
    expected = plan_downsampling(224, 7)
    assert document["layer"] == "Conv2D"
    assert document["count"] == len(document["plans"]) == len(expected)
    assert [plan["strides"] for plan in document["plans"]] == [list(p.strides) for p in expected]
    assert document["plans"][0]["layers"][0] == {
        "input": 224,
        "output": 112,
        "kwargs": {"kernel_size": 3, "strides": 2, "padding": "same"},
    }
    argv = ["plan", "7", "84", "--max-stride", "2", "--kernel-sizes", "4,6", "-p", "valid"]
    _, out, _ = run(capsys, *argv, "--max-layers", "5", "--json")
    expected = plan_upsampling(7, 84, max_stride=2, kernel_sizes=(4, 6), padding="valid")
    assert [plan["sizes"] for plan in json.loads(out)["plans"]] == [
        list(p.sizes) for p in expected[:5]
    ]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["plan", "224", "7", "--max-layers", "2"],
            [
                "No stack of Conv2D layers takes 224 to 7.\nSearched: strides 2..4, kernel "
                "sizes 3, 4, 5, padding 'same' (else 'valid'), at most 2 layers, each one "
                "`convshape check` accepts.\n",
                "Try --max-layers 3: it finds 31 plans.",
            ],
        ),
        (
            ["plan", "7", "9"],
            [
                "No stack of Conv2DTranspose layers takes 7 to 9.",
                "A strided layer takes 7 to at least 13; `convshape solve 7 9` finds one "
                "layer of stride 1.",
            ],
        ),
        (
            ["plan", "20", "15"],
            ["A strided layer takes 20 to at most 10; `convshape solve 20 15 --kind conv`"],
        ),
        (
            ["plan", "4096", "1", "--max-stride", "2", "--max-layers", "4", "-k", "3,4,8"],
            ["Try --max-stride 8: it finds 673 plans."],
        ),
        (
            ["plan", "7", "14", "-k", "3"],
            [
                "convshape.check() ruled out kernel 3 with stride 2 (uneven overlap or output "
                "positions no tap reaches).\nTry "
            ],
        ),
    ],
)
def test_an_empty_plan_says_why_and_what_to_try(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: list[str]
) -> None:
    status, out, _ = run(capsys, *argv)
    assert status == 0
    for sentence in says:
        assert sentence in out
    _, out, _ = run(capsys, *argv, "--json")
    assert json.loads(out)["plans"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "plan",
                "1",
                "1000000",
                "--max-stride",
                "1000000",
                "-k",
                ",".join(map(str, range(1, 4097))),
            ],
            "convshape plan: error: more than 250000 layers to consider on the way from 1 to "
            "1000000",
        ),
        (["plan", "1", "1000", "--max-stride", "16", "--max-layers", "6"], "more than 10000 plans"),
        (["plan", "7", "7"], "SIZE and TARGET are equal"),
        (["plan", "7", "84", "--limit", "-1"], "`--limit` must be >= 0"),
        (["plan", "0", "84"], "`start` must be >= 1"),
        (["plan", "7", "84", "--kernel-sizes", "3,x"], "argument -k/--kernel-sizes: expected"),
        (["plan", "7", "84", "-p", "causal"], "argument -p/--padding: invalid choice"),
    ],
)
def test_plan_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert message in err


_NUMBER = st.one_of(
    st.integers(-2, 300).map(str),
    st.sampled_from(["0", "1" + "0" * 18, "1" + "0" * 5000, "3,4", "2:1", "", "x", "1.5"]),
)
_OPTION = st.sampled_from(
    ["--max-stride", "--kernel-sizes", "-p", "--max-layers", "--limit", "--json"]
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    numbers=st.lists(_NUMBER, min_size=0, max_size=3),
    options=st.lists(st.tuples(_OPTION, st.one_of(_NUMBER, st.just("valid"))), max_size=4),
)
def test_plan_on_any_words_answers_or_exits_2_with_one_line(
    numbers: list[str], options: list[tuple[str, str]]
) -> None:
    words = ["plan", *numbers, *(word for pair in options for word in pair)]
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status: object = main(words)
        except SystemExit as exit_:
            status = exit_.code
    assert time.perf_counter() - started < 10, words
    if status == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 or lines[0].startswith("usage:"), (words, lines)
        assert "error" in lines[-1]
        assert "Traceback" not in err.getvalue()
    else:
        assert status == 0, (words, err.getvalue())
        assert out.getvalue().strip()


# ---------------------------------------------------------------------------------------
# Help texts, defaults and the bare command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_states_its_default(command: str) -> None:
    for action in _subparsers()[command]._actions:
        if not action.option_strings or action.dest == "help":
            continue
        assert action.help, (command, action.dest)
        assert "default" in action.help or "(required)" in action.help, (command, action.help)


def test_bare_convshape_prints_usage_and_the_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", ["convshape"])
    assert main() == 2  # argparse's status for a missing argument
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: convshape [-h] [--version] COMMAND ...\n")
    assert "    conv-transpose  output size and crop of a transposed convolution\n" in captured.err
    for command in COMMANDS:
        assert f"\n    {command} " in captured.err


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        ("conv-transpose", "{keras,torch,jax,onnx}"),
        ("conv", "{keras,torch,jax,onnx}"),
        ("pool", "{keras,torch,jax,onnx}"),
        ("solve", "{keras,torch}"),
    ],
)
def test_help_lists_only_the_frameworks_a_command_supports(
    capsys: pytest.CaptureFixture[str], command: str, choices: str
) -> None:
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert f"--framework {choices}" in out


# ---------------------------------------------------------------------------------------
# Option combinations no framework takes: exit 2, one line naming both options


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (
            ["pool", "8", "-k", "3", "--ceil-mode"],
            ["--ceil-mode", "needs --framework torch or onnx;", "keras"],
        ),
        (
            ["pool", "8", "-k", "3", "--framework", "jax", "--ceil-mode"],
            ["--ceil-mode", "JAX's pooling has no ceil_mode", "jax"],
        ),
        (["pool", "8", "-k", "3", "--framework", "tf"], ["--framework", "invalid choice"]),
        (["pool", "10", "-k", "3", "-p", "causal"], ["--padding", "pooling", "'causal'"]),
        (["pool", "10", "-k", "3", "-p", "full"], ["--padding", "pooling", "'full'"]),
        (["conv", "10", "10", "-k", "3", "-p", "causal"], ["--padding causal", "2 sizes"]),
        (["conv", "10x10x10", "-k", "3", "-p", "causal"], ["--padding causal", "3 sizes"]),
        (["conv", "10", "-k", "3", "-s", "2", "-d", "2"], ["--stride", "--dilation"]),
        (["conv-transpose", "10", "-k", "3", "-s", "2", "-d", "2"], ["--stride", "--dilation"]),
        (
            [
                "conv-transpose",
                "7",
                "-k",
                "3",
                "-s",
                "2",
                "--output-padding",
                "1",
                "--framework",
                "jax",
            ],
            ["--output-padding", "--framework jax"],
        ),
        (
            ["pool", "7", "-k", "3", "-p", "1"],
            ["--padding", "Keras pooling", "needs --framework torch or jax or onnx."],
        ),
        (["solve", "7", "14", "--framework", "jax"], ["--framework", "invalid choice"]),
        (["solve", "7", "3", "--kind", "pool", "-d", "2"], ["--dilation", "--kind pool"]),
        (["solve", "7", "3", "--kind", "pool", "--max-dilation", "2"], ["--max-dilation", "pool"]),
        (
            [
                "translate",
                "7",
                "-k",
                "3",
                "--kind",
                "conv",
                "--output-padding",
                "1",
                "--to",
                "torch",
            ],
            ["--output-padding", "--kind conv"],
        ),
        (["solve", "7", "20", "-k", "9", "--max-kernel-size", "3"], ["--max-kernel-size", "held"]),
        (["solve", "7", "20", "-s", "3", "--max-stride", "3"], ["--max-stride", "--stride"]),
        (["solve", "7", "20", "-d", "2", "--max-dilation", "3"], ["--max-dilation", "--dilation"]),
        (["conv", "7", "-k", "3", "-p", "causal", "--framework", "jax"], ["causal", "jax"]),
        (["conv", "7", "-k", "3", "-p", "causal", "--framework", "onnx"], ["causal", "onnx"]),
        (["translate", "7", "-k", "3", "-p", "causal", "--to", "torch"], ["causal", "--kind conv"]),
        (
            ["translate", "7x7", "-k", "3", "--kind", "conv", "-p", "causal", "--to", "torch"],
            ["causal", "one SIZE"],
        ),
    ],
)
def test_invalid_combinations_exit_2_naming_both_options(
    capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    for name in names:
        assert name in err


@pytest.mark.parametrize(
    ("option", "argv"),
    [("--ceil-mode", ["--ceil-mode"]), ("an explicit padding", ["-p", "1"])],
)
def test_every_framework_a_refusal_names_takes_the_option(
    capsys: pytest.CaptureFixture[str], option: str, argv: list[str]
) -> None:
    """The frameworks a refusal sends the user to are the ones whose pooling takes it."""
    status, _, err = run(capsys, "pool", "8", "-k", "3", "-s", "2", *argv)
    assert status == 2
    found = re.search(r"needs --framework ([a-z ]+)[.;]", err)
    assert found, err
    named = found.group(1).split(" or ")
    assert len(named) >= 2, named
    for name in ("keras", "torch", "jax", "onnx"):
        status, out, err = run(
            capsys, "pool", "8", "-k", "3", "-s", "2", *argv, "--framework", name
        )
        assert (status == 0) == (name in named), (option, name, err)
        if status == 0:
            assert out.startswith("input (8,) -> output ("), out


def test_the_same_options_where_a_framework_takes_them(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "pool", "8", "-k", "3", "-s", "2", "--framework", "torch", "--ceil-mode", "--json"
    )
    assert (status, json.loads(out)["output"]) == (0, [4])
    _, out, _ = run(capsys, "conv", "10", "-k", "3", "-s", "2", "-d", "2", "--framework", "torch")
    assert out.startswith("input (10,) -> output (3,)")
    _, out, _ = run(capsys, "conv", "10", "-k", "3", "-p", "causal", "--json")
    assert json.loads(out)["padding"] == [[2, 0]]
    _, out, _ = run(capsys, "solve", "7", "20", "-k", "9")
    assert "kernel_size=9, strides=3" in out
    _, out, _ = run(capsys, "solve", "7", "14", "--max-stride", "2", "--json")
    assert {s["kwargs"]["strides"] for s in json.loads(out)["solutions"]} == {2}
    status, _, err = run(capsys, "pool", "7", "-k", "3", "-p", "same", "--framework", "torch")
    assert status == 2
    assert "must be an int (PyTorch pads symmetrically). Received" in err  # no "same" for a pool


# ---------------------------------------------------------------------------------------
# Per-axis values


@pytest.mark.parametrize("shape", [["28x28"], ["28,28"], ["28X28"], ["28", "28"]])
def test_sizes_as_a_shape(capsys: pytest.CaptureFixture[str], shape: list[str]) -> None:
    status, out, _ = run(capsys, "conv", *shape, "-k", "5", "-s", "2", "-p", "same", "--json")
    assert status == 0
    assert json.loads(out) == {"input": [28, 28], "output": [14, 14], "padding": [[1, 2], [1, 2]]}


def test_sizes_as_a_shape_in_every_command_taking_sizes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "conv-transpose", "7x5", "-k", "5,3", "-s", "2,3", "-p", "same")
    assert out == "input (7, 5) -> output (14, 15); crop (before, after): (1, 2), (0, 0)\n"
    _, out, _ = run(capsys, "pool", "8x9", "-k", "2", "--json")
    assert json.loads(out)["output"] == [4, 4]
    argv = ["translate", "7x7", "-k", "5", "-s", "2", "-p", "same", "--to", "torch", "--json"]
    _, out, _ = run(capsys, *argv)
    assert json.loads(out)["crop"] == [[0, 1], [0, 1]]
    status, _, err = run(capsys, "conv", "28xx", "-k", "3")
    assert status == 2
    assert "expected a size or spatial sizes such as 28x28 or 28,28, got '28xx'" in err


def test_per_axis_padding(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "conv", "10x10", "-k", "3", "-p", "1:2,0:1", "--json")
    assert json.loads(out) == {"input": [10, 10], "output": [11, 9], "padding": [[1, 2], [0, 1]]}
    _, out, _ = run(capsys, "conv", "10x10", "-k", "3", "-p", "1,2", "--framework", "torch")
    assert out == "input (10, 10) -> output (10, 12); padding (before, after): (1, 1), (2, 2)\n"
    _, out, _ = run(capsys, "conv-transpose", "7x7", "-k", "4", "-s", "2", "-p", "1:2,1:1")
    assert out == "input (7, 7) -> output (13, 14); crop (before, after): (1, 2), (1, 1)\n"
    _, out, _ = run(capsys, "conv", "7x7", "-k", "3", "-p", "1:2,0:0", "--framework", "jax")
    assert out == "input (7, 7) -> output (8, 5); padding (before, after): (1, 2), (0, 0)\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["conv", "10x10", "-k", "3", "-p", "1:2,same"],
            "per-axis padding takes an int or before:after per axis (such as 1:2,0:1)",
        ),
        (
            ["conv", "10x10", "-k", "3", "-p", "1,2,3"],
            "`--padding` takes one value or one per dimension (2)",
        ),
        (
            ["conv", "10x10", "-k", "3", "-p", "1:2,0:1", "--framework", "torch"],
            "`--padding` for --framework torch must be an int",
        ),
    ],
)
def test_bad_per_axis_padding_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert message in err


# ---------------------------------------------------------------------------------------
# --explain explains the answer printed, by the same framework's rules


def test_explain_follows_the_framework_and_ceil_mode(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["pool", "8", "-k", "3", "-s", "2", "--framework", "torch", "--ceil-mode", "--explain"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert out.startswith("input (8,) -> output (4,)")
    assert (
        "Max pooling (PyTorch): size 8, kernel_size 3, stride 2, padding 0, ceil_mode True" in out
    )
    assert "so the output is 4." in out
    assert "Convolution" not in out


EXPLAINED = [
    ["pool", "8", "-k", "3", "-s", "2", "--framework", "torch", "--ceil-mode"],
    ["pool", "9", "-k", "2", "--framework", "torch", "--ceil-mode"],
    ["pool", "25", "-k", "2", "-p", "same"],
    ["pool", "7", "-k", "3", "-s", "2", "-p", "1", "--framework", "torch"],
    ["conv", "13", "-k", "6", "-s", "5", "-p", "same"],
    ["conv", "13", "-k", "6", "-s", "5", "-p", "same_lower", "--framework", "onnx"],
    ["conv", "13", "-k", "6", "-s", "5", "-p", "same", "--framework", "jax"],
    ["conv", "12", "-k", "3", "-s", "2", "-p", "1", "--framework", "torch"],
    ["conv", "12", "-k", "3", "-p", "same", "--framework", "torch"],
    ["conv-transpose", "7", "-k", "5", "-s", "2", "-p", "same"],
    [
        "conv-transpose",
        "7",
        "-k",
        "3",
        "-s",
        "2",
        "-p",
        "1",
        "--output-padding",
        "1",
        "--framework",
        "torch",
    ],
    ["conv-transpose", "7", "-k", "5", "-s", "2", "-p", "same", "--framework", "jax"],
    ["conv-transpose", "7", "-k", "4", "-s", "2", "-p", "1:2", "--framework", "onnx"],
    ["conv-transpose", "7", "-k", "4", "-s", "2", "-p", "same", "--framework", "onnx"],
    ["conv-transpose", "7x5", "-k", "4,3", "-s", "2,3", "-p", "1:2,0:1"],
]

HEADINGS = {"keras": "(Keras/TensorFlow)", "torch": "(PyTorch)", "jax": "(JAX)", "onnx": "(ONNX)"}


@pytest.mark.parametrize("argv", EXPLAINED, ids=" ".join)
def test_explain_ends_on_the_printed_output(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, out, _ = run(capsys, *argv, "--explain", "--json")
    assert status == 0
    document = json.loads(out)
    framework = argv[argv.index("--framework") + 1] if "--framework" in argv else "keras"
    for output, explanation in zip(document["output"], document["explanation"], strict=True):
        title, *lines = explanation.splitlines()
        assert HEADINGS[framework] in title
        assert ("pooling" in title) == (argv[0] == "pool")
        steps = [line for line in lines if line[:4].strip().rstrip(".").isdigit()]
        assert steps[-1].endswith(f" {output}."), (steps[-1], output)


def test_explain_prints_identical_axes_once(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys, "conv-transpose", "7", "7", "-k", "5", "-s", "2", "-p", "same", "--explain"
    )
    assert out.count("Transposed convolution (Keras/TensorFlow)") == 1
    assert "\nHeight and width:\nTransposed convolution" in out
    _, out, _ = run(capsys, "conv", "7x8x7", "-k", "3", "-s", "2", "-p", "same", "--explain")
    assert out.count("Convolution (Keras/TensorFlow): size 7,") == 1
    assert "\nDepth and width:\nConvolution (Keras/TensorFlow): size 7," in out
    assert "\nHeight:\nConvolution (Keras/TensorFlow): size 8," in out
    _, out, _ = run(capsys, "conv", "7x7", "-k", "3", "--explain", "--json")
    assert len(json.loads(out)["explanation"]) == 2  # the document keeps one per axis


# ---------------------------------------------------------------------------------------
# The command line page's examples print what the page shows


def _page_examples() -> list[tuple[str, str]]:
    page = Path(__file__).parent.parent / "docs" / "cli.md"
    examples = []
    for block in re.findall(r"```bash\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL):
        for command in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            line, _, output = command.partition("\n")
            examples.append((line, output))
    return examples


@pytest.mark.parametrize(("line", "output"), _page_examples(), ids=[e[0] for e in _page_examples()])
def test_the_cli_page_shows_what_the_commands_print(
    capsys: pytest.CaptureFixture[str], line: str, output: str
) -> None:
    words = shlex.split(line)
    assert words[0] == "convshape"
    status, out, _ = run(capsys, *words[1:])
    assert status == 0
    assert out == output


def test_a_warning_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Not Python's report with a file name and a line of convshape's own source."""
    argv = ["conv-transpose", "7x7", "-k", "4", "-s", "2", "-p", "same", "--output-padding", "0"]
    status, out, err = run(capsys, *argv)
    assert status == 0
    assert out == "input (7, 7) -> output (12, 12); crop (before, after): (2, 2), (2, 2)\n"
    assert err.startswith(
        "convshape conv-transpose: warning: Keras predicts output length 12 here, but "
        "TensorFlow rejects it at run time"
    )
    assert err.count("\n") == 1  # the two axes' identical warning once
    assert "cli.py" not in err


@pytest.mark.parametrize(
    ("argv", "hints"),
    [
        (
            ["solve", "7", "84"],
            [
                "Searched: kernel sizes 1..7, strides 1..4, dilations 1.",
                "One layer of stride 4 or less cannot: `convshape plan 7 84` stacks strided "
                "layers, or widen --max-stride.",
            ],
        ),
        (["solve", "84", "7"], ["A transposed convolution grows its input: try --kind conv"]),
        (
            ["solve", "7", "84", "--kind", "conv"],
            ["A convolution or pooling shrinks its input: try --kind conv-transpose."],
        ),
        (
            ["solve", "7", "16", "-k", "2", "-s", "2", "-p", "valid"],
            [
                "Searched: kernel sizes 2 (held), strides 2 (held), dilations 1, padding "
                "'valid' (held).",
                "Try without -k or -s or -p: a held value rules the others out.",
            ],
        ),
        (
            ["solve", "7", "3", "--kind", "pool", "-k", "7", "-s", "4"],
            ["Searched: kernel sizes 7 (held), strides 4 (held).", "Try without -k or -s:"],
        ),
        (  # PyTorch takes padding='same' at stride 1 only: only stride 1 was searched
            ["solve", "10", "3", "--kind", "conv", "--framework", "torch", "-p", "same"],
            [
                "Searched: kernel sizes 1..7, strides 1, dilations 1, padding 'same' (held).",
                "Try without -p: a held value rules the others out.",
            ],
        ),
    ],
)
def test_an_empty_solve_says_what_it_searched_and_what_to_ask(
    capsys: pytest.CaptureFixture[str], argv: list[str], hints: list[str]
) -> None:
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert "0 solutions" in out
    for hint in hints:
        assert f"\n  {hint}" in out
    _, out, _ = run(capsys, *argv, "--json")
    document = json.loads(out)
    assert document["solutions"] == []
    assert all(any(hint in given for given in document["hints"]) for hint in hints)
    _, out, _ = run(capsys, "solve", "7", "14", "--json")
    assert json.loads(out)["hints"] == []


def test_plan_takes_k_for_its_kernel_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    _, short, _ = run(capsys, "plan", "7", "84", "-k", "3", "--json")
    _, long, _ = run(capsys, "plan", "7", "84", "--kernel-sizes", "3", "--json")
    assert short == long
    assert json.loads(short)["count"] == len(plan_upsampling(7, 84, kernel_sizes=(3,))) == 0
    _, both, _ = run(capsys, "plan", "7", "84", "-k", "3,4", "--json")
    assert json.loads(both)["count"] == len(plan_upsampling(7, 84, kernel_sizes=(3, 4))) == 11


def test_a_negative_crop_or_padding_is_said_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    # kernel 1, stride 2, 'same': the full output has 13 positions and Keras gives 14, so
    # one zero is appended at the end; no raw negative number is printed
    assert main(["conv-transpose", "7", "-k", "1", "-s", "2", "-p", "same"]) == 0
    out = capsys.readouterr().out
    assert out == "input (7,) -> output (14,); appends 1 zero at the end\n"
    assert main(["conv-transpose", "7x7", "-k", "1,5", "-s", "2", "-p", "same"]) == 0
    out = capsys.readouterr().out
    assert "height appends 1 zero at the end, width crops 1 at the start and 2 at the end" in out
    assert main(["conv", "7", "-k", "3", "-p", "-1", "--framework", "jax"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "input (7,) -> output (3,); removes 1 element at the start and 1 element at the end\n"
    )


def test_a_pytorch_pooling_whose_kernel_passes_the_padded_input_answers_with_ceil_mode(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # MaxPool1d(4, 2, padding=1, ceil_mode=True) on length 1 gives 1 in PyTorch; the CLI
    # once worked the pooling's padding out with the convolution's rule and refused it
    torch = oracle("torch")
    for size, kernel, stride, pad in [(1, 4, 2, 1), (2, 4, 3, 2), (3, 4, 2, 2), (5, 2, 2, 1)]:
        words = ["pool", str(size), "-k", str(kernel), "-s", str(stride), "-p", str(pad)]
        status, out, _ = run(capsys, *words, "--framework", "torch", "--ceil-mode", "--json")
        pooled = torch.nn.MaxPool1d(kernel, stride, pad, ceil_mode=True)
        expected = pooled(torch.ones(1, 1, size)).shape[-1]
        assert status == 0
        assert json.loads(out)["output"] == [expected]
        assert json.loads(out)["padding"] == [[pad, pad]]

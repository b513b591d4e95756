"""The command line: every subcommand, its --json schema, and bad input (exit 2, one line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from convshape.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_conv_transpose_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "conv-transpose", "7", "7", "-k", "5", "-s", "2", "-p", "same")
    assert status == 0
    assert out == "input (7, 7) -> output (14, 14); crop (before, after): (1, 2), (1, 2)\n"
    status, out, _ = run(
        capsys, "conv-transpose", "7", "5", "-k", "5,3", "-s", "2,3", "-p", "same", "--json"
    )
    assert json.loads(out) == {"input": [7, 5], "output": [14, 15], "crop": [[1, 2], [0, 0]]}
    status, out, _ = run(
        capsys,
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
        "--json",
    )
    assert json.loads(out) == {"input": [7], "output": [14], "crop": [[1, 0]]}


def test_explain_flag(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "conv-transpose", "7", "-k", "5", "-s", "2", "-p", "same", "--explain"
    )
    assert status == 0
    assert "'same' removes 3 // 2 = 1 before and 3 - 1 = 2 after" in out
    status, out, _ = run(
        capsys, "conv", "13", "-k", "6", "-s", "5", "-p", "same", "--explain", "--json"
    )
    document = json.loads(out)
    assert document["padding"] == [[1, 2]]
    assert "input:       p  1  2  3" in document["explanation"][0]


def test_conv_and_pool(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "conv", "28", "28", "-k", "5", "-s", "2", "-p", "same", "--json")
    assert json.loads(out) == {"input": [28, 28], "output": [14, 14], "padding": [[1, 2], [1, 2]]}
    _, out, _ = run(capsys, "pool", "25", "-k", "2", "-p", "same", "--json")
    assert json.loads(out) == {"input": [25], "output": [13], "padding": [[0, 1]]}
    _, out, _ = run(capsys, "conv", "10", "-k", "3", "-p", "causal", "-d", "2")
    assert out.startswith("input (10,) -> output (10,); padding (before, after): (4, 0)")


def test_torch_framework(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "pool", "5", "-k", "2", "--framework", "torch", "--ceil-mode", "--json")
    assert json.loads(out)["output"] == [3]
    _, out, _ = run(capsys, "pool", "5", "-k", "2", "--json")
    assert json.loads(out)["output"] == [2]
    _, out, _ = run(
        capsys, "conv-transpose", "7", "-k", "3", "-s", "2", "--framework", "torch", "--json"
    )
    assert json.loads(out) == {"input": [7], "output": [15], "crop": [[0, 0]]}
    status, _, err = run(capsys, "conv", "0", "-k", "1", "--framework", "torch")
    assert status == 2
    assert "PyTorch does not run empty spatial dimensions" in err
    status, _, err = run(
        capsys, "pool", "5", "-k", "3", "-s", "2", "-p", "2", "--framework", "torch"
    )
    assert "at most half of `kernel_size`" in err


def test_jax_and_onnx_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["conv-transpose", "7", "-k", "5", "-s", "2", "-p", "same", "--json"]
    _, out, _ = run(capsys, *base, "--framework", "jax")
    assert json.loads(out) == {"input": [7], "output": [14], "crop": [[1, 2]]}
    _, out, _ = run(capsys, *base, "--framework", "onnx")
    assert json.loads(out) == {"input": [7], "output": [14], "crop": [[1, 2]]}
    _, out, _ = run(
        capsys,
        "conv",
        "13",
        "-k",
        "6",
        "-s",
        "5",
        "-p",
        "same_lower",
        "--framework",
        "onnx",
        "--json",
    )
    assert json.loads(out)["padding"] == [[2, 1]]
    _, out, _ = run(capsys, "conv", "3", "-k", "5", "--framework", "jax", "--json")
    assert json.loads(out)["output"] == [0]  # lax returns an empty output, not an error
    # The poolings of JAX (lax.reduce_window) and ONNX (MaxPool), with their own "same":
    # tests/test_cli_pool_frameworks.py runs them against the frameworks.
    _, out, _ = run(capsys, "pool", "7", "-k", "2", "-p", "same", "--framework", "jax", "--json")
    assert (json.loads(out)["output"], json.loads(out)["padding"]) == ([4], [[0, 1]])
    argv = ["pool", "8", "-k", "3", "-s", "2", "-p", "same_lower", "--framework", "onnx"]
    _, out, _ = run(capsys, *argv, "--ceil-mode", "--json")
    assert (json.loads(out)["output"], json.loads(out)["padding"]) == ([4], [[1, 0]])


def test_solve(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "solve", "7", "14", "-k", "5", "-p", "same", "--json")
    document = json.loads(out)
    # output_padding=1 builds the same layer as None here: one solution, the other
    # spelling in same_as
    assert [s["kwargs"]["output_padding"] for s in document["solutions"]] == [None]
    assert [s["output_padding"] for s in document["solutions"][0]["same_as"]] == [1]
    assert document["solutions"][0]["split"] == [1, 2]
    _, out, _ = run(capsys, "solve", "7", "15", "-k", "5", "-s", "2", "-p", "same")
    assert "the lengths that map back to 7 are 13..14" in out
    _, out, _ = run(
        capsys, "solve", "28", "14", "--kind", "conv", "-k", "3", "--framework", "torch", "--json"
    )
    assert json.loads(out)["solutions"][0]["kwargs"] == {
        "kernel_size": 3,
        "stride": 2,
        "padding": 1,
        "dilation": 1,
    }


def test_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "tiny",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 7, 7, 256]}},
                {
                    "class_name": "Conv2DTranspose",
                    "config": {
                        "filters": 128,
                        "kernel_size": [5, 5],
                        "strides": [2, 2],
                        "padding": "same",
                        "use_bias": False,
                    },
                },
            ],
        },
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    status, out, _ = run(capsys, "summary", str(path), "--line-length", "80")
    assert status == 0
    assert out.startswith('Model: "tiny"\n')
    assert " Total params: 819,200 (3.12 MB)" in out
    _, out, _ = run(capsys, "summary", str(path), "--json")
    document = json.loads(out)
    assert document["total_params"] == 819200
    assert document["layers"][0]["output_shape"] == [None, 14, 14, 128]
    assert set(document) == {
        "name",
        "trainable",
        "input_shape",
        "output_shape",
        "layers",
        "total_params",
        "trainable_params",
        "non_trainable_params",
        "total_bytes",
        "trainable_bytes",
        "non_trainable_bytes",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["conv-transpose", "7", "-k", "0"],
            "convshape conv-transpose: error: `kernel_size` must be >= 1. Received: kernel_size=0",
        ),
        (
            ["conv-transpose", "7", "-k", "x"],
            "argument -k/--kernel-size: expected an integer or a comma-separated list of "
            "integers, got 'x'",
        ),
        (
            ["conv-transpose", "7", "-k", "4", "-s", "2", "--output-padding", "2"],
            "`--output-padding` must be smaller than `--stride` for Keras",
        ),
        (["conv", "3", "-k", "5"], "the effective kernel (5) is longer than the padded input"),
        (
            ["conv", "7", "7", "-k", "3,3,3"],
            "`kernel_size` takes one value or one per dimension (2)",
        ),
        (
            ["conv", "7", "-k", "3", "-p", "sam"],
            "`padding` must be one of 'valid', 'same', 'full', 'causal'",
        ),
        (
            ["conv-transpose", "7", "-k", "5", "-p", "same", "--framework", "torch"],
            "`--padding` for --framework torch must be an int",
        ),
        (
            ["conv-transpose", "7", "-k", "5", "--framework", "tflite"],
            "argument --framework: invalid choice: 'tflite'",
        ),
        (["summary", "/nonexistent/model.keras"], "No such file or directory"),
        (["solve", "7"], "the following arguments are required: TARGET"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        status: object = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    assert status == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_translate(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["translate", "7", "7", "-k", "5", "-s", "2", "-p", "same", "--filters", "128"]
    _, out, _ = run(capsys, *argv, "--channels", "256", "--to", "torch", "--json")
    document = json.loads(out)
    assert document["kwargs"]["padding"] == [1, 1]
    assert document["crop"] == [[0, 1], [0, 1]]
    assert document["exact"] is False
    assert "torch.nn.ConvTranspose2d(" in document["code"]
    _, out, _ = run(capsys, *argv, "--to", "jax")
    assert "lax.conv_transpose" in out
    with pytest.raises(SystemExit) as info:
        main(["translate", "7", "-k", "5", "--to", "tflite"])
    assert info.value.code == 2
    assert "invalid choice: 'tflite'" in capsys.readouterr().err
    _, out, _ = run(capsys, *argv, "--to", "onnx", "--json")
    assert json.loads(out)["kwargs"]["pads"] == [1, 1, 2, 2]


@pytest.mark.parametrize(
    "command", ["conv-transpose", "conv", "pool", "solve", "plan", "summary", "translate"]
)
def test_help_has_an_example(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert f"example: convshape {command}" in capsys.readouterr().out.replace("\n", " ")


def test_module_entry_point() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "convshape",
            "conv-transpose",
            "7",
            "-k",
            "5",
            "-s",
            "2",
            "-p",
            "same",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == "input (7,) -> output (14,); crop (before, after): (1, 2)\n"
    bad = subprocess.run(
        [sys.executable, "-m", "convshape", "conv", "3", "-k", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("convshape conv: error: ")


def _unet_file(tmp_path: Path) -> Path:
    """The depth-4 "same" U-Net of the functional zoo on (None, None, 1), as Keras saved it."""
    from tests.test_functional_keras import records

    path = tmp_path / "unet.json"
    path.write_text(records()["zoo:unet_same_none"]["json"], encoding="utf-8")
    return path


def test_sizes_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _unet_file(tmp_path)
    status, out, _ = run(capsys, "sizes", str(path), "--range", "1:400", "--near", "358")
    assert status == 0
    assert out.splitlines()[0].startswith("input 0, axis 1: n = 16k (k >= 1); smallest 16.")
    assert "input 0, axis 2: nearest to 358: 352 and 368" in out
    status, out, _ = run(capsys, "sizes", str(path), "--range", "1:64", "--json")
    document = json.loads(out)
    assert document["axes"][0]["values"] == [16, 32, 48, 64]
    assert document["axes"][0]["period"] == 16
    assert document["independent"] is True
    with pytest.raises(SystemExit, match="2"):
        run(capsys, "sizes", str(path), "--range", "9:3")
    assert "expected 1 <= A <= B" in capsys.readouterr().err


def test_check_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _unet_file(tmp_path)
    status, out, _ = run(capsys, "check", str(path), "--input-shape", "None,358,358,1")
    assert status == 0
    assert out.startswith("concatenate_1 (Concatenate): its inputs (None, 89, 89, 64), ")
    assert "max_pooling2d_2 (MaxPooling2D) turns 89 into 44 with stride 2" in out
    assert "Cropping2D(((0, 1), (0, 1))) on input 0 of concatenate_1" in out
    status, out, _ = run(capsys, "check", str(path), "--input-shape", "None,352,352,1", "--json")
    assert json.loads(out) == {"ok": True, "findings": []}
    status, out, _ = run(capsys, "check", str(path), "--input-shape", "None,358,358,1", "--json")
    document = json.loads(out)
    assert document["ok"] is False
    assert document["layer"] == "concatenate_1"
    assert document["fixes"][0]["kind"] == "input-size"
    with pytest.raises(SystemExit, match="2"):
        run(capsys, "check", str(path), "--input-shape", "None,x,3")
    assert "expected a shape like None,358,358,3" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``convshape summary FILE | head -1``: no traceback when the reader stops reading."""
    import subprocess
    import sys

    from tests.test_functional_keras import records

    path = tmp_path / "nasnet.json"
    path.write_text(records()["app:NASNetLarge"]["json"], encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "convshape", "summary", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    errors = process.stderr.read().decode()
    process.stderr.close()
    process.wait(timeout=60)
    assert first.startswith(b"Model:")
    assert "Traceback" not in errors
    assert "BrokenPipe" not in errors


def test_the_parser_loads_no_search_or_port_it_does_not_run() -> None:
    """`convshape --help` and the model commands start without the solvers, the planner
    and the porting: each subcommand loads its own when it runs."""
    code = (
        "import sys; from convshape.cli import build_parser; build_parser(); "
        "print(' '.join(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert "convshape._cli_search" in loaded
    assert not loaded & {"convshape.solve", "convshape.plan", "convshape.porting"}

"""Fuzz ``load_keras`` on mutated files and the command line on random arguments (issue 14).

``load_keras`` reads random bytes, byte-mutated JSON configs of recorded Keras models and
mutated ``.keras`` archives from disk; whatever loads is then summarised, costed and
checked under the same contract as ``tests/test_fuzz.py``. The command line, run in
process, exits 0 or 2, and on 2 writes one line naming the subcommand, no traceback.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import convshape as cs
from convshape.cli import main
from tests.test_fuzz import FUZZ, LOAD_RULES, WORDS, call, check_shape

#: Small recorded models (the biggest take a second to load, not what is fuzzed here).
_MAX_CONFIG_CHARS = 60_000


@cache
def _configs() -> list[str]:
    with gzip.open(Path(__file__).parent / "data" / "keras_models.json.gz", "rt") as handle:
        recorded = json.load(handle)
    texts = [str(entry["json"]) for entry in recorded.values() if "json" in entry]
    return sorted((text for text in texts if len(text) <= _MAX_CONFIG_CHARS), key=len)[:24]


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    """A recorded config with a few bytes flipped, inserted, deleted or cut."""
    data = bytearray(draw(st.sampled_from(_configs())).encode())
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "digit", "insert", "delete", "cut", "word"]))
        if kind == "flip" and data:
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif kind == "digit" and data:
            data[where : where + 1] = draw(st.sampled_from([b"0", b"9" * 30, b"-1", b"1e400"]))
        elif kind == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 40))]
        elif kind == "cut":
            del data[where:]
        else:
            data[where:where] = json.dumps(draw(st.sampled_from(WORDS))).encode()
    return bytes(data)


@st.composite
def mutated_archive(draw: st.DrawFn) -> bytes:
    config = draw(st.one_of(mutated_text(), st.sampled_from(_configs()).map(str.encode)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.0.0"}')
        archive.writestr(draw(st.sampled_from(["config.json", "model.json", "x"])), config)
    data = bytearray(buffer.getvalue())
    for _ in range(draw(st.integers(0, 2))):
        where = draw(st.integers(0, len(data) - 1))
        data[where] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


files = st.one_of(mutated_text(), mutated_text(), mutated_archive(), st.binary(max_size=200))


def exercise_loaded(model: Any, where: str) -> None:
    """Every analysis of a loaded model keeps the contract."""
    shape, error = call(f"{where}.output_shape", lambda: model.output_shape)
    if error is None and isinstance(shape, tuple):
        check_shape(shape, where)
    call(f"{where}.summarize", lambda: str(model.summarize()))
    for function in (cs.cost, cs.receptive_fields, cs.check):
        call(f"{function.__name__}({where})", function, model)


@FUZZ
@given(data=files, suffix=st.sampled_from([".json", ".keras", ".txt", ""]))
def test_load_keras_on_mutated_files(tmp_path_factory: Any, data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"model{suffix}"
    path.write_bytes(data)
    rules = {**LOAD_RULES, "_names": [*LOAD_RULES["_names"], path.name]}
    model, error = call("load_keras", cs.load_keras, path, **rules)
    if error is None:
        exercise_loaded(model, f"load_keras({path.name})")


@FUZZ
@given(text=mutated_text())
def test_load_keras_on_mutated_text(text: bytes) -> None:
    try:
        source: Any = text.decode()
    except UnicodeDecodeError:
        return
    with contextlib.suppress(ValueError, RecursionError):
        source = json.loads(source)  # as a config dict too, when it still parses
    model, error = call("load_keras", cs.load_keras, source, **LOAD_RULES)
    if error is None:
        exercise_loaded(model, "load_keras(mutated)")


def test_reading_a_short_file_allocates_what_it_holds(tmp_path: Path) -> None:
    """Regression: an empty or short file was read with read(max_bytes + 1), which
    allocates 64 MiB at once whatever the file holds (the fuzzer's memory bound)."""
    for data in (b"", b"{}", _configs()[0].encode()):
        path = tmp_path / "model.json"
        path.write_bytes(data)
        rules = {**LOAD_RULES, "_names": [*LOAD_RULES["_names"], path.name]}
        call("load_keras", cs.load_keras, path, _strict=True, **rules)


# ---------------------------------------------------------------------------------------
# The command line.

numbers = st.one_of(
    st.integers(-3, 30).map(str),
    st.sampled_from(
        ["0", "10" * 30, "1" + "0" * 5000, "-0", "1.5", "nan", "", "3,3", "2,2,2", "7x7", "1:2,0:1"]
    ),
    st.text(alphabet="0123456789,-:x ", max_size=6),
)
flags = st.sampled_from(
    [
        ["-k"],
        ["-s"],
        ["-d"],
        ["-p"],
        ["--output-padding"],
        ["--framework"],
        ["--to"],
        ["--json"],
        ["--max-stride"],
        ["--max-kernel-size"],
        ["--input-shape"],
        ["--ceil-mode"],
        ["--explain"],
        ["--kind"],
        ["--max-dilation"],
        ["--filters"],
        ["--channels"],
        ["--line-length"],
        ["--columns"],
        ["--batch-size"],
        ["--range"],
        ["--near"],
        ["--kernel-sizes"],
        ["--max-layers"],
        ["--limit"],
    ]
)
values = st.one_of(numbers, st.sampled_from(WORDS), st.just("same"), st.just("2:1"))


MODEL_COMMANDS = ("summary", "sizes", "check")


@st.composite
def argv(draw: st.DrawFn, model: str) -> list[str]:
    command = draw(
        st.sampled_from(
            ["conv-transpose", "conv", "pool", "solve", "plan", "translate", *MODEL_COMMANDS]
        )
    )
    words = [command]
    if command in MODEL_COMMANDS:
        words.append(draw(st.sampled_from([model, model, "/nonexistent.keras", "/dev/null"])))
    words += draw(st.lists(numbers, min_size=0, max_size=3))
    for _ in range(draw(st.integers(0, 4))):
        words += draw(flags)
        words.append(draw(values))
    if draw(st.booleans()):
        words.append("--json")
    return words


def run_cli(words: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = main(words)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 2
    return status, stdout.getvalue(), stderr.getvalue()


@cache
def _model_file() -> str:
    """A recorded model's config, written once for the model subcommands."""
    path = Path(tempfile.mkdtemp(prefix="convshape-fuzz-")) / "model.json"
    path.write_text(_configs()[0])
    return str(path)


@FUZZ
@given(data=st.data())
def test_cli(data: st.DataObject) -> None:
    words = data.draw(argv(_model_file()), label="argv")
    result, error = call("convshape", run_cli, words)
    assert error is None, words
    status, out, err = result
    assert status in (0, 2), (words, status, err)
    if status == 2:
        assert "Traceback" not in err
        lines = err.strip().splitlines()
        assert len(lines) == 1 or lines[0].startswith("usage:"), (words, err)
        assert "error" in lines[-1], (words, err)
    else:
        assert out.strip(), words
        if "--json" in words:
            json.loads(out)


def test_cli_sizes_of_a_model_without_spatial_axes_prints_a_sentence() -> None:
    """Regression: ``convshape sizes`` on a Dense-only model printed an empty line."""
    status, out, _ = run_cli(["sizes", _model_file()])
    assert status == 0
    assert "no spatial axis" in out


@pytest.mark.parametrize(
    "words",
    [
        ["conv", "1" + "0" * 4400, "-k", "3"],
        ["solve", "7", "14", "-p", "2"],
        ["conv-transpose", "7", "-k", "5", "-s", "2", "-p", "same"],
    ],
)
def test_cli_cases(words: list[str]) -> None:
    status, _, err = run_cli(words)
    assert status in (0, 2)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "words",
    [
        ["conv", "1" + "0" * 5000, "-k", "3"],
        ["conv-transpose", "7", "-k", "5", "-s", "2", "-p", "bogus"],
        ["summary", "/dev/zero"],
    ],
)
def test_cli_in_a_process_exits_2_with_one_line(words: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "convshape", *words],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr

"""``model.summary()`` at every width, against real Keras 3 printing through rich.

Keras sizes its table from ``line_length`` (default 88, capped by shutil's terminal
width minus 4) and prints it on a rich console, which cuts each line to the console's
width: ``JUPYTER_COLUMNS`` or 115 in a notebook, ``COLUMNS``, or the first of stdin,
stdout and stderr that is a terminal (``| cat`` in a terminal keeps its width), else 80.
A table wider than that console loses its last columns in Keras too; these tests check
that convshape prints what Keras prints, character for character, in each situation:
for a Sequential model and a functional one with "Connected to": a pipe without a
terminal, narrow terminals (``COLUMNS``), a notebook (rich's own test,
``get_ipython()`` returning a ``ZMQInteractiveShell``), and a pipe from a 100-column
terminal (a pseudo-terminal on stdin).
"""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import convshape as cs
from convshape._render import render_summary
from convshape.models import summarize
from tests.oracles import ORACLE_COUNTS, oracle
from tests.zoo import dcgan_generator

ROOT = Path(__file__).parents[1]
CONVSHAPE = SimpleNamespace(Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers)

#: Runs in a fresh interpreter: for each environment and each set of options, the text
#: Keras prints (to stdout, or to a notebook's display, or to ``print_fn``) and the text
#: convshape prints, as JSON.
HARNESS = r"""
import builtins, contextlib, io, json, os, sys, warnings
from itertools import product
from types import SimpleNamespace

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
import rich.jupyter

import convshape as cs
from tests.zoo import dcgan_generator

shown = []
# What a notebook shows: rich renders the segments to HTML <pre>; their text is the table.
rich.jupyter.display = lambda segments, text: shown.append("".join(s.text for s in segments))


class ZMQInteractiveShell:  # rich's test for a Jupyter kernel is this class name
    pass


def branches(k):  # a functional model that is not a chain: a "Connected to" column
    image = k.Input((16, 16, 3), name="image")
    left = k.layers.Conv2D(8, 3, padding="same", name="left")(image)
    right = k.layers.Conv2D(8, 5, padding="same", name="right")(image)
    merged = k.layers.Concatenate(name="merge")([left, right])
    up = k.layers.Conv2DTranspose(4, 3, strides=2, padding="same", name="up")(merged)
    return k.Model(image, up, name="branches")


keras_side = SimpleNamespace(
    Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers, Model=keras.Model
)
ours_side = SimpleNamespace(
    Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers, Model=cs.Model
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    pairs = [(build(keras_side), build(ours_side)) for build in (dcgan_generator, branches)]


def printed(model, **options):
    shown.clear()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary(**options)
    return out.getvalue() + "".join(shown)


def collected(model, **options):
    texts = []
    model.summary(print_fn=texts.append, **options)
    return "".join(texts)


def attempt(how, model, options):
    try:
        return how(model, **options)
    except ValueError as error:  # both refuse a column narrower than 4 characters
        return "refused: " + str(error).split(":")[0]


results = []
for environ in json.loads(sys.argv[1]):
    for key in ("COLUMNS", "LINES", "JUPYTER_COLUMNS"):
        os.environ.pop(key, None)
    environ = dict(environ)
    jupyter = environ.pop("jupyter", False)
    os.environ.update(environ)
    if jupyter:
        builtins.get_ipython = ZMQInteractiveShell
    cases = product(json.loads(sys.argv[2]), pairs, (printed, collected))
    for options, (theirs, ours), how in cases:
        if "positions" in options and ours.name == "branches":
            continue  # three positions for four columns
        texts = [attempt(how, theirs, options), attempt(how, ours, options)]
        results.append([environ, jupyter, options, ours.name + " " + how.__name__, *texts])
    if jupyter:
        del builtins.get_ipython
print(json.dumps(results))
"""

#: line_length None (Keras's default), narrower and wider than every console; positions;
#: the Trainable column; widths where the headers wrap ("Param #" on two lines).
OPTIONS: list[dict[str, Any]] = [
    {},
    {"line_length": 60},
    {"line_length": 88},
    {"line_length": 120},
    {"line_length": 200},
    {"line_length": 120, "positions": [0.3, 0.6, 1.0]},
    {"line_length": 88, "positions": [0.5, 0.7, 1.0]},
    {"show_trainable": True},
    {"line_length": 100, "show_trainable": True},
    {"line_length": 30},
    {"line_length": 40, "show_trainable": True},
]

ENVIRONMENTS: list[dict[str, Any]] = [
    {},  # a pipe, no terminal anywhere: 80 columns
    {"COLUMNS": "60"},
    {"COLUMNS": "80"},
    {"COLUMNS": "150"},
    {"jupyter": True},  # a notebook: 115 columns, whatever COLUMNS says
    {"jupyter": True, "JUPYTER_COLUMNS": "100"},
    {"jupyter": True, "COLUMNS": "60"},
]


def _run(environments: list[dict[str, Any]], stdin: Any) -> list[list[Any]]:
    oracle("keras")
    oracle("rich")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERM")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, json.dumps(environments), json.dumps(OPTIONS)],
        stdin=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    results: list[list[Any]] = json.loads(done.stdout)
    ORACLE_COUNTS["keras summary widths"] = ORACLE_COUNTS.get("keras summary widths", 0) + len(
        results
    )
    return results


def _compare(results: list[list[Any]]) -> None:
    different = [case[:4] for case in results if case[4] != case[5]]
    assert not different, different
    for *case, theirs, ours in results:
        assert theirs == ours, case


def test_widths_match_keras_without_a_terminal() -> None:
    _compare(_run(ENVIRONMENTS, subprocess.DEVNULL))


def test_widths_match_keras_in_a_pipe_from_a_terminal() -> None:
    """``python script.py | cat`` in a 100-column terminal: stdout is a pipe (shutil,
    hence Keras's default line_length, says 80) but rich reads stdin's width."""
    if sys.platform == "win32":
        pytest.skip("needs a POSIX pseudo-terminal")
    import fcntl
    import pty
    import struct
    import termios

    primary, secondary = pty.openpty()
    try:
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        results = _run([{}], secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    _compare(results)
    # Keras keeps the Param # column up to 100 columns here.
    wide = [case for case in results if case[2] == {"line_length": 88} and "seq" in case[3]]
    assert wide
    assert all("Param #" in case[4] for case in wide)


class ZMQInteractiveShell:
    """What ``get_ipython()`` returns in a Jupyter kernel (rich tests the class name)."""


def test_console_columns_in_a_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builtins, "get_ipython", ZMQInteractiveShell, raising=False)
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.delenv("JUPYTER_COLUMNS", raising=False)
    assert summarize.console_columns() == 115
    monkeypatch.setenv("JUPYTER_COLUMNS", "100")
    assert summarize.console_columns() == 100


def test_summary_in_a_notebook_keeps_param_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The issue's case: ``summary(line_length=88)`` in a notebook, where the kernel's
    stdout is no terminal (shutil says 80), is printed whole on rich's 115 columns."""
    monkeypatch.setattr(builtins, "get_ipython", ZMQInteractiveShell, raising=False)
    for name in ("COLUMNS", "LINES", "JUPYTER_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "get_terminal_size", _no_terminal)
    printed: list[str] = []
    dcgan_generator(CONVSHAPE).summary(line_length=88, print_fn=printed.append)
    lines = printed[0].splitlines()
    assert lines[2].endswith("┃         Param # ┃")
    assert max(map(len, lines)) == 88


def test_console_columns_read_stdin_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """``| cat``: stdout is a pipe, stdin a 120-column terminal; rich takes stdin's width."""
    for name in ("COLUMNS", "LINES", "JUPYTER_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delattr(builtins, "get_ipython", raising=False)

    def size(descriptor: int) -> os.terminal_size:
        if descriptor != 0:
            raise OSError("not a terminal")
        return os.terminal_size((120, 30))

    monkeypatch.setattr(os, "get_terminal_size", size)
    assert summarize.console_columns() == 120
    printed: list[str] = []
    dcgan_generator(CONVSHAPE).summary(line_length=120, print_fn=printed.append)
    assert "Param #" in printed[0]
    assert max(map(len, printed[0].splitlines())) == 120


def _no_terminal(descriptor: int = 1) -> os.terminal_size:
    raise OSError("not a terminal")


def test_wrapped_headers_are_aligned_to_the_bottom() -> None:
    """rich puts a header's short cells at the bottom of a wrapped header row."""
    summary = cs.Sequential([cs.Input((3,)), cs.layers.Dense(2)]).summarize()
    lines = render_summary(summary, line_length=44).splitlines()
    assert lines[2:4] == [
        "┃                  ┃              ┃  Param ┃",
        "┃ Layer (type)     ┃ Output Shape ┃      # ┃",
    ]

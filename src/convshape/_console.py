"""The width of the console a summary is printed on, as Keras reads it: ``shutil``'s
terminal size for its default ``line_length``, rich's console size for the width its
table is cut to (a notebook, ``COLUMNS``, a dumb terminal, the first terminal of stdin,
stdout and stderr).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` without importing ``shutil`` (which loads
    the compression modules): ``COLUMNS`` if set, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def console_columns(to_stdout: bool = True) -> int:
    """The width of the rich console Keras prints its summary on (``Console.size``):
    ``JUPYTER_COLUMNS`` or 115 in a notebook; else ``COLUMNS`` if set; else 80 on a dumb
    terminal; else the width of the first of stdin, stdout and stderr that is a terminal
    (so ``| cat`` in a terminal keeps the terminal's width); else 80.

    Not ``terminal_columns()``: Keras's default ``line_length`` comes from shutil (stdout
    only), the width its table is cut to from rich.
    """
    import builtins  # noqa: PLC0415  (built in: costs nothing)

    environ = os.environ
    if _in_jupyter(getattr(builtins, "get_ipython", None)):
        columns = environ.get("JUPYTER_COLUMNS", "")
        return int(columns) if columns.isdigit() else 115
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) and environ.get("LINES", "").isdigit():
        return int(columns)
    if to_stdout and environ.get("TERM", "").lower() in ("dumb", "unknown") and _is_tty():
        return 80
    if columns.isdigit() and int(columns):
        return int(columns)
    for descriptor in (1, 2) if sys.platform == "win32" else (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):  # not a terminal
            continue
        return width or 80
    return 80


def _in_jupyter(get_ipython: Any) -> bool:
    """rich's test for a notebook: IPython's ``get_ipython()`` is a kernel's shell."""
    if get_ipython is None:
        return False
    try:
        shell = get_ipython()
    except Exception:  # whatever a failing stand-in is, it is not a notebook
        return False
    return (
        "google.colab" in str(type(shell))
        or bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))
        or type(shell).__name__ == "ZMQInteractiveShell"
    )


def _is_tty() -> bool:
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):
        return False

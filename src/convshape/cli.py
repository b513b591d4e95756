"""The ``convshape`` command line (also ``python -m convshape``).

Every subcommand prints text, or a JSON document with ``--json``. A bad argument
prints one line on stderr and exits with status 2.

This module builds the parser and runs a subcommand; each subcommand's options and
answer live with its topic: ``_cli_layer`` (conv, conv-transpose, pool),
``_cli_search`` (solve, plan), ``_cli_summary``, ``_cli_translate`` and ``_cli_models``
(sizes, check), the option values they share in ``_cli_options``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn

from . import __version__, _cli_layer, _cli_models, _cli_search, _cli_summary, _cli_translate
from .errors import ConvShapeError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


class _CommandsFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the command list in two columns: argparse measures the commands one indent
    shallower than it prints them, so the longest (conv-transpose) broke its line."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.choices is not None and action.dest == "command":
            self._action_max_length += self._indent_increment


class _Command(NamedTuple):
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], dict[str, Any]]


def _layer_arguments(
    *, transpose: bool = False, pool: bool = False
) -> Callable[[argparse.ArgumentParser], None]:
    return lambda sub: _cli_layer.add_arguments(sub, transpose=transpose, pool=pool)


#: The subcommands in the order the help lists them.
_COMMANDS = {
    "conv-transpose": _Command(
        "output size and crop of a transposed convolution",
        _layer_arguments(transpose=True),
        _cli_layer.conv_transpose_command,
    ),
    "conv": _Command(
        "output size and padding of a convolution",
        _layer_arguments(),
        _cli_layer.conv_command,
    ),
    "pool": _Command(
        "output size and padding of a pooling layer",
        _layer_arguments(pool=True),
        _cli_layer.pool_command,
    ),
    "solve": _Command(
        "every argument combination that takes SIZE to TARGET in one layer",
        _cli_search.add_solve_arguments,
        _cli_search.solve_command,
    ),
    "plan": _Command(
        "stacks of strided layers that take SIZE to TARGET, up or down",
        _cli_search.add_plan_arguments,
        _cli_search.plan_command,
    ),
    "summary": _Command(
        "the summary of a saved Keras model, Sequential or functional (.keras or JSON)",
        _cli_summary.add_arguments,
        _cli_summary.summary_command,
    ),
    "translate": _Command(
        "the exact PyTorch, JAX or ONNX port of a Keras convolution, with code",
        _cli_translate.add_arguments,
        _cli_translate.translate_command,
    ),
    "sizes": _Command(
        "which input sizes a saved Keras model accepts, per spatial axis",
        _cli_models.add_sizes_arguments,
        _cli_models.sizes_command,
    ),
    "check": _Command(
        "why a saved Keras model fails on an input shape, with fixes; its traps",
        _cli_models.add_check_arguments,
        _cli_models.check_command,
    ),
}

_EXAMPLES = {
    **_cli_layer.EXAMPLES,
    **_cli_search.EXAMPLES,
    **_cli_summary.EXAMPLES,
    **_cli_translate.EXAMPLES,
    **_cli_models.EXAMPLES,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``convshape`` command."""
    parser = _Parser(
        prog="convshape",
        description=(
            "Exact output shapes of convolution layers, as Keras, PyTorch, JAX and ONNX "
            "compute them."
        ),
        epilog="example: convshape conv-transpose 7 -k 5 -s 2 -p same\n"
        "`convshape COMMAND --help` gives a command's options and an example.",
        formatter_class=_CommandsFormatter,
    )
    parser.add_argument("--version", action="version", version=f"convshape {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for name, command in _COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=command.help,
            description=command.help,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Without arguments it prints its usage and commands on stderr and returns 2, as
    argparse does for any missing argument.
    """
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not words:
        parser.print_help(sys.stderr)
        return 2
    args = parser.parse_args(words)
    if "sizes" in args:  # each SIZE word is a list: 28x28 is two sizes
        args.sizes = [size for group in args.sizes for size in group]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = _COMMANDS[args.command].run(args)
    except (ConvShapeError, TypeError, OSError) as error:
        message = str(error).replace("\n", " ")
        sys.stderr.write(f"convshape {args.command}: error: {message}\n")
        return 2
    # A warning is one line like an error, not Python's file:line report of our own source.
    for message in dict.fromkeys(str(warning.message).replace("\n", " ") for warning in caught):
        sys.stderr.write(f"convshape {args.command}: warning: {message}\n")
    try:
        if args.json:
            result.pop("text")
            print(json.dumps(result, indent=2))
        else:
            print(str(result["text"]).rstrip("\n"))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (``| head``): end quietly, as Python's documentation
        # recommends, with stdout pointed at devnull so that the exit flush is silent too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0

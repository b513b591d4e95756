"""The ``summary`` subcommand: Keras's summary of a saved model, read without
TensorFlow, with convshape's optional columns."""

from __future__ import annotations

import argparse
from typing import Any

from . import _cli_options as opt
from .loading import load_keras

__all__ = ["EXAMPLES", "add_arguments", "summary_command"]

EXAMPLES = {"summary": "example: convshape summary generator.keras"}


def _columns(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("model_file", metavar="MODEL_FILE", help=".keras archive or JSON file")
    sub.add_argument("--line-length", type=int, metavar="N", help="table width (default: Keras's)")
    sub.add_argument(
        "--columns",
        type=_columns,
        metavar="LIST",
        help="optional columns after Keras's: macs,flops,output_bytes,receptive_field "
        "(default: none)",
    )
    sub.add_argument(
        "--batch-size",
        type=int,
        metavar="N",
        default=1,
        help="batch size for the costs (default 1)",
    )
    opt.add_json_flag(sub, "Summary.to_dict() as JSON")


def summary_command(args: argparse.Namespace) -> dict[str, Any]:
    model = load_keras(args.model_file)
    printed: list[str] = []
    options = {"columns": args.columns, "batch_size": args.batch_size}
    model.summary(line_length=args.line_length, print_fn=printed.append, **options)
    return {**model.summarize(**options).to_dict(), "text": printed[0]}

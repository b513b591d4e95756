"""The command line's words: how its option values are read (``5,3``, ``28x28``,
``1:2,0:1``), the options several subcommands share, how one value or one per axis
becomes a value per axis, and the refusal of an option combination."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from .errors import ConvShapeError

__all__ = [
    "add_json_flag",
    "add_kernel_size",
    "add_sizes",
    "ints",
    "one_padding",
    "padding",
    "paddings",
    "per_dimension",
    "refuse",
    "sizes",
]


def ints(text: str) -> list[int]:
    """One value for every dimension, or one per dimension: "5" or "5,3"."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer or a comma-separated list of integers, got {text!r}"
        ) from None


def sizes(text: str) -> list[int]:
    """One size, or a shape written 28x28 or 28,28 (the spatial sizes, in order)."""
    try:
        return [int(part) for part in text.lower().replace("x", ",").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a size or spatial sizes such as 28x28 or 28,28, got {text!r}"
        ) from None


def one_padding(text: str) -> Any:
    """A mode name, an int, or before:after."""
    if ":" in text:
        before, _, after = text.partition(":")
        return (int(before), int(after)) if before.isdigit() and after.isdigit() else text
    return int(text) if text.lstrip("-").isdigit() else text


def padding(text: str) -> Any:
    """A mode name, an int, or before:after for every axis, or ints and pairs per axis:
    1,2 or 1:2,0:1 (a list)."""
    if "," not in text:
        return one_padding(text)
    values = [one_padding(part) for part in text.split(",")]
    if any(isinstance(value, str) for value in values):
        raise argparse.ArgumentTypeError(
            "per-axis padding takes an int or before:after per axis (such as 1:2,0:1); "
            f"a mode applies to every axis: got {text!r}"
        )
    return values


def add_sizes(parser: argparse.ArgumentParser, example: int) -> None:
    """The SIZE words, each a size or a shape (main joins them into one list)."""
    parser.add_argument(
        "sizes",
        metavar="SIZE",
        nargs="+",
        type=sizes,
        help=f"input size per spatial dimension: {example} {example}, {example}x{example} "
        f"or {example},{example}",
    )


def add_kernel_size(parser: argparse.ArgumentParser, what: str = "kernel") -> None:
    """The required -k, one size or one per axis (``what``: a kernel's or a pool's)."""
    parser.add_argument(
        "-k",
        "--kernel-size",
        type=ints,
        required=True,
        metavar="K",
        help=f"{what} size: K or K1,K2 (required)",
    )


def add_json_flag(parser: argparse.ArgumentParser, what: str = "a JSON document") -> None:
    """--json: main prints the document as JSON, without its text."""
    parser.add_argument("--json", action="store_true", help=f"print {what} (default: text)")


def paddings(value: Any, rank: int) -> list[Any]:
    """The padding of each axis: one for all, or a list of one per axis."""
    if not isinstance(value, list):
        return [value] * rank
    if len(value) != rank:
        raise ConvShapeError(
            f"`--padding` takes one value or one per dimension ({rank})",
            argument="padding",
            received={"padding": ",".join(map(str, value))},
        )
    return value


def per_dimension(values: list[int] | None, rank: int, name: str, default: int | None) -> list[Any]:
    """One value for every axis (``default`` when the option is not given), or one per axis."""
    if values is None:
        return [default] * rank
    if len(values) == 1:
        return values * rank
    if len(values) != rank:
        raise ConvShapeError(
            f"`{name}` takes one value or one per dimension ({rank})",
            argument=name,
            received={name: ",".join(map(str, values))},
        )
    return values


def refuse(rule: str, argument: str, received: dict[str, Any]) -> NoReturn:
    """An option combination no framework takes: main prints one line and exits 2."""
    raise ConvShapeError(rule, argument=argument, received=received)

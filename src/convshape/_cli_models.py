"""The command line's model subcommands: ``sizes`` (which input sizes a saved model
accepts) and ``check`` (why it fails on one, with fixes)."""

from __future__ import annotations

import argparse
from typing import Any

from ._validate import check_shape
from .diagnosis import diagnose
from .errors import ConvShapeError
from .loading import load_keras
from .pitfalls import check
from .sizes import input_sizes

__all__ = ["add_check_arguments", "add_sizes_arguments", "check_command", "sizes_command"]

EXAMPLES = {
    "sizes": "example: convshape sizes unet.keras --range 1:1024 --near 358",
    "check": "example: convshape check unet.keras --input-shape None,358,358,3",
}


def _range(text: str) -> range:
    try:
        low, high = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A:B (two ints, A <= B), got {text!r}") from None
    if not 1 <= low <= high:
        raise argparse.ArgumentTypeError(f"expected 1 <= A <= B, got {text!r}")
    return range(low, high + 1)


def _shape(text: str) -> tuple[int | None, ...]:
    parts = [part.strip() for part in text.strip("()[] ").split(",") if part.strip()]
    try:
        return check_shape(
            tuple(None if part in ("None", "none", "?") else int(part) for part in parts)
        )
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"expected a shape like None,358,358,3, got {text!r}"
        ) from None


def add_sizes_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("model_file", metavar="MODEL_FILE", help=".keras archive or JSON file")
    sub.add_argument(
        "--range", type=_range, default=range(1, 1025), help="lengths to try, A:B (default 1:1024)"
    )
    sub.add_argument(
        "--near", type=int, help="also give the valid lengths nearest to N (default: none)"
    )
    sub.add_argument("--json", action="store_true", help="print a JSON document (default: text)")


def add_check_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("model_file", metavar="MODEL_FILE", help=".keras archive or JSON file")
    sub.add_argument(
        "--input-shape",
        type=_shape,
        action="append",
        help="the input shape, batch included, such as None,358,358,3; repeat it for each "
        "input of the model (default: the model's own input shapes)",
    )
    sub.add_argument("--json", action="store_true", help="print a JSON document (default: text)")


def sizes_command(args: argparse.Namespace) -> dict[str, Any]:
    model = load_keras(args.model_file)
    found = input_sizes(model, args.range)
    document = found.to_dict()
    lines = [str(found)]
    if args.near is not None:
        for item in found.inputs:
            for axis in item.axes:
                below, above = axis.nearest(args.near)
                lines.append(
                    f"input {item.index}, axis {axis.axis}: nearest to {args.near}: "
                    f"{below} and {above}"
                )
                document.setdefault("near", []).append(
                    {"input": item.index, "axis": axis.axis, "below": below, "above": above}
                )
    document["text"] = "\n".join(lines)
    return document


def check_command(args: argparse.Namespace) -> dict[str, Any]:
    model = load_keras(args.model_file)
    shapes = args.input_shape
    if shapes:
        given: Any = shapes[0] if len(shapes) == 1 else list(shapes)
        found = diagnose(model, given)
        if found is not None:
            return {**found.to_dict(), "ok": False, "text": str(found)}
    elif not model.inputs:
        raise ConvShapeError("the model has no input", argument="input_shape", received={})
    findings = check(model, given if shapes else None)
    text = "\n".join(str(finding) for finding in findings) or "no problem found"
    return {
        "ok": True,
        "findings": [{"code": f.code, "layer": f.layer, "message": f.message} for f in findings],
        "text": text,
    }

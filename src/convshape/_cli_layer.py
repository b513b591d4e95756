"""The one-layer subcommands ``conv``, ``conv-transpose`` and ``pool``: their options,
the option combinations no framework takes, the CLI's padding in each framework's terms,
the answer per axis by the framework table's rules, and its text."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from . import _cli_options as opt
from ._frameworks import FRAMEWORKS as TABLE
from ._frameworks import Framework, framework
from ._solve_words import crop_words
from ._types import Pad
from ._words import counted
from .explain import explain_conv, explain_conv_transpose, explain_pool

__all__ = ["EXAMPLES", "add_arguments", "conv_command", "conv_transpose_command", "pool_command"]

_FRAMEWORKS = tuple(TABLE)  # keras, torch, jax, onnx
#: The frameworks whose poolings take ceil_mode.
_CEIL_MODE = tuple(name for name, rules in TABLE.items() if rules.pool_ceil_mode)

EXAMPLES = {
    "conv-transpose": "example: convshape conv-transpose 7x7 -k 5 -s 2 -p same --explain",
    "conv": "example: convshape conv 28x28 -k 5 -s 2 -p same",
    "pool": "example: convshape pool 25 -k 2 -p same --json",
}


def add_arguments(
    parser: argparse.ArgumentParser, *, transpose: bool = False, pool: bool = False
) -> None:
    """The options of ``conv`` (neither flag), ``conv-transpose`` or ``pool``."""
    opt.add_sizes(parser, 28)
    opt.add_kernel_size(parser, "pool" if pool else "kernel")
    parser.add_argument(
        "-s",
        "--stride",
        type=opt.ints,
        metavar="S",
        help="stride: S or S1,S2 (default: the pool size)"
        if pool
        else "stride: S or S1,S2 (default 1)",
    )
    if pool:
        modes = "valid, same"
    elif transpose:
        modes = "valid, same, full; an int or before:after is the crop"
    else:
        modes = "valid, same, full, causal (1D), same_lower (onnx)"
    parser.add_argument(
        "-p",
        "--padding",
        type=opt.padding,
        default="valid",
        metavar="P",
        help=f"{modes}, an int, before:after, or per axis 1,2 or 1:2,0:1 (default valid)",
    )
    if not pool:
        parser.add_argument(
            "-d", "--dilation", type=opt.ints, metavar="D", help="dilation: D or D1,D2 (default 1)"
        )
    if transpose:
        parser.add_argument(
            "--output-padding",
            type=opt.ints,
            metavar="OP",
            help="output padding: OP or OP1,OP2 (default: Keras's None, PyTorch's and ONNX's 0)",
        )
    if pool:
        parser.add_argument(
            "--ceil-mode",
            action="store_true",
            help=f"ceil_mode, with --framework {' or '.join(_CEIL_MODE)} (default off)",
        )
    parser.add_argument(
        "--framework",
        choices=_FRAMEWORKS,
        default="keras",
        help=f"whose conventions: {', '.join(_FRAMEWORKS)} (default keras)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="walk through the computation by the --framework's rules (default off)",
    )
    opt.add_json_flag(parser)


def _takers(fact: Callable[[Framework], bool]) -> str:
    """The --framework values whose record in the table has ``fact``, in the table's order:
    "--framework torch or onnx"."""
    return "--framework " + " or ".join(name for name, rules in TABLE.items() if fact(rules))


def _check_geometry(args: argparse.Namespace, *, transpose: bool, pool: bool) -> None:
    """Option combinations no framework takes, or the --framework does not (its record in
    the framework table says what it takes): one error naming both options."""
    rules = framework(args.framework)
    rank = len(args.sizes)
    paddings = opt.paddings(args.padding, rank)
    if pool and args.ceil_mode and not rules.pool_ceil_mode:
        opt.refuse(
            f"`--ceil-mode` needs {_takers(lambda rules: rules.pool_ceil_mode)}; "
            f"{rules.title}'s pooling has no ceil_mode",
            "ceil_mode",
            {"ceil_mode": True, "framework": args.framework},
        )
    if pool and not rules.pool_explicit_padding and any(not isinstance(p, str) for p in paddings):
        opt.refuse(
            f"`--padding` of a {rules.title} pooling is 'valid' or 'same'; an explicit "
            f"padding needs {_takers(lambda rules: rules.pool_explicit_padding)}",
            "padding",
            {"padding": args.padding, "framework": args.framework},
        )
    if pool and any(p in ("causal", "full") for p in paddings):
        opt.refuse(
            "`--padding` of a pooling is valid, same or explicit; no pooling pads "
            f"{args.padding!r}",
            "padding",
            {"padding": args.padding},
        )
    if "causal" in paddings and rank > 1:
        opt.refuse(
            f"`--padding causal` pads a 1D convolution only (Keras's Conv1D); "
            f"{rank} sizes ask a {rank}D question",
            "padding",
            {"padding": "causal", "SIZE": args.sizes},
        )
    # PyTorch's int padding refuses the modes it lacks in its own words (_torch_padding).
    if "causal" in paddings and not rules.causal and not rules.symmetric_padding:
        opt.refuse(
            f"`--padding causal` is Keras's (Conv1D); --framework {args.framework} has no "
            "causal mode: give the pair k_eff-1:0",
            "padding",
            {"padding": "causal", "framework": args.framework},
        )
    if not pool and not rules.strided_dilation:
        strided = any(s != 1 for s in args.stride or [1])
        dilated = any(d != 1 for d in args.dilation or [1])
        if strided and dilated:
            opt.refuse(
                f"{rules.title} rejects `--stride` > 1 together with `--dilation` > 1 "
                "(PyTorch takes both: --framework torch)",
                "dilation",
                {"stride": args.stride, "dilation": args.dilation},
            )
    if transpose and not rules.output_padding and args.output_padding is not None:
        opt.refuse(
            f"`--output-padding` with --framework {args.framework}: lax has no output_padding, "
            "give an asymmetric before:after padding instead",
            "output_padding",
            {"output_padding": args.output_padding, "framework": args.framework},
        )


def _torch_padding(padding: Any, strided: bool, *, transpose: bool, pool: bool) -> Any:
    """PyTorch's padding is an int (symmetric); Conv also takes "valid", and "same" at stride 1."""
    if isinstance(padding, int):
        return padding
    if padding == "valid" and (transpose or pool):
        return 0  # the default -p valid is padding 0 in PyTorch's int terms
    allowed = () if transpose or pool else ("valid", "same")
    if padding not in allowed or (padding == "same" and strided):
        rule = "`--padding` for --framework torch must be an int (PyTorch pads symmetrically)"
        if not transpose and not pool:
            rule += ', "valid", or "same" with stride 1'
        opt.refuse(rule, "padding", {"padding": padding})
    return padding


def _capital_padding(padding: Any, same: str) -> Any:
    """The CLI's padding in lax's or ONNX's terms: a mode in capitals, ``same`` as
    ``same``, an int as a (before, after) pair."""
    if isinstance(padding, str):
        mode = padding.upper()
        return same if mode == "SAME" else mode
    return (padding, padding) if isinstance(padding, int) else padding


def _framework_padding(
    rules: Framework, padding: Any, strided: bool, *, transpose: bool, pool: bool
) -> Any:
    """The CLI's padding (a mode, an int or a pair) in the terms of the framework
    ``rules``'s functions, spelled as its record in the framework table says."""
    if rules.symmetric_padding:
        return _torch_padding(padding, strided, transpose=transpose, pool=pool)
    if rules.modes_in_capitals:
        return _capital_padding(padding, rules.same)
    return padding


def conv_transpose_command(args: argparse.Namespace) -> dict[str, Any]:
    _check_geometry(args, transpose=True, pool=False)
    rules = framework(args.framework)
    rank = len(args.sizes)
    kernels = opt.per_dimension(args.kernel_size, rank, "kernel_size", None)
    strides = opt.per_dimension(args.stride, rank, "stride", 1)
    dilations = opt.per_dimension(args.dilation, rank, "dilation", 1)
    ops = opt.per_dimension(args.output_padding, rank, "output_padding", None)
    if rules.output_padding_below_stride:
        _check_output_padding_below_stride(rules, ops, strides)
    paddings = [
        _framework_padding(rules, p, False, transpose=True, pool=False)
        for p in opt.paddings(args.padding, rank)
    ]
    dims = list(zip(args.sizes, kernels, strides, paddings, ops, dilations, strict=True))
    output = [rules.conv_transpose_output_length(*dim) for dim in dims]
    crops = [list(rules.conv_transpose_crop(*dim)) for dim in dims]
    result: dict[str, Any] = {"input": args.sizes, "output": output, "crop": crops}
    if args.explain:
        result["explanation"] = [
            str(explain_conv_transpose(*dim, framework=rules.name)) for dim in dims
        ]
    return {**result, "text": _text("crop", result)}


def _check_output_padding_below_stride(
    rules: Framework, ops: Sequence[int | None], strides: Sequence[int]
) -> None:
    """A framework whose output_padding must be smaller than the stride, such as Keras's
    Conv*DTranspose (the core, as PyTorch, also takes one smaller than the dilation)."""
    for op, stride in zip(ops, strides, strict=True):
        if op is not None and op >= stride:
            opt.refuse(
                f"`--output-padding` must be smaller than `--stride` for {rules.title} "
                "(Conv*DTranspose refuses output_padding >= strides; PyTorch also takes one "
                "smaller than the dilation: --framework torch)",
                "output_padding",
                {"output_padding": op, "stride": stride},
            )


def conv_command(args: argparse.Namespace) -> dict[str, Any]:
    return _forward(args, pool=False)


def pool_command(args: argparse.Namespace) -> dict[str, Any]:
    return _forward(args, pool=True)


def _forward(args: argparse.Namespace, *, pool: bool) -> dict[str, Any]:
    """A convolution's or a pooling's answer: output lengths and padding per axis."""
    _check_geometry(args, transpose=False, pool=pool)
    rules = framework(args.framework)
    rank = len(args.sizes)
    kernels = opt.per_dimension(args.kernel_size, rank, "kernel_size", None)
    strides = opt.per_dimension(args.stride, rank, "stride", None if pool else 1)
    strides = [k if s is None else s for k, s in zip(kernels, strides, strict=True)]
    dilations = [1] * rank if pool else opt.per_dimension(args.dilation, rank, "dilation", 1)
    strided = any(s != 1 for s in strides)
    paddings = [
        _framework_padding(rules, p, strided, transpose=False, pool=pool)
        for p in opt.paddings(args.padding, rank)
    ]
    dims = list(zip(args.sizes, kernels, strides, paddings, dilations, strict=True))
    if pool:
        output = [rules.pool_output_length(*dim, args.ceil_mode) for dim in dims]
    else:
        output = [rules.conv_output_length(*dim) for dim in dims]
    # A pooling pads its explicit padding (an int: PyTorch's) on both sides; the
    # convolution's rule (the kernel fits the padded input) is not the pooling's, which
    # ceil_mode relaxes.
    pads = [
        [dim[3], dim[3]] if pool and isinstance(dim[3], int) else list(rules.conv_padding(*dim))
        for dim in dims
    ]
    result: dict[str, Any] = {"input": args.sizes, "output": output, "padding": pads}
    if args.explain and pool:
        result["explanation"] = [
            str(explain_pool(n, k, s, p, framework=rules.name, ceil_mode=args.ceil_mode))
            for n, k, s, p, _ in dims
        ]
    elif args.explain:
        result["explanation"] = [str(explain_conv(*dim, framework=rules.name)) for dim in dims]
    return {**result, "text": _text("padding", result)}


def _text(split: str, result: dict[str, Any]) -> str:
    """The answer's line, then each distinct explanation once, headed by its axes."""
    shape = f"input {tuple(result['input'])} -> output {tuple(result['output'])}"
    lines = [f"{shape}; {_split_text(split, [Pad(*pair) for pair in result[split]])}"]
    explained = result.get("explanation", [])
    names = _axis_names(len(explained))
    axes: dict[str, list[str]] = {}  # one explanation per distinct text, with its axes
    for name, explanation in zip(names, explained, strict=True):
        axes.setdefault(explanation, []).append(name)
    for explanation, covered in axes.items():
        lines.append("")
        if len(explained) > 1:
            lines.append(f"{' and '.join(covered).capitalize()}:")
        lines.append(explanation)
    return "\n".join(lines)


def _axis_names(count: int) -> list[str]:
    return _AXES.get(count, [f"axis {n}" for n in range(1, count + 1)])


def _split_text(split: str, pads: list[Pad]) -> str:
    """The (before, after) pairs, or, where one is negative, each axis in words: a
    negative crop appends zeros, a negative padding removes elements.

    >>> _split_text("crop", [Pad(1, 2), Pad(1, 2)])
    'crop (before, after): (1, 2), (1, 2)'
    >>> _split_text("crop", [Pad(0, -1)])
    'appends 1 zero at the end'
    >>> _split_text("crop", [Pad(0, -1), Pad(1, 2)])
    'height appends 1 zero at the end, width crops 1 at the start and 2 at the end'
    >>> print(_split_text("padding", [Pad(-1, -1), Pad(-1, 2)]))
    height removes 1 element at the start and 1 element at the end, width removes 1 element
    at the start and pads 2 zeros at the end
    """
    if all(pad.before >= 0 and pad.after >= 0 for pad in pads):
        pairs = ", ".join(f"({pad.before}, {pad.after})" for pad in pads)
        return f"{split} (before, after): {pairs}"
    words = [crop_words(pad) if split == "crop" else _padding_words(pad) for pad in pads]
    if len(pads) == 1:
        return words[0]
    return ", ".join(
        f"{name} {text}" for name, text in zip(_axis_names(len(pads)), words, strict=True)
    )


def _padding_words(pad: Pad) -> str:
    """A forward padding in words, a negative side removing elements of the input."""
    parts: list[str] = []
    for count, where in zip(pad, ("start", "end"), strict=True):
        verb, noun = ("pads", "zero") if count > 0 else ("removes", "element")
        if count:
            said = f"{verb} " if not parts or not parts[-1].startswith(verb) else ""
            parts.append(f"{said}{counted(abs(count), noun)} at the {where}")
    return " and ".join(parts) if parts else "pads nothing"


#: The spatial axes' names, channels_last order.
_AXES = {1: ["the axis"], 2: ["height", "width"], 3: ["depth", "height", "width"]}

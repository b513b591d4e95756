"""The ``convshape`` command line (also ``python -m convshape``).

Every subcommand prints text, or a JSON document with ``--json``. A bad argument
prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from . import __version__
from ._cli_models import EXAMPLES as MODEL_EXAMPLES
from ._cli_models import (
    add_check_arguments,
    add_sizes_arguments,
    check_command,
    sizes_command,
)
from ._core import ceil_div
from ._frameworks import FRAMEWORKS as TABLE
from ._frameworks import framework
from ._render import counted
from ._types import Pad
from .errors import ConvShapeError
from .explain import explain_conv, explain_conv_transpose, explain_pool
from .layers.convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
)
from .loading import load_keras
from .plan import plan_downsampling, plan_upsampling
from .porting import translate
from .solve import crop_words, solve_conv, solve_conv_transpose

__all__ = ["main"]

FRAMEWORKS = tuple(TABLE)  # keras, torch, jax, onnx
POOL_FRAMEWORKS = ("keras", "torch")  # the pools convshape computes
SOLVE_FRAMEWORKS = ("keras", "torch")  # the frameworks the solvers take


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


def _ints(text: str) -> list[int]:
    """One value for every dimension, or one per dimension: "5" or "5,3"."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer or a comma-separated list of integers, got {text!r}"
        ) from None


def _sizes(text: str) -> list[int]:
    """One size, or a shape written 28x28 or 28,28 (the spatial sizes, in order)."""
    try:
        return [int(part) for part in text.lower().replace("x", ",").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a size or spatial sizes such as 28x28 or 28,28, got {text!r}"
        ) from None


def _one_padding(text: str) -> Any:
    """A mode name, an int, or before:after."""
    if ":" in text:
        before, _, after = text.partition(":")
        return (int(before), int(after)) if before.isdigit() and after.isdigit() else text
    return int(text) if text.lstrip("-").isdigit() else text


def _padding(text: str) -> Any:
    """A mode name, an int, or before:after for every axis, or ints and pairs per axis:
    1,2 or 1:2,0:1 (a list)."""
    if "," not in text:
        return _one_padding(text)
    values = [_one_padding(part) for part in text.split(",")]
    if any(isinstance(value, str) for value in values):
        raise argparse.ArgumentTypeError(
            "per-axis padding takes an int or before:after per axis (such as 1:2,0:1); "
            f"a mode applies to every axis: got {text!r}"
        )
    return values


def _paddings(padding: Any, rank: int) -> list[Any]:
    """The padding of each axis: one for all, or a list of one per axis."""
    if not isinstance(padding, list):
        return [padding] * rank
    if len(padding) != rank:
        raise ConvShapeError(
            f"`--padding` takes one value or one per dimension ({rank})",
            argument="padding",
            received={"padding": ",".join(map(str, padding))},
        )
    return padding


def _per_dimension(
    values: list[int] | None, rank: int, name: str, default: int | None
) -> list[Any]:
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


def _geometry(
    parser: argparse.ArgumentParser, *, transpose: bool = False, pool: bool = False
) -> None:
    parser.add_argument(
        "sizes",
        metavar="SIZE",
        nargs="+",
        type=_sizes,
        help="input size per spatial dimension: 28 28, 28x28 or 28,28",
    )
    parser.add_argument(
        "-k",
        "--kernel-size",
        type=_ints,
        required=True,
        metavar="K",
        help=f"{'pool' if pool else 'kernel'} size: K or K1,K2 (required)",
    )
    parser.add_argument(
        "-s",
        "--stride",
        type=_ints,
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
        type=_padding,
        default="valid",
        metavar="P",
        help=f"{modes}, an int, before:after, or per axis 1,2 or 1:2,0:1 (default valid)",
    )
    if not pool:
        parser.add_argument(
            "-d", "--dilation", type=_ints, metavar="D", help="dilation: D or D1,D2 (default 1)"
        )
    if transpose:
        parser.add_argument(
            "--output-padding",
            type=_ints,
            metavar="OP",
            help="output padding: OP or OP1,OP2 (default: Keras's None, PyTorch's and ONNX's 0)",
        )
    if pool:
        parser.add_argument(
            "--ceil-mode",
            action="store_true",
            help="PyTorch's ceil_mode, with --framework torch (default off)",
        )
    frameworks = POOL_FRAMEWORKS if pool else FRAMEWORKS
    parser.add_argument(
        "--framework",
        choices=frameworks,
        default="keras",
        help=f"whose conventions: {', '.join(frameworks)} (default keras)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="walk through the computation by the --framework's rules (default off)",
    )
    _json_flag(parser)


def _json_flag(parser: argparse.ArgumentParser, what: str = "a JSON document") -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} (default: text)")


def _refuse(rule: str, argument: str, received: dict[str, Any]) -> NoReturn:
    raise ConvShapeError(rule, argument=argument, received=received)


def _check_geometry(args: argparse.Namespace, *, transpose: bool, pool: bool) -> None:
    """Option combinations no framework takes: one error naming both options."""
    rank = len(args.sizes)
    paddings = _paddings(args.padding, rank)
    if pool and args.ceil_mode and args.framework != "torch":
        _refuse(
            f"`--ceil-mode` is PyTorch's (--framework torch); {framework(args.framework).title}'s "
            "pooling has "
            "no ceil_mode",
            "ceil_mode",
            {"ceil_mode": True, "framework": args.framework},
        )
    if pool and args.framework == "keras" and any(not isinstance(p, str) for p in paddings):
        _refuse(
            "`--padding` of a Keras pooling is 'valid' or 'same'; an explicit padding is "
            "PyTorch's (--framework torch)",
            "padding",
            {"padding": args.padding, "framework": "keras"},
        )
    if pool and any(p in ("causal", "full") for p in paddings):
        _refuse(
            "`--padding` of a pooling is valid, same or explicit; no pooling pads "
            f"{args.padding!r}",
            "padding",
            {"padding": args.padding},
        )
    if "causal" in paddings and rank > 1:
        _refuse(
            f"`--padding causal` pads a 1D convolution only (Keras's Conv1D); "
            f"{rank} sizes ask a {rank}D question",
            "padding",
            {"padding": "causal", "SIZE": args.sizes},
        )
    if "causal" in paddings and args.framework in ("jax", "onnx"):
        _refuse(
            f"`--padding causal` is Keras's (Conv1D); --framework {args.framework} has no "
            "causal mode: give the pair k_eff-1:0",
            "padding",
            {"padding": "causal", "framework": args.framework},
        )
    if not pool and args.framework == "keras":
        strided = any(s != 1 for s in args.stride or [1])
        dilated = any(d != 1 for d in args.dilation or [1])
        if strided and dilated:
            _refuse(
                "Keras rejects `--stride` > 1 together with `--dilation` > 1 (PyTorch takes "
                "both: --framework torch)",
                "dilation",
                {"stride": args.stride, "dilation": args.dilation},
            )
    if transpose and args.framework == "jax" and args.output_padding is not None:
        _refuse(
            "`--output-padding` with --framework jax: lax has no output_padding, give an "
            "asymmetric before:after padding instead",
            "output_padding",
            {"output_padding": args.output_padding, "framework": "jax"},
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
        _refuse(rule, "padding", {"padding": padding})
    return padding


def _jax_padding(padding: Any) -> Any:
    """The CLI's padding in lax's terms: "SAME"/"VALID" in capitals, an int as a pair."""
    if isinstance(padding, str):
        return padding.upper()
    return (padding, padding) if isinstance(padding, int) else padding


def _onnx_padding(padding: Any) -> Any:
    """The CLI's padding in ONNX's terms: an ``auto_pad`` name (same is SAME_UPPER, like
    TensorFlow), or the (begin, end) ``pads``, an int as a pair."""
    if isinstance(padding, str):
        mode = padding.upper()
        return "SAME_UPPER" if mode == "SAME" else mode
    return (padding, padding) if isinstance(padding, int) else padding


def _framework_padding(
    name: str, padding: Any, strided: bool, *, transpose: bool, pool: bool
) -> Any:
    """The CLI's padding (a mode, an int or a pair) in the terms of framework ``name``'s
    functions in :data:`convshape._frameworks.FRAMEWORKS`."""
    if name == "torch":
        return _torch_padding(padding, strided, transpose=transpose, pool=pool)
    if name == "jax":
        return _jax_padding(padding)
    if name == "onnx":
        return _onnx_padding(padding)
    return padding


def _conv_transpose(args: argparse.Namespace) -> dict[str, Any]:
    _check_geometry(args, transpose=True, pool=False)
    rules = framework(args.framework)
    rank = len(args.sizes)
    kernels = _per_dimension(args.kernel_size, rank, "kernel_size", None)
    strides = _per_dimension(args.stride, rank, "stride", 1)
    dilations = _per_dimension(args.dilation, rank, "dilation", 1)
    ops = _per_dimension(args.output_padding, rank, "output_padding", None)
    if rules.name == "keras":
        _check_keras_output_padding(ops, strides)
    paddings = [
        _framework_padding(rules.name, p, False, transpose=True, pool=False)
        for p in _paddings(args.padding, rank)
    ]
    dims = list(zip(args.sizes, kernels, strides, paddings, ops, dilations, strict=True))
    output = [rules.conv_transpose_output_length(*dim) for dim in dims]
    crops = [list(rules.conv_transpose_crop(*dim)) for dim in dims]
    result: dict[str, Any] = {"input": args.sizes, "output": output, "crop": crops}
    if args.explain:
        result["explanation"] = [
            str(explain_conv_transpose(*dim, framework=rules.name)) for dim in dims
        ]
    return result


def _check_keras_output_padding(ops: Sequence[int | None], strides: Sequence[int]) -> None:
    """Keras's Conv*DTranspose takes an output_padding smaller than the stride only (the
    core, as PyTorch, also takes one smaller than the dilation)."""
    for op, stride in zip(ops, strides, strict=True):
        if op is not None and op >= stride:
            _refuse(
                "`--output-padding` must be smaller than `--stride` for Keras "
                "(Conv*DTranspose refuses output_padding >= strides; PyTorch also takes one "
                "smaller than the dilation: --framework torch)",
                "output_padding",
                {"output_padding": op, "stride": stride},
            )


def _conv(args: argparse.Namespace, *, pool: bool = False) -> dict[str, Any]:
    _check_geometry(args, transpose=False, pool=pool)
    rules = framework(args.framework)
    rank = len(args.sizes)
    kernels = _per_dimension(args.kernel_size, rank, "kernel_size", None)
    strides = _per_dimension(args.stride, rank, "stride", None if pool else 1)
    strides = [k if s is None else s for k, s in zip(kernels, strides, strict=True)]
    dilations = [1] * rank if pool else _per_dimension(args.dilation, rank, "dilation", 1)
    strided = any(s != 1 for s in strides)
    paddings = [
        _framework_padding(rules.name, p, strided, transpose=False, pool=pool)
        for p in _paddings(args.padding, rank)
    ]
    dims = list(zip(args.sizes, kernels, strides, paddings, dilations, strict=True))
    if pool:
        output = [rules.pool_output_length(*dim, args.ceil_mode) for dim in dims]
    else:
        output = [rules.conv_output_length(*dim) for dim in dims]
    if pool and rules.name == "torch":
        # a PyTorch pooling's padding is its int on both sides; the convolution's rule
        # (the kernel fits the padded input) is not the pooling's, which ceil_mode relaxes
        pads = [[p, p] for _, _, _, p, _ in dims]
    else:
        pads = [list(rules.conv_padding(*dim)) for dim in dims]
    result: dict[str, Any] = {"input": args.sizes, "output": output, "padding": pads}
    if args.explain and pool:
        result["explanation"] = [
            str(explain_pool(n, k, s, p, framework=rules.name, ceil_mode=args.ceil_mode))
            for n, k, s, p, _ in dims
        ]
    elif args.explain:
        result["explanation"] = [str(explain_conv(*dim, framework=rules.name)) for dim in dims]
    return result


#: (held argument, its bound in a search, the bound's default) of ``convshape solve``.
_SOLVE_BOUNDS = (
    ("kernel_size", "max_kernel_size", 7),
    ("stride", "max_stride", 4),
    ("dilation", "max_dilation", 1),
)


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _solve(args: argparse.Namespace) -> dict[str, Any]:
    if args.kind == "pool" and (args.dilation is not None or args.max_dilation is not None):
        option = "--dilation" if args.dilation is not None else "--max-dilation"
        _refuse(
            f"`{option}` with --kind pool: a pooling has no dilation",
            "dilation",
            {
                "kind": "pool",
                option.strip("-").replace("-", "_"): args.dilation or args.max_dilation,
            },
        )
    for held, bound, default in _SOLVE_BOUNDS:
        if getattr(args, held) is not None and getattr(args, bound) is not None:
            option, what = _option(bound), held.replace("_", " ")
            _refuse(
                f"`{option}` bounds the {what}s tried; with --{held.replace('_', '-')} "
                f"held it has no effect: give one of them",
                bound,
                {held: getattr(args, held), bound: getattr(args, bound)},
            )
        if getattr(args, bound) is None:
            setattr(args, bound, default)
    common: dict[str, Any] = {
        "kernel_size": args.kernel_size,
        "stride": args.stride,
        "padding": args.padding,
        "dilation": args.dilation,
        "framework": args.framework,
        "max_kernel_size": args.max_kernel_size,
        "max_stride": args.max_stride,
        "max_dilation": args.max_dilation,
    }
    if args.kind == "conv-transpose":
        solutions = solve_conv_transpose(args.size, args.target, **common)
    else:
        solutions = solve_conv(args.size, args.target, pooling=args.kind == "pool", **common)
    hints = [] if len(solutions) else _solve_hints(args)
    # The command line's hints name its options in place of the library's arguments.
    text = str(dataclasses.replace(solutions, hints=()))
    return {
        "problem": solutions.problem,
        "solutions": [
            {"kwargs": s.kwargs, "split": list(s.split), "note": s.note, "same_as": list(s.same_as)}
            for s in solutions
        ],
        "reason": solutions.reason,
        "notes": list(solutions.notes),
        "hints": hints,
        "text": "\n".join([text.rstrip("\n"), *(f"  {hint}" for hint in hints)]),
    }


def _solve_hints(args: argparse.Namespace) -> list[str]:
    """After an empty answer: the bounds searched and the question to ask instead."""
    size, target = args.size, args.target

    def held_or(name: str, bound: int) -> str:
        value = getattr(args, name)
        if value is not None:
            return f"{value!r} (held)"
        return "1" if bound == 1 else f"1..{bound}"

    searched = [
        f"kernel sizes {held_or('kernel_size', args.max_kernel_size)}",
        f"strides {held_or('stride', args.max_stride)}",
    ]
    if args.kind != "pool":
        searched.append(f"dilations {held_or('dilation', args.max_dilation)}")
    if args.padding is not None:
        searched.append(f"padding {held_or('padding', 1)}")
    hints = [f"Searched: {', '.join(searched)}."]
    held = [
        option
        for name, option in (("kernel_size", "-k"), ("stride", "-s"), ("padding", "-p"))
        if getattr(args, name) is not None
    ]
    if args.kind == "conv-transpose" and target < size:
        hints.append("A transposed convolution grows its input: try --kind conv or --kind pool.")
    elif args.kind != "conv-transpose" and target > size:
        hints.append("A convolution or pooling shrinks its input: try --kind conv-transpose.")
    elif max(size, target) > max(min(size, target), 1) * args.max_stride:
        hints.append(
            f"One layer of stride {args.max_stride} or less cannot: `convshape plan {size} "
            f"{target}` stacks strided layers, or widen --max-stride."
        )
    elif held:
        hints.append(f"Try without {' or '.join(held)}: a held value rules the others out.")
    else:
        hints.append("Try wider bounds: --max-kernel-size, --max-stride.")
    return hints


def _plan(args: argparse.Namespace) -> dict[str, Any]:
    size, target = args.size, args.target
    if size == target:
        _refuse(
            "SIZE and TARGET are equal: no strided layer is needed",
            "target",
            {"SIZE": size, "TARGET": target},
        )
    up = target > size
    if args.limit < 0:
        _refuse("`--limit` must be >= 0 (0 shows every plan)", "limit", {"limit": args.limit})
    options: dict[str, Any] = {
        "max_stride": args.max_stride,
        "kernel_sizes": args.kernel_sizes,
        "padding": args.padding,
        "max_layers": args.max_layers,
    }
    planner = plan_upsampling if up else plan_downsampling
    plans = planner(size, target, **options)
    layer = "Conv2DTranspose" if up else "Conv2D"
    other = "valid" if args.padding == "same" else "same"
    kernels = ", ".join(map(str, sorted(set(args.kernel_sizes))))
    bounds = (
        f"strides 2..{args.max_stride}, kernel sizes {kernels}, padding "
        f"{args.padding!r} (else {other!r}{' or an output_padding' if up else ''}), "
        f"at most {_count(args.max_layers, 'layer')}, each one `convshape check` accepts"
    )
    shown = plans if args.limit == 0 else plans[: args.limit]
    document: dict[str, Any] = {
        "start": size,
        "target": target,
        "layer": layer,
        "count": len(plans),
        "plans": [
            {
                "strides": list(plan.strides),
                "sizes": list(plan.sizes),
                "layers": [
                    {"input": step.size, "output": step.output, "kwargs": step.kwargs}
                    for step in plan.steps
                ],
            }
            for plan in shown
        ],
    }
    if not plans:
        document["reason"] = plans.reason
        refused = f"{plans.refused}\n" if plans.refused else ""
        document["text"] = (
            f"No stack of {layer} layers takes {size} to {target}.\nSearched: {bounds}.\n"
            f"{refused}{_plan_hint(args, planner, options)}"
        )
        return document
    lines = [
        f"{size} -> {target}: {_count(len(plans), 'plan')} of {layer} layers, simplest first",
        f"(searched: {bounds})",
    ]
    width = len(str(max(size, target)))
    for number, plan in enumerate(shown, 1):
        lines += ["", f"{number}. {plan}"]
        for step in plan.steps:
            kwargs = ", ".join(f"{k}={v!r}" for k, v in step.kwargs.items() if v is not None)
            lines.append(f"   {step.size:>{width}} -> {step.output:<{width}}  {layer}({kwargs})")
    if len(shown) < len(plans):
        lines += ["", f"... and {len(plans) - len(shown)} more (--limit 0 shows every plan)"]
    document["text"] = "\n".join(lines)
    return document


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _plan_hint(args: argparse.Namespace, planner: Any, options: dict[str, Any]) -> str:
    """Why an answer is empty, and what to try: the first wider bound that finds plans."""
    size, target = args.size, args.target
    solve = f"`convshape solve {size} {target}{'' if target > size else ' --kind conv'}`"
    # One layer of stride 2 or more takes I to at least 2I - 1, or to at most ceil(I / 2).
    nearest = 2 * size - 1 if target > size else ceil_div(size, 2)
    if (target > size and target < nearest) or (target < size and target > nearest):
        return (
            f"A strided layer takes {size} to {'at least' if target > size else 'at most'} "
            f"{nearest}; {solve} finds one layer of stride 1."
        )
    tries = [("max_layers", args.max_layers + more) for more in (1, 2, 3)]
    tries += [("max_stride", args.max_stride * 2), ("max_stride", args.max_stride * 4)]
    for name, value in tries:
        try:
            found = planner(size, target, **{**options, name: value})
        except ConvShapeError:
            continue
        if found:
            option = "--" + name.replace("_", "-")
            return f"Try {option} {value}: it finds {_count(len(found), 'plan')}."
    return (
        "Try more layers (--max-layers), longer strides (--max-stride) or other "
        f"--kernel-sizes; {solve} finds one layer of any stride."
    )


_KERAS_CLASSES = {
    ("conv", 1): Conv1D,
    ("conv", 2): Conv2D,
    ("conv", 3): Conv3D,
    ("conv-transpose", 1): Conv1DTranspose,
    ("conv-transpose", 2): Conv2DTranspose,
    ("conv-transpose", 3): Conv3DTranspose,
}


def _translate(args: argparse.Namespace) -> dict[str, Any]:
    if args.kind == "conv" and args.output_padding is not None:
        _refuse(
            "`--output-padding` with --kind conv: only a transposed convolution has one",
            "output_padding",
            {"output_padding": args.output_padding, "kind": "conv"},
        )
    rank = len(args.sizes)
    if args.padding == "causal" and (args.kind != "conv" or rank != 1):
        _refuse(
            "`--padding causal` is Keras's Conv1D's only: use --kind conv and one SIZE",
            "padding",
            {"padding": "causal", "kind": args.kind, "SIZE": args.sizes},
        )
    if (args.kind, rank) not in _KERAS_CLASSES:
        raise ConvShapeError(
            "translate takes 1 to 3 spatial sizes", argument="SIZE", received={"SIZE": args.sizes}
        )
    kwargs: dict[str, Any] = {
        "strides": tuple(_per_dimension(args.stride, rank, "stride", 1)),
        "padding": args.padding,
        "dilation_rate": tuple(_per_dimension(args.dilation, rank, "dilation", 1)),
    }
    if args.kind == "conv-transpose" and args.output_padding is not None:
        kwargs["output_padding"] = tuple(
            _per_dimension(args.output_padding, rank, "output_padding", 0)
        )
    kernel = tuple(_per_dimension(args.kernel_size, rank, "kernel_size", None))
    layer = _KERAS_CLASSES[args.kind, rank](args.filters, kernel, **kwargs)
    translation = translate(layer, args.to, (None, *args.sizes, args.channels))
    return {
        "kwargs": translation.kwargs,
        "crop": [list(crop) for crop in translation.crop],
        "input_pad": [list(pad) for pad in translation.input_pad],
        "exact": translation.exact,
        "code": translation.code(),
        "text": f"{translation}\n\n{translation.code()}",
    }


def _summary(args: argparse.Namespace) -> dict[str, Any]:
    model = load_keras(args.model_file)
    printed: list[str] = []
    options = {"columns": args.columns, "batch_size": args.batch_size}
    model.summary(line_length=args.line_length, print_fn=printed.append, **options)
    return {**model.summarize(**options).to_dict(), "text": printed[0]}


def _text(command: str, result: dict[str, Any]) -> str:
    if "text" in result:
        return str(result["text"]).rstrip("\n")
    split = "crop" if command == "conv-transpose" else "padding"
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


EXAMPLES = {
    "conv-transpose": "example: convshape conv-transpose 7x7 -k 5 -s 2 -p same --explain",
    "conv": "example: convshape conv 28x28 -k 5 -s 2 -p same",
    "pool": "example: convshape pool 25 -k 2 -p same --json",
    "solve": "example: convshape solve 7 14 -k 5   (or: convshape solve 28 14 --kind conv)",
    "plan": "example: convshape plan 7 84   (or down: convshape plan 224 7)",
    "summary": "example: convshape summary generator.keras",
    "translate": (
        "example: convshape translate 7 7 -k 5 -s 2 -p same --filters 128 --channels 256 --to torch"
    ),
}

HELP = {
    "conv-transpose": "output size and crop of a transposed convolution",
    "conv": "output size and padding of a convolution",
    "pool": "output size and padding of a pooling layer",
    "solve": "every argument combination that takes SIZE to TARGET in one layer",
    "plan": "stacks of strided layers that take SIZE to TARGET, up or down",
    "summary": "the summary of a saved Keras model, Sequential or functional (.keras or JSON)",
    "translate": "the exact PyTorch, JAX or ONNX port of a Keras convolution, with code",
    "sizes": "which input sizes a saved Keras model accepts, per spatial axis",
    "check": "why a saved Keras model fails on an input shape, with fixes; its traps",
}


def _solve_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("size", metavar="SIZE", type=int, help="input size")
    sub.add_argument("target", metavar="TARGET", type=int, help="wanted output size")
    sub.add_argument(
        "--kind",
        choices=("conv-transpose", "conv", "pool"),
        default="conv-transpose",
        help="the layer: conv-transpose, conv or pool (default conv-transpose)",
    )
    sub.add_argument(
        "-k", "--kernel-size", type=int, metavar="K", help="hold the kernel size (default: any)"
    )
    sub.add_argument("-s", "--stride", type=int, metavar="S", help="hold the stride (default: any)")
    sub.add_argument(
        "-p",
        "--padding",
        type=_one_padding,
        metavar="P",
        help="hold the padding: a mode, or an int with --framework torch (default: any)",
    )
    sub.add_argument(
        "-d", "--dilation", type=int, metavar="D", help="hold the dilation (default: any)"
    )
    sub.add_argument(
        "--framework",
        choices=SOLVE_FRAMEWORKS,
        default="keras",
        help=f"whose conventions: {', '.join(SOLVE_FRAMEWORKS)} (default keras)",
    )
    sub.add_argument(
        "--max-kernel-size", type=int, metavar="N", help="largest kernel size tried (default 7)"
    )
    sub.add_argument("--max-stride", type=int, metavar="N", help="largest stride tried (default 4)")
    sub.add_argument(
        "--max-dilation",
        type=int,
        metavar="N",
        help="largest dilation tried (default 1; not for pool)",
    )
    _json_flag(sub)


def _plan_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("size", metavar="SIZE", type=int, help="input size")
    sub.add_argument(
        "target",
        metavar="TARGET",
        type=int,
        help="wanted size: larger plans Conv2DTranspose layers, smaller Conv2D layers",
    )
    sub.add_argument(
        "--max-stride", type=int, metavar="N", default=4, help="longest stride (default 4)"
    )
    sub.add_argument(
        "-k",
        "--kernel-sizes",
        type=_ints,
        metavar="K1,K2,...",
        default=[3, 4, 5],
        help="kernel sizes to choose from, K1,K2,... (default 3,4,5)",
    )
    sub.add_argument(
        "-p",
        "--padding",
        choices=("same", "valid"),
        default="same",
        help="the padding preferred; the other is used where it alone fits (default same)",
    )
    sub.add_argument(
        "--max-layers", type=int, metavar="N", default=5, help="most layers in a plan (default 5)"
    )
    sub.add_argument(
        "--limit",
        type=int,
        metavar="N",
        default=5,
        help="how many plans to show, 0 for all (default 5)",
    )
    _json_flag(sub)


def _translate_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "sizes",
        metavar="SIZE",
        nargs="+",
        type=_sizes,
        help="input size per spatial dimension: 7 7, 7x7 or 7,7",
    )
    sub.add_argument(
        "--kind",
        choices=("conv-transpose", "conv"),
        default="conv-transpose",
        help="the Keras layer: conv-transpose or conv (default conv-transpose)",
    )
    sub.add_argument(
        "-k",
        "--kernel-size",
        type=_ints,
        required=True,
        metavar="K",
        help="kernel size: K or K1,K2 (required)",
    )
    sub.add_argument(
        "-s", "--stride", type=_ints, metavar="S", help="strides: S or S1,S2 (default 1)"
    )
    sub.add_argument(
        "-p",
        "--padding",
        default="valid",
        choices=("valid", "same", "causal"),
        help="Keras's padding: valid, same, or causal for a 1D conv (default valid)",
    )
    sub.add_argument(
        "-d", "--dilation", type=_ints, metavar="D", help="dilation_rate: D or D1,D2 (default 1)"
    )
    sub.add_argument(
        "--output-padding",
        type=_ints,
        metavar="OP",
        help="output_padding of a conv-transpose: OP or OP1,OP2 (default None)",
    )
    sub.add_argument(
        "--filters", type=int, metavar="F", default=1, help="output channels (default 1)"
    )
    sub.add_argument(
        "--channels", type=int, metavar="C", default=1, help="input channels (default 1)"
    )
    sub.add_argument(
        "--to", choices=("torch", "jax", "onnx"), required=True, help="target framework (required)"
    )
    _json_flag(sub)


def _summary_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("model_file", metavar="MODEL_FILE", help=".keras archive or JSON file")
    sub.add_argument("--line-length", type=int, metavar="N", help="table width (default: Keras's)")
    sub.add_argument(
        "--columns",
        type=lambda text: tuple(part for part in text.split(",") if part),
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
    _json_flag(sub, "Summary.to_dict() as JSON")


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
    for name, text in HELP.items():
        sub = commands.add_parser(
            name,
            help=text,
            description=text,
            epilog={**EXAMPLES, **MODEL_EXAMPLES}[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name == "sizes":
            add_sizes_arguments(sub)
        elif name == "check":
            add_check_arguments(sub)
        elif name in ("conv-transpose", "conv", "pool"):
            _geometry(sub, transpose=name == "conv-transpose", pool=name == "pool")
        elif name == "solve":
            _solve_arguments(sub)
        elif name == "plan":
            _plan_arguments(sub)
        elif name == "translate":
            _translate_arguments(sub)
        else:
            _summary_arguments(sub)
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
    handlers: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
        "conv-transpose": _conv_transpose,
        "conv": _conv,
        "pool": lambda a: _conv(a, pool=True),
        "solve": _solve,
        "plan": _plan,
        "summary": _summary,
        "translate": _translate,
        "sizes": sizes_command,
        "check": check_command,
    }
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = handlers[args.command](args)
    except (ConvShapeError, TypeError, OSError) as error:
        message = str(error).replace("\n", " ")
        sys.stderr.write(f"convshape {args.command}: error: {message}\n")
        return 2
    # A warning is one line like an error, not Python's file:line report of our own source.
    for message in dict.fromkeys(str(warning.message).replace("\n", " ") for warning in caught):
        sys.stderr.write(f"convshape {args.command}: warning: {message}\n")
    try:
        if args.json:
            result.pop("text", None)
            print(json.dumps(result, indent=2))
        else:
            print(_text(args.command, result))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (``| head``): end quietly, as Python's documentation
        # recommends, with stdout pointed at devnull so that the exit flush is silent too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0

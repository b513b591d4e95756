"""The ``convshape`` command line (also ``python -m convshape``).

Every subcommand prints text, or a JSON document with ``--json``. A bad argument
prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from . import __version__
from . import jax as jx
from . import onnx as ox
from ._cli_models import EXAMPLES as MODEL_EXAMPLES
from ._cli_models import (
    add_check_arguments,
    add_sizes_arguments,
    check_command,
    sizes_command,
)
from .arithmetic import conv_output_length, conv_padding, conv_transpose_crop
from .arithmetic import conv_transpose_output_length as transpose_length
from .errors import ConvShapeError
from .explain import explain_conv, explain_conv_transpose
from .layers.convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
)
from .loading import load_keras
from .porting import translate
from .solve import solve_conv, solve_conv_transpose
from .torch import conv_output_length as torch_conv_length
from .torch import conv_transpose_output_length as torch_transpose_length
from .torch import pool_output_length as torch_pool_length

__all__ = ["main"]

FRAMEWORKS = ("keras", "torch", "jax", "onnx")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _ints(text: str) -> list[int]:
    """One value for every dimension, or one per dimension: "5" or "5,3"."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer or a comma-separated list of integers, got {text!r}"
        ) from None


def _padding(text: str) -> Any:
    """A mode name, an int, or before:after."""
    if ":" in text:
        before, _, after = text.partition(":")
        return (int(before), int(after)) if before.isdigit() and after.isdigit() else text
    return int(text) if text.lstrip("-").isdigit() else text


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
        "sizes", metavar="SIZE", nargs="+", type=int, help="input size per spatial dimension"
    )
    parser.add_argument(
        "-k", "--kernel-size", type=_ints, required=True, help="kernel (pool) size: K or K1,K2"
    )
    parser.add_argument(
        "-s", "--stride", type=_ints, help="stride: S or S1,S2 (default 1; pool: the pool size)"
    )
    parser.add_argument(
        "-p",
        "--padding",
        type=_padding,
        default="valid",
        help="valid, same, full, causal, an int, or before:after",
    )
    if not pool:
        parser.add_argument("-d", "--dilation", type=_ints, help="dilation: D or D1,D2 (default 1)")
    if transpose:
        parser.add_argument("--output-padding", type=_ints, help="output padding: P or P1,P2")
    if pool:
        parser.add_argument(
            "--ceil-mode", action="store_true", help="PyTorch's ceil_mode (--framework torch)"
        )
    parser.add_argument(
        "--framework", choices=FRAMEWORKS, default="keras", help="whose conventions (default keras)"
    )
    parser.add_argument("--explain", action="store_true", help="walk through the computation")
    parser.add_argument("--json", action="store_true", help="print a JSON document")


def _check_framework(
    args: argparse.Namespace, *, transpose: bool = False, pool: bool = False
) -> None:
    """PyTorch's padding is an int (symmetric); Conv also takes "valid", and "same" at stride 1."""
    if args.framework != "torch" or isinstance(args.padding, int):
        return
    if args.padding == "valid" and (transpose or pool):
        args.padding = 0  # the default -p valid is padding 0 in PyTorch's int terms
        return
    allowed = () if transpose else ("valid", "same")
    strided = any(s != 1 for s in (args.stride or [1]))
    if args.padding not in allowed or (args.padding == "same" and strided):
        rule = "`--padding` for --framework torch must be an int (PyTorch pads symmetrically)"
        if not transpose:
            rule += ', "valid", or "same" with stride 1'
        raise ConvShapeError(rule, argument="padding", received={"padding": args.padding})


def _jax_padding(padding: Any) -> Any:
    """The CLI's padding in lax's terms: "SAME"/"VALID" in capitals, an int as a pair."""
    if isinstance(padding, str):
        return padding.upper()
    return (padding, padding) if isinstance(padding, int) else padding


def _onnx_padding(padding: Any) -> tuple[str, Any]:
    """The CLI's padding as ONNX's (auto_pad, pads): same is SAME_UPPER, like TensorFlow."""
    if isinstance(padding, str):
        mode = padding.upper()
        return ("SAME_UPPER" if mode == "SAME" else mode), (0, 0)
    return "NOTSET", ((padding, padding) if isinstance(padding, int) else padding)


def _other_framework(args: argparse.Namespace, dims: list[Any], transpose: bool) -> dict[str, Any]:
    """conv and conv-transpose with JAX's lax or ONNX Runtime's rules."""
    if args.explain:
        raise ConvShapeError(
            "--explain walks through Keras/TensorFlow's computation; leave out --framework "
            f"{args.framework}",
            argument="explain",
            received={"framework": args.framework},
        )
    output, splits = [], []
    for size, k, s, op, d in dims:
        if args.framework == "jax":
            if op is not None:
                raise ConvShapeError(
                    "lax has no output_padding: give asymmetric (low, high) padding instead",
                    argument="output_padding",
                    received={"output_padding": op},
                )
            padding = _jax_padding(args.padding)
            if transpose:
                output.append(jx.conv_transpose_output_length(size, k, s, padding, d))
                splits.append(list(jx.conv_transpose_crop(size, k, s, padding, d)))
            else:
                output.append(jx.conv_output_length(size, k, s, padding, 1, d))
                splits.append(list(jx.conv_padding(size, k, s, padding, d)))
            continue
        auto_pad, pads = _onnx_padding(args.padding)
        if transpose:
            output.append(ox.conv_transpose_output_length(size, k, s, auto_pad, pads, op or 0, d))
            begin, end = ox.conv_transpose_pads(size, k, s, auto_pad, pads, op or 0, d)
            splits.append([begin, end - (op or 0)])
        else:
            output.append(ox.conv_output_length(size, k, s, auto_pad, pads, d))
            splits.append(list(ox.conv_padding(size, k, s, auto_pad, pads, d)))
    return {"input": args.sizes, "output": output, "crop" if transpose else "padding": splits}


def _conv_transpose(args: argparse.Namespace) -> dict[str, Any]:
    if args.framework in ("jax", "onnx"):
        rank = len(args.sizes)
        dims = list(
            zip(
                args.sizes,
                _per_dimension(args.kernel_size, rank, "kernel_size", None),
                _per_dimension(args.stride, rank, "stride", 1),
                _per_dimension(args.output_padding, rank, "output_padding", None),
                _per_dimension(args.dilation, rank, "dilation", 1),
                strict=True,
            )
        )
        return _other_framework(args, dims, transpose=True)
    _check_framework(args, transpose=True)
    rank = len(args.sizes)
    kernels = _per_dimension(args.kernel_size, rank, "kernel_size", None)
    strides = _per_dimension(args.stride, rank, "stride", 1)
    dilations = _per_dimension(args.dilation, rank, "dilation", 1)
    ops = _per_dimension(args.output_padding, rank, "output_padding", None)
    if args.framework == "torch":
        ops = [op or 0 for op in ops]
    dims = list(zip(args.sizes, kernels, strides, ops, dilations, strict=True))
    length = torch_transpose_length if args.framework == "torch" else transpose_length
    output = [length(size, k, s, args.padding, op, d) for size, k, s, op, d in dims]
    crops = [
        list(conv_transpose_crop(size, k, s, args.padding, op, d)) for size, k, s, op, d in dims
    ]
    result: dict[str, Any] = {"input": args.sizes, "output": output, "crop": crops}
    if args.explain:
        result["explanation"] = [
            str(explain_conv_transpose(*dim[:3], args.padding, *dim[3:])) for dim in dims
        ]
    return result


def _conv(args: argparse.Namespace, *, pool: bool = False) -> dict[str, Any]:
    if args.framework in ("jax", "onnx"):
        if pool:
            raise ConvShapeError(
                f"pool is not available for --framework {args.framework} yet",
                argument="framework",
                received={"framework": args.framework},
            )
        rank = len(args.sizes)
        other = list(
            zip(
                args.sizes,
                _per_dimension(args.kernel_size, rank, "kernel_size", None),
                _per_dimension(args.stride, rank, "stride", 1),
                [None] * rank,
                _per_dimension(args.dilation, rank, "dilation", 1),
                strict=True,
            )
        )
        return _other_framework(args, other, transpose=False)
    _check_framework(args, pool=pool)
    rank = len(args.sizes)
    kernels = _per_dimension(args.kernel_size, rank, "kernel_size", None)
    strides = _per_dimension(args.stride, rank, "stride", None if pool else 1)
    strides = [k if s is None else s for k, s in zip(kernels, strides, strict=True)]
    dilations = [1] * rank if pool else _per_dimension(args.dilation, rank, "dilation", 1)
    dims = list(zip(args.sizes, kernels, strides, dilations, strict=True))
    if args.framework == "torch" and pool:
        ceil = args.ceil_mode
        output = [torch_pool_length(size, k, s, args.padding, 1, ceil) for size, k, s, _ in dims]
    else:
        length = torch_conv_length if args.framework == "torch" else conv_output_length
        output = [length(size, k, s, args.padding, d) for size, k, s, d in dims]
    pads = [list(conv_padding(size, k, s, args.padding, d)) for size, k, s, d in dims]
    result: dict[str, Any] = {"input": args.sizes, "output": output, "padding": pads}
    if args.explain:
        result["explanation"] = [
            str(explain_conv(size, k, s, args.padding, d)) for size, k, s, d in dims
        ]
    return result


def _solve(args: argparse.Namespace) -> dict[str, Any]:
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
    return {
        "problem": solutions.problem,
        "solutions": [
            {"kwargs": s.kwargs, "split": list(s.split), "note": s.note} for s in solutions
        ],
        "reason": solutions.reason,
        "notes": list(solutions.notes),
        "text": str(solutions),
    }


_KERAS_CLASSES = {
    ("conv", 1): Conv1D,
    ("conv", 2): Conv2D,
    ("conv", 3): Conv3D,
    ("conv-transpose", 1): Conv1DTranspose,
    ("conv-transpose", 2): Conv2DTranspose,
    ("conv-transpose", 3): Conv3DTranspose,
}


def _translate(args: argparse.Namespace) -> dict[str, Any]:
    rank = len(args.sizes)
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
    pairs = ", ".join(f"({before}, {after})" for before, after in result[split])
    what = "crop (before, after)" if split == "crop" else "padding (before, after)"
    lines = [f"input {tuple(result['input'])} -> output {tuple(result['output'])}; {what}: {pairs}"]
    for explanation in result.get("explanation", []):
        lines += ["", explanation]
    return "\n".join(lines)


EXAMPLES = {
    "conv-transpose": "example: convshape conv-transpose 7 7 -k 5 -s 2 -p same --explain",
    "conv": "example: convshape conv 28 28 -k 5 -s 2 -p same",
    "pool": "example: convshape pool 25 -k 2 -p same --json",
    "solve": "example: convshape solve 7 14 -k 5   (or: convshape solve 28 14 --kind conv)",
    "summary": "example: convshape summary generator.keras",
    "translate": (
        "example: convshape translate 7 7 -k 5 -s 2 -p same --filters 128 --channels 256 --to torch"
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``convshape`` command."""
    parser = _Parser(
        prog="convshape",
        description="Exact output shapes of convolution layers, as Keras and PyTorch compute them.",
        epilog="example: convshape conv-transpose 7 -k 5 -s 2 -p same",
    )
    parser.add_argument("--version", action="version", version=f"convshape {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    help_text = {
        "conv-transpose": "output size and crop of a transposed convolution",
        "conv": "output size and padding of a convolution",
        "pool": "output size and padding of a pooling layer",
        "solve": "every argument combination that takes SIZE to TARGET",
        "summary": "the summary of a saved Keras model, Sequential or functional (.keras or JSON)",
        "translate": "the exact PyTorch, JAX or ONNX port of a Keras convolution, with code",
        "sizes": "which input sizes a saved Keras model accepts, per spatial axis",
        "check": "why a saved Keras model fails on an input shape, with fixes; its traps",
    }
    for name, text in help_text.items():
        sub = commands.add_parser(
            name, help=text, description=text, epilog={**EXAMPLES, **MODEL_EXAMPLES}[name]
        )
        if name == "sizes":
            add_sizes_arguments(sub)
        elif name == "check":
            add_check_arguments(sub)
        elif name in ("conv-transpose", "conv", "pool"):
            _geometry(sub, transpose=name == "conv-transpose", pool=name == "pool")
        elif name == "solve":
            sub.add_argument("size", type=int, help="input size")
            sub.add_argument("target", type=int, help="wanted output size")
            sub.add_argument(
                "--kind", choices=("conv-transpose", "conv", "pool"), default="conv-transpose"
            )
            sub.add_argument("-k", "--kernel-size", type=int, help="hold the kernel size")
            sub.add_argument("-s", "--stride", type=int, help="hold the stride")
            sub.add_argument("-p", "--padding", type=_padding, help="hold the padding")
            sub.add_argument("-d", "--dilation", type=int, help="hold the dilation")
            sub.add_argument("--framework", choices=FRAMEWORKS, default="keras")
            sub.add_argument("--max-kernel-size", type=int, default=7)
            sub.add_argument("--max-stride", type=int, default=4)
            sub.add_argument("--max-dilation", type=int, default=1)
            sub.add_argument("--json", action="store_true", help="print a JSON document")
        elif name == "translate":
            sub.add_argument(
                "sizes",
                metavar="SIZE",
                nargs="+",
                type=int,
                help="input size per spatial dimension",
            )
            sub.add_argument("--kind", choices=("conv-transpose", "conv"), default="conv-transpose")
            sub.add_argument("-k", "--kernel-size", type=_ints, required=True)
            sub.add_argument("-s", "--stride", type=_ints)
            sub.add_argument(
                "-p", "--padding", default="valid", choices=("valid", "same", "causal")
            )
            sub.add_argument("-d", "--dilation", type=_ints)
            sub.add_argument("--output-padding", type=_ints)
            sub.add_argument("--filters", type=int, default=1, help="output channels (default 1)")
            sub.add_argument("--channels", type=int, default=1, help="input channels (default 1)")
            sub.add_argument("--to", choices=("torch", "jax", "onnx"), required=True)
            sub.add_argument("--json", action="store_true", help="print a JSON document")
        else:
            sub.add_argument("model_file", metavar="MODEL_FILE", help=".keras archive or JSON file")
            sub.add_argument("--line-length", type=int, help="table width (default: Keras's)")
            sub.add_argument(
                "--columns",
                type=lambda text: tuple(part for part in text.split(",") if part),
                help="optional columns after Keras's: macs,flops,output_bytes,receptive_field",
            )
            sub.add_argument("--batch-size", type=int, default=1, help="batch for the costs")
            sub.add_argument("--json", action="store_true", help="print Summary.to_dict() as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
        "conv-transpose": _conv_transpose,
        "conv": _conv,
        "pool": lambda a: _conv(a, pool=True),
        "solve": _solve,
        "summary": _summary,
        "translate": _translate,
        "sizes": sizes_command,
        "check": check_command,
    }
    try:
        result = handlers[args.command](args)
    except (ConvShapeError, TypeError, OSError) as error:
        message = str(error).replace("\n", " ")
        sys.stderr.write(f"convshape {args.command}: error: {message}\n")
        return 2
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

"""The ``translate`` subcommand: the exact PyTorch, JAX or ONNX port of a Keras
convolution given by its options, with the code that builds it."""

from __future__ import annotations

import argparse
from typing import Any

from . import _cli_options as opt
from ._frameworks import FRAMEWORKS
from .errors import ConvShapeError

__all__ = ["EXAMPLES", "add_arguments", "translate_command"]

EXAMPLES = {
    "translate": (
        "example: convshape translate 7 7 -k 5 -s 2 -p same --filters 128 --channels 256 --to torch"
    ),
}

#: The framework whose layer the subcommand ports (its options are Keras's).
_SOURCE = FRAMEWORKS["keras"]
#: The frameworks a Keras layer is ported to: the table's others, in its order.
_TARGETS = tuple(name for name, rules in FRAMEWORKS.items() if rules is not _SOURCE)


def add_arguments(sub: argparse.ArgumentParser) -> None:
    opt.add_sizes(sub, 7)
    sub.add_argument(
        "--kind",
        choices=("conv-transpose", "conv"),
        default="conv-transpose",
        help="the Keras layer: conv-transpose or conv (default conv-transpose)",
    )
    opt.add_kernel_size(sub)
    sub.add_argument(
        "-s", "--stride", type=opt.ints, metavar="S", help="strides: S or S1,S2 (default 1)"
    )
    sub.add_argument(
        "-p",
        "--padding",
        default="valid",
        choices=("valid", "same", "causal"),
        help="Keras's padding: valid, same, or causal for a 1D conv (default valid)",
    )
    sub.add_argument(
        "-d", "--dilation", type=opt.ints, metavar="D", help="dilation_rate: D or D1,D2 (default 1)"
    )
    sub.add_argument(
        "--output-padding",
        type=opt.ints,
        metavar="OP",
        help="output_padding of a conv-transpose: OP or OP1,OP2 (default None)",
    )
    sub.add_argument(
        "--filters", type=int, metavar="F", default=1, help="output channels (default 1)"
    )
    sub.add_argument(
        "--channels", type=int, metavar="C", default=1, help="input channels (default 1)"
    )
    sub.add_argument("--to", choices=_TARGETS, required=True, help="target framework (required)")
    opt.add_json_flag(sub)


def translate_command(args: argparse.Namespace) -> dict[str, Any]:
    if args.kind == "conv" and args.output_padding is not None:
        opt.refuse(
            "`--output-padding` with --kind conv: only a transposed convolution has one",
            "output_padding",
            {"output_padding": args.output_padding, "kind": "conv"},
        )
    rank = len(args.sizes)
    if args.padding == "causal" and (args.kind != "conv" or rank != 1):
        opt.refuse(
            "`--padding causal` is Keras's Conv1D's only: use --kind conv and one SIZE",
            "padding",
            {"padding": "causal", "kind": args.kind, "SIZE": args.sizes},
        )
    if not 1 <= rank <= 3:
        raise ConvShapeError(
            "translate takes 1 to 3 spatial sizes", argument="SIZE", received={"SIZE": args.sizes}
        )
    kwargs: dict[str, Any] = {
        "strides": tuple(opt.per_dimension(args.stride, rank, "stride", 1)),
        "padding": args.padding,
        "dilation_rate": tuple(opt.per_dimension(args.dilation, rank, "dilation", 1)),
    }
    if args.kind == "conv-transpose" and args.output_padding is not None:
        kwargs["output_padding"] = tuple(
            opt.per_dimension(args.output_padding, rank, "output_padding", 0)
        )
    kernel = tuple(opt.per_dimension(args.kernel_size, rank, "kernel_size", None))
    # loaded when run, not for the parser
    from .layers import convolutional as keras_layers  # noqa: PLC0415
    from .porting import translate  # noqa: PLC0415

    keras_classes = {
        "conv": (keras_layers.Conv1D, keras_layers.Conv2D, keras_layers.Conv3D),
        "conv-transpose": (
            keras_layers.Conv1DTranspose,
            keras_layers.Conv2DTranspose,
            keras_layers.Conv3DTranspose,
        ),
    }
    layer = keras_classes[args.kind][rank - 1](args.filters, kernel, **kwargs)
    translation = translate(layer, args.to, (None, *args.sizes, args.channels))
    return {
        "kwargs": translation.kwargs,
        "crop": [list(crop) for crop in translation.crop],
        "input_pad": [list(pad) for pad in translation.input_pad],
        "exact": translation.exact,
        "code": translation.code(),
        "text": f"{translation}\n\n{translation.code()}",
    }

"""convshape's MACs and memory against the counters people use on PyTorch models.

    pip install torchinfo fvcore ptflops thop
    python benchmarks/compare_counters.py

Builds five models in real PyTorch and as ``convshape.torch`` specifications: the
generator of TensorFlow's DCGAN tutorial written in PyTorch, a strided transposed
convolution, a grouped and a depthwise convolution and a dilated transposed
convolution. Prints, with batch 1 and the models in eval mode, a Markdown table of
the multiply-accumulates each counter reports (convshape, PyTorch's
``FlopCounterMode`` halved, torchinfo, fvcore, ptflops, thop), then convshape's memory
figures next to torchinfo's for the generator, then the package versions. A counter
that is not installed shows "n/a". ``docs/cost.md`` ("Other counters on the same
models") explains each difference.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from convshape import torch as pt
from convshape.costs import macs, memory


@dataclass(frozen=True)
class Case:
    """One model: a builder for the real module, its convshape spec and its input shape."""

    name: str
    build: Callable[[], Any]
    spec: Any
    input_shape: tuple[int, ...]


# -- the real PyTorch models -----------------------------------------------------------
# The frameworks are imported inside the functions (hence ``noqa: PLC0415``): PyTorch
# when a model is built, and each counter when it runs, so that a counter that is not
# installed shows n/a instead of stopping the script.


def dcgan_generator() -> Any:
    """The generator of TensorFlow's DCGAN tutorial, in PyTorch (NCHW)."""
    from torch import nn  # noqa: PLC0415

    return nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False),
        nn.BatchNorm1d(7 * 7 * 256),
        nn.LeakyReLU(),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.LeakyReLU(),
        nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False),
        nn.Tanh(),
    )


def transposed() -> Any:
    from torch import nn  # noqa: PLC0415

    return nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)


def grouped() -> Any:
    from torch import nn  # noqa: PLC0415

    return nn.Conv2d(64, 128, 3, padding=1, groups=8)


def depthwise() -> Any:
    from torch import nn  # noqa: PLC0415

    return nn.Conv2d(64, 64, 3, groups=64)


def dilated_transposed() -> Any:
    from torch import nn  # noqa: PLC0415

    return nn.ConvTranspose2d(16, 16, 3, stride=2, dilation=2)


CASES = (
    Case(
        "(a) DCGAN generator (TF tutorial), z of 100",
        dcgan_generator,
        pt.Sequential(
            pt.Linear(100, 7 * 7 * 256, bias=False),
            pt.BatchNorm1d(7 * 7 * 256),
            pt.LeakyReLU(),
            pt.Unflatten(1, (256, 7, 7)),
            pt.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False),
            pt.BatchNorm2d(128),
            pt.LeakyReLU(),
            pt.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False),
            pt.BatchNorm2d(64),
            pt.LeakyReLU(),
            pt.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False),
            pt.Tanh(),
        ),
        (1, 100),
    ),
    Case(
        "(b) ConvTranspose2d(64, 32, 4, stride=2, padding=1), 32x32",
        transposed,
        pt.ConvTranspose2d(64, 32, 4, stride=2, padding=1),
        (1, 64, 32, 32),
    ),
    Case(
        "(c) Conv2d(64, 128, 3, padding=1, groups=8), 56x56",
        grouped,
        pt.Conv2d(64, 128, 3, padding=1, groups=8),
        (1, 64, 56, 56),
    ),
    Case(
        "(d) Conv2d(64, 64, 3, groups=64), 56x56",
        depthwise,
        pt.Conv2d(64, 64, 3, groups=64),
        (1, 64, 56, 56),
    ),
    Case(
        "(e) ConvTranspose2d(16, 16, 3, stride=2, dilation=2), 20x20",
        dilated_transposed,
        pt.ConvTranspose2d(16, 16, 3, stride=2, dilation=2),
        (1, 16, 20, 20),
    ),
)


# -- the counters: each takes a fresh module in eval mode and the input shape ----------


def _input(shape: tuple[int, ...]) -> Any:
    import torch  # noqa: PLC0415

    return torch.randn(shape)


def flop_counter_macs(model: Any, shape: tuple[int, ...]) -> int:
    """PyTorch's ``FlopCounterMode`` total, halved (it counts 2 FLOPs per MAC)."""
    import torch  # noqa: PLC0415
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(_input(shape))
    return int(counter.get_total_flops()) // 2


def torchinfo_summary(model: Any, shape: tuple[int, ...]) -> Any:
    import torchinfo  # noqa: PLC0415

    return torchinfo.summary(model, input_size=shape, verbose=0, mode="eval", device="cpu")


def torchinfo_macs(model: Any, shape: tuple[int, ...]) -> int:
    """torchinfo's "Total mult-adds"."""
    return int(torchinfo_summary(model, shape).total_mult_adds)


def fvcore_macs(model: Any, shape: tuple[int, ...]) -> int:
    """fvcore's ``FlopCountAnalysis.total()``, which counts one multiply-add as one flop."""
    from fvcore.nn import FlopCountAnalysis  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit.trace's deprecation and tracer warnings
        analysis = FlopCountAnalysis(model, _input(shape))
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return int(analysis.total())


def ptflops_macs(model: Any, shape: tuple[int, ...], backend: str = "pytorch") -> int:
    """ptflops' MACs: the module hooks (its default backend) or the aten backend."""
    from ptflops import get_model_complexity_info  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, _ = get_model_complexity_info(
            model,
            shape[1:],
            as_strings=False,
            print_per_layer_stat=False,
            verbose=False,
            backend=backend,
        )
    return int(result)


def thop_macs(model: Any, shape: tuple[int, ...]) -> int:
    """thop's ``profile`` MACs."""
    from thop import profile  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, _ = profile(model, inputs=(_input(shape),), verbose=False)
    return int(result)


COUNTERS: tuple[tuple[str, Callable[[Any, tuple[int, ...]], int]], ...] = (
    ("FlopCounterMode FLOPs/2", flop_counter_macs),
    ("torchinfo mult-adds", torchinfo_macs),
    ("fvcore", fvcore_macs),
    ("ptflops MACs", ptflops_macs),
    ("thop MACs", thop_macs),
)


def run(counter: Callable[[Any, tuple[int, ...]], int], case: Case) -> str:
    """The counter's figure on a fresh copy of the model, or n/a without the package."""
    try:
        model = case.build().eval()
        return f"{counter(model, case.input_shape):,}"
    except ImportError:
        return "n/a"


# -- the report --------------------------------------------------------------------------


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, the first column left-aligned and the others right-aligned."""
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * widths[0]] + ["-" * (width - 1) + ":" for width in widths[1:]]
    return "\n".join([line(header), "| " + " | ".join(rule) + " |", *map(line, rows)])


def macs_table() -> str:
    header = ["model", "convshape MACs", *(name for name, _ in COUNTERS)]
    rows = []
    for case in CASES:
        ours = macs(case.spec, case.input_shape)
        rows.append([case.name, f"{ours:,}", *(run(counter, case) for _, counter in COUNTERS)])
    return markdown(header, rows)


def memory_table() -> str:
    """convshape's memory figures next to torchinfo's, for the DCGAN generator."""
    case = CASES[0]
    ours = memory(case.spec, case.input_shape)
    ours_bytes = [ours.input_bytes, ours.forward_bytes, ours.params_bytes, ours.total_bytes]
    try:
        summary = torchinfo_summary(case.build().eval(), case.input_shape)
    except ImportError:
        theirs: list[int | None] = [None] * 4
    else:
        parts = [summary.total_input, summary.total_output_bytes, summary.total_param_bytes]
        theirs = [*map(int, parts), int(sum(parts))]
    names = [
        "Input size",
        "Forward/backward pass size",
        "Params size",
        "Estimated total size",
    ]
    rows = []
    for name, mine, other in zip(names, ours_bytes, theirs, strict=True):
        rows.append(
            [
                name,
                f"{mine:,} ({mine / 1e6:.2f} MB)",
                "n/a" if other is None else f"{other:,} ({other / 1e6:.2f} MB)",
            ]
        )
    return markdown([f"{case.name}, bytes", "convshape", "torchinfo"], rows)


def versions() -> str:
    found = []
    for package in ("convshape", "torch", "torchinfo", "fvcore", "ptflops", "thop"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} not installed")
    python = ".".join(map(str, sys.version_info[:3]))
    return f"Python {python}, " + ", ".join(found)


def main() -> None:
    print(macs_table())
    print()
    try:
        aten = [
            f"{ptflops_macs(case.build().eval(), case.input_shape, 'aten'):,}" for case in CASES
        ]
    except ImportError:
        pass
    else:
        print("ptflops with backend='aten', same rows: " + ", ".join(aten))
        print()
    print(memory_table())
    print()
    print(versions())


if __name__ == "__main__":
    main()

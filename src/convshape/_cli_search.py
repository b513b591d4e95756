"""The search subcommands ``solve`` (every argument combination of one layer that takes
SIZE to TARGET) and ``plan`` (stacks of strided layers, up or down): their options, the
bounds a search holds, the answer's text, and what to ask when an answer is empty."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from . import _cli_options as opt
from ._core import ceil_div
from ._frameworks import FRAMEWORKS
from ._words import counted
from .errors import ConvShapeError

__all__ = ["EXAMPLES", "add_plan_arguments", "add_solve_arguments", "plan_command", "solve_command"]

#: The frameworks the solvers take: those with a search in the framework table.
_SOLVE_FRAMEWORKS = tuple(name for name, rules in FRAMEWORKS.items() if rules.solver is not None)

EXAMPLES = {
    "solve": "example: convshape solve 7 14 -k 5   (or: convshape solve 28 14 --kind conv)",
    "plan": "example: convshape plan 7 84   (or down: convshape plan 224 7)",
}


def add_solve_arguments(sub: argparse.ArgumentParser) -> None:
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
        type=opt.one_padding,
        metavar="P",
        help="hold the padding: a mode, or an int with --framework torch (default: any)",
    )
    sub.add_argument(
        "-d", "--dilation", type=int, metavar="D", help="hold the dilation (default: any)"
    )
    sub.add_argument(
        "--framework",
        choices=_SOLVE_FRAMEWORKS,
        default="keras",
        help=f"whose conventions: {', '.join(_SOLVE_FRAMEWORKS)} (default keras)",
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
    opt.add_json_flag(sub)


def add_plan_arguments(sub: argparse.ArgumentParser) -> None:
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
        type=opt.ints,
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
    opt.add_json_flag(sub)


#: (held argument, its bound in a search, the bound's default) of ``convshape solve``.
_SOLVE_BOUNDS = (
    ("kernel_size", "max_kernel_size", 7),
    ("stride", "max_stride", 4),
    ("dilation", "max_dilation", 1),
)


def _option(dest: str) -> str:
    """The option that sets ``dest``: max_stride is --max-stride."""
    return "--" + dest.replace("_", "-")


def solve_command(args: argparse.Namespace) -> dict[str, Any]:
    if args.kind == "pool" and (args.dilation is not None or args.max_dilation is not None):
        name = "dilation" if args.dilation is not None else "max_dilation"
        opt.refuse(
            f"`{_option(name)}` with --kind pool: a pooling has no dilation",
            "dilation",
            {"kind": "pool", name: args.dilation or args.max_dilation},
        )
    for held, bound, default in _SOLVE_BOUNDS:
        if getattr(args, held) is not None and getattr(args, bound) is not None:
            option, what = _option(bound), held.replace("_", " ")
            opt.refuse(
                f"`{option}` bounds the {what}s tried; with {_option(held)} held it has no "
                "effect: give one of them",
                bound,
                {held: getattr(args, held), bound: getattr(args, bound)},
            )
        if getattr(args, bound) is None:
            setattr(args, bound, default)
    from .solve import solve_conv, solve_conv_transpose  # noqa: PLC0415  (loaded when run)

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

    # A "same" the framework takes only up to a stride (PyTorch's: 1) was searched there.
    longest = args.max_stride
    search = FRAMEWORKS[args.framework].solver
    if args.padding == "same" and search is not None and search.same_stride is not None:
        longest = min(longest, search.same_stride)
    searched = [
        f"kernel sizes {held_or('kernel_size', args.max_kernel_size)}",
        f"strides {held_or('stride', longest)}",
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


def plan_command(args: argparse.Namespace) -> dict[str, Any]:
    size, target = args.size, args.target
    if size == target:
        opt.refuse(
            "SIZE and TARGET are equal: no strided layer is needed",
            "target",
            {"SIZE": size, "TARGET": target},
        )
    up = target > size
    if args.limit < 0:
        opt.refuse("`--limit` must be >= 0 (0 shows every plan)", "limit", {"limit": args.limit})
    options: dict[str, Any] = {
        "max_stride": args.max_stride,
        "kernel_sizes": args.kernel_sizes,
        "padding": args.padding,
        "max_layers": args.max_layers,
    }
    from .plan import plan_downsampling, plan_upsampling  # noqa: PLC0415  (loaded when run)

    planner = plan_upsampling if up else plan_downsampling
    plans = planner(size, target, **options)
    layer = "Conv2DTranspose" if up else "Conv2D"
    other = "valid" if args.padding == "same" else "same"
    kernels = ", ".join(map(str, sorted(set(args.kernel_sizes))))
    bounds = (
        f"strides 2..{args.max_stride}, kernel sizes {kernels}, padding "
        f"{args.padding!r} (else {other!r}{' or an output_padding' if up else ''}), "
        f"at most {counted(args.max_layers, 'layer')}, each one `convshape check` accepts"
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
        f"{size} -> {target}: {counted(len(plans), 'plan')} of {layer} layers, simplest first",
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
            return f"Try {_option(name)} {value}: it finds {counted(len(found), 'plan')}."
    return (
        "Try more layers (--max-layers), longer strides (--max-stride) or other "
        f"--kernel-sizes; {solve} finds one layer of any stride."
    )

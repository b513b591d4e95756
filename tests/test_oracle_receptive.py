"""convshape.receptive against real PyTorch (CPU): receptive fields read off gradients.

Random stacks of convolutions (stride, dilation, symmetric, TensorFlow "same" and causal
padding), max and average poolings, transposed convolutions (padding, output_padding,
Keras "same") and nearest or linear up-sampling run in PyTorch with positive weights on a
positive input, so that no gradient cancels: an input position is in an output
position's field exactly when the gradient there is non-zero. Each stack is mapped to
``convshape.torch`` specifications and to convshape's Keras layers (where each can express
it), and the fields convshape computes are compared with the gradients: the first and
last input of every output position away from the borders, the largest span (``size``),
and the centres (``jump`` and ``start``).

Max pooling routes its gradient to the largest element only, so its dependency is read
through a convolution of the same geometry with positive weights (the lengths are checked
against ``max_pool`` itself).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from fractions import Fraction as F
from typing import TYPE_CHECKING, Any

import pytest

from convshape import Input, Model, Sequential, clear_session, layers
from convshape import torch as pt
from convshape.layers import Layer
from convshape.receptive import AxisField, receptive_field, receptive_fields
from tests.oracles import ORACLE_COUNTS, oracle

if TYPE_CHECKING:
    from convshape._geometry import TorchSpec

COUNTED = "torch receptive fields (gradients)"


@pytest.fixture(scope="module")
def torch() -> Iterator[Any]:
    module = oracle("torch")
    threads = module.get_num_threads()
    module.set_num_threads(1)  # thousands of tiny backward passes: threads only cost
    yield module
    module.set_num_threads(threads)


# ---------------------------------------------------------------------------
# Random stacks: one op per layer, its parameters per spatial axis.


@dataclass(frozen=True)
class Op:
    """One layer. ``kind``: conv, max, avg, pool_same (max or avg with TF "same"),
    tconv (PyTorch padding/output_padding), tconv_same (Keras "same"), up."""

    kind: str
    kernel: tuple[int, ...] = ()
    stride: tuple[int, ...] = ()
    dilation: tuple[int, ...] = ()
    #: An int per axis (each side), or "same" (TensorFlow's split) or "causal".
    padding: str | tuple[int, ...] = ()
    output_padding: tuple[int, ...] = ()
    factor: tuple[int, ...] = ()
    mode: str = "nearest"
    average: bool = False

    def __str__(self) -> str:
        fields = {
            "k": self.kernel,
            "s": self.stride,
            "d": self.dilation,
            "p": self.padding,
            "op": self.output_padding,
            "f": self.factor,
        }
        shown = " ".join(f"{key}={value}" for key, value in fields.items() if value != ())
        extra = f" {self.mode}" if self.kind == "up" else ""
        extra += " avg" if self.average else ""
        return f"{self.kind}({shown}{extra})"


def _random_op(rng: random.Random, rank: int) -> Op:
    """One op; 2D stacks draw smaller parameters (and mostly no dilation with a stride,
    which Keras rejects) to keep the inputs small."""
    kernels, strides, dilations = (5, 3, 3) if rank == 1 else (3, 2, 2)
    kind = rng.choices(
        ["conv", "max", "avg", "pool_same", "tconv", "tconv_same", "up"],
        weights=[7, 2, 2, 1, 4, 2, 3],
    )[0]

    def draw(top: int) -> tuple[int, ...]:
        return tuple(rng.randint(1, top) for _ in range(rank))

    kernel, stride = draw(kernels), draw(strides)
    dilation = draw(dilations)
    if rank > 1 and max(stride) > 1 and rng.random() < 0.7:
        dilation = (1,) * rank
    k_eff = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    if kind == "conv":
        choices = ["int", "int", "same", "causal"] if rank == 1 else ["int", "same"]
        padding: str | tuple[int, ...] = rng.choice(choices)
        if padding == "int":
            padding = tuple(rng.randint(0, k - 1) for k in k_eff)
        return Op(kind, kernel, stride, dilation, padding)
    if kind in ("max", "avg"):
        if kind == "avg" or rng.random() < 0.5:
            dilation = (1,) * rank
        padding = tuple(rng.randint(0, k // 2) for k in kernel)
        return Op(kind, kernel, stride, dilation, padding)
    if kind == "pool_same":
        return Op(kind, kernel, stride, (1,) * rank, "same", average=rng.random() < 0.5)
    if kind == "tconv":
        padding = tuple(rng.randint(0, k) for k in k_eff)
        output_padding = tuple(
            rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation, strict=True)
        )
        return Op(kind, kernel, stride, dilation, padding, output_padding)
    if kind == "tconv_same":
        return Op(kind, kernel, stride, (1,) * rank, "same")
    factor = draw(strides)
    return Op("up", factor=factor, mode=rng.choice(["nearest", "nearest", "linear"]))


def _random_stack(rng: random.Random, rank: int, depth: int) -> list[Op]:
    return [_random_op(rng, rank) for _ in range(depth)]


# ---------------------------------------------------------------------------
# Bounds the test sizes its inputs with (independent of convshape).


def _bounds(
    ops: list[Op], rank: int, *, tight: bool = False
) -> tuple[list[int], list[int], list[Fraction]]:
    """Per axis: a margin no border effect reaches past, a multiple of the period of the
    fields, and the final jump. Each layer's windows, strides and padding can carry a
    border's effect that far into the input; ``tight`` counts them once rather than
    twice (2D stacks, to keep their inputs small)."""
    margins, periods, jumps = [], [], []
    for axis in range(rank):
        jump = Fraction(1)
        margin = Fraction(4 if tight else 8)
        period = 1
        for op in ops:
            if op.kind == "up":
                f = op.factor[axis]
                margin += (2 if tight else 4) * jump
                jump /= f
                period *= f
                continue
            k_eff = (op.kernel[axis] - 1) * op.dilation[axis] + 1
            s = op.stride[axis]
            pads = op.padding[axis] if isinstance(op.padding, tuple) else k_eff
            extra = op.output_padding[axis] if op.output_padding else 0
            margin += (k_eff + s + (1 if tight else 2) * pads + extra + (1 if tight else 4)) * jump
            if op.kind.startswith("tconv"):
                jump /= s
                period *= s
            else:
                jump *= s
        margins.append(math.ceil(margin if tight else 2 * margin))
        periods.append(period)
        jumps.append(jump)
    return margins, periods, jumps


# ---------------------------------------------------------------------------
# The stack in PyTorch.


def _tf_same(size: int, k_eff: int, stride: int) -> tuple[int, int]:
    """TensorFlow's SAME padding: ceil(size / stride) windows, the odd zero after."""
    total = max((-(-size // stride) - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def _pad(torch: Any, x: Any, pairs: list[tuple[int, int]]) -> Any:
    """Zeros before/after each spatial axis (F.pad takes the last axis first)."""
    flat: list[int] = []
    for before, after in reversed(pairs):
        flat += [before, after]
    return torch.nn.functional.pad(x, flat)


def _run(torch: Any, ops: list[Op], weights: list[Any], x: Any, rank: int) -> Any:  # noqa: PLR0912
    functional = torch.nn.functional
    conv = [functional.conv1d, functional.conv2d][rank - 1]
    conv_t = [functional.conv_transpose1d, functional.conv_transpose2d][rank - 1]
    max_pool = [functional.max_pool1d, functional.max_pool2d][rank - 1]
    avg_pool = [functional.avg_pool1d, functional.avg_pool2d][rank - 1]
    for op, weight in zip(ops, weights, strict=True):
        sizes = x.shape[2:]
        if op.kind == "conv":
            k_eff = [(k - 1) * d + 1 for k, d in zip(op.kernel, op.dilation, strict=True)]
            if op.padding == "same":
                x = _pad(
                    torch,
                    x,
                    [_tf_same(n, k, s) for n, k, s in zip(sizes, k_eff, op.stride, strict=True)],
                )
            elif op.padding == "causal":
                x = _pad(torch, x, [(k - 1, 0) for k in k_eff])
            else:
                assert isinstance(op.padding, tuple)  # an int per axis
                x = _pad(torch, x, [(p, p) for p in op.padding])
            x = conv(x, weight, stride=op.stride, dilation=op.dilation)
        elif op.kind in ("max", "avg"):
            if op.kind == "avg":
                x = avg_pool(x, op.kernel, op.stride, op.padding)
                continue
            with torch.no_grad():
                expected = max_pool(x, op.kernel, op.stride, op.padding, op.dilation).shape
            x = conv(x, weight, stride=op.stride, padding=op.padding, dilation=op.dilation)
            assert x.shape == expected
        elif op.kind == "pool_same":
            x = _pad(
                torch,
                x,
                [_tf_same(n, k, s) for n, k, s in zip(sizes, op.kernel, op.stride, strict=True)],
            )
            x = conv(x, weight, stride=op.stride)
        elif op.kind == "tconv":
            x = conv_t(
                x,
                weight,
                stride=op.stride,
                padding=op.padding,
                output_padding=op.output_padding,
                dilation=op.dilation,
            )
        elif op.kind == "tconv_same":
            full = conv_t(x, weight, stride=op.stride)
            crops = []
            for n, k, s in zip(sizes, op.kernel, op.stride, strict=True):
                total = (n - 1) * s + k - n * s  # Keras: O = I * s
                before = max(total, 0) // 2
                crops.append((before, total - before))
            for axis, (before, after) in enumerate(crops):
                full = full.narrow(2 + axis, before, full.shape[2 + axis] - before - max(after, 0))
            x = _pad(torch, full, [(0, max(-after, 0)) for _, after in crops])
        else:
            mode = op.mode if op.mode == "nearest" else ["linear", "bilinear"][rank - 1]
            x = functional.interpolate(
                x,
                scale_factor=op.factor,
                mode=mode,
                **({} if mode == "nearest" else {"align_corners": False}),
            )
    return x


def _weights(torch: Any, rng: random.Random, ops: list[Op]) -> list[Any]:
    """Positive kernels in [0.5, 1] (None where the op has no weights)."""
    found = []
    for op in ops:
        if op.kind in ("conv", "max", "pool_same", "tconv", "tconv_same"):
            values = [rng.uniform(0.5, 1.0) for _ in range(math.prod(op.kernel))]
            found.append(torch.tensor(values, dtype=torch.float64).reshape(1, 1, *op.kernel))
        else:
            found.append(None)
    return found


# ---------------------------------------------------------------------------
# The same stack in convshape: PyTorch specifications and Keras layers.


def _torch_specs(ops: list[Op], rank: int) -> list[TorchSpec] | None:
    conv = [pt.Conv1d, pt.Conv2d][rank - 1]
    conv_t = [pt.ConvTranspose1d, pt.ConvTranspose2d][rank - 1]
    max_pool = [pt.MaxPool1d, pt.MaxPool2d][rank - 1]
    avg_pool = [pt.AvgPool1d, pt.AvgPool2d][rank - 1]
    specs: list[TorchSpec] = []
    for op in ops:
        if op.kind == "conv":
            if op.padding == "causal" or (op.padding == "same" and max(op.stride) > 1):
                return None  # PyTorch pads symmetrically; "same" only with stride 1
            specs.append(conv(1, 1, op.kernel, op.stride, op.padding, op.dilation))
        elif op.kind in ("max", "avg", "tconv"):
            pads = op.padding
            assert isinstance(pads, tuple), op  # these ops pad with numbers
            if op.kind == "max":
                specs.append(max_pool(op.kernel, op.stride, pads, op.dilation))
            elif op.kind == "avg":
                specs.append(avg_pool(op.kernel, op.stride, pads))
            else:
                specs.append(
                    conv_t(
                        1, 1, op.kernel, op.stride, pads, op.output_padding, dilation=op.dilation
                    )
                )
        elif op.kind == "up":
            mode = op.mode if op.mode == "nearest" else ["linear", "bilinear"][rank - 1]
            specs.append(pt.Upsample(scale_factor=op.factor, mode=mode))
        else:
            return None  # TensorFlow's "same" splits have no PyTorch module
    return specs


def _keras_layers(ops: list[Op], rank: int) -> list[Layer] | None:  # noqa: PLR0912
    conv = [layers.Conv1D, layers.Conv2D][rank - 1]
    conv_t = [layers.Conv1DTranspose, layers.Conv2DTranspose][rank - 1]
    max_pool = [layers.MaxPooling1D, layers.MaxPooling2D][rank - 1]
    avg_pool = [layers.AveragePooling1D, layers.AveragePooling2D][rank - 1]
    crop = [layers.Cropping1D, layers.Cropping2D][rank - 1]

    def pairs(values: tuple[int, ...]) -> tuple[int, int] | tuple[tuple[int, int], ...]:
        return (values[0], values[0]) if rank == 1 else tuple((v, v) for v in values)

    def zero_pad(values: tuple[int, ...]) -> Layer:
        if rank == 1:
            return layers.ZeroPadding1D((values[0], values[0]))
        return layers.ZeroPadding2D(tuple((v, v) for v in values))

    found: list[Layer] = []
    for op in ops:
        strided_dilation = max(op.stride or (1,)) > 1 and max(op.dilation or (1,)) > 1
        if op.kind == "conv":
            if strided_dilation:
                return None  # Keras rejects strides > 1 with dilation_rate > 1
            padding = "valid"
            if isinstance(op.padding, tuple):
                if any(op.padding):
                    found.append(zero_pad(op.padding))
            else:
                padding = op.padding
            found.append(conv(1, op.kernel, op.stride, padding, dilation_rate=op.dilation))
        elif op.kind in ("max", "avg"):
            if max(op.dilation) > 1:
                return None  # Keras pools have no dilation
            if isinstance(op.padding, tuple) and any(op.padding):
                found.append(zero_pad(op.padding))
            found.append((max_pool if op.kind == "max" else avg_pool)(op.kernel, op.stride))
        elif op.kind == "pool_same":
            found.append((avg_pool if op.average else max_pool)(op.kernel, op.stride, "same"))
        elif op.kind == "tconv":
            if strided_dilation or any(
                p >= s for p, s in zip(op.output_padding, op.stride, strict=True)
            ):
                return None  # Keras: output_padding < strides
            found.append(
                conv_t(
                    1,
                    op.kernel,
                    op.stride,
                    "valid",
                    output_padding=op.output_padding,
                    dilation_rate=op.dilation,
                )
            )
            if isinstance(op.padding, tuple) and any(op.padding):
                found.append(crop(pairs(op.padding)))
        elif op.kind == "tconv_same":
            found.append(conv_t(1, op.kernel, op.stride, "same"))
        else:
            if rank == 1 and op.mode != "nearest":
                return None  # UpSampling1D only repeats
            if rank == 1:
                found.append(layers.UpSampling1D(op.factor[0]))
            else:
                interpolation = "nearest" if op.mode == "nearest" else "bilinear"
                found.append(layers.UpSampling2D(op.factor, interpolation=interpolation))
    return found


# ---------------------------------------------------------------------------
# The comparison.


@dataclass
class Observed:
    """Per axis, the first and last input position of each selected output position's
    field (None where no gradient reaches the input).

    The fields of several axes multiply: an output depends on no input as soon as one
    axis's field is empty there. Where no selected output depends on any input, nothing
    is known about the single axes (``empty``)."""

    positions: list[list[int]]
    spans: list[dict[int, tuple[int, int] | None]]
    empty: bool = False


def _observe(
    torch: Any, forward: Callable[[Any], Any], lengths: list[int], periods: list[int]
) -> Observed | None:
    """Gradients of a central block of output positions with respect to the input."""
    rank = len(lengths)
    rng_input = torch.Generator().manual_seed(sum(lengths))
    x = torch.rand((1, 1, *lengths), dtype=torch.float64, generator=rng_input) * 0.5 + 0.5
    with torch.no_grad():
        out_shape = forward(x).shape[2:]
    positions = []
    for size, period in zip(out_shape, periods, strict=True):
        first = size // 2 - period // 2 - 3
        positions.append(list(range(max(first, 0), min(first + period + 7, size))))
    index = torch.cartesian_prod(*[torch.tensor(p) for p in positions]).reshape(-1, rank)
    inputs = x.clone().requires_grad_(True)
    y = forward(inputs)[0, 0]
    # One gradient per selected output position: a batch of one-hot output gradients.
    seeds = torch.zeros((index.shape[0], *y.shape), dtype=torch.float64)
    where = [torch.arange(index.shape[0])] + [index[:, axis] for axis in range(rank)]
    seeds[tuple(where)] = 1.0
    (gradients,) = torch.autograd.grad(y, inputs, grad_outputs=seeds, is_grads_batched=True)
    jacobian = gradients.reshape(index.shape[0], *lengths)
    spans: list[dict[int, tuple[int, int] | None]] = [
        dict.fromkeys(axis_positions) for axis_positions in positions
    ]
    for row, where in enumerate(index.tolist()):
        nonzero = (jacobian[row] != 0).nonzero()
        if nonzero.shape[0] == 0:
            continue  # no field along some axis: nothing to read along the others
        for axis in range(rank):
            column = nonzero[:, axis]
            span = (int(column.min()), int(column.max()))
            previous = spans[axis][where[axis]]
            if previous is None:
                spans[axis][where[axis]] = span
            elif previous != span:  # the field along one axis is the same in every row
                return None
    empty = not (jacobian != 0).any()
    return Observed(positions, spans, bool(empty))


def _compare(
    field: AxisField,
    observed: dict[int, tuple[int, int] | None],
    length: int,
    margin: int,
    period: int,
) -> list[str]:
    """Differences between convshape's field and the gradients along one axis."""
    problems = []
    interior = [
        o
        for o, span in observed.items()
        if span is None or (span[0] >= margin and span[1] <= length - 1 - margin)
    ]
    run = _longest_run(interior)
    if len(run) < period + 1:
        return [f"too few interior positions ({len(run)}) for period {period}"]
    for o in run:
        expected = field.span(o)
        if observed[o] != expected:
            problems.append(f"output {o}: gradients reach {observed[o]}, convshape {expected}")
    spans = [span for o in run if (span := observed[o]) is not None]
    size = max((high - low + 1 for low, high in spans), default=0)
    if field.size != size:
        problems.append(f"size {field.size}, gradients {size}")
    # jump: the fields repeat, shifted by period * jump, every period positions
    for o in run:
        later = o + period
        if later in observed and later in run and observed[o] and observed[later]:
            first, second = observed[o], observed[later]
            assert first is not None
            assert second is not None
            if Fraction(second[0] - first[0], period) != field.jump:
                problems.append(
                    f"jump {field.jump}, gradients {Fraction(second[0] - first[0], period)}"
                )
                break
    # start: the centre of output 0's field, extrapolated along the jump from the
    # positions of the same phase (every position without up-sampling)
    phase = next((o for o in range(field.period) if field.span(o) is not None), None)
    for o in run:
        span = observed[o]
        if span is None or phase is None or (o - phase) % field.period:
            continue
        start = Fraction(span[0] + span[1], 2) - o * field.jump
        if start != field.start:
            problems.append(f"start {field.start}, gradients {start} (output {o})")
            break
    return problems


def _longest_run(values: list[int]) -> list[int]:
    best: list[int] = []
    current: list[int] = []
    for value in sorted(values):
        current = [*current, value] if current and value == current[-1] + 1 else [value]
        if len(current) > len(best):
            best = current
    return best


def _compare_fields(
    name: str,
    fields: tuple[AxisField, ...],
    observed: Observed,
    lengths: list[int],
    margins: list[int],
    periods: list[int],
) -> list[str]:
    """Every axis's differences, each line naming the stack."""
    if observed.empty:  # one axis (at least) has no field at any selected position
        if any(
            all(field.span(o) is None for o in observed.positions[axis])
            for axis, field in enumerate(fields)
        ):
            return []
        return [f"{name}: no gradient reaches the input, yet every axis has fields"]
    problems: list[str] = []
    for axis, field in enumerate(fields):
        found = _compare(field, observed.spans[axis], lengths[axis], margins[axis], periods[axis])
        problems.extend(f"{name} axis {axis}: {problem}" for problem in found)
    return problems


def _check_stack(
    torch: Any,
    rng: random.Random,
    ops: list[Op],
    rank: int,
    limit: int,
    mismatches: list[str],
    sized: tuple[list[int], list[int]] | None = None,
) -> dict[str, int] | None:
    """Run one stack; None where it is too large or invalid (the caller draws another).
    ``sized`` gives the input lengths and border margins instead of the generic bounds."""
    margins, periods, jumps = _bounds(ops, rank, tight=rank > 1)
    lengths = []
    for margin, period, jump in zip(margins, periods, jumps, strict=True):
        length = 3 * margin + (period + 12) * math.ceil(jump) + 16
        if length > limit:
            return None
        lengths.append(length)
    if sized is not None:
        lengths, margins = sized
    specs = _torch_specs(ops, rank)
    keras = _keras_layers(ops, rank)
    if specs is None and keras is None:
        return None
    weights = _weights(torch, rng, ops)
    try:
        observed = _observe(torch, lambda x: _run(torch, ops, weights, x, rank), lengths, periods)
    except RuntimeError:
        return None  # a stage would be empty
    if observed is None:
        mismatches.append(f"{[str(op) for op in ops]}: fields not separable")
        return None
    done = {"torch": 0, "keras": 0}
    mappings: list[tuple[str, tuple[AxisField, ...], list[int]]] = []
    if specs is not None:
        fields = receptive_field(pt.Sequential(*specs), (1, 1, *lengths))
        mappings.append(("torch", fields, list(range(2, 2 + rank))))
    if keras is not None:
        fields = receptive_field(Sequential([Input((*lengths, 1)), *keras]))
        mappings.append(("keras", fields, list(range(1, 1 + rank))))
    for label, fields, axes in mappings:
        assert [field.axis for field in fields] == axes
        name = f"{label} {[str(op) for op in ops]} L={lengths}"
        mismatches.extend(_compare_fields(name, fields, observed, lengths, margins, periods))
        done[label] += 1
        ORACLE_COUNTS[COUNTED] += 1
    return done


def test_random_1d_stacks_match_gradients(torch: Any) -> None:
    clear_session()
    rng = random.Random(20240611)
    mismatches: list[str] = []
    totals = {"stacks": 0, "torch": 0, "keras": 0, "skipped": 0}
    began = time.perf_counter()
    while totals["stacks"] < 2000:
        ops = _random_stack(rng, 1, rng.randint(1, 6))
        done = _check_stack(torch, rng, ops, 1, 4000, mismatches)
        if done is None or not (done["torch"] or done["keras"]):
            totals["skipped"] += 1
            continue
        totals["stacks"] += 1
        totals["torch"] += done["torch"]
        totals["keras"] += done["keras"]
    elapsed = time.perf_counter() - began
    assert not mismatches, "\n".join(mismatches[:40])
    # Both mappings must have been exercised often.
    assert totals["torch"] >= 1000, (totals, elapsed)
    assert totals["keras"] >= 800, (totals, elapsed)


def test_random_2d_stacks_match_gradients(torch: Any) -> None:
    clear_session()
    rng = random.Random(7)
    mismatches: list[str] = []
    stacks = 0
    while stacks < 200:
        ops = _random_stack(rng, 2, rng.randint(1, 4))
        done = _check_stack(torch, rng, ops, 2, 160, mismatches)
        if done is None or not (done["torch"] or done["keras"]):
            continue
        stacks += 1
    assert not mismatches, "\n".join(mismatches[:40])


def test_dcgan_generator_matches_gradients(torch: Any) -> None:
    """The TensorFlow tutorial's generator chain: Keras "same" transposed convolutions."""
    clear_session()
    ops = [
        Op("tconv_same", (5, 5), (1, 1), (1, 1), "same"),
        Op("tconv_same", (5, 5), (2, 2), (1, 1), "same"),
        Op("tconv_same", (5, 5), (2, 2), (1, 1), "same"),
    ]
    mismatches: list[str] = []
    # Border effects reach (5 - 1) positions into each stage: 4 + 4 + 4 / 2 < 12 inputs.
    sized = ([40, 40], [12, 12])
    done = _check_stack(torch, random.Random(3), ops, 2, 400, mismatches, sized)
    assert done == {"torch": 0, "keras": 1}
    assert not mismatches, "\n".join(mismatches)
    generator = Sequential(
        [
            Input((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same"),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same"),
            layers.Conv2DTranspose(1, 5, strides=2, padding="same"),
        ]
    )
    sizes = [(row.fields[0].size, row.fields[0].jump) for row in receptive_fields(generator)]
    assert sizes == [(5, 1), (7, Fraction(1, 2)), (8, Fraction(1, 4))]


# ---------------------------------------------------------------------------
# Merges: two paths joined by Add, each a chain that keeps the length.


def _length_keeping_chain(rng: random.Random, blocks: int) -> list[Op]:
    """Ops that keep a length divisible by 6: "same" windows of stride 1, and a stride-s
    window followed by an up-sampling or a "same" transposed convolution of stride s."""
    ops: list[Op] = []
    for _ in range(blocks):
        k, s, d = rng.randint(1, 5), rng.choice([2, 3]), rng.randint(1, 3)
        choice = rng.randrange(5)
        if choice == 0:
            ops.append(Op("conv", (k,), (1,), (d,), "same"))
        elif choice == 1:
            ops.append(Op("pool_same", (k,), (1,), (1,), "same", average=True))
        elif choice == 2:
            ops.append(Op("conv", (k,), (s,), (1,), "same"))
            ops.append(Op("tconv_same", (rng.randint(1, 5),), (s,), (1,), "same"))
        elif choice == 3:
            ops.append(Op("pool_same", (k,), (s,), (1,), "same"))
            ops.append(Op("up", factor=(s,)))
        else:
            ops.append(Op("up", factor=(s,)))
            ops.append(Op("conv", (k,), (s,), (1,), "same"))
    return ops


def test_random_merges_match_gradients(torch: Any) -> None:
    """Functional models: Add of two length-keeping paths (or of a path and the input),
    then one more block; the fields of the paths join position by position."""
    clear_session()
    rng = random.Random(99)
    mismatches: list[str] = []
    for _ in range(150):
        paths = [
            _length_keeping_chain(rng, rng.randint(1, 3)),
            _length_keeping_chain(rng, rng.randint(0, 2)),
        ]
        tail = _length_keeping_chain(rng, rng.randint(0, 1))
        bounds = [_bounds(ops, 1) for ops in (*paths, tail)]
        margin = sum(b[0][0] for b in bounds)
        period = math.prod(b[1][0] for b in bounds)
        length = 6 * (-(-(3 * margin + 12 * period + 16) // 6))
        weights = [_weights(torch, rng, ops) for ops in (*paths, tail)]

        chains = [*paths, tail]

        def forward(x: Any, chains: list[list[Op]] = chains, weights: list[Any] = weights) -> Any:
            joined = _run(torch, chains[0], weights[0], x, 1) + _run(
                torch, chains[1], weights[1], x, 1
            )
            return _run(torch, chains[2], weights[2], joined, 1)

        observed = _observe(torch, forward, [length], [period])
        assert observed is not None
        inputs = Input((length, 1))
        ends = []
        for ops in paths:
            x = inputs
            for layer in _keras_layers(ops, 1) or []:
                x = layer(x)
            ends.append(x)
        x = layers.Add()(ends)
        for layer in _keras_layers(tail, 1) or []:
            x = layer(x)
        (field,) = receptive_field(Model(inputs, x))
        names = [[str(op) for op in ops] for ops in chains]
        described = f"{names[0]} + {names[1]} then {names[2]}"
        mismatches.extend(
            f"{described} L={length}: {problem}"
            for problem in _compare(field, observed.spans[0], length, margin, period)
        )
        ORACLE_COUNTS[COUNTED] += 1
    assert not mismatches, "\n".join(mismatches[:40])


def test_adaptive_pooling_matches_gradients(torch: Any) -> None:
    """PyTorch's adaptive average pooling after a convolution: windows of varying width."""
    functional = torch.nn.functional
    mismatches: list[str] = []
    rng = random.Random(4)
    for size, out in [(60, 24), (60, 40), (60, 36), (60, 45), (60, 48), (61, 61), (90, 36)]:
        k = rng.choice([1, 3, 5])  # padding k // 2 keeps the length
        weight = torch.tensor([rng.uniform(0.5, 1) for _ in range(k)], dtype=torch.float64)
        weight = weight.reshape(1, 1, k)
        period = out // math.gcd(size, out)

        def forward(x: Any, weight: Any = weight, out: int = out, k: int = k) -> Any:
            return functional.adaptive_avg_pool1d(functional.conv1d(x, weight, padding=k // 2), out)

        observed = _observe(torch, forward, [size], [period])
        assert observed is not None
        stack = pt.Sequential(pt.Conv1d(1, 1, k, padding=k // 2), pt.AdaptiveAvgPool1d(out))
        (field,) = receptive_field(stack, (1, 1, size))
        mismatches.extend(
            f"I={size} k={k} O={out}: {problem}"
            for problem in _compare(field, observed.spans[0], size, k, period)
        )
        ORACLE_COUNTS[COUNTED] += 1
    assert not mismatches, "\n".join(mismatches)


# ---------------------------------------------------------------------------
# The rules without an oracle: whole fields, origins, merges, layouts, errors.


def test_whole_input_after_flatten_and_global_pooling() -> None:
    clear_session()
    model = Sequential(
        [Input((28, 30, 1)), layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(10)]
    )
    rows = receptive_fields(model)
    assert [str(row) for row in rows] == ["3x3, jump 1x1, start 1x1", "whole 28x30", "whole 28x30"]
    first = rows[-1].fields[0]
    assert (first.whole, first.size, first.jump, first.start) == (True, 28, F(0), F(27, 2))
    assert first.span(5) == (0, 27)
    unknown = Sequential([Input((None, 3)), layers.Conv1D(4, 3), layers.GlobalMaxPooling1D()])
    (field,) = receptive_field(unknown)
    assert (field.whole, field.size, field.start) == (True, None, None)
    assert str(field) == "axis 1: whole input (unknown)"


def test_unknown_length_leaves_start_unknown() -> None:
    clear_session()
    x = Input((None, 3))
    y = layers.Conv1D(4, 3, strides=2, padding="same")(x)
    (field,) = receptive_field(Model(x, y))
    assert (field.size, field.jump, field.start) == (3, F(2), None)
    assert str(field) == "axis 1: size 3, jump 2, start unknown"
    with pytest.raises(cs_error(), match="unknown"):
        field.span(0)
    # A known length decides TensorFlow's split: 10 pads (0, 1), 9 pads (1, 1).
    assert receptive_field(Model(x, y), (None, 10, 3))[0].start == 1
    assert receptive_field(Model(x, y), (None, 9, 3))[0].start == 0


def cs_error() -> type[Exception]:
    from convshape import ConvShapeError

    return ConvShapeError


def test_new_origin_where_spatial_axes_appear() -> None:
    clear_session()
    model = Sequential(
        [Input((100,)), layers.Dense(7 * 7 * 8), layers.Reshape((7, 7, 8)), layers.Conv2D(4, 3)]
    )
    rows = receptive_fields(model)
    assert [row.fields for row in rows[:1]] == [()]
    assert [f.origin for f in rows[-1].fields] == ["reshape", "reshape"]
    assert str(rows[-1]) == "3x3, jump 1x1, start 1x1"


def test_merges_join_fields_and_flag_misaligned_paths() -> None:
    clear_session()
    x = Input((32, 1))
    a = layers.Conv1D(1, 5, padding="same")(x)
    b = layers.Conv1D(1, 3, padding="causal")(x)
    (field,) = receptive_field(Model(x, layers.Add()([a, b])))
    assert (field.size, field.start, field.span(10)) == (5, F(0), (8, 12))
    # Same length, different jumps: positions 0..15 of both, not aligned.
    c = layers.Conv1D(1, 17)(x)
    d = layers.Conv1D(1, 2, strides=2)(x)
    (field,) = receptive_field(Model(x, layers.Concatenate()([d, c])))
    assert (field.size, field.jump, field.aligned) == (17, F(2), False)
    assert str(field).endswith("(paths not aligned)")
    # Squeeze and excitation: every position is scaled by the whole map's average.
    y = layers.Conv1D(4, 3, padding="same")(x)
    s = layers.Dense(4)(layers.GlobalAveragePooling1D(keepdims=True)(y))
    (field,) = receptive_field(Model(x, layers.Multiply()([y, s])))
    assert field.whole
    assert field.size == 32
    # A concatenation along a spatial axis: no rule, the whole input.
    (field,) = receptive_field(Model(x, layers.Concatenate(axis=1)([a, b])))
    assert field.whole


def test_other_inputs_are_left_out_unless_made_from_this_one() -> None:
    clear_session()
    image = Input((16, 16, 1))
    label = Input((4,))
    label_map = layers.Reshape((16, 16, 1))(layers.Dense(256)(label))
    joined = layers.Concatenate()([layers.Conv2D(4, 3, padding="same")(image), label_map])
    model = Model([image, label], layers.Conv2D(1, 3, padding="same")(joined))
    assert [f.size for f in receptive_field(model)] == [5, 5]
    # The bottleneck of an autoencoder depends on the whole image: so does its skip merge.
    x = Input((16, 1))
    encoded = layers.Reshape((16, 1))(layers.Dense(16)(layers.Flatten()(x)))
    skip = layers.Add()([x, encoded])
    (field,) = receptive_field(Model(x, skip))
    assert field.whole


def test_nested_models_match_their_flat_stack() -> None:
    clear_session()
    inner = Sequential([Input((20, 2)), layers.Conv1D(2, 3, strides=2), layers.UpSampling1D(3)])
    x = Input((20, 2))
    nested = Model(x, layers.Conv1D(2, 2)(inner(x)))
    flat = Sequential(
        [
            Input((20, 2)),
            layers.Conv1D(2, 3, strides=2),
            layers.UpSampling1D(3),
            layers.Conv1D(2, 2),
        ]
    )
    assert _values(receptive_field(nested)) == _values(receptive_field(flat))
    assert [row.class_name for row in receptive_fields(nested)] == [
        "InputLayer",
        "Sequential",
        "Conv1D",
    ]
    outer = Sequential([Input((20, 2)), inner, layers.Conv1D(2, 2)])
    assert _values(receptive_field(outer)) == _values(receptive_field(flat))


#: An axis's field but its origin's name: axis, size, jump, start, period, lows, highs.
_Values = tuple[
    int, int | None, Fraction, Fraction | None, int, tuple[int | None, ...], tuple[int | None, ...]
]


def _values(fields: tuple[AxisField, ...]) -> list[_Values]:
    """Everything but the origin's name."""
    return [(f.axis, f.size, f.jump, f.start, f.period, f.lows, f.highs) for f in fields]


def test_unbuilt_sequential_and_single_layers() -> None:
    clear_session()
    model = Sequential([layers.Conv1D(4, 3), layers.MaxPooling1D()])
    (field,) = receptive_field(model, (None, 20, 2))
    assert (field.size, field.jump, field.start) == (4, F(2), F(3, 2))
    assert not model.built
    (field,) = receptive_field(layers.Conv1D(4, 3, dilation_rate=2, padding="causal"), (None, 9, 1))
    assert (field.size, field.start, field.span(0)) == (5, F(-2), (-4, 0))
    with pytest.raises(cs_error(), match="input_shape"):
        receptive_field(layers.Conv1D(4, 3))
    with pytest.raises(cs_error(), match="input_shape"):
        receptive_field(Sequential([layers.Conv1D(4, 3)]))


def test_channels_first_models_count_the_axes_after_the_channels() -> None:
    clear_session()
    cf = "channels_first"
    first = Sequential(
        [
            Input((3, 20, 18)),
            layers.Conv2D(4, (3, 5), strides=2, padding="same", data_format=cf),
            layers.BatchNormalization(axis=1),
            layers.UpSampling2D((2, 3), data_format=cf),
            layers.ZeroPadding2D(((1, 0), (0, 2)), data_format=cf),
        ]
    )
    last = Sequential(
        [
            Input((20, 18, 3)),
            layers.Conv2D(4, (3, 5), strides=2, padding="same"),
            layers.BatchNormalization(),
            layers.UpSampling2D((2, 3)),
            layers.ZeroPadding2D(((1, 0), (0, 2))),
        ]
    )
    ours, theirs = receptive_field(first), receptive_field(last)
    assert [f.axis for f in ours] == [2, 3]
    assert [(f.size, f.jump, f.start) for f in ours] == [(f.size, f.jump, f.start) for f in theirs]
    # Dense mixes the last axis, a spatial one here.
    first.add(layers.Dense(5))
    assert all(f.whole for f in receptive_field(first))


def test_layers_reading_spatial_axes_give_the_whole_input() -> None:
    clear_session()
    for layer in (
        layers.Softmax(axis=1),
        layers.LayerNormalization(axis=[1, 2]),
        layers.GroupNormalization(groups=2),
        layers.LSTM(4, return_sequences=True),
    ):
        model = Sequential([Input((12, 4)), layers.Conv1D(4, 3), layer])
        assert receptive_field(model)[0].whole, layer
    for pointwise in (layers.Softmax(), layers.LayerNormalization(), layers.Dense(3)):
        model = Sequential([Input((12, 4)), layers.Conv1D(4, 3), pointwise])
        assert receptive_field(model)[0].size == 3, pointwise


def test_torch_modules() -> None:
    stack = pt.Sequential(
        pt.Conv2d(3, 8, 3, padding=1),
        pt.BatchNorm2d(8),
        pt.AdaptiveAvgPool2d((1, None)),
        pt.Flatten(),
        pt.Linear(8 * 16, 2),
    )
    rows = receptive_fields(stack, (1, 3, 16, 16))
    assert [row.name for row in rows] == ["0", "1", "2", "3", "4"]
    assert str(rows[2]) == "16x3, jump 0x1, start 7.5x0; whole along axis 2"
    assert str(rows[4]) == "whole 16x16"
    (field,) = receptive_field(pt.Conv1d(1, 1, 4, padding="same"), (1, 1, 10))
    assert (field.size, field.start) == (4, Fraction(1, 2))
    assert receptive_field(pt.Upsample(size=20), (1, 1, 10))[0].jump == Fraction(1, 2)


def test_rejected_arguments() -> None:
    clear_session()
    error = cs_error()
    with pytest.raises(error, match="input_shape"):
        receptive_field(pt.Conv1d(1, 1, 3))
    with pytest.raises(error, match="whole factors"):
        receptive_field(pt.Upsample(scale_factor=1.5), (1, 1, 10))
    with pytest.raises(error, match="align_corners"):
        receptive_field(pt.Upsample(scale_factor=2, mode="linear", align_corners=True), (1, 1, 8))
    with pytest.raises(error, match="bicubic"):
        receptive_field(layers.UpSampling2D(interpolation="bicubic"), (None, 4, 4, 1))
    a, b = Input((4, 1)), Input((4, 1))
    two_inputs = Model([a, b], layers.Add()([a, b]))
    with pytest.raises(error, match="2 inputs"):
        receptive_field(two_inputs, (None, 4, 1))
    with pytest.raises(TypeError, match="receptive_field"):
        receptive_field("Conv2D")

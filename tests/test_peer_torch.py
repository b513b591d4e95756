"""PyTorch's own test samples against convshape.torch.

The samples are the ones PyTorch's test suite runs its modules and functionals on:
``torch.testing._internal.common_modules.module_db`` (each ``ModuleInfo``'s
``module_inputs_func`` samples and its ``module_error_inputs_func`` error samples),
``torch.testing._internal.common_nn`` (``module_tests`` and ``get_new_module_tests()``, with
``F.interpolate`` samples as ``nn.Upsample``, and ``lambda: nn.Fold(...)`` constructors read
off the module) and the OpInfo ``op_db`` samples and error samples of the convolution,
pooling, adaptive pooling, interpolation, group/layer norm, padding (``F.pad`` per mode,
``torch.constant_pad_nd``), max unpooling (the indices' shape and ``output_size`` passed at
call time), pixel shuffle and unfold functionals, each read as the module with the same
arguments (channels and kernel size from the weight).

For every sample whose module class convshape.torch has, the real module is built from the
sample's constructor arguments and run on the sample's input (CPU, float32, no grad, eval
mode, which the specs model; an OpInfo sample runs its functional); the convshape spec is
built from the same arguments. The output shape, the parameter count and the buffer count
must agree, and where PyTorch raises (at construction or forward) convshape must raise
ConvShapeError or TypeError. Samples of module classes convshape.torch lacks are counted per
class; samples whose arguments a spec cannot take are counted per reason; samples whose
outcome in training mode differs from eval mode are counted too.

Run as a script (``python -m tests.test_peer_torch``) for the full report.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import types
import unittest
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

import convshape.torch as pt
from convshape import ConvShapeError
from convshape.torch._module import Module as TorchModule
from tests.oracles import ORACLE_COUNTS, oracle, oracles_required

#: PyTorch's exceptions for arguments or inputs it refuses.
_TORCH_ERRORS = (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError)

Outcome = tuple[tuple[int, ...], int, int] | None


@dataclass
class Sample:
    """One module sample: the class name, constructor and forward arguments."""

    source: str
    name: str
    desc: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    inputs: tuple[Any, ...]
    forward_kwargs: dict[str, Any]
    #: "construction" or "forward" for PyTorch's error samples, which must fail there.
    error_on: str | None = None
    #: An OpInfo sample: the functional call (PyTorch's answer) and its weights' size.
    call: Any = None
    parameters: int = 0


@dataclass
class Report:
    """What a run of the samples found."""

    run: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    missing: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    #: Samples whose outcome in training mode is not the one in eval mode.
    training_differs: Counter[str] = field(default_factory=Counter)

    def text(self) -> str:
        lines = [
            f"run {sum(self.run.values())}, matched {sum(self.matched.values())}, "
            f"mismatches {len(self.mismatches)}, skipped "
            f"{sum(self.missing.values()) + sum(self.skipped.values())}",
            "run per class: " + ", ".join(f"{k} {v}" for k, v in sorted(self.run.items())),
            "missing classes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.missing.items())),
            "skipped: " + "; ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items())),
            "training mode differs: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.training_differs.items())),
            *self.mismatches,
        ]
        return "\n".join(lines)


def _internal(torch: Any) -> tuple[Any, Any, Any]:
    """PyTorch's ``common_modules``, ``common_nn`` and OpInfo ``op_db``; their
    ``common_utils`` imports ``expecttest`` only for its ``TestCase`` base, stood in for by
    unittest's when absent.
    Importing it freezes ``torch.backends``' global flags; they are thawed again so the
    other tests run as without it."""
    frozen = torch.backends.flags_frozen()
    added = False
    if importlib.util.find_spec("expecttest") is None:
        stub = types.ModuleType("expecttest")
        stub.TestCase = unittest.TestCase  # type: ignore[attr-defined]
        stub.ACCEPT = False  # type: ignore[attr-defined]
        sys.modules["expecttest"] = stub
        added = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from torch.testing._internal import common_modules, common_nn
            from torch.testing._internal.common_methods_invocations import op_db
    except ImportError as error:  # pragma: no cover - a torch without its test helpers
        message = f"torch {torch.__version__} ships no test samples ({error})"
        if oracles_required():
            pytest.fail(message + " and CONVSHAPE_REQUIRE_ORACLES=1", pytrace=False)
        pytest.skip(message)
    finally:
        if added:
            sys.modules.pop("expecttest", None)
        if not frozen:
            torch.backends.flags_frozen.__globals__["__allow_nonbracketed_mutation_flag"] = True
    return common_modules, common_nn, op_db


def _split_input(forward: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The forward arguments, a tensor passed as ``input=`` moved to the positional ones."""
    if forward is None:
        return (), {}
    args, kwargs = tuple(forward.args), dict(forward.kwargs)
    if not args and "input" in kwargs:
        args = (kwargs.pop("input"),)
    return args, kwargs


def _module_db_samples(torch: Any, common_modules: Any) -> list[Sample]:
    samples: list[Sample] = []
    for info in common_modules.module_db:
        name = info.module_cls.__name__
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            inputs = list(
                info.module_inputs_func(
                    info, device="cpu", dtype=torch.float32, requires_grad=False, training=True
                )
            )
        if not hasattr(pt, name):
            samples += [Sample("module_db", name, "", (), {}, (), {}, "missing")] * len(inputs)
            continue
        for item in inputs:
            args, kwargs = _split_input(item.forward_input)
            constructor = item.constructor_input
            samples.append(
                Sample(
                    "module_db",
                    name,
                    item.desc,
                    constructor.args,
                    dict(constructor.kwargs),
                    args,
                    kwargs,
                )
            )
        if info.module_error_inputs_func is None:
            continue
        errors = info.module_error_inputs_func(
            info, device="cpu", dtype=torch.float32, requires_grad=False, training=True
        )
        for error in errors:
            item = error.module_error_input
            args, kwargs = _split_input(item.forward_input)
            constructor = item.constructor_input
            on = error.error_on.name
            samples.append(
                Sample(
                    "module_db errors",
                    name,
                    item.desc,
                    constructor.args,
                    dict(constructor.kwargs),
                    args,
                    kwargs,
                    "construction" if on == "CONSTRUCTION_ERROR" else "forward",
                )
            )
    return samples


#: ``F.interpolate``'s keyword arguments that ``nn.Upsample`` takes too.
_UPSAMPLE_ARGUMENTS = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")


def _functional(test: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A ``wrap_functional(fn, **kwargs)`` test's function name and keyword arguments."""
    forward = getattr(test.get("constructor"), "forward", None)
    closure = getattr(forward, "__closure__", None)
    if forward is None or not closure:
        return None
    cells = {
        name: cell.cell_contents
        for name, cell in zip(forward.__code__.co_freevars, closure, strict=True)
    }
    fn, kwargs = cells.get("fn"), cells.get("kwargs")
    if fn is None or not isinstance(kwargs, dict):
        return None
    return getattr(fn, "__name__", "?"), kwargs


#: Modules whose attributes are their constructor's arguments, by keyword.
_ATTRIBUTE_ARGUMENTS = {
    "Fold": ("output_size", "kernel_size", "dilation", "padding", "stride"),
    "Unfold": ("kernel_size", "dilation", "padding", "stride"),
}


def _built_module(test: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A test whose ``constructor`` builds one of ``_ATTRIBUTE_ARGUMENTS``' modules itself
    (``lambda: nn.Fold(...)``): its class name and arguments, read off the module."""
    constructor = test.get("constructor")
    if constructor is None or "module_name" in test or hasattr(constructor, "forward"):
        return None
    try:
        module = constructor()
    except Exception:  # another test's constructor may need what only its test passes
        return None
    name = type(module).__name__
    if name not in _ATTRIBUTE_ARGUMENTS:
        return None
    return name, {key: getattr(module, key) for key in _ATTRIBUTE_ARGUMENTS[name]}


def _common_nn_samples(torch: Any, common_nn: Any) -> list[Sample]:
    samples: list[Sample] = []
    for test in [*common_nn.module_tests, *common_nn.get_new_module_tests()]:
        name, args = test.get("module_name"), tuple(test.get("constructor_args", ()))
        kwargs: dict[str, Any] = {}
        desc = test.get("desc", test.get("fullname", ""))
        built = _built_module(test)
        if name is None and built is not None:
            name, kwargs = built
        elif name is None:
            functional = _functional(test)
            if functional is None or functional[0] != "interpolate":
                reason = "without a wrapped function" if functional is None else functional[0]
                samples.append(Sample("common_nn", "", "", (), {}, (), {}, f"functional {reason}"))
                continue
            # F.interpolate as nn.Upsample, the module convshape models.
            name, kwargs = "Upsample", dict(functional[1])
            if set(kwargs) - set(_UPSAMPLE_ARGUMENTS):
                samples.append(
                    Sample("common_nn", name, desc, (), kwargs, (), {}, "functional interpolate")
                )
                continue
        elif "constructor" in test:
            samples.append(Sample("common_nn", name, "", (), {}, (), {}, "own constructor"))
            continue
        if not hasattr(pt, name):
            samples.append(Sample("common_nn", name, "", (), {}, (), {}, "missing"))
            continue
        if "input_size" in test:
            tensor = torch.zeros(test["input_size"])
        elif "input_fn" in test:
            tensor = test["input_fn"]()
        else:
            samples.append(Sample("common_nn", name, "", (), {}, (), {}, "no input"))
            continue
        samples.append(Sample("common_nn", name, desc, args, kwargs, (tensor,), {}))
    return samples


#: The functionals of PyTorch's OpInfo database with a module convshape models, and the
#: names of their arguments after the input.
_OPS: dict[str, tuple[str, ...]] = {
    **{f"conv{n}d": ("weight", "bias", "stride", "padding", "dilation", "groups") for n in "123"},
    **{
        f"conv_transpose{n}d": (
            "weight",
            "bias",
            "stride",
            "padding",
            "output_padding",
            "groups",
            "dilation",
        )
        for n in "123"
    },
    **{
        f"max_pool{n}d": (
            "kernel_size",
            "stride",
            "padding",
            "dilation",
            "ceil_mode",
            "return_indices",
        )
        for n in "123"
    },
    "avg_pool1d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    **{
        f"avg_pool{n}d": (
            "kernel_size",
            "stride",
            "padding",
            "ceil_mode",
            "count_include_pad",
            "divisor_override",
        )
        for n in "23"
    },
    **{f"adaptive_avg_pool{n}d": ("output_size",) for n in "123"},
    **{f"adaptive_max_pool{n}d": ("output_size", "return_indices") for n in "123"},
    "interpolate": (*_UPSAMPLE_ARGUMENTS, "antialias"),
    "upsample_nearest": ("size", "scale_factor"),
    "upsample_bilinear": ("size", "scale_factor"),
    "group_norm": ("num_groups", "weight", "bias", "eps"),
    "layer_norm": ("normalized_shape", "weight", "bias", "eps"),
    "pad": ("pad", "mode", "value"),
    "constant_pad_nd": ("pad", "value"),
    **{
        f"max_unpool{n}d": ("indices", "kernel_size", "stride", "padding", "output_size")
        for n in "123"
    },
    "pixel_shuffle": ("upscale_factor",),
    "pixel_unshuffle": ("downscale_factor",),
    "unfold": ("kernel_size", "dilation", "padding", "stride"),
}

#: OpInfo names that lose their prefix to another op's name (``Tensor.unfold`` is not
#: ``F.unfold``).
_OTHER_OPS = ("unfold", "unfold_copy")

_PAD_MODULES = {"reflect": "Reflection", "replicate": "Replication", "circular": "Circular"}


def _numel(tensor: Any) -> int:
    return 0 if tensor is None else int(tensor.numel())


def _conv_module(op: str, values: dict[str, Any]) -> tuple[str, Any]:
    """``F.conv*d`` or ``F.conv_transpose*d``'s module: the channels and kernel size from the
    weight's shape ((out, in / groups, *k), transposed (in, out / groups, *k))."""
    transposed = op.startswith("conv_transpose")
    weight, groups = values.pop("weight"), values.get("groups", 1)
    channels = (weight.shape[1] * groups, weight.shape[0])
    if transposed:
        channels = channels[::-1]
    values.update(
        in_channels=channels[0],
        out_channels=channels[1],
        kernel_size=tuple(weight.shape[2:]),
        bias=values.pop("bias", None) is not None,
    )
    return f"{'ConvTranspose' if transposed else 'Conv'}{op[-2:]}", values


def _upsample_module(op: str, values: dict[str, Any]) -> tuple[str, Any]:
    """``F.interpolate`` (and the old ``F.upsample_*``) as ``nn.Upsample``, which takes a
    tuple where the functional takes a list too."""
    if values.pop("antialias", False):
        return "", "interpolate antialias=True (nn.Upsample has none)"
    if op == "upsample_bilinear":
        values.update(mode="bilinear", align_corners=True)
    for key in ("size", "scale_factor"):
        if isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    return "Upsample", values


def _pad_module(op: str, values: dict[str, Any]) -> tuple[str, Any]:
    """``F.pad`` (and ``torch.constant_pad_nd``) as the padding module of its mode: the
    constant modules take any number of pairs; the others as many as their rank (the
    rank is only read for an int padding, which ``F.pad`` does not take)."""
    pad, mode, value = (
        tuple(values.pop("pad")),
        values.pop("mode", "constant"),
        values.pop("value", None),
    )
    rank = min(max(len(pad) // 2, 1), 3)
    if mode == "constant":
        return f"ConstantPad{rank}d", {"padding": pad, "value": 0.0 if value is None else value}
    if value is not None:
        return "", f"{op} mode={mode!r} with a value (no module has that)"
    return f"{_PAD_MODULES[mode]}Pad{rank}d", {"padding": pad}


def _rearranging_module(op: str, values: dict[str, Any]) -> tuple[str, Any] | None:
    """The pooling, padding, max unpooling, pixel shuffle and unfold functionals' modules."""
    if op in ("pad", "constant_pad_nd"):
        return _pad_module(op, values)
    if op.startswith("max_unpool"):  # the indices and output_size are forward's
        return f"MaxUnpool{op[-2:]}", values
    if op.startswith(("max_pool", "avg_pool", "adaptive", "pixel", "unfold")):
        return "".join(part.capitalize() for part in op.split("_")), values  # MaxPool2d
    return None


def _as_module(op: str, shape: tuple[int, ...], values: dict[str, Any]) -> tuple[str, Any]:
    """The module class and keyword arguments equivalent to ``F.<op>(input, **values)``, or
    ("", reason) where there is none."""
    rearranging = _rearranging_module(op, values)
    if rearranging is not None:
        return rearranging
    if op.startswith("conv"):
        return _conv_module(op, values)
    if op.startswith(("interpolate", "upsample")):
        return _upsample_module(op, values)
    weight, bias = values.pop("weight", None), values.pop("bias", None)
    if weight is None and bias is not None:
        return "", f"{op} with a bias and no weight (no module has that)"
    values["bias"] = bias is not None
    if op == "group_norm":
        values.update(num_channels=shape[1] if len(shape) > 1 else 0, affine=weight is not None)
        return "GroupNorm", values
    values["elementwise_affine"] = weight is not None
    return "LayerNorm", values


def _op_db_samples(torch: Any, op_db: Any) -> list[Sample]:
    """OpInfo samples and error samples of the functionals in ``_OPS``, as module samples
    whose truth is the functional's own output."""
    samples: list[Sample] = []
    seen: set[tuple[str, str, tuple[int, ...], int, str]] = set()
    for info in op_db:
        op = info.name.removeprefix("nn.functional.")
        if op not in _OPS or info.name in _OTHER_OPS:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            items = list(info.sample_inputs("cpu", torch.float32, requires_grad=False))
            if info.error_inputs_func is not None:
                items += [error.sample_input for error in info.error_inputs("cpu")]
        for item in items:
            if not isinstance(item.input, torch.Tensor):
                continue
            names = _OPS[op]
            values = dict(zip(names, item.args, strict=False)) | dict(item.kwargs)
            tensors = [item.input, values.get("weight"), values.get("bias")]
            if len({x.dtype for x in tensors if isinstance(x, torch.Tensor)}) > 1:
                reason = f"{op}: tensors of different dtypes (no module argument says that)"
                samples.append(Sample("op_db", op, "", (), {}, (), {}, reason))
                continue
            params = _numel(values.get("weight")) + _numel(values.get("bias"))
            forward = {}
            if op.startswith("max_unpool"):
                forward["indices_shape"] = tuple(values.pop("indices").shape)
                if values.get("output_size") is not None:
                    forward["output_size"] = tuple(values.pop("output_size"))
                values.pop("output_size", None)
            name, kwargs = _as_module(op, tuple(item.input.shape), values)
            call = functools.partial(info.op, item.input, *item.args, **item.kwargs)
            if not name:
                samples.append(Sample("op_db", op, "", (), {}, (), {}, kwargs))
                continue
            key = (name, repr(kwargs), tuple(item.input.shape), params, repr(forward))
            if key in seen:  # the same shapes and arguments in another dtype or layout
                continue
            seen.add(key)
            samples.append(
                Sample("op_db", name, op, (), kwargs, (item.input,), forward, None, call, params)
            )
    return samples


def _theirs(torch: Any, sample: Sample, *, training: bool = False) -> tuple[Outcome, str]:
    """PyTorch's (output shape, parameters, buffers), or None and where it refused; in eval
    mode unless ``training``."""
    if sample.call is not None:  # an OpInfo sample: the functional is the truth
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                out = sample.call()
        except _TORCH_ERRORS:
            return None, "forward"
        out = out[0] if isinstance(out, tuple) else out
        return (tuple(out.shape), sample.parameters, 0), ""
    module_cls = getattr(torch.nn, sample.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = module_cls(*sample.args, **sample.kwargs)
    except _TORCH_ERRORS:
        return None, "construction"
    module.train(training)
    if not sample.inputs:  # a construction error sample
        return ((), *_counts(module)), ""
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            out = module(*sample.inputs, **sample.forward_kwargs)
    except _TORCH_ERRORS:
        return None, "forward"
    if isinstance(out, tuple):  # return_indices=True
        out = out[0]
    return (tuple(out.shape), *_counts(module)), ""


def _counts(module: Any) -> tuple[int, int]:
    params = sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for b in module.buffers())
    return params, buffers


_UNTAKEN = ("unexpected keyword argument", "positional argument")


def _ours(sample: Sample) -> tuple[Outcome, str]:
    """convshape's answer, or None and where it refused (ConvShapeError or TypeError only);
    "untaken" when the spec has no such argument."""
    stage = "construction"
    try:
        spec = getattr(pt, sample.name)(*sample.args, **sample.kwargs)
        buffers = spec.buffer_count() if isinstance(spec, TorchModule) else 0
        if not sample.inputs:  # a construction error sample
            return ((), spec.parameter_count(), buffers), ""
        stage = "forward"
        out = spec.compute_output_shape(tuple(sample.inputs[0].shape), **sample.forward_kwargs)
    except TypeError as error:
        if any(text in str(error) for text in _UNTAKEN):
            return None, f"untaken: {stage} {error}"
        return None, stage
    except ConvShapeError:
        return None, stage
    return (tuple(out), spec.parameter_count(), buffers), ""


def _case(sample: Sample) -> str:
    args = ", ".join([*map(repr, sample.args)] + [f"{k}={v!r}" for k, v in sample.kwargs.items()])
    shapes = [tuple(x.shape) if hasattr(x, "shape") else x for x in sample.inputs]
    extra = f", forward {sample.forward_kwargs}" if sample.forward_kwargs else ""
    return f"[{sample.source}] {sample.name}({args}) on {shapes}{extra} {sample.desc!r}"


def run_samples(torch: Any, samples: list[Sample]) -> Report:
    report = Report()
    for sample in samples:
        if sample.error_on not in (None, "construction", "forward"):
            if sample.error_on == "missing":
                report.missing[sample.name] += 1
            else:
                report.skipped[f"{sample.source}: {sample.error_on}"] += 1
            continue
        tensors = [x for x in sample.inputs if isinstance(x, torch.Tensor)]
        construction_only = not sample.inputs and sample.error_on == "construction"
        if not construction_only and (len(sample.inputs) != 1 or len(tensors) != 1):
            report.skipped[f"{sample.name}: forward takes {len(sample.inputs)} inputs"] += 1
            continue
        ours, where_ours = _ours(sample)
        if where_ours.startswith("untaken"):
            report.skipped[f"{sample.name}: {where_ours}"] += 1
            continue
        theirs, where_theirs = _theirs(torch, sample)
        if sample.call is None and _theirs(torch, sample, training=True) != (
            theirs,
            where_theirs,
        ):
            report.training_differs[sample.name] += 1
        report.run[sample.name] += 1
        if ours == theirs:
            report.matched[sample.name] += 1
            continue
        report.mismatches.append(
            f"{_case(sample)}: torch {theirs or 'raised at ' + where_theirs}, "
            f"convshape {ours or 'raised at ' + where_ours}"
        )
    return report


@functools.cache
def _reports() -> dict[str, Report]:
    torch = oracle("torch")
    common_modules, common_nn, op_db = _internal(torch)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a thread pool costs milliseconds a call
    try:
        return {
            "module_db": run_samples(torch, _module_db_samples(torch, common_modules)),
            "common_nn": run_samples(torch, _common_nn_samples(torch, common_nn)),
            "op_db": run_samples(torch, _op_db_samples(torch, op_db)),
        }
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("source", ["module_db", "common_nn", "op_db"])
def test_torch_samples_match(source: str) -> None:
    report = _reports()[source]
    ORACLE_COUNTS[f"torch {source} samples (shape, parameters, buffers)"] += sum(
        report.run.values()
    )
    assert sum(report.run.values()) > 0
    assert not report.mismatches, report.text()


if __name__ == "__main__":  # pragma: no cover
    for source, report in _reports().items():
        print(f"== {source}\n{report.text()}\n")


def _sample(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]
) -> Any:
    return lambda torch: Sample("found", name, "", args, kwargs, (torch.zeros(shape),), {})


# Cases the samples above led to (PyTorch's BatchNorm error samples fail in training mode;
# without running statistics BatchNorm uses the batch's in eval mode too).
FOUND = [
    _sample("BatchNorm1d", (10,), {"eps": 0.0, "track_running_stats": False}, (2, 10, 3)),
    _sample("BatchNorm2d", (4,), {"eps": 0, "track_running_stats": False}, (2, 4, 3, 3)),
    _sample("BatchNorm1d", (10,), {"eps": 0.0}, (2, 10)),
    _sample("BatchNorm3d", (2,), {"eps": 0.0}, (1, 2, 1, 1, 1)),
    _sample("BatchNorm1d", (10,), {"track_running_stats": False}, (1, 10)),
    _sample("BatchNorm1d", (10,), {"track_running_stats": False}, (1, 10, 1)),
    _sample("BatchNorm1d", (10,), {"track_running_stats": False}, (0, 10, 1)),
    _sample("BatchNorm1d", (10,), {"track_running_stats": False}, (1, 10, 2)),
    _sample("BatchNorm2d", (3,), {"track_running_stats": False}, (1, 3, 1, 1)),
    _sample("BatchNorm3d", (3,), {"track_running_stats": False, "affine": False}, (1, 3, 1, 1, 1)),
    _sample("BatchNorm2d", (3,), {"track_running_stats": False}, (2, 3, 1, 1)),
    _sample("BatchNorm2d", (3,), {}, (1, 3, 1, 1)),
    _sample("InstanceNorm1d", (3,), {"eps": 0.0}, (2, 3, 4)),
]


def test_found_cases_match() -> None:
    torch = oracle("torch")
    report = run_samples(torch, [build(torch) for build in FOUND])
    ORACLE_COUNTS["torch module cases from the samples"] += sum(report.run.values())
    assert sum(report.run.values()) == len(FOUND)
    assert not report.mismatches, report.text()

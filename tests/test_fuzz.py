"""Fuzz every public entry point with valid and hostile arguments (issue 14).

The contract checked on every call: bad input raises ``ConvShapeError`` (a
``ValueError``) or ``TypeError`` with a message ``str()`` can form, that names the
argument; nothing else escapes; each call finishes within a time bound and a traced
memory bound; results hold plain ints (no bool where a size is meant, no NumPy
integers, no floats in shapes) and ``repr()``/``str()`` of them work.

Entry points are enumerated at run time (``convshape.__all__``, ``convshape.layers``,
``convshape.torch``, ``convshape.jax``, ``convshape.onnx``), so new ones are fuzzed
without a change here; ``test_every_public_name_is_fuzzed`` fails when a public name of
``convshape`` is neither fuzzed nor excluded with a reason.

CI runs a small, derandomized budget (``FUZZ_EXAMPLES`` per entry point). Fuzz harder
with ``CONVSHAPE_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz*.py``: a set budget also
turns derandomization off, so every run tries new inputs.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import signal
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import convshape as cs
from convshape import jax as cs_jax
from convshape import layers
from convshape import onnx as cs_onnx
from convshape import torch as cs_torch
from convshape.errors import _short_repr
from convshape.layers import _registry as registry

#: Examples per entry point: small in CI (the whole fuzz suite within 90 s on 2 cores),
#: as many as asked for locally.
_BUDGET = os.environ.get("CONVSHAPE_FUZZ_EXAMPLES")
FUZZ_EXAMPLES = int(_BUDGET) if _BUDGET else 30
SECONDS = 2.0  # per call
CUTOFF = 10.0  # a call still running then is stopped and reported
PEAK_BYTES = 64 * 2**20  # traced allocations per call
MESSAGE_CHARS = 4000

FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # timed per call below, with the cutoff as a hard stop
    derandomize=_BUDGET is None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    # CONVSHAPE_FUZZ_SHRINK=0 reports the first failing example as found (faster triage).
    phases=[Phase.explicit, Phase.generate]
    if os.environ.get("CONVSHAPE_FUZZ_SHRINK") == "0"
    else [Phase.explicit, Phase.generate, Phase.shrink],
)

# ---------------------------------------------------------------------------------------
# Values: plausible ones, to get past the first check, mixed with hostile ones.

HUGE = 10**4000


def _nested(depth: int) -> list[Any]:
    value: list[Any] = [1]
    for _ in range(depth):
        value = [value]
    return value


class _LongInt(int):
    """An int too long for ``repr`` (over 4,300 digits), shown by its length so that
    Hypothesis can print a failing example holding one."""

    def __repr__(self) -> str:
        return f"_LongInt(<{self.bit_length()} bits>)"


class _Weird:
    """An object whose every attribute lookup and comparison fails loudly."""

    def __index__(self) -> int:
        raise RuntimeError("no index")

    def __repr__(self) -> str:
        return "_Weird()"


SPECIAL_INTS = [
    0,
    -1,
    1,
    2,
    255,
    2**31,
    2**63,
    2**64 - 1,
    10**18,
    -(10**18),
    10**30,
    HUGE,
    -HUGE,
    10**4299,
    _LongInt(10**4300),
    _LongInt(-(10**5000)),
]
NUMPY_VALUES = [
    np.uint8(200),
    np.uint8(255),
    np.int8(-3),
    np.int16(7),
    np.int32(3),
    np.int64(5),
    np.int64(-2),
    np.uint64(2**64 - 1),
    np.int64(2**63 - 1),
    np.float32(2.0),
    np.float64("nan"),
    np.bool_(True),
]
WORDS = [
    "valid",
    "same",
    "full",
    "causal",
    "SAME",
    "VALID",
    "SAME_UPPER",
    "SAME_LOWER",
    "NOTSET",
    "keras",
    "torch",
    "jax",
    "onnx",
    "flax",
    "channels_last",
    "channels_first",
    "nearest",
    "bilinear",
    "zeros",
    "reflect",
    "concat",
    "relu",
    "MaxPool",
    "AveragePool",
    "",
    "a" * 300,
    "\x00",
    "[",
    "(.*",
    "é",
]

ints = st.one_of(
    st.integers(-3, 12),
    st.sampled_from(SPECIAL_INTS),
    st.integers(),
)
scalars = st.one_of(
    ints,
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.5, 2.0, 1e300, -0.0]),
    st.sampled_from(NUMPY_VALUES),
    st.sampled_from(WORDS),
    st.text(max_size=6),
    st.none(),
    st.sampled_from([b"same", 3 + 0j, _Weird(), ..., {1, 2}]),
)
hostile: st.SearchStrategy[Any] = st.one_of(
    st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.lists(children, max_size=4).map(tuple),
            st.dictionaries(st.sampled_from(["a", "shape", "config", 1]), children, max_size=2),
        ),
        max_leaves=8,
    ),
    st.integers(2000, 3000).map(_nested),
    st.just(3000).map(lambda n: list(range(n))),
    st.sampled_from(
        [
            tuple(range(20)),
            (HUGE, HUGE),
            (None,) * 70,
            (1,) * 70,
            range(3),
            iter([1, 2]),
        ]
    ),
)

small = st.integers(0, 9)
positive = st.integers(1, 6)


def per_dim(base: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        base,
        st.tuples(base, base),
        st.tuples(base, base, base),
        st.lists(base, min_size=1, max_size=3),
        st.tuples(base),
    )


dims = st.one_of(st.none(), st.integers(0, 12), st.integers(0, 12), st.integers(0, 12))
shapes = st.one_of(
    st.lists(dims, min_size=1, max_size=5).map(tuple),
    st.tuples(st.none(), positive, positive, positive),
    st.tuples(st.none(), positive, positive),
)
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full", "causal", "SAME", "VALID", "SAME_UPPER"]),
    small,
    st.tuples(small, small),
    st.tuples(st.tuples(small, small), st.tuples(small, small)),
)

PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "size": st.one_of(st.none(), st.integers(0, 40)),
    "target": st.integers(0, 60),
    "start": st.integers(1, 40),
    "output": st.integers(0, 40),
    "sizes": st.one_of(st.just(range(1, 20)), st.lists(st.integers(1, 40), max_size=5)),
    "kernel_sizes": st.lists(positive, max_size=4),
    "padding": paddings,
    "auto_pad": st.sampled_from(["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"]),
    "pads": st.one_of(st.tuples(small, small), small),
    "output_padding": st.one_of(st.none(), small, per_dim(small)),
    "output_shape": st.one_of(st.none(), st.integers(0, 40)),
    "framework": st.sampled_from(["keras", "torch", "jax", "onnx", "tf"]),
    "to": st.sampled_from(["torch", "jax", "onnx", "flax", "keras"]),
    "data_format": st.sampled_from(["channels_last", "channels_first", None]),
    "input_shape": shapes,
    "shape": shapes,
    "batch_shape": shapes,
    "target_shape": shapes,
    "normalized_shape": per_dim(positive),
    "unflattened_size": per_dim(positive),
    "output_size": st.one_of(per_dim(st.one_of(positive, st.none())), st.none()),
    "batch_size": st.one_of(st.none(), positive),
    "op": st.sampled_from(["MaxPool", "AveragePool", "LpPool"]),
    "mode": st.sampled_from(["nearest", "bilinear", "linear", "bicubic", "trilinear"]),
    "name": st.one_of(st.none(), st.text(max_size=5)),
    "dtype": st.sampled_from([None, "float32", "float16", "mixed_float16", "int8"]),
    "activation": st.sampled_from([None, "relu", "linear", "softmax"]),
    "line_length": st.one_of(st.none(), st.integers(0, 200)),
    "positions": st.one_of(st.none(), st.lists(st.floats(0, 1), max_size=5)),
    "layer_range": st.one_of(st.none(), st.lists(st.text(max_size=4), max_size=3)),
    "columns": st.one_of(st.none(), st.lists(st.sampled_from(["macs", "params", "x"]))),
}
for _alias in ("kernel_size", "pool_size", "strides", "stride", "dilation", "dilation_rate"):
    PLAUSIBLE[_alias] = per_dim(positive)
for _alias in ("filters", "units", "in_channels", "out_channels", "in_features", "out_features"):
    PLAUSIBLE[_alias] = positive
for _alias in ("num_features", "num_channels", "num_groups", "num_parameters", "groups"):
    PLAUSIBLE[_alias] = positive
for _alias in ("max_stride", "max_kernel_size", "max_dilation", "max_layers"):
    PLAUSIBLE[_alias] = st.integers(1, 5)
for _alias in ("lhs_dilation", "rhs_dilation", "input_dilation", "kernel_dilation"):
    PLAUSIBLE[_alias] = positive


def _plausible(parameter: inspect.Parameter) -> st.SearchStrategy[Any]:
    if parameter.name in PLAUSIBLE:
        return PLAUSIBLE[parameter.name]
    annotation = str(parameter.annotation)
    default = parameter.default
    if annotation == "bool" or isinstance(default, bool):
        return st.booleans()
    if isinstance(default, float) or "float" in annotation:
        return st.floats(0, 2)
    if isinstance(default, str):
        return st.sampled_from([default, *WORDS[:20]])
    return st.one_of(small, per_dim(positive), st.none())


def argument(parameter: inspect.Parameter) -> st.SearchStrategy[Any]:
    """Mostly a plausible value for the parameter, sometimes a hostile one."""
    plausible = _plausible(parameter)
    return st.one_of(plausible, plausible, plausible, hostile)


def _signature(target: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):  # a builtin without a signature
        return inspect.Signature()


@st.composite
def arguments(
    draw: st.DrawFn,
    target: Callable[..., Any],
    extra: dict[str, st.SearchStrategy[Any]] | None = None,
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Positional and keyword arguments for ``target``: every required parameter, some
    optional ones, now and then an unknown keyword."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in _signature(target).parameters.values():
        if parameter.name == "self":
            continue
        strategy = (extra or {}).get(parameter.name)
        if strategy is None:
            strategy = argument(parameter)
        if parameter.kind is parameter.VAR_POSITIONAL:
            args.extend(draw(st.lists(strategy, max_size=3)))
        elif parameter.kind is parameter.VAR_KEYWORD:
            if draw(st.integers(0, 9)) == 0:
                kwargs[draw(st.sampled_from(["bogus", "input_shape", "name"]))] = draw(hostile)
        elif parameter.default is parameter.empty or draw(st.booleans()):
            value = draw(strategy)
            if parameter.kind is parameter.POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[parameter.name] = value
    return tuple(args), kwargs


# ---------------------------------------------------------------------------------------
# The checks every call goes through.


class _Runaway(BaseException):
    """Raised by the alarm in a call that runs past the cutoff."""


def _alarm(signum: int, frame: object) -> None:
    raise _Runaway


def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [_short_repr(value) for value in args]
    parts += [f"{name}={_short_repr(value)}" for name, value in kwargs.items()]
    return f"({', '.join(parts)})"


@contextmanager
def _bounded(target: str, shown: str) -> Iterator[None]:
    """Time, trace and cut off the body."""
    use_alarm = hasattr(signal, "setitimer") and sys.platform != "win32"
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    tracing = not tracemalloc.is_tracing()
    if tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    if use_alarm:
        signal.setitimer(signal.ITIMER_REAL, CUTOFF)
    try:
        yield
    except _Runaway:
        pytest.fail(f"{target}{shown} ran past {CUTOFF} s", pytrace=False)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        if tracing:
            tracemalloc.stop()
    assert seconds < SECONDS, f"{target}{shown} took {seconds:.2f} s"
    assert peak < PEAK_BYTES, f"{target}{shown} traced {peak / 2**20:.0f} MB"


def check_message(error: BaseException, target: str, shown: str, names: list[str]) -> None:
    """The message forms, is bounded and names what it is about."""
    message = str(error)
    assert isinstance(message, str)
    assert message.strip(), f"{target}{shown}: empty message"
    assert len(message) <= MESSAGE_CHARS, f"{target}{shown}: message of {len(message)} chars"
    assert "Traceback" not in message
    named = "`" in message or "Received" in message or any(name in message for name in names)
    assert named, f"{target}{shown} raised a message naming no argument: {message!r}"


def call(
    target: str,
    function: Callable[..., Any],
    /,
    *args: Any,
    _names: list[str] | None = None,
    _also: tuple[type[BaseException], ...] = (),
    **kwargs: Any,
) -> tuple[Any, BaseException | None]:
    """Call ``function`` under the contract; return its result or the accepted error."""
    shown = describe(args, kwargs)
    error: BaseException | None = None
    result: Any = None
    accepted: tuple[type[BaseException], ...] = (cs.ConvShapeError, TypeError, *_also)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _bounded(target, shown):
            try:
                result = function(*args, **kwargs)
            except accepted as caught:
                error = caught
            except _Runaway:
                raise
            except Exception as caught:
                raise AssertionError(
                    f"{target}{shown} raised {type(caught).__name__}: {_short_repr(str(caught))}"
                ) from caught
    if error is not None and not (isinstance(error, _also) and not isinstance(error, TypeError)):
        check_message(error, target, shown, [*kwargs, *(_names or [])])
    else:
        check_result(result, f"{target}{shown}")
    return result, error


def check_result(result: Any, where: str) -> None:
    _check_plain(result, where, 0, set())
    for render in (repr, str):
        text = render(result)
        assert isinstance(text, str), f"{where}: {render.__name__} gave {type(text)}"


def _check_plain(value: Any, where: str, depth: int, seen: set[int]) -> None:
    if depth > 12 or id(value) in seen:
        return
    kind = type(value)
    assert not kind.__module__.startswith("numpy"), f"{where}: a NumPy {kind.__name__}"
    if isinstance(value, numbers.Integral):
        assert kind in (int, bool), f"{where}: an int of type {kind.__name__}"
        return
    if isinstance(value, range):
        for end in (value.start, value.stop, value.step):
            assert type(end) is int, f"{where}: a range of {type(end).__name__}"
        return
    if isinstance(value, (str, bytes, float)) or value is None:
        return
    seen.add(id(value))
    if isinstance(value, (tuple, list, set, frozenset)):
        for item in list(value)[:50]:
            _check_plain(item, where, depth + 1, seen)
    elif isinstance(value, dict):
        for key, item in list(value.items())[:50]:
            _check_plain(key, where, depth + 1, seen)
            _check_plain(item, where, depth + 1, seen)
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            _check_plain(getattr(value, field.name), where, depth + 1, seen)


def check_shape(shape: Any, where: str) -> None:
    """A shape holds plain ints >= 0 or None, or is a list/tuple of such shapes."""
    assert isinstance(shape, (tuple, list)), f"{where}: a shape of type {type(shape).__name__}"
    for dim in shape:
        if isinstance(dim, (tuple, list)):
            check_shape(dim, where)
        else:
            assert dim is None or (type(dim) is int and dim >= 0), f"{where}: dimension {dim!r}"


# ---------------------------------------------------------------------------------------
# Enumerating the entry points.


def _functions(module: Any, prefix: str) -> list[tuple[str, Callable[..., Any]]]:
    return [
        (f"{prefix}{name}", getattr(module, name))
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
    ]


#: Names of ``convshape.__all__`` that take a layer, model or module as an argument.
OBJECT_PARAMETERS = ("layer_or_model", "obj", "model", "layer")

#: Classes of ``convshape.__all__`` fuzzed as models (constructor, shapes, summaries).
MODEL_CLASSES = {*registry.MODEL_CLASSES, "InputLayer"}

#: Public names not fuzzed here, each with the reason.
EXCLUDED = {
    "__version__": "a string constant",
    "ConvShapeError": "the exception raised; checked on every call",
    "EmptyOutputError": "a subclass of ConvShapeError; checked on every call",
    "ConvShapeWarning": "a warning class, no entry point",
    "Pad": "a NamedTuple result type; its fields are checked in results",
    "AxisField": "a result record of receptive_field; checked in results",
    "AxisSizes": "a result record of input_sizes; checked in results",
    "Diagnosis": "a result record of diagnose; checked in results",
    "Explanation": "a result record of explain_*; checked in results",
    "Finding": "a result record of check; checked in results",
    "InputSizes": "a result record of input_sizes; checked in results",
    "LayerCost": "a result record of cost; checked in results",
    "Memory": "a result record of memory; checked in results",
    "ModelCost": "a result record of cost; checked in results",
    "Plan": "a result record of plan_*; checked in results",
    "Plans": "the list of plans plan_* returns; checked in results",
    "Solution": "a result record of solve_*; checked in results",
    "Solutions": "a result record of solve_*; checked in results",
    "Summary": "a result record of summarize; rendered in test_layer_in_a_model",
    "SummaryRow": "a row of Summary; rendered in test_layer_in_a_model",
    "TensorFields": "a result record of receptive_fields; checked in results",
    "Translation": "a result record of translate; checked in results",
}
MODULES = {
    "layers": "test_layer",
    "torch": "test_torch_module / test_function",
    "jax": "test_function",
    "onnx": "test_function",
}

FUNCTIONS = [
    *_functions(cs, ""),
    *(
        (f"layers.{name}", getattr(layers, name))
        for name in layers.__all__
        if inspect.isfunction(getattr(layers, name))
    ),
    *_functions(cs_torch, "torch."),
    *_functions(cs_jax, "jax."),
    *_functions(cs_onnx, "onnx."),
]
LAYER_CLASSES = [name for name in layers.__all__ if inspect.isclass(getattr(layers, name))]
#: convshape.torch's result records: built by Sequential.summarize(), which the fuzzed
#: Sequential runs, not module specs with a compute_output_shape.
TORCH_RESULTS = {
    "SequentialRow": "a row of SequentialSummary; rendered in tests/test_torch_summary.py",
    "SequentialSummary": "what Sequential.summarize() returns; see tests/test_torch_summary.py",
}
TORCH_CLASSES = [
    name
    for name in cs_torch.__all__
    if inspect.isclass(getattr(cs_torch, name)) and name not in TORCH_RESULTS
]


#: load_keras's own rules: a string that is no JSON document is a path, and reading it
#: raises the OSError ``open`` raises (the CLI exits 2 on it); its messages name the file
#: or the part of the config that is wrong rather than the argument ``source``.
LOAD_RULES: dict[str, Any] = {
    "_also": (OSError,),
    "_names": ["JSON", "file", "config", "layer", "source", "archive", "path"],
}
RULES: dict[str, dict[str, Any]] = {"load_keras": LOAD_RULES}


def test_every_public_name_is_fuzzed() -> None:
    fuzzed = {name for name, _ in FUNCTIONS if "." not in name} | MODEL_CLASSES | set(MODULES)
    assert not fuzzed & set(EXCLUDED), "a name both fuzzed and excluded"
    missing = set(cs.__all__) - fuzzed - set(EXCLUDED)
    assert not missing, f"public names neither fuzzed nor excluded with a reason: {missing}"
    stale = (set(EXCLUDED) | MODEL_CLASSES | set(MODULES)) - set(cs.__all__)
    assert not stale, f"listed here but no longer public: {stale}"
    for module in (layers, cs_torch, cs_jax, cs_onnx):
        for name in module.__all__:
            value = getattr(module, name)
            assert inspect.isfunction(value) or inspect.isclass(value), (module, name)


# ---------------------------------------------------------------------------------------
# Layers, models and modules to hand to the functions that take one.


def _dcgan() -> Any:
    return cs.Sequential(
        [
            cs.Input((100,)),
            layers.Dense(7 * 7 * 8, use_bias=False),
            layers.Reshape((7, 7, 8)),
            layers.Conv2DTranspose(4, 5, strides=2, padding="same"),
            layers.BatchNormalization(),
            layers.Conv2DTranspose(1, 5, strides=2, padding="same"),
        ]
    )


def _unbuilt() -> Any:
    return cs.Sequential([layers.Conv1D(2, 3), layers.MaxPooling1D(), layers.Flatten()])


def _functional() -> Any:
    a = cs.Input((None, None, 3))
    b = cs.Input((None, None, 3))
    x = layers.Conv2D(4, 3, padding="same")(a)
    y = layers.Conv2D(4, 3, strides=2, padding="same")(b)
    y = layers.UpSampling2D()(y)
    return cs.Model([a, b], layers.Add()([x, y]))


def _encoder() -> Any:
    x = cs.Input((32, 3))
    y = layers.Conv1D(4, 5, strides=2, padding="valid")(x)
    y = layers.Conv1DTranspose(3, 5, strides=2)(y)
    return cs.Model(x, y)


def _torch_stack() -> Any:
    return cs_torch.Sequential(
        cs_torch.Conv2d(3, 8, 3, stride=2, padding=1),
        cs_torch.ReLU(),
        cs_torch.MaxPool2d(2),
        cs_torch.ConvTranspose2d(8, 3, 4, stride=2, padding=1),
    )


OBJECT_FACTORIES: list[Callable[[], Any]] = [
    lambda: layers.Conv2DTranspose(8, 5, strides=2, padding="same"),
    lambda: layers.Conv1DTranspose(1, 4, strides=3, padding="same", dilation_rate=1),
    lambda: layers.Conv2D(4, 3, strides=2, padding="valid"),
    lambda: layers.Conv1D(2, 3, padding="causal", dilation_rate=2),
    lambda: layers.MaxPooling2D(3, strides=2, padding="same"),
    lambda: layers.Dense(4),
    lambda: layers.Conv3D(2, 3, input_shape=(8, 8, 8, 1)),
    _dcgan,
    _unbuilt,
    _functional,
    _encoder,
    lambda: cs_torch.Conv2d(3, 8, 3, stride=2, padding=1),
    lambda: cs_torch.ConvTranspose1d(2, 2, 3, stride=2, output_padding=1),
    _torch_stack,
]
objects = st.sampled_from(OBJECT_FACTORIES).map(lambda factory: factory())
TORCH_FACTORIES: list[Callable[[], Any]] = [
    lambda: cs_torch.Conv2d(3, 8, 3),
    cs_torch.ReLU,
    cs_torch.Flatten,
    lambda: cs_torch.Linear(8, 2),
    lambda: cs_torch.MaxPool2d(2),
    lambda: cs_torch.ConvTranspose2d(8, 3, 4, stride=2, padding=1),
]
torch_modules = st.sampled_from(TORCH_FACTORIES).map(lambda factory: factory())
any_object = st.one_of(objects, objects, hostile)
OBJECT_EXTRA: dict[str, st.SearchStrategy[Any]] = dict.fromkeys(OBJECT_PARAMETERS, any_object)
OBJECT_EXTRA["modules"] = st.one_of(torch_modules, torch_modules, hostile)
OBJECT_EXTRA["inputs"] = st.one_of(
    st.lists(st.sampled_from([(4,), (3, 4), (None, 4), (4, 4)]), min_size=1, max_size=3).map(
        lambda found: [cs.Input(shape) for shape in found]
    ),
    hostile,
)


# ---------------------------------------------------------------------------------------
# The fuzz targets.


@pytest.mark.parametrize(("target", "function"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
@FUZZ
@given(data=st.data())
def test_function(target: str, function: Callable[..., Any], data: st.DataObject) -> None:
    args, kwargs = data.draw(arguments(function, OBJECT_EXTRA), label="arguments")
    result, error = call(target, function, *args, **RULES.get(target, {}), **kwargs)
    if error is None and target.rsplit(".", maxsplit=1)[-1].startswith(("conv_", "pool_", "lp_")):
        assert result is None or type(result) in (int, range, cs.Pad) or isinstance(result, tuple)
        if isinstance(result, tuple) and target.endswith("shape"):  # crops may be negative
            check_shape(result, f"{target}{describe(args, kwargs)}")


def _layer_strategy(name: str) -> st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]]:
    extra = dict(OBJECT_EXTRA)
    extra["layer"] = st.one_of(objects.filter(lambda o: isinstance(o, layers.Layer)), hostile)
    extra["backward_layer"] = st.one_of(st.none(), extra["layer"])
    return arguments(getattr(layers, name), extra)


input_shapes = st.one_of(
    shapes,
    shapes,
    st.lists(shapes, min_size=1, max_size=3),
    hostile,
)


def _summary_arguments() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "line_length": st.one_of(PLAUSIBLE["line_length"], hostile),
            "positions": st.one_of(PLAUSIBLE["positions"], hostile),
            "expand_nested": st.one_of(st.booleans(), hostile),
            "show_trainable": st.one_of(st.booleans(), hostile),
            "layer_range": st.one_of(PLAUSIBLE["layer_range"], hostile),
            "columns": st.one_of(PLAUSIBLE["columns"], hostile),
            "batch_size": st.one_of(positive, hostile),
        },
    )


def exercise_model(target: str, model: Any, data: st.DataObject) -> None:
    """Shapes, counts and every rendering of a model, with fuzzed summary arguments."""
    for attribute in ("output_shape", "input_shape"):
        # Keras's AttributeError for a model without outputs yet, which hasattr relies on.
        call(f"{target}.{attribute}", getattr, model, attribute, _also=(AttributeError,))
    call(f"{target}.count_params", model.count_params)
    kwargs = data.draw(_summary_arguments(), label="summary")
    lines: list[str] = []
    print_fn = data.draw(st.sampled_from([lines.append, None, 5, print]), label="print_fn")
    if print_fn is print:
        print_fn = lambda *a, **k: lines.append(" ".join(map(str, a)))  # noqa: E731
    call(f"{target}.summary", model.summary, print_fn=print_fn, **kwargs)
    kwargs.pop("line_length", None)
    kwargs.pop("positions", None)
    kwargs.pop("show_trainable", None)
    kwargs.pop("layer_range", None)
    summary, error = call(f"{target}.summarize", model.summarize, **kwargs)
    if error is None:
        for render in (str, lambda s: s.to_dict(), lambda s: s._repr_html_()):
            call(f"{target}.summarize rendered", render, summary)
    other = data.draw(input_shapes, label="compute_output_shape")
    call(f"{target}.compute_output_shape", model.compute_output_shape, other)


@pytest.mark.parametrize("name", LAYER_CLASSES)
@FUZZ
@given(data=st.data())
def test_layer(name: str, data: st.DataObject) -> None:
    cls = getattr(layers, name)
    args, kwargs = data.draw(_layer_strategy(name), label="constructor")
    layer, error = call(f"layers.{name}", cls, *args, **kwargs)
    if error is not None or not isinstance(layer, layers.Layer):
        return
    shape = data.draw(input_shapes, label="input_shape")
    where = f"layers.{name}{describe(args, kwargs)}.compute_output_shape"
    out, error = call(where, layer.compute_output_shape, shape)
    if error is None:
        if not isinstance(layer, (layers.Attention, layers.MultiHeadAttention)):
            check_shape(out, f"{where}({_short_repr(shape)})")
        call(f"{where}.count_params", layer.count_params, shape)
    model_input = data.draw(st.one_of(shapes, hostile), label="model input")
    model, error = call(
        f"Sequential([Input, layers.{name}])",
        lambda: cs.Sequential([cs.Input(batch_shape=model_input), layer]),
    )
    if error is None:
        exercise_model(f"Sequential([Input{model_input}, {name}])", model, data)


@pytest.mark.parametrize("name", sorted(MODEL_CLASSES))
@FUZZ
@given(data=st.data())
def test_model_class(name: str, data: st.DataObject) -> None:
    cls = getattr(cs, name)
    extra = dict(OBJECT_EXTRA)
    tensors = st.lists(st.sampled_from([(4,), (3, 4), (8, 8, 3)]), min_size=1, max_size=2).map(
        lambda found: [cs.Input(shape) for shape in found]
    )
    extra["inputs"] = st.one_of(tensors, hostile)
    extra["outputs"] = st.one_of(tensors, hostile)
    extra["layers"] = st.one_of(
        st.lists(objects.filter(lambda o: isinstance(o, layers.Layer)), max_size=3), hostile
    )
    args, kwargs = data.draw(arguments(cls, extra), label="constructor")
    model, error = call(name, cls, *args, **kwargs)
    if error is not None or not hasattr(model, "summary"):
        return
    exercise_model(name, model, data)
    if name == "Sequential":
        layer = data.draw(st.one_of(objects, hostile), label="added")
        call("Sequential.add", model.add, layer)


@pytest.mark.parametrize("name", TORCH_CLASSES)
@FUZZ
@given(data=st.data())
def test_torch_module(name: str, data: st.DataObject) -> None:
    cls = getattr(cs_torch, name)
    args, kwargs = data.draw(arguments(cls, OBJECT_EXTRA), label="constructor")
    module, error = call(f"torch.{name}", cls, *args, **kwargs)
    if error is not None:
        return
    call(f"torch.{name} repr", repr, module)
    shape = data.draw(st.one_of(shapes, st.tuples(positive, positive, positive), hostile))
    where = f"torch.{name}{describe(args, kwargs)}"
    out, error = call(f"{where}.compute_output_shape", module.compute_output_shape, shape)
    if error is None and name != "Sequential":
        check_shape(out, f"{where}.compute_output_shape({_short_repr(shape)})")
    for method in ("parameter_count", "buffer_count"):
        if hasattr(module, method):
            count, error = call(f"{where}.{method}", getattr(module, method))
            if error is None:
                assert type(count) is int, (where, method, count)
                assert count >= 0, (where, method, count)
    if hasattr(module, "summarize"):
        call(f"{where}.summarize", module.summarize, shape)


# ---------------------------------------------------------------------------------------
# Crashes the fuzzer found, kept as explicit cases: each failed the contract before its fix
# (the exception or the message it gave is in its id).


def _summary(**kwargs: Any) -> Callable[[], Any]:
    def run() -> Any:
        model = cs.Sequential([cs.Input((5, 4)), layers.Flatten()])
        return model.summary(print_fn=lambda text: None, **kwargs)

    return run


def _deep() -> Any:
    return _nested(2000)


def _five() -> Any:
    return 5


def _as_any(value: Any) -> Any:
    return value


def _long() -> Any:
    return list(range(3000))


REGRESSIONS = [
    pytest.param(
        "jax.flax_conv_transpose_output_length",
        lambda: cs_jax.flax_conv_transpose_output_length(5, 3, padding=_deep()),
        id="flax-padding-nested-RecursionError",
    ),
    pytest.param("summary", _summary(line_length=8), id="summary-narrow-ValueError"),
    pytest.param(
        "summary",
        _summary(positions=[0.86, 1.0, 1e-38, 0.49, 0.36]),
        id="summary-positions-ValueError",
    ),
    pytest.param("summary", _summary(positions=iter([0.5, 1.0])), id="positions-iter-zip"),
    pytest.param("summary", _summary(positions=[0.5, math.nan, 1]), id="positions-nan"),
    pytest.param("summary", _summary(positions=_deep()), id="positions-unhashable"),
    pytest.param("summary", _summary(line_length=[12]), id="line_length-unhashable"),
    pytest.param("summary", _summary(line_length=10**7), id="line_length-10**7-unbounded"),
    pytest.param("summary", _summary(show_trainable=[1]), id="show_trainable-unhashable"),
    pytest.param("summary", _summary(columns=_deep()), id="columns-RecursionError"),
    pytest.param("summary", _summary(columns=(10**4000,)), id="columns-4068-char-message"),
    pytest.param("summary", _summary(columns=5), id="columns-int-not-iterable"),
    pytest.param("summary", _summary(layer_range=iter(["a", "b"])), id="layer_range-iter-len"),
    pytest.param("summary", _summary(layer_range=["(.*", "x"]), id="layer_range-re.error"),
    pytest.param("cost", lambda: cs.cost(_long()), id="cost-17k-char-message"),
    pytest.param("input_sizes", lambda: cs.input_sizes(_long()), id="input_sizes-17k-message"),
    pytest.param("diagnose", lambda: cs.diagnose(_deep(), (None,)), id="diagnose-Recursion"),
    pytest.param("receptive_field", lambda: cs.receptive_field(_deep()), id="rf-Recursion"),
    pytest.param("check", lambda: cs.check(_long()), id="check-message-names-nothing"),
    pytest.param("layers.add", lambda: layers.add(_deep()), id="add-RecursionError"),
    pytest.param(
        "layers.minimum",
        lambda: layers.minimum(({1: None, "config": 2},)),
        id="minimum-unsortable-keys-message",
    ),
    pytest.param(
        "Model",
        lambda: cs.Model(inputs=[cs.Input((3,))], outputs=_deep()),
        id="Model-outputs-RecursionError",
    ),
    pytest.param(
        "Sequential.compute_output_shape",
        lambda: cs.Sequential([cs.Input(batch_shape=list(range(3000)))]).compute_output_shape(
            (None, 2, 1)
        ),
        id="incompatible-input-17k-message",
    ),
    pytest.param(
        "cost",
        lambda: cs.cost(layers.Dense(4), (None, 10**2200, 10**2200)),
        id="cost-result-repr-over-4300-digits",
    ),
    pytest.param(
        "conv_transpose_output_length",
        lambda: cs.conv_transpose_output_length(10**4000, 3, stride=10**4000),
        id="length-repr-over-4300-digits",
    ),
    pytest.param(
        "conv_padding",
        lambda: cs.conv_padding(10, 10**3000, padding="full", dilation=10**3000),
        id="Pad-repr",
    ),
    pytest.param(
        "layers.Weight", lambda: layers.Weight(_deep(), (1,), True), id="Weight-repr-Recursion"
    ),
    pytest.param("layers.SymbolicTensor", lambda: layers.SymbolicTensor(_deep()), id="tensor-repr"),
    pytest.param(
        "layers.InputLayer",
        lambda: layers.InputLayer(shape=(3,), optional=_deep()),
        id="record-repr-RecursionError",
    ),
    pytest.param(
        "check",
        lambda: cs.check(layers.Conv2DTranspose(8, 5, strides=2), (None,)),
        id="check-rank-IndexError",
    ),
    pytest.param("check", lambda: cs.check(_encoder(), (None,)), id="check-model-rank-IndexError"),
    pytest.param("diagnose", lambda: cs.diagnose(_encoder(), ()), id="diagnose-IndexError"),
    pytest.param("macs", lambda: cs.macs(_dcgan(), ()), id="macs-empty-shape-IndexError"),
    pytest.param(
        "layers.Flatten",
        lambda: layers.Flatten().compute_output_shape(_long()),
        id="flatten-3000-dims-repr-over-4300-digits",
    ),
    pytest.param(
        "layers.TimeDistributed",
        lambda: layers.TimeDistributed(_long()),
        id="TimeDistributed-17k-char-message",
    ),
    pytest.param(
        "layers.Bidirectional",
        lambda: layers.Bidirectional(_deep()),
        id="Bidirectional-RecursionError",
    ),
    pytest.param(
        "layers.Conv1D",
        lambda: layers.Conv1D(2, 3, input_shape=_five(), input_dim=3),
        id="input_shape-int-with-input_dim",
    ),
    pytest.param(
        "layers.Activation", lambda: layers.Activation(_deep()), id="Activation-repr-Recursion"
    ),
    pytest.param(
        "layers.GlobalAvgPool1D",
        lambda: layers.GlobalAvgPool1D(input_shape=(np.int16(7),), input_dim=_as_any((4, 6, 6))),
        id="input_shape-numpy-ValueError",
    ),
    pytest.param(
        "onnx.pool_output_length",
        lambda: cs_onnx.pool_output_length(15, 5, ceil_mode=_long()),
        id="onnx-ceil_mode-17k-message",
    ),
    pytest.param(
        "layers.Weight",
        lambda: layers.Weight("w", (3,), _as_any(_LongInt(10**4300))),
        id="Weight-fields-unvalidated",
    ),
    pytest.param(
        "torch.PReLU", lambda: cs_torch.PReLU(init=_as_any(np.int16(7))), id="PReLU-numpy-init"
    ),
    pytest.param(
        "cost",
        lambda: cs.cost(layers.Dense(3), 10**5000),
        id="cost-input_shape-int-repr-ValueError",
    ),
    pytest.param(
        "layers.LSTM",
        lambda: layers.LSTM(4)(cs.Input((5, 3)), initial_state=10**5000),
        id="LSTM-initial_state-int-repr-ValueError",
    ),
    pytest.param(
        "Model.get_layer",
        lambda: cs.Sequential([cs.Input((4,)), layers.Dense(2)]).get_layer(
            index=_as_any("x" * 100_000)
        ),
        id="get_layer-index-100k-char-message",
    ),
]


@pytest.mark.parametrize(("target", "thunk"), REGRESSIONS)
def test_regression(target: str, thunk: Callable[[], Any]) -> None:
    call(target, thunk)

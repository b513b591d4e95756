"""Keras's own layer tests, run against convshape.

Keras ships its tests in site-packages (``keras/src/layers/**/*_test.py``). Every module
that names a layer convshape has is imported and its test methods run, on the TensorFlow
backend (all but those that train, predict, save, export or quantize models without calling
``run_layer_test`` or ``assertRaises``: they are slow and add no shapes), with three things
intercepted:

- ``run_layer_test(layer_cls, init_kwargs, input_shape=..., expected_output_shape=...)``
  is recorded instead of run (the case: the convshape layer of the same name, built with
  the same arguments and called the same way, must give Keras's expected output shape,
  the shape the real Keras layer gives, the stated numbers of trainable and non-trainable
  weights, and the real layer's weight and parameter counts);
- inside ``assertRaises``/``assertRaisesRegex`` blocks, the constructions of Keras layers
  and their calls, ``build`` and ``compute_output_shape``, are recorded with the step that
  raised (the case: convshape, replaying them, must raise ConvShapeError or TypeError at
  that step, or already when constructing that layer, and pass every other step);
- every other construction and call of such a layer is recorded with the output shape
  Keras computed (the case: the same shape from convshape).

A case is skipped, with its reason counted, when it names a layer convshape does not
have, uses a quantized dtype policy or a ragged input, or when Keras's error comes from
something else than those methods (``quantize``, ``enable_lora``, ``compute_mask``,
``adapt``). The counts are printed in the oracle summary and checked against floors.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import pathlib
import re
import sys
import threading
import types
import unittest
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import convshape
import convshape.layers as cs_layers
from convshape.errors import ConvShapeError
from convshape.layers._registry import layer_names
from tests.oracles import ORACLE_COUNTS, oracle

#: Keras layer names convshape has (aliases included).
OURS = frozenset(layer_names())


@dataclass
class Step:
    """One construction or call of a Keras layer inside an ``assertRaises`` block."""

    kind: str  # "make", "__call__", "build" or "compute_output_shape"
    layer: int  # id of the layer (its construction), for calls
    name: str = ""
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    raised: bool = False


@dataclass
class Case:
    """A shape case from Keras's tests: run_layer_test, an error block or a plain call."""

    test: str
    kind: str  # "layer_test", "error" or "call"
    name: str = ""
    init_args: tuple[Any, ...] = ()
    init_kwargs: dict[str, Any] = field(default_factory=dict)
    inputs: Any = None  # shapes, in the structure the layer is called with
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None  # an output shape (or structure of shapes)
    weights: tuple[int | None, int | None] = (None, None)  # trainable, non-trainable
    steps: list[Step] = field(default_factory=list)
    makes: dict[int, Step] = field(default_factory=dict)
    skip: str = ""


def _shapes(value: Any) -> Any:
    """The shapes of tensors, arrays and KerasTensors, in the structure given."""
    if isinstance(value, dict):
        return {key: _shapes(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and not _is_shape(value):
        shapes = [_shapes(item) for item in value]
        return shapes if isinstance(value, list) else tuple(shapes)
    shape = getattr(value, "shape", None)
    if shape is None:
        return value
    return tuple(None if dim is None else int(dim) for dim in shape)


def _tensor_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of a call with each tensor replaced by its shape (a ``_Tensor``)."""
    return {key: _tensors(value) for key, value in kwargs.items()}


def _tensors(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        items = [_tensors(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: _tensors(item) for key, item in value.items()}
    if hasattr(value, "shape"):
        return _Tensor(_shapes(value))
    return value


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple) and all(d is None or type(d) is int for d in value)


class _Recorder:
    """What one test method does with Keras layers (see the module docstring)."""

    def __init__(self, test: str) -> None:
        self.test = test
        self.cases: list[Case] = []
        self.block: list[Step] | None = None
        self.makes: dict[int, Step] = {}
        self.alive: list[Any] = []  # the layers, so that ids stay unique
        self.depth = 0  # > 0 inside a recorded method: its inner calls are Keras's own

    def make(self, name: str, layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        step = Step("make", id(layer), name, args, dict(kwargs))
        self.makes[id(layer)] = step
        self.alive.append(layer)
        if self.block is not None:
            self.block.append(step)

    def call(
        self,
        layer: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        out: Any,
        kind: str = "__call__",
    ) -> bool:
        """Record a call (or a ``build``/``compute_output_shape``) of a layer made in the
        test; whether a step was recorded."""
        made = self.makes.get(id(layer))
        if made is None:
            return False
        if kind != "__call__":
            inputs: Any = tuple(_shapes(list(args)))
        else:
            inputs = _shapes(args[0]) if len(args) == 1 else _shapes(list(args))
        if self.block is not None:
            self.block.append(Step(kind, id(layer), made.name, (inputs,), _tensor_kwargs(kwargs)))
            return True
        if kind != "__call__" or len(args) != 1 or out is None:
            return False
        self.cases.append(
            Case(
                self.test,
                "call",
                made.name,
                made.args,
                made.kwargs,
                inputs,
                _tensor_kwargs(kwargs),
                _shapes(out),
            )
        )
        return False


_STATE = threading.local()

#: The layer methods recorded: a call, and the two a test may call directly with shapes.
_METHODS = ("__call__", "build", "compute_output_shape")


def _recorder() -> _Recorder | None:
    recorder: _Recorder | None = getattr(_STATE, "recorder", None)
    return recorder


@contextlib.contextmanager
def _recording(keras: Any) -> Iterator[None]:
    """Keras's classes of the layers convshape has report their constructions and calls
    (patched on the classes, so that classes a test module captured at import report too)."""
    classes = {
        cls
        for name in OURS
        if isinstance(cls := getattr(keras.layers, name, None), type) and cls.__name__ in OURS
    }
    saved = [(cls, dict(vars(cls))) for cls in classes]
    for cls in classes:
        _patch(cls)
    try:
        yield
    finally:
        for cls, attributes in saved:
            for attribute in ("__init__", *_METHODS):
                if attribute in attributes:
                    setattr(cls, attribute, attributes[attribute])
                else:
                    delattr(cls, attribute)


def _patch(cls: Any) -> None:
    name = cls.__name__
    init = cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        recorder = _recorder() if type(self) is cls else None
        try:
            init(self, *args, **kwargs)
        except Exception:
            if recorder is not None and recorder.block is not None:
                recorder.block.append(Step("make", id(self), name, args, dict(kwargs), True))
            raise
        if recorder is not None:
            recorder.make(name, self, args, kwargs)

    def method(kind: str, original: Any) -> Any:
        @functools.wraps(original)  # Keras reads the signatures of build and call
        def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
            recorder = _recorder() if type(self) is cls else None
            if recorder is None or recorder.depth:  # not the test's own call
                return original(self, *args, **kwargs)
            recorder.depth += 1
            try:
                out = original(self, *args, **kwargs)
            except Exception:
                if recorder.block is not None and recorder.call(self, args, kwargs, None, kind):
                    recorder.block[-1].raised = True
                raise
            finally:
                recorder.depth -= 1
            recorder.call(self, args, kwargs, out, kind)
            return out

        return recorded

    cls.__init__ = __init__
    for kind in _METHODS:
        setattr(cls, kind, method(kind, getattr(cls, kind)))


class _ErrorBlock:
    """``assertRaises``/``assertRaisesRegex`` that records the steps inside it."""

    def __init__(self, recorder: _Recorder, expected: Any) -> None:
        self.recorder = recorder
        self.expected = expected
        self.steps: list[Step] = []

    def __enter__(self) -> _ErrorBlock:
        self.recorder.block = self.steps
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool:
        self.recorder.block = None
        case = Case(self.recorder.test, "error", steps=self.steps, makes=dict(self.recorder.makes))
        if kind is None:
            case.skip = "Keras raised nothing here (the test expects a backend's error)"
        elif not any(step.raised for step in self.steps):
            case.skip = (
                "Keras's error is not raised by the constructor, call, build or "
                "compute_output_shape of a layer convshape has (quantize, enable_lora, "
                "compute_mask, adapt, layers convshape does not have)"
            )
        self.recorder.cases.append(case)
        return kind is not None


def _method_source(method: Any) -> str:
    function = inspect.unwrap(getattr(method, "__func__", method))
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def _run_method(test_case: Any, name: str, recorder: _Recorder) -> str | None:
    def run_layer_test(layer_cls: Any, init_kwargs: Any = None, **kwargs: Any) -> None:
        input_shape = kwargs.get("input_shape")
        if input_shape is None and kwargs.get("input_data") is not None:
            input_shape = _shapes(kwargs["input_data"])
        case = Case(
            recorder.test,
            "layer_test",
            getattr(layer_cls, "__name__", str(layer_cls)),
            (),
            dict(init_kwargs or {}),
            input_shape,
            _tensor_kwargs(dict(kwargs.get("call_kwargs") or {})),
            kwargs.get("expected_output_shape"),
            (
                kwargs.get("expected_num_trainable_weights"),
                kwargs.get("expected_num_non_trainable_weights"),
            ),
        )
        if kwargs.get("input_ragged"):
            case.skip = "a ragged input (convshape has no ragged tensors)"
        if recorder.block is not None:  # run_layer_test expected to raise: one more step
            recorder.block.append(Step("make", 0, case.name, (case,), {}, True))
            raise _Raised
        recorder.cases.append(case)

    def assert_raises(expected: Any, *args: Any, **kwargs: Any) -> Any:
        block = _ErrorBlock(recorder, expected)
        if args and callable(args[0]):
            with block:
                args[0](*args[1:], **kwargs)
            return None
        return block

    def assert_raises_regex(expected: Any, regex: Any, *args: Any, **kwargs: Any) -> Any:
        return assert_raises(expected, *args, **kwargs)

    test_case.run_layer_test = run_layer_test
    test_case.assertRaises = assert_raises
    test_case.assertRaisesRegex = assert_raises_regex
    test_case.setUp()
    try:
        getattr(test_case, name)()
    except (pytest.skip.Exception, unittest.SkipTest):
        return "the Keras test skips itself on TensorFlow"
    except (Exception, pytest.fail.Exception):  # what follows a recorded call may fail
        pass
    finally:
        test_case.doCleanups()
    return None


class _Raised(Exception):
    """Stands for the error Keras raises in a ``run_layer_test`` inside ``assertRaises``."""


def _layers_root(keras: Any) -> pathlib.Path:
    """Keras's ``src/layers`` directory, where its layer tests are."""
    return pathlib.Path(keras.__file__).parent / "src" / "layers"


def _keras_test_modules(keras: Any) -> list[str]:
    root = _layers_root(keras)
    names = []
    for path in sorted(root.rglob("*_test.py")):
        text = path.read_text(encoding="utf-8")
        if any(f"layers.{name}" in text or f"{name}(" in text for name in OURS):
            relative = path.relative_to(root.parent.parent).with_suffix("")
            names.append("keras." + ".".join(relative.parts))
    return names


@contextlib.contextmanager
def _keras_conftest(keras: Any) -> Iterator[None]:
    """Keras's repository conftest, which site-packages lacks: its one helper a test module
    imports (``skip_if_backend``), while the module is imported."""
    stub = types.ModuleType("conftest")

    def skip_if_backend(given: str, reason: str) -> Any:
        return pytest.mark.skipif(keras.backend.backend() == given, reason=reason)

    stub.skip_if_backend = skip_if_backend  # type: ignore[attr-defined]  # a stand-in module
    saved = sys.modules.get("conftest")
    sys.modules["conftest"] = stub
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["conftest"]
        else:
            sys.modules["conftest"] = saved


#: What makes a Keras test method slow without adding shape cases: training, prediction,
#: saving, exporting, quantizing.
_SLOW = re.compile(
    r"\.fit\(|\.predict\(|\.evaluate\(|train_on_batch|GradientTape|\.save\(|saving\.|"
    r"export|jit_compile|tf\.data|quantize"
)


@dataclass
class Collected:
    cases: list[Case]
    modules: list[str]
    skipped_methods: Counter[str]


def _collect(keras: Any) -> Collected:
    cases: list[Case] = []
    skipped: Counter[str] = Counter()
    modules = _keras_test_modules(keras)
    loader = unittest.TestLoader()
    for module_name in modules:
        try:
            with _keras_conftest(keras):
                module = importlib.import_module(module_name)
        except Exception:  # a test module needing a package not installed
            skipped["test module not importable"] += 1
            continue
        with _recording(keras):
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if not issubclass(cls, unittest.TestCase) or cls.__module__ != module_name:
                    continue
                for name in loader.getTestCaseNames(cls):
                    source = _method_source(getattr(cls, name))
                    if not re.search(r"run_layer_test|assertRaises", source) and _SLOW.search(
                        source
                    ):
                        skipped[
                            "test methods that train, predict, save, export or quantize "
                            "(left out to keep the run short)"
                        ] += 1
                        continue
                    recorder = _Recorder(f"{module_name.rsplit('.', 1)[1]}::{cls.__name__}.{name}")
                    _STATE.recorder = recorder
                    try:
                        reason = _run_method(cls(name), name, recorder)
                    finally:
                        _STATE.recorder = None
                    if reason is not None:
                        skipped[reason] += 1
                    cases += recorder.cases
    return Collected(cases, modules, skipped)


_BUILTIN_MARKS = frozenset(
    {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings"}
)


@pytest.fixture(scope="module")
def collected(pytestconfig: pytest.Config) -> Collected:
    keras = oracle("keras")
    assert keras.backend.backend() == "tensorflow"
    # Keras's test modules mark tests with markers of Keras's own configuration; declare
    # them, as its repository does, so that importing the modules passes --strict-markers.
    root = _layers_root(keras)
    marks = {
        mark
        for path in root.rglob("*_test.py")
        for mark in re.findall(r"pytest\.mark\.(\w+)", path.read_text(encoding="utf-8"))
    }
    for mark in sorted(marks - _BUILTIN_MARKS):
        pytestconfig.addinivalue_line("markers", f"{mark}: a marker of Keras's own tests")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    settings = (
        keras.config.image_data_format(),
        keras.config.floatx(),
        keras.config.dtype_policy().name,
        keras.config.is_traceback_filtering_enabled(),  # Keras's setUp turns it off
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _collect(keras)
    finally:  # a Keras test stopped midway must not leave its global settings behind
        keras.config.set_image_data_format(settings[0])
        keras.config.set_floatx(settings[1])
        keras.config.set_dtype_policy(settings[2])
        if settings[3]:
            keras.config.enable_traceback_filtering()
        keras.backend.clear_session()


# -- replaying a case with convshape -------------------------------------------------


@dataclass(frozen=True)
class _Tensor:
    """A tensor argument of a recorded call (a mask, a key), by its shape."""

    shape: tuple[int | None, ...]


class _Unsupported(Exception):
    """The case needs something convshape does not model (the reason is the message)."""


def _symbolic(value: Any) -> Any:
    """convshape's symbolic tensors for recorded shapes, in the same structure."""
    if isinstance(value, _Tensor):
        return convshape.Input(batch_shape=value.shape)
    if _is_shape(value):
        return convshape.Input(batch_shape=value)
    if isinstance(value, dict):
        return {key.removesuffix("_shape"): _symbolic(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_symbolic(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def _output_shapes(value: Any) -> Any:
    if isinstance(value, cs_layers.SymbolicTensor):
        return value.shape
    if isinstance(value, dict):
        return {key: _output_shapes(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_output_shapes(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def _same(expected: Any, got: Any) -> bool:
    """Shapes equal, lists and tuples alike."""
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        if _is_shape(tuple(expected)) and _is_shape(tuple(got)):
            return tuple(expected) == tuple(got)
        return len(expected) == len(got) and all(
            _same(a, b) for a, b in zip(expected, got, strict=True)
        )
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(_same(expected[k], got[k]) for k in expected)
    return bool(expected == got)


def _our_layer(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if name not in OURS:
        raise _Unsupported(f"a layer convshape does not have ({name})")
    args = tuple(_as_config(value) for value in args)
    kwargs = {key: _as_config(value) for key, value in kwargs.items()}
    return getattr(cs_layers, name)(*args, **kwargs)


def _as_config(value: Any) -> Any:
    """A Keras layer passed to a wrapper, as the config convshape's wrappers take."""
    get_config = getattr(value, "get_config", None)
    if get_config is None or not hasattr(value, "compute_output_shape"):
        return value
    if type(value).__name__ not in OURS:
        raise _Unsupported(f"a layer convshape does not have ({type(value).__name__})")
    return {"class_name": type(value).__name__, "config": get_config()}


def _our_call(layer: Any, inputs: Any, call_kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """The output shapes of a call on inputs of these shapes, and the weights it built."""
    tensors = _symbolic(inputs)
    kwargs = {key: _symbolic(value) for key, value in call_kwargs.items()}
    out = layer(**tensors, **kwargs) if isinstance(tensors, dict) else layer(tensors, **kwargs)
    return _output_shapes(out), layer._inbound_nodes[-1].weights


def _keras_symbolic(keras: Any, value: Any) -> Any:
    if isinstance(value, _Tensor):
        return keras.Input(batch_shape=value.shape)
    if _is_shape(value):
        return keras.Input(batch_shape=value)
    if isinstance(value, dict):
        return {key.removesuffix("_shape"): _keras_symbolic(keras, v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_keras_symbolic(keras, item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def _keras_answer(keras: Any, case: Case) -> tuple[Any, Any]:
    """The output shapes of the real Keras layer called on symbolic inputs of the case, and
    the layer, built by the call."""
    layer = getattr(keras.layers, case.name)(*case.init_args, **case.init_kwargs)
    tensors = _keras_symbolic(keras, case.inputs)
    kwargs = {key: _keras_symbolic(keras, value) for key, value in case.call_kwargs.items()}
    out = layer(**tensors, **kwargs) if isinstance(tensors, dict) else layer(tensors, **kwargs)
    return _shapes(out), layer


def _check_shape_case(keras: Any, case: Case) -> str | None:
    """A run_layer_test or a plain call: convshape's shapes (and weight counts) or why not."""
    if "_from_" in str(case.init_kwargs.get("dtype")):
        raise _Unsupported("a quantized dtype policy (convshape refuses them)")
    ours = _our_layer(case.name, case.init_args, case.init_kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs, keras_layer = _keras_answer(keras, case)
    except Exception as error:  # the test ran on tensors Keras's symbolic call refuses
        raise _Unsupported("Keras's symbolic call of the case fails") from error
    if case.expected is not None and not _same(case.expected, theirs):
        raise _Unsupported("Keras's test states a shape its symbolic call does not give")
    try:
        got, weights = _our_call(ours, case.inputs, case.call_kwargs)
    except (ConvShapeError, TypeError) as error:
        return f"convshape raised {type(error).__name__}: {error}; keras gives {theirs}"
    if not _same(theirs, got):
        return f"keras {theirs}, convshape {got}"
    trainable, non_trainable = case.weights
    counts = (sum(w.trainable for w in weights), sum(not w.trainable for w in weights))
    if trainable is not None and counts[0] != trainable:
        return f"{counts[0]} trainable weights, Keras's test states {trainable}"
    if non_trainable is not None and counts[1] != non_trainable:
        return f"{counts[1]} non-trainable weights, Keras's test states {non_trainable}"
    keras_counts = (
        len(keras_layer.trainable_weights),
        len(keras_layer.non_trainable_weights),
        keras_layer.count_params(),
    )
    ours_counts = (*counts, sum(w.size for w in weights))
    if ours_counts != keras_counts:
        return (
            f"(trainable weights, non-trainable weights, parameters): keras {keras_counts}, "
            f"convshape {ours_counts}"
        )
    return None


def _check_error_case(keras: Any, case: Case) -> str | None:
    """Replay an ``assertRaises`` block: convshape must refuse at Keras's step, or earlier
    when constructing the layer Keras then refuses; every other step Keras accepts must
    pass."""
    raising = next(index for index, step in enumerate(case.steps) if step.raised)
    target = case.steps[raising]
    layers: dict[int, Any] = {}
    for index, step in enumerate(case.steps):
        making = step.kind == "make" or step.layer not in layers
        try:
            if _replay(keras, case, step, layers):
                return None
        except (ConvShapeError, TypeError) as error:
            early = making and step.layer == target.layer
            if index == raising or early:
                return None
            return f"convshape refuses {step.kind} of {step.name}, which Keras accepts: {error}"
        if step.raised:
            arguments = step.kwargs if step.kind == "make" else step.args
            return f"Keras raises at {step.kind} of {step.name} {arguments}; convshape does not"
    return "convshape raised nothing"


def _replay(keras: Any, case: Case, step: Step, layers: dict[int, Any]) -> bool:
    """One step of an error block with convshape; True when a replayed ``run_layer_test``
    was refused (the block's expectation met)."""
    if step.kind == "make" and isinstance(step.args[:1] and step.args[0], Case):
        inner: Case = step.args[0]
        if inner.name not in OURS:
            raise _Unsupported(f"a layer convshape does not have ({inner.name})")
        result = _check_shape_case(keras, inner)
        return result is not None and result.startswith("convshape raised")
    if step.kind == "make":
        layers[step.layer] = _our_layer(step.name, step.args, step.kwargs)
        return False
    layer = layers.get(step.layer)
    if layer is None:  # made before the block
        made = case.makes[step.layer]
        layer = layers[step.layer] = _our_layer(made.name, made.args, made.kwargs)
    (inputs,) = step.args
    if step.kind == "__call__":
        _our_call(layer, inputs, step.kwargs)
    elif step.kind == "build":
        layer.weight_specs(*inputs, **step.kwargs)
    else:
        layer.compute_output_shape(*inputs, **step.kwargs)
    return False


@dataclass
class Outcome:
    ran: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)


def _run(keras: Any, collected: Collected) -> Outcome:
    outcome = Outcome()
    for case in collected.cases:
        if case.skip:
            outcome.skipped[case.skip] += 1
            continue
        try:
            if case.kind == "error":
                problem = _check_error_case(keras, case)
            else:
                problem = _check_shape_case(keras, case)
        except _Unsupported as reason:
            text = re.sub(r" \(\w+\)$", "", str(reason))
            outcome.skipped[f"{case.kind}: {text}"] += 1
            continue
        except Exception as error:
            problem = f"convshape raised {type(error).__name__}: {error}"
        outcome.ran[case.kind] += 1
        if problem is not None:
            outcome.mismatches.append(f"{case.test} [{case.kind} {case.name}]: {problem}")
    return outcome


#: Floors on the cases run, so that a change in Keras's tests or in the extraction that
#: silently drops cases fails here (the counts with Keras 3.15 are in the report).
_FLOORS = {"layer_test": 250, "error": 150, "call": 800}


def test_keras_layer_tests_pass_against_convshape(collected: Collected) -> None:
    keras = oracle("keras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = _run(keras, collected)
    for kind, count in outcome.ran.items():
        ORACLE_COUNTS[f"keras peer tests: {kind} cases run"] += count
    for reason, count in collected.skipped_methods.items():
        ORACLE_COUNTS[f"keras peer tests: skipped test methods: {reason}"] += count
    for reason, count in outcome.skipped.items():
        ORACLE_COUNTS[f"keras peer tests: skipped cases: {reason}"] += count
    ORACLE_COUNTS["keras peer tests: mismatches"] += len(outcome.mismatches)
    assert outcome.mismatches == []
    for kind, floor in _FLOORS.items():
        assert outcome.ran[kind] >= floor, (kind, outcome.ran)
    assert len(collected.modules) >= 50


# -- the refusals Keras's tests found missing -----------------------------------------------


def _softmax_with_mask(mask: tuple[int, ...]) -> Any:
    return cs_layers.Softmax()(
        convshape.Input(batch_shape=(1, 3)), mask=convshape.Input(batch_shape=mask)
    )


def _time_distributed_with_mask(mask: tuple[int, ...]) -> Any:
    layer = cs_layers.TimeDistributed(cs_layers.Dense(5))
    return layer(convshape.Input(batch_shape=(4, 5, 3)), mask=convshape.Input(batch_shape=mask))


_REFUSALS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "dropout noise_shape string",
        lambda: cs_layers.Dropout(0.5, noise_shape="Invalid"),  # type: ignore[arg-type]
        ConvShapeError,
        r"`noise_shape` must be a tuple or list of integers, not a string\. "
        r"Received: noise_shape='Invalid'",
    ),
    (
        "dropout noise_shape not iterable",
        lambda: cs_layers.Dropout(0.5, noise_shape=5),  # type: ignore[arg-type]
        TypeError,
        r"`noise_shape` must be an iterable of integers, not int",
    ),
    (
        "dropout noise_shape float",
        lambda: cs_layers.Dropout(0.5, noise_shape=(20, 1.5, 10)),  # type: ignore[arg-type]
        TypeError,
        r"`noise_shape` must be an int, not float",
    ),
    (
        "dropout noise_shape zero",
        lambda: cs_layers.Dropout(0.5, noise_shape=[20, 0, 10]),
        ConvShapeError,
        r"`noise_shape` must hold integers >= 1 or None\. Received: noise_shape=\[20, 0, 10\]",
    ),
    (
        "batch normalization rmax below rmin",
        lambda: cs_layers.BatchNormalization(
            renorm=True, renorm_clipping={"rmax": 0.0, "rmin": 1.0}
        ),
        ConvShapeError,
        r"`renorm_clipping` needs rmax >= rmin",
    ),
    (
        "batch normalization negative dmax",
        lambda: cs_layers.BatchNormalization(
            renorm=True, renorm_clipping={"rmax": 1.0, "dmax": -1.0}
        ),
        ConvShapeError,
        r"`renorm_clipping` needs dmax >= 0",
    ),
    (
        "batch normalization clipping not a dict",
        lambda: cs_layers.BatchNormalization(
            renorm=True,
            renorm_clipping=[1.0],  # type: ignore[arg-type]
        ),
        TypeError,
        r"`renorm_clipping` must be a dict, not list",
    ),
    (
        "softmax mask larger",
        lambda: _softmax_with_mask((2, 3)),
        ConvShapeError,
        r"`mask` of Softmax must broadcast to the input.*mask_shape=\(2, 3\), "
        r"input_shape=\(1, 3\)",
    ),
    (
        "softmax mask of higher rank",
        lambda: _softmax_with_mask((1, 1, 3)),
        ConvShapeError,
        r"must not have more dimensions",
    ),
    (
        "time distributed mask batch",
        lambda: _time_distributed_with_mask((5, 5)),
        ConvShapeError,
        r"`mask` of TimeDistributed must match the input's batch size and timesteps; "
        r"mask axis 0 has 5, the input 4",
    ),
    (
        "time distributed mask timesteps",
        lambda: _time_distributed_with_mask((4, 6, 2)),
        ConvShapeError,
        r"mask axis 1 has 6, the input 5",
    ),
    (
        "time distributed mask rank",
        lambda: _time_distributed_with_mask((4,)),
        ConvShapeError,
        r"`mask` of TimeDistributed must be at least 2D",
    ),
]


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [entry[1:] for entry in _REFUSALS],
    ids=[entry[0] for entry in _REFUSALS],
)
def test_what_keras_tests_refuse_is_refused(
    make: Callable[[], Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        make()


def test_a_serialised_dtype_policy_is_a_dtype() -> None:
    """Keras layers take ``dtype`` as a DTypePolicy's config (``from_config`` passes one)."""
    keras = oracle("keras")
    policy = {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": "mixed_float16"},
        "registered_name": None,
    }
    theirs = keras.layers.Dense(3, dtype=policy)
    ours = cs_layers.Dense(3, dtype=policy)
    assert ours.dtype == theirs.dtype_policy.name == "mixed_float16"
    assert [w.itemsize for w in ours.weight_specs((None, 2))] == [4, 4]


def test_masks_that_fit_are_accepted() -> None:
    assert _softmax_with_mask((1, 1)).shape == (1, 3)
    assert _time_distributed_with_mask((4, 5, 2)).shape == (4, 5, 5)
    assert cs_layers.Dropout(0.5, noise_shape=[None, 1, 3]).noise_shape == (None, 1, 3)

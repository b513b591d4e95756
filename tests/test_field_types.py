"""Layer fields declare what they accept and what they hold, and both are true.

Every field of a Keras layer and of a PyTorch spec has a type (``Any`` is refused). An
``Arg[In, Out]`` field (``convshape._fields``) takes an ``In`` and holds an ``Out``; a plain
field takes and holds its type. Two facts are checked against real Keras's files: every
argument Keras writes in the configs of the ``keras.applications`` models and of the
functional zoo (``tests/data/keras_models.json.gz``, recorded from real Keras) is of its
field's accepted type, and every field of the layers convshape builds from them holds its
declared type. The PyTorch specs are checked on the argument forms ``torch.nn`` documents.
"""

from __future__ import annotations

import ast
import collections.abc
import dataclasses
import functools
import gzip
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from convshape import torch as pt
from convshape._record import Record, fields
from convshape.layers._registry import layer_class, layer_names, plain_config

SOURCE = Path(cs.__file__).parent
DATA = Path(__file__).parent / "data" / "keras_models.json.gz"

Check = Callable[[object], bool]


@functools.cache
def aliases() -> dict[str, ast.expr]:
    """Every ``Name: TypeAlias = ...`` of convshape (``_fields`` and the modules' own)."""
    found: dict[str, ast.expr] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and ast.unparse(node.annotation) == "TypeAlias"
                and node.value is not None
            ):
                assert node.target.id not in found, f"two aliases named {node.target.id}"
                found[node.target.id] = node.value
    return found


def declared_types(cls: type) -> dict[str, str]:
    """Each field's annotation text, the most derived class's."""
    found: dict[str, str] = {}
    for owner in reversed(cls.__mro__):
        for name, annotation in vars(owner).get("__annotations__", {}).items():
            found[name] = annotation if isinstance(annotation, str) else repr(annotation)
    return found


_PLAIN: dict[str, Check] = {
    "int": lambda value: isinstance(value, int),
    "float": lambda value: isinstance(value, (int, float)),
    "bool": lambda value: isinstance(value, bool),
    "str": lambda value: isinstance(value, str),
    "object": lambda value: True,
    "Any": lambda value: True,
    "None": lambda value: value is None,
    "dict": lambda value: isinstance(value, dict),
    "list": lambda value: isinstance(value, list),
    "tuple": lambda value: isinstance(value, tuple),
    "Callable": callable,
}
_GENERIC: dict[str, type] = {
    "tuple": tuple,
    "list": list,
    "Sequence": collections.abc.Sequence,
    "dict": dict,
    "Mapping": collections.abc.Mapping,
}


def checker(node: ast.expr, side: int, module: str) -> Check:
    """A predicate for the values of a type expression; ``side`` picks ``In`` (0) or
    ``Out`` (1) of an ``Arg``."""
    if isinstance(node, ast.Constant):
        if node.value is None:
            return _PLAIN["None"]
        if isinstance(node.value, str):
            return checker(ast.parse(node.value, mode="eval").body, side, module)
        if node.value is Ellipsis:
            raise AssertionError("an ellipsis outside tuple[X, ...]")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = checker(node.left, side, module), checker(node.right, side, module)
        return lambda value: left(value) or right(value)
    if isinstance(node, ast.Name):
        return _name(node.id, side, module)
    if isinstance(node, ast.Subscript):
        return _subscript(node, side, module)
    raise AssertionError(f"a field type this test cannot read: {ast.unparse(node)} ({module})")


def _subscript(node: ast.Subscript, side: int, module: str) -> Check:
    head = ast.unparse(node.value)
    items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if head == "Arg":
        return checker(items[side], side, module)
    if head in ("Callable", "collections.abc.Callable"):
        return callable
    if head == "Literal":
        allowed = [ast.literal_eval(item) for item in items]
        return lambda value: value in allowed
    if head in ("tuple", "list", "Sequence") and not (
        head == "tuple" and len(items) > 1 and not _is_ellipsis(items[1])
    ):
        kind, each = _GENERIC[head], checker(items[0], side, module)
        return lambda value: (
            isinstance(value, kind)
            and not isinstance(value, str)
            and all(each(item) for item in value)  # type: ignore[attr-defined]
        )
    if head == "tuple":
        parts = [checker(item, side, module) for item in items]
        return lambda value: (
            isinstance(value, tuple)
            and len(value) == len(parts)
            and all(part(item) for part, item in zip(parts, value, strict=True))
        )
    if head in ("dict", "Mapping"):
        kind = _GENERIC[head]
        key, item = (checker(part, side, module) for part in items)
        return lambda value: (
            isinstance(value, kind)
            and all(
                key(k) and item(v)
                for k, v in value.items()  # type: ignore[attr-defined]
            )
        )
    raise AssertionError(f"a field type this test cannot read: {ast.unparse(node)} ({module})")


def _name(name: str, side: int, module: str) -> Check:
    if name in aliases():
        return checker(aliases()[name], side, module)
    if name in _PLAIN:
        return _PLAIN[name]
    found = _named_class(name, module)
    return lambda value: isinstance(value, found)


def _named_class(name: str, module: str) -> type:
    """A class a field's type names: from its module, or (imported there for the type
    checker only) from the public namespaces."""
    for namespace in (sys.modules[module], layers, pt, cs):
        found = getattr(namespace, name, None)
        if isinstance(found, type):
            return found
    raise AssertionError(f"unknown name in a field's type: {name} ({module})")


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def field_checks(cls: type, side: int) -> dict[str, Check]:
    """Each field's predicate: what it accepts (``side`` 0) or holds (1)."""
    checks: dict[str, Check] = {}
    declared = declared_types(cls)
    for name in field_names(cls):
        tree = ast.parse(declared[name], mode="eval").body
        owner = next(c for c in cls.__mro__ if name in vars(c).get("__annotations__", {}))
        checks[name] = checker(tree, side, owner.__module__)
    return checks


def keras_classes() -> list[type]:
    found = {layer_class(name) for name in layer_names()} - {None}
    return sorted(found | {layers.InputLayer}, key=lambda cls: cls.__name__)


def torch_classes() -> list[type]:
    found = (getattr(pt, name) for name in pt.__all__)
    return sorted(
        (cls for cls in found if isinstance(cls, type) and dataclasses.is_dataclass(cls)),
        key=lambda cls: cls.__name__,
    )


def field_names(cls: Any) -> list[str]:
    if issubclass(cls, Record):
        return [spec.name for spec in fields(cls)]
    return [spec.name for spec in dataclasses.fields(cls)]


@pytest.mark.parametrize("cls", [*keras_classes(), *torch_classes()], ids=lambda c: c.__name__)
def test_every_field_declares_a_type(cls: type) -> None:
    declared = declared_types(cls)
    names = field_names(cls)
    untyped = [name for name in names if declared.get(name, "Any") in ("Any", "typing.Any")]
    assert not untyped, f"{cls.__name__}: fields typed Any: {untyped}"
    assert set(field_checks(cls, 1)) == set(field_checks(cls, 0)) == set(names)


# -- Keras: what real Keras writes, what convshape holds ---------------------------------


@functools.cache
def recorded() -> dict[str, Any]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return {key: value for key, value in loaded.items() if key != "versions"}


def layer_configs(config: object) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (class name, constructor config) of a Keras model's JSON, nested ones too."""
    if isinstance(config, dict):
        name, inner = config.get("class_name"), config.get("config")
        if isinstance(name, str) and isinstance(inner, dict) and layer_class(name) is not None:
            yield name, inner
        for value in config.values():
            yield from layer_configs(value)
    elif isinstance(config, list):
        for value in config:
            yield from layer_configs(value)


def all_layers(model: Any) -> Iterator[Any]:
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from all_layers(layer)
        for inner in ("layer", "forward_layer", "backward_layer", "cell"):
            value = getattr(layer, inner, None)
            if isinstance(value, layers.Layer):
                yield value


def test_every_argument_real_keras_writes_has_the_accepted_type() -> None:
    checked = 0
    classes: set[str] = set()
    for key, record in recorded().items():
        for class_name, config in layer_configs(json.loads(record["json"])):
            cls = layer_class(class_name)
            accepted = field_checks(cls, 0)
            for name, value in plain_config(config).items():
                if name in accepted:
                    assert accepted[name](value), (key, class_name, name, value)
                    checked += 1
            classes.add(class_name)
    assert checked > 10_000, checked
    assert len(classes) > 30, sorted(classes)


def test_every_field_of_the_loaded_keras_models_holds_its_type() -> None:
    checked = 0
    for key, record in recorded().items():
        model = cs.load_keras(record["json"])
        for layer in all_layers(model):
            if not isinstance(layer, Record):  # a nested model: its layers are checked
                continue
            for name, holds in field_checks(type(layer), 1).items():
                value = getattr(layer, name)
                assert holds(value), (key, type(layer).__name__, name, value)
                checked += 1
    assert checked > 50_000, checked


KERAS_SAMPLES = [
    layers.Conv2D(8, 3),
    layers.Conv1D(8, [3], strides=(2,), padding="CAUSAL", data_format="channels_first"),
    layers.Conv2DTranspose(8, 5, strides=2, padding="same", output_padding=1),
    layers.Conv3DTranspose(4, (3, 3, 3), output_padding=[0, 0, 0]),
    layers.SeparableConv1D(4, 3, depth_multiplier=2),
    layers.DepthwiseConv2D(3, dilation_rate=2),
    layers.MaxPooling2D(),
    layers.AveragePooling1D(3, strides=None, padding="same"),
    layers.UpSampling2D(2),
    layers.ZeroPadding2D(((1, 2), (3, 4))),
    layers.ZeroPadding1D(2),
    layers.Cropping2D(1),
    layers.Reshape((2, -1)),
    layers.Dense(4),
    layers.Embedding(10, 4),
    layers.BatchNormalization(axis=1),
    layers.LayerNormalization(axis=(-1,)),
    layers.Dropout(0.5, noise_shape=[None, 1]),
    layers.LSTM(4, return_sequences=True),
    layers.MultiHeadAttention(2, 4),
    layers.Concatenate(axis=1),
    layers.Permute((2, 1)),
    layers.GlobalAveragePooling2D(keepdims=True),
]


@pytest.mark.parametrize("layer", KERAS_SAMPLES, ids=lambda layer: type(layer).__name__)
def test_keras_layers_hold_their_declared_types(layer: layers.Layer) -> None:
    for name, holds in field_checks(type(layer), 1).items():
        assert holds(getattr(layer, name)), (name, getattr(layer, name))


TORCH_SAMPLES = [
    pt.Conv2d(3, 8, 3),
    pt.Conv1d(3, 8, (3,), stride=2, padding="valid", dilation=[1]),
    pt.Conv2d(3, 8, 3, padding="same"),
    pt.ConvTranspose2d(8, 4, 5, stride=2, padding=2, output_padding=1),
    pt.ConvTranspose3d(8, 4, (3, 3, 3), stride=(2, 1, 1)),
    pt.MaxPool2d(2),
    pt.MaxPool1d(3, stride=1, padding=1, ceil_mode=True),
    pt.AvgPool2d((2, 3), count_include_pad=False),
    pt.BatchNorm2d(8),
    pt.Linear(4, 2),
    pt.Flatten(),
    pt.Upsample(scale_factor=2),
]


@pytest.mark.parametrize("spec", TORCH_SAMPLES, ids=lambda spec: type(spec).__name__)
def test_torch_specs_hold_their_declared_types(spec: object) -> None:
    for name, holds in field_checks(type(spec), 1).items():
        assert holds(getattr(spec, name)), (name, getattr(spec, name))

"""The functional replay of a saved Keras graph: every recorded call made in the order
of Keras's ``functional_from_config`` loop, and the decoding of a call's recorded
arguments (``keras_history`` references, tuples, nested values) into tensors.
"""

from __future__ import annotations

import _thread
import heapq
from _collections_abc import Mapping, Sequence

from ._keras_files import quoted, short
from ._keras_trail import _mark
from .errors import ConvShapeError, scopes
from .models.graph import SymbolicTensor, flatten

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any


class _Loading(_thread._local):
    """The functional models each thread is loading, innermost last, as (class name,
    name)."""

    def __init__(self) -> None:
        self.models: list[tuple[str, object]] = []


_LOADING = _Loading()


def _replay(order: list[str], pending: dict[str, list[Any]], created: dict[str, Any]) -> None:
    """Make every recorded call, in the order of Keras's loop: pass after pass over the
    layers in the file's order, each making its calls until one reads an output not
    computed yet. A blocked call waits on the node it reads and is retried where that
    loop would first succeed, so out-of-order files cost no pass over all layers.

    A call's errors and warnings name the layer, its index in the file (its index in
    ``model.layers``) and the model being loaded."""
    loading = _LOADING.models
    model = loading[-1] if loading else ("Functional", None)
    schedule = [(0, position) for position in range(len(order))]  # (pass, position): a heap
    waiting: dict[str, list[tuple[int, int]]] = {}  # layer -> heap of (node lacked, position)
    while schedule:
        run, position = heapq.heappop(schedule)
        name = order[position]
        calls = pending[name]
        layer = created[name]
        while calls:
            try:
                args, kwargs = _arguments(calls[0], created)
                scopes().append((layer, position, model, (args, kwargs)))
                try:
                    layer(*args, **kwargs)
                finally:
                    scopes().pop()
            except _NotYet as missing:
                heapq.heappush(waiting.setdefault(missing.layer, []), (missing.node, position))
                break
            except Exception as error:
                _mark(error, ("call", name))
                raise
            calls.pop(0)
            waiters = waiting.get(name)  # a heap: the node each lacks first
            while waiters and waiters[0][0] < len(layer._inbound_nodes):
                other = heapq.heappop(waiters)[1]
                heapq.heappush(schedule, (run if other > position else run + 1, other))
    stuck = sorted(name for name, calls in pending.items() if calls)
    if stuck:
        shown = ", ".join(quoted(name, 60) for name in stuck[:20])
        raise ConvShapeError(
            "the functional model's graph has loops or disconnected calls; these layers' "
            f"calls cannot be resolved: {shown}{', ...' if len(stuck) > 20 else ''}",
            argument="source",
            received={},
        )


class _NotYet(Exception):
    """A call reads a layer's output that has not been computed yet."""

    def __init__(self, layer: str, node: int) -> None:
        super().__init__(layer, node)
        self.layer = layer
        self.node = node


def _arguments(node: Any, created: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The tensors and values of one recorded call (Keras 3's args/kwargs, or the legacy
    list of [layer, node, tensor, kwargs])."""
    if not node:
        return [], {}
    if isinstance(node, list):
        found = [_history_tensor(item[:3], created) for item in node]
        kwargs = node[0][3] if node and len(node[0]) == 4 else {}
        return [found[0] if len(found) == 1 else found], dict(kwargs)
    args = node.get("args", [])
    kwargs = node.get("kwargs", {})
    if len(args) == 1 and type(args[0]) is dict and args[0].get("class_name") == _TENSOR:
        # One tensor and flags, the common call.
        first = [_history_tensor(args[0]["config"]["keras_history"], created)]
        if all(type(value) is not dict and type(value) is not list for value in kwargs.values()):
            return first, dict(kwargs)
        return first, {key: _value(value, created) for key, value in kwargs.items()}
    return (
        [_value(arg, created) for arg in args],
        {key: _value(value, created) for key, value in kwargs.items()},
    )


_TENSOR = "__keras_tensor__"


def _value(item: Any, created: Mapping[str, Any]) -> Any:
    if type(item) is dict:
        if item.get("class_name") == "__keras_tensor__":
            return _history_tensor(item["config"]["keras_history"], created)
        if item.get("class_name") == "__tuple__":
            return tuple(_value(value, created) for value in item["config"]["value"])
        return {key: _value(value, created) for key, value in item.items()}
    if isinstance(item, list):
        return [_value(value, created) for value in item]
    return item


def _history_tensor(history: Sequence[Any], created: Mapping[str, Any]) -> Any:
    try:
        name, node_index, tensor_index = history
    except (TypeError, ValueError):
        name = node_index = tensor_index = None
    if (
        not isinstance(name, str)
        or type(node_index) is not int
        or type(tensor_index) is not int
        or node_index < 0
        or tensor_index < 0
    ):
        raise ConvShapeError(
            "a call's keras_history must be [layer name, node index, tensor index]",
            argument="source",
            received={"keras_history": short(history)},
        )
    layer = _layer_named(created, name, "a call reads layer {}, which is not in the model")
    nodes = layer._inbound_nodes
    if len(nodes) <= node_index:
        raise _NotYet(name, node_index)
    outputs = nodes[node_index].outputs
    if tensor_index == 0 and type(outputs) is SymbolicTensor:
        return outputs
    return flatten(outputs)[tensor_index]


def _layer_named(created: Mapping[str, Any], name: str, rule: str) -> Any:
    """The layer ``name`` of the model being loaded; a name not in it raises
    ConvShapeError with ``rule``, the quoted name in its ``{}``."""
    layer = created.get(name)
    if layer is None:
        raise ConvShapeError(rule.format(quoted(name)), argument="source", received={})
    return layer

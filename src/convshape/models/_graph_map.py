"""Keras's ``map_graph``: the nodes between a model's inputs and outputs, their depths,
and the operations in Keras's order (deepest first, ties in traversal order), with the
checks Keras makes on them (a connected graph, unique layer names, no cycle).
"""

from __future__ import annotations

from ..errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from .graph import Node, SymbolicTensor


def graph_order(
    inputs: Sequence[SymbolicTensor], outputs: Sequence[SymbolicTensor]
) -> tuple[list[Node], dict[int, list[Node]], list[Any]]:
    """The nodes between ``inputs`` and ``outputs``, the nodes by depth and the operations
    in Keras's order (the fields of :class:`~convshape.models.graph.GraphMap`), checked."""
    ordered, operation_indices = _build_map(inputs, outputs)
    in_graph = set(map(id, ordered))
    node_depths: dict[int, int] = {}
    operation_depths: dict[int, int] = {}
    operations_by_id: dict[int, Any] = {}
    node_by_id = {id(node): node for node in ordered}
    for node in reversed(ordered):
        depth = node_depths.setdefault(id(node), 0)
        depth = max(depth, operation_depths.get(id(node.operation), 0))
        operation_depths[id(node.operation)] = depth
        operations_by_id[id(node.operation)] = node.operation
        node_depths[id(node)] = depth
        for tensor in node.input_tensors:
            history = tensor._history
            if history is None:
                continue
            parent = history.operation._inbound_nodes[history.node_index]
            if id(parent) in in_graph:
                previous = node_depths.get(id(parent), 0)
                node_depths[id(parent)] = depth + 1 if depth + 1 > previous else previous
    for tensor in inputs:
        history = tensor._history
        if history is None:
            continue
        operation = history.operation
        if id(operation) not in operation_depths:
            node = operation._inbound_nodes[history.node_index]
            if node.is_input:
                operation_depths[id(operation)] = 0
                operations_by_id[id(operation)] = operation
                operation_indices[id(operation)] = -1
                node_depths[id(node)] = 0
                node_by_id[id(node)] = node

    nodes_by_depth: dict[int, list[Node]] = {}
    for node_id, depth in node_depths.items():
        nodes_by_depth.setdefault(depth, []).append(node_by_id[node_id])
    operations_by_depth: dict[int, list[Any]] = {}
    for operation_id, depth in operation_depths.items():
        operations_by_depth.setdefault(depth, []).append(operations_by_id[operation_id])
    operations: list[Any] = []
    for depth in sorted(operations_by_depth, reverse=True):
        operations.extend(
            sorted(operations_by_depth[depth], key=lambda op: operation_indices[id(op)])
        )

    _check_computable(inputs, nodes_by_depth)
    _check_unique_names(operations)
    return list(node_by_id.values()), nodes_by_depth, operations


def _check_computable(
    inputs: Sequence[SymbolicTensor], nodes_by_depth: dict[int, list[Node]]
) -> None:
    computable = {id(tensor) for tensor in inputs}
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for tensor in node.input_tensors:
                if id(tensor) not in computable:
                    raise ConvShapeError(
                        "graph disconnected: the outputs are not connected to `inputs`; layer "
                        f"{node.operation.name!r} needs a tensor "
                        f"({tensor.shape}, from {getattr(tensor.layer, 'name', None)!r}) "
                        "that the model's inputs do not produce",
                        argument="inputs",
                        received={"inputs": [t.name for t in inputs]},
                    )
            if not node.is_input:  # another Input's tensor is not one of the model's
                computable.update(id(tensor) for tensor in node.output_tensors)


def _check_unique_names(operations: list[Any]) -> None:
    names = [operation.name for operation in operations]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConvShapeError(
                f"the name {name!r} is used {names.count(name)} times in the model; "
                "all layer names must be unique",
                argument="name",
                received={"name": name},
            )
        seen.add(name)


def _build_map(
    inputs: Sequence[SymbolicTensor], outputs: Iterable[SymbolicTensor]
) -> tuple[list[Node], dict[int, int]]:
    finished: set[int] = set()
    in_progress: set[int] = set()
    ordered: list[Node] = []
    operation_indices: dict[int, int] = {}
    input_ids = {id(tensor) for tensor in inputs}

    def enter(tensor: SymbolicTensor) -> Node | None:
        """The node to expand for this tensor, or None where the walk stops."""
        history = tensor._history
        if history is None:
            return None
        operation = history.operation
        node: Node = operation._inbound_nodes[history.node_index]
        if id(node) in finished:
            return None
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))
            return None
        if id(node) in in_progress:
            raise ConvShapeError(
                f"the tensor from layer {operation.name!r} is part of a cycle",
                argument="outputs",
                received={},
            )
        operation_indices.setdefault(id(operation), len(operation_indices))
        in_progress.add(id(node))
        return node

    # Keras's recursive depth-first walk, with an explicit stack: models are deeper
    # than Python's recursion limit.
    for output in outputs:
        first = enter(output)
        if first is None:
            continue
        stack = [(first, iter(() if first.is_input else first.input_tensors))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                child = enter(parent)
                if child is not None:
                    stack.append((child, iter(() if child.is_input else child.input_tensors)))
                    break
            else:
                stack.pop()
                finished.add(id(node))
                in_progress.discard(id(node))
                ordered.append(node)
    return ordered, operation_indices

"""Keras ops in a functional graph: ``x + y`` or ``keras.ops.add(x, y)`` on symbolic
tensors records an operation node (``keras.src.ops.numpy.Add``) rather than a layer.
Saved models name them; they share the layers' name counters and have no weights."""

from __future__ import annotations

from .._naming import auto_name
from ..errors import ConvShapeError
from ..layers.merging import broadcast_or_raise
from .graph import Node, call_operation, flatten, is_shape

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = ["KerasOp", "broadcast_shapes", "keras_op"]

#: Ops that combine their tensor arguments elementwise, broadcasting them.
_ELEMENTWISE = frozenset(
    {
        "Add",
        "Subtract",
        "Multiply",
        "Divide",
        "TrueDivide",
        "FloorDivide",
        "Maximum",
        "Minimum",
        "Power",
        "Mod",
        "Equal",
        "NotEqual",
        "Greater",
        "GreaterEqual",
        "Less",
        "LessEqual",
        "LogicalAnd",
        "LogicalOr",
        "Where",
        # one tensor argument
        "Negative",
        "Abs",
        "Absolute",
        "Sqrt",
        "Square",
        "Exp",
        "Log",
        "Sigmoid",
        "Relu",
        "Relu6",
        "Tanh",
        "Gelu",
        "Silu",
        "Swish",
        "HardSigmoid",
        "HardSilu",
        "HardSwish",
        "Softplus",
        "Cast",
        "Clip",
        "Sign",
        "Round",
        "Floor",
        "Ceil",
        "Reciprocal",
        "Rsqrt",
    }
)


def broadcast_shapes(
    first: tuple[int | None, ...], second: tuple[int | None, ...]
) -> tuple[int | None, ...]:
    """Keras's ``broadcast_shapes``: align on the right; 1 stretches; None meets anything.

    >>> broadcast_shapes((None, 4, 1), (3,))
    (None, 4, 3)
    """
    return broadcast_or_raise(first, second, f"cannot broadcast shape {first} to shape {second}")


class KerasOp:
    """A ``keras.ops`` call in a graph, known by its class name (``Add``, ``Multiply``...).

    >>> from convshape import Input
    >>> op = KerasOp("Add")
    >>> op(Input((4,)), Input((1,))).shape
    (None, 4)
    """

    is_keras_op = True
    trainable = True
    _is_model = False

    def __init__(self, class_name: str, name: str | None = None) -> None:
        if class_name not in _ELEMENTWISE:
            raise ConvShapeError(
                f"the Keras op {class_name!r} is not supported in a graph; convshape knows "
                f"the elementwise ops {', '.join(sorted(_ELEMENTWISE))}",
                argument="source",
                received={"class_name": class_name, "layer": name},
            )
        self.class_name = class_name
        self.name = name or auto_name(class_name)
        self._inbound_nodes: list[Node] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call_operation(self, args, kwargs)

    def output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The broadcast shape of the tensor arguments (numbers broadcast as scalars)."""
        shapes = [leaf for leaf in flatten(list(args)) if is_shape(leaf)]
        result: tuple[int | None, ...] = ()
        for shape in shapes:
            result = broadcast_shapes(result, shape)
        return result

    def build_weights(self, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Ops have no weights."""
        return ()

    def __repr__(self) -> str:
        return f"<KerasOp {self.class_name} name={self.name}>"


def keras_op(class_name: str, config: dict[str, Any], module: str) -> KerasOp:
    """The op a saved functional model names (``module`` is ``keras.src.ops.*``)."""
    del module
    return KerasOp(class_name, config.get("name"))

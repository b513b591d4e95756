"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

A merge layer takes a *list* of inputs, so ``compute_output_shape`` takes a list
of shapes, and a call (``layers.Add()([x, y])``) reaches ``output_spec`` with a
list of shapes. None of them has weights. The elementwise merges follow Keras's
``Merge``: the batch sizes must agree where known, the other dimensions are
aligned from the right and broadcast (a 1 takes the other size; an unknown size
makes the result unknown). The lower-case functions (``add``, ``concatenate``,
...) create the layer and call it, as ``keras.layers.add`` does.
"""

from __future__ import annotations

from _collections_abc import Sequence

from .._validate import Shape, as_int, check_shape
from ..errors import ConvShapeError, _short_repr
from ..explain import Explanation, explain_layer
from ._base import Layer, Weight

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeAlias

    from .._fields import Arg

    #: Dot's ``axes``: one axis for both inputs, or one per input; held as the int or as a
    #: tuple of two ints.
    DotAxes: TypeAlias = Arg[int | tuple[int, int] | list[int], int | tuple[int, int]]

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "broadcast_shapes",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


def broadcast_shapes(
    shape1: Sequence[int | None], shape2: Sequence[int | None]
) -> tuple[int | None, ...] | None:
    """Keras's ``broadcast_shapes`` for symbolic tensors (``ops.add`` and friends), or None
    where the shapes do not broadcast.

    Right-aligned; a 1 takes the other size, an unknown size takes the other known size
    (unless that is 1), equal sizes stay.

    >>> broadcast_shapes((None, 3, 1), (4,)), broadcast_shapes((None, 1), (None, None))
    ((None, 3, 4), (None, None))
    >>> broadcast_shapes((None, 3), (4,)) is None
    True
    """
    rank = max(len(shape1), len(shape2))
    left = [1] * (rank - len(shape1)) + list(shape1)
    right = [1] * (rank - len(shape2)) + list(shape2)
    out: list[int | None] = []
    for a, b in zip(left, right, strict=True):
        if a == 1:
            out.append(b)
        elif a is None:
            out.append(None if b == 1 else b)
        elif b in (1, None, a):
            out.append(a)
        else:
            return None
    return tuple(out)


def broadcast_or_raise(
    first: tuple[int | None, ...], second: tuple[int | None, ...], rule: str
) -> tuple[int | None, ...]:
    """:func:`broadcast_shapes`, or a ConvShapeError saying ``rule`` (of the ``inputs``)."""
    shape = broadcast_shapes(first, second)
    if shape is None:
        raise ConvShapeError(rule, argument="inputs", received={"shapes": [first, second]})
    return shape


class _ListInput(Layer):
    """A layer called on a list of tensors: shapes in, one shape out, no weights."""

    __slots__ = ()

    #: How many inputs the layer takes: at least, and exactly (None for any number).
    _min_inputs: ClassVar[int] = 1
    _exact_inputs: ClassVar[int | None] = None

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        """The output shape for a list of input shapes (batch dimensions included).

        >>> from convshape import layers
        >>> layers.Add().compute_output_shape([(None, 8), (None, 8)])
        (None, 8)
        """
        return self._merged(self._input_shapes(input_shape))

    def weight_specs(self, input_shape: Sequence[Any]) -> tuple[Weight, ...]:
        """No weights; the input shapes are still checked.

        >>> from convshape import layers
        >>> layers.Concatenate().weight_specs([(None, 2), (None, 3)])
        ()
        """
        self.compute_output_shape(input_shape)
        return ()

    def count_params(self, input_shape: Sequence[Any]) -> int:
        """0: no weights (the input shapes are still checked).

        >>> from convshape import layers
        >>> layers.Add().count_params([(None, 2), (None, 2)])
        0
        """
        return sum(w.size for w in self.weight_specs(input_shape))

    def count_trainable_params(self, input_shape: Sequence[Any]) -> int:
        """0: no weights."""
        return self.count_params(input_shape)

    def count_non_trainable_params(self, input_shape: Sequence[Any]) -> int:
        """0: no weights."""
        return self.count_params(input_shape)

    def explain(self, input_shape: Sequence[Any]) -> Explanation:
        """The output shape for a list of input shapes.

        >>> from convshape import layers
        >>> print(layers.Concatenate(name="cat").explain([(None, 2), (None, 3)]).title)
        cat (Concatenate): ((None, 2), (None, 3)) -> (None, 5)
        """
        return explain_layer(self, input_shape)

    def output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The output shape of a call on a list of shapes (``training`` and ``mask`` ignored)."""
        return self.compute_output_shape(self._single_input(args, kwargs))

    def build_weights(self, *args: Any, **kwargs: Any) -> tuple[Weight, ...]:
        """No weights (see :meth:`output_spec`)."""
        self._single_input(args, kwargs)
        return ()

    def _merged(self, shapes: list[Shape]) -> Shape:
        raise NotImplementedError

    def _error(self, rule: str, shapes: object, **received: object) -> ConvShapeError:
        """An error naming the class, the layer, the rule and the input shapes."""
        cls = type(self).__name__
        return ConvShapeError(
            f"{'An' if cls[0] in 'AEIOU' else 'A'} `{cls}` layer {rule}",
            argument="inputs",
            received={"name": self.name, **received, "input_shape": shapes},
        )

    def _input_shapes(self, input_shape: object) -> list[Shape]:
        if not isinstance(input_shape, (list, tuple)) or not all(
            isinstance(shape, (list, tuple)) for shape in input_shape
        ):
            raise self._error("should be called on a list of inputs", input_shape)
        shapes = [check_shape(shape, "input_shape") for shape in input_shape]
        if len(shapes) < self._min_inputs:
            raise self._error(
                f"should be called on a list of at least {self._min_inputs} "
                f"input{'s' if self._min_inputs > 1 else ''}; got {len(shapes)}",
                shapes,
            )
        if self._exact_inputs is not None and len(shapes) != self._exact_inputs:
            raise self._error(
                f"should be called on exactly {self._exact_inputs} inputs; got {len(shapes)}",
                shapes,
            )
        return shapes


class _Elementwise(_ListInput):
    """Keras's ``Merge``: batch sizes agree, the rest broadcast from the right."""

    __slots__ = ()

    def _merged(self, shapes: list[Shape]) -> Shape:
        batches = {shape[0] for shape in shapes if shape} - {None}
        if len(batches) > 1:
            raise self._error("cannot merge tensors with different batch sizes", shapes)
        output = shapes[0][1:]
        for index, shape in enumerate(shapes[1:], start=1):
            merged = _elementwise(output, shape[1:])
            if merged is None:
                raise self._error(
                    "requires inputs whose shapes broadcast together; input "
                    f"{index} {shape} does not broadcast with {(None, *output)}, "
                    "the shape of the inputs before it",
                    shapes,
                )
            output = merged
        batch = next(iter(batches)) if batches else None
        return (batch, *output)


def _elementwise(shape1: Shape, shape2: Shape) -> Shape | None:
    """Keras's ``_compute_elemwise_op_output_shape`` (non-batch dimensions), or None."""
    if len(shape1) < len(shape2):
        shape1, shape2 = shape2, shape1
    if not shape2:
        return shape1
    out = list(shape1[: len(shape1) - len(shape2)])
    for a, b in zip(shape1[len(shape1) - len(shape2) :], shape2, strict=True):
        if a is None or b is None:
            out.append(None)
        elif a == 1:
            out.append(b)
        elif b in (1, a):
            out.append(a)
        else:
            return None
    return tuple(out)


class Add(_Elementwise):
    """Elementwise sum of a list of inputs (at least one).

    ``output = broadcast(inputs)``: batch sizes must agree, the other dimensions are
    aligned from the right and broadcast; an unknown size makes the result unknown.

    >>> Add().compute_output_shape([(None, 4, 3), (None, 1, 3)])
    (None, 4, 3)
    >>> Add().compute_output_shape([(None, 4, 3), (None, 3)])
    (None, 4, 3)
    """

    __slots__ = ()


class Subtract(_Elementwise):
    """``inputs[0] - inputs[1]``: exactly two inputs, broadcast as :class:`Add`.

    >>> Subtract().compute_output_shape([(None, 16), (None, 16)])
    (None, 16)
    """

    __slots__ = ()

    _exact_inputs: ClassVar[int | None] = 2


class Multiply(_Elementwise):
    """Elementwise product, broadcast as :class:`Add`.

    >>> Multiply().compute_output_shape([(None, 8, 8, 64), (None, 1, 1, 64)])
    (None, 8, 8, 64)
    """

    __slots__ = ()


class Average(_Elementwise):
    """Elementwise mean, broadcast as :class:`Add`.

    >>> Average().compute_output_shape([(None, 10)] * 3)
    (None, 10)
    """

    __slots__ = ()


class Maximum(_Elementwise):
    """Elementwise maximum, broadcast as :class:`Add`.

    >>> Maximum().compute_output_shape([(2, 5), (None, 5)])
    (2, 5)
    """

    __slots__ = ()


class Minimum(_Elementwise):
    """Elementwise minimum, broadcast as :class:`Add`.

    >>> Minimum().compute_output_shape([(None, None, 5), (None, 7, 5)])
    (None, None, 5)
    """

    __slots__ = ()


class Concatenate(_ListInput):
    """Joins inputs along ``axis`` (any axis, negative from the end, even the batch).

    ``output = inputs[0]`` with ``output[axis] = sum(shape[axis] for shape in inputs)``
    (unknown if one is); the inputs must have one rank and agree on every other axis
    where both sizes are known.

    >>> Concatenate().compute_output_shape([(None, 7, 7, 64), (None, 7, 7, 32)])
    (None, 7, 7, 96)
    >>> Concatenate(axis=1).compute_output_shape([(None, 3, 8), (None, None, 8)])
    (None, None, 8)
    """

    axis: int = -1

    def _validate(self) -> None:
        self._set("axis", as_int(self.axis, "axis"))

    def _merged(self, shapes: list[Shape]) -> Shape:
        rule = "requires inputs with matching shapes except for the concatenation axis"
        first = shapes[0]
        rank = len(first)
        for shape in shapes[1:]:
            if len(shape) != rank:
                raise self._error(
                    f"{rule}; {first} has rank {rank} and {shape} rank {len(shape)}",
                    shapes,
                    axis=self.axis,
                )
        if len(shapes) == 1 and self.axis >= rank:
            # Keras passes one input through without reading that axis.
            return first
        if not -rank <= self.axis < rank:
            raise self._error(
                f"needs `axis` in [-{rank}, {rank}) for inputs of rank {rank}",
                shapes,
                axis=self.axis,
            )
        axis = self.axis % rank
        for dim in range(rank):
            if dim == axis:
                continue
            sizes = {shape[dim]: shape for shape in shapes if shape[dim] is not None}
            if len(sizes) > 1:
                (_, one), (_, other) = list(sizes.items())[:2]
                raise self._error(
                    f"{rule}; {one} and {other} differ at axis {dim}",
                    shapes,
                    axis=self.axis,
                )
        output = list(first)
        for shape in shapes[1:]:
            size, more = output[axis], shape[axis]
            if size is None or more is None:
                output[axis] = None
                break
            output[axis] = size + more
        return tuple(output)


class Dot(_ListInput):
    """Batchwise dot product of two inputs along ``axes`` (an int, or one axis per input).

    ``output = x.shape without axes[0] + y.shape[1:] without axes[1]``, ``(batch, 1)``
    when that leaves only the batch. The batch axis cannot be a dot axis and the two
    summed sizes must be equal (Keras also rejects an unknown size against a known one).

    >>> Dot(axes=(1, 2)).compute_output_shape([(None, 3, 5), (None, 10, 3)])
    (None, 5, 10)
    >>> Dot(axes=1).compute_output_shape([(None, 8), (None, 8)])
    (None, 1)
    """

    _exact_inputs: ClassVar[int | None] = 2
    axes: DotAxes
    normalize: bool = False

    def _validate(self) -> None:
        axes: object = self.axes  # as given, not checked yet
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ConvShapeError(
                    "Invalid format for argument `axes`: it should contain two elements",
                    argument="axes",
                    received={"axes": axes},
                )
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                # Keras raises ValueError here, not TypeError.
                raise ConvShapeError(
                    "Invalid format for argument `axes`: list elements should be integers",
                    argument="axes",
                    received={"axes": axes},
                )
            self._set("axes", (int(axes[0]), int(axes[1])))
        elif isinstance(axes, bool) or not isinstance(axes, int):
            raise TypeError(
                "Invalid type for argument `axes`: it should be a list or an int, "
                f"not {type(axes).__name__}. Received: axes={_short_repr(axes)}"
            )

    def _merged(self, shapes: list[Shape]) -> Shape:
        x, y = shapes
        for shape in shapes:
            if len(shape) < 2:
                raise self._error(
                    "needs inputs of rank >= 2 (batch included) for its batchwise dot product",
                    shapes,
                )
        if x[0] is not None and y[0] is not None and x[0] != y[0]:
            raise self._error("cannot take a dot product of different batch sizes", shapes)
        if isinstance(self.axes, int):
            # An int is taken modulo each rank, as Keras does.
            axes = [self.axes % len(x), self.axes % len(y)] if self.axes < 0 else [self.axes] * 2
        else:
            axes = list(self.axes)
        for index, (axis, shape) in enumerate(zip(axes, shapes, strict=True)):
            if not -len(shape) <= axis < len(shape):
                raise self._error(
                    f"has `axes` out of range for input {index} of rank {len(shape)}",
                    shapes,
                    axes=self.axes,
                )
            axes[index] = axis % len(shape)
        if 0 in axes:
            raise self._error(
                "cannot take the dot product over the batch axis (axis 0)", shapes, axes=self.axes
            )
        a, b = axes
        if x[a] != y[b]:
            raise self._error(
                f"has incompatible input shapes: axis values {x[a]} (at axis {a}) != "
                f"{y[b]} (at axis {b})",
                shapes,
                axes=self.axes,
            )
        output = [*x[:a], *x[a + 1 :], *y[1:b], *y[b + 1 :]]
        if len(output) == 1:
            output.append(1)
        return tuple(output)


def add(inputs: Any, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the sum of a list of symbolic tensors.

    >>> from convshape import Input
    >>> add([Input((8,)), Input((8,))]).shape
    (None, 8)
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: the difference of two symbolic tensors.

    >>> from convshape import Input
    >>> subtract([Input((8,)), Input((8,))]).shape
    (None, 8)
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the elementwise product of symbolic tensors.

    >>> from convshape import Input
    >>> multiply([Input((4, 4, 16)), Input((1, 1, 16))]).shape
    (None, 4, 4, 16)
    """
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the elementwise mean of symbolic tensors.

    >>> from convshape import Input
    >>> average([Input((8,)), Input((8,))]).shape
    (None, 8)
    """
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum of symbolic tensors.

    >>> from convshape import Input
    >>> maximum([Input((8,)), Input((8,))]).shape
    (None, 8)
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum of symbolic tensors.

    >>> from convshape import Input
    >>> minimum([Input((8,)), Input((8,))]).shape
    (None, 8)
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``: symbolic tensors joined along ``axis``.

    >>> from convshape import Input
    >>> concatenate([Input((7, 7, 64)), Input((7, 7, 32))]).shape
    (None, 7, 7, 96)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Any, axes: int | tuple[int, int] | list[int] = -1, **kwargs: Any) -> Any:
    """``Dot(axes=axes, **kwargs)(inputs)``: the batchwise dot product of two symbolic tensors.

    >>> from convshape import Input
    >>> dot([Input((3, 5)), Input((10, 5))], axes=2).shape
    (None, 3, 10)
    """
    return Dot(axes=axes, **kwargs)(inputs)

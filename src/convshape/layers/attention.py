"""Attention layers: Attention, AdditiveAttention and MultiHeadAttention.

They take several inputs: ``Attention`` and ``AdditiveAttention`` a list ``[query, value]``
or ``[query, value, key]``, ``MultiHeadAttention`` the tensors as arguments. Shapes are
checked as TensorFlow runs them (batch dimensions broadcast in ``Attention``, must match
in ``MultiHeadAttention``), not only as Keras's symbolic shapes say.
"""

from __future__ import annotations

from _collections_abc import Sequence

from .._naming import auto_name
from .._record import KW_ONLY, field
from .._validate import Shape, as_int, check_count, check_shape
from ..errors import ConvShapeError, _short_repr
from ._base import Layer, Weight, check_rate, known
from .merging import broadcast_or_raise

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    from .._fields import Arg, Opaque, OptionalIntTuple

    #: MultiHeadAttention's ``value_dim``: None (the default, ``key_dim``) or an int, held
    #: as an int.
    AttentionValueDim: TypeAlias = Arg[int | None, int]

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]

ShapeArg = Sequence[int | None]


def _broadcast(first: Shape, second: Shape, what: str) -> Shape:
    """NumPy broadcasting of two shapes (aligned on the right); None is unknown."""
    return broadcast_or_raise(first, second, f"the {what} do not broadcast: {first} and {second}")


def _mismatch(first: int | None, second: int | None) -> bool:
    return first is not None and second is not None and first != second


def _number(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a number, not {type(value).__name__}. "
            f"Received: {name}={_short_repr(value)}"
        )


class _ListInput(Layer):
    """Attention over ``[query, value]`` or ``[query, value, key]`` (a list, as in Keras)."""

    __slots__ = ()

    if TYPE_CHECKING:
        use_scale: bool
        score_mode: str
        dropout: float

    def _additive(self) -> bool:
        """Whether the scores add query and key (their last dimensions broadcast)."""
        return bool(self.score_mode == "concat")

    def _validate(self) -> None:
        _number(self.dropout, "dropout")
        if self.score_mode not in ("dot", "concat"):
            raise ConvShapeError(
                "`score_mode` must be 'dot' or 'concat'",
                argument="score_mode",
                received={"score_mode": self.score_mode},
            )

    def _inputs(self, inputs: object) -> tuple[Shape, Shape, Shape]:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or _is_flat(inputs):
            raise TypeError(
                f"{name} must be called on a list of inputs, [query, value] or "
                f"[query, value, key]. Received: inputs={_short_repr(inputs)}"
            )
        if not 2 <= len(inputs) <= 3:
            raise ConvShapeError(
                f"{name} takes a list of 2 or 3 inputs, [query, value] or [query, value, key]",
                argument="inputs",
                received={"inputs": inputs},
            )
        shapes = [check_shape(shape, "inputs") for shape in inputs]
        if any(len(shape) < 2 for shape in shapes):
            raise ConvShapeError(
                f"{name} needs inputs of rank >= 2 (..., steps, features)",
                argument="inputs",
                received={"inputs": inputs},
            )
        query, value = shapes[0], shapes[1]
        return query, value, shapes[2] if len(shapes) == 3 else value

    def _shapes(self, inputs: object) -> tuple[Shape, Shape]:
        """The output and score shapes (TensorFlow's, batch dimensions broadcast)."""
        query, value, key = self._inputs(inputs)
        if self._additive():
            _broadcast(query[-1:], key[-1:], "query and key features")
        elif _mismatch(query[-1], key[-1]):
            raise ConvShapeError(
                f"the query and key must have the same last dimension, got {query[-1]} "
                f"and {key[-1]}",
                argument="inputs",
                received={"query_shape": query, "key_shape": key},
            )
        if _mismatch(key[-2], value[-2]):
            raise ConvShapeError(
                f"the key and value must have the same number of steps, got {key[-2]} "
                f"and {value[-2]}",
                argument="inputs",
                received={"value_shape": value, "key_shape": key},
            )
        batch = _broadcast(query[:-2], key[:-2], "batch dimensions of the query and key")
        batch = _broadcast(batch, value[:-2], "batch dimensions of the query and value")
        return (*batch, query[-2], value[-1]), (*batch, query[-2], key[-2])

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        """``query_shape[:-1] + value_shape[-1:]`` for ``[query, value(, key)]`` shapes."""
        return self._shapes(input_shape)[0]

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        weights = [Weight("scale", (), True)] if self.use_scale else []
        if self.score_mode == "concat":
            weights.append(Weight("concat_score_weight", (), True))
        return tuple(weights)

    def weight_specs(self, input_shape: Sequence[Any]) -> tuple[Weight, ...]:
        """The variables built on ``[query_shape, value_shape(, key_shape)]``."""
        query = self._inputs(input_shape)[0]
        self._shapes(input_shape)
        return self._checked_weight_specs(query)

    def count_params(self, input_shape: Sequence[Any]) -> int:
        """Every scalar in the weights built on ``[query_shape, value_shape(, key_shape)]``."""
        return sum(w.size for w in self.weight_specs(input_shape))

    def count_trainable_params(self, input_shape: Sequence[Any]) -> int:
        """Scalars in trainable weights (none when ``trainable=False``)."""
        return sum(w.size for w in self.weight_specs(input_shape) if w.trainable)

    def count_non_trainable_params(self, input_shape: Sequence[Any]) -> int:
        """Scalars in non-trainable weights."""
        return sum(w.size for w in self.weight_specs(input_shape) if not w.trainable)

    def output_spec(
        self,
        inputs: Any,
        mask: Any = None,
        training: Any = None,
        return_attention_scores: Any = False,
        use_causal_mask: Any = False,
    ) -> Any:
        """The output shape, or [output, scores] with ``return_attention_scores``."""
        if not isinstance(inputs, list):
            raise TypeError(
                f"{type(self).__name__} must be called on a list of inputs, [query, value] or "
                f"[query, value, key]. Received: inputs={_short_repr(inputs)}"
            )
        if mask is not None and (not isinstance(mask, list) or not 2 <= len(mask) <= 3):
            raise ConvShapeError(
                f"the mask of {type(self).__name__} must be a list [query_mask, value_mask]",
                argument="mask",
                received={"mask": mask},
            )
        output, scores = self._shapes(inputs)
        return [output, scores] if return_attention_scores else output

    def build_weights(
        self,
        inputs: Any,
        mask: Any = None,
        training: Any = None,
        return_attention_scores: Any = False,
        use_causal_mask: Any = False,
    ) -> tuple[Weight, ...]:
        """The weights a call on ``[query, value(, key)]`` builds."""
        return self.weight_specs(inputs)


def _is_flat(value: Sequence[Any]) -> bool:
    """A single shape (ints and None) rather than a list of shapes."""
    return bool(value) and all(dim is None or isinstance(dim, int) for dim in value)


class Attention(_ListInput):
    """Dot-product (Luong-style) attention over ``[query, value]`` or ``[query, value, key]``.

    ``output_shape = query_shape[:-1] + value_shape[-1:]``, scores
    ``query_shape[:-1] + (key_steps,)``; ``params = use_scale + (score_mode == "concat")``
    (scalars).

    >>> Attention().compute_output_shape([(None, 4, 16), (None, 6, 32), (None, 6, 16)])
    (None, 4, 32)
    >>> Attention(use_scale=True, score_mode="concat").count_params([(None, 4, 16), (None, 6, 16)])
    2
    """

    use_scale: bool = False
    score_mode: str = "dot"
    dropout: float = 0.0
    seed: int | None = None


class AdditiveAttention(_ListInput):
    """Additive (Bahdanau-style) attention over ``[query, value]`` or ``[query, value, key]``.

    ``output_shape = query_shape[:-1] + value_shape[-1:]``; ``params = features`` of the
    query (the ``scale`` vector) with ``use_scale``, else 0.

    >>> AdditiveAttention().count_params([(None, 4, 16), (None, 6, 16)])
    16
    """

    use_scale: bool = True
    dropout: float = 0.0
    _: KW_ONLY
    score_mode: str = "dot"
    seed: int | None = None

    def _additive(self) -> bool:
        return True

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        if not self.use_scale:
            return ()
        return (Weight("scale", (known(shape, -1, self, "query feature dimension"),), True),)


def _normalise_output_shape(value: object) -> tuple[int, ...] | None:
    if not value:
        return None  # Keras ignores a falsy output_shape (0, (), [])
    if isinstance(value, (list, tuple)):
        return tuple(check_count(dim, "output_shape") for dim in value)
    if isinstance(value, str):
        raise TypeError(
            f"`output_shape` must be an int, a tuple or a list. Received: {_short_repr(value)}"
        )
    return (check_count(value, "output_shape"),)


def _normalise_axes(value: object) -> tuple[int, ...] | None:
    if value is None:
        return None
    axes = value if isinstance(value, (list, tuple)) else (value,)
    if isinstance(value, str) or not axes:
        raise ConvShapeError(
            "`attention_axes` must be None, an int, or a non-empty list or tuple of ints",
            argument="attention_axes",
            received={"attention_axes": value},
        )
    return tuple(as_int(axis, "attention_axes") for axis in axes)


class MultiHeadAttention(Layer):
    """Multi-head attention, called as ``mha(query, value, key=None)``.

    Query ``(B, T, dim)``, value ``(B, S, dim_v)``, key ``(B, S, dim_k)`` (default: value):
    ``output_shape = (B, T) + (output_shape or (dim,))``, scores ``(B, num_heads, T, S)``
    (with ``attention_axes``: the other axes and the heads, then the query's and the key's
    attention axes). With ``N = num_heads``, ``k = key_dim``, ``v = value_dim or key_dim``
    and ``O = prod(output_shape or (dim,))``:
    ``params = (dim + dim_k) * N * k + dim_v * N * v + N * v * O`` plus the biases
    ``2 * N * k + N * v + O`` (and a gate of ``dim * N * v + N * v`` with ``use_gate``).

    The shape methods take ``(query_shape, value_shape=None, key_shape=None)``; no
    ``value_shape`` means self-attention.

    >>> mha = MultiHeadAttention(num_heads=8, key_dim=64)
    >>> mha.compute_output_shape((None, 10, 512)), mha.count_params((None, 10, 512))
    ((None, 10, 512), 1050624)
    >>> mha.output_spec((None, 10, 512), (None, 20, 256), return_attention_scores=True)
    [(None, 10, 512), (None, 8, 10, 20)]
    """

    num_heads: int
    key_dim: int
    value_dim: AttentionValueDim = field(default=None)
    dropout: float = 0.0
    use_bias: bool = True
    output_shape: OptionalIntTuple = field(default=None)
    attention_axes: OptionalIntTuple = field(default=None)
    sliding_window: int | None = None
    flash_attention: bool | None = None
    kernel_initializer: Opaque = "glorot_uniform"
    bias_initializer: Opaque = "zeros"
    kernel_regularizer: Opaque = None
    bias_regularizer: Opaque = None
    _: KW_ONLY
    kernel_constraint: Opaque = None
    bias_constraint: Opaque = None
    use_gate: bool = False
    seed: int | None = None

    def _validate(self) -> None:
        self._set("num_heads", check_count(self.num_heads, "num_heads"))
        self._set("key_dim", check_count(self.key_dim, "key_dim"))
        value_dim: object = self.value_dim  # as given: None stands for key_dim
        self._set(
            "value_dim", self.key_dim if value_dim is None else check_count(value_dim, "value_dim")
        )
        # Keras checks the rate when it builds its Dropout sub-layer, on the first call.
        self._set("dropout", check_rate(self.dropout, "dropout"))
        self._set("output_shape", _normalise_output_shape(self.output_shape))
        self._set("attention_axes", _normalise_axes(self.attention_axes))
        if self.sliding_window is not None:
            self._set("sliding_window", check_count(self.sliding_window, "sliding_window"))
        if self.flash_attention and self.dropout > 0:
            raise ConvShapeError(
                "dropout is not supported with flash attention",
                argument="dropout",
                received={"dropout": self.dropout, "flash_attention": self.flash_attention},
            )

    def _shapes(
        self, query_shape: object, value_shape: object, key_shape: object
    ) -> tuple[Shape, Shape, Shape, Shape, Shape]:
        """(query, value, key, output, scores) shapes, checked as TensorFlow runs them."""
        query = check_shape(query_shape, "query_shape")
        value = query if value_shape is None else check_shape(value_shape, "value_shape")
        key = value if key_shape is None else check_shape(key_shape, "key_shape")
        if value[1:-1] != key[1:-1]:
            raise ConvShapeError(
                "all dimensions of `value` and `key` but the last must be equal",
                argument="key",
                received={"value_shape": value, "key_shape": key},
            )
        if len(query) != len(key) or len(query) < 2:
            raise ConvShapeError(
                "`query`, `value` and `key` must have the same rank (>= 2)",
                argument="query",
                received={"query_shape": query, "value_shape": value},
            )
        # The projections are (*shape[:-1], num_heads, key_dim); axes count in the query.
        rank = len(query) + 1
        axes = self.attention_axes
        if axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(axis if axis >= 0 else rank - 1 + axis for axis in axes)
        if not axes or len(set(axes)) != len(axes) or not all(0 <= a <= rank - 2 for a in axes):
            raise ConvShapeError(
                f"`attention_axes` must be distinct axes of the query (-{rank - 1}..{rank - 2}); "
                "a query of rank 2 needs them given",
                argument="attention_axes",
                received={"attention_axes": self.attention_axes, "query_shape": query},
            )
        q_proj = (*query[:-1], self.num_heads)
        k_proj = (*key[:-1], self.num_heads)
        v_proj = (*value[:-1], self.num_heads)
        batch = [axis for axis in range(rank - 1) if axis not in axes]
        for axis in batch:
            if _mismatch(q_proj[axis], k_proj[axis]) or _mismatch(q_proj[axis], v_proj[axis]):
                raise ConvShapeError(
                    f"`query`, `value` and `key` must agree on axis {axis}, which is not an "
                    "attention axis",
                    argument="query",
                    received={"query_shape": query, "value_shape": value, "key_shape": key},
                )
        scores = (
            *(k_proj[axis] if q_proj[axis] is None else q_proj[axis] for axis in batch),
            *(q_proj[axis] for axis in axes),
            *(k_proj[axis] for axis in axes),
        )
        output = (*query[:-1], *(self.output_shape or query[-1:]))
        return query, value, key, output, scores

    def compute_output_shape(
        self,
        query_shape: ShapeArg,
        value_shape: ShapeArg | None = None,
        key_shape: ShapeArg | None = None,
    ) -> Shape:
        """``query_shape[:-1] + (output_shape or query_shape[-1:])``."""
        return self._shapes(query_shape, value_shape, key_shape)[3]

    def weight_specs(
        self,
        query_shape: ShapeArg,
        value_shape: ShapeArg | None = None,
        key_shape: ShapeArg | None = None,
    ) -> tuple[Weight, ...]:
        """The query, key, (gate,) value and output projections' kernels and biases."""
        query, value, key, _, _ = self._shapes(query_shape, value_shape, key_shape)
        heads, key_dim, value_dim = self.num_heads, self.key_dim, self.value_dim
        features = known(query, -1, self, "query feature dimension")
        out = self.output_shape or (features,)
        projections: list[tuple[str, tuple[int, ...]]] = [
            ("query", (features, heads, key_dim)),
            ("key", (known(key, -1, self, "key feature dimension"), heads, key_dim)),
        ]
        if self.use_gate:
            projections.append(("gate", (features, heads, value_dim)))
        projections += [
            ("value", (known(value, -1, self, "value feature dimension"), heads, value_dim)),
            ("attention_output", (heads, value_dim, *out)),
        ]
        itemsize = self._bytes_per_param()
        weights = []
        for name, kernel in projections:
            weights.append(Weight(f"{name}/kernel", kernel, self.trainable, itemsize))
            if self.use_bias:
                bias = kernel[-len(out) :] if name == "attention_output" else kernel[1:]
                weights.append(Weight(f"{name}/bias", bias, self.trainable, itemsize))
        return tuple(weights)

    def count_params(
        self,
        query_shape: ShapeArg,
        value_shape: ShapeArg | None = None,
        key_shape: ShapeArg | None = None,
    ) -> int:
        """Every scalar of the four (or five) projections."""
        return sum(w.size for w in self.weight_specs(query_shape, value_shape, key_shape))

    def count_trainable_params(
        self,
        query_shape: ShapeArg,
        value_shape: ShapeArg | None = None,
        key_shape: ShapeArg | None = None,
    ) -> int:
        """Scalars in trainable weights (none when ``trainable=False``)."""
        weights = self.weight_specs(query_shape, value_shape, key_shape)
        return sum(w.size for w in weights if w.trainable)

    def count_non_trainable_params(
        self,
        query_shape: ShapeArg,
        value_shape: ShapeArg | None = None,
        key_shape: ShapeArg | None = None,
    ) -> int:
        """Scalars in non-trainable weights."""
        weights = self.weight_specs(query_shape, value_shape, key_shape)
        return sum(w.size for w in weights if not w.trainable)

    def output_spec(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: Any = False,
        training: Any = None,
        use_causal_mask: Any = False,
    ) -> Any:
        """The output shape, or [output, scores] with ``return_attention_scores``."""
        if return_attention_scores and self.flash_attention:
            raise ConvShapeError(
                "attention scores cannot be returned with flash attention",
                argument="return_attention_scores",
                received={"flash_attention": self.flash_attention},
            )
        *_, output, scores = self._shapes(query, value, key)
        return [output, scores] if return_attention_scores else output

    def build_weights(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: Any = False,
        training: Any = None,
        use_causal_mask: Any = False,
    ) -> tuple[Weight, ...]:
        """The projections a call on ``query``, ``value`` (and ``key``) builds."""
        weights = self.weight_specs(query, value, key)
        if not self._inbound_nodes:
            # Keras's first build creates an unnamed Softmax and Dropout: they take those
            # automatic names, so the next Dropout layer is "dropout_1".
            auto_name("Softmax")
            auto_name("Dropout")
        return weights

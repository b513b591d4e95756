"""The data of a model summary: one row per layer and the totals, as Keras counts them.

``str(summary)`` is Keras's text table and a notebook shows an HTML table; this module
holds and derives the numbers.
"""

from __future__ import annotations

from math import prod

from ._record import Record
from ._render import render_summary, summary_html

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:
    from .layers._base import Weight

__all__ = ["Summary", "SummaryRow"]


class SummaryRow(Record):
    """One layer of a summary.

    ``output_shape`` is None when the model has no input shape yet: Keras then prints
    "?", and "0 (unbuilt)" for the layers it does not build in their constructor; it is
    a list (or dict) of shapes for a layer with several outputs. Byte counts use each
    weight's dtype. ``connected_to`` is Keras's "Connected to" text (None in the
    3-column layout); ``depth`` is the nesting level of a row of a nested model.
    """

    name: str
    class_name: str
    output_shape: Any
    params: int
    trainable_params: int
    non_trainable_params: int
    trainable: bool = True
    has_weights: bool = False
    trainable_bytes: int = 0
    non_trainable_bytes: int = 0
    #: False for a layer Keras has not built yet (no input shape, weights not created).
    built: bool = True
    connected_to: str | None = None
    depth: int = 0
    #: Values of the optional columns (``macs``, ``flops``, ``output_bytes``,
    #: ``receptive_field``), by column.
    extras: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the row."""
        row = {
            "name": self.name,
            "class_name": self.class_name,
            "output_shape": _jsonable(self.output_shape),
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "trainable": self.trainable,
        }
        if self.connected_to is not None:
            row["connected_to"] = self.connected_to
        if self.depth:
            row["depth"] = self.depth
        row.update(self.extras)
        return row


def _jsonable(shapes: Any) -> Any:
    """Shapes as JSON lists (a structure of shapes keeps its lists and dicts)."""
    if isinstance(shapes, dict):
        return {key: _jsonable(value) for key, value in shapes.items()}
    if isinstance(shapes, list):
        return [_jsonable(value) for value in shapes]
    if isinstance(shapes, tuple):
        return list(shapes)
    return shapes


class Summary(Record):
    """A model's layers, output shapes and parameter counts, like ``model.summary()``.

    >>> import convshape as cs
    >>> from convshape import layers
    >>> model = cs.Sequential([cs.Input((100,)), layers.Dense(10)])
    >>> s = model.summarize()
    >>> s.total_params, s.rows[0].output_shape
    (1010, (None, 10))
    >>> s.to_dict()["layers"][0]["name"]
    'dense'
    """

    name: str
    rows: tuple[SummaryRow, ...]
    input_shape: Any = None
    #: A model made non-trainable freezes every weight, whatever its layers say.
    trainable: bool = True
    #: Keras's 4-column layout with "Connected to" (a functional model that is not a chain).
    connections: bool = False
    #: Every weight of the model once (shared layers, nested models); the totals count
    #: these. Without them the totals add up the top-level rows.
    weights: tuple[Weight, ...] | None = None
    #: The optional columns shown after Keras's, in order (empty: Keras's table exactly).
    columns: tuple[str, ...] = ()
    #: Totals of the optional columns (``macs``, ``flops``, memory in bytes), by name.
    totals: tuple[tuple[str, int], ...] = ()

    def _top(self) -> list[SummaryRow]:
        return [row for row in self.rows if row.depth == 0]

    def _counts(self) -> tuple[int, int, int, int]:
        """Trainable and non-trainable scalars and bytes, computed once per summary."""
        found: tuple[int, int, int, int] | None = self.__dict__.get("_cached_counts")
        if found is not None:
            return found
        trained = frozen = trained_bytes = frozen_bytes = 0
        if self.weights is not None:
            for weight in self.weights:
                size = prod(weight[1])
                if weight[2] and self.trainable:
                    trained += size
                    trained_bytes += size * (weight[3] or 4)
                else:
                    frozen += size
                    frozen_bytes += size * (weight[3] or 4)
        else:
            for row in self.rows:
                if row.depth:
                    continue
                if self.trainable:
                    trained += row.trainable_params
                    frozen += row.non_trainable_params
                    trained_bytes += row.trainable_bytes
                    frozen_bytes += row.non_trainable_bytes
                else:
                    frozen += row.params
                    frozen_bytes += row.trainable_bytes + row.non_trainable_bytes
        found = self.__dict__["_cached_counts"] = (trained, frozen, trained_bytes, frozen_bytes)
        return found

    @property
    def trainable_params(self) -> int:
        """Scalars in trainable weights."""
        return self._counts()[0]

    @property
    def non_trainable_params(self) -> int:
        """Scalars in non-trainable weights."""
        return self._counts()[1]

    @property
    def total_params(self) -> int:
        """Every scalar of every weight."""
        counts = self._counts()
        return counts[0] + counts[1]

    @property
    def trainable_bytes(self) -> int:
        """Memory of the trainable weights, in bytes."""
        return self._counts()[2]

    @property
    def non_trainable_bytes(self) -> int:
        """Memory of the non-trainable weights, in bytes."""
        return self._counts()[3]

    @property
    def total_bytes(self) -> int:
        """Memory of all weights, in bytes."""
        counts = self._counts()
        return counts[2] + counts[3]

    @property
    def output_shape(self) -> Any:
        """The output shape of the last layer (None when unbuilt or empty)."""
        top = self._top()
        return top[-1].output_shape if top else self.input_shape

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: name, input/output shapes, layers and totals."""
        return {
            "name": self.name,
            "trainable": self.trainable,
            "input_shape": _jsonable(self.input_shape),
            "output_shape": _jsonable(self.output_shape),
            "layers": [row.to_dict() for row in self.rows],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "total_bytes": self.total_bytes,
            "trainable_bytes": self.trainable_bytes,
            "non_trainable_bytes": self.non_trainable_bytes,
            **dict(self.totals),
        }

    def __str__(self) -> str:
        return render_summary(self)

    def __repr__(self) -> str:
        return (
            f'<Summary "{self.name}": {len(self.rows)} layers, {self.total_params:,} params '
            f"({self.trainable_params:,} trainable), output {self.output_shape}>"
        )

    def _repr_html_(self) -> str:
        return summary_html(self)

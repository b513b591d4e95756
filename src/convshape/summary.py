"""The data of a model summary: one row per layer and the totals, as Keras counts them.

Rendering (text table, HTML) lives in ``convshape._render``; this module only
holds and derives the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._render import render_summary, summary_html
from ._validate import Shape

__all__ = ["Summary", "SummaryRow"]


@dataclass(frozen=True)
class SummaryRow:
    """One layer of a summary.

    ``output_shape`` is None when the model has no input shape yet: Keras then prints
    "?", and "0 (unbuilt)" for the layers it does not build in their constructor.
    Byte counts use each weight's dtype.
    """

    name: str
    class_name: str
    output_shape: Shape | None
    params: int
    trainable_params: int
    non_trainable_params: int
    trainable: bool = True
    has_weights: bool = False
    trainable_bytes: int = 0
    non_trainable_bytes: int = 0
    #: False for a layer Keras has not built yet (no input shape, weights not created).
    built: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the row."""
        return {
            "name": self.name,
            "class_name": self.class_name,
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "trainable": self.trainable,
        }


@dataclass(frozen=True)
class Summary:
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
    input_shape: Shape | None = None
    #: A model made non-trainable freezes every weight, whatever its layers say.
    trainable: bool = True

    @property
    def trainable_params(self) -> int:
        """Scalars in trainable weights."""
        if not self.trainable:
            return 0
        return sum(row.trainable_params for row in self.rows)

    @property
    def non_trainable_params(self) -> int:
        """Scalars in non-trainable weights."""
        if not self.trainable:
            return sum(row.params for row in self.rows)
        return sum(row.non_trainable_params for row in self.rows)

    @property
    def total_params(self) -> int:
        """Every scalar of every weight."""
        return self.trainable_params + self.non_trainable_params

    @property
    def trainable_bytes(self) -> int:
        """Memory of the trainable weights, in bytes."""
        if not self.trainable:
            return 0
        return sum(row.trainable_bytes for row in self.rows)

    @property
    def non_trainable_bytes(self) -> int:
        """Memory of the non-trainable weights, in bytes."""
        if not self.trainable:
            return sum(row.trainable_bytes + row.non_trainable_bytes for row in self.rows)
        return sum(row.non_trainable_bytes for row in self.rows)

    @property
    def total_bytes(self) -> int:
        """Memory of all weights, in bytes."""
        return self.trainable_bytes + self.non_trainable_bytes

    @property
    def output_shape(self) -> Shape | None:
        """The output shape of the last layer (None when unbuilt or empty)."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: name, input/output shapes, layers and totals."""
        return {
            "name": self.name,
            "trainable": self.trainable,
            "input_shape": None if self.input_shape is None else list(self.input_shape),
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "layers": [row.to_dict() for row in self.rows],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "total_bytes": self.total_bytes,
            "trainable_bytes": self.trainable_bytes,
            "non_trainable_bytes": self.non_trainable_bytes,
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

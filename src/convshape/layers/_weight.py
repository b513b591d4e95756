"""A layer's weights: the ``Weight`` record, the bytes per scalar of each dtype Keras
stores variables in, and the low-rank (LoRA) factors that replace a frozen kernel."""

from __future__ import annotations

import math

from .._validate import check_bool, check_count, check_shape, check_str
from ..errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from ._base import Layer

__all__ = ["Weight", "check_lora", "lora_weights"]

#: Bytes per parameter for the dtypes Keras stores variables in.
_DTYPE_BYTES = {
    "float16": 2,
    "bfloat16": 2,
    "float32": 4,
    "float64": 8,
    "mixed_float16": 4,
    "mixed_bfloat16": 4,
    "int8": 1,
    "uint8": 1,
    "int16": 2,
    "int32": 4,
    "int64": 8,
}


_WEIGHT_DOC = """One variable a layer creates when built: ``name``, ``shape``, ``trainable``
    and ``itemsize``, the bytes per scalar when the variable's dtype is fixed (LoRA factors
    are float32), None for the layer's own dtype.

    >>> Weight("kernel", (5, 5, 128, 256), True).size
    819200
    """


def _checked_weight(
    name: object, shape: object, trainable: object, itemsize: object
) -> tuple[str, tuple[int, ...], bool, int | None]:
    """A weight's fields validated: a str name, a shape of known sizes, a bool and a
    positive itemsize or None."""
    check_str(name, "name")
    dims = check_shape(shape, "shape")
    if None in dims:
        raise ConvShapeError(
            "`shape` of a weight must be known", argument="shape", received={"shape": shape}
        )
    size = None if itemsize is None else check_count(itemsize, "itemsize")
    return str(name), tuple(int(dim or 0) for dim in dims), check_bool(trainable, "trainable"), size


if TYPE_CHECKING:
    from typing import NamedTuple

    class Weight(NamedTuple):
        name: str
        shape: tuple[int, ...]
        trainable: bool
        itemsize: int | None = None

        @property
        def size(self) -> int: ...

else:
    from .._types import TupleRecord, field_getter

    class Weight(TupleRecord):
        __slots__ = ()
        __doc__ = _WEIGHT_DOC
        _fields = ("name", "shape", "trainable", "itemsize")

        def __new__(cls, name, shape, trainable, itemsize=None):
            # Layers build their weights from plain values: checked by type alone.
            if (
                type(name) is not str
                or type(shape) is not tuple
                or type(trainable) is not bool
                or not (itemsize is None or type(itemsize) is int)
                or not all(type(dim) is int for dim in shape)
            ):
                name, shape, trainable, itemsize = _checked_weight(name, shape, trainable, itemsize)
            return tuple.__new__(cls, (name, shape, trainable, itemsize))

        name = field_getter(0, "The variable's name.")
        shape = field_getter(1, "Its shape.")
        trainable = field_getter(2, "Whether training updates it.")
        itemsize = field_getter(3, "Bytes per scalar when fixed; None for the layer's dtype.")

        @property
        def size(self):
            """The number of scalars in the variable."""
            return math.prod(self.shape)


def lora_weights(layer: Layer, kernel: Weight, rank: int | None, out: int) -> tuple[Weight, ...]:
    """Keras's ``enable_lora``: the kernel freezes and two low-rank float32 factors train
    (``kernel`` comes from ``layer._weight``; the factors follow the layer's flag)."""
    if not rank:
        return (kernel,)
    trainable = layer.trainable
    return (
        Weight(kernel.name, kernel.shape, False, kernel.itemsize),
        Weight("lora_kernel_a", (*kernel.shape[:-1], rank), trainable, 4),
        Weight("lora_kernel_b", (rank, out), trainable, 4),
    )


def check_lora(rank: object, constraint: object) -> int | None:
    """Validate ``lora_rank``: None or an int >= 1, not together with a kernel constraint."""
    if rank is None:
        return None
    checked = check_count(rank, "lora_rank")
    if constraint is not None:
        raise ConvShapeError(
            "LoRA (`lora_rank`) is incompatible with a kernel or embeddings constraint",
            argument="lora_rank",
            received={"lora_rank": rank, "constraint": constraint},
        )
    return checked

"""PyTorch's ``nn.Sequential`` of module specifications, folded over an input shape, and
its summary (Keras's table, with the buffers apart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._validate import check_callable, check_shape
from ..errors import ConvShapeError, _short_repr, put_in_front
from ..summary import Summary, SummaryRow
from ._module import Module, Shape

__all__ = ["Sequential", "SequentialRow", "SequentialSummary"]


class SequentialRow(SummaryRow):
    """One module of a PyTorch summary: a :class:`convshape.SummaryRow` whose ``name`` is
    the module's index in ``nn.Sequential`` ("0", "1"...), every parameter trainable (as
    ``requires_grad`` defaults), and its buffers (running statistics) apart."""

    buffers: int = 0

    @property
    def index(self) -> str:
        """The module's name in ``nn.Sequential``: its index."""
        return self.name

    @property
    def parameters(self) -> int:
        """``sum(p.numel() for p in module.parameters())``."""
        return self.params

    def to_dict(self) -> dict[str, Any]:
        """The row's mapping, with its buffers."""
        return {**super().to_dict(), "buffers": self.buffers}


class SequentialSummary(Summary):
    """A :class:`convshape.Summary` of a PyTorch ``Sequential``: totals, ``to_dict()``,
    HTML, and ``str()`` in Keras's layout; iterating it gives its rows.

    The totals count parameters as torchinfo does (buffers are not parameters); the
    buffers' total is the ``buffers`` entry of ``totals``.
    """

    @property
    def total_buffers(self) -> int:
        """Scalars in the buffers (running means and variances, batch counters)."""
        return int(dict(self.totals).get("buffers", 0))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SummaryRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> SummaryRow:
        return self.rows[index]


@dataclass
class Sequential:
    """``nn.Sequential`` of specifications, folded over an input shape.

    >>> from convshape import torch as pt
    >>> model = pt.Sequential(pt.Linear(100, 12544, bias=False), pt.BatchNorm1d(12544),
    ...     pt.LeakyReLU(), pt.Unflatten(1, (256, 7, 7)),
    ...     pt.ConvTranspose2d(256, 128, 5, stride=2, padding=2, output_padding=1, bias=False))
    >>> summary = model.summarize((None, 100))
    >>> summary.rows[-1].output_shape, summary.total_params, summary.total_buffers
    ((None, 128, 14, 14), 2098688, 25089)
    >>> model.summary((None, 100), line_length=64)
    Model: "Sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┓
    ┃ Layer (type)              ┃ Output Shape        ┃    Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━┩
    │ 0 (Linear)                │ (None, 12544)       │  1,254,400 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 1 (BatchNorm1d)           │ (None, 12544)       │     25,088 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 2 (LeakyReLU)             │ (None, 12544)       │          0 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 3 (Unflatten)             │ (None, 256, 7, 7)   │          0 │
    ├───────────────────────────┼─────────────────────┼────────────┤
    │ 4 (ConvTranspose2d)       │ (None, 128, 14, 14) │    819,200 │
    └───────────────────────────┴─────────────────────┴────────────┘
     Total params: 2,098,688 (8.01 MB)
     Trainable params: 2,098,688 (8.01 MB)
     Non-trainable params: 0 (0.00 B)
     Buffers: 25,089
    <BLANKLINE>
    """

    modules: tuple[Module, ...] = field(default=())

    def __init__(self, *modules: Module) -> None:
        for module in modules:
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes convshape.torch modules, not {type(module).__name__}. "
                    f"Received: modules={_short_repr(modules)}"
                )
        self.modules = modules

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """The output shape of the modules in turn; an error names the module refusing.

        >>> from convshape import torch as pt
        >>> pt.Sequential(pt.Conv2d(3, 8, 3), pt.Flatten()).compute_output_shape((1, 3, 5, 5))
        (1, 72)
        """
        shape = check_shape(input_shape)
        for index, module in enumerate(self.modules):
            shape = _module_output_shape(index, module, shape)
        return shape

    def summarize(self, input_shape: Sequence[int | None]) -> SequentialSummary:
        """The summary: one row per module (its index in ``nn.Sequential``, class, output
        shape, parameters and buffers) and the totals, as ``convshape.Summary`` holds them.

        Parameters are float32 (4 bytes each) and trainable, PyTorch's defaults.
        """
        rows, shape = [], check_shape(input_shape)
        for index, module in enumerate(self.modules):
            shape = _module_output_shape(index, module, shape)
            buffers = module.buffer_count()
            parameters = int(module.parameter_count())
            rows.append(
                SequentialRow(
                    str(index),
                    type(module).__name__,
                    shape,
                    parameters,
                    parameters,
                    0,
                    has_weights=bool(parameters),
                    trainable_bytes=4 * parameters,
                    buffers=buffers,
                )
            )
        return SequentialSummary(
            "Sequential",
            tuple(rows),
            input_shape=check_shape(input_shape),
            totals=(("buffers", sum(row.buffers for row in rows)),),
        )

    def summary(
        self,
        input_shape: Sequence[int | None],
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[[str], object] | None = None,
    ) -> None:
        """Print the summary as Keras's ``model.summary()`` prints its table (``line_length``
        88 by default, columns ending at ``positions``), with the totals and the buffers'
        total; ``print_fn`` receives the text instead (``str(model.summarize(shape))`` is
        the same text)."""
        from .._render import render_summary  # noqa: PLC0415  (only the text needs it)

        if print_fn is not None:
            check_callable(print_fn, "print_fn")
        text = render_summary(self.summarize(input_shape), line_length, positions)
        (print if print_fn is None else print_fn)(text)


def _module_output_shape(index: int, module: Module, shape: Shape) -> Shape:
    """One module's output shape in a ``Sequential``; its errors start with the module's
    index (its name in ``nn.Sequential``) and class."""
    try:
        output: Shape = module.compute_output_shape(shape)
    except (ConvShapeError, TypeError) as error:
        put_in_front(error, f"Sequential module {index} ({type(module).__name__})")
        raise
    return output

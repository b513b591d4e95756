"""The geometry the analyses read: what a sliding window (a convolution or a pooling,
forward or transposed) does along each spatial axis, whichever framework declared it.

A Keras layer gives its own (``layer.geometry``, a tuple of ``AxisGeometry``); a
``convshape.torch`` convolution or pooling spec is read through :class:`TorchWindows`.
Both satisfy :class:`Windowed`, whose records satisfy :class:`AxisWindow`, so the
receptive fields, the input sizes and the costs fold one kind of object.

A record's ``padding`` is a mode name, resolved per length by the Keras rules
(``"valid"``, ``"same"``, ``"causal"``), or a :class:`~convshape.Pad`: the zeros added
before and after (forward), or the elements cropped from the full output before the
``output_padding`` is given back at its end (transposed, PyTorch's ``padding``).
:func:`forward_pad` and :func:`transpose_crop` resolve both, with the core's rules:

- forward: ``O = floor((I + before + after - k_eff) / s) + 1``, ``k_eff = (k - 1) * d + 1``;
- transposed: ``O = (I - 1) * s + k_eff - crop.before - crop.after``.

A PyTorch pooling's ``ceil_mode`` changes how many windows fit, not where they sit: its
records carry it (``TorchAxis.ceil_mode``), the protocol does not, and the lengths above
are those without it.

>>> from convshape import layers, torch as pt
>>> [transpose_crop(a) for a in layers.Conv2DTranspose(8, 5, strides=2, padding="same").geometry]
[Pad(before=1, after=2), Pad(before=1, after=2)]
>>> [transpose_crop(a) for a in TorchWindows(pt.ConvTranspose2d(8, 8, 5, 2, 2, 1)).geometry]
[Pad(before=2, after=1), Pad(before=2, after=1)]
"""

from __future__ import annotations

import sys

# The analyses that read this module load dataclasses, which imports typing anyway.
from typing import Protocol, runtime_checkable

from ._types import Pad
from .arithmetic import _forward_pad, _transpose_crop
from .layers._base import Layer

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NamedTuple, TypeAlias

    from .torch._module import Module
    from .torch.conv import _Conv, _ConvTranspose
    from .torch.lazy import _LazyConv, _LazyConvTranspose
    from .torch.pooling import _AvgPool, _LPPool, _Pool

    #: One ``convshape.torch`` module specification (a layer of a PyTorch stack).
    TorchSpec: TypeAlias = Module
    #: The ``convshape.torch`` specs with a sliding window along each spatial axis.
    TorchWindowSpec: TypeAlias = (
        _Conv | _ConvTranspose | _LazyConv | _LazyConvTranspose | _Pool | _AvgPool | _LPPool
    )

__all__ = [
    "AxisWindow",
    "KnownShape",
    "Shape",
    "TorchAxis",
    "TorchSpec",
    "TorchWindows",
    "Windowed",
    "forward_pad",
    "torch_geometry",
    "transpose_crop",
    "windowed",
]

#: A shape, batch included: None for an unknown size.
Shape = tuple[int | None, ...]
#: A shape whose every size is known.
KnownShape = tuple[int, ...]
_KINDS: list[tuple[tuple[type, ...], tuple[type, ...]]] = []


def _torch_kinds() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """The ``convshape.torch`` convolution and pooling classes, or none while that package
    is not loaded (then no object can be one): reading a Keras layer never loads it."""
    if _KINDS:
        return _KINDS[0]
    if "convshape.torch" not in sys.modules:
        return (), ()
    from .torch.conv import _Conv, _ConvTranspose  # noqa: PLC0415
    from .torch.lazy import _LazyConv, _LazyConvTranspose  # noqa: PLC0415
    from .torch.pooling import _AvgPool, _LPPool, _Pool  # noqa: PLC0415

    _KINDS.append(
        ((_Conv, _ConvTranspose, _LazyConv, _LazyConvTranspose), (_Pool, _AvgPool, _LPPool))
    )
    return _KINDS[0]


@runtime_checkable
class AxisWindow(Protocol):
    """What a sliding window does along one spatial axis (``AxisGeometry`` for Keras,
    :class:`TorchAxis` for PyTorch)."""

    @property
    def axis(self) -> int:
        """The axis's index in the input shape, batch included."""

    @property
    def kernel(self) -> int:
        """The kernel (or pool) size."""

    @property
    def stride(self) -> int:
        """The stride."""

    @property
    def dilation(self) -> int:
        """The dilation rate."""

    @property
    def padding(self) -> str | Pad:
        """A mode name, or the zeros added (forward) or elements cropped (transposed)."""

    @property
    def output_padding(self) -> int | None:
        """Elements a transposed window gives back at the end; None for Keras's default."""

    @property
    def transposed(self) -> bool:
        """Whether the window is a transposed convolution's."""

    @property
    def effective_kernel(self) -> int:
        """``(kernel - 1) * dilation + 1``."""


@runtime_checkable
class Windowed(Protocol):
    """A layer or module with a sliding window: one :class:`AxisWindow` per spatial axis."""

    @property
    def geometry(self) -> Sequence[AxisWindow]:
        """The spatial axes' windows, in axis order."""


_TORCH_AXIS_DOC = """One spatial axis of a ``convshape.torch`` convolution or pooling (NCHW,
    batch included: the first spatial axis is 2). ``padding`` is a mode (a
    convolution's "same" or "valid") or a :class:`~convshape.Pad` of the ints PyTorch
    pads (forward) or crops (transposed) on each side; ``ceil_mode`` is a pooling's.

    >>> from convshape import torch as pt
    >>> torch_geometry(pt.MaxPool2d(3, stride=2, padding=1))[0]
    TorchAxis(axis=2, kernel=3, stride=2, dilation=1, padding=Pad(before=1, after=1), \
output_padding=None, transposed=False, ceil_mode=False)
    """

if TYPE_CHECKING:

    class TorchAxis(NamedTuple):
        axis: int
        kernel: int
        stride: int
        dilation: int
        padding: str | Pad
        output_padding: int | None
        transposed: bool
        ceil_mode: bool

        @property
        def effective_kernel(self) -> int: ...

else:
    from ._types import TupleRecord, field_getter

    class TorchAxis(TupleRecord):
        __slots__ = ()
        __doc__ = _TORCH_AXIS_DOC
        _fields = (
            "axis",
            "kernel",
            "stride",
            "dilation",
            "padding",
            "output_padding",
            "transposed",
            "ceil_mode",
        )

        def __new__(
            cls, axis, kernel, stride, dilation, padding, output_padding, transposed, ceil_mode
        ):
            values = (axis, kernel, stride, dilation, padding, output_padding, transposed)
            return tuple.__new__(cls, (*values, ceil_mode))

        axis = field_getter(0, "The axis's index in the (batched) input shape.")
        kernel = field_getter(1, "The kernel (or pool) size.")
        stride = field_getter(2, "The stride.")
        dilation = field_getter(3, "The dilation.")
        padding = field_getter(4, "A mode name, or the ints padded or cropped per side.")
        output_padding = field_getter(5, "A transposed convolution's output_padding, or None.")
        transposed = field_getter(6, "Whether the module is a transposed convolution.")
        ceil_mode = field_getter(7, "A pooling's ceil_mode.")

        @property
        def effective_kernel(self):
            """``(kernel - 1) * dilation + 1``."""
            return (self.kernel - 1) * self.dilation + 1


def torch_geometry(module: object) -> tuple[TorchAxis, ...]:
    """One :class:`TorchAxis` per spatial axis of a ``convshape.torch`` convolution (lazy
    ones included) or max, average or power-average pooling; empty for other objects.

    >>> from convshape import torch as pt
    >>> conv = pt.Conv1d(1, 1, 3, padding="same")
    >>> [(a.kernel, a.stride, a.padding) for a in torch_geometry(conv)]
    [(3, 1, 'same')]
    >>> torch_geometry(pt.ReLU())
    ()
    """
    convolutions, poolings = _torch_kinds()
    if isinstance(module, convolutions):
        return _torch_conv(module)  # type: ignore[arg-type]
    if isinstance(module, poolings):
        return _torch_pool(module)  # type: ignore[arg-type]
    return ()


def _torch_conv(
    module: _Conv | _ConvTranspose | _LazyConv | _LazyConvTranspose,
) -> tuple[TorchAxis, ...]:
    # A spec keeps its arguments as PyTorch's plain ints (a lazy one as the convolution it
    # becomes): tuples of ``rank`` ints, and a padding mode or a tuple.
    from .torch._crop import pad_of  # noqa: PLC0415  (a torch spec: loaded)
    from .torch.conv import _ConvTranspose  # noqa: PLC0415
    from .torch.lazy import _LazyConvTranspose  # noqa: PLC0415  (a torch spec: loaded)

    kernel: tuple[int, ...] = module.kernel_size
    stride: tuple[int, ...] = module.stride
    dilation: tuple[int, ...] = module.dilation
    padding: str | tuple[int, ...] = module.padding
    rank = len(kernel)
    transposed = isinstance(module, (_ConvTranspose, _LazyConvTranspose))
    given: tuple[int | None, ...] = (None,) * rank
    if isinstance(module, (_ConvTranspose, _LazyConvTranspose)):
        given = module.output_padding
    pads: tuple[str | Pad, ...] = (
        (padding,) * rank if isinstance(padding, str) else tuple(pad_of(p) for p in padding)
    )
    return tuple(
        TorchAxis(2 + i, kernel[i], stride[i], dilation[i], pads[i], given[i], transposed, False)
        for i in range(rank)
    )


def _torch_pool(module: _Pool | _AvgPool | _LPPool) -> tuple[TorchAxis, ...]:
    rank = module.rank
    from .torch._checks import spatial_tuple  # noqa: PLC0415  (a torch spec: loaded)
    from .torch._crop import pad_of  # noqa: PLC0415
    from .torch.pooling import _Pool  # noqa: PLC0415

    kernel = spatial_tuple(module.kernel_size, rank, "kernel_size", minimum=None)
    stride = (
        kernel
        if module.stride is None
        else spatial_tuple(module.stride, rank, "stride", minimum=None)
    )
    padding = spatial_tuple(module.padding, rank, "padding", minimum=None)
    dilated = module.dilation if isinstance(module, _Pool) else 1
    dilation = spatial_tuple(dilated, rank, "dilation", minimum=None)
    ceil_mode = bool(module.ceil_mode)
    return tuple(
        TorchAxis(2 + i, kernel[i], stride[i], dilation[i], pad_of(p), None, False, ceil_mode)
        for i, p in enumerate(padding)
    )


class TorchWindows:
    """A ``convshape.torch`` convolution or pooling spec as a :class:`Windowed`: its
    ``geometry`` is :func:`torch_geometry`'s.

    >>> from convshape import torch as pt
    >>> windows = TorchWindows(pt.AvgPool1d(4))
    >>> [(a.axis, a.kernel, a.stride) for a in windows.geometry]
    [(2, 4, 4)]
    """

    __slots__ = ("geometry", "module")

    def __init__(self, module: TorchWindowSpec) -> None:
        self.module = module
        self.geometry = torch_geometry(module)


def windowed(obj: object) -> Windowed | None:
    """The sliding windows of a Keras layer (the layer itself) or of a ``convshape.torch``
    convolution or pooling (:class:`TorchWindows`); None for anything without one.

    >>> from convshape import layers
    >>> windowed(layers.Dense(3)) is None, windowed(object()) is None
    (True, True)
    >>> [a.kernel for a in windowed(layers.MaxPooling2D((2, 3))).geometry]
    [2, 3]
    """
    if isinstance(obj, Layer):
        return obj if obj.geometry else None
    convolutions, poolings = _torch_kinds()
    if isinstance(obj, convolutions + poolings):
        return TorchWindows(obj)  # type: ignore[arg-type]
    return None


def forward_pad(window: AxisWindow, size: int | None) -> Pad | None:
    """The zeros a forward window adds before and after an input of ``size``: a mode's
    (TensorFlow's "same" puts the odd one after), or the record's own pair; None where a
    "same" stride above 1 meets an unknown size.

    >>> from convshape import layers
    >>> forward_pad(layers.Conv1D(1, 4, strides=2, padding="same").geometry[0], 9)
    Pad(before=1, after=2)
    """
    return _forward_pad(size, window.effective_kernel, window.stride, window.padding)


def transpose_crop(window: AxisWindow) -> Pad:
    """The elements a transposed window removes from its full output ``(I - 1) * s +
    k_eff``: Keras's crop of its mode and ``output_padding``, or PyTorch's ``padding`` on
    each side less the ``output_padding`` at the end (negative: zeros appended)."""
    return _transpose_crop(
        window.effective_kernel, window.stride, window.padding, window.output_padding
    )

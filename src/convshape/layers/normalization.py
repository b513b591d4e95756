"""Normalisation layers: BatchNormalization, LayerNormalization, GroupNormalization.

They keep the shape; their weights live along the normalised axis.
"""

from __future__ import annotations

from .._record import KW_ONLY, field
from .._validate import (
    Shape,
    as_axes,
    as_int,
    check_axis,
    check_bool,
    check_keys,
    check_number,
)
from ..errors import ConvShapeError
from ._base import Layer, Weight, known

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import ClassVar, TypeAlias

    from .._fields import Arg, Opaque

    #: LayerNormalization's ``axis``: one axis or several, held as an int or a tuple of ints.
    LayerNormAxis: TypeAlias = Arg[int | tuple[int, ...] | list[int], int | tuple[int, ...]]

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization"]


class BatchNormalization(Layer):
    """gamma and beta (trainable) and the moving mean and variance (non-trainable).

    ``params = 4 * C`` along ``axis`` (``2 * C`` of them trainable); ``renorm`` adds
    three more non-trainable statistics.

    >>> bn = BatchNormalization()
    >>> bn.count_trainable_params((None, 12544)), bn.count_non_trainable_params((None, 12544))
    (25088, 25088)
    """

    _final_weights: ClassVar[bool] = True

    _keeps_spatial: ClassVar[bool] = True

    axis: int = -1
    momentum: float = 0.99
    epsilon: float = 1e-3
    center: bool = True
    scale: bool = True
    beta_initializer: Opaque = "zeros"
    gamma_initializer: Opaque = "ones"
    moving_mean_initializer: Opaque = "zeros"
    moving_variance_initializer: Opaque = "ones"
    beta_regularizer: Opaque = None
    gamma_regularizer: Opaque = None
    beta_constraint: Opaque = None
    gamma_constraint: Opaque = None
    renorm: bool = False
    renorm_clipping: dict[str, float] | None = None
    renorm_momentum: float = 0.99
    synchronized: bool = False

    def _validate(self) -> None:
        self._set("axis", as_int(self.axis, "axis"))
        for flag in ("center", "scale", "renorm", "synchronized"):
            check_bool(getattr(self, flag), flag)
        if self.renorm and self.renorm_clipping:
            check_keys(self.renorm_clipping, "renorm_clipping", ("rmax", "rmin", "dmax"))
            _check_clipping(self.renorm_clipping)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        axis = check_axis(self.axis, len(shape), owner=self)
        size = (known(shape, axis, self, "size along `axis`"),)
        statistics = ["moving_mean", "moving_variance"]
        if self.renorm:
            statistics += ["moving_stddev", "renorm_mean", "renorm_stddev"]
        return (
            *_gamma_beta(self, size, self.scale, self.center),
            *(self._weight(name, size, False) for name in statistics),
        )


class LayerNormalization(Layer):
    """gamma and beta over the normalised axes (``rms_scaling`` keeps only gamma).

    >>> LayerNormalization().count_params((None, 10, 64))
    128
    >>> LayerNormalization(axis=[1, 2]).count_params((None, 10, 64))
    1280
    """

    _final_weights: ClassVar[bool] = True

    _keeps_spatial: ClassVar[bool] = True

    axis: LayerNormAxis = field(default=-1)
    epsilon: float = 1e-3
    center: bool = True
    scale: bool = True
    beta_initializer: Opaque = "zeros"
    gamma_initializer: Opaque = "ones"
    beta_regularizer: Opaque = None
    gamma_regularizer: Opaque = None
    beta_constraint: Opaque = None
    gamma_constraint: Opaque = None
    _: KW_ONLY
    rms_scaling: bool = False

    def _validate(self) -> None:
        self._set("axis", as_axes(self.axis, "axis"))
        for flag in ("center", "scale", "rms_scaling"):
            check_bool(getattr(self, flag), flag)

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        axes = self.axis if isinstance(self.axis, tuple) else (self.axis,)
        checked = sorted(check_axis(axis, len(shape), owner=self) for axis in axes)
        size = tuple(known(shape, axis, self, "size along `axis`") for axis in checked)
        return _gamma_beta(
            self, size, self.scale or self.rms_scaling, self.center and not self.rms_scaling
        )


class GroupNormalization(Layer):
    """gamma and beta per channel; the channels must split evenly into ``groups``.

    >>> GroupNormalization(groups=4).count_params((None, 8, 8, 16))
    32
    """

    _final_weights: ClassVar[bool] = True

    _keeps_spatial: ClassVar[bool] = True

    groups: int = 32
    axis: int = -1
    epsilon: float = 1e-3
    center: bool = True
    scale: bool = True
    beta_initializer: Opaque = "zeros"
    gamma_initializer: Opaque = "ones"
    beta_regularizer: Opaque = None
    gamma_regularizer: Opaque = None
    beta_constraint: Opaque = None
    gamma_constraint: Opaque = None

    def _validate(self) -> None:
        groups = as_int(self.groups, "groups")
        if groups <= 0 and groups != -1:
            raise ConvShapeError(
                "`groups` must be a positive integer (or -1 for instance normalization)",
                argument="groups",
                received={"groups": self.groups},
            )
        self._set("axis", as_int(self.axis, "axis"))
        for flag in ("center", "scale"):
            check_bool(getattr(self, flag), flag)

    def _output_shape(self, shape: Shape) -> Shape:
        axis = check_axis(self.axis, len(shape), owner=self)
        channels = known(shape, axis, self, "size along `axis`")
        groups = channels if self.groups == -1 else self.groups
        if channels < groups or channels % groups:
            raise ConvShapeError(
                f"GroupNormalization: {channels} channels do not split into {groups} groups",
                argument="groups",
                received={"groups": self.groups, "input_shape": shape},
            )
        return shape

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        size = (known(shape, check_axis(self.axis, len(shape), owner=self), self, "channels"),)
        return _gamma_beta(self, size, self.scale, self.center)


def _gamma_beta(layer: Layer, size: tuple[int, ...], gamma: bool, beta: bool) -> tuple[Weight, ...]:
    """The scale ``gamma`` and the offset ``beta`` of a normalisation, each when it has one."""
    return (
        *((layer._weight("gamma", size),) if gamma else ()),
        *((layer._weight("beta", size),) if beta else ()),
    )


def _check_clipping(clipping: dict[str, float]) -> None:
    """Keras's bounds on renorm's clipping: ``rmax >= rmin`` and ``dmax >= 0``."""
    bounds = {key: clipping.get(key) for key in ("rmax", "rmin", "dmax")}
    for key, value in bounds.items():
        if value is not None:
            check_number(value, f"renorm_clipping[{key!r}]")
    rmax, rmin, dmax = bounds["rmax"], bounds["rmin"], bounds["dmax"]
    if rmax is not None and rmin is not None and rmax < rmin:
        raise ConvShapeError(
            "`renorm_clipping` needs rmax >= rmin",
            argument="renorm_clipping",
            received={"renorm_clipping": clipping},
        )
    if dmax is not None and dmax < 0:
        raise ConvShapeError(
            "`renorm_clipping` needs dmax >= 0",
            argument="renorm_clipping",
            received={"renorm_clipping": clipping},
        )

"""The cost rules of ``convshape.torch`` module specifications: per class, (MACs, FLOPs
beyond 2 x MACs) from the module's known input and output shapes (the table in
:mod:`convshape.costs`).

>>> from convshape import torch as pt
>>> torch_counts(pt.Conv2d(2, 4, 3), (1, 2, 5, 5), (1, 4, 3, 3))  # 36 x 9 x 2, bias
(648, 36)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar, cast

from ._cost_base import (
    Counts,
    Known,
    _adaptive_windows,
    _normalising,
    _size,
    _taps,
    conv_macs,
    nearest_rule,
)
from ._geometry import torch_geometry
from .torch import lazy as _tlazy
from .torch import pooling as _tpool
from .torch._module import Module
from .torch.activation import ELU, GELU, LeakyReLU, PReLU, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .torch.container import Sequential
from .torch.conv import _ConvNd
from .torch.linear import Linear
from .torch.normalization import GroupNorm, LayerNorm, _InstanceNorm, _Norm
from .torch.pooling import _AdaptiveAvgPool, _AdaptivePool, _AvgPool, _Pool

#: The ``convshape.torch`` specifications ``cost`` counts.
TorchModule = Module | Sequential
TORCH_SPECS = (Module, Sequential)
#: One module of a ``convshape.torch`` stack.
TorchLayer = Module
#: A PyTorch rule: (module, input shape, output shape) -> counts.
TorchRule = Callable[[TorchLayer, Known, Known], Counts]
_Module = TypeVar("_Module")


def _torch_conv(module: _ConvNd, x: Known, y: Known) -> Counts:
    geometry = torch_geometry(module)
    products = conv_macs(geometry, x, y, module.in_channels, module.out_channels, module.groups)
    return products, _size(y) if module.bias else 0


def _torch_linear(module: Linear, x: Known, y: Known) -> Counts:
    return _size(y) * module.in_features, _size(y) if module.bias else 0


def _torch_pool(module: _Pool | _AvgPool | _tpool._LPPool, x: Known, y: Known) -> Counts:
    return 0, _size(y) * _taps(torch_geometry(module))


def _torch_adaptive(module: _AdaptivePool | _AdaptiveAvgPool, x: Known, y: Known) -> Counts:
    rank = module.rank
    return 0, _size(y[:-rank]) * math.prod(map(_adaptive_windows, x[-rank:], y[-rank:]))


def _torch_lazy(module: _tlazy._Lazy, x: Known, y: Known) -> Counts:
    conv = module.materialized
    assert conv is not None  # compute_output_shape materialized it
    return _torch_conv(conv, x, y)


def _torch_normalising(module: _InstanceNorm | GroupNorm | LayerNorm, x: Known, y: Known) -> Counts:
    if isinstance(module, LayerNorm):
        scale = bool(module.elementwise_affine)
        center = scale and bool(module.bias)
    else:
        scale = center = bool(module.affine)
    return _normalising(scale, center, y)


def _torch_per_element(flops_per_element: int) -> TorchRule:
    def rule(module: TorchLayer, x: Known, y: Known) -> Counts:
        return 0, flops_per_element * _size(y)

    return rule


def _torch_rule(
    cls: type[_Module], rule: Callable[[_Module, Known, Known], Counts]
) -> tuple[type, TorchRule]:
    """A row of the PyTorch rule table (read along the module's MRO, as the Keras one)."""
    return cls, cast("TorchRule", rule)


_TORCH_RULES: dict[type, TorchRule] = dict(
    [
        _torch_rule(_ConvNd, _torch_conv),
        _torch_rule(Linear, _torch_linear),
        _torch_rule(_Pool, _torch_pool),
        _torch_rule(_AvgPool, _torch_pool),
        _torch_rule(_tpool._LPPool, _torch_pool),
        _torch_rule(_tlazy._Lazy, _torch_lazy),
        _torch_rule(_AdaptivePool, _torch_adaptive),
        _torch_rule(_AdaptiveAvgPool, _torch_adaptive),
        (_Norm, _torch_per_element(2)),
        _torch_rule(_InstanceNorm, _torch_normalising),
        _torch_rule(GroupNorm, _torch_normalising),
        _torch_rule(LayerNorm, _torch_normalising),
        (Softmax, _torch_per_element(5)),
        *dict.fromkeys(
            (
                ReLU,
                LeakyReLU,
                ELU,
                GELU,
                SiLU,
                Tanh,
                Sigmoid,
                PReLU,
            ),
            _torch_per_element(1),
        ).items(),
    ]
)


_TORCH_CACHE: dict[type, TorchRule] = {}


def _torch_nothing(module: TorchLayer, x: Known, y: Known) -> Counts:
    return 0, 0


def torch_counts(module: TorchLayer, x: Known, y: Known) -> Counts:
    """(MACs, FLOPs beyond 2 x MACs) of one module on known shapes (see the table)."""
    return nearest_rule(_TORCH_RULES, _TORCH_CACHE, type(module), _torch_nothing)(module, x, y)

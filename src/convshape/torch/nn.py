"""The old import path of the modules beyond convolution, kept: they are in
:mod:`convshape.torch.pooling`, ``normalization``, ``activation``, ``linear``, ``flatten``,
``upsampling`` and ``container``.
"""

# ruff: noqa: PLC0414  (`import X as X` is the explicit re-export mypy --strict reads)

from ._module import Module as Module
from .activation import ELU as ELU
from .activation import GELU as GELU
from .activation import Dropout as Dropout
from .activation import Identity as Identity
from .activation import LeakyReLU as LeakyReLU
from .activation import PReLU as PReLU
from .activation import ReLU as ReLU
from .activation import Sigmoid as Sigmoid
from .activation import SiLU as SiLU
from .activation import Softmax as Softmax
from .activation import Tanh as Tanh
from .container import Sequential as Sequential
from .container import SequentialRow as SequentialRow
from .container import SequentialSummary as SequentialSummary
from .flatten import Flatten as Flatten
from .flatten import Unflatten as Unflatten
from .linear import Linear as Linear
from .normalization import BatchNorm1d as BatchNorm1d
from .normalization import BatchNorm2d as BatchNorm2d
from .normalization import BatchNorm3d as BatchNorm3d
from .normalization import GroupNorm as GroupNorm
from .normalization import InstanceNorm1d as InstanceNorm1d
from .normalization import InstanceNorm2d as InstanceNorm2d
from .normalization import InstanceNorm3d as InstanceNorm3d
from .normalization import LayerNorm as LayerNorm
from .normalization import _InstanceNorm as _InstanceNorm
from .normalization import _Norm as _Norm
from .pooling import AdaptiveAvgPool1d as AdaptiveAvgPool1d
from .pooling import AdaptiveAvgPool2d as AdaptiveAvgPool2d
from .pooling import AdaptiveAvgPool3d as AdaptiveAvgPool3d
from .pooling import AdaptiveMaxPool1d as AdaptiveMaxPool1d
from .pooling import AdaptiveMaxPool2d as AdaptiveMaxPool2d
from .pooling import AdaptiveMaxPool3d as AdaptiveMaxPool3d
from .pooling import AvgPool1d as AvgPool1d
from .pooling import AvgPool2d as AvgPool2d
from .pooling import AvgPool3d as AvgPool3d
from .pooling import MaxPool1d as MaxPool1d
from .pooling import MaxPool2d as MaxPool2d
from .pooling import MaxPool3d as MaxPool3d
from .pooling import _AdaptiveAvgPool as _AdaptiveAvgPool
from .pooling import _AdaptivePool as _AdaptivePool
from .pooling import _AvgPool as _AvgPool
from .pooling import _Pool as _Pool
from .upsampling import Upsample as Upsample

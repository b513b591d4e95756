"""Layers that ``keras.applications`` models define and their saved files name.

``LayerScale`` (ConvNeXt, ``keras.src.applications.convnext``) multiplies its input
by a learned vector; ``CustomScaleLayer`` (InceptionResNetV2,
``keras.src.applications.inception_resnet_v2``) adds a scaled residual to a
shortcut. Their shapes follow Keras's broadcasting of the product and the sum.
"""

from __future__ import annotations

from .._validate import Shape, check_count, check_number
from ..errors import ConvShapeError
from ._base import Layer, Weight
from .merging import _ListInput, broadcast_shapes

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import ClassVar

__all__ = ["CustomScaleLayer", "LayerScale"]


class LayerScale(Layer):
    """``output = input * gamma`` with a trainable ``gamma`` of shape ``(projection_dim,)``.

    The output is the input broadcast with ``(projection_dim,)``: normally the input
    itself, whose last axis has ``projection_dim`` channels. Keras names the variable
    ``variable`` (the layer keeps it as ``gamma``).

    >>> LayerScale(1e-6, 96).compute_output_shape((None, 56, 56, 96))
    (None, 56, 56, 96)
    >>> LayerScale(1e-6, 96).count_params((None, 56, 56, 96))
    96
    """

    _keeps_spatial: ClassVar[bool] = True

    init_values: float
    projection_dim: int

    def _validate(self) -> None:
        check_number(self.init_values, "init_values")
        self._set("projection_dim", check_count(self.projection_dim, "projection_dim", minimum=0))

    def _output_shape(self, shape: Shape) -> Shape:
        output = broadcast_shapes(shape, (self.projection_dim,))
        if output is None:
            raise ConvShapeError(
                f"LayerScale multiplies its input by a vector of {self.projection_dim} "
                f"(`projection_dim`), which does not broadcast with the input "
                f"(layer {self.name!r})",
                argument="input_shape",
                received={"projection_dim": self.projection_dim, "input_shape": shape},
            )
        return output

    def _weights(self, shape: Shape) -> tuple[Weight, ...]:
        return (Weight("variable", (self.projection_dim,), True),)


class CustomScaleLayer(_ListInput):
    """``output = inputs[0] + inputs[1] * scale``: a list of (at least) two inputs.

    The output shape is the two shapes broadcast together, normally the first one
    (the shortcut); Keras ignores any further inputs. No weights.

    >>> CustomScaleLayer(0.17).compute_output_shape([(None, 35, 35, 320), (None, 35, 35, 320)])
    (None, 35, 35, 320)
    """

    _min_inputs = 2
    scale: float

    def _validate(self) -> None:
        check_number(self.scale, "scale")

    def _merged(self, shapes: list[Shape]) -> Shape:
        output = broadcast_shapes(shapes[0], shapes[1])
        if output is None:
            raise self._error(
                f"adds inputs whose shapes broadcast together; {shapes[0]} and {shapes[1]} do not",
                shapes,
            )
        return output

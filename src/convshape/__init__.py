"""convshape: exact convolution and transposed-convolution shape arithmetic.

Pure Python, no dependencies, Keras/TensorFlow semantics by default.

>>> import convshape as cs
>>> cs.conv_transpose_output_length(7, 5, stride=2, padding="same")
14
>>> cs.conv_transpose_crop(7, 5, stride=2, padding="same")
Pad(before=1, after=2)
"""

from __future__ import annotations

import importlib

from .arithmetic import (
    Pad,
    conv_output_length,
    conv_padding,
    conv_transpose_crop,
    conv_transpose_output_length,
    conv_transpose_output_range,
    effective_kernel_size,
    pool_output_length,
)
from .errors import ConvShapeError, ConvShapeWarning, EmptyOutputError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

    from . import jax, layers, onnx, torch
    from ._naming import clear_session
    from .costs import LayerCost, Memory, ModelCost, cost, flops, macs, memory
    from .diagnosis import Diagnosis, diagnose
    from .explain import Explanation, explain_conv, explain_conv_transpose, explain_pool
    from .layers.core import Input, InputLayer
    from .loading import load_keras
    from .models.model import Functional, Model
    from .models.sequential import Sequential
    from .pitfalls import Finding, check
    from .plan import Plan, Plans, plan_downsampling, plan_upsampling
    from .porting import Translation, translate
    from .receptive import AxisField, TensorFields, receptive_field, receptive_fields
    from .sizes import AxisSizes, InputSizes, input_sizes
    from .solve import Solution, Solutions, conv_input_lengths, solve_conv, solve_conv_transpose
    from .summary import Summary, SummaryRow

# Layers and models load on first use, so that `import convshape` stays cheap.
_LAZY = {
    "jax": ("convshape.jax", None),
    "onnx": ("convshape.onnx", None),
    "layers": ("convshape.layers", None),
    "load_keras": ("convshape.loading", "load_keras"),
    "Explanation": ("convshape.explain", "Explanation"),
    "AxisField": ("convshape.receptive", "AxisField"),
    "AxisSizes": ("convshape.sizes", "AxisSizes"),
    "TensorFields": ("convshape.receptive", "TensorFields"),
    "receptive_field": ("convshape.receptive", "receptive_field"),
    "receptive_fields": ("convshape.receptive", "receptive_fields"),
    "LayerCost": ("convshape.costs", "LayerCost"),
    "Memory": ("convshape.costs", "Memory"),
    "ModelCost": ("convshape.costs", "ModelCost"),
    "cost": ("convshape.costs", "cost"),
    "flops": ("convshape.costs", "flops"),
    "macs": ("convshape.costs", "macs"),
    "memory": ("convshape.costs", "memory"),
    "Diagnosis": ("convshape.diagnosis", "Diagnosis"),
    "Finding": ("convshape.pitfalls", "Finding"),
    "InputSizes": ("convshape.sizes", "InputSizes"),
    "diagnose": ("convshape.diagnosis", "diagnose"),
    "input_sizes": ("convshape.sizes", "input_sizes"),
    "Functional": ("convshape.models.model", "Functional"),
    "Model": ("convshape.models.model", "Model"),
    "clear_session": ("convshape._naming", "clear_session"),
    "Input": ("convshape.layers.core", "Input"),
    "InputLayer": ("convshape.layers.core", "InputLayer"),
    "Plan": ("convshape.plan", "Plan"),
    "Plans": ("convshape.plan", "Plans"),
    "Sequential": ("convshape.models.sequential", "Sequential"),
    "Solution": ("convshape.solve", "Solution"),
    "Solutions": ("convshape.solve", "Solutions"),
    "Summary": ("convshape.summary", "Summary"),
    "SummaryRow": ("convshape.summary", "SummaryRow"),
    "check": ("convshape.pitfalls", "check"),
    "conv_input_lengths": ("convshape.solve", "conv_input_lengths"),
    "explain_conv": ("convshape.explain", "explain_conv"),
    "explain_conv_transpose": ("convshape.explain", "explain_conv_transpose"),
    "explain_pool": ("convshape.explain", "explain_pool"),
    "plan_downsampling": ("convshape.plan", "plan_downsampling"),
    "plan_upsampling": ("convshape.plan", "plan_upsampling"),
    "solve_conv": ("convshape.solve", "solve_conv"),
    "solve_conv_transpose": ("convshape.solve", "solve_conv_transpose"),
    "torch": ("convshape.torch", None),
    "translate": ("convshape.porting", "translate"),
    "Translation": ("convshape.porting", "Translation"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'convshape' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "AxisField",
    "AxisSizes",
    "ConvShapeError",
    "ConvShapeWarning",
    "Diagnosis",
    "EmptyOutputError",
    "Explanation",
    "Finding",
    "Functional",
    "Input",
    "InputLayer",
    "InputSizes",
    "LayerCost",
    "Memory",
    "Model",
    "ModelCost",
    "Pad",
    "Plan",
    "Plans",
    "Sequential",
    "Solution",
    "Solutions",
    "Summary",
    "SummaryRow",
    "TensorFields",
    "Translation",
    "__version__",
    "check",
    "clear_session",
    "conv_input_lengths",
    "conv_output_length",
    "conv_padding",
    "conv_transpose_crop",
    "conv_transpose_output_length",
    "conv_transpose_output_range",
    "cost",
    "diagnose",
    "effective_kernel_size",
    "explain_conv",
    "explain_conv_transpose",
    "explain_pool",
    "flops",
    "input_sizes",
    "jax",
    "layers",
    "load_keras",
    "macs",
    "memory",
    "onnx",
    "plan_downsampling",
    "plan_upsampling",
    "pool_output_length",
    "receptive_field",
    "receptive_fields",
    "solve_conv",
    "solve_conv_transpose",
    "torch",
    "translate",
]

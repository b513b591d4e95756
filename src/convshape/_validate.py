"""The single place where arguments are normalised and validated.

The public functions call these at the boundary; the formulas behind them
trust their inputs. Every check is imported from here; each is defined with its kind:
numbers in ``_check_scalars``, shapes and axes in ``_check_shapes``, the other arguments
(flags, names, choices, keys, a convolution's padding) in ``_check_options``.
"""

from __future__ import annotations

from ._check_options import (
    check_bool,
    check_callable,
    check_choice,
    check_data_format,
    check_flag,
    check_keys,
    check_output_padding,
    check_padding,
    check_str,
    choice_error,
)
from ._check_scalars import (
    LARGEST_INT,
    as_int,
    check_count,
    check_non_negative,
    check_number,
    check_positive,
    check_rate,
    check_size,
    plain_int,
)
from ._check_shapes import (
    Shape,
    array_shape,
    as_axes,
    check_axis,
    check_shape,
    given_input_shape,
    required_shape,
    standardize_tuple,
)

__all__ = [
    "LARGEST_INT",
    "Shape",
    "array_shape",
    "as_axes",
    "as_int",
    "check_axis",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_count",
    "check_data_format",
    "check_flag",
    "check_keys",
    "check_non_negative",
    "check_number",
    "check_output_padding",
    "check_padding",
    "check_positive",
    "check_rate",
    "check_shape",
    "check_size",
    "check_str",
    "choice_error",
    "given_input_shape",
    "plain_int",
    "required_shape",
    "standardize_tuple",
]

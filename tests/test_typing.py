"""What a type checker sees of the layers and the PyTorch specs.

An argument is typed by what the constructor accepts, an attribute by what the object
holds once it has normalised its arguments: ``Conv2D(8, 3)`` type-checks and its
``kernel_size`` reads as ``tuple[int, ...]``. ``mypy --strict`` checks this file (CI runs
it over ``tests/``): each ``assert_type`` is a static claim, and each deliberately wrong
argument carries the error code mypy gives it, so an argument that became accepted fails
the check as an unused ``type: ignore``. At run time the same lines build the objects:
what the type checker refuses, the constructor refuses too, with a TypeError.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typing_extensions import assert_type

import convshape as cs
from convshape import layers
from convshape import torch as pt


def test_keras_layers_hold_their_normalised_arguments() -> None:
    conv = layers.Conv2D(8, 3, strides=[2, 1], data_format=None)
    assert_type(conv.filters, int)
    assert_type(conv.kernel_size, tuple[int, ...])
    assert_type(conv.strides, tuple[int, ...])
    assert_type(conv.dilation_rate, tuple[int, ...])
    assert_type(conv.padding, str)
    assert_type(conv.data_format, str)
    assert (conv.kernel_size, conv.strides, conv.data_format) == ((3, 3), (2, 1), "channels_last")

    up = layers.Conv2DTranspose(8, 5, strides=2, padding="same", output_padding=1)
    assert_type(up.output_padding, tuple[int, ...] | None)
    assert up.output_padding == (1, 1)

    pool = layers.MaxPooling2D(3)
    assert_type(pool.pool_size, tuple[int, ...])
    assert_type(pool.strides, tuple[int, ...])
    assert pool.strides == (3, 3)  # None becomes the pool size

    padding = layers.ZeroPadding2D(1)
    assert_type(padding.padding, tuple[tuple[int, int], ...])
    assert padding.padding == ((1, 1), (1, 1))

    lstm = layers.LSTM(4, "tanh", return_sequences=True)
    assert_type(lstm.units, int)
    assert_type(lstm.return_sequences, bool)
    wrapped = layers.Bidirectional(lstm)
    assert_type(wrapped.backward_layer, layers.SimpleRNN | layers.LSTM | layers.GRU)
    assert isinstance(wrapped.backward_layer, layers.LSTM)


def test_torch_specs_hold_their_normalised_arguments() -> None:
    conv = pt.Conv2d(3, 8, 3, padding="same")
    assert_type(conv.kernel_size, tuple[int, ...])
    assert_type(conv.stride, tuple[int, ...])
    assert_type(conv.padding, tuple[int, ...] | str)
    assert (conv.kernel_size, conv.stride, conv.padding) == ((3, 3), (1, 1), "same")

    up = pt.ConvTranspose2d(8, 4, 5, stride=2, padding=2, output_padding=1)
    assert_type(up.output_padding, tuple[int, ...])
    assert up.output_padding == (1, 1)

    unfold = pt.Unfold(3)
    assert_type(unfold.kernel_size, tuple[int, int])
    assert unfold.kernel_size == (3, 3)


#: Calls a type checker refuses; each is refused at run time with a TypeError.
WRONG_TYPES: list[tuple[str, Callable[[], object]]] = [
    ("a str kernel_size", lambda: layers.Conv2D(8, "3")),  # type: ignore[arg-type]
    ("a str filters", lambda: layers.Conv2D("8", 3)),  # type: ignore[arg-type]
    ("a float stride", lambda: layers.Conv2D(8, 3, strides=2.0)),  # type: ignore[arg-type]
    ("an int padding", lambda: layers.Conv2D(8, 3, padding=1)),  # type: ignore[arg-type]
    ("float units", lambda: layers.Dense(4.0)),  # type: ignore[arg-type]
    ("a str rate", lambda: layers.Dropout("0.5")),  # type: ignore[arg-type]
    ("a str pool size", lambda: layers.MaxPooling2D("2")),  # type: ignore[arg-type]
    ("str units", lambda: layers.LSTM("8")),  # type: ignore[arg-type]
    ("a str PyTorch kernel", lambda: pt.Conv2d(3, 8, "3")),  # type: ignore[arg-type]
    ("a str PyTorch stride", lambda: pt.Conv2d(3, 8, 3, stride="2")),  # type: ignore[arg-type]
    ("a str PyTorch pool", lambda: pt.MaxPool2d("2")),  # type: ignore[arg-type]
    ("a str Unfold size", lambda: pt.Unfold("3")),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("label", "make"), WRONG_TYPES, ids=[label for label, _ in WRONG_TYPES])
def test_what_the_type_checker_refuses_the_constructor_refuses(
    label: str, make: Callable[[], object]
) -> None:
    with pytest.raises(TypeError, match="must be"):
        make()


def test_every_pytorch_spec_is_a_module() -> None:
    specs = [getattr(pt, name) for name in pt.__all__]
    classes = [cls for cls in specs if isinstance(cls, type) and hasattr(cls, "parameter_count")]
    assert len(classes) > 60
    assert all(issubclass(cls, pt.Module) for cls in classes), [
        cls.__name__ for cls in classes if not issubclass(cls, pt.Module)
    ]
    model = pt.Sequential(pt.Conv2d(3, 8, 3), pt.ConvTranspose2d(8, 3, 3), pt.ReLU())
    assert_type(model.modules, tuple[pt.Module, ...])
    assert model.compute_output_shape((1, 3, 8, 8)) == (1, 3, 8, 8)
    assert repr(pt.Module()) == "Module()"
    with pytest.raises(cs.ConvShapeError, match=r"torch.nn.Module has no forward"):
        pt.Module().compute_output_shape((1, 3))
    with pytest.raises(TypeError, match=r"Module\(\) takes no arguments"):
        pt.Module(3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        pt.Module(bogus=0)

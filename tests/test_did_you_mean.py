"""An unknown keyword argument is Python's TypeError, with a "did you mean" for the usual
mix-ups between Keras's and PyTorch's names and for close spellings, on every Keras layer
and every PyTorch spec; the message names the public class, never a private base."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from convshape import layers
from convshape import torch as pt
from convshape.errors import _MIX_UPS

LAYER_CLASSES = [
    getattr(layers, name)
    for name in layers.__all__
    if isinstance(getattr(layers, name), type)
    and issubclass(getattr(layers, name), layers.Layer)
    and name != "Layer"
]
TORCH_CLASSES = [
    getattr(pt, name)
    for name in pt.__all__
    if isinstance(getattr(pt, name), type) and name != "Sequential"
]


def _parameters(cls: type) -> tuple[set[str], dict[str, Any]]:
    """The constructor's parameters, and a value for each required one (the unknown
    keyword is refused before any argument is validated)."""
    parameters = inspect.signature(cls).parameters
    required = {
        name: 1
        for name, parameter in parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }
    return set(parameters), required


@pytest.mark.parametrize("cls", [*LAYER_CLASSES, *TORCH_CLASSES], ids=lambda cls: cls.__name__)
def test_mix_ups_and_misspellings_get_a_suggestion(cls: type) -> None:
    accepted, required = _parameters(cls)
    wrong_names = {wrong: right for wrong, right in _MIX_UPS.items() if wrong not in accepted}
    # A misspelling: the longest parameter with its last letter dropped.
    longest = max((n for n in accepted if not n.startswith("_")), key=len, default="")
    if len(longest) > 6 and longest[:-1] not in accepted:
        wrong_names[longest[:-1]] = longest
    checked = 0
    for wrong, right in wrong_names.items():
        if right not in accepted:
            continue
        with pytest.raises(TypeError) as raised:
            cls(**required, **{wrong: 1})
        message = str(raised.value)
        assert message.startswith(f"{cls.__name__}.__init__() got an unexpected keyword"), message
        assert message.endswith(f"did you mean {right!r}?"), message
        checked += 1
    assert checked or len(longest) <= 6  # Tanh(), Softmax(dim): nothing to misspell


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: layers.Conv2D(8, 3, stride=2), "did you mean 'strides'?"),  # type: ignore[call-arg]
        (lambda: layers.Conv1D(8, 3, dilation=2), "did you mean 'dilation_rate'?"),  # type: ignore[call-arg]
        (lambda: layers.Dense(3, bias=False), "did you mean 'use_bias'?"),  # type: ignore[call-arg]
        (lambda: pt.Conv2d(3, 8, 3, strides=2), "did you mean 'stride'?"),  # type: ignore[call-arg]
        (lambda: pt.ConvTranspose2d(3, 8, 3, dilation_rate=2), "did you mean 'dilation'?"),  # type: ignore[call-arg]
        (lambda: pt.BatchNorm2d(8, epsilon=1e-3), "did you mean 'eps'?"),  # type: ignore[call-arg]
        (lambda: pt.MaxPool2d(2, pool_size=2), "did you mean 'kernel_size'?"),  # type: ignore[call-arg]
        (lambda: layers.Conv2D(8, 3, paddding="same"), "did you mean 'padding'?"),  # type: ignore[call-arg]
    ],
)
def test_the_usual_mix_ups(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message.replace("?", r"\?")):
        call()


def test_no_suggestion_where_nothing_is_close() -> None:
    with pytest.raises(TypeError) as raised:
        layers.Conv2D(8, 3, padding_mode="zeros")  # type: ignore[call-arg]
    assert str(raised.value) == (
        "Conv2D.__init__() got an unexpected keyword argument 'padding_mode'"
    )
    with pytest.raises(TypeError, match=r"unexpected keyword argument '_inbound_nodes'$"):
        layers.Dense(3, _inbound_nodes=[])  # type: ignore[call-arg]

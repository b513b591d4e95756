"""The sliding-window layers' fast ``compute_output_shape`` against their validating path.

From its second call a convolution or pooling answers with its coefficients worked out
(``convshape.layers._spatial.fast_shape``); it must give the validating path's answers,
errors and warnings for every input, valid or not. Speed is measured in benchmarks/.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import pytest

from convshape import layers
from convshape.errors import ConvShapeError, ConvShapeWarning

#: Constructors of every sliding-window layer with a fast path, by rank.
_FACTORIES: list[tuple[str, int, Any]] = []
for _rank in (1, 2, 3):
    for _k, _s, _d, _pad in itertools.product((1, 2, 3, 5), (1, 2, 3), (1, 2), ("valid", "same")):
        if _s > 1 and _d > 1:
            continue
        conv = getattr(layers, f"Conv{_rank}D")
        transpose = getattr(layers, f"Conv{_rank}DTranspose")
        for fmt in ("channels_last", "channels_first"):
            kwargs = {"strides": _s, "padding": _pad, "data_format": fmt}
            _FACTORIES.append(
                (f"conv{_rank}d", _rank, (conv, (4, _k), {**kwargs, "dilation_rate": _d}))
            )
            if fmt == "channels_last" or _rank == 1 or _d == 1:
                _FACTORIES.append(
                    (
                        f"transpose{_rank}d",
                        _rank,
                        (transpose, (3, _k), {**kwargs, "dilation_rate": _d}),
                    )
                )
            if _d == 1:
                pool = getattr(layers, f"MaxPooling{_rank}D")
                _FACTORIES.append((f"pool{_rank}d", _rank, (pool, (_k,), kwargs)))
                average = getattr(layers, f"AveragePooling{_rank}D")
                _FACTORIES.append((f"avgpool{_rank}d", _rank, (average, (_k,), kwargs)))
        if _rank < 3:
            separable = getattr(layers, f"SeparableConv{_rank}D")
            depthwise = getattr(layers, f"DepthwiseConv{_rank}D")
            kwargs = {"strides": _s, "padding": _pad, "dilation_rate": _d}
            _FACTORIES.append((f"separable{_rank}d", _rank, (separable, (6, _k), kwargs)))
            _FACTORIES.append(
                (f"depthwise{_rank}d", _rank, (depthwise, (_k,), {**kwargs, "depth_multiplier": 2}))
            )
    if _rank == 1:
        causal = (layers.Conv1D, (2, 3), {"padding": "causal", "strides": 2})
        _FACTORIES.append(("causal1d", 1, causal))
    # With output_padding the validating path answers (it may warn).
    _FACTORIES.append(
        (
            f"output_padding{_rank}d",
            _rank,
            (
                getattr(layers, f"Conv{_rank}DTranspose"),
                (2, 4),
                {"strides": 2, "padding": "same", "output_padding": 0},
            ),
        )
    )


def _inputs(rank: int) -> list[Any]:
    sizes: list[Any] = [None, 0, 1, 2, 3, 4, 7, 13, True, 2.0, -1]
    shapes: list[Any] = []
    for size in sizes:
        shapes.append((None, *([size] * rank), 5))
        shapes.append((2, *([7] * (rank - 1)), size, 5))
        shapes.append((None, 5, *([size] * rank)))
        shapes.append((size, *([9] * rank), 3))
        shapes.append((None, *([9] * rank), size))
    shapes += [(None, *([9] * rank)), (None, *([9] * (rank + 2))), [None, *([9] * rank), 3], 5, "x"]
    return shapes


def _outcome(function: Any, shape: Any) -> tuple[Any, ...]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: tuple[Any, ...] = ("ok", function(shape))
        except ConvShapeError as error:
            result = ("error", type(error), str(error), error.argument, repr(error.received))
        except TypeError as error:
            result = ("type", str(error))
    return (*result, [(w.category, str(w.message), w.lineno) for w in caught])


@pytest.mark.parametrize(("name", "rank", "factory"), _FACTORIES, ids=[f[0] for f in _FACTORIES])
def test_fast_path_answers_as_the_validating_path(name: str, rank: int, factory: Any) -> None:
    cls, args, kwargs = factory
    layer = cls(*args, **kwargs)
    reference = cls(*args, **kwargs)
    for _ in range(2):  # the second call installs the fast path, whatever it answers
        _outcome(layer.compute_output_shape, (None, *([9] * rank), 4))
    assert "compute_output_shape" in vars(layer)
    for shape in _inputs(rank):
        fast = _outcome(layer.compute_output_shape, shape)
        slow = _outcome(reference._checked_output_shape, shape)
        assert fast[:-1] == slow[:-1], (name, shape)
        assert [w[:2] for w in fast[-1]] == [w[:2] for w in slow[-1]], (name, shape)


def test_the_fast_path_is_installed_on_the_second_call_only_where_it_applies() -> None:
    conv = layers.Conv2DTranspose(8, 5, strides=2, padding="same")
    assert conv.compute_output_shape((None, 7, 7, 3)) == (None, 14, 14, 8)
    assert "compute_output_shape" not in vars(conv)
    assert conv.compute_output_shape((None, 8, 7, 3)) == (None, 16, 14, 8)
    assert vars(conv)["compute_output_shape"].__qualname__.startswith("_fast2")
    padded = layers.Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=0)
    with pytest.warns(ConvShapeWarning, match="TensorFlow rejects"):
        padded.compute_output_shape((None, 7, 7, 3))
    with pytest.warns(ConvShapeWarning, match="TensorFlow rejects") as caught:
        padded.compute_output_shape((None, 7, 7, 3))
    assert caught[0].filename == __file__  # the warning names the caller's line
    assert vars(padded)["compute_output_shape"] == padded._checked_output_shape

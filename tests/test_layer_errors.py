"""Error parity: configurations real Keras rejects are rejected by convshape too, with a
ConvShapeError (a ValueError) or a TypeError whose message names the argument."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

import convshape
from convshape._record import Record, fields
from convshape.layers._registry import layer_names
from tests.oracles import ORACLE_COUNTS, oracle

CONVSHAPE = SimpleNamespace(
    Sequential=convshape.Sequential, Input=convshape.Input, layers=convshape.layers
)

Case = Callable[[Any], Any]


def _model(input_shape: tuple[int | None, ...], *make: Callable[[Any], Any]) -> Case:
    return lambda k: k.Sequential([k.Input(input_shape), *(m(k.layers) for m in make)])


# (id, builder, the words convshape's message must contain)
REJECTED: list[tuple[str, Case, str]] = [
    (
        "output-padding-equal-stride",
        lambda k: k.layers.Conv2DTranspose(4, 3, strides=2, output_padding=2),
        "output_padding",
    ),
    (
        "output-padding-negative",
        lambda k: k.layers.Conv1DTranspose(4, 3, strides=2, output_padding=-1),
        "output_padding",
    ),
    (
        "strided-dilated-conv",
        lambda k: k.layers.Conv2D(4, 3, strides=2, dilation_rate=2),
        "dilation_rate",
    ),
    (
        "strided-dilated-transpose",
        lambda k: k.layers.Conv1DTranspose(4, 3, strides=2, dilation_rate=2),
        "dilation_rate",
    ),
    ("causal-conv2d", lambda k: k.layers.Conv2D(4, 3, padding="causal"), "causal"),
    ("causal-transpose", lambda k: k.layers.Conv1DTranspose(4, 3, padding="causal"), "causal"),
    ("causal-separable", lambda k: k.layers.SeparableConv1D(4, 3, padding="causal"), "causal"),
    ("full-padding", lambda k: k.layers.Conv2D(4, 3, padding="full"), "padding"),
    ("zero-kernel", lambda k: k.layers.Conv2D(4, 0), "kernel_size"),
    ("kernel-wrong-length", lambda k: k.layers.Conv1D(4, (3, 3)), "kernel_size"),
    ("float-kernel", lambda k: k.layers.Conv2D(4, 2.5), "kernel_size"),
    ("zero-stride", lambda k: k.layers.Conv2D(4, 3, strides=0), "strides"),
    ("zero-filters", lambda k: k.layers.Conv2D(0, 3), "filters"),
    ("negative-filters", lambda k: k.layers.Conv2DTranspose(-2, 3), "filters"),
    ("filters-not-divisible-by-groups", lambda k: k.layers.Conv2D(6, 3, groups=4), "groups"),
    (
        "channels-not-divisible-by-groups",
        _model((8, 8, 6), lambda L: L.Conv2D(8, 3, groups=4)),
        "groups",
    ),
    (
        "zero-depth-multiplier",
        lambda k: k.layers.DepthwiseConv2D(3, depth_multiplier=0),
        "depth_multiplier",
    ),
    ("bad-data-format", lambda k: k.layers.Conv2D(4, 3, data_format="nhwc"), "data_format"),
    ("conv-rank", _model((8, 8), lambda L: L.Conv2D(4, 3)), "rank"),
    ("conv-too-small", _model((4, 4, 1), lambda L: L.Conv2D(4, 5)), "empty"),
    ("dilated-conv-too-small", _model((6, 1), lambda L: L.Conv1D(4, 3, dilation_rate=3)), "empty"),
    ("conv3d-too-small", _model((4, 9, 9, 1), lambda L: L.Conv3D(2, (5, 1, 1))), "empty"),
    ("pool-too-small", _model((3, 3, 1), lambda L: L.MaxPooling2D(4)), "empty"),
    ("avgpool-too-small", _model((2, 1), lambda L: L.AveragePooling1D(3)), "empty"),
    (
        "pool-uppercase-padding",
        _model((4, 4, 1), lambda L: L.MaxPooling2D(2, padding="SAME")),
        "padding",
    ),
    ("pool-rank", _model((4, 4), lambda L: L.MaxPooling2D()), "rank"),
    ("unknown-channels", _model((8, 8, None), lambda L: L.Conv2D(4, 3)), "channel"),
    ("reshape-size", _model((10,), lambda L: L.Reshape((3, 3))), "total size"),
    ("reshape-two-unknowns", lambda k: k.layers.Reshape((-1, -1)), "-1"),
    ("reshape-indivisible", _model((10,), lambda L: L.Reshape((-1, 3))), "-1"),
    ("cropping-too-large", _model((4, 4, 1), lambda L: L.Cropping2D(2)), "cropping"),
    ("cropping1d-too-large", _model((4, 1), lambda L: L.Cropping1D((2, 2))), "cropping"),
    ("dense-zero-units", lambda k: k.layers.Dense(0), "units"),
    ("dense-float-units", lambda k: k.layers.Dense(3.0), "units"),
    ("dense-unknown-features", _model((None,), lambda L: L.Dense(2)), "last dimension"),
    ("unknown-keyword", lambda k: k.layers.Dense(3, foo=1), "foo"),
    ("trainable-not-bool", lambda k: k.layers.Dense(3, trainable="yes"), "trainable"),
    ("dropout-rate", lambda k: k.layers.Dropout(1.5), "rate"),
    ("noise-stddev", lambda k: k.layers.GaussianNoise(2.0), "stddev"),
    ("relu-negative-cap", lambda k: k.layers.ReLU(max_value=-1.0), "max_value"),
    ("leaky-negative-slope", lambda k: k.layers.LeakyReLU(negative_slope=-0.1), "negative_slope"),
    ("permute-dims", lambda k: k.layers.Permute((1, 3)), "dims"),
    ("permute-rank", _model((3, 4, 5), lambda L: L.Permute((2, 1))), "rank"),
    ("repeat-vector-rank", _model((3, 4), lambda L: L.RepeatVector(2)), "rank"),
    ("repeat-vector-zero", lambda k: k.layers.RepeatVector(0), "n"),
    ("upsampling1d-float", lambda k: k.layers.UpSampling1D(2.0), "size"),
    ("groupnorm-indivisible", _model((8, 6), lambda L: L.GroupNormalization(groups=4)), "groups"),
    (
        "groupnorm-too-many-groups",
        _model((8, 2), lambda L: L.GroupNormalization(groups=4)),
        "groups",
    ),
    ("groupnorm-zero", lambda k: k.layers.GroupNormalization(groups=0), "groups"),
    ("embedding-zero", lambda k: k.layers.Embedding(0, 8), "input_dim"),
    (
        "lora-with-constraint",
        _model((4,), lambda L: L.Dense(3, lora_rank=2, kernel_constraint="non_neg")),
        "lora_rank",
    ),
    (
        "renorm-clipping-keys",
        lambda k: k.layers.BatchNormalization(renorm=True, renorm_clipping={"x": 1}),
        "renorm_clipping",
    ),
    ("batchnorm-axis-out-of-range", _model((4, 3), lambda L: L.BatchNormalization(axis=3)), "axis"),
    (
        "spatial-dropout-trainable",
        lambda k: k.layers.SpatialDropout1D(0.1, trainable=False),
        "trainable",
    ),
    ("spatial-dropout-rank", _model((4, 4, 3), lambda L: L.SpatialDropout1D(0.1)), "rank"),
    (
        "input-shape-and-batch-shape",
        lambda k: k.Input(shape=(3,), batch_shape=(None, 3)),
        "batch_shape",
    ),
    ("input-missing-shape", lambda k: k.Input(), "shape"),
    (
        "duplicate-names",
        _model((3,), lambda L: L.Dense(2, name="a"), lambda L: L.Dense(2, name="a")),
        "unique",
    ),
    (
        "transpose-negative-length",
        _model((0, 1), lambda L: L.Conv1DTranspose(1, 1, strides=2, output_padding=0)),
        "empty",
    ),
    ("prelu-unknown-axis", _model((None, 3), lambda L: L.PReLU()), "unshared"),
    ("zeropadding-three", lambda k: k.layers.ZeroPadding2D((1, 2, 3)), "padding"),
]

# Configurations Keras builds into a degenerate shape (a size <= 0) that convshape rejects.
STRICTER: list[tuple[str, Case, str]] = [
    ("zeropadding-negative", _model((4, 4, 1), lambda L: L.ZeroPadding2D(-2)), "padding"),
    (
        "transpose-empty-length",
        _model((1, 1), lambda L: L.Conv1DTranspose(1, 2, padding="same", output_padding=0)),
        "empty",
    ),
]


@pytest.fixture(scope="module")
def keras() -> Any:
    return oracle("keras")


@pytest.mark.parametrize(
    ("case", "words"), [(c, w) for _, c, w in REJECTED], ids=[i for i, _, _ in REJECTED]
)
def test_keras_and_convshape_both_reject(keras: Any, case: Case, words: str) -> None:
    ORACLE_COUNTS["keras rejections reproduced"] += 1
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):  # noqa: B017, PT011  (Keras raises ValueError, TypeError or others)
            case(
                SimpleNamespace(Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers)
            )
    with pytest.raises((convshape.ConvShapeError, TypeError), match=words):
        case(CONVSHAPE)


@pytest.mark.parametrize(
    ("case", "words"), [(c, w) for _, c, w in STRICTER], ids=[i for i, _, _ in STRICTER]
)
def test_convshape_rejects_what_keras_builds_degenerate(keras: Any, case: Case, words: str) -> None:
    ORACLE_COUNTS["keras degenerate shapes rejected"] += 1
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = case(
            SimpleNamespace(Sequential=keras.Sequential, Input=keras.Input, layers=keras.layers)
        )
    assert any(dim is not None and dim <= 0 for dim in model.output_shape[1:])
    with pytest.raises((convshape.ConvShapeError, TypeError), match=words):
        case(CONVSHAPE)


def _keras_parameters(cls: Any) -> list[str]:
    import inspect

    return [
        name
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]


@pytest.mark.parametrize(
    "name",
    # every layer the registry knows, and InputLayer, which Keras also constructs
    sorted({*layer_names(), "InputLayer"}),
)
def test_constructor_arguments_match_keras(keras: Any, name: str) -> None:
    """Every argument Keras's constructor names exists here, positional ones in Keras's order
    (up to the first one convshape makes keyword-only)."""
    import importlib
    import inspect

    ORACLE_COUNTS["keras constructor signatures compared"] += 1
    # The application layers saved models name live with their applications.
    homes = {
        "LayerScale": "keras.src.applications.convnext",
        "CustomScaleLayer": "keras.src.applications.inception_resnet_v2",
    }
    home = importlib.import_module(homes[name]) if name in homes else keras.layers
    theirs = _keras_parameters(getattr(home, name))
    ours_cls = getattr(convshape.layers, name)
    ours = inspect.signature(ours_cls).parameters
    assert set(theirs) <= set(ours), set(theirs) - set(ours)
    positional = [
        p for p, spec in ours.items() if spec.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    assert theirs[: len(positional)] == positional[: len(theirs)]
    if isinstance(ours_cls, type) and issubclass(ours_cls, Record):
        assert all(field.name in ours or not field.init for field in fields(ours_cls))

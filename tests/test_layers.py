"""The layer and Sequential API: construction, naming, inputs, symbolic calls, errors."""

from __future__ import annotations

from typing import Any

import pytest

import convshape as cs
from convshape import Input, InputLayer, Sequential, layers
from convshape._record import MISSING, fields
from convshape.layers import Weight


def test_layers_are_frozen_records() -> None:
    layer = layers.Conv2D(8, 3)
    assert [spec.name for spec in fields(layer)][-3:] == [
        "bias_constraint",
        "lora_rank",
        "lora_alpha",
    ]
    with pytest.raises(AttributeError, match="cannot assign to field 'filters'"):
        layer.filters = 4
    assert layer == layers.Conv2D(8, (3, 3), strides=1, name="conv2d")
    assert layer != layers.Conv2D(8, (3, 3), strides=1)  # named conv2d_1: another layer
    assert hash(layer) == hash(layers.Conv2D(8, (3, 3), strides=1, name="conv2d"))
    assert layer._replace(name="c").name == "c"
    assert layer._replace(strides=2).strides == (2, 2)  # validated again


def test_records_reject_arguments_as_python_does() -> None:
    with pytest.raises(
        TypeError, match=r"Conv2D.__init__\(\) got an unexpected keyword argument 'stride'"
    ):
        layers.Conv2D(8, 3, stride=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="got multiple values for argument 'filters'"):
        layers.Conv2D(8, 3, filters=4)  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'kernel_size'"):
        layers.Conv2D(8)  # type: ignore[call-arg]
    too_many: list[Any] = [8, 3, 1, "valid", None, 1, 1, None, True, "glorot_uniform"]
    too_many += ["zeros", None, None, 0]
    with pytest.raises(
        TypeError, match="takes from 3 to 14 positional arguments but 15 were given"
    ):
        layers.Conv2D(*too_many)
    with pytest.raises(TypeError, match="unexpected keyword argument '_inbound_nodes'"):
        layers.Dense(3, _inbound_nodes=[])  # type: ignore[call-arg]


def test_positional_arguments_follow_keras_order() -> None:
    conv = layers.Conv2D(32, 3, 2, "same")
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (
        32,
        (3, 3),
        (2, 2),
        "same",
    )
    transpose = layers.Conv2DTranspose(16, 4, 2, "same", 1)
    assert transpose.output_padding == (1, 1)
    # Conv3DTranspose takes data_format before output_padding, as Keras does.
    assert layers.Conv3DTranspose(4, 3, 2, "valid", "channels_first", 1).output_padding == (1, 1, 1)
    assert layers.Dense(4, "relu").activation == "relu"
    assert layers.DepthwiseConv2D(3, 1, "same", 2).depth_multiplier == 2
    assert layers.MaxPooling2D((3, 3), (2, 2), "same").strides == (2, 2)


def test_repr_shows_the_arguments_that_differ_from_keras_defaults() -> None:
    assert repr(layers.Conv2D(8, 3)) == "Conv2D(name='conv2d', filters=8, kernel_size=(3, 3))"
    assert (
        repr(layers.Dense(4, use_bias=False, name="d"))
        == "Dense(name='d', units=4, use_bias=False)"
    )
    assert repr(layers.Conv2DTranspose(1, 5, strides=3, padding="same")) == (
        "Conv2DTranspose(name='conv2d_transpose', filters=1, kernel_size=(5, 5), strides=(3, 3), "
        "padding='same')"
    )


def test_weight_specs_and_counts() -> None:
    shape = (None, 7, 7, 256)
    layer = layers.Conv2DTranspose(128, 5, strides=2, padding="same")
    assert [(w.name, w.shape, w.trainable) for w in layer.weight_specs(shape)] == [
        ("kernel", (5, 5, 128, 256), True),
        ("bias", (128,), True),
    ]
    assert layer.count_params(shape) == 819328
    frozen = layers.Conv2DTranspose(128, 5, trainable=False)
    assert frozen.count_trainable_params(shape) == 0
    assert frozen.count_non_trainable_params(shape) == 819328
    assert layers.Dense(4, dtype="float16").weight_specs((None, 3))[0].itemsize == 2


def test_keras_same_even_kernel_pitfall_warns_at_the_layer() -> None:
    layer = layers.Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=0)
    with pytest.warns(cs.ConvShapeWarning, match="TensorFlow rejects it at run time"):
        assert layer.compute_output_shape((None, 7, 7, 3)) == (None, 12, 12, 8)


def test_symbolic_call() -> None:
    x = Input((28, 28, 1))
    y = layers.Conv2D(4, 3, strides=2)(x)
    assert y.shape == (None, 13, 13, 4)
    assert y.layer.name == "conv2d"
    assert y._history is not None
    assert y._history.node_index == 0
    assert y.layer._inbound_nodes[0].input_tensors == [x]
    assert isinstance(x.layer, InputLayer)
    with pytest.raises(TypeError, match="can only be called on convshape symbolic tensors"):
        layers.Dense(3)((None, 4))


def test_automatic_names_count_per_session_and_prefix() -> None:
    model = Sequential(
        [
            Input((8,)),
            layers.Dense(4),
            layers.Dense(4, name="dense_9"),
            layers.Dense(4),
            layers.LeakyReLU(),
            layers.PReLU(),
            layers.ELU(),
        ]
    )
    assert [layer.name for layer in model.layers] == [
        "dense",
        "dense_9",
        "dense_1",
        "leaky_re_lu",
        "p_re_lu",
        "elu",
    ]
    # The counters are the session's, as Keras's: a second model continues them.
    other = Sequential([Input((8,)), layers.Dense(4)])
    assert other.layers[0].name == "dense_2"


def test_first_layer_input_shape_with_batch_size_and_input_dim() -> None:
    model = Sequential([layers.Dense(4, input_shape=(3,), batch_size=16)])
    assert model.input_shape == (16, 3)
    assert model.output_shape == (16, 4)
    assert Sequential([layers.Dense(4, input_dim=5)]).input_shape == (None, 5)
    assert layers.Embedding(100, 8).input_shape is None
    with pytest.raises(cs.ConvShapeError, match="pass `input_shape` or `input_dim`, not both"):
        layers.Dense(4, input_shape=(2,), input_dim=3)


def test_input_layer_forms() -> None:
    assert Sequential([InputLayer(input_shape=(4,)), layers.Dense(2)]).input_shape == (None, 4)
    assert Sequential([InputLayer(batch_input_shape=(2, 4)), layers.Dense(2)]).output_shape == (
        2,
        2,
    )
    assert InputLayer(input_tensor=Input((3,))).batch_shape == (None, 3)
    with pytest.raises(cs.ConvShapeError, match="pass `batch_size` or `batch_shape`, not both"):
        InputLayer(batch_shape=(2, 4), batch_size=2)
    with pytest.raises(TypeError, match="`input_tensor` must be a convshape symbolic tensor"):
        InputLayer(input_tensor=(None, 3))  # type: ignore[arg-type]


def test_sequential_input_rules() -> None:
    model = Sequential([Input((3,))])
    with pytest.raises(cs.ConvShapeError, match="already has the input shape"):
        model.add(Input((4,)))
    late = Sequential([layers.Dense(2)])
    with pytest.raises(cs.ConvShapeError, match="must come before its layers"):
        late.add(InputLayer((3,)))
    with pytest.raises(TypeError, match="only convshape layers can be added"):
        model.add("dense")
    with pytest.raises(TypeError, match=r"only a tensor from convshape\.Input"):
        model.add(layers.Dense(2)(Input((3,))))
    with pytest.raises(TypeError, match="`name` must be a str"):
        Sequential(name=3)  # type: ignore[arg-type]


def test_add_rejects_a_layer_that_does_not_fit_and_keeps_the_model() -> None:
    model = Sequential([Input((4, 4, 1)), layers.Conv2D(2, 3)])
    with pytest.raises(
        cs.EmptyOutputError, match="Conv2D: in spatial dimension 0 the effective kernel"
    ):
        model.add(layers.Conv2D(2, 3))
    assert len(model.layers) == 1
    assert model.output_shape == (None, 2, 2, 2)


def test_pop() -> None:
    model = Sequential([Input((3,)), layers.Dense(4)])
    assert model.pop().name == "dense"
    assert model.output_shape == (None, 3)
    with pytest.raises(cs.ConvShapeError, match="no layers in the model to pop"):
        model.pop()


def test_input_shape_validation() -> None:
    layer = layers.Dense(3)
    with pytest.raises(TypeError, match="`input_shape` must be a tuple or list"):
        layer.compute_output_shape(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`input_shape` must hold ints or None, not float"):
        layer.compute_output_shape((None, 2.0))  # type: ignore[arg-type]
    with pytest.raises(cs.ConvShapeError, match="expects an input of rank >= 2"):
        layer.compute_output_shape((3,))
    with pytest.raises(cs.ConvShapeError, match="`dtype` must be None or one of"):
        layers.Dense(3, dtype="complex64")


@pytest.mark.parametrize(
    ("layer", "shape", "expected"),
    [
        pytest.param(
            layers.Conv1D(4, 3, padding="causal", strides=2),
            (None, 9, 2),
            (None, 5, 4),
            id="causal-strided",
        ),
        pytest.param(
            layers.Conv2DTranspose(3, 3, strides=2),
            (None, None, 5, 2),
            (None, None, 11, 3),
            id="unknown-height",
        ),
        pytest.param(layers.Flatten(), (None, None, 3), (None, None), id="flatten-unknown"),
        pytest.param(
            layers.Reshape((-1, 2)), (None, None, 4), (None, None, 2), id="reshape-unknown"
        ),
        pytest.param(layers.Dense(3), (None, 4, 5, 6), (None, 4, 5, 3), id="dense-rank-4"),
        pytest.param(layers.Embedding(10, 4), (None, 3, 2), (None, 3, 2, 4), id="embedding-rank-3"),
        pytest.param(layers.ZeroPadding1D(2), (None, 5, 1), (None, 9, 1), id="zeropad-int"),
        pytest.param(
            layers.Cropping3D(((1, 0), 1, (0, 2))),
            (None, 5, 5, 5, 1),
            (None, 4, 3, 3, 1),
            id="crop3d-mixed",
        ),
        pytest.param(
            layers.GlobalMaxPooling2D(keepdims=True, data_format="channels_first"),
            (None, 3, 5, 5),
            (None, 3, 1, 1),
            id="global-cf-keepdims",
        ),
    ],
)
def test_output_shapes(
    layer: layers.Layer, shape: tuple[int | None, ...], expected: tuple[int | None, ...]
) -> None:
    assert layer.compute_output_shape(shape) == expected


@pytest.mark.parametrize("trainable", [True, False])
@pytest.mark.parametrize("dtype", [None, "float16", "float64"])
def test_weights_built_final_carry_the_flags_the_generic_pass_would_give(
    trainable: bool, dtype: str | None
) -> None:
    """Layers that build their weights with ``_weight`` skip the generic pass that applies
    the layer's trainable flag and bytes per scalar; applying it again changes nothing."""
    cases = [
        (layers.Dense(4), (None, 3)),
        (layers.Dense(4, lora_rank=2), (None, 3)),
        (layers.Embedding(10, 4, lora_rank=2), (None, 5)),
        (layers.Conv2D(4, 3, lora_rank=2), (None, 8, 8, 3)),
        (layers.Conv2DTranspose(4, 3, use_bias=False), (None, 8, 8, 3)),
        (layers.Conv3DTranspose(4, 3), (None, 8, 8, 8, 3)),
        (layers.SeparableConv2D(4, 3), (None, 8, 8, 3)),
        (layers.DepthwiseConv1D(3), (None, 8, 3)),
        (layers.BatchNormalization(), (None, 8, 3)),
        (layers.LayerNormalization(), (None, 8, 3)),
        (layers.GroupNormalization(3), (None, 8, 3)),
    ]
    for plain, shape in cases:
        layer = plain._replace(trainable=trainable, dtype=dtype)
        assert type(layer)._final_weights
        itemsize = layer._bytes_per_param()
        built = layer.weight_specs(shape)
        again = tuple(
            Weight(w.name, w.shape, w.trainable and layer.trainable, w.itemsize or itemsize)
            for w in built
        )
        assert built == again, type(layer).__name__
        assert all(w.itemsize for w in built)
        if not trainable:
            assert not any(w.trainable for w in built)


def test_every_default_is_the_class_attribute_instances_fall_back_to() -> None:
    """A record stores only the arguments that differ from their defaults; reading any
    other field falls back to the class attribute, which must be the default itself."""
    from convshape.layers import _MODULES
    from convshape.layers._registry import layer_class
    from convshape.summary import Summary, SummaryRow

    classes: list[type] = [Summary, SummaryRow, InputLayer]
    classes += [cls for name in _MODULES if (cls := layer_class(name)) is not None]
    assert len(classes) > 60
    for cls in classes:
        for spec in fields(cls):
            if spec.init and spec.default is not MISSING:
                assert getattr(cls, spec.name) is spec.default, (cls.__name__, spec.name)
    conv = layers.Conv2D(8, 3)
    assert "activation" not in vars(conv)
    assert conv.activation is None
    assert layers.Conv2D(8, 3, activation="relu").activation == "relu"


def test_call_keywords() -> None:
    """A layer's call takes its input positionally or as ``inputs=``, with ``training`` and
    ``mask`` ignored; any other keyword is Keras's TypeError."""
    dense = layers.Dense(3)
    assert dense.output_spec(inputs=(None, 4), training=True, mask=None) == (None, 3)
    with pytest.raises(
        TypeError, match=r"^Dense\.call\(\) got an unexpected keyword argument 'foo'$"
    ):
        dense.output_spec((None, 4), foo=1, zoo=2)
    with pytest.raises(TypeError, match=r"^Dense takes exactly one input tensor, got 2$"):
        dense.output_spec((None, 4), inputs=(None, 4))


def test_recurrent_dropout_rates_clip_however_large() -> None:
    """Keras clips ``min(1.0, max(0.0, rate))``; a rate too large for a float clipped too
    (it raised OverflowError)."""
    assert layers.LSTM(4, recurrent_dropout=10**400).recurrent_dropout == 1.0
    assert layers.GRU(4, dropout=-(10**400)).dropout == 0.0
    assert layers.SimpleRNN(4, dropout=0.25).dropout == 0.25

"""Oracle tests: recurrent and attention layers against real Keras 3 on real tensors.

Each configuration is built twice, by one factory applied to ``keras.layers`` and to
the convshape classes, then called in Keras on zeros arrays (unknown sizes filled in)
and symbolically on ``keras.Input`` with the unknown sizes kept. convshape's
``output_spec`` must give the same structure of shapes, and ``build_weights`` the same
weights (shapes, names below the layer, trainable flags, hence ``count_params``).
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

import convshape
from convshape import layers as cl
from convshape._naming import clear_session
from convshape.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from convshape.layers.rnn import GRU, LSTM, SimpleRNN
from convshape.layers.wrappers import Bidirectional, TimeDistributed, resolve_layer
from tests.oracles import ORACLE_COUNTS, oracle

Shape = tuple[int | None, ...]
Factory = Callable[[Any], Any]

OURS = SimpleNamespace(
    SimpleRNN=SimpleRNN,
    LSTM=LSTM,
    GRU=GRU,
    Bidirectional=Bidirectional,
    TimeDistributed=TimeDistributed,
    Attention=Attention,
    AdditiveAttention=AdditiveAttention,
    MultiHeadAttention=MultiHeadAttention,
    Dense=cl.Dense,
    Conv2D=cl.Conv2D,
    Flatten=cl.Flatten,
    MaxPooling2D=cl.MaxPooling2D,
)

#: The classes of this change, for the constructor-signature comparison.
CLASSES = (
    "SimpleRNN",
    "LSTM",
    "GRU",
    "Bidirectional",
    "TimeDistributed",
    "Attention",
    "AdditiveAttention",
    "MultiHeadAttention",
)


@dataclasses.dataclass(frozen=True)
class Case:
    """One configuration: a layer factory, the input shapes (None: unknown) and the call."""

    id: str
    make: Factory
    shapes: tuple[Shape, ...]
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: The inputs go as one list (Attention) rather than as separate arguments.
    as_list: bool = False
    #: Shapes passed as keyword arguments (initial_state), filled and turned into zeros.
    state_shapes: tuple[Shape, ...] = ()
    #: Also call Keras on symbolic inputs with the unknown sizes kept.
    symbolic: bool = True


@pytest.fixture(scope="module")
def keras() -> Any:
    module = oracle("keras")
    assert module.backend.backend() == "tensorflow"
    return module


def _fill(shape: Shape) -> tuple[int, ...]:
    """Unknown sizes for the real tensors: 2 for the batch, 5 elsewhere."""
    return tuple((2 if axis == 0 else 5) if dim is None else dim for axis, dim in enumerate(shape))


def _zeros(shape: Shape) -> Any:
    import numpy as np

    return np.zeros(_fill(shape), dtype="float32")


def _keras_shapes(keras: Any, outputs: Any) -> list[Shape]:
    return [tuple(tensor.shape) for tensor in keras.tree.flatten(outputs)]


def _ours(outputs: Any) -> list[Shape]:
    return list(outputs) if isinstance(outputs, list) else [outputs]


def _compatible(general: Shape, concrete: Shape) -> bool:
    return len(general) == len(concrete) and all(
        g is None or g == c for g, c in zip(general, concrete, strict=True)
    )


def _args(case: Case, shapes: Sequence[Any]) -> list[Any]:
    return [list(shapes)] if case.as_list else list(shapes)


def _run(keras: Any, case: Case, family: str, *, scores_symbolic: bool = True) -> None:
    ORACLE_COUNTS[f"keras rnn/attention {family} configurations"] += 1
    keras.backend.clear_session()
    clear_session()
    theirs = case.make(keras.layers)
    ours = case.make(OURS)
    concrete = [_fill(shape) for shape in case.shapes]
    kwargs = dict(case.kwargs)
    our_kwargs = dict(case.kwargs)
    if case.state_shapes:
        kwargs["initial_state"] = [_zeros(shape) for shape in case.state_shapes]
        our_kwargs["initial_state"] = [_fill(shape) for shape in case.state_shapes]

    expected = _keras_shapes(
        keras, theirs(*_args(case, [_zeros(s) for s in case.shapes]), **kwargs)
    )
    got = _ours(ours.output_spec(*_args(case, concrete), **our_kwargs))
    assert got == expected, case.id

    weights = ours.build_weights(*_args(case, concrete), **our_kwargs)
    assert [w.shape for w in weights] == [tuple(v.shape) for v in theirs.weights], case.id
    assert [w.name for w in weights] == [v.path.split("/", 1)[1] for v in theirs.weights]
    trainable = {id(v) for v in theirs.trainable_weights}
    assert [w.trainable for w in weights] == [id(v) in trainable for v in theirs.weights]
    assert sum(w.size for w in weights) == theirs.count_params()

    if not case.symbolic:
        return
    inputs = [keras.Input(batch_shape=shape) for shape in case.shapes]
    symbolic = _keras_shapes(keras, theirs(*_args(case, inputs), **case.kwargs))
    general = _ours(ours.output_spec(*_args(case, case.shapes), **case.kwargs))
    # Keras's symbolic MultiHeadAttention scores are (B, heads, T, T) whatever the key's
    # length: only the output is compared there, the scores agree with the real run.
    compared = len(general) if scores_symbolic else 1
    assert general[:compared] == symbolic[:compared], case.id
    assert all(_compatible(g, c) for g, c in zip(general, got, strict=True))


# -- SimpleRNN, LSTM, GRU -------------------------------------------------------

RNN_SHAPES: tuple[Shape, ...] = ((None, 6, 3), (None, None, 3), (4, 1, 2))


def _make(cls: str, *args: Any, **kwargs: Any) -> Factory:
    """A factory of ``cls`` from the namespace it is given (keras.layers or convshape's)."""
    return lambda L: getattr(L, cls)(*args, **kwargs)


RNN_CASES: list[Case] = []
for _cls in ("SimpleRNN", "LSTM", "GRU"):
    for _index, (_units, _rs, _rst, _gb) in enumerate(
        (u, rs, rst, gb)
        for u in (1, 7)
        for rs in (False, True)
        for rst in (False, True)
        for gb in (False, True)
    ):
        _shape = RNN_SHAPES[_index % 3]
        RNN_CASES.append(
            Case(
                f"{_cls}-{_units}-seq{int(_rs)}-state{int(_rst)}-back{int(_gb)}-{_shape}",
                _make(_cls, _units, return_sequences=_rs, return_state=_rst, go_backwards=_gb),
                (_shape,),
            )
        )
    RNN_CASES += [
        Case(f"{_cls}-no-bias", _make(_cls, 5, use_bias=False), ((None, 4, 6),)),
        Case(f"{_cls}-frozen", _make(_cls, 5, trainable=False), ((None, 4, 6),)),
        Case(
            f"{_cls}-stateful",
            _make(_cls, 3, stateful=True, return_sequences=True),
            ((4, 6, 2),),
        ),
        Case(f"{_cls}-unroll", _make(_cls, 3, unroll=True, return_state=True), ((None, 4, 2),)),
        Case(
            f"{_cls}-dropout",
            _make(_cls, 3, dropout=0.5, recurrent_dropout=0.25, seed=1),
            ((None, 4, 2),),
        ),
        Case(
            f"{_cls}-initial-state",
            _make(_cls, 3, return_state=True),
            ((None, 4, 2),),
            state_shapes=((None, 3),) * (2 if _cls == "LSTM" else 1),
            symbolic=False,
        ),
    ]
RNN_CASES += [
    Case("GRU-reset-before", _make("GRU", 6, reset_after=False), ((None, 5, 4),)),
    Case(
        "GRU-reset-before-no-bias",
        _make("GRU", 6, reset_after=False, use_bias=False),
        ((None, 5, 4),),
    ),
    Case("LSTM-no-forget-bias", _make("LSTM", 6, unit_forget_bias=False), ((None, 5, 4),)),
    Case("LSTM-no-cudnn", _make("LSTM", 6, use_cudnn=False), ((None, 5, 4),)),
    Case("LSTM-implementation-1", _make("LSTM", 6, implementation=1), ((None, 5, 4),)),
    Case("SimpleRNN-relu", _make("SimpleRNN", 6, "relu"), ((None, 5, 4),)),
]


@pytest.mark.parametrize("case", RNN_CASES, ids=[c.id for c in RNN_CASES])
def test_recurrent_layers_match_keras(keras: Any, case: Case) -> None:
    _run(keras, case, "SimpleRNN/LSTM/GRU")
    ours = case.make(OURS)
    assert ours.compute_output_shape(case.shapes[0]) == ours.output_spec(case.shapes[0])
    assert ours.count_params(case.shapes[0]) == sum(
        w.size for w in ours.build_weights(case.shapes[0])
    )


# -- Bidirectional --------------------------------------------------------------


def _bidi(inner: Factory, merge_mode: str | None) -> Factory:
    return lambda L: L.Bidirectional(inner(L), merge_mode=merge_mode)


BIDI_CASES: list[Case] = []
for _merge in ("concat", "sum", "mul", "ave", None):
    for _rs in (False, True):
        for _rst in (False, True):
            BIDI_CASES.append(
                Case(
                    f"LSTM-{_merge}-seq{int(_rs)}-state{int(_rst)}",
                    _bidi(_make("LSTM", 7, return_sequences=_rs, return_state=_rst), _merge),
                    ((None, 5, 3) if _rs else (None, None, 3),),
                )
            )
    BIDI_CASES += [
        Case(
            f"GRU-{_merge}",
            _bidi(_make("GRU", 4, return_sequences=True, return_state=True), _merge),
            ((2, 5, 3),),
        ),
        Case(
            f"SimpleRNN-{_merge}",
            _bidi(_make("SimpleRNN", 4), _merge),
            ((None, 5, 3),),
        ),
    ]
BIDI_CASES += [
    Case(
        "backward-layer-other-units",
        lambda L: L.Bidirectional(
            L.LSTM(7, return_sequences=True),
            backward_layer=L.LSTM(3, go_backwards=True, return_sequences=True),
        ),
        ((None, 5, 3),),
        # Keras's symbolic shape doubles the forward units; the real output adds both.
        symbolic=False,
    ),
    Case(
        "backward-layer-other-class",
        lambda L: L.Bidirectional(
            L.LSTM(4), merge_mode="sum", backward_layer=L.GRU(4, go_backwards=True)
        ),
        ((None, 5, 3),),
    ),
    Case(
        "GRU-reset-before-frozen",
        lambda L: L.Bidirectional(L.GRU(4, reset_after=False), trainable=False),
        ((None, 5, 3),),
    ),
    Case(
        "LSTM-initial-state",
        lambda L: L.Bidirectional(L.LSTM(4, return_state=True)),
        ((None, 5, 3),),
        state_shapes=((None, 4),) * 4,
        symbolic=False,
    ),
    Case(
        "stateful",
        lambda L: L.Bidirectional(L.GRU(4, stateful=True)),
        ((3, 5, 2),),
    ),
]


@pytest.mark.parametrize("case", BIDI_CASES, ids=[c.id for c in BIDI_CASES])
def test_bidirectional_matches_keras(keras: Any, case: Case) -> None:
    _run(keras, case, "Bidirectional")
    ours = case.make(OURS)
    assert ours.compute_output_shape(case.shapes[0]) == ours.output_spec(case.shapes[0])


# -- TimeDistributed ------------------------------------------------------------

TD_CASES: list[Case] = [
    Case("Dense", lambda L: L.TimeDistributed(L.Dense(4)), ((None, 5, 3),)),
    Case("Dense-unknown-steps", lambda L: L.TimeDistributed(L.Dense(4)), ((None, None, 3),)),
    Case("Dense-rank4", lambda L: L.TimeDistributed(L.Dense(4)), ((2, 5, 6, 3),)),
    Case(
        "Dense-frozen",
        lambda L: L.TimeDistributed(L.Dense(4, use_bias=False), trainable=False),
        ((None, 5, 3),),
    ),
    Case("Conv2D", lambda L: L.TimeDistributed(L.Conv2D(4, 3)), ((None, 5, 8, 8, 3),)),
    Case(
        "Conv2D-strided-same",
        lambda L: L.TimeDistributed(L.Conv2D(2, (3, 2), strides=2, padding="same")),
        ((None, None, 9, 7, 1),),
    ),
    Case("Flatten", lambda L: L.TimeDistributed(L.Flatten()), ((None, 5, 4, 4, 3),)),
    Case("Flatten-unknown", lambda L: L.TimeDistributed(L.Flatten()), ((None, None, 4, 4, 3),)),
    Case("MaxPooling2D", lambda L: L.TimeDistributed(L.MaxPooling2D()), ((None, 5, 4, 4, 3),)),
    Case(
        "MaxPooling2D-stride1",
        lambda L: L.TimeDistributed(L.MaxPooling2D(3, strides=1)),
        ((None, 5, 7, 6, 2),),
    ),
    Case("LSTM", lambda L: L.TimeDistributed(L.LSTM(3)), ((None, 5, 4, 2),)),
    Case(
        "GRU-sequences",
        lambda L: L.TimeDistributed(L.GRU(3, return_sequences=True)),
        ((2, 5, 4, 2),),
    ),
]


@pytest.mark.parametrize("case", TD_CASES, ids=[c.id for c in TD_CASES])
def test_time_distributed_matches_keras(keras: Any, case: Case) -> None:
    _run(keras, case, "TimeDistributed")
    ours = case.make(OURS)
    assert ours.compute_output_shape(case.shapes[0]) == ours.output_spec(case.shapes[0])


# -- Attention and AdditiveAttention ----------------------------------------------

ATTENTION_CASES: list[Case] = []
_shapes: tuple[Shape, ...]
for _scale in (False, True):
    for _mode in ("dot", "concat"):
        for _shapes in (
            ((None, 4, 8), (None, 6, 8)),
            ((None, None, 8), (None, 6, 5), (None, 6, 8)),
        ):
            for _scores in (False, True):
                ATTENTION_CASES.append(
                    Case(
                        f"Attention-scale{int(_scale)}-{_mode}-{len(_shapes)}in-scores{int(_scores)}",
                        _make("Attention", use_scale=_scale, score_mode=_mode),
                        _shapes,
                        {"return_attention_scores": _scores},
                        as_list=True,
                    )
                )
    for _shapes in (((None, 4, 8), (None, 6, 8)), ((2, 4, 8), (2, 6, 5), (2, 6, 8))):
        ATTENTION_CASES.append(
            Case(
                f"AdditiveAttention-scale{int(_scale)}-{len(_shapes)}in",
                _make("AdditiveAttention", use_scale=_scale),
                _shapes,
                {"return_attention_scores": True},
                as_list=True,
            )
        )
ATTENTION_CASES += [
    Case(
        "Attention-batch-broadcast",
        lambda L: L.Attention(),
        ((2, 4, 8), (1, 6, 8)),
        {"return_attention_scores": True},
        as_list=True,
    ),
    Case("Attention-rank2", lambda L: L.Attention(), ((4, 8), (6, 8)), as_list=True),
    Case(
        "Attention-rank4",
        lambda L: L.Attention(use_scale=True),
        ((None, 3, 4, 8), (None, 3, 6, 5), (None, 3, 6, 8)),
        {"return_attention_scores": True},
        as_list=True,
    ),
    Case(
        "Attention-concat-feature-broadcast",
        lambda L: L.Attention(score_mode="concat"),
        ((None, 4, 1), (None, 6, 5)),
        as_list=True,
    ),
    Case(
        "Attention-causal-dropout",
        lambda L: L.Attention(dropout=0.5, seed=3),
        ((None, 4, 8), (None, 4, 8)),
        {"use_causal_mask": True},
        as_list=True,
    ),
    Case(
        "AdditiveAttention-feature-broadcast",
        lambda L: L.AdditiveAttention(),
        ((None, 4, 1), (None, 6, 5)),
        as_list=True,
    ),
]


@pytest.mark.parametrize("case", ATTENTION_CASES, ids=[c.id for c in ATTENTION_CASES])
def test_attention_matches_keras(keras: Any, case: Case) -> None:
    _run(keras, case, "Attention/AdditiveAttention")
    ours = case.make(OURS)
    first = _ours(ours.output_spec(list(case.shapes), **case.kwargs))[0]
    assert ours.compute_output_shape(list(case.shapes)) == first
    concrete = [_fill(shape) for shape in case.shapes]
    assert ours.count_params(concrete) == sum(w.size for w in ours.build_weights(concrete))


# -- MultiHeadAttention -----------------------------------------------------------

MHA_SHAPES: tuple[tuple[Shape, ...], ...] = (
    ((None, 4, 8), (None, 6, 8)),
    ((None, 4, 8), (None, 6, 5), (None, 6, 3)),
    ((None, None, 8), (None, None, 8)),
    ((2, 4, 8), (2, 4, 8)),
)


def _mha(*args: Any, **kwargs: Any) -> Factory:
    return lambda L: L.MultiHeadAttention(*args, **kwargs)


MHA_CASES: list[Case] = []
for _index, (_heads, _key_dim, _value_dim, _shapes) in enumerate(
    (h, k, v, s) for h in (1, 3) for k in (2, 5) for v in (None, 4) for s in MHA_SHAPES
):
    MHA_CASES.append(
        Case(
            f"heads{_heads}-key{_key_dim}-value{_value_dim}-{len(_shapes)}in-{_shapes[0]}",
            _mha(_heads, _key_dim, _value_dim),
            _shapes,
            {"return_attention_scores": _index % 2 == 1},
        )
    )
MHA_CASES += [
    Case("output-int", _mha(2, 3, output_shape=6), MHA_SHAPES[1]),
    Case("output-pair", _mha(2, 3, output_shape=(2, 3)), MHA_SHAPES[1]),
    Case("output-list", _mha(2, 3, 4, output_shape=[7]), MHA_SHAPES[0]),
    Case("no-bias", _mha(2, 3, 4, use_bias=False, output_shape=5), MHA_SHAPES[1]),
    Case("gate", _mha(2, 3, 4, use_gate=True), MHA_SHAPES[1]),
    Case("frozen", _mha(2, 3, trainable=False), MHA_SHAPES[0]),
    Case("dropout", _mha(2, 3, dropout=0.3, seed=1), MHA_SHAPES[0]),
    Case("causal", _mha(2, 3), MHA_SHAPES[3], {"use_causal_mask": True}),
    Case("sliding-window", _mha(2, 3, sliding_window=2), MHA_SHAPES[3]),
    Case(
        "axes-2",
        _mha(2, 3, attention_axes=2),
        ((None, 3, 4, 8), (None, 3, 6, 5)),
        {"return_attention_scores": True},
    ),
    Case(
        "axes-minus-2",
        _mha(2, 3, attention_axes=-2),
        ((None, 3, 4, 8), (None, 3, 6, 5)),
        {"return_attention_scores": True},
    ),
    Case(
        "axes-1-2",
        _mha(2, 3, attention_axes=(1, 2)),
        ((None, 3, 4, 8), (None, 5, 6, 5)),
        {"return_attention_scores": True},
    ),
    Case(
        "axes-2-1",
        _mha(2, 3, attention_axes=[2, 1], output_shape=4),
        ((2, 3, 4, 8), (2, 5, 6, 5), (2, 5, 6, 2)),
        {"return_attention_scores": True},
    ),
    Case(
        "axes-rank5",
        _mha(3, 2, 4, attention_axes=(2, 3)),
        ((None, 2, 3, 4, 8), (None, 2, 5, 6, 5)),
        {"return_attention_scores": True},
    ),
    Case(
        "axes-batch",
        _mha(2, 3, attention_axes=0),
        ((2, 3, 4, 8), (2, 3, 4, 5)),
        {"return_attention_scores": True},
    ),
    Case(
        "axes-heads",
        _mha(2, 3, attention_axes=-1),
        ((2, 3, 4, 8), (2, 3, 4, 5)),
        {"return_attention_scores": True},
    ),
]


@pytest.mark.parametrize("case", MHA_CASES, ids=[c.id for c in MHA_CASES])
def test_multi_head_attention_matches_keras(keras: Any, case: Case) -> None:
    _run(keras, case, "MultiHeadAttention", scores_symbolic=False)
    ours = case.make(OURS)
    concrete = [_fill(shape) for shape in case.shapes]
    first = _ours(ours.output_spec(*concrete, **case.kwargs))[0]
    assert ours.compute_output_shape(*concrete) == first
    assert ours.count_params(*concrete) == sum(w.size for w in ours.build_weights(*concrete))
    assert ours.count_trainable_params(*concrete) + ours.count_non_trainable_params(
        *concrete
    ) == ours.count_params(*concrete)


def test_multi_head_attention_build_takes_keras_automatic_names(keras: Any) -> None:
    """Keras's first build creates an unnamed Softmax and Dropout, so the next Dropout
    layer is dropout_1 in both."""
    ORACLE_COUNTS["keras rnn/attention MultiHeadAttention configurations"] += 1
    keras.backend.clear_session()
    clear_session()
    x = keras.Input((4, 8))
    keras.layers.MultiHeadAttention(2, 3)(x, x)
    keras.layers.MultiHeadAttention(2, 3)(x, x)
    y = convshape.Input((4, 8))
    MultiHeadAttention(2, 3)(y, y)
    MultiHeadAttention(2, 3)(y, y)
    assert cl.Dropout(0.1).name == keras.layers.Dropout(0.1).name == "dropout_2"


# -- calls on symbolic tensors and Keras configs ------------------------------------


def test_graph_calls_return_keras_structures(keras: Any) -> None:
    ORACLE_COUNTS["keras rnn/attention graph calls"] += 1
    keras.backend.clear_session()
    clear_session()
    x, q = keras.Input((None, 3)), keras.Input((4, 8))
    theirs = [
        keras.layers.LSTM(5, return_state=True)(x),
        keras.layers.Bidirectional(keras.layers.GRU(2, return_sequences=True))(x),
        keras.layers.TimeDistributed(keras.layers.Dense(6))(x),
        keras.layers.Attention()([q, q], return_attention_scores=True),
        keras.layers.MultiHeadAttention(2, 3)(q, q, q),
    ]
    y, r = convshape.Input((None, 3)), convshape.Input((4, 8))
    ours = [
        LSTM(5, return_state=True)(y),
        Bidirectional(GRU(2, return_sequences=True))(y),
        TimeDistributed(cl.Dense(6))(y),
        Attention()([r, r], return_attention_scores=True),
        MultiHeadAttention(2, 3)(r, r, r),
    ]
    for mine, keras_out in zip(ours, theirs, strict=True):
        tensors = mine if isinstance(mine, list) else [mine]
        assert [t.shape for t in tensors] == _keras_shapes(keras, keras_out)


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda L: L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="ave"), (2, 5, 3)),
        (
            lambda L: L.Bidirectional(
                L.LSTM(4), backward_layer=L.SimpleRNN(4, go_backwards=True), merge_mode="mul"
            ),
            (2, 5, 3),
        ),
        (lambda L: L.TimeDistributed(L.Conv2D(3, 2, padding="same")), (2, 4, 6, 6, 2)),
        (lambda L: L.TimeDistributed(L.GRU(3, reset_after=False)), (2, 4, 6, 2)),
    ],
    ids=["bidirectional", "bidirectional-backward-layer", "time-distributed", "td-gru"],
)
def test_wrappers_load_from_keras_configs(keras: Any, make: Factory, shape: Shape) -> None:
    """A wrapper's Keras config holds its inner layers as dicts; convshape builds them."""
    ORACLE_COUNTS["keras rnn/attention configs loaded"] += 1
    keras.backend.clear_session()
    clear_session()
    theirs = make(keras.layers)
    output = theirs(_zeros(shape))
    config = keras.saving.serialize_keras_object(theirs)
    ours = resolve_layer(config)
    assert type(ours).__name__ == config["class_name"]
    assert _ours(ours.output_spec(shape)) == _keras_shapes(keras, output)
    weights = ours.build_weights(shape)
    assert [w.name for w in weights] == [v.path.split("/", 1)[1] for v in theirs.weights]
    assert sum(w.size for w in weights) == theirs.count_params()


CONFIG_CASES: list[Case] = [
    Case("GRU", _make("GRU", 4, reset_after=False, return_sequences=True), ((2, 5, 3),)),
    Case("LSTM", _make("LSTM", 4, return_state=True, unit_forget_bias=False), ((2, 5, 3),)),
    Case("SimpleRNN", _make("SimpleRNN", 4, go_backwards=True, use_bias=False), ((2, 5, 3),)),
    Case("Attention", _make("Attention", True, "concat"), ((2, 4, 8), (2, 6, 8)), as_list=True),
    Case(
        "AdditiveAttention",
        _make("AdditiveAttention"),
        ((2, 4, 8), (2, 6, 5), (2, 6, 8)),
        as_list=True,
    ),
    Case(
        "MultiHeadAttention",
        _mha(2, 3, 4, output_shape=(2, 3), attention_axes=-2, use_gate=True, use_bias=False),
        ((2, 3, 4, 8), (2, 3, 6, 5)),
    ),
]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c.id for c in CONFIG_CASES])
def test_layers_load_from_keras_configs(keras: Any, case: Case) -> None:
    """Every key of a built layer's Keras config is an argument convshape accepts."""
    ORACLE_COUNTS["keras rnn/attention configs loaded"] += 1
    keras.backend.clear_session()
    clear_session()
    theirs = case.make(keras.layers)
    output = theirs(*_args(case, [_zeros(shape) for shape in case.shapes]))
    ours = resolve_layer(keras.saving.serialize_keras_object(theirs))
    assert type(ours).__name__ == type(theirs).__name__
    assert _ours(ours.output_spec(*_args(case, case.shapes))) == _keras_shapes(keras, output)
    weights = ours.build_weights(*_args(case, case.shapes))
    assert [w.name for w in weights] == [v.path.split("/", 1)[1] for v in theirs.weights]
    assert sum(w.size for w in weights) == theirs.count_params()


def test_sequential_with_recurrent_layers_matches_keras(keras: Any) -> None:
    ORACLE_COUNTS["keras rnn/attention graph calls"] += 1
    keras.backend.clear_session()
    clear_session()

    def build(L: Any, input_: Any, sequential: Any) -> Any:
        return sequential(
            [
                input_((10, 3)),
                L.LSTM(8, return_sequences=True),
                L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode="sum"),
                L.TimeDistributed(L.Dense(5)),
                L.SimpleRNN(2),
            ]
        )

    theirs = build(keras.layers, keras.Input, keras.Sequential)
    ours = build(OURS, convshape.Input, convshape.Sequential)
    assert ours.output_shape == theirs.output_shape
    assert ours.count_params() == theirs.count_params()
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]


def test_unroll_on_unknown_timesteps_warns_as_keras_fails_at_run_time(keras: Any) -> None:
    import tensorflow as tf

    ORACLE_COUNTS["keras rnn/attention pitfalls confirmed"] += 1
    layer = keras.layers.LSTM(4, unroll=True)
    layer(_zeros((2, 5, 3)))
    traced = tf.function(layer, input_signature=[tf.TensorSpec((None, None, 3))])
    with pytest.raises(ValueError, match="Cannot unroll"):
        traced.get_concrete_function()
    with pytest.warns(convshape.ConvShapeWarning, match="unroll"):
        assert LSTM(4, unroll=True).compute_output_shape((None, None, 3)) == (None, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert LSTM(4, unroll=True).compute_output_shape((None, 5, 3)) == (None, 4)


# -- rejections ---------------------------------------------------------------------


def _eager(
    make: Factory, *shapes: Shape, as_list: bool = False, states: Sequence[Shape] | None = None
) -> Factory:
    """Build the layer and call it on zeros of these shapes (for the Keras side)."""

    def run(L: Any) -> Any:
        arrays = [_zeros(shape) for shape in shapes]
        kwargs = {} if states is None else {"initial_state": [_zeros(s) for s in states]}
        return make(L)(*([arrays] if as_list else arrays), **kwargs)

    return run


def _spec(make: Factory, *shapes: Any, as_list: bool = False, **kwargs: Any) -> Factory:
    """Build the layer and ask its output shape (for the convshape side)."""
    return lambda L: make(L).output_spec(*([list(shapes)] if as_list else shapes), **kwargs)


def _symbolic(make: Factory, *shapes: Shape) -> Factory:
    def run(L: Any) -> Any:
        import keras

        return make(L)(*(keras.Input(batch_shape=shape) for shape in shapes))

    return run


_Q, _V = (2, 4, 8), (2, 6, 8)

#: (id, Keras side, convshape side, words the convshape error must contain)
REJECTED: list[tuple[str, Factory, Factory, str]] = [
    ("units-zero", _make("LSTM", 0), _make("LSTM", 0), "units"),
    ("units-float", _eager(_make("GRU", 2.5), (2, 5, 3)), _make("GRU", 2.5), "units"),
    (
        "use-cudnn",
        _make("LSTM", 2, use_cudnn="yes"),
        _make("LSTM", 2, use_cudnn="yes"),
        "use_cudnn",
    ),
    (
        "simple-rnn-implementation",
        _make("SimpleRNN", 2, implementation=1),
        _make("SimpleRNN", 2, implementation=1),
        "implementation",
    ),
    ("dropout-string", _make("LSTM", 2, dropout="a"), _make("LSTM", 2, dropout="a"), "dropout"),
    (
        "rnn-rank-2",
        _eager(_make("LSTM", 2), (2, 3)),
        _spec(_make("LSTM", 2), (2, 3)),
        "rank 3",
    ),
    (
        "rnn-rank-4",
        _eager(_make("SimpleRNN", 2), (2, 3, 4, 5)),
        _spec(_make("SimpleRNN", 2), (2, 3, 4, 5)),
        "rank 3",
    ),
    (
        "rnn-no-timesteps",
        _eager(_make("LSTM", 2), (2, 0, 5)),
        _spec(_make("LSTM", 2), (2, 0, 5)),
        "timestep",
    ),
    (
        "stateful-unknown-batch",
        _symbolic(_make("GRU", 2, stateful=True), (None, 5, 3)),
        _spec(_make("GRU", 2, stateful=True), (None, 5, 3)),
        "batch size",
    ),
    (
        "lstm-one-initial-state",
        _eager(_make("LSTM", 4), (2, 5, 3), states=[(2, 4)]),
        _spec(_make("LSTM", 4), (2, 5, 3), initial_state=(2, 4)),
        "2 initial state",
    ),
    (
        "lstm-initial-state-units",
        _eager(_make("LSTM", 4), (2, 5, 3), states=[(2, 5)] * 2),
        _spec(_make("LSTM", 4), (2, 5, 3), initial_state=[(2, 5)] * 2),
        "units=4",
    ),
    (
        "bidirectional-backwards-layer",
        lambda L: L.Bidirectional(L.LSTM(4, go_backwards=True)),
        lambda L: L.Bidirectional(L.LSTM(4, go_backwards=True)),
        "go_backwards",
    ),
    (
        "bidirectional-dense",
        lambda L: L.Bidirectional(L.Dense(4)),
        lambda L: L.Bidirectional(L.Dense(4)),
        "recurrent layer",
    ),
    (
        "bidirectional-not-a-layer",
        lambda L: L.Bidirectional("lstm"),
        lambda L: L.Bidirectional("lstm"),
        "layer",
    ),
    (
        "bidirectional-merge-mode",
        lambda L: L.Bidirectional(L.LSTM(4), merge_mode="max"),
        lambda L: L.Bidirectional(L.LSTM(4), merge_mode="max"),
        "merge_mode",
    ),
    (
        "bidirectional-backward-forwards",
        lambda L: L.Bidirectional(L.LSTM(4), backward_layer=L.LSTM(4)),
        lambda L: L.Bidirectional(L.LSTM(4), backward_layer=L.LSTM(4)),
        "go_backwards",
    ),
    (
        "bidirectional-backward-sequences",
        lambda L: L.Bidirectional(
            L.LSTM(4), backward_layer=L.LSTM(4, go_backwards=True, return_sequences=True)
        ),
        lambda L: L.Bidirectional(
            L.LSTM(4), backward_layer=L.LSTM(4, go_backwards=True, return_sequences=True)
        ),
        "return_sequences",
    ),
    (
        "bidirectional-sum-other-units",
        _eager(
            lambda L: L.Bidirectional(
                L.LSTM(4), merge_mode="sum", backward_layer=L.LSTM(3, go_backwards=True)
            ),
            (2, 5, 3),
        ),
        _spec(
            lambda L: L.Bidirectional(
                L.LSTM(4), merge_mode="sum", backward_layer=L.LSTM(3, go_backwards=True)
            ),
            (2, 5, 3),
        ),
        "same shape",
    ),
    (
        "bidirectional-rank-4",
        _eager(lambda L: L.Bidirectional(L.GRU(4)), (2, 3, 4, 5)),
        _spec(lambda L: L.Bidirectional(L.GRU(4)), (2, 3, 4, 5)),
        "rank 3",
    ),
    (
        "time-distributed-rank-2",
        _eager(lambda L: L.TimeDistributed(L.Dense(4)), (2, 3)),
        _spec(lambda L: L.TimeDistributed(L.Dense(4)), (2, 3)),
        "rank >= 3",
    ),
    (
        "time-distributed-not-a-layer",
        lambda L: L.TimeDistributed("dense"),
        lambda L: L.TimeDistributed("dense"),
        "layer",
    ),
    (
        "attention-score-mode",
        lambda L: L.Attention(score_mode="add"),
        lambda L: L.Attention(score_mode="add"),
        "score_mode",
    ),
    (
        "attention-one-input",
        _eager(lambda L: L.Attention(), _Q, as_list=True),
        _spec(lambda L: L.Attention(), _Q, as_list=True),
        "2 or 3 inputs",
    ),
    (
        "attention-tuple",
        lambda L: L.Attention()((_zeros(_Q), _zeros(_V))),
        lambda L: L.Attention().output_spec((_Q, _V)),
        "list of inputs",
    ),
    (
        "attention-features",
        _eager(lambda L: L.Attention(), _Q, (2, 6, 5), as_list=True),
        _spec(lambda L: L.Attention(), _Q, (2, 6, 5), as_list=True),
        "same last dimension",
    ),
    (
        "attention-concat-features",
        _eager(lambda L: L.Attention(score_mode="concat"), _Q, (2, 6, 5), as_list=True),
        _spec(lambda L: L.Attention(score_mode="concat"), _Q, (2, 6, 5), as_list=True),
        "broadcast",
    ),
    (
        "attention-key-steps",
        _eager(lambda L: L.Attention(), _Q, (2, 6, 5), (2, 7, 8), as_list=True),
        _spec(lambda L: L.Attention(), _Q, (2, 6, 5), (2, 7, 8), as_list=True),
        "number of steps",
    ),
    (
        "attention-batch",
        _eager(lambda L: L.Attention(), _Q, (3, 6, 8), as_list=True),
        _spec(lambda L: L.Attention(), _Q, (3, 6, 8), as_list=True),
        "broadcast",
    ),
    (
        "additive-attention-features",
        _eager(lambda L: L.AdditiveAttention(), _Q, (2, 6, 5), as_list=True),
        _spec(lambda L: L.AdditiveAttention(), _Q, (2, 6, 5), as_list=True),
        "broadcast",
    ),
    ("mha-heads", _mha(0, 2), _mha(0, 2), "num_heads"),
    ("mha-key-dim-float", _mha(2, 2.0), _mha(2, 2.0), "key_dim"),
    ("mha-value-dim", _mha(2, 2, 0), _mha(2, 2, 0), "value_dim"),
    ("mha-axes-type", _mha(2, 2, attention_axes="a"), _mha(2, 2, attention_axes="a"), "axes"),
    ("mha-sliding-window", _mha(2, 2, sliding_window=0), _mha(2, 2, sliding_window=0), "window"),
    (
        "mha-flash-dropout",
        _mha(2, 2, dropout=0.5, flash_attention=True),
        _mha(2, 2, dropout=0.5, flash_attention=True),
        "flash",
    ),
    ("mha-dropout", _eager(_mha(2, 2, dropout=1.5), _Q, _V), _mha(2, 2, dropout=1.5), "dropout"),
    (
        "mha-axes-empty",
        _eager(_mha(2, 2, attention_axes=()), (2, 3, 4, 8), (2, 3, 4, 5)),
        _mha(2, 2, attention_axes=()),
        "attention_axes",
    ),
    (
        "mha-axes-last",
        _eager(_mha(2, 2, attention_axes=4), (2, 3, 4, 8), (2, 3, 4, 5)),
        _spec(_mha(2, 2, attention_axes=4), (2, 3, 4, 8), (2, 3, 4, 5)),
        "attention_axes",
    ),
    (
        "mha-axes-repeated",
        _eager(_mha(2, 2, attention_axes=(1, 1)), (2, 3, 4, 8), (2, 3, 4, 5)),
        _spec(_mha(2, 2, attention_axes=(1, 1)), (2, 3, 4, 8), (2, 3, 4, 5)),
        "distinct",
    ),
    (
        "mha-rank-2",
        _eager(_mha(2, 2), (2, 8), (2, 8)),
        _spec(_mha(2, 2), (2, 8), (2, 8)),
        "attention_axes",
    ),
    (
        "mha-ranks",
        _eager(_mha(2, 2), _Q, (2, 4, 7, 8)),
        _spec(_mha(2, 2), _Q, (2, 4, 7, 8)),
        "same rank",
    ),
    (
        "mha-value-key",
        _symbolic(_mha(2, 2), (None, None, 8), (None, None, 8), (None, 5, 8)),
        _spec(_mha(2, 2), (None, None, 8), (None, None, 8), (None, 5, 8)),
        "value` and `key`",
    ),
    (
        "mha-batch",
        _eager(_mha(2, 2), _Q, (3, 6, 8)),
        _spec(_mha(2, 2), _Q, (3, 6, 8)),
        "agree on axis 0",
    ),
    (
        "mha-other-axis",
        _eager(_mha(2, 2, attention_axes=2), (2, 3, 4, 8), (2, 5, 6, 8)),
        _spec(_mha(2, 2, attention_axes=2), (2, 3, 4, 8), (2, 5, 6, 8)),
        "agree on axis 1",
    ),
]


@pytest.mark.parametrize(
    ("theirs", "ours", "words"),
    [(t, o, w) for _, t, o, w in REJECTED],
    ids=[i for i, *_ in REJECTED],
)
def test_keras_and_convshape_both_reject(
    keras: Any, theirs: Factory, ours: Factory, words: str
) -> None:
    ORACLE_COUNTS["keras rnn/attention rejections reproduced"] += 1
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):  # noqa: B017, PT011  (Keras raises ValueError, TypeError or TF's errors)
            theirs(keras.layers)
    with pytest.raises((convshape.ConvShapeError, TypeError), match=words):
        ours(OURS)


def test_mha_scores_error_with_flash_attention(keras: Any) -> None:
    ORACLE_COUNTS["keras rnn/attention rejections reproduced"] += 1
    layer = keras.layers.MultiHeadAttention(2, 2, flash_attention=True)
    with pytest.raises(ValueError, match="flash attention"):
        layer(_zeros(_Q), _zeros(_V), return_attention_scores=True)
    with pytest.raises(convshape.ConvShapeError, match="flash attention"):
        MultiHeadAttention(2, 2, flash_attention=True).output_spec(
            _Q, _V, return_attention_scores=True
        )


def test_resolver_names_an_unknown_class() -> None:
    with pytest.raises(convshape.ConvShapeError, match="'ConvLSTM1D'"):
        TimeDistributed({"class_name": "ConvLSTM1D", "config": {"filters": 2}})
    with pytest.raises(convshape.ConvShapeError, match="'Weight'"):
        Bidirectional({"class_name": "Weight", "config": {}})


# -- constructor signatures -------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSES)
def test_constructor_arguments_match_keras(keras: Any, name: str) -> None:
    """Every argument of Keras's constructor exists here, the positional ones in Keras's
    order up to the first one convshape makes keyword-only."""
    ORACLE_COUNTS["keras rnn/attention constructor signatures compared"] += 1
    theirs = [
        parameter
        for parameter, spec in inspect.signature(
            getattr(keras.layers, name).__init__
        ).parameters.items()
        if parameter != "self" and spec.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    cls = getattr(OURS, name)
    ours = inspect.signature(cls).parameters
    assert set(theirs) <= set(ours), set(theirs) - set(ours)
    positional = [
        p for p, spec in ours.items() if spec.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    assert theirs[: len(positional)] == positional[: len(theirs)]
    defaults = {
        p: spec.default
        for p, spec in inspect.signature(getattr(keras.layers, name).__init__).parameters.items()
    }
    for parameter in theirs:
        if defaults[parameter] is not inspect.Parameter.empty:
            assert ours[parameter].default == defaults[parameter], parameter

"""check() flags Keras's adaptive max pooling exactly where TensorFlow's CPU kernel stops
the process (SIGFPE): each configuration runs in a child forked from a process that has
imported Keras, and the child's fate is compared with the finding."""

from __future__ import annotations

import itertools
import os
import signal
import sys
from typing import Any

import pytest

import convshape as cs
from convshape import layers
from tests.oracles import ORACLE_COUNTS, oracle

CODE = "tensorflow-adaptive-max-pool-crash"

CASES: list[tuple[int, tuple[int, ...], tuple[int, ...], str]] = [
    *((1, (i,), (o,), "channels_last") for i, o in itertools.product((1, 2, 3, 5), (1, 2, 3))),
    *(
        (2, size, out, fmt)
        for size, out, fmt in itertools.product(
            ((1, 4), (4, 1), (3, 5)),
            ((1, 2), (2, 1), (2, 2)),
            ("channels_last", "channels_first"),
        )
    ),
    *(
        (3, size, out, "channels_last")
        for size, out in itertools.product(
            ((4, 5, 1), (1, 5, 6), (4, 5, 6)), ((2, 2, 1), (1, 2, 3))
        )
    ),
]


def _dies_of_sigfpe(keras: Any, rank: int, size: tuple[int, ...], out: Any, fmt: str) -> bool:
    import numpy as np

    shape = (1, *size, 2) if fmt == "channels_last" else (1, 2, *size)
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            layer = getattr(keras.layers, f"AdaptiveMaxPooling{rank}D")(out, data_format=fmt)
            layer(np.ones(shape, "float32"))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGFPE


@pytest.mark.skipif(sys.platform == "win32", reason="needs fork")
def test_the_finding_is_where_tensorflow_crashes() -> None:
    keras = oracle("keras")
    assert keras.backend.backend() == "tensorflow"
    wrong = []
    crashes = 0
    for rank, size, out, fmt in CASES:
        crashed = _dies_of_sigfpe(keras, rank, size, out, fmt)
        crashes += crashed
        shape = (None, *size, 2) if fmt == "channels_last" else (None, 2, *size)
        layer = getattr(layers, f"AdaptiveMaxPooling{rank}D")(out, data_format=fmt)
        flagged = CODE in [finding.code for finding in cs.check(layer, shape)]
        ORACLE_COUNTS["tensorflow adaptive max pooling crashes (forked children)"] += 1
        if flagged != crashed:
            wrong.append((rank, size, out, fmt, crashed, flagged))
    assert wrong == []
    assert 0 < crashes < len(CASES)


def test_average_pooling_and_unknown_sizes_are_not_flagged() -> None:
    assert cs.check(layers.AdaptiveAveragePooling1D(1), (None, 1, 2)) == []
    assert cs.check(layers.AdaptiveMaxPooling1D(1)) == []  # no input shape: nothing known
    model = cs.Sequential([layers.Input((7, 1, 3)), layers.AdaptiveMaxPooling2D(2)])
    assert [f.code for f in cs.check(model)].count(CODE) == 1

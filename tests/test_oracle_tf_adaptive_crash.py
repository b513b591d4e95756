"""check() flags Keras's adaptive max pooling exactly where TensorFlow's CPU kernel stops
the process (SIGFPE).

A fresh Python process imports Keras (TensorFlow backend) and runs each configuration in a
child forked from it; the child's fate is compared with the finding. The forks happen in
that fresh process, not in the test process, whose other frameworks' thread pools could
leave a forked child waiting on a lock forever.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap

import convshape as cs
from convshape import layers
from tests.oracles import ORACLE_COUNTS, oracle

CODE = "tensorflow-adaptive-max-pool-crash"

Case = tuple[int, tuple[int, ...], tuple[int, ...], str]

CASES: list[Case] = [
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

CHILD = textwrap.dedent(
    """
    import json, os, signal, sys
    import numpy as np
    import keras

    fates = []
    for rank, size, out, fmt in json.loads(sys.stdin.read()):
        shape = (1, *size, 2) if fmt == "channels_last" else (1, 2, *size)
        pid = os.fork()
        if pid == 0:
            try:
                layer = getattr(keras.layers, f"AdaptiveMaxPooling{rank}D")(out, data_format=fmt)
                layer(np.ones(shape, "float32"))
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        fates.append(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGFPE)
    print(json.dumps(fates))
    """
)


def _tensorflow_fates() -> list[bool]:
    """Whether each case's child died of SIGFPE."""
    oracle("keras")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("PYTHONFAULTHANDLER", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(CASES),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env=env,
    )
    fates: list[bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return fates


def test_the_finding_is_where_tensorflow_crashes() -> None:
    fates = _tensorflow_fates()
    wrong = []
    for (rank, size, out, fmt), crashed in zip(CASES, fates, strict=True):
        shape = (None, *size, 2) if fmt == "channels_last" else (None, 2, *size)
        layer = getattr(layers, f"AdaptiveMaxPooling{rank}D")(out, data_format=fmt)
        flagged = CODE in [finding.code for finding in cs.check(layer, shape)]
        ORACLE_COUNTS["tensorflow adaptive max pooling crashes (forked children)"] += 1
        if flagged != crashed:
            wrong.append((rank, size, out, fmt, crashed, flagged))
    assert wrong == []
    assert 0 < sum(fates) < len(CASES)


def test_average_pooling_and_unknown_sizes_are_not_flagged() -> None:
    assert cs.check(layers.AdaptiveAveragePooling1D(1), (None, 1, 2)) == []
    assert cs.check(layers.AdaptiveMaxPooling1D(1)) == []  # no input shape: nothing known
    model = cs.Sequential([layers.Input((7, 1, 3)), layers.AdaptiveMaxPooling2D(2)])
    assert [f.code for f in cs.check(model)].count(CODE) == 1

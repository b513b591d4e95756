"""The benchmarks run: ``benchmarks/bench.py --quick`` measures every figure once.

Speed is measured, not asserted: this only checks that the script still runs against
the installed Keras and prints every figure (the numbers of one run mean nothing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.oracles import oracle

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmarks_run_in_quick_mode() -> None:
    oracle("keras")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for figure in (
        'conv_transpose_output_length(7, 5, 2, "same")',
        "Conv2DTranspose (channels_last).compute_output_shape, uncached",
        "TensorFlow's DCGAN tutorial generator: build + summarize",
        "1,000-layer Dense stack: build + summarize",
        "plan_upsampling(4, 1024, max_layers=5)".replace("1024", "64"),
        "fresh process: first Conv2DTranspose shape",
        "NASNetLarge (1,041 layers): load to_json() + summary()",
    ):
        assert figure in out, figure
    assert "figures measured once each" in out

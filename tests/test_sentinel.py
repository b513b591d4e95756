"""CI must never pass by skipping the frameworks that are the ground truth."""

from __future__ import annotations

import importlib.util

import pytest

from tests.oracles import ORACLE_MODULES, oracles_required


@pytest.mark.parametrize("name", ORACLE_MODULES)
def test_oracle_framework_is_installed_when_required(name: str) -> None:
    installed = importlib.util.find_spec(name) is not None
    if not oracles_required():
        if not installed:
            pytest.skip(f"{name} is not installed; set CONVSHAPE_REQUIRE_ORACLES=1 to fail instead")
        return
    assert installed, f"{name} is missing but CONVSHAPE_REQUIRE_ORACLES=1"


def test_keras_runs_on_the_tensorflow_backend() -> None:
    if not oracles_required() and importlib.util.find_spec("keras") is None:
        pytest.skip("keras is not installed")
    import keras

    assert keras.backend.backend() == "tensorflow"

"""Every test, doctest and documentation example starts a fresh naming session, as
Keras's tests call ``keras.backend.clear_session()``: layer names are session-wide."""

from __future__ import annotations

import pytest

from convshape import clear_session


@pytest.fixture(autouse=True)
def _fresh_names() -> None:
    clear_session()

"""Test configuration: quiet TensorFlow on the Keras TensorFlow backend, oracle bookkeeping."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The environment above must be set before any framework import.
import pytest

from tests.oracles import ORACLE_COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ORACLE_COUNTS:
        return
    terminalreporter.section("oracle configurations run against real frameworks")
    for name, count in sorted(ORACLE_COUNTS.items()):
        terminalreporter.write_line(f"{name}: {count}")
    terminalreporter.write_line(f"total: {sum(ORACLE_COUNTS.values())}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files of rendered summaries instead of comparing with them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))

"""The example notebook runs from top to bottom, so it can never go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.oracles import oracle

NOTEBOOK = Path(__file__).parent.parent / "docs" / "examples" / "dcgan_generator.ipynb"


# Jupyter's client libraries warn about their own dependencies while they start a kernel.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_example_notebook_executes() -> None:
    nbformat = oracle("nbformat")
    nbclient = oracle("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs)
    assert " Total params: 2,330,944 (8.89 MB)\n" in text
    assert " Non-trainable params: 25,472 (99.50 KB)\n" in text
    rich = [output.get("data", {}) for output in outputs if output.output_type == "execute_result"]
    assert any("text/html" in data and "conv2d_transpose_2" in data["text/html"] for data in rich)
    assert any("(2330944, 2305472, 25472)" in data.get("text/plain", "") for data in rich)

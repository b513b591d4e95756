"""The tutorial notebook docs/examples/dcgan_generator.ipynb: it runs from top to bottom, its
stored outputs are what a fresh run prints (so the copy GitHub and the site show cannot go
stale), its facts are the ones Keras computes, and the PyTorch arguments it recommends
reproduce Keras's layers when real PyTorch runs them.

To store fresh outputs after a change to the library: execute the notebook in place, for
example ``jupyter nbconvert --to notebook --execute --inplace
docs/examples/dcgan_generator.ipynb``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.oracles import oracle

NOTEBOOK = Path(__file__).parent.parent / "docs" / "examples" / "dcgan_generator.ipynb"

STORE = (
    "the notebook's stored outputs differ from a fresh run; execute it in place to store "
    "them again (see this module's docstring)."
)

#: What may differ between two runs of the same code: object addresses in default reprs.
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")

#: The line the notebook prints for each transposed convolution it ports to PyTorch:
#: ``name (padding) (output_padding) (crop per spatial dimension)``.
PORTED = re.compile(
    r"^(?P<name>conv2d_transpose\w*) \((?P<padding>\d+), \d+\) \((?P<output_padding>\d+), \d+\)"
    r" \(Pad\(before=(?P<before>\d+), after=(?P<after>\d+)\), Pad\(before=\d+, after=\d+\)\)$",
    re.MULTILINE,
)

#: The cells that port a generator to PyTorch (their last line), and that generator's
#: transposed convolutions in order: input (H, W, C), filters, kernel size, stride.
GENERATORS = {
    "torch_arguments(generator)": [
        ((7, 7, 256), 128, 5, 1),
        ((7, 7, 128), 64, 5, 2),
        ((14, 14, 64), 1, 5, 2),
    ],
    "torch_arguments(generator_84)": [
        ((7, 7, 256), 128, 4, 2),
        ((14, 14, 128), 64, 4, 2),
        ((28, 28, 64), 1, 3, 3),
    ],
}
PORTS = [(cell, index) for cell, convs in GENERATORS.items() for index in range(len(convs))]


def _outputs(notebook: Any) -> list[tuple[int, str, str, str]]:
    """Every text a code cell shows: (cell index, output type, stream or MIME type, text).
    Consecutive writes to one stream count as one output, however the kernel split them."""
    shown: list[tuple[int, str, str, str]] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if output.output_type == "stream":
                if shown and shown[-1][:3] == (index, "stream", output.name):
                    shown[-1] = (*shown[-1][:3], shown[-1][3] + output.text)
                else:
                    shown.append((index, "stream", output.name, output.text))
            elif output.output_type in ("execute_result", "display_data"):
                shown.extend(
                    (index, output.output_type, mime, ADDRESS.sub("0x…", str(data)))
                    for mime, data in sorted(output.data.items())
                    if mime.startswith("text/")
                )
            else:
                shown.append((index, output.output_type, "", str(output.get("evalue", ""))))
    return shown


def _text(notebook: Any) -> str:
    return "".join(text for _, kind, _, text in _outputs(notebook) if kind == "stream")


def _results(notebook: Any, mime: str = "text/plain") -> list[str]:
    return [text for _, _, name, text in _outputs(notebook) if name == mime]


@pytest.fixture(scope="module")
def stored() -> Any:
    nbformat = oracle("nbformat")
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook executed from a copy in a temporary directory (the original untouched)."""
    nbformat = oracle("nbformat")
    nbclient = oracle("nbclient")
    copy = tmp_path_factory.mktemp("notebook") / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    notebook = nbformat.read(copy, as_version=4)
    with warnings.catch_warnings():
        # Jupyter's client libraries warn about their own dependencies as a kernel starts.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        nbclient.NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(copy.parent)}},
        ).execute()
    return notebook


def test_notebook_executes_without_errors(fresh: Any) -> None:
    errors = [kind for _, kind, _, _ in _outputs(fresh) if kind == "error"]
    assert not errors


def _where(stored: str, fresh: str) -> str:
    """Where two texts part, with a little of each around that point."""
    at = next(
        (i for i, (a, b) in enumerate(zip(stored, fresh, strict=False)) if a != b),
        min(len(stored), len(fresh)),
    )
    start = max(0, at - 80)
    return (
        f"at character {at}: stored {stored[start : at + 80]!r}, fresh {fresh[start : at + 80]!r}"
    )


def test_stored_outputs_are_those_of_a_fresh_run(stored: Any, fresh: Any) -> None:
    assert [cell.source for cell in stored.cells] == [cell.source for cell in fresh.cells]
    old, new = _outputs(stored), _outputs(fresh)
    stale = [(was, now) for was, now in zip(old, new, strict=False) if was != now]
    if stale:
        (cell, kind, name, text), (*_, now) = stale[0]
        pytest.fail(f"{STORE} First difference, cell {cell} ({kind} {name}) {_where(text, now)}")
    assert len(old) == len(new), f"{STORE} Outputs stored: {len(old)}, shown now: {len(new)}"


@pytest.mark.parametrize("which", ["stored", "fresh"])
def test_notebook_states_keras_facts(which: str, request: pytest.FixtureRequest) -> None:
    notebook = request.getfixturevalue(which)
    text = _text(notebook)
    assert " Total params: 2,330,944 (8.89 MB)\n" in text
    assert " Trainable params: 2,305,472 (8.79 MB)\n" in text
    assert " Non-trainable params: 25,472 (99.50 KB)\n" in text
    assert "│ conv2d_transpose_1 " in text
    assert "(None, 14, 14, 64)" in text
    results = _results(notebook)
    assert results[0] == "(None, 28, 28, 1)"
    assert "(2330944, 2305472, 25472)" in results
    assert "Pad(before=1, after=2)" in results  # 7 -> 14: one before, two after
    assert "Pad(before=2, after=2)" in results  # 7 -> 7 with stride 1: even
    assert "Pad(before=2, after=1)" in results  # PyTorch's padding=2, output_padding=1
    assert "range(13, 15)" in results
    # The 84x84 generator follows the first plan, which check() leaves alone.
    first_plan = "7 -> 84 in 3 layers, strides 2, 2, 3\n  7 -> 14: kernel_size=4, strides=2,"
    assert first_plan in text
    assert "(1961280, 2330944)" in results
    assert "[]" in results
    assert "(None, 1)" in results  # the discriminator built for 84 accepts the 84 generator
    assert "[(25, 26, 27, 28), (25, 26, 27, 28)]" in results
    assert "output_padding=0: (None, 13, 13, 64)" in text
    assert "output_padding=1: (None, 14, 14, 64)" in text
    assert "output_padding=None: (None, 14, 14, 64)" in text
    html = _results(notebook, "text/html")
    assert any("conv2d_transpose_2" in page for page in html)
    assert any("p = 1.5" in page for page in html)  # the explanation, as HTML


def _ported(notebook: Any, call: str) -> list[tuple[int, int, int, int]]:
    """The notebook's PyTorch arguments for each transposed convolution of a generator:
    padding, output_padding, crop before, crop after."""
    (cell,) = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source.splitlines()[-1] == call
    ]
    text = "".join(output.get("text", "") for output in cell.outputs)
    found = [
        (
            int(match["padding"]),
            int(match["output_padding"]),
            int(match["before"]),
            int(match["after"]),
        )
        for match in PORTED.finditer(text)
    ]
    assert len(found) == len(GENERATORS[call]), text
    return found


@pytest.mark.parametrize(("call", "index"), PORTS)
def test_recommended_torch_arguments_reproduce_keras(stored: Any, call: str, index: int) -> None:
    """Real torch.nn.ConvTranspose2d with the notebook's arguments and crop, fed Keras's
    kernel, gives real Keras's Conv2DTranspose output: the shape and the values."""
    keras = oracle("keras")
    torch = oracle("torch")
    padding, output_padding, before, after = _ported(stored, call)[index]
    (height, width, channels), filters, kernel_size, stride = GENERATORS[call][index]
    rng = np.random.default_rng(index)
    x = rng.standard_normal((2, height, width, channels)).astype("float32")
    layer = keras.layers.Conv2DTranspose(
        filters, kernel_size, strides=stride, padding="same", use_bias=False
    )
    expected = np.asarray(layer(x))
    kernel = np.asarray(layer.get_weights()[0])  # (kh, kw, filters, channels)

    module = torch.nn.ConvTranspose2d(
        channels,
        filters,
        kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        bias=False,
    )
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
        y = module(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()))
    end_h, end_w = y.shape[2] - after, y.shape[3] - after
    got = y[:, :, before:end_h, before:end_w].numpy().transpose(0, 2, 3, 1)
    assert got.shape == expected.shape == (2, height * stride, width * stride, filters)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def _cell(notebook: Any, marker: str) -> str:
    (source,) = [cell.source for cell in notebook.cells if marker in cell.source]
    return str(source)


def test_torch_generator_computes_keras_images(stored: Any) -> None:
    """The notebook's generators, run in the real frameworks: its Keras code (the DCGAN
    tutorial's) with real Keras, its PyTorch model with ``pt.`` read as ``torch.nn.``.
    With the Keras weights loaded as the notebook says, PyTorch gives Keras's images, and
    the parameter count the notebook shows."""
    keras = oracle("keras")
    torch = oracle("torch")
    namespace: dict[str, Any] = {"Sequential": keras.Sequential, "layers": keras.layers}
    with warnings.catch_warnings():
        # Keras prefers Input(shape) to the tutorial's input_shape=(100,), and says so.
        warnings.filterwarnings("ignore", "Do not pass an `input_shape`", UserWarning)
        exec(_cell(stored, "def make_generator_model():"), namespace)
    generator = namespace["generator"]
    namespace = {"pt": torch.nn}
    source = _cell(stored, "torch_generator = pt.Sequential(")
    exec(source.split("torch_generator.summary(")[0], namespace)
    model = namespace["torch_generator"].eval()

    rng = np.random.default_rng(0)
    for layer in generator.layers:  # moving statistics that are not the defaults
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, gamma.shape),
                    rng.normal(0, 0.1, beta.shape),
                    rng.normal(0, 0.1, mean.shape),
                    rng.uniform(0.5, 1.5, variance.shape),
                ]
            )
    # Keras flattens height, width, channels; PyTorch's Unflatten reads channels first.
    order = np.arange(7 * 7 * 256).reshape(7, 7, 256).transpose(2, 0, 1).ravel()
    # Dense, BatchNormalization, then (Conv2DTranspose, BatchNormalization) twice and the
    # last Conv2DTranspose: the layers with weights, in the same order in both models.
    keras_layers = [layer for layer in generator.layers if layer.get_weights()]
    torch_modules = [module for module in model if list(module.state_dict())]
    assert len(keras_layers) == len(torch_modules) == 7
    with torch.no_grad():
        for index, (layer, module) in enumerate(zip(keras_layers, torch_modules, strict=True)):
            weights = [np.asarray(w) for w in layer.get_weights()]
            if isinstance(module, torch.nn.Linear):
                module.weight.copy_(torch.from_numpy(weights[0][:, order].T.copy()))
            elif isinstance(module, torch.nn.ConvTranspose2d):
                module.weight.copy_(torch.from_numpy(weights[0].transpose(3, 2, 0, 1).copy()))
            else:
                picked = [w[order] for w in weights] if index == 1 else weights
                gamma, beta, mean, variance = (torch.from_numpy(w.copy()) for w in picked)
                module.weight.copy_(gamma)
                module.bias.copy_(beta)
                module.running_mean.copy_(mean)
                module.running_var.copy_(variance)

    z = rng.standard_normal((4, 100)).astype("float32")
    expected = np.asarray(generator(z, training=False))
    with torch.no_grad():
        got = model(torch.from_numpy(z)).numpy().transpose(0, 2, 3, 1)
    assert got.shape == expected.shape == (4, 28, 28, 1)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    params = sum(parameter.numel() for parameter in model.parameters())
    assert params == 2_305_472
    assert f" Total params: {params:,}" in _text(stored)
    assert "(None, 1, 28, 28)" in _text(stored)


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_notebook_passes_ruff(command: list[str]) -> None:
    oracle("ruff")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, str(NOTEBOOK)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

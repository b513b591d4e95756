"""Every HTML repr, as a notebook shows it: exported by nbconvert's ``lab`` template and
under JupyterLab's own CSS, laid out by headless Chromium and measured in the page.

What is measured (``tests/html_render.py``): every line of a text block is monospace, left-
aligned, never wraps inside a word or a number, never runs past the output, and all its characters
have one width (so columns line up); every table cell keeps the alignment it asks for and
does not wrap; tables start at the left; shapes and diagram text are monospace. The HTML
convshape produced before these checks existed (a bare ``<pre>``, cells without alignment)
is measured alongside and must fail them, so the checks can fail.

``python scripts/check_html.py OUT`` writes the same pages and their screenshots to look at.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest

from tests import html_render
from tests.oracles import oracle, oracles_required

#: The page kinds, nbconvert's lab export and JupyterLab, at a wide and a narrow window.
PAGES = (("nbconvert", 1280), ("nbconvert", 640), ("jupyterlab", 1280), ("jupyterlab", 640))

#: The HTML of the summary and of the text reprs before they carried their own styles.
CONTROLS: dict[str, Callable[[], str]] = {
    "control_pre": lambda: "<pre>" + html.escape(str(html_render.CASES["solutions"]())) + "</pre>",
    "control_table": lambda: (
        '<table style="border-collapse:collapse" cellpadding="3"><thead><tr>'
        '<th style="text-align:left">Layer (type)</th><th style="text-align:right">Param #</th>'
        "</tr></thead><tbody><tr><td>batch_normalization_1 (BatchNormalization)</td>"
        '<td style="text-align:right">512</td></tr></tbody></table>'
    ),
}


def _chromium() -> str:
    found = html_render.chromium()
    if found is None:
        message = "oracle 'chromium' is not installed"
        if oracles_required():
            pytest.fail(message + " and CONVSHAPE_REQUIRE_ORACLES=1", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def reprs() -> dict[str, str]:
    found = html_render.cases()
    found.update({name: build() for name, build in CONTROLS.items()})
    return found


_PAGES: dict[str, str] = {}
_MEASURED: dict[tuple[str, int], dict[str, Any]] = {}


def _measured(page: str, width: int, reprs: dict[str, str]) -> dict[str, Any]:
    """One export per page kind and one Chromium run per width, shared by the cases."""
    if (page, width) not in _MEASURED:
        executable = _chromium()
        if page not in _PAGES:
            if page == "nbconvert":
                oracle("nbformat")
                oracle("nbconvert")
                _PAGES[page] = html_render.nbconvert_page(reprs)
            else:
                oracle("jupyterlab")
                _PAGES[page] = html_render.lab_page(reprs)
        _MEASURED[page, width] = html_render.measure(
            _PAGES[page], executable=executable, width=width
        )
    return _MEASURED[page, width]


#: Known defects, each failing its check until it is fixed (then remove it here).
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize(("page", "width"), PAGES, ids=[f"{p}-{w}" for p, w in PAGES])
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN[case], strict=True))
        if case in KNOWN
        else case
        for case in html_render.CASES
    ],
)
def test_repr_renders_in_notebooks(case: str, page: str, width: int, reprs: dict[str, str]) -> None:
    found = _measured(page, width, reprs)[case]
    assert html_render.problems(found) == []


@pytest.mark.parametrize(("page", "width"), PAGES, ids=[f"{p}-{w}" for p, w in PAGES])
def test_the_old_html_fails_the_checks(page: str, width: int, reprs: dict[str, str]) -> None:
    measured = _measured(page, width, reprs)
    text = " | ".join(html_render.problems(measured["control_pre"]))
    cells = " | ".join(html_render.problems(measured["control_table"]))
    # JupyterLab wraps a bare <pre> anywhere; nbconvert's lab template also turns it
    # proportional; both right-align a cell that does not say otherwise.
    assert "word-break: break-all" in text
    if page == "nbconvert":
        assert "proportional font" in text
    assert "first column aligned right" in cells
    if width < 1000:
        # A bare <pre> wraps its long lines back at the left edge.
        assert "a wrapped part starts where the line does" in text

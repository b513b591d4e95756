"""Every HTML repr convshape shows in a notebook, rendered as a notebook would render it.

``cases()`` builds one object of each kind (summaries, an explanation with its diagram,
solutions, a plan, a finding, a translation, a diagnosis). ``nbconvert_page()`` exports a
notebook whose outputs hold their ``_repr_html_`` through nbconvert's ``lab`` template
(JupyterLab's CSS, compiled); ``lab_page()`` puts them in JupyterLab's output-area markup
under the CSS of the installed JupyterLab build. ``measure()`` loads a page in headless
Chromium and returns what it laid out, measured by ``MEASURE_JS`` in the page itself.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import convshape as cs
from tests.functional_zoo import unet_same
from tests.zoo import dcgan_generator

CONVSHAPE = SimpleNamespace(
    Sequential=cs.Sequential, Input=cs.Input, layers=cs.layers, Model=cs.Model
)

#: Where each repr's own root sits in the page: every case is wrapped in a div of this class.
CASE_CLASS = "convshape-case"


def _diagnosis() -> Any:
    cs.clear_session()
    x = cs.Input((None, None, 1))
    down = cs.layers.MaxPooling2D()(x)
    up = cs.layers.Conv2DTranspose(1, 2, strides=2)(down)
    model = cs.Model(x, cs.layers.Concatenate()([x, up]))
    return cs.diagnose(model, (None, 9, 8, 1))


def _functional_summary() -> Any:
    cs.clear_session()
    return unet_same(CONVSHAPE, (64, 64, 3)).summarize(columns=["macs", "receptive_field"])


def _finding() -> Any:
    layer = cs.layers.Conv2DTranspose(8, 3, strides=2, padding="same")
    return cs.check(layer, (None, 7, 7, 4))[0]


def _torch_summary() -> Any:
    from convshape import torch as ct

    return ct.Sequential(
        ct.Conv2d(3, 16, 3, padding=1), ct.BatchNorm2d(16), ct.ConvTranspose2d(16, 8, 4, 2, 1)
    ).summarize((1, 3, 32, 32))


#: name -> a function building the object whose ``_repr_html_`` is checked.
CASES: dict[str, Callable[[], Any]] = {
    "summary_dcgan_generator": lambda: dcgan_generator(CONVSHAPE).summarize(),
    "model_dcgan_generator": lambda: dcgan_generator(CONVSHAPE),
    "summary_functional_columns": _functional_summary,
    "summary_torch": _torch_summary,
    "explanation": lambda: cs.explain_conv_transpose(7, 5, stride=2, padding="same"),
    "explanation_model": lambda: dcgan_generator(CONVSHAPE).explain(),
    "solutions": lambda: cs.solve_conv_transpose(7, 14, kernel_size=5),
    "plan": lambda: cs.plan_upsampling(7, 84)[0],
    "finding": _finding,
    "translation": lambda: cs.translate(
        cs.layers.Conv2DTranspose(64, 5, strides=2, padding="same"), "torch", (None, 7, 7, 128)
    ),
    "diagnosis": _diagnosis,
}


def cases() -> dict[str, str]:
    """Each case's HTML repr, by name."""
    return {name: build()._repr_html_() for name, build in CASES.items()}


def _wrapped(name: str, html: str) -> str:
    return f'<div class="{CASE_CLASS}" data-case="{name}">{html}</div>'


def nbconvert_page(reprs: dict[str, str]) -> str:
    """The page nbconvert's ``lab`` template exports for a notebook displaying ``reprs``."""
    nbformat = importlib.import_module("nbformat")  # test dependencies, imported by name
    exporter = importlib.import_module("nbconvert").HTMLExporter

    notebook = nbformat.v4.new_notebook()
    for number, (name, html) in enumerate(reprs.items(), 1):
        cell = nbformat.v4.new_code_cell(f"{name}  # displays its _repr_html_")
        cell.execution_count = number
        cell.outputs = [
            nbformat.v4.new_output(
                "execute_result",
                data={"text/html": _wrapped(name, html), "text/plain": f"<{name}>"},
                execution_count=number,
            )
        ]
        notebook.cells.append(cell)
    page, _ = exporter(template_name="lab").from_notebook_node(notebook)
    return str(page)


def jupyterlab_css() -> str:
    """The CSS of the installed JupyterLab build (held in its JavaScript bundles) and its
    light theme."""
    root = Path(importlib.import_module("jupyterlab").__file__ or "").parent
    sheets = [(root / "themes/@jupyterlab/theme-light-extension/index.css").read_text("utf-8")]
    for bundle in sorted((root / "static").glob("*.js")):
        source = bundle.read_text("utf-8")
        for match in re.finditer(r"\.push\(\[\w+\.id,`((?:[^`\\]|\\.)*)`", source):
            sheets.append(match.group(1).replace("\\`", "`").replace("\\\\", "\\"))
    css = "\n".join(sheets)
    # The bundles' layout is JupyterLab's own: a page without its output CSS would pass
    # every check while showing nothing of JupyterLab.
    for rule in (".jp-OutputArea-output pre", ".jp-RenderedHTMLCommon td"):
        assert rule in css, f"no {rule!r} rule found in JupyterLab's bundles under {root}"
    return css


def lab_page(reprs: dict[str, str]) -> str:
    """``reprs`` in JupyterLab's notebook output markup under JupyterLab's own CSS."""
    outputs = "".join(
        '<div class="jp-Cell jp-CodeCell jp-Notebook-cell"><div class="jp-Cell-outputWrapper">'
        '<div class="jp-OutputArea jp-Cell-outputArea"><div class="jp-OutputArea-child">'
        f'<div class="jp-OutputPrompt jp-OutputArea-prompt">[{number}]:</div>'
        '<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" '
        f'data-mime-type="text/html">{_wrapped(name, html)}</div></div></div></div></div>'
        for number, (name, html) in enumerate(reprs.items(), 1)
    )
    css = jupyterlab_css().replace("</style", "<\\/style")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
        f'{css}</style></head><body class="jp-ThemedContainer" data-jp-theme-light="true">'
        f'<div class="jp-Notebook jp-mod-commandMode" style="padding:8px">{outputs}</div>'
        "</body></html>"
    )


#: Measures each case in the page and writes the results as JSON into ``#measured``: for
#: each line of each ``<pre>`` its characters, width, visual lines, style and whether it
#: wraps only between words; for each table, code span and SVG text its box and style.
MEASURE_JS = r"""
(function () {
  function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.right, r.width]; }
  function style(el) {
    var s = getComputedStyle(el);
    return {font: s.fontFamily, align: s.textAlign, whiteSpace: s.whiteSpace,
            wordBreak: s.wordBreak, overflowWrap: s.overflowWrap, fontSize: s.fontSize};
  }
  function textNodes(el) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), out = [], n;
    while ((n = walker.nextNode())) out.push(n);
    return out;
  }
  // One line of text: [start, end) offsets in the concatenated text nodes of `nodes`.
  function measureLine(nodes, start, end, el) {
    var chars = [], at = 0;
    nodes.forEach(function (n) {
      for (var i = 0; i < n.data.length; i++) {
        if (at + i >= start && at + i < end) chars.push([n, i]);
      }
      at += n.data.length;
    });
    var text = chars.map(function (c) { return c[0].data[c[1]]; }).join("");
    var tops = [], breaks = [], left = Infinity, right = -Infinity, ink = -Infinity;
    var previous = null, inkLeft = null, starts = [];
    chars.forEach(function (c, k) {
      var range = document.createRange();
      range.setStart(c[0], c[1]); range.setEnd(c[0], c[1] + 1);
      var r = range.getBoundingClientRect();
      if (!r.width && !r.height) return;
      left = Math.min(left, r.left); right = Math.max(right, r.right);
      // Spaces where a line wraps may hang past the edge: only the ink must fit.
      if (c[0].data[c[1]] !== " ") ink = Math.max(ink, r.right);
      var top = Math.round(r.top);
      if (c[0].data[c[1]] !== " " && inkLeft === null) inkLeft = r.left;
      if (previous !== null && top > previous + 2) { breaks.push(k); starts.push(r.left); }
      if (tops.indexOf(top) < 0) tops.push(top);
      previous = top;
    });
    // A line may wrap at a space or where punctuation meets a word ("size=" | "(5, 5)"),
    // never between two characters of a word or a number.
    var word = /[A-Za-z0-9_]/;
    var atSpaces = breaks.every(function (k) {
      return !(word.test(text[k - 1]) && word.test(text[k]));
    });
    var item = {text: text.slice(0, 80), chars: Array.from(text).length, lines: tops.length,
                width: right > left ? right - left : 0, right: ink, breaksBetweenWords: atSpaces,
                inkLeft: inkLeft, continuations: starts};
    var s = style(el);
    for (var key in s) item[key] = s[key];
    return item;
  }
  function preLines(pre) {
    var blocks = Array.from(pre.querySelectorAll("span")).filter(function (el) {
      return getComputedStyle(el).display === "block" && !el.querySelector("span");
    });
    if (blocks.length) {
      return blocks.map(function (el) {
        var nodes = textNodes(el);
        var text = nodes.map(function (n) { return n.data; }).join("");
        return measureLine(nodes, 0, text.length - (text.endsWith("\n") ? 1 : 0), el);
      });
    }
    var nodes = textNodes(pre), text = nodes.map(function (n) { return n.data; }).join("");
    var out = [], start = 0;
    text.split("\n").forEach(function (line) {
      out.push(measureLine(nodes, start, start + line.length, pre));
      start += line.length + 1;
    });
    return out;
  }
  var results = {};
  document.querySelectorAll(".convshape-case").forEach(function (el) {
    var output = el.parentElement;
    var result = {container: box(output), pres: [], tables: [], cells: [], codes: [], svgText: []};
    el.querySelectorAll("pre").forEach(function (pre) {
      var lines = preLines(pre).filter(function (l) { return l.chars; });
      result.pres.push({box: box(pre), lines: lines});
    });
    el.querySelectorAll("table").forEach(function (t) {
      var item = style(t); item.box = box(t);
      item.scrolls = ["auto", "scroll"].indexOf(getComputedStyle(t.parentElement).overflowX) >= 0;
      result.tables.push(item);
    });
    el.querySelectorAll("td, th").forEach(function (c) {
      var item = style(c); item.box = box(c); item.text = c.textContent.slice(0, 60);
      item.declared = c.style.textAlign; item.breaks = c.querySelectorAll("br").length;
      item.column = c.cellIndex; item.header = c.tagName === "TH";
      var range = document.createRange(); range.selectNodeContents(c);
      var tops = {}, rects = range.getClientRects();
      for (var j = 0; j < rects.length; j++) if (rects[j].width) tops[Math.round(rects[j].top)] = 1;
      item.lines = Object.keys(tops).length;
      result.cells.push(item);
    });
    el.querySelectorAll("code").forEach(function (c) {
      if (c.closest("pre")) return;
      var item = style(c); item.text = c.textContent.slice(0, 40); result.codes.push(item);
    });
    result.lists = [];
    el.querySelectorAll("ol").forEach(function (list) {
      // An ordered list's numbers sit left of its items: the widest must stay inside.
      var items = list.querySelectorAll(":scope > li");
      if (!items.length) return;
      var last = items[items.length - 1], s = getComputedStyle(last);
      var probe = document.createElement("span");
      probe.style.cssText = "position:absolute;white-space:pre;font-family:" + s.fontFamily +
        ";font-size:" + s.fontSize + ";font-weight:" + s.fontWeight;
      var number = last.value || list.start + items.length - 1;
      probe.textContent = number + ". ";
      document.body.appendChild(probe);
      var width = probe.getBoundingClientRect().width;
      probe.remove();
      result.lists.push({number: number, left: last.getBoundingClientRect().left - width,
                         text: last.textContent.slice(0, 40)});
    });
    el.querySelectorAll("svg text").forEach(function (t) {
      var item = style(t); item.text = t.textContent.slice(0, 40); result.svgText.push(item);
    });
    results[el.getAttribute("data-case")] = result;
  });
  var out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(results);
  document.body.appendChild(out);
})();
"""


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--hide-scrollbars",
)


def _run(executable: str, *args: str, attempts: int = 3, timeout: float = 45) -> str:
    """Chromium's stdout. A headless Chromium now and then never exits: its whole process
    group is killed after ``timeout`` seconds and the run tried again."""
    for attempt in range(attempts):
        process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            if attempt == attempts - 1:
                raise
            continue
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, executable, stdout, stderr)
        return stdout
    raise AssertionError("unreachable")


def measure(page: str, *, executable: str, width: int = 1280) -> dict[str, Any]:
    """Load ``page`` in headless Chromium and return ``MEASURE_JS``'s results."""
    script = f"<script>window.addEventListener('load', function () {{{MEASURE_JS}}});</script>"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
        dom = _run(
            executable,
            f"--window-size={width},2000",
            "--virtual-time-budget=10000",
            "--run-all-compositor-stages-before-draw",
            "--dump-dom",
            path.as_uri(),
        )
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, "the page did not run its measurement"
    import html

    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def screenshot(page: str, out: Path, *, executable: str, width: int = 1280) -> None:
    """Write a PNG of ``page`` (saved next to it as HTML) to ``out``."""
    source = out.with_suffix(".html")
    source.write_text(page, encoding="utf-8")
    _run(
        executable,
        f"--screenshot={out}",
        f"--window-size={width},2000",
        "--virtual-time-budget=10000",
        "--run-all-compositor-stages-before-draw",
        source.as_uri(),
    )


#: Fonts whose every character has one width (the first family a block asks for).
MONOSPACE_FAMILIES = {
    "menlo",
    "consolas",
    "dejavu sans mono",
    "liberation mono",
    "monospace",
    "ui-monospace",
    "sfmono-regular",
    "courier new",
    "courier",
}


def _first_family(font: str) -> str:
    return font.split(",", maxsplit=1)[0].strip().strip("'\"").lower()


def _line_problems(line: dict[str, Any], right: float) -> list[str]:
    where = f"line {line['text']!r}"
    wrong = []
    if _first_family(line["font"]) not in MONOSPACE_FAMILIES:
        wrong.append(f"{where}: proportional font {line['font']!r}")
    if line["align"] not in ("left", "start"):
        wrong.append(f"{where}: text-align {line['align']}")
    if line["wordBreak"] == "break-all":
        wrong.append(f"{where}: word-break: break-all (may wrap inside a word)")
    if not line["breaksBetweenWords"]:
        wrong.append(f"{where}: wrapped inside a word")
    if line["whiteSpace"] not in ("pre", "pre-wrap", "break-spaces"):
        wrong.append(f"{where}: white-space {line['whiteSpace']} collapses spaces")
    if line["whiteSpace"] == "pre" and line["lines"] != 1:
        wrong.append(f"{where}: a row drawn on {line['lines']} lines")
    if any(start <= line["inkLeft"] + 1 for start in line["continuations"]):
        wrong.append(f"{where}: a wrapped part starts where the line does, like a line of its own")
    if line["whiteSpace"] != "pre" and line["right"] > right + 1:
        wrong.append(f"{where}: ends at {line['right']:.0f}px, past the output ({right})")
    return wrong


def _cell_problems(cell: dict[str, Any]) -> list[str]:
    where = f"cell {cell['text']!r}"
    wrong = []
    if not cell["declared"]:
        wrong.append(f"{where}: no text-align of its own")
    elif cell["align"] != cell["declared"]:
        wrong.append(f"{where}: text-align {cell['align']}, not {cell['declared']}")
    if cell["column"] == 0 and cell["align"] not in ("left", "start"):
        wrong.append(f"{where}: first column aligned {cell['align']}")
    if cell["whiteSpace"] == "nowrap":
        if cell["lines"] > cell["breaks"] + 1:
            wrong.append(f"{where}: wrapped on {cell['lines']} lines")
    elif cell["wordBreak"] != "normal" or cell["overflowWrap"] != "normal":
        breaking = f"{cell['wordBreak']}, {cell['overflowWrap']}"
        wrong.append(f"{where}: may wrap inside a word ({breaking})")
    elif cell["lines"] > cell["breaks"] + 1 and cell["column"] != 0:
        wrong.append(f"{where}: wrapped on {cell['lines']} lines (only names may wrap)")
    return wrong


def problems(found: dict[str, Any]) -> list[str]:
    """What is wrong with one measured case (``measure()``'s value for it), in words."""
    left, right, _ = found["container"]
    lines = [line for block in found["pres"] for line in block["lines"]]
    wrong = [problem for line in lines for problem in _line_problems(line, right)]
    widths = [line["width"] / line["chars"] for line in lines if line["lines"] == 1]
    if widths and max(widths) - min(widths) > 0.05:
        wrong.append(f"characters of unequal widths: {min(widths):.3f} to {max(widths):.3f}px")
    wrong += [problem for cell in found["cells"] for problem in _cell_problems(cell)]
    for table in found["tables"]:
        if table["box"][0] > left + 1:
            wrong.append(f"table starts at {table['box'][0]:.0f}px, not at the left ({left})")
        if table["box"][1] > right + 1 and (right - left > 1000 or not table["scrolls"]):
            wrong.append(f"table ends at {table['box'][1]:.0f}px, past the output ({right})")
    wrong += [
        f"{kind} {item['text']!r}: proportional font {item['font']!r}"
        for kind, key in (("code", "codes"), ("diagram text", "svgText"))
        for item in found[key]
        if _first_family(item["font"]) not in MONOSPACE_FAMILIES
    ]
    wrong += [
        f"list number {item['number']} ({item['text']!r}) starts at {item['left']:.0f}px, "
        f"cut at the output's left ({left})"
        for item in found["lists"]
        if item["left"] < left - 0.5
    ]
    if not (found["pres"] or found["tables"] or found["svgText"]):
        wrong.append("nothing measured")
    return wrong

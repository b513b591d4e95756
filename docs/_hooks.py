"""MkDocs hooks (``hooks:`` in mkdocs.yml) that render code blocks the way a reader needs.

- A fenced block of doctests (``>>>`` lines and their output) is highlighted as a Python
  console session (``pycon``): the input as Python, the output as output.
  ``<BLANKLINE>`` becomes the blank line it stands for.
- A code block with a line longer than the content column shows (``MAX_COLUMNS`` in
  check_site.py) is marked to wrap (``cs-wrap``) or, when it is a table or a diagram
  whose alignment wrapping would break, to scroll with a visible scroll bar
  (``cs-scroll``); docs/assets/convshape.css styles both.
- ``<!-- figure: explain_conv_transpose(7, 5, stride=2, padding="same") -->`` becomes the
  SVG figure of that explanation, drawn by convshape when the site is built (literal
  arguments only), so a figure in the docs is never a stale copy.

Standard library only: the test suite imports this file for its doctests.
"""

from __future__ import annotations

import ast
import html
import importlib.util
import re
from pathlib import Path
from typing import Any

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)")
PRE = re.compile(r"<pre(?P<attrs>[^>]*)>(?P<body>.*?)</pre>", re.DOTALL)
BOX_DRAWING = re.compile("[\u2500-\u257f]")
DIRECTIVE = re.compile(r"[ \t]*#[ \t]*doctest:[^\n]*$", re.MULTILINE)
FIGURE = re.compile(r"<!-- figure: (?P<call>[^\n]*?) -->")
EXPLAINERS = ("explain_conv", "explain_conv_transpose", "explain_pool")


def _max_columns() -> int:
    path = Path(__file__).with_name("check_site.py")
    spec = importlib.util.spec_from_file_location("check_site", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.MAX_COLUMNS)


MAX_COLUMNS = _max_columns()


def console_fences(markdown: str) -> str:
    """Fenced doctests as ``pycon`` blocks, ``<BLANKLINE>`` as a blank line.

    >>> console_fences("```python\\n>>> 1\\n1\\n<BLANKLINE>\\n```").splitlines()
    ['```pycon', '>>> 1', '1', '', '```']
    >>> console_fences("```bash\\nls\\n```").splitlines()
    ['```bash', 'ls', '```']
    """
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            out.append(lines[i])
            i += 1
            continue
        indent, fence, lang = opening["indent"], opening["fence"], opening["lang"]
        end = i + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        body = lines[i + 1 : end]
        if lang in ("", "python", "py") and body and body[0].strip().startswith(">>>"):
            out.append(f"{indent}{fence}pycon")
            out.extend(
                indent if line.strip() == "<BLANKLINE>" else DIRECTIVE.sub("", line)
                for line in body
            )
        else:
            out.append(lines[i])
            out.extend(body)
        out.extend(lines[end : end + 1])
        i = end + 1
    return "\n".join(out)


def is_aligned(text: str) -> bool:
    """Whether a block's meaning depends on its columns: a drawn table, or output laid out
    in columns (a run of three spaces inside a line). Python input lines do not count.

    >>> is_aligned("┃ Layer ┃"), is_aligned("input   0   1"), is_aligned("error: the size is 5")
    (True, True, False)
    >>> is_aligned(">>> f(1,\\n...     2)\\n3")
    False
    """
    if BOX_DRAWING.search(text):
        return True
    return any(
        re.search(r"\S {3,}\S", line)
        for line in text.splitlines()
        if not line.startswith((">>>", "..."))
    )


def mark_wide_blocks(page_html: str, max_columns: int = MAX_COLUMNS) -> str:
    """Add ``cs-wrap`` or ``cs-scroll`` to every ``<pre>`` with a line over ``max_columns``,
    and ``cs-box`` to every one drawn with box-drawing characters (set solid).

    >>> mark_wide_blocks("<pre><code>" + "x " * 50 + "</code></pre>", 80)[:30]
    '<pre class="cs-wrap"><code>x x'
    >>> mark_wide_blocks("<pre><code>│ " + "x " * 50 + "</code></pre>", 80)[:37]
    '<pre class="cs-scroll cs-box"><code>│'
    >>> mark_wide_blocks("<pre><code>│ x │</code></pre>", 80)
    '<pre class="cs-box"><code>│ x │</code></pre>'
    """

    def one(match: re.Match[str]) -> str:
        text = html.unescape(re.sub(r"<[^>]+>", "", match["body"]))
        marks = []
        if max((len(line) for line in text.splitlines()), default=0) > max_columns:
            marks.append("cs-scroll" if is_aligned(text) else "cs-wrap")
        if BOX_DRAWING.search(text):
            marks.append("cs-box")
        if not marks:
            return match.group()
        mark = " ".join(marks)
        attrs = match["attrs"]
        if 'class="' in attrs:
            attrs = attrs.replace('class="', f'class="{mark} ', 1)
        else:
            attrs = f' class="{mark}"{attrs}'
        return f"<pre{attrs}>{match['body']}</pre>"

    return PRE.sub(one, page_html)


def figure(call: str) -> str:
    """The SVG figure of ``call``, one of convshape's explain functions with literal
    arguments, in a ``<figure>`` the stylesheet lets scroll.

    >>> figure('explain_conv(14, 5, stride=2, padding="same")')[:45]
    '<figure class="cs-figure"><svg xmlns="http://'
    >>> figure("print(1)")
    Traceback (most recent call last):
    ValueError: a figure is drawn from explain_conv, explain_conv_transpose or explain_pool...
    """
    tree = ast.parse(call, mode="eval").body
    if not (
        isinstance(tree, ast.Call)
        and isinstance(tree.func, ast.Name)
        and tree.func.id in EXPLAINERS
    ):
        raise ValueError(
            "a figure is drawn from explain_conv, explain_conv_transpose or explain_pool "
            f"with literal arguments, not {call!r}"
        )
    import convshape  # noqa: PLC0415  (only when a page has a figure)
    from convshape._svg import figure_svg  # noqa: PLC0415

    args = [ast.literal_eval(arg) for arg in tree.args]
    kwargs = {str(kw.arg): ast.literal_eval(kw.value) for kw in tree.keywords}
    explanation = getattr(convshape, tree.func.id)(*args, **kwargs)
    if explanation.figure is None:
        raise ValueError(f"{call} has no figure to draw")
    return f'<figure class="cs-figure">{figure_svg(explanation.figure)}</figure>'


def figures(markdown: str) -> str:
    """Every ``<!-- figure: ... -->`` replaced by its SVG."""
    return FIGURE.sub(lambda match: figure(match["call"]), markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return figures(console_fences(markdown))


def on_page_content(content: str, **kwargs: Any) -> str:
    return mark_wide_blocks(content)

"""Render every HTML repr as a notebook shows it and screenshot it, to look at.

    python scripts/check_html.py OUT [--width 1280]

For each case of ``tests/html_render.py`` it writes ``OUT/nbconvert_<case>.html`` (exported
by nbconvert's ``lab`` template) and ``OUT/lab_<case>.html`` (JupyterLab's output markup
under the installed JupyterLab's CSS), each with a ``.png`` screenshot from headless
Chromium, then prints what the measurement in the page finds wrong (nothing, when all is
well) and exits 1 if anything is. The same checks run in ``tests/test_html_render.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import html_render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder for the pages and screenshots")
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels")
    args = parser.parse_args(argv)
    executable = html_render.chromium()
    if executable is None:
        print("check_html: no chromium found", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    reprs = html_render.cases()
    failed = 0
    for kind, build in (("nbconvert", html_render.nbconvert_page), ("lab", html_render.lab_page)):
        measured = html_render.measure(build(reprs), executable=executable, width=args.width)
        for name, source in reprs.items():
            page = build({name: source})
            html_render.screenshot(
                page, args.out / f"{kind}_{name}.png", executable=executable, width=args.width
            )
            for problem in html_render.problems(measured[name]):
                failed += 1
                print(f"{kind} {name}: {problem}")
    print(f"check_html: {len(reprs)} reprs, 2 page kinds, {failed} problem(s); pages in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks, with an independent CommonMark renderer, that the Markdown report's escaping makes
hostile texts render as written.

    pip install markdown-it-py mdit-py-plugins cmarkgfm
    python3 scripts/markdown_escape_check.py > Tests/PoisoningReportTests/Golden/markdown-escapes.out

Tests/PoisoningReportTests/Golden/markdown-escapes.json lists texts (backticks, emphasis, links,
images, raw HTML, table pipes, block markers, brackets, and ordinary report values such as
"0.912 ± 0.010 [0.893, 0.928]") with the escaped Markdown make-report writes for each; the Swift
test MarkdownEscapeTests checks that `markdownEscaped` gives exactly that Markdown. This script
renders each escaped text with markdown-it-py (CommonMark, with GitHub's tables and
strikethrough, and `$...$` / `$$...$$` math as pandoc and GitHub read it, mdit-py-plugins'
dollarmath) where the report's templates put text: a paragraph, a heading, a list item, a table
cell and a figure's description (`![TEXT](figure.png)`), and checks that the page holds only the
elements of that place and shows the text as written (blanks at either end aside, which Markdown
trims). It also renders each in a paragraph with cmark-gfm (GitHub's own renderer, through
cmarkgfm, its extended autolinks on) and checks that no URL became a link. A case's `cell` (what
escapeCell writes for a bound such as "> 20.0%" in a table's cell) is rendered in a table cell by
both. Prints one line per text
and exits 1 when any place shows something else.
"""
import html
import html.parser
import json
import pathlib
import sys

import cmarkgfm
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = ROOT / "Tests/PoisoningReportTests/Golden/markdown-escapes.json"

RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(dollarmath_plugin)

# Where a template puts a text: the Markdown around it, and the elements the page must hold.
PLACES = {
    "paragraph": ("{}", ["p"]),
    "heading": ("# {}", ["h1"]),
    "list item": ("- {}", ["ul", "li"]),
    "table cell": ("| Series | Value |\n|---|---:|\n| {} | 1 |", ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]),
    "figure description": ("![{}](figure.png)", ["p", "img"]),
}


class Page(html.parser.HTMLParser):
    """The elements a rendered page opens, its text, and its images' descriptions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.alts = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.alts.append(dict(attrs).get("alt", ""))

    def handle_data(self, data):
        self.text.append(data)


def shown(markdown, place):
    """The elements and the text a page shows for `markdown` put in `place`."""
    pattern, _ = PLACES[place]
    page = Page()
    page.feed(RENDERER.render(pattern.format(markdown)))
    if place == "figure description":
        return page.tags, "".join(page.alts)
    text = "".join(page.text).strip()
    if place == "table cell":
        # The header's text, then the cell's, then the other cell's "1".
        text = text.replace("Series", "", 1).replace("Value", "", 1).strip()
        text = text[: -1].strip() if text.endswith("1") else text
    return page.tags, text


def main():
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    failures = 0
    for case in cases:
        text, markdown = case["text"], case["markdown"]
        problems = []
        for place, (_, elements) in PLACES.items():
            tags, shown_text = shown(markdown, place)
            if tags != elements:
                problems.append(f"{place}: elements {tags}")
            # Markdown trims blanks at either end of a block's text, not of an image's description.
            if shown_text != (text if place == "figure description" else text.strip()):
                problems.append(f"{place}: shows {shown_text!r}")
        github = Page()
        github.feed(cmarkgfm.github_flavored_markdown_to_html(markdown))
        if github.tags != ["p"]:
            problems.append(f"GitHub paragraph: elements {github.tags}")
        if "cell" in case:
            # A bound the tool wrote, as escapeCell leaves it for a table cell: markdown-it-py and
            # GitHub's cmark-gfm both show it as written there.
            tags, shown_text = shown(case["cell"], "table cell")
            if tags != PLACES["table cell"][1] or shown_text != text.strip():
                problems.append(f"table cell (escapeCell): elements {tags}, shows {shown_text!r}")
            cell = Page()
            cell.feed(cmarkgfm.github_flavored_markdown_to_html(PLACES["table cell"][0].format(case["cell"])))
            if cell.tags != PLACES["table cell"][1] or text.strip() not in "".join(cell.text):
                problems.append(f"GitHub table cell (escapeCell): elements {cell.tags}")
        failures += bool(problems)
        print(("ok   " if not problems else "FAIL ") + json.dumps(text, ensure_ascii=False)
              + ("" if not problems else " -> " + "; ".join(problems)))
    version = __import__("importlib.metadata").metadata.version
    print(f"{len(cases)} texts, {len(PLACES)} places each, markdown-it-py {version('markdown-it-py')}, "
          + f"mdit-py-plugins {version('mdit-py-plugins')}, cmarkgfm {version('cmarkgfm')}: {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

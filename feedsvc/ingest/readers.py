"""The two libraries that vote on a page's article: readability-lxml and trafilatura.

Each reads the same cleaned tree and is asked only which text it takes; neither one's output is
shown to anyone. They fail differently (readability picks one container and misses articles
spread over several; trafilatura collects more and with it teasers and captions), which is what
makes their votes worth combining.
"""
from __future__ import annotations

import logging
import re
import warnings

import lxml.html
import readability.readability
import trafilatura
from lxml.html import HtmlElement
from readability import Document

# Both libraries log every page they cannot read at WARNING or ERROR; for us that is one
# vote less, not news.
for _name in ("readability.readability", "trafilatura", "trafilatura.core", "trafilatura.utils", "htmldate"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


_LONG_SPACE = re.compile(r"(?<!\s)\s{255,}")
_LINE_BREAK = re.compile(r"(?<!\s)\s*\n\s*")
_TABS = re.compile(r"\t|[ \t]{2,}")


def clean_whitespace(text: str) -> str:
    """readability-lxml's ``clean``, character for character, in linear time.

    readability measures every candidate's and every link's text with it. Its first two
    patterns are tried at each character of a whitespace run and scan the rest of the run
    each time; on the dev suites' real pages that was a tenth of all parsing. Anchored at the
    start of a run they match exactly the runs they matched before.
    """
    text = _LONG_SPACE.sub(" " * 255, text)
    text = _LINE_BREAK.sub("\n", text)
    return _TABS.sub(" ", text).strip()


library_clean = readability.readability.clean
readability.readability.clean = clean_whitespace
# readability cleans a copy of the page with lxml's Cleaner, whose javascript option blanks
# javascript: links (rewriting every link of the page) and on* attributes: a fifth of its
# time on the dev suites, for no text it reads (scripts themselves go with ``scripts``).
readability.readability.html_cleaner.javascript = False


def reader_texts(tree: HtmlElement) -> tuple[str, str]:
    """The text readability-lxml and trafilatura each take as the article ("" when one fails).

    Neither changes ``tree``: readability parses a deep copy, trafilatura copies the tree it
    is given.
    """
    return _readability(tree), _trafilatura(tree)


def _readability(tree: HtmlElement) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            summary = Document(tree).summary(html_partial=True)
    except Exception:  # readability raises Unparseable, and worse, on odd pages: no vote
        return ""
    if not summary.strip():
        return ""
    return lxml.html.fragment_fromstring(summary, create_parent="div").text_content()


def _trafilatura(tree: HtmlElement) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # fast: no fallback extractors of its own; readability votes beside it.
            return trafilatura.extract(
                tree, fast=True, include_comments=False, include_tables=True, output_format="txt"
            ) or ""
    except Exception:  # a library bug on one page must not refuse the page
        return ""

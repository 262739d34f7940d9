"""Chinese articles in the reader's script: OpenCC conversion at render time, cached (pure).

Stored text is never rewritten; pages, feeds and digests convert what they show with the
configuration of the reader's language (languages.toml: t2s for zh-CN, s2tw for zh-Hant).
OpenCC converts an 850-character article in about 0.06 ms once loaded (a configuration takes
25-70 ms to load, once per process), so the cache spares repeats rather than a bottleneck.
"""
from __future__ import annotations

import re
from functools import lru_cache

import opencc
from markupsafe import Markup

# The scripts a query is also searched in: Simplified, and Traditional as Taiwan and Hong Kong
# write it (their standard forms differ: 裡/裏, 着/著).
SEARCH_CONVERSIONS = ("t2s", "s2tw", "s2hk")
CACHE_SIZE = 2048  # texts per process (a page's titles and summaries, an article's body)
# Sanitized HTML (sanitize.py): tags, comments and text; only the text is converted, so an
# attribute (a URL with Chinese in it) is never touched.
_MARKUP = re.compile(r"(<[^>]*>)")


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@lru_cache(maxsize=CACHE_SIZE)
def convert(text: str, config: str | None) -> str:
    """``text`` converted with the OpenCC configuration ``config`` (None: as it is)."""
    if not config or not text or text.isascii():
        return text
    return _converter(config).convert(text)


def convert_html(html: str, config: str | None) -> Markup:
    """Sanitized HTML with its text converted and its tags and attributes as they were."""
    if not config or html.isascii():
        return Markup(html)
    return Markup(convert_text_of(html, config))


@lru_cache(maxsize=CACHE_SIZE // 4)
def convert_text_of(html: str, config: str) -> str:
    """The text between the tags of ``html`` converted (cached: article bodies are long)."""
    converter = _converter(config)
    return "".join(part if part.startswith("<") else converter.convert(part) for part in _MARKUP.split(html))


def search_variants(terms: str) -> tuple[str, ...]:
    """``terms`` and its spellings in the other scripts, each once, ``terms`` first."""
    return tuple(dict.fromkeys((terms, *(convert(terms, config) for config in SEARCH_CONVERSIONS))))

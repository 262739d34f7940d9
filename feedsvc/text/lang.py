"""Telling Chinese from English text by the letters it is written in."""
from __future__ import annotations

import re

# CJK Unified Ideographs with extension A and the compatibility block; that is what
# Chinese news text is written in (extensions B+ are rare enough to ignore).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Japanese kana: a text with enough of it is neither of our two languages.
_KANA = re.compile("[\u3040-\u30ff]")
_LATIN_WORD = re.compile("[A-Za-z\u00c0-\u024f]+")

# A Han character carries about as much as an English word, so the two are compared
# character-for-word; below this many units there is too little to judge.
_MIN_UNITS = 4
_DECISIVE_SHARE = 0.6


def detect_lang(text: str | None) -> str | None:
    """Return 'zh' or 'en' for text mostly in Han characters or Latin words, else None."""
    if not text:
        return None
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    words = len(_LATIN_WORD.findall(text))
    units = han + kana + words
    if units < _MIN_UNITS:
        return None
    if kana > 0.1 * (han + kana):
        return None
    if han / units >= _DECISIVE_SHARE:
        return "zh"
    if words / units >= _DECISIVE_SHARE:
        return "en"
    return None

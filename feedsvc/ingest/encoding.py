"""Turning a file's bytes into text: BOMs, declared charsets, then a real detector."""
from __future__ import annotations

import codecs
import re

import charset_normalizer

from feedsvc.ingest.article import ParseError

# Longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A decoder must see the declaration before it can use it, so HTML puts it near the top
# (the HTML standard's prescan looks at the first 1024 bytes; we allow some slack).
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_PRESCAN_BYTES = 4096
# GB2312 and GBK are subsets of GB18030, and pages labelled with them routinely use
# characters only the superset has; Big5 likewise has the HKSCS extension.  Pure ASCII is
# reported as UTF-8, of which it is a part.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs",
              "ascii": "utf-8"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.05
# ASCII text in UTF-16 is half NUL bytes, in UTF-32 three quarters.
_WIDE_NUL_SHARE = 0.1
# Crawlers cut pages mid-character and editors paste stray bytes: a declared (or recognised)
# multi-byte encoding is kept when at most this share of its characters had to be replaced.
_MAX_REPLACED_SHARE = 0.002
_MIN_REPLACED_ALLOWED = 3
# Chinese text in a double-byte encoding; tried before any single-byte code page is believed.
_CJK_DOUBLE_BYTE = ("gb18030", "big5hkscs")
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_MIN_CJK_SHARE = 0.7


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` to text and return it with the name of the encoding used.

    In order: a byte-order mark; the page's own declaration (tolerating a few bad bytes in it);
    UTF-8; Chinese double-byte encodings (GB18030, Big5) when they give Chinese text; then a
    detector. A page is never read as a single-byte code page (Cyrillic, Latin) while it reads
    as Chinese in a double-byte one: that is how a GBK page without a declaration once came out
    as mojibake marked English.
    """
    if not data:
        raise ParseError("The file is empty.")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data[len(bom):], name), name), name
    if data.count(b"\x00") > _WIDE_NUL_SHARE * len(data):
        # UTF-16/32 without a BOM, or binary; a few stray NULs in a page are only noise.
        return _decode_wide_or_reject(data)
    name = _declared_charset(data)
    if name not in (None, "utf-8") and not data.isascii() and _is_utf8(data):
        # Multi-byte text that is valid UTF-8 is UTF-8 whatever the label says: legacy
        # encodings almost never produce valid UTF-8 by accident, while stale labels are common.
        name = "utf-8"
    if name is not None:
        text = _tolerant(data, name)
        if text is not None:
            return _checked(text, name), name
        # A wrong declaration is common; so is one naming no text encoding at all
        # (rot13, base64: LookupError; punycode: UnicodeError). Let the content decide.
    if _is_utf8(data):
        return _checked(data.decode("utf-8"), "utf-8"), "utf-8"
    chinese = _chinese_double_byte(data)
    if chinese is not None:
        return _checked(chinese[0], chinese[1]), chinese[1]
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        if b"\x00" in data:
            raise ParseError("The file looks binary, not text.")
        raise ParseError("The file's text encoding could not be recognised.")
    name = _canonical(best.encoding)
    return _checked(_strict(data, name), name), name


def _tolerant(data: bytes, name: str) -> str | None:
    """``data`` in ``name``, with a few undecodable bytes replaced; None when it is not that encoding."""
    try:
        return data.decode(name)
    except LookupError:
        return None
    except UnicodeError:
        pass
    try:
        text = data.decode(name, errors="replace")
    except (UnicodeError, LookupError):
        return None
    replaced = text.count("\ufffd")
    return text if replaced <= max(_MIN_REPLACED_ALLOWED, _MAX_REPLACED_SHARE * len(text)) else None


def _chinese_double_byte(data: bytes) -> tuple[str, str] | None:
    """The text and encoding when ``data`` reads as Chinese in GB18030 or Big5, else None."""
    readings = {}
    for name in _CJK_DOUBLE_BYTE:
        text = _tolerant(data, name)
        if text is None:
            continue
        wide = sum(1 for ch in text if ord(ch) > 127)
        if wide and len(_CJK.findall(text)) >= _MIN_CJK_SHARE * wide:
            readings[name] = text
    if len(readings) < 2:
        return next(((text, name) for name, text in readings.items()), None)
    # Both read as CJK (two-byte sequences mostly are): the detector's language model,
    # confined to these two, tells common characters from rare ones.
    best = charset_normalizer.from_bytes(data, cp_isolation=list(_CJK_DOUBLE_BYTE)).best()
    name = _canonical(best.encoding) if best is not None else _CJK_DOUBLE_BYTE[0]
    name = name if name in readings else _CJK_DOUBLE_BYTE[0]
    return readings[name], name


def _strict(data: bytes, name: str) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        raise ParseError(f"The file is not valid {name} text (bad byte at {exc.start}).") from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _canonical(name: str) -> str:
    name = codecs.lookup(name).name
    return _SUPERSETS.get(name, name).replace("_", "-")


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if not match:
        return None
    try:
        return _canonical((match.group(1) or match.group(2)).decode("ascii"))
    except LookupError:
        return None


def _decode_wide_or_reject(data: bytes) -> tuple[str, str]:
    # NUL bytes mean binary data, unless it is UTF-16/32 saved without a BOM, where every
    # ASCII character brings a NUL along.
    best = charset_normalizer.from_bytes(data).best()
    if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
        raise ParseError("The file looks binary, not text.")
    name = _canonical(best.encoding)
    return _checked(_strict(data, name), name), name


def _checked(text: str, name: str) -> str:
    if text and len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise ParseError("The file looks binary, not text.")
    return text

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
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_PRESCAN_BYTES = 4096
# GB2312 and GBK are subsets of GB18030, and pages labelled with them routinely use
# characters only the superset has; Big5 likewise has the HKSCS extension.  Pure ASCII is
# reported as UTF-8, of which it is a part.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs",
              "ascii": "utf-8"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.05


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` to text and return it with the name of the encoding used."""
    if not data:
        raise ParseError("The file is empty.")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data[len(bom):], name), name), name
    if b"\x00" in data:
        return _decode_wide_or_reject(data)
    name = _declared_charset(data)
    if name not in (None, "utf-8") and not data.isascii() and _is_utf8(data):
        # Multi-byte text that is valid UTF-8 is UTF-8 whatever the label says: legacy
        # encodings almost never produce valid UTF-8 by accident, while stale labels are common.
        name = "utf-8"
    if name is not None:
        try:
            return _checked(data.decode(name), name), name
        except (UnicodeError, LookupError):
            # A wrong declaration is common; so is one naming no text encoding at all
            # (rot13, base64: LookupError; punycode: UnicodeError). Let the detector decide.
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ParseError("The file's text encoding could not be recognised.")
    name = _canonical(best.encoding)
    return _checked(_strict(data, name), name), name


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
        return _canonical(match.group(1).decode("ascii"))
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

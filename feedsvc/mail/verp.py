"""VERP return addresses: one envelope sender per delivery, signed so a bounce can name it.

With a bounce address of ``bounces@news.example.org`` each message goes out with the envelope
sender ``bounces+<token>@news.example.org``; a late bounce is sent to that address (RFC 5321
section 4.5.5 returns it to the reverse-path), so the token says which delivery failed even
when the bounce quotes nothing of the original message.

The token is base32 of the delivery id followed by a truncated HMAC-SHA256 of it: only the
holder of the key can make one, so a forged or mistyped bounce cannot mark a stranger bounced.
Base32 in lower case because some MTAs fold local parts to one case (RFC 5321 section 2.4
allows a host to treat them case-insensitively), and its alphabet needs no quoting in a
local part.  Pure: no database, no network.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

# 8 bytes of MAC: a forger has a 2**-64 chance per guess, and every guess costs a bounce
# message sent to us; the whole token stays at 26 characters for any 64-bit id.
MAC_BYTES = 8
MAX_LOCAL_PART = 64  # RFC 5321 section 4.5.3.1.1
_CONTEXT = b"feedsvc verp v1\x00"  # keeps these MACs apart from any other use of the key
_TOKEN = re.compile(r"[a-z2-7]+")


def _key_bytes(key: bytes | str) -> bytes:
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not key:
        raise ValueError("the VERP key is empty")
    return key


def _mac(key: bytes | str, id_bytes: bytes) -> bytes:
    return hmac.new(_key_bytes(key), _CONTEXT + id_bytes, hashlib.sha256).digest()[:MAC_BYTES]


def make_verp_token(delivery_id: int, key: bytes | str) -> str:
    """The short, case-insensitive token that names `delivery_id` (a non-negative int < 2**64)."""
    if isinstance(delivery_id, bool) or not isinstance(delivery_id, int):
        raise TypeError("delivery_id must be an int")
    if not 0 <= delivery_id < 2**64:
        raise ValueError("delivery_id must be between 0 and 2**64 - 1")
    id_bytes = delivery_id.to_bytes(max(1, (delivery_id.bit_length() + 7) // 8), "big")
    raw = id_bytes + _mac(key, id_bytes)
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def parse_verp_token(token: str, key: bytes | str) -> int | None:
    """The delivery id in `token`, or None when the token was not made with `key` (forged, altered)."""
    token = token.strip().lower()
    if not _TOKEN.fullmatch(token) or len(token) > 40:
        return None
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (binascii.Error, ValueError):
        return None
    id_bytes, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if not 1 <= len(id_bytes) <= 8:
        return None
    # The token must be the one make_verp_token writes: no leading zero bytes, no spare bits.
    if len(id_bytes) > 1 and id_bytes[0] == 0:
        return None
    if base64.b32encode(raw).decode("ascii").rstrip("=").lower() != token:
        return None
    if not hmac.compare_digest(mac, _mac(key, id_bytes)):
        return None
    return int.from_bytes(id_bytes, "big")


def _split(address: str) -> tuple[str, str]:
    address = address.strip().strip("<>").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {address!r}")
    return local, domain


def make_verp_address(bounce_address: str, delivery_id: int, key: bytes | str,
                      *, separator: str = "+") -> str:
    """``bounces+<token>@domain`` for `bounce_address` ``bounces@domain``."""
    local, domain = _split(bounce_address)
    if separator in local:
        raise ValueError(f"the bounce address may not contain {separator!r} before the @")
    verp_local = f"{local}{separator}{make_verp_token(delivery_id, key)}"
    if len(verp_local) > MAX_LOCAL_PART:
        raise ValueError(
            f"the VERP local part {verp_local!r} is longer than {MAX_LOCAL_PART} characters "
            "(RFC 5321 section 4.5.3.1.1): choose a shorter bounce address"
        )
    return f"{verp_local}@{domain}"


def split_verp_address(address: str, bounce_address: str, *, separator: str = "+") -> str | None:
    """The token of `address` if it is `bounce_address` with a token added, else None.

    Compared without regard to case: the local part may come back folded (see the module's
    docstring), and domains are case-insensitive anyway (RFC 5321 section 2.4).
    """
    try:
        local, domain = _split(address)
        base_local, base_domain = _split(bounce_address)
    except ValueError:
        return None
    prefix = f"{base_local}{separator}".lower()
    if domain.lower() != base_domain.lower() or not local.lower().startswith(prefix):
        return None
    token = local[len(prefix):].lower()
    return token if _TOKEN.fullmatch(token) else None


def parse_verp_address(address: str, bounce_address: str, key: bytes | str,
                       *, separator: str = "+") -> int | None:
    """The delivery id a VERP `address` names, or None if it is not one of ours or not genuine."""
    token = split_verp_address(address, bounce_address, separator=separator)
    return None if token is None else parse_verp_token(token, key)

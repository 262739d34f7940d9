"""A message built once to bytes, with holes for what differs per recipient (issue 11).

A mailing sends one message to many readers who differ only in a few header fields (To,
Message-ID, Date, List-Unsubscribe) and in the personal links of the bodies. Building each
copy with the email package was half of delivery's time (bench/bench_digest.py's profile);
a stencil is built with it once per render group, and each copy is then filled in with bytes.

The bodies are base64 (build_message), where a value of another length would shift every
encoded line after it. So a body is cut on a line boundary (57 bytes, one base64 line of 76
characters) before its first placeholder: the lines before the cut stay as the email package
encoded them, and only the rest, a digest's footer, is encoded per recipient, the way the email
package encodes it. A new stencil fills itself in with the values it was built from and must
give back the very bytes the email package wrote, or it refuses to exist. Pure: no database,
no network.
"""
from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from .message import header_field

# email.contentmanager's base64: max_line_length (78) // 4 * 3 bytes a line.
_LINE_BYTES = 57
_CRLF = b"\r\n"


@dataclass(frozen=True)
class _Field:
    name: str  # as the caller of fill() names it: "To", "Message-ID" …


@dataclass(frozen=True)
class _Body:
    subtype: str  # "plain", "html": which of fill()'s value tables applies
    tail: bytes  # the decoded body from the cut on, placeholders in it


class Stencil:
    """A message as bytes, with holes for some header fields and the placeholders of its bodies."""

    def __init__(self, segments: tuple, placeholders: Iterable[str]):
        self._segments = segments
        self._pattern = re.compile(b"|".join(re.escape(p.encode("ascii")) for p in placeholders))

    @classmethod
    def from_message(cls, msg: EmailMessage, *, fields: Iterable[str], placeholders: Iterable[str]) -> Stencil:
        """The stencil of ``msg`` (as build_message makes it): ``fields`` and ``placeholders`` left open."""
        placeholders = tuple(placeholders)
        data = msg.as_bytes()
        head, _, _ = data.partition(_CRLF * 2)
        segments = _header_segments(head + _CRLF, {name.lower(): name for name in fields if name in msg})
        segments.append(data[len(head) + 2:])
        segments = _body_segments(msg, segments, placeholders)
        stencil = cls(tuple(segments), placeholders)
        # Filled with the values it was made of, it must be the email package's message again.
        same = {name: str(msg[name]) for name in fields if name in msg}
        identity = {part.get_content_subtype(): {p: p for p in placeholders} for part in msg.walk()}
        if stencil.fill(same, identity) != data:
            raise RuntimeError("the email package writes this message otherwise than a stencil would")
        return stencil

    def fill(self, fields: Mapping[str, str], values: Mapping[str, Mapping[str, str]]) -> bytes:
        """One recipient's message: ``fields`` by name, ``values[subtype][placeholder]`` in the bodies.

        ValueError, as build_message, for a field value no header may hold.
        """
        out = []
        for segment in self._segments:
            if type(segment) is bytes:
                out.append(segment)
            elif type(segment) is _Field:
                out.append(header_field(segment.name, fields[segment.name]))
            else:
                table = {key.encode("ascii"): value.encode("utf-8")
                         for key, value in values[segment.subtype].items()}
                out.append(_base64_lines(self._pattern.sub(lambda m: table[m.group()], segment.tail)))
        return b"".join(out)


def _header_segments(head: bytes, holes: Mapping[str, str]) -> list:
    """The header block as constant bytes and a _Field for each field named in ``holes``."""
    segments: list = [b""]
    in_hole = False
    for line in head.split(_CRLF)[:-1]:
        if line[:1] not in (b" ", b"\t"):  # else a folded field goes on (RFC 5322 section 2.2.3)
            name = line.split(b":", 1)[0].decode("ascii").strip().lower()
            in_hole = name in holes
            if in_hole:
                segments += [_Field(holes[name]), b""]
        if not in_hole:
            segments[-1] += line + _CRLF
    return segments


def _body_segments(msg: EmailMessage, segments: list, placeholders: tuple[str, ...]) -> list:
    """``segments`` with each body that holds a placeholder cut into kept lines and a _Body."""
    *fixed, rest = segments
    pattern = re.compile(b"|".join(re.escape(p.encode("ascii")) for p in placeholders))
    for part in msg.walk():
        if part.is_multipart():
            continue
        decoded = part.get_payload(decode=True)
        found = pattern.search(decoded)
        if found is None:
            continue  # nothing personal: the part stays as written
        if part.get("Content-Transfer-Encoding", "").lower() != "base64":
            raise RuntimeError("a stencil's personal parts must be base64 (build_message writes them so)")
        encoded = part.get_payload().replace("\n", "\r\n").encode("ascii")
        at = rest.find(encoded)
        if at < 0 or _base64_lines(decoded) != encoded:
            raise RuntimeError("the email package encodes base64 otherwise than a stencil would")
        cut = found.start() - found.start() % _LINE_BYTES
        kept = cut // _LINE_BYTES * (76 + len(_CRLF))  # whole lines of the encoded body
        fixed += [rest[:at + kept], _Body(part.get_content_subtype(), decoded[cut:])]
        rest = rest[at + len(encoded):]
    return [*fixed, rest]


def _base64_lines(data: bytes) -> bytes:
    """``data`` in base64 as email.contentmanager writes it: 57 bytes a line, CRLF after each."""
    return b"".join(binascii.b2a_base64(data[i:i + _LINE_BYTES], newline=False) + _CRLF
                    for i in range(0, len(data), _LINE_BYTES))

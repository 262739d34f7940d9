"""Build outgoing email messages (pure: values in, an EmailMessage out) and DKIM-sign them."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from email import policy
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

import dkim
from email_validator import EmailNotValidError, validate_email

# Anything a mail reader or relay could treat as the end of a header line, plus the other
# control characters, which no header we write ever needs (RFC 5322 section 2.2).
_UNSAFE_IN_HEADER = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
# RFC 5322 section 2.2: a field name is printable US-ASCII except the colon.
_FIELD_NAME = re.compile(r"[!-9;-~]+")
_HOSTNAME = re.compile(r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]"
                       r"[A-Za-z0-9-]{0,61}[A-Za-z0-9]")
# RFC 2919 section 2: the list-id itself is a dot-atom.
_LIST_ID = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+")
# The headers build_message writes itself; an extra header may not replace or repeat them.
_OWN_HEADERS = frozenset({
    "from", "to", "cc", "bcc", "reply-to", "sender", "subject", "date", "message-id",
    "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
})
DKIM_SIGNED_HEADERS = (
    "From", "To", "Subject", "Date", "Message-ID", "Reply-To",
    "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post",
)
_MAX_URI = 900  # a List-Unsubscribe URI may not be folded, and a line may hold 998 octets


class _UriListHeader(UnstructuredHeader):
    """A header of `<uri>, <uri>` that folds only between URIs.

    The stock folder turns a URI longer than a line into RFC 2047 encoded words, which no mail
    client would read back as a URI (RFC 2369 section 2 allows folding only around the commas).
    """

    def fold(self, *, policy):
        if not str(self).isascii():
            return super().fold(policy=policy)  # not URIs (RFC 3986 is ASCII): encode as usual
        return _fold_uri_list(self.name, str(self), policy.linesep)


def _fold_uri_list(name: str, value: str, linesep: str) -> str:
    uris = re.split(r"(?<=>)\s*,\s*(?=<)", value)
    return f"{name}: " + f",{linesep} ".join(uris) + linesep


_REGISTRY = HeaderRegistry()
_REGISTRY.map_to_type("list-unsubscribe", _UriListHeader)
# 7bit so every body is quoted-printable or base64 (whichever is shorter): no relay on the way
# needs 8BITMIME, and a DKIM body hash survives relays that would re-encode 8-bit parts.
POLICY = policy.SMTP.clone(cte_type="7bit", header_factory=_REGISTRY)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient, as plain values."""

    to: str
    subject: str
    text: str
    from_addr: str
    html: str | None = None
    reply_to: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    message_id_domain: str | None = None  # default: the domain of from_addr
    # Given by an outbox that must resend a message under the same id; default: a new one.
    message_id: str | None = None


# RFC 5322 section 3.6.4, the dot-atom forms we make: <local@domain>.
_MESSAGE_ID = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>")


# What build_message writes for the fields a mailing sets per recipient, when the value needs
# no folding or encoding: the value itself. An address as the subscribe form stores it (a
# dot-atom local part, a lower-case host name); a Message-ID as we make them; a Date as
# format_datetime writes it. Anything else goes through the email package (header_field).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                            r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")
_DATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r" \d{4} \d\d:\d\d:\d\d [+-]\d{4}")
_PLAIN_VALUES = {"to": _PLAIN_ADDRESS, "message-id": _MESSAGE_ID, "date": _DATE}


def normalise_address(addr: str) -> str:
    """Return the bare address `addr`, validated and normalised (domain in ASCII), or raise ValueError."""
    _refuse_unsafe("address", addr)
    try:
        # SMTPUTF8 is refused so the address fits every header and relay as plain ASCII.
        result = validate_email(addr, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"invalid email address {addr!r}: {_one_line(str(exc))}") from None
    return result.ascii_email


def parse_mailbox(value: str) -> Address:
    """Parse one mailbox (`addr` or `Name <addr>`) into an Address, or raise ValueError."""
    _refuse_unsafe("address", value)
    header = _REGISTRY("To", value)
    if header.defects or len(header.addresses) != 1:
        raise ValueError(f"not a single valid mailbox: {value!r}")
    mailbox = header.addresses[0]
    return Address(display_name=mailbox.display_name, addr_spec=normalise_address(mailbox.addr_spec))


def list_headers(list_id: str, unsubscribe_url: str, unsubscribe_mailto: str | None) -> dict[str, str]:
    """Return the mailing-list headers of a digest: List-Id, List-Unsubscribe, auto-submitted.

    With an https URL the message also offers RFC 8058 one-click unsubscription; a plain
    http URL (a development set-up) gets the RFC 2369 header alone, since RFC 8058 section
    3.1 allows one-click only over HTTPS.
    """
    if not _LIST_ID.fullmatch(list_id) or len(list_id) > 255:
        raise ValueError(f"list id must be a dot-atom such as daily.news.example.org: {list_id!r}")
    one_click = urlsplit(unsubscribe_url).scheme == "https"
    headers = {
        "List-Id": f"<{list_id}>",
        "List-Unsubscribe": list_unsubscribe(unsubscribe_url, unsubscribe_mailto),
    }
    if one_click:
        # RFC 8058 section 3.1: this exact value asks for a one-click POST to the HTTPS URI.
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    headers["Auto-Submitted"] = "auto-generated"  # RFC 3834 section 5: no auto-replies, please
    headers["Precedence"] = "bulk"
    return headers


def list_unsubscribe(unsubscribe_url: str, unsubscribe_mailto: str | None) -> str:
    """The List-Unsubscribe value (RFC 2369): the URL, then the mailto: when there is one."""
    uris = [_http_uri(unsubscribe_url)]
    if unsubscribe_mailto is not None:
        uris.append(_mailto_uri(unsubscribe_mailto))
    return ", ".join(f"<{uri}>" for uri in uris)


def build_message(message: OutgoingMessage, *, now: datetime) -> EmailMessage:
    """Build the MIME message for `message`, dated `now` (an aware datetime)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    _refuse_unsafe("subject", message.subject)
    sender = parse_mailbox(message.from_addr)
    domain = message.message_id_domain or sender.domain
    if not _HOSTNAME.fullmatch(domain):
        raise ValueError(f"message id domain is not a host name: {domain!r}")
    extra = _checked_extra_headers(message.headers)

    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = parse_mailbox(message.to)
    if message.reply_to is not None:
        msg["Reply-To"] = parse_mailbox(message.reply_to)
    msg["Subject"] = message.subject
    msg["Date"] = format_datetime(now.astimezone(timezone.utc))
    if message.message_id is not None:
        _refuse_unsafe("message id", message.message_id)
        if not _MESSAGE_ID.fullmatch(message.message_id):
            raise ValueError(f"not a message id: {message.message_id!r}")
    msg["Message-ID"] = message.message_id or make_msgid(domain=domain)
    for name, value in extra:
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    # base64 named outright: left to choose, the email package encodes each body both as
    # quoted-printable and base64 in pure Python to keep the shorter, which was 40% of the
    # cost of a digest (bench/bench_digest.py's profile).
    msg.set_content(message.text, subtype="plain", charset="utf-8", cte="base64")
    if message.html is not None:
        msg.add_alternative(message.html, subtype="html", charset="utf-8", cte="base64")
        for part in msg.iter_parts():
            # set_content stamps MIME-Version on each new part; RFC 2045 wants it only on top.
            del part["MIME-Version"]
    return msg


def header_field(name: str, value: str) -> bytes:
    """One header field as build_message writes it (folded, CRLF), for the fields a mailing
    sets per recipient: To, Message-ID, Date, List-Unsubscribe; ValueError as build_message.

    Plain values are written as they are, which is what the email package would write, at a
    hundredth of its cost; the stencil checks this against the email package once per group.
    """
    _refuse_unsafe(name, value)
    key = name.lower()
    if key == "message-id" and not _MESSAGE_ID.fullmatch(value):
        raise ValueError(f"not a message id: {value!r}")
    plain = _PLAIN_VALUES.get(key)
    if plain is not None and plain.fullmatch(value) and len(name) + 2 + len(value) <= POLICY.max_line_length:
        return f"{name}: {value}\r\n".encode("ascii")
    if key == "list-unsubscribe" and value.isascii() and "=?" not in value:
        return _fold_uri_list(name, value, "\r\n").encode("ascii")  # as _UriListHeader folds it
    parsed = parse_mailbox(value) if key in ("to", "from", "reply-to") else value
    return POLICY.header_factory(name, parsed).fold(policy=POLICY).encode("ascii")


def sign_message(
    msg_bytes: bytes,
    *,
    selector: str,
    domain: str,
    private_key_pem: bytes,
    headers_to_sign: Iterable[str] | None = None,
) -> bytes:
    """Return `msg_bytes` with a DKIM-Signature header (rsa-sha256, relaxed/relaxed) prepended."""
    names = list(DKIM_SIGNED_HEADERS if headers_to_sign is None else headers_to_sign)
    signed = {name.lower() for name in names}
    for name in ("List-Unsubscribe", "List-Unsubscribe-Post"):
        # RFC 8058 section 3: a one-click unsubscribe header must be covered by the signature.
        if name.lower() not in signed and _has_header(msg_bytes, name):
            raise ValueError(f"{name} is present but not in headers_to_sign")
    for name in names:
        _refuse_unsafe("header name", name)
    try:
        signature = dkim.sign(
            msg_bytes,
            selector.encode("ascii"),
            domain.encode("ascii"),
            private_key_pem,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[name.lower().encode("ascii") for name in names],
        )
    except (dkim.DKIMException, UnicodeEncodeError) as exc:
        raise ValueError(f"cannot DKIM-sign: {_one_line(str(exc))}") from exc
    return signature + msg_bytes


def _checked_extra_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    checked = []
    seen = set()
    for name, value in headers.items():
        if not _FIELD_NAME.fullmatch(name) or name.lower() in _OWN_HEADERS or name.lower() in seen:
            raise ValueError(f"extra header name not allowed: {name!r}")
        seen.add(name.lower())
        _refuse_unsafe(name, value)
        checked.append((name, value))
    return checked


def _http_uri(url: str) -> str:
    _refuse_unsafe("List-Unsubscribe URL", url)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"unsubscribe URL must be an absolute http(s) URL: {url!r}")
    return _uri_in_brackets(url)


@lru_cache(maxsize=16)  # one address for a whole mailing: validated once, not per message
def _mailto_uri(mailto: str) -> str:
    _refuse_unsafe("List-Unsubscribe mailto", mailto)
    if not mailto.startswith("mailto:"):
        mailto = f"mailto:{normalise_address(mailto)}"
    return _uri_in_brackets(mailto)


def _uri_in_brackets(uri: str) -> str:
    if len(uri) > _MAX_URI or any(ch in uri for ch in "<>\" \t") or not uri.isascii():
        raise ValueError(f"URI cannot be placed in angle brackets: {uri[:80]!r}")
    return uri


def _refuse_unsafe(what: str, value: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, not {type(value).__name__}")
    if _UNSAFE_IN_HEADER.search(value):
        raise ValueError(f"{what} contains a line break or control character: {value[:80]!r}")


def _has_header(msg_bytes: bytes, name: str) -> bool:
    head = re.split(rb"\r?\n\r?\n", msg_bytes, maxsplit=1)[0]
    return re.search(rb"(?im)^" + re.escape(name.encode("ascii")) + rb"[ \t]*:", head) is not None


def _one_line(text: str) -> str:
    return " ".join(text.split())

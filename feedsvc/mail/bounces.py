"""Read one returned message and say what it reports: permanent bounces, delays, complaints.

Pure: raw bytes in, a list of `Finding` out; no database, no network, no clock.  Understands
RFC 3464 delivery status notifications, RFC 5965 ARF feedback reports, and the text bounces of
MTAs that send no DSN (Exim, qmail, Postfix without a status part, or a bare "550 5.1.1 …"
from a mailer daemon).  A message it does not understand (an auto-reply, a reader's answer)
reports nothing; only bytes that are not a mail message at all raise `UnreadableMessage`.
The text recognisers live in bounce_text.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, message_from_string, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

from . import bounce_text
from .bounce_text import Kind, Report, first_line, kind_for_status, status_in
from .verp import split_verp_address

__all__ = ["Finding", "Kind", "UnreadableMessage", "parse_bounce"]


class UnreadableMessage(ValueError):
    """The bytes are not a mail message; str() is one line fit for a report."""


@dataclass(frozen=True)
class Finding:
    """One recipient's fate as one returned message reports it."""

    kind: Kind
    recipient: str | None  # the address we sent to, as the report gives it; None if withheld
    status: str | None  # RFC 3463 code ("5.1.1"); None for complaints and when none is given
    diagnostic: str | None  # one line: the remote server's reply, or the feedback type
    verp_token: str | None  # from bounces+<token>@…, not yet verified (see verp.py)
    message_id: str | None  # "<…>" of the message that failed, from the returned headers
    source: str  # how it was recognised: dsn, arf, exim, qmail, postfix, text


# Delivery-status parts: RFC 3464 section 2, and the UTF-8 variant of RFC 6533 section 6.
_DSN_TYPES = {"message/delivery-status", "message/global-delivery-status"}
_FEEDBACK_TYPE = "message/feedback-report"  # RFC 5965 section 3
_RETURNED_MESSAGE = {"message/rfc822", "message/global"}
_RETURNED_HEADERS = {"text/rfc822-headers", "message/global-headers"}  # RFC 6522 / RFC 6533
# RFC 5965 section 7.3 registers abuse, fraud, virus, other (not-spam and auth-failure came
# later): a reader pressing "this is spam" is abuse; fraud and other are complaints too.
_COMPLAINT_TYPES = {"abuse", "fraud", "other"}
# RFC 3464 section 2.3.3: only these two say the message did not arrive.
_FAILED, _DELAYED = "failed", "delayed"
# Where the MTA's own copy of our message starts inside a text body.
_QUOTED_MESSAGE_ID = re.compile(r"^Message-ID:[ \t]*(\S[^\r\n]*)", re.I | re.M)
_QUOTED_RETURN_PATH = re.compile(r"^Return-Path:[ \t]*<([^<>\s]*)>", re.I | re.M)
_MSG_ID = re.compile(r"<[^<>\s@]{1,250}@[^<>\s@]{1,250}>")  # bounded: see bounce_text._ADDRESS
# Headers on which the receiving MTA records the envelope recipient of the bounce (Postfix,
# Dovecot LDA and Exim write one of them), before the To a bounce generator fills in.
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To")


def parse_bounce(raw: bytes, *, bounce_address: str | None = None) -> list[Finding]:
    """What the message `raw` reports; empty when it is not a bounce or complaint.

    `bounce_address` (``bounces@news.example.org``) enables VERP: a finding carries the token
    of ``bounces+<token>@…`` when the message was addressed there or returns a message whose
    Return-Path was.  Raises UnreadableMessage when `raw` is not a mail message at all.
    """
    msg = _parse(raw)
    returned = _returned_headers(msg)
    reports = _reports(msg, returned)
    if not reports:
        return []
    message_id = _message_id(msg, returned)
    token = _verp_token(msg, returned, bounce_address) if bounce_address else None
    # A dict keeps the order and drops a recipient reported twice in the same words.
    findings = {Finding(r.kind, r.recipient, r.status, r.diagnostic, token, message_id, r.source): None
                for r in reports}
    return list(findings)


def _parse(raw: bytes) -> Message:
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise TypeError(f"raw must be bytes, not {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise UnreadableMessage("empty message")
    # compat32: it never raises on a malformed header, and bounces are full of them.
    msg = message_from_bytes(raw, policy=policy.compat32)
    if not msg.keys():
        # The parser found no "Name: value" line before the body: not RFC 5322 at all.
        raise UnreadableMessage("not a mail message: no header fields at the start")
    return msg


def _reports(msg: Message, returned: Message | None) -> list[Report]:
    dsn = _find_part(msg, _DSN_TYPES)
    if dsn is not None:
        reports = _dsn_reports(dsn)
        if reports is not None:
            return reports
        # A status part without one recipient in it (cut short, or encoded so the email
        # package could not split it): the notice text may still say who failed.
    feedback = _find_part(msg, {_FEEDBACK_TYPE})
    if feedback is not None:
        return _arf_reports(feedback, returned)
    if msg.get_content_type() == "multipart/report" and dsn is None:
        # Some other report (a read receipt, RFC 8098) without a part we know: not a bounce.
        return []
    text = _notice_text(msg)
    return bounce_text.recognise(
        text,
        sender=_header(msg, "From"),
        subject=_header(msg, "Subject"),
        autoreply=_is_autoreply(msg),
        own_addresses=_addresses(msg, "To", "From", *_ENVELOPE_HEADERS),
    )


def _dsn_reports(part: Message) -> list[Report] | None:
    """One report per failed or delayed recipient; None when the part names no recipient."""
    reports = []
    # The first group holds the per-message fields (RFC 3464 section 2.2); the rest are one
    # group per recipient (section 2.3).
    groups = [g for g in _field_groups(part)[1:] if g.get("final-recipient")]
    if not groups:
        return None
    for fields in groups:
        action = fields.get("action", "").split("(")[0].strip().lower()
        if action not in (_FAILED, _DELAYED):
            continue  # delivered, relayed, expanded: the message got through
        diagnostic = first_line(_strip_type(fields.get("diagnostic-code", ""))) or None
        status = status_in(fields.get("status", "")) or status_in(diagnostic or "")
        if action == _DELAYED:
            kind = Kind.TRANSIENT  # the MTA keeps trying (section 2.3.3), whatever the code
        else:
            # "failed" with a 4.x.x is a message that aged out of a queue (4.4.7): the address
            # may be fine, so the code decides, not the action.
            kind = kind_for_status(status) or Kind.BOUNCE
        # Original-Recipient is the address we gave in RCPT TO; Final-Recipient may be where
        # a forward led (RFC 3464 sections 2.3.1 and 2.3.2).
        recipient = (_address(fields.get("original-recipient", ""))
                     or _address(fields.get("final-recipient", "")) or None)
        diagnostic = diagnostic or first_line(fields.get("status", "")) or None
        reports.append(Report(kind, recipient, status, diagnostic, "dsn"))
    return reports


def _arf_reports(part: Message, returned: Message | None) -> list[Report]:
    groups = _field_groups(part)
    fields = groups[0] if groups else _Fields([])
    feedback_type = fields.get("feedback-type", "").split("(")[0].strip().lower()
    if feedback_type not in _COMPLAINT_TYPES:
        return []  # not-spam, virus, auth-failure: nothing the reader asked for
    diagnostic = f"Feedback-Type: {feedback_type}"
    if fields.get("user-agent"):
        diagnostic += f" ({first_line(fields['user-agent'])})"
    # RFC 5965 section 3.2: Original-Rcpt-To may repeat; many providers redact it, and the
    # To of the returned message, leaving VERP and the Message-ID to find the delivery.
    recipients = [_address(v) for v in fields.get_all("original-rcpt-to")]
    if not any(recipients) and returned is not None:
        recipients = [addr for _, addr in getaddresses(returned.get_all("To", []))]
    recipients = [r for r in recipients if r and "@" in r] or [None]
    return [Report(Kind.COMPLAINT, r, None, diagnostic, "arf") for r in recipients]


class _Fields:
    """One group of report fields, looked up without regard to case; values unfolded."""

    def __init__(self, items: list[tuple[str, str]]):
        self._items = [(name.lower(), _unfold(str(value))) for name, value in items]

    def get(self, name: str, default: str = "") -> str:
        return next((value for key, value in self._items if key == name), default)

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self._items if key == name]

    def __getitem__(self, name: str) -> str:
        return self.get(name)


def _field_groups(part: Message) -> list[_Fields]:
    payload = part.get_payload()
    if part.get_content_type() == "message/delivery-status" and isinstance(payload, list):
        # The email package splits message/delivery-status into its groups already.
        return [_Fields(block.items()) for block in payload]
    # message/feedback-report and the RFC 6533 global forms arrive as one message; read its
    # text again and split it into groups at the blank lines ourselves.
    text = payload[0].as_string() if isinstance(payload, list) and payload else _decoded(part)
    groups = re.split(r"\r?\n[ \t]*\r?\n", text.strip())
    return [_Fields(message_from_string(g + "\n", policy=policy.compat32).items())
            for g in groups if g.strip()]


def _find_part(msg: Message, types: set[str]) -> Message | None:
    return next((p for p in _own_parts(msg) if p.get_content_type() in types), None)


def _own_parts(msg: Message):
    """The parts of `msg`, without descending into a returned message or report part."""
    yield msg
    if msg.get_content_maintype() == "multipart" and isinstance(msg.get_payload(), list):
        for sub in msg.get_payload():
            if isinstance(sub, Message):
                yield from _own_parts(sub)


def _returned_headers(msg: Message) -> Message | None:
    """The headers of our message as the report returns them, from a part or the text."""
    for part in _own_parts(msg):
        content_type = part.get_content_type()
        payload = part.get_payload()
        if content_type in _RETURNED_MESSAGE and isinstance(payload, list) and payload:
            return payload[0]
        if content_type in _RETURNED_HEADERS:
            return message_from_string(_decoded(part).lstrip() + "\n\n", policy=policy.compat32)
    return None


def _message_id(msg: Message, returned: Message | None) -> str | None:
    value = _header(returned, "Message-ID") if returned is not None else ""
    if not value:
        # Exim, qmail and many text bounces quote the original headers in the body.
        match = _QUOTED_MESSAGE_ID.search(_all_text(msg))
        value = match.group(1) if match else ""
    found = _MSG_ID.search(value)
    if found:
        return found.group(0)
    # Some MTAs drop the angle brackets of a quoted Message-ID.
    bare = next((word.strip("<>") for word in value.split() if "@" in word), "")
    return f"<{bare}>" if _MSG_ID.fullmatch(f"<{bare}>") else None


def _verp_token(msg: Message, returned: Message | None, bounce_address: str) -> str | None:
    candidates = _addresses(msg, *_ENVELOPE_HEADERS)
    feedback = _find_part(msg, {_FEEDBACK_TYPE})
    if feedback is not None:
        # RFC 5965 section 3.2: the envelope sender of the reported message.
        groups = _field_groups(feedback)
        candidates += [_address(v) for v in groups[0].get_all("original-mail-from")] if groups else []
    if returned is not None:
        # The returned message's Return-Path is the envelope sender we used: RFC 5965 feedback
        # reports go to a fixed address, so for them this is the only place the token is.
        candidates += _addresses(returned, "Return-Path")
    candidates += _QUOTED_RETURN_PATH.findall(_all_text(msg))
    for address in candidates:
        token = split_verp_address(address, bounce_address)
        if token:
            return token
    return None


def _is_autoreply(msg: Message) -> bool:
    """An out-of-office or vacation answer (RFC 3834), as opposed to a mailer daemon's."""
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return True
    if _header(msg, "Precedence").lower() == "auto_reply":
        return True
    subject = _header(msg, "Subject").lower()
    if re.match(r"(auto(matic)?[ -]?reply|auto:|out of (the )?office|vacation|自动回复|"
                r"自動回覆)", subject):
        return True
    # Mailer daemons send Auto-Submitted: auto-replied too (Postfix, Exim), so it counts only
    # from someone else.
    return (_header(msg, "Auto-Submitted").lower().startswith("auto-replied")
            and not bounce_text.is_daemon(_header(msg, "From")))


def _notice_text(msg: Message) -> str:
    """The human-readable notice: the first text part that is not a returned message."""
    for part in _own_parts(msg):
        if part.get_content_type() == "text/plain":
            return _decoded(part)
    return ""


def _all_text(msg: Message) -> str:
    return "\n".join(_decoded(p) for p in _own_parts(msg) if p.get_content_maintype() == "text")


def _decoded(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken base64 or uuencoded body: read it as it stands
        data = None
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace")


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    try:
        return _unfold(str(make_header(decode_header(str(value)))))
    except Exception:  # a malformed RFC 2047 word: the raw text is still worth reading
        return _unfold(str(value))


def _addresses(msg: Message, *names: str) -> list[str]:
    values = [str(v) for name in names for v in (msg.get_all(name) or [])]
    return [addr for _, addr in getaddresses(values) if "@" in addr]


def _strip_type(value: str) -> str:
    """``smtp; 550 …`` → ``550 …``: the type before the ";" (RFC 3464 section 2.1.2) dropped."""
    kind, semicolon, rest = value.partition(";")
    # Only a type-like word counts: "550 5.1.1 <a@b>; reason" has no type to drop.
    return rest.strip() if semicolon and re.fullmatch(r"[A-Za-z0-9-]+", kind.strip()) else value


def _address(value: str) -> str:
    """``rfc822; <a@b>`` → ``a@b``; RFC 5965's Original-Rcpt-To has no type, just the address."""
    return " ".join(_strip_type(value).split()).strip("<> ")


def _unfold(value: str) -> str:
    return " ".join(value.split())

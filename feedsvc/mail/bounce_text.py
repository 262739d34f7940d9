"""Bounces without a status part: the text notices of Exim, qmail and Postfix, and bare
"550 5.1.1 …" replies quoted by a mailer daemon.  Pure; bounces.py is the entry point.

Each MTA opens its notice with a fixed sentence, found only at the start of a line (a reader
quoting a bounce writes "> " before it).  Without one, the text is read only when the
message comes from a mailer daemon or has a delivery-failure subject, and is not an
auto-reply: otherwise a reader's "I got a 550 error" would bounce them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from enum import StrEnum


class Kind(StrEnum):
    """What a finding means for the address."""

    BOUNCE = "bounce"  # permanent: 5.x.x / 5xx — counts toward the bounce limit
    TRANSIENT = "transient"  # 4.x.x / 4xx, or a delay: recorded only
    COMPLAINT = "complaint"  # an ARF abuse/fraud/other report: the reader wants no more


@dataclass(frozen=True)
class Report:
    """A finding before the message-wide VERP token and Message-ID are added."""

    kind: Kind
    recipient: str | None
    status: str | None
    diagnostic: str | None
    source: str


# RFC 3463 section 2: class "." subject "." detail.  The grammar allows three digits for the
# subject, but only 0-7 are defined (section 3), and one digit keeps version numbers out
# ("Exim 4.96.1"); never inside an IP address ("192.0.2.25" holds "2.0.2").
_ENHANCED = re.compile(r"(?<![\w.])([245])\.([0-7])\.(\d{1,3})(?!\w|\.\d)")
# RFC 5321 section 4.2: a three-digit reply code, then a space, a hyphen or the line's end.
_REPLY = re.compile(r"(?<![\w.])([245])\d\d(?=[ \t-]|$)", re.M)
# Bounded as RFC 5321 section 4.5.3.1 bounds them: an unbounded run of letters without an @
# would make every search quadratic, and anyone can send us a bounce.
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}"
                      r"(?:\.[A-Za-z0-9-]{1,63}){1,8})>?")
_DIAGNOSTIC_MAX = 300
# Where the MTA's copy of our message starts: a separator line that says so, or the first
# header line of the returned message.
_RETURNED_START = re.compile(
    r"^(?:-{2,}+[^\n]*?(?:original message|copy of (?:the|your) message|below this line|"
    r"message follows|original headers|returned message|headers of)"
    r"|(?:Return-Path|Received|Message-ID|DKIM-Signature):)",
    re.I | re.M,
)
_DAEMONS = {"mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster", "mdaemon"}
_FAILURE_SUBJECT = re.compile(
    r"undeliver|not (?:be )?delivered|delivery (?:status notification|failure|failed|has failed|"
    r"problem|incomplete)|failure notice|returned mail|mail delivery failed|delivery error|"
    r"退信|未能送达|无法投递|無法傳遞",
    re.I,
)
_REPLY_PREFIX = re.compile(r"\s*(?:re|fwd?|aw|wg|sv|回复|答复|转发)\s*[:：]", re.I)
# Words that make a bare reply code a recipient failure, when no enhanced code says so.
_FAILURE_WORDS = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient)|does not exist|"
    r"mailbox (?:unavailable|not found|full|disabled)|recipient (?:address )?rejected|"
    r"invalid (?:recipient|mailbox|address)|over quota|quota exceeded|account (?:disabled|"
    r"inactive)|not found|try again later|temporarily",
    re.I,
)


def recognise(text: str, *, sender: str, subject: str, autoreply: bool,
              own_addresses: list[str]) -> list[Report]:
    """The failures `text` (a bounce's notice) reports; empty when it reports none."""
    for recogniser in (_exim, _qmail, _postfix):
        reports = recogniser(text)
        if reports:
            return reports
    # A bounce's subject is the MTA's own; "Fwd: Mail delivery failed" is a person's.
    own_subject = _FAILURE_SUBJECT.search(subject) and not _REPLY_PREFIX.match(subject)
    if autoreply or not (is_daemon(sender) or own_subject):
        return []
    return _reply_lines(text, own_addresses)


def status_in(text: str) -> str | None:
    """The RFC 3463 code in `text`; from a bare reply code ``550`` → ``5.0.0`` (RFC 3463 X.0.0)."""
    match = _ENHANCED.search(text)
    if match:
        return ".".join(str(int(group)) for group in match.groups())
    match = _REPLY.search(text)
    if match and match.group(1) in "45":
        return f"{match.group(1)}.0.0"
    return None


def kind_for_status(status: str | None) -> Kind | None:
    """Permanent for 5.x.x, transient for 4.x.x; None when there is no failure code."""
    if not status:
        return None
    klass, subject, detail = status.split(".")
    if klass == "5":
        # RFC 3463 section 3.3: X.2.2 "mailbox full … should be used as a persistent
        # transient failure", though many servers send it as 552 5.2.2: the reader can
        # make room, so it must not count as a dead address.
        return Kind.TRANSIENT if (subject, detail) == ("2", "2") else Kind.BOUNCE
    return Kind.TRANSIENT if klass == "4" else None


def first_line(text: str) -> str:
    """`text` as one line of bounded length, for a log or a history entry."""
    line = " ".join(text.split())
    return line if len(line) <= _DIAGNOSTIC_MAX else line[: _DIAGNOSTIC_MAX - 1] + "…"


def is_daemon(from_header: str) -> bool:
    """Whether a From header names a mailer daemon or postmaster."""
    name, address = parseaddr(from_header)
    local = address.rpartition("@")[0] if "@" in address else address
    return local.lower() in _DAEMONS or "mail delivery" in name.lower()


def _before_returned(text: str) -> str:
    match = _RETURNED_START.search(text)
    return text[: match.start()] if match else text


def _report(kind: Kind | None, recipient: str | None, details: str, source: str,
            *, delayed: bool = False) -> Report:
    status = status_in(details)
    if delayed:
        kind = Kind.TRANSIENT
    kind = kind or kind_for_status(status) or Kind.BOUNCE
    return Report(kind, recipient, status, first_line(details) or None, source)


def _exim(text: str) -> list[Report] | None:
    # Exim's bounce and its delay warning both open with this line (exim4 "bounce_message_text"
    # and "warn_message_file" defaults); the failed addresses are indented two spaces, their
    # details four.
    start = re.search(r"^This message was created automatically by mail delivery software\.",
                      text, re.M)
    if not start:
        return None
    body = _before_returned(text[start.end():])
    delayed = re.search(r"has not yet been delivered", body, re.I) is not None
    reports = []
    lines = body.splitlines()
    for i, line in enumerate(lines):
        match = re.fullmatch(r" {2}<?([^\s<>@]+@[^\s<>]+?)>?(?:\s+\(.*\))?\s*", line)
        if not match:
            continue
        details = []
        for following in lines[i + 1:]:
            if not re.match(r" {4,}|\t", following):
                break
            details.append(following.strip())
        # The reply line itself is the diagnostic; "host … [ip]" and "SMTP error from …"
        # before it only say where.
        reply = next((d for d in details if _REPLY.match(d)), " ".join(details))
        reason = re.sub(r"^Delay reason:\s*", "", reply)
        reports.append(_report(None, match.group(1), reason, "exim", delayed=delayed))
    return reports


def _qmail(text: str) -> list[Report] | None:
    # qmail-send's notice (qsutil/qmail-send.c): "<addr>:" on a line of its own, then the
    # remote reply, up to a blank line; codes may also come as "(#5.1.1)".
    start = re.search(r"^Hi\. This is the qmail-send program at ", text, re.M)
    if not start:
        return None
    body = _before_returned(text[start.end():])
    reports = []
    for block in re.split(r"\n[ \t]*\n", body):
        lines = block.strip().splitlines()
        match = re.fullmatch(r"<([^<>\s@]+@[^<>\s@]+)>:", lines[0].strip()) if lines else None
        if not match:
            continue
        said = next((line.split(":", 1)[1] for line in lines[1:]
                     if line.startswith("Remote host said:")), None)
        details = said or " ".join(line.strip() for line in lines[1:])
        reports.append(_report(None, match.group(1), details, "qmail"))
    return reports


def _postfix(text: str) -> list[Report] | None:
    # Postfix's bounce(8) notice without its DSN part: "<addr>: reason" with the reason
    # folded onto indented lines; "(expanded from <alias>)" names the address we sent to.
    start = re.search(r"^This is the (?:mail system|Postfix program) at host ", text, re.M)
    if not start:
        return None
    body = _before_returned(text[start.end():])
    delayed = "THIS IS A WARNING ONLY" in body
    reports = []
    lines = body.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"<([^<>\s@]+@[^<>\s@]+)>(?: \(expanded from <([^<>\s@]+@[^<>\s@]+)>\))?"
                         r":\s*(.*)", line)
        if not match:
            continue
        details = [match.group(3)]
        for following in lines[i + 1:]:
            if not re.match(r"[ \t]+\S", following):
                break
            details.append(following.strip())
        recipient = match.group(2) or match.group(1)
        reports.append(_report(None, recipient, " ".join(details), "postfix", delayed=delayed))
    return reports


def _reply_lines(text: str, own_addresses: list[str]) -> list[Report]:
    """A daemon's notice in no format we know: each line with a 4xx/5xx reply about a recipient."""
    own = {a.lower() for a in own_addresses}
    notice = _before_returned(text)
    lines = notice.splitlines()
    reports: dict[str | None, Report] = {}
    only = None  # the notice's one recipient, looked for once (not once per reply line)
    for i, line in enumerate(lines):
        reply = _REPLY.search(line)
        if line.lstrip().startswith(">") and not line.lstrip().startswith(">>>"):
            continue  # quoted by a person; ">>> RCPT TO" is a daemon's session transcript
        if not reply or reply.group(1) not in "45":
            continue
        if not (_ENHANCED.search(line) or _FAILURE_WORDS.search(line)):
            continue  # a number that only looks like a code ("550 new articles")
        recipient = _recipient_near(lines, i, own)
        if recipient is None:
            only = _only_recipient(notice, own) if only is None else only
            recipient = only or None
        if recipient not in reports:
            reports[recipient] = _report(None, recipient, line[reply.start():], "text")
    return list(reports.values())


def _recipient_near(lines: list[str], index: int, own: set[str]) -> str | None:
    # The address on the reply's own line, else the nearest one above it in its paragraph
    # ("Delivery to the following recipient failed permanently:\n\n    a@b\n\n… 550 …").
    for line in reversed(lines[max(0, index - 8): index + 1]):
        for address in _ADDRESS.findall(line):
            if _is_recipient(address, own):
                return address
    return None


def _only_recipient(text: str, own: set[str]) -> str:
    found = {a for a in _ADDRESS.findall(text) if _is_recipient(a, own)}
    return found.pop() if len(found) == 1 else ""


def _is_recipient(address: str, own: set[str]) -> bool:
    # Not our own address, nor the "write to postmaster@…" a notice may offer.
    return address.lower() not in own and address.rpartition("@")[0].lower() not in _DAEMONS

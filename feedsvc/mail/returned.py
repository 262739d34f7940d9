"""Returned mail in the store: which delivery a bounce or complaint names, what it does, what was read.

Anyone can mail the bounce address, so a finding acts only on a delivery it proves (issue 12):
by its VERP token, checked with the key, or else by the Message-ID of the returned message
together with the recipient the report names, which must be the delivery's address. A
recipient alone names nothing. Then a permanent bounce counts toward the bounce limit, a
transient one is history only, and a complaint unsubscribes at once; each is a
``ReturnedMail`` row the subscriber's history and the delivery log show.

Each message is recorded in one transaction with its key in ``processed_mail`` (unique), and
only then moved or flagged in its mailbox: a crash in between leaves a message that the next
scan finds recorded and only marks, and two scans at once count it once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..mail_models import ProcessedMail, ReturnedMail, ReturnKind
from ..models import Delivery, SubscriberState, utcnow
from ..subscribers import count_bounce, unsubscribe
from .bounces import Finding, UnreadableMessage, parse_bounce
from .mailboxes import Mailbox, MailboxItem
from .verp import parse_verp_token

DIAGNOSTIC_MAX = 500


@dataclass(frozen=True)
class ReturnSettings:
    """What reading returned mail needs from the configuration."""

    bounce_address: str | None  # VERP tokens are looked for only with it
    verp_key: bytes
    bounce_limit: int


@dataclass
class ScanReport:
    """What one scan found; ``problems`` names each message that could not be read, one line each."""

    bounces: int = 0  # permanent and transient failures of our messages, each counted once
    complaints: int = 0
    unmatched: int = 0  # findings that prove no delivery of ours, and messages reporting nothing
    unreadable: int = 0
    problems: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        """The line ``feedsvc bounces scan`` prints and the job's summary."""
        return (f"{self.bounces} bounces, {self.complaints} complaints, {self.unmatched} unmatched, "
                f"{self.unreadable} unreadable")


class ProcessedMessages:
    """The mailboxes' ``ProcessedKeys`` store in the ``processed_mail`` table."""

    def __init__(self, make_session: sessionmaker):
        self.make_session = make_session

    def __contains__(self, key: object) -> bool:
        with self.make_session() as session:
            return session.get(ProcessedMail, key) is not None

    def add(self, key: str) -> None:
        with self.make_session() as session, session.begin():
            claim_key(session, key, "", utcnow())


def scan(make_session: sessionmaker, mailbox: Mailbox, settings: ReturnSettings, *,
         now: Callable[[], datetime] = utcnow) -> ScanReport:
    """Read every unprocessed message of ``mailbox``, record what each says, and mark it processed.

    A message that cannot be read is counted, named in ``problems`` and left where it is.
    """
    report = ScanReport()
    with mailbox:
        for item in mailbox.messages():
            findings = _read(item, settings, report)
            if findings is None:
                continue
            with make_session() as session, session.begin():
                record_message(session, item, findings, settings, now(), report)
            mailbox.mark_processed(item)
    return report


def _read(item: MailboxItem, settings: ReturnSettings, report: ScanReport) -> list[Finding] | None:
    """The findings of one message; None (and a line in the report) when it cannot be read."""
    problem = item.error
    if item.raw is not None:
        try:
            return parse_bounce(item.raw, bounce_address=settings.bounce_address)
        except UnreadableMessage as exc:
            problem = str(exc)
    report.unreadable += 1
    report.problems.append(f"{item.location}: {problem or 'unreadable'}")
    return None


def record_message(session: Session, item: MailboxItem, findings: list[Finding],
                   settings: ReturnSettings, now: datetime, report: ScanReport) -> None:
    """Record one message's findings, in the caller's transaction; nothing if another scan had it."""
    if not claim_key(session, item.key, item.location, now):
        return
    if not findings:
        report.unmatched += 1  # an auto-reply, a reader's answer, spam: nothing to act on
        return
    for finding in findings:
        match = find_delivery(session, finding, settings, alone=len(findings) == 1)
        if match is None:
            report.unmatched += 1
            continue
        if not apply_finding(session, *match, finding, settings, now):
            continue  # reported before (a relay repeating itself): counted then
        if finding.kind == ReturnKind.COMPLAINT:
            report.complaints += 1
        else:
            report.bounces += 1


def claim_key(session: Session, key: str, location: str, now: datetime) -> bool:
    """Insert a message's key, in the caller's transaction; False when it was there already."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = session.execute(
        insert(ProcessedMail).values(key=key, location=location[:500], processed_at=now)
        .on_conflict_do_nothing(index_elements=[ProcessedMail.key])
        .returning(ProcessedMail.key)
    ).first()
    return inserted is not None


def find_delivery(session: Session, finding: Finding, settings: ReturnSettings, *,
                  alone: bool) -> tuple[Delivery, str] | None:
    """The delivery ``finding`` proves, and how ("verp", "message-id"); None when it proves none.

    A VERP token names the message we sent, so a report of a single recipient counts even
    when a forward changed the address (RFC 3464's Final-Recipient); among several, only the
    recipient we sent to does.
    """
    if finding.verp_token and settings.bounce_address:
        delivery_id = parse_verp_token(finding.verp_token, settings.verp_key)
        delivery = session.get(Delivery, delivery_id) if delivery_id is not None else None
        if delivery is not None and (alone or finding.recipient is None
                                     or _same(finding.recipient, delivery.to_addr)):
            return delivery, "verp"
    if finding.message_id and finding.recipient:
        delivery = session.scalar(select(Delivery).where(Delivery.message_id == finding.message_id))
        if delivery is not None and _same(finding.recipient, delivery.to_addr):
            return delivery, "message-id"
    return None


def apply_finding(session: Session, delivery: Delivery, matched_by: str, finding: Finding,
                  settings: ReturnSettings, now: datetime) -> bool:
    """Record ``finding`` in the history and act on it; False when this message reported it before."""
    row = ReturnedMail(
        received_at=now, kind=finding.kind, delivery_id=delivery.id, subscriber_id=delivery.subscriber_id,
        recipient=delivery.to_addr, status=finding.status, matched_by=matched_by,
        diagnostic=(finding.diagnostic or "")[:DIAGNOSTIC_MAX] or None,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # a relay reported this message's fate twice: it counts once
        return False
    subscriber = delivery.subscriber
    if subscriber is None:  # an operator's test: history only
        return True
    if finding.kind == ReturnKind.BOUNCE:
        count_bounce(subscriber, settings.bounce_limit)
    elif finding.kind == ReturnKind.COMPLAINT and subscriber.state != SubscriberState.UNSUBSCRIBED:
        # A reader who calls our mail spam wants none: RFC 5965 section 1, and the providers'
        # feedback-loop terms.
        unsubscribe(session, subscriber, now=now)
    return True


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()

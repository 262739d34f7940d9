"""Delivery runs: the outbox sent over one or more connections at once (issue 11).

Before the first claim, the builder prepares what all batches share (a digest renders every
group due). Then each connection has its own backend (one SMTP connection), its own database
connection and its own claims: it claims a batch in a short write transaction, has the
builder read what the batch needs in a read-only one (no render or read holds SQLite's write
lock), then sends message after message and records each outcome right after the backend
answered. While the server decides on a message, the connection builds the next one, or,
after a batch's last, claims and reads the next batch. A relay that takes 20 ms per message
caps one connection at 50 messages a second, whatever the sender does; N connections, each
waiting on its own message, get N times as far. The first connection is the calling thread,
the others are threads of their own: the work between two replies is short, and waiting on
a socket releases the GIL.

The rate limits (``throttle``) are counted in the database, so they hold across connections
and workers alike. A kill leaves at most one message unrecorded per open connection, the one
it had on the wire; it is sent again when its lease runs out.
"""
from __future__ import annotations

import gc
import threading
from contextlib import nullcontext
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from ..models import DeliveryState, utcnow
from .backends import BackendUnavailable, MailBackend, PermanentFailure, TemporaryFailure
from .outbox import (
    Builder, Claimed, DeliveryReport, OutboxSettings, SendOutcome, claim, count_due, record_cancelled,
    record_failure, record_retry, release, sent_recorder,
)


def deliver_pending(
    make_session: sessionmaker, new_backend: Callable[[], MailBackend], settings: OutboxSettings,
    build: Builder, *, connections: int = 1, now: Callable[[], datetime] = utcnow,
    only: list[int] | None = None, batch: int = 100, limit: int | None = None,
    on_message: Callable[[int, SendOutcome], None] | None = None, throttle: Callable[[], None] | None = None,
    read_session: sessionmaker | None = None,
) -> DeliveryReport:
    """Send what is due over ``connections`` connections until the outbox is empty, ``limit`` is
    reached or the backend is down; ``on_message`` is called for one message at a time.

    ``read_session`` makes the sessions the builder reads in (default ``make_session``): on
    SQLite, sessions that do not take the write lock, so renders never hold up the records.
    """
    read_session = read_session or make_session
    with read_session() as session, session.begin():
        build.prepare(session, now(), only)
        due = count_due(session, now(), only) if connections > 1 else None
    run = _Run(make_session, read_session, settings, build, now=now, only=only, batch=batch, limit=limit,
               due=due, on_message=on_message, throttle=throttle, connections=connections)
    others = [threading.Thread(target=run.connection, args=(new_backend,), name=f"mail-connection-{k}")
              for k in range(1, connections)]
    # A mailing allocates much and keeps little, while the cyclic collector walked the whole
    # heap of the app (SQLAlchemy, Jinja, the renders: 100 MB) every few thousand allocations:
    # a fifth of delivery's time (bench_digest, 5,000 messages). What exists now is set aside
    # for the run; what the run makes is collected as usual.
    gc.freeze()
    for thread in others:
        thread.start()
    try:
        run.connection(new_backend)
    finally:
        for thread in others:
            thread.join()
        gc.unfreeze()
    if run.error is not None:
        raise run.error
    return run.report


class _Run:
    """What the connections of one run share: the report, the claims still allowed, the stop."""

    def __init__(self, make_session: sessionmaker, read_session: sessionmaker, settings: OutboxSettings,
                 build: Builder, *, now: Callable[[], datetime], only: list[int] | None, batch: int,
                 limit: int | None, due: int | None, on_message: Callable[[int, SendOutcome], None] | None,
                 throttle: Callable[[], None] | None, connections: int):
        self.make_session, self.read_session = make_session, read_session
        self.settings, self.build, self.now = settings, build, now
        self.only, self.batch, self.connections = only, batch, connections
        self.on_message, self.throttle = on_message, throttle
        # Each connection holds one database connection for the whole run: no pool check-out
        # (and, on PostgreSQL, no pre-ping round trip) per message.
        self.engine = make_session.kw["bind"]
        self.report = DeliveryReport()
        self.error: BaseException | None = None
        self._left = limit  # messages the run may still claim (None: no limit)
        self._due = due  # messages no connection has claimed yet, as estimated at the start
        # The highest id claimed from each state: a run claims in id order, so it never looks
        # below it again. (What becomes due below it meanwhile, a retry or a dead worker's
        # lease, waits for the next run, as it would have waited behind the run's batches.)
        self._after: dict[DeliveryState, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # SQLite has one write lock, and a writer that finds it taken sleeps in its busy
        # handler for 1, 2, 5 ms and more before it tries again: a record waiting behind a
        # claim lost milliseconds it needed to wait only microseconds. The connections of
        # one run take turns on a lock of their own first, which wakes the next at once.
        self._writes = threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()

    def connection(self, new_backend: Callable[[], MailBackend]) -> None:
        """One connection's part of the run, in this thread; an error stops the whole run."""
        try:
            # No eager open(): the backend connects at the first send, so a server that is
            # down is met where its failure is recorded, and an idle connection never opens.
            backend = new_backend()
            try:
                with self.engine.connect() as db, self.make_session(bind=db) as session:
                    recorder = sent_recorder(db)

                    def record_sent(delivery_id: int, now: datetime) -> None:
                        with self._writes:
                            recorder(delivery_id, now)

                    self._send_claims(record_sent, session, backend)
            finally:
                backend.close()
        except BaseException as exc:  # noqa: B036 - handed to the calling thread, which raises it
            with self._lock:
                self.error = self.error or exc
            self._stop.set()

    def _send_claims(self, record_sent: Callable[[int, datetime], None], session: Session,
                     backend: MailBackend) -> None:
        batch = self._claim(session)
        while batch is not None:
            claimed, make = batch
            # While the server decides on a message (a relay's 20 ms), the connection builds
            # the next one, or after the batch's last claims and reads the next batch: its turn
            # between two answers is only the record and the envelope.
            ahead: dict[int, bytes | None | Exception] = {}
            following_batch: object = _NOT_YET
            for position, message in enumerate(claimed):
                if self._stop.is_set():
                    with session.begin():
                        release(session, [c.id for c in claimed[position:]])
                    return
                if self.throttle:
                    self.throttle()
                made = ahead.pop(message.id) if message.id in ahead else _build(make, message, self.now())
                following = claimed[position + 1] if position + 1 < len(claimed) else None

                def prepare_following(following: Claimed | None = following) -> None:
                    nonlocal following_batch
                    if following is not None:
                        ahead[following.id] = _build(make, following, self.now())
                    else:
                        following_batch = self._claim_or_error(session)

                outcome, error = self._send(record_sent, session, backend, message, made, prepare_following)
                with self._lock:
                    self.report.count(outcome, error)
                    if self.on_message:
                        self.on_message(message.id, outcome)
            if following_batch is _NOT_YET:  # the last message never waited on a server
                following_batch = self._claim(session)
            if isinstance(following_batch, Exception):
                raise following_batch
            batch = following_batch  # released above if the run stopped meanwhile

    def _claim(self, session: Session) -> tuple[list[Claimed], Callable[[Claimed, datetime], bytes | None]] | None:
        """Claim this connection's next batch and read what building it needs; None when done."""
        size, after = self._take()
        if not size:
            return None
        with self._writes, session.begin():
            claimed = claim(session, self.now(), self.settings.lease_seconds, size, self.only, after)
        self._claimed(size, claimed)
        if not claimed:
            return None
        with self.read_session() as reading, reading.begin():
            return claimed, self.build(reading, claimed, self.now())

    def _claim_or_error(self, session: Session):
        """``_claim``, its error as a value: inside an SMTP exchange, an error waits for the
        message on the wire to be recorded."""
        try:
            return self._claim(session)
        except Exception as exc:  # noqa: BLE001 - raised by _send_claims once the message is recorded
            return exc

    def _take(self) -> tuple[int, dict[DeliveryState, int]]:
        """How many messages this connection claims next (0 once the run is over), and above which ids."""
        with self._lock:
            if self._stop.is_set() or self._left == 0:
                return 0, {}
            size = self.batch if self._left is None else min(self.batch, self._left)
            if self._due is not None:
                # Guided self-scheduling: a share of what is left, smaller as the outbox empties,
                # so no connection is still sending a large batch while the others idle.
                size = min(size, max(1, -(-self._due // (2 * self.connections))))
                self._due = max(0, self._due - size)
            if self._left is not None:
                self._left -= size
            return size, dict(self._after)

    def _claimed(self, size: int, claimed: list[Claimed]) -> None:
        """Note a claim of ``size`` that took ``claimed``: the unused quota back, the id reached."""
        with self._lock:
            if self._left is not None:
                self._left += size - len(claimed)
            for message in claimed:
                self._after[message.state] = max(self._after.get(message.state, 0), message.id)

    def _send(self, record_sent: Callable[[int, datetime], None], session: Session, backend: MailBackend,
              message: Claimed, made: bytes | None | Exception,
              while_waiting: Callable[[], None]) -> tuple[SendOutcome, str | None]:
        """Send and record one claimed message, ``made`` by ``_build``; the record is committed at once."""
        settings = self.settings
        if isinstance(made, ValueError):  # our data cannot make a valid message: retrying won't help
            with session.begin():
                return record_failure(session, message, f"cannot build message: {made}", settings, bounce=False)
        if isinstance(made, Exception):
            raise made
        if made is None:
            with session.begin():
                return record_cancelled(session, message), None
        try:
            backend.send(made, from_addr=settings.envelope_sender(message.id), to_addrs=[message.to_addr],
                         while_waiting=while_waiting)
        except PermanentFailure as exc:
            with session.begin():
                return record_failure(session, message, str(exc), settings, bounce=True)
        except TemporaryFailure as exc:
            with session.begin():
                result = record_retry(session, message, str(exc), settings, self.now())
            if isinstance(exc, BackendUnavailable):
                # The backend, not this recipient, is the problem: stop every connection
                # instead of burning the attempts of every message behind this one.
                with self._lock:
                    self.report.stopped = self.report.stopped or str(exc)
                self._stop.set()
            return result
        # The hot path: one UPDATE, committed at once (the crash guarantee rests on it); the
        # session stands aside between its own transactions.
        record_sent(message.id, self.now())
        return SendOutcome.SENT, None


_NOT_YET = object()  # a batch not claimed ahead


def _build(make: Callable[[Claimed, datetime], bytes | None], message: Claimed,
           now: datetime) -> bytes | None | Exception:
    """``make``'s message, or its error as a value: a message built ahead, inside another
    message's SMTP exchange, meets its error in its own turn."""
    try:
        return make(message, now)
    except Exception as exc:  # noqa: BLE001 - recorded or raised again by _send
        return exc

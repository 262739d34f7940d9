"""Late bounces and complaints end to end: digests sent through a real SMTP server with VERP
senders, then the DSNs and ARF reports we write about them read by ``feedsvc bounces scan``
from files, a maildir, and (tests/mail/test_returned_imap.py) a real IMAP server (issue 12)."""
from __future__ import annotations

import email
import email.policy
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from feedsvc import db, jobs
from feedsvc.mail.mailboxes import PROCESSED_KEYWORD, MailboxError
from feedsvc.mail.verp import make_verp_address, parse_verp_address
from feedsvc.mail_models import ReturnedMail
from feedsvc.models import Article, Delivery, Subscriber, utcnow
from feedsvc.schedule import list_jobs, set_schedule
from feedsvc.services import outbox
from feedsvc.services.digests import build_due

from .dovecot import append_messages, inbox_flag_lines
from .returns import arf, dsn, message_id

BOUNCES = "bounces@news.example.org"
READERS = ["ann@reader.example", "bo@reader.example", "cy@reader.example", "di@reader.example"]
SAMPLES = Path(__file__).parent / "bounce_samples"


@pytest.fixture
def sent(app, handler, smtp_server, add_article):
    """Four confirmed readers, each sent today's digest through the SMTP sink; address -> Received."""
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test",
                      BOUNCE_ADDRESS=BOUNCES)
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.")
    now = utcnow()
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).values(added_at=now - timedelta(hours=1)))
        for address in READERS:
            session.add(Subscriber(email=address, state="confirmed", timezone="UTC", delivery_hour=0,
                                   language="en", topics="[]", bounce_count=0))
    build_due(app, now=now, ignore_hours=True)
    assert outbox.run_delivery(app).sent == len(READERS)
    return {item.rcpt_tos[0]: item for item in handler.received}


def reader(app, address) -> Subscriber:
    with db.new_session(app) as session:
        return session.scalar(select(Subscriber).where(Subscriber.email == address))


def history(app, address=None) -> list[ReturnedMail]:
    with db.new_session(app) as session:
        query = select(ReturnedMail).order_by(ReturnedMail.id)
        if address:
            query = query.where(ReturnedMail.recipient == address)
        return list(session.scalars(query))


def scan(runner, *paths, code=0) -> list[str]:
    result = runner.invoke(args=["bounces", "scan", *map(str, paths)])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


def test_each_message_goes_out_with_a_verp_sender_naming_its_delivery(app, sent):
    with db.new_session(app) as session:
        ids = dict(session.execute(select(Delivery.to_addr, Delivery.id)).all())
    for address, item in sent.items():
        assert item.mail_from.startswith("bounces+") and item.mail_from.endswith("@news.example.org")
        assert len(item.mail_from.partition("@")[0]) <= 64
        assert parse_verp_address(item.mail_from, BOUNCES, app.config["SECRET_KEY"]) == ids[address]
        # The From a reader sees is unchanged.
        assert "digest@feeds.example.org" in str(email.message_from_bytes(item.content)["From"])


def test_without_a_bounce_address_the_envelope_sender_stays(app, handler, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}"
    result = app.test_cli_runner().invoke(args=["subscribers", "add", "new@reader.example"])
    assert result.exit_code == 0
    outbox.run_delivery(app)
    assert [item.mail_from for item in handler.received] == ["digest@feeds.example.org"]


def test_a_permanent_bounce_marks_the_reader_bounced(app, runner, sent, tmp_path):
    (tmp_path / "bounce.eml").write_bytes(dsn(sent["ann@reader.example"], status="5.1.1"))
    assert scan(runner, tmp_path) == ["1 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    ann = reader(app, "ann@reader.example")
    assert (ann.state, ann.bounce_count) == ("bounced", 1)
    [row] = history(app)
    assert (row.kind, row.status, row.matched_by, row.subscriber_id) == ("bounce", "5.1.1", "verp", ann.id)
    assert "User unknown" in row.diagnostic
    assert {reader(app, a).state for a in READERS[1:]} == {"confirmed"}
    # Files given directly are the operator's: read, remembered, never moved.
    assert (tmp_path / "bounce.eml").exists()


def test_a_transient_bounce_changes_nothing_but_the_history(app, runner, sent, tmp_path):
    (tmp_path / "delay.eml").write_bytes(dsn(sent["bo@reader.example"], status="4.2.2", action="delayed",
                                             diagnostic="452 4.2.2 Mailbox full"))
    assert scan(runner, tmp_path) == ["1 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    bo = reader(app, "bo@reader.example")
    assert (bo.state, bo.bounce_count) == ("confirmed", 0)
    [row] = history(app)
    assert (row.kind, row.status, row.subscriber_id) == ("transient", "4.2.2", bo.id)


def test_a_complaint_unsubscribes_at_once_with_its_reason(app, runner, sent, tmp_path):
    (tmp_path / "fbl.eml").write_bytes(arf(sent["cy@reader.example"]))
    assert scan(runner, tmp_path) == ["0 bounces, 1 complaints, 0 unmatched, 0 unreadable"]
    cy = reader(app, "cy@reader.example")
    assert cy.state == "unsubscribed" and cy.unsubscribed_at is not None and cy.bounce_count == 0
    [row] = history(app)
    assert (row.kind, row.subscriber_id) == ("complaint", cy.id)
    assert row.diagnostic == "Feedback-Type: abuse (MailboxFBL/2.1)"


def test_a_complaint_with_the_recipient_redacted_is_found_by_its_return_path(app, runner, sent, tmp_path):
    (tmp_path / "fbl.eml").write_bytes(arf(sent["di@reader.example"], redacted=True))
    assert scan(runner, tmp_path) == ["0 bounces, 1 complaints, 0 unmatched, 0 unreadable"]
    assert reader(app, "di@reader.example").state == "unsubscribed"


def test_scanning_the_same_folder_twice_counts_nothing_twice(app, runner, sent, tmp_path):
    app.config["BOUNCE_LIMIT"] = 2
    bounce = dsn(sent["ann@reader.example"])
    (tmp_path / "a.eml").write_bytes(bounce)
    (tmp_path / "a-copy.eml").write_bytes(bounce)  # the same message twice
    (tmp_path / "c.eml").write_bytes(arf(sent["cy@reader.example"]))
    assert scan(runner, tmp_path) == ["1 bounces, 1 complaints, 0 unmatched, 0 unreadable"]
    assert scan(runner, tmp_path) == ["0 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    # The relay reporting the same failure again, in other bytes: one message, one count.
    (tmp_path / "a-again.eml").write_bytes(dsn(sent["ann@reader.example"], diagnostic="550 5.1.1 Gone"))
    assert scan(runner, tmp_path) == ["0 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    ann = reader(app, "ann@reader.example")
    assert (ann.state, ann.bounce_count) == ("confirmed", 1)
    assert len(history(app)) == 2


def test_a_maildir_is_scanned_once_and_its_messages_moved(app, runner, sent, tmp_path):
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1795388409.M1P1.mail").write_bytes(dsn(sent["ann@reader.example"]))
    (maildir / "cur" / "1795388410.M2P1.mail:2,").write_bytes(arf(sent["cy@reader.example"]))
    app.config["BOUNCE_MAILBOX"] = f"maildir://{maildir}"
    assert scan(runner) == ["1 bounces, 1 complaints, 0 unmatched, 0 unreadable"]
    assert not any((maildir / "new").iterdir()) and not any((maildir / "cur").iterdir())
    assert len(list((maildir / ".feedsvc-processed" / "cur").iterdir())) == 2
    assert scan(runner) == ["0 bounces, 0 complaints, 0 unmatched, 0 unreadable"]


def test_an_unreadable_file_is_reported_and_left_in_place(app, runner, sent, tmp_path):
    shutil.copy(SAMPLES / "garbage.bin", tmp_path / "garbage.eml")
    (tmp_path / "bounce.eml").write_bytes(dsn(sent["ann@reader.example"]))
    result = runner.invoke(args=["bounces", "scan", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1] == "1 bounces, 0 complaints, 0 unmatched, 1 unreadable"
    [problem] = [line for line in lines if line.startswith("unreadable:")]
    assert str(tmp_path / "garbage.eml") in problem and "\n" not in problem
    assert (tmp_path / "garbage.eml").read_bytes() == (SAMPLES / "garbage.bin").read_bytes()
    # Reported again next time (it is still there); the bounce is not counted again.
    assert scan(runner, tmp_path, code=1)[-1] == "0 bounces, 0 complaints, 0 unmatched, 1 unreadable"


def test_a_report_that_proves_no_delivery_changes_nobody(app, runner, sent, tmp_path):
    ann = sent["ann@reader.example"]
    stranger = ann.__class__(ann.mail_from, ["someone@else.example"], ann.content)
    forged = make_verp_address(BOUNCES, 1, "not our key")
    reports = {
        # Anyone can write a bounce naming a reader: without our token or Message-ID it is nothing.
        "named-only.eml": dsn(ann, envelope_to=BOUNCES).replace(
            message_id(ann).encode(), b"<other@elsewhere.example>").replace(
            f"Return-Path: <{ann.mail_from}>".encode(), b"Return-Path: <x@elsewhere.example>"),
        # A token made without our key names no delivery, whatever the rest says.
        "forged.eml": dsn(ann.__class__(forged, ann.rcpt_tos, b"Message-ID: <nope@x.example>\n\n"),
                          recipient="bo@reader.example"),
        # Our Message-ID, but the report names another address than the one we sent it to.
        "wrong-recipient.eml": dsn(stranger, envelope_to=BOUNCES).replace(
            f"Return-Path: <{ann.mail_from}>".encode(), b"Return-Path: <x@elsewhere.example>"),
        "auto-reply.eml": (SAMPLES / "autoreply.eml").read_bytes(),
    }
    for name, data in reports.items():
        (tmp_path / name).write_bytes(data)
    assert scan(runner, tmp_path) == ["0 bounces, 0 complaints, 4 unmatched, 0 unreadable"]
    assert {reader(app, a).state for a in READERS} == {"confirmed"} and history(app) == []


def test_without_verp_the_message_id_and_the_recipient_together_find_the_delivery(app, runner, sent, tmp_path):
    app.config["BOUNCE_ADDRESS"] = None  # a relay that returns to the From address
    bo = sent["bo@reader.example"]
    (tmp_path / "bounce.eml").write_bytes(dsn(bo, envelope_to="digest@feeds.example.org"))
    assert scan(runner, tmp_path) == ["1 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    assert reader(app, "bo@reader.example").state == "bounced"
    assert history(app)[0].matched_by == "message-id"


def test_scan_needs_a_path_or_a_mailbox(runner):
    result = runner.invoke(args=["bounces", "scan"])
    assert result.exit_code == 1 and "FEEDSVC_BOUNCE_MAILBOX" in result.output


def test_a_bad_mailbox_url_is_one_line_without_its_password(app, runner):
    app.config["BOUNCE_MAILBOX"] = "pop3://user:s3cret@mail.example.org/"
    result = runner.invoke(args=["bounces", "scan"])
    assert result.exit_code == 1 and "s3cret" not in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- the same over IMAP, against a real Dovecot on loopback (tests/mail/dovecot.py) ------------

def deliver(dovecot, tls_files, *messages: bytes) -> None:
    """Put messages into the account's INBOX as the bounce address's MTA would."""
    append_messages(dovecot, tls_files, messages)


def processed_flags(dovecot, tls_files) -> list[bool]:
    """For each message in INBOX, in UID order: whether the scan flagged it processed."""
    return [PROCESSED_KEYWORD.encode() in line for line in inbox_flag_lines(dovecot, tls_files)]


def test_the_worker_job_reads_an_imap_mailbox_over_tls(app, sent, dovecot, tls_files, monkeypatch):
    # The job opens the mailbox as production does, with the system's trust store: here it
    # trusts the test server's certificate (OpenSSL reads SSL_CERT_FILE).
    monkeypatch.setenv("SSL_CERT_FILE", tls_files.cert)
    app.config["BOUNCE_MAILBOX"] = dovecot.url("imaps")
    deliver(dovecot, tls_files,
            dsn(sent["ann@reader.example"], status="5.1.1"),
            dsn(sent["bo@reader.example"], status="4.2.2", action="delayed", diagnostic="452 4.2.2 Mailbox full"),
            arf(sent["cy@reader.example"]),
            (SAMPLES / "garbage.bin").read_bytes())
    assert jobs.scan_bounces(app) == "2 bounces, 1 complaints, 0 unmatched, 1 unreadable"
    states = {a: (reader(app, a).state, reader(app, a).bounce_count) for a in READERS}
    assert states == {"ann@reader.example": ("bounced", 1), "bo@reader.example": ("confirmed", 0),
                      "cy@reader.example": ("unsubscribed", 0), "di@reader.example": ("confirmed", 0)}
    assert [(r.recipient, r.kind) for r in history(app)] == [
        ("ann@reader.example", "bounce"), ("bo@reader.example", "transient"), ("cy@reader.example", "complaint")]
    # Flagged on the server, so the next run counts nothing again; the unreadable one stays as it was.
    assert processed_flags(dovecot, tls_files) == [True, True, True, False]
    again = jobs.scan_bounces(app)
    assert again == "0 bounces, 0 complaints, 0 unmatched, 1 unreadable" and len(history(app)) == 3


def test_the_command_reads_the_configured_imap_mailbox(app, runner, sent, dovecot, tls_files):
    app.config["BOUNCE_MAILBOX"] = dovecot.url("imap")  # plain IMAP on loopback
    deliver(dovecot, tls_files, dsn(sent["di@reader.example"]))
    assert scan(runner) == ["1 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    assert scan(runner) == ["0 bounces, 0 complaints, 0 unmatched, 0 unreadable"]
    assert reader(app, "di@reader.example").state == "bounced"


def test_a_mailbox_that_refuses_us_is_one_line(app, runner, dovecot):
    app.config["BOUNCE_MAILBOX"] = dovecot.url("imap").replace("p%40ss", "wrong")
    result = runner.invoke(args=["bounces", "scan"])
    assert result.exit_code == 1 and dovecot.password not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    with pytest.raises(MailboxError):
        jobs.scan_bounces(app)


def test_the_job_is_idle_without_a_mailbox_and_its_interval_is_editable(app):
    summary = jobs.scan_bounces(app)
    assert summary.idle and "FEEDSVC_BOUNCE_MAILBOX" in summary
    set_schedule(app, "scan_bounces", interval_seconds=900, enabled=True)
    assert {row.job: row.interval_seconds for row in list_jobs(app)}["scan_bounces"] == 900

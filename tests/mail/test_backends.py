"""backend_from_url, the file backend, and SMTP over implicit TLS."""
from __future__ import annotations

import email
import email.policy
import re

import pytest

from feedsvc.mail.backends import (
    BackendUnavailable,
    FileBackend,
    PermanentFailure,
    SMTPBackend,
    backend_from_url,
)
from feedsvc.mail.message import build_message

from .samples import NOW, SUBJECT, digest

SENDER, READER = "bounces@news.example.org", "li.lei@reader.example.com"
FILE_NAME = re.compile(r"\d{8}T\d{12}Z-[A-Za-z0-9_.@+-]+\.eml")


def test_smtp_url():
    backend = backend_from_url(
        "smtp://digest%40news.example.org:s%3Acr%2Ft@mail.example.org:587?starttls=1&timeout=7.5",
        outbox_dir="/unused",
    )
    assert isinstance(backend, SMTPBackend)
    assert (backend.host, backend.port, backend.starttls, backend.implicit_tls) == (
        "mail.example.org", 587, True, False)
    assert (backend.username, backend._password, backend.timeout) == (
        "digest@news.example.org", "s:cr/t", 7.5)
    assert "s:cr/t" not in repr(backend)


def test_smtp_url_defaults():
    plain = backend_from_url("smtp://localhost", outbox_dir="/unused")
    secure = backend_from_url("smtps://mail.example.org", outbox_dir="/unused")
    assert (plain.port, plain.starttls, plain.timeout, plain.username) == (25, False, 30.0, None)
    assert (secure.port, secure.implicit_tls) == (465, True)
    assert secure.ssl_context.check_hostname  # a verifying context even when none is given


def test_file_urls(tmp_path):
    default = backend_from_url("file://", outbox_dir=tmp_path / "outbox")
    elsewhere = backend_from_url(f"file://{tmp_path}/other%20box", outbox_dir=tmp_path / "outbox")
    assert isinstance(default, FileBackend) and default.directory == tmp_path / "outbox"
    assert elsewhere.directory == tmp_path / "other box"


@pytest.mark.parametrize("url", [
    "ftp://mail.example.org",
    "smtp://",
    "smtp://mail.example.org:notaport",
    "smtp://mail.example.org?starttls=maybe",
    "smtp://mail.example.org?timeout=0",
    "smtp://mail.example.org?tls=1",  # a typo is not silently ignored
    "smtp://mail.example.org?timeout=5&timeout=6",
    "smtps://mail.example.org?starttls=1",
    "file://relative/outbox",
    "file:relative",
])
def test_bad_urls_are_refused(url):
    with pytest.raises(ValueError):
        backend_from_url(url, outbox_dir="/unused")


def test_file_backend_writes_one_parseable_eml(tmp_path):
    outbox = tmp_path / "outbox"
    msg = build_message(digest(), now=NOW)
    with backend_from_url("file://", outbox_dir=outbox) as backend:
        result = backend.send(msg, from_addr=SENDER, to_addrs=[READER])

    assert [p.name for p in outbox.iterdir()] == [result.path.name]  # no temporary file left
    assert result.path.parent == outbox and FILE_NAME.fullmatch(result.path.name)
    assert result.message_id.strip("<>") in result.path.name
    parsed = email.message_from_bytes(result.path.read_bytes(), policy=email.policy.default)
    assert all(not part.defects for part in parsed.walk())
    assert parsed["Subject"] == SUBJECT and parsed["Message-ID"] == msg["Message-ID"]
    assert result.accepted == (READER,)


@pytest.mark.parametrize("message_id", [
    b"<../../../etc/cron.d/evil@news.example.org>",
    b"<..\\..\\evil@news.example.org>",
    b"<.hidden/\x00x@news.example.org>",
    b"",
])
def test_file_names_never_come_from_raw_input(tmp_path, message_id):
    raw = b"From: digest@news.example.org\nTo: li.lei@reader.example.com\nSubject: x\n"
    if message_id:
        raw += b"Message-ID: " + message_id + b"\n"
    raw += b"\nbody\n"
    backend = FileBackend(tmp_path / "outbox")
    result = backend.send(raw, from_addr=SENDER, to_addrs=[READER])
    assert result.path.parent == tmp_path / "outbox"
    assert FILE_NAME.fullmatch(result.path.name)
    assert list(tmp_path.rglob("*")) == [tmp_path / "outbox", result.path]
    assert result.path.read_bytes() == raw.replace(b"\n", b"\r\n")


def test_file_backend_that_cannot_write_stops_the_run(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    # The folder, not the recipient, is at fault: the outbox stops without knowing why (issue 12).
    with pytest.raises(BackendUnavailable):
        FileBackend(blocked).send(b"Subject: x\r\n\r\nbody\r\n", from_addr=SENDER, to_addrs=[READER])


@pytest.mark.parametrize("to_addrs", [[], ["not an address"], ["li@reader.example.com\r\nRCPT TO:<x@y.org>"]])
def test_bad_envelope_is_permanent(tmp_path, to_addrs):
    with pytest.raises(PermanentFailure):
        FileBackend(tmp_path).send(b"Subject: x\r\n\r\nbody\r\n", from_addr=SENDER, to_addrs=to_addrs)
    assert list(tmp_path.iterdir()) == []


def test_smtps_implicit_tls(smtps_server, handler, tls_files):
    url = f"smtps://127.0.0.1:{smtps_server.port}?helo=feedsvc.test"
    with backend_from_url(url, outbox_dir="/unused", ssl_context=tls_files.client_context()) as backend:
        backend.send(build_message(digest(), now=NOW), from_addr=SENDER, to_addrs=[READER])
    assert len(handler.received) == 1


def test_the_file_backend_has_no_server_to_wait_for(tmp_path):
    seen = []
    backend_from_url(f"file://{tmp_path}", outbox_dir=tmp_path).send(
        build_message(digest(), now=NOW), from_addr="bounces@news.example.org",
        to_addrs=["li.lei@reader.example.com"], while_waiting=lambda: seen.append(1))
    assert seen == [] and len(list(tmp_path.glob("*.eml"))) == 1

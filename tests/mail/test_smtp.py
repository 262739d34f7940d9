"""SMTPBackend against a real aiosmtpd server: round trip, connection reuse, failures, TLS."""
from __future__ import annotations

import email
import email.policy
import socket
import ssl
from email.utils import parsedate_to_datetime

import pytest

from feedsvc.mail.backends import (
    BackendUnavailable,
    PermanentFailure,
    SMTPBackend,
    TemporaryFailure,
    backend_from_url,
)
from feedsvc.mail.message import build_message

from smtpsink import PASSWORD, USERNAME
from .samples import HTML, NOW, SUBJECT, TEXT, UNSUBSCRIBE_MAILTO, UNSUBSCRIBE_URL, digest

SENDER = "bounces@news.example.org"
READER = "li.lei@reader.example.com"


def smtp_backend(port: int, query: str = "", **kwargs) -> SMTPBackend:
    backend = backend_from_url(f"smtp://127.0.0.1:{port}?helo=feedsvc.test{query}",
                               outbox_dir="/nonexistent", **kwargs)
    assert isinstance(backend, SMTPBackend)
    return backend


def send_digest(backend, **changes):
    return backend.send(build_message(digest(**changes), now=NOW), from_addr=SENDER, to_addrs=[READER])


def test_chinese_digest_round_trip(smtp_server, handler):
    msg = build_message(digest(), now=NOW)
    with smtp_backend(smtp_server.port) as backend:
        result = backend.send(msg, from_addr=SENDER, to_addrs=[READER])

    assert result.accepted == (READER,) and not result.refused
    [got] = handler.received
    assert (got.mail_from, got.rcpt_tos) == (SENDER, [READER])
    parsed = email.message_from_bytes(got.content, policy=email.policy.default)
    for part in parsed.walk():
        assert not part.defects, part.defects
    assert got.content.isascii()  # every header encoded, every body qp or base64
    assert parsed["Subject"] == SUBJECT
    assert parsed["From"].addresses[0].display_name == "江岸新闻 Digest"
    assert parsed["To"].addresses[0].display_name == "李雷"
    assert str(parsed["Reply-To"]) == "editors@news.example.org"
    assert parsed["Message-ID"] == result.message_id == msg["Message-ID"]
    assert parsed["Message-ID"].endswith("@news.example.org>")
    assert parsedate_to_datetime(parsed["Date"]) == NOW
    assert parsed["List-Id"] == "<daily.news.example.org>"
    assert parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>, <{UNSUBSCRIBE_MAILTO}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Precedence"] == "bulk"
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.iter_parts()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert text.get_content().splitlines() == TEXT.splitlines()
    assert html.get_content().strip() == HTML
    assert text["Content-Transfer-Encoding"] in ("base64", "quoted-printable")


def test_one_connection_carries_many_messages(smtp_server, handler):
    with smtp_backend(smtp_server.port) as backend:
        results = [send_digest(backend, subject=f"第{n}期 摘要") for n in range(5)]

    assert len(handler.received) == 5
    assert handler.connections() == 1
    assert len({r.message_id for r in results}) == 5


def test_reconnects_when_the_server_dropped_the_idle_connection(smtp_server, handler):
    handler.drop_after_data = True
    with smtp_backend(smtp_server.port) as backend:
        backend.idle_probe_seconds = 0  # as if the connection had been idle long enough to probe
        send_digest(backend, subject="第一期")
        send_digest(backend, subject="第二期")

    assert [email.message_from_bytes(r.content, policy=email.policy.default)["Subject"]
            for r in handler.received] == ["第一期", "第二期"]
    assert handler.connections() == 2


@pytest.mark.parametrize("reply, failure, code", [
    ("450 4.2.1 Mailbox busy, try later", TemporaryFailure, 450),
    ("452 4.2.2 Mailbox full", TemporaryFailure, 452),
    ("550 5.1.1 No such user here", PermanentFailure, 550),
    ("553 5.1.3 Bad destination mailbox address syntax", PermanentFailure, 553),
    ("421 4.3.2 Service shutting down", TemporaryFailure, 421),
])
def test_recipient_refusal_is_classified(smtp_server, handler, reply, failure, code):
    handler.rcpt_replies[READER] = reply
    with smtp_backend(smtp_server.port) as backend:
        with pytest.raises(failure) as caught:
            send_digest(backend)
    assert caught.value.code == code
    # Only 421 says the server, not this recipient, is the trouble (issue 12).
    assert isinstance(caught.value, BackendUnavailable) == (code == 421)
    assert READER in caught.value.message and "\n" not in caught.value.message
    assert handler.received == []


@pytest.mark.parametrize("reply, failure, code", [
    ("451 4.3.0 Local error in processing", TemporaryFailure, 451),
    ("554 5.6.0 Message content rejected", PermanentFailure, 554),
])
def test_data_refusal_is_reported_not_retried(smtp_server, handler, reply, failure, code):
    handler.data_reply = reply
    with smtp_backend(smtp_server.port) as backend:
        with pytest.raises(failure) as caught:
            send_digest(backend)
        assert caught.value.code == code
        assert handler.data_attempts == 1
        # The connection is still good for the next message.
        handler.data_reply = None
        send_digest(backend, subject="下一期")
    assert handler.connections() == 1
    assert len(handler.received) == 1


@pytest.mark.parametrize("data", [
    b"Subject: plain\r\n\r\nno line starts with a dot\r\nnor.this one\r\n",
    b"Subject: dots\r\n\r\n.a line starting with a dot\r\nmiddle\r\n..two\r\n.\r\nlast\r\n",
    b"Subject: open end\r\n\r\nthe last line has no line end",
    b"Subject: bare line feeds\n\n.dot after a bare line feed\n",
])
def test_message_bytes_arrive_as_sent(smtp_server, handler, data):
    # Dot-stuffing is skipped where no line needs it (issue 11): the server must still get
    # every message's lines back exactly, a line that is a lone dot included.
    with smtp_backend(smtp_server.port) as backend:
        backend.send(data, from_addr=SENDER, to_addrs=[READER])
        backend.send(data, from_addr=SENDER, to_addrs=[READER])  # the connection is still in step
    expected = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    expected += b"" if expected.endswith(b"\r\n") else b"\r\n"
    assert [r.content for r in handler.received] == [expected, expected]


def test_after_421_the_next_message_goes_on_a_new_connection(smtp_server, handler):
    handler.rcpt_replies[READER] = "421 4.3.2 Closing connection"
    with smtp_backend(smtp_server.port) as backend:
        with pytest.raises(TemporaryFailure):
            send_digest(backend)
        del handler.rcpt_replies[READER]
        send_digest(backend)
    assert len(handler.received) == 1


def test_partial_refusal_is_reported_in_the_result(smtp_server, handler):
    handler.rcpt_replies["gone@reader.example.com"] = "550 5.1.1 Gone"
    msg = build_message(digest(), now=NOW)
    with smtp_backend(smtp_server.port) as backend:
        result = backend.send(msg, from_addr=SENDER, to_addrs=[READER, "gone@reader.example.com"])
    assert result.accepted == (READER,)
    assert result.refused == {"gone@reader.example.com": (550, "5.1.1 Gone")}


def test_connection_refused_is_temporary():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound but not listening: connecting is refused
        backend = smtp_backend(unused.getsockname()[1])
        with pytest.raises(BackendUnavailable) as caught:
            send_digest(backend)
    assert caught.value.code is None
    assert "ConnectionRefusedError" in caught.value.message


def test_server_that_never_answers_times_out_as_temporary():
    with socket.socket() as silent:
        # The kernel completes the handshake for a listening socket, but no greeting ever comes.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        backend = smtp_backend(silent.getsockname()[1], "&timeout=0.3")
        with pytest.raises(TemporaryFailure) as caught:
            send_digest(backend)
    assert "timed out" in caught.value.message


def test_starttls_and_login(starttls_server, handler, tls_files):
    user = USERNAME.replace("@", "%40")
    password = "p%40ss%3Aw%2Frd%20%25x"
    url = f"smtp://{user}:{password}@127.0.0.1:{starttls_server.port}?starttls=1&helo=feedsvc.test"
    with backend_from_url(url, outbox_dir="/nonexistent",
                          ssl_context=tls_files.client_context()) as backend:
        send_digest(backend)
    assert handler.logins == [(USERNAME, PASSWORD)]
    assert len(handler.received) == 1


def test_starttls_with_an_untrusted_certificate_stops_the_backend(starttls_server, handler):
    # No recipient is at fault: the run stops and nobody is counted as bounced (issue 12).
    url = f"smtp://127.0.0.1:{starttls_server.port}?starttls=1&helo=feedsvc.test"
    backend = backend_from_url(url, outbox_dir="/nonexistent", ssl_context=ssl.create_default_context())
    with pytest.raises(BackendUnavailable) as caught:
        backend.open()
    assert "certificate" in caught.value.message
    assert handler.received == []


def test_without_starttls_a_server_requiring_it_refuses_every_message(starttls_server, handler):
    backend = smtp_backend(starttls_server.port)
    with pytest.raises(BackendUnavailable) as caught:
        send_digest(backend)
    backend.close()
    assert caught.value.code == 530
    assert handler.received == []


def test_while_waiting_runs_once_while_the_server_holds_its_answer(smtp_server, handler):
    handler.delay = 0.5  # the server records the message only once it answers
    seen = []
    with smtp_backend(smtp_server.port) as backend:
        backend.send(build_message(digest(), now=NOW), from_addr=SENDER, to_addrs=[READER],
                     while_waiting=lambda: seen.append(len(handler.received)))
        assert seen == [0] and len(handler.received) == 1
        send_digest(backend)  # the next message without a hook: the last one is not called again
    assert seen == [0] and len(handler.received) == 2

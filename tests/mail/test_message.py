"""build_message, list_headers and normalise_address: structure, encoding and refusals."""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone

import pytest

from feedsvc.mail.backends import backend_from_url
from feedsvc.mail.message import OutgoingMessage, build_message, list_headers, normalise_address

from .samples import NOW, TEXT, UNSUBSCRIBE_URL, digest


def parse(msg):
    return email.message_from_bytes(bytes(msg), policy=email.policy.default)


def test_wire_form_is_ascii_crlf_and_within_line_limits():
    raw = bytes(build_message(digest(), now=NOW))
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998  # RFC 5322 section 2.1.1 "MUST"
    # ... and 78 "SHOULD", which only an unbreakable URI may pass.
    assert [line for line in lines if len(line) > 78] == [
        line for line in lines if line.startswith(b"List-Unsubscribe: <https://")
    ]
    assert raw.count(b"MIME-Version:") == 1


def test_date_is_utc_and_message_id_uses_the_site_domain():
    msg = build_message(digest(), now=NOW)
    assert msg["Date"] == "Sat, 01 Mar 2025 07:30:05 +0000"
    assert msg["Message-ID"].endswith("@news.example.org>")
    other = build_message(digest(message_id_domain="mail.example.net"), now=NOW)
    assert other["Message-ID"].endswith("@mail.example.net>")


def test_text_only_message_is_a_single_part():
    parsed = parse(build_message(digest(html=None, headers={}), now=NOW))
    assert parsed.get_content_type() == "text/plain"
    assert not parsed.is_multipart()
    assert parsed.get_content().splitlines() == TEXT.splitlines()
    assert "List-Id" not in parsed and not parsed.defects


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        build_message(digest(), now=datetime(2025, 3, 1, 7, 30))


def test_long_unsubscribe_url_is_folded_only_between_uris():
    url = "https://news.example.org/unsubscribe?token=" + "x9" * 200
    headers = list_headers("daily.news.example.org", url, "unsubscribe@news.example.org")
    raw = bytes(build_message(digest(headers=headers), now=NOW))
    assert f"List-Unsubscribe: <{url}>,\r\n <mailto:unsubscribe@news.example.org>\r\n".encode() in raw
    assert parse(raw)["List-Unsubscribe"] == f"<{url}>, <mailto:unsubscribe@news.example.org>"


def test_non_ascii_list_unsubscribe_is_still_encoded():
    raw = bytes(build_message(digest(headers={"List-Unsubscribe": "<https://例子.example/退订>"}), now=NOW))
    assert raw.isascii()
    assert parse(raw)["List-Unsubscribe"] == "<https://例子.example/退订>"


def test_list_headers():
    assert list_headers("daily.news.example.org", UNSUBSCRIBE_URL, None) == {
        "List-Id": "<daily.news.example.org>",
        "List-Unsubscribe": f"<{UNSUBSCRIBE_URL}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
    }
    # RFC 8058 one-click is for HTTPS only; a plain-http set-up keeps the RFC 2369 header.
    plain = list_headers("daily.news.example.org", "http://news.example.org/u/1", None)
    assert plain["List-Unsubscribe"] == "<http://news.example.org/u/1>"
    assert "List-Unsubscribe-Post" not in plain
    bare = list_headers("daily.news.example.org", UNSUBSCRIBE_URL, "Leave@News.Example.org")
    assert bare["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>, <mailto:Leave@news.example.org>"


@pytest.mark.parametrize("list_id, url", [
    ("daily digest", UNSUBSCRIBE_URL),
    ("daily.news.example.org", "ftp://news.example.org/unsubscribe/1"),
    ("daily.news.example.org", "https:///unsubscribe"),
    ("daily.news.example.org", "https://news.example.org/a b"),
    ("daily.news.example.org", "https://news.example.org/a>, <https://evil.example/"),
    ("daily.news.example.org", "https://news.example.org/\r\nBcc: x@evil.example"),
])
def test_list_headers_refuses_bad_values(list_id, url):
    with pytest.raises(ValueError):
        list_headers(list_id, url, None)


def test_normalise_address():
    assert normalise_address("Li.Lei@Reader.EXAMPLE.com") == "Li.Lei@reader.example.com"
    assert normalise_address("lei@bücher.example.com") == "lei@xn--bcher-kva.example.com"


@pytest.mark.parametrize("addr", [
    "no-at-sign.example.com",
    "李雷@reader.example.com",  # would need SMTPUTF8
    "Li <li@reader.example.com>",  # a mailbox, not a bare address
    "li@reader.example.com\r\nBcc: x@evil.example",
    "li@localhost",
])
def test_normalise_address_refuses(addr):
    with pytest.raises(ValueError) as caught:
        normalise_address(addr)
    assert "\n" not in str(caught.value)


INJECTIONS = {
    "subject CRLF": dict(subject="今日要闻\r\nBcc: victim@evil.example"),
    "subject LF": dict(subject="今日要闻\nBcc: victim@evil.example"),
    "subject CR": dict(subject="今日要闻\rBcc: victim@evil.example"),
    "subject U+2028": dict(subject="今日要闻\u2028Bcc: victim@evil.example"),
    "to": dict(to="li.lei@reader.example.com\r\nBcc: victim@evil.example"),
    "to display name": dict(to='"李雷\r\nBcc: victim@evil.example" <li.lei@reader.example.com>'),
    "from display name": dict(from_addr='"江岸\nBcc: victim@evil.example" <digest@news.example.org>'),
    "reply-to": dict(reply_to="editors@news.example.org\nBcc: victim@evil.example"),
    "two recipients": dict(to="li.lei@reader.example.com, victim@evil.example"),
    "extra value": dict(headers={"X-Campaign": "daily\r\nBcc: victim@evil.example"}),
    "extra name": dict(headers={"X-Campaign\r\nBcc": "victim@evil.example"}),
    "extra name with colon": dict(headers={"Bcc: victim@evil.example\r\nX": "1"}),
    "extra replaces own": dict(headers={"Bcc": "victim@evil.example"}),
    "extra repeats To": dict(headers={"to": "victim@evil.example"}),
    "message id domain": dict(message_id_domain="news.example.org>\r\nBcc: victim@evil.example"),
}


@pytest.mark.parametrize("changes", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_header_injection_is_refused_and_nothing_is_sent(smtp_server, handler, changes):
    backend = backend_from_url(f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test",
                               outbox_dir="/nonexistent")
    with backend, pytest.raises(ValueError):
        msg = build_message(digest(**changes), now=NOW)
        backend.send(msg, from_addr="bounces@news.example.org", to_addrs=["li.lei@reader.example.com"])
    assert handler.data_attempts == 0 and handler.received == []


def test_display_name_with_specials_is_quoted_not_split():
    msg = build_message(digest(to='"Lei, Li (Reader)" <li.lei@reader.example.com>'), now=NOW)
    [to] = parse(msg)["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Lei, Li (Reader)", "li.lei@reader.example.com")
    assert parse(msg)["From"].addresses[0].addr_spec == "digest@news.example.org"


def test_given_message_id_is_kept_and_checked():
    fixed = "<3f2a9c@news.example.org>"
    msg = build_message(OutgoingMessage(to="reader@example.com", subject="s", text="t",
                                        from_addr="digest@news.example.org", message_id=fixed),
                        now=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert msg["Message-ID"] == fixed
    with pytest.raises(ValueError):
        build_message(OutgoingMessage(to="reader@example.com", subject="s", text="t",
                                      from_addr="digest@news.example.org",
                                      message_id="<x@y>\r\nBcc: victim@example.com"),
                      now=datetime(2026, 11, 20, tzinfo=timezone.utc))

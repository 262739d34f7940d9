"""sign_message: a DKIM signature that dkimpy verifies, before and after an SMTP hop."""
from __future__ import annotations

import re

import dkim
import pytest
from dkimkeys import dns_lookup, make_key_pair

from feedsvc.mail.backends import backend_from_url
from feedsvc.mail.message import build_message, sign_message

from .samples import NOW, digest

SELECTOR, DOMAIN = "digest2025", "news.example.org"


@pytest.fixture(scope="module")
def key_pair():
    """(private key PEM, the DNS TXT record publishing its public key)."""
    return make_key_pair()


@pytest.fixture(scope="module")
def dnsfunc(key_pair):
    """A DNS look-up that knows only our selector's record."""
    return dns_lookup(SELECTOR, DOMAIN, key_pair[1])


def signed_digest(key_pair, **kwargs) -> bytes:
    raw = bytes(build_message(digest(), now=NOW))
    return sign_message(raw, selector=SELECTOR, domain=DOMAIN, private_key_pem=key_pair[0], **kwargs)


def test_signature_verifies_and_covers_the_list_headers(key_pair, dnsfunc):
    signed = signed_digest(key_pair)
    assert dkim.verify(signed, dnsfunc=dnsfunc)
    header = signed.split(b"\r\n\r\n", 1)[0].decode()
    tags = re.search(r"DKIM-Signature:(.*?)\r\n(?! )", header, re.S).group(1)
    covered = re.search(r"\bh=([^;]*)", tags).group(1)
    covered = {name.strip().lower() for name in re.sub(r"\s+", "", covered).split(":")}
    assert {"from", "to", "subject", "date", "message-id", "list-id",
            "list-unsubscribe", "list-unsubscribe-post"} <= covered


@pytest.mark.parametrize("old, new", [
    (b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: nothing"),
    (b"Precedence: bulk\r\n", b"Precedence: bulk\r\nList-Unsubscribe: <https://evil.example/>\r\n"),
    (b"Date: Sat, 01 Mar 2025", b"Date: Sun, 02 Mar 2025"),
])
def test_a_changed_header_breaks_the_signature(key_pair, dnsfunc, old, new):
    signed = signed_digest(key_pair)
    assert old in signed
    assert not dkim.verify(signed.replace(old, new, 1), dnsfunc=dnsfunc)


def test_a_changed_body_breaks_the_signature(key_pair, dnsfunc):
    signed = signed_digest(key_pair)
    head, body = signed.split(b"\r\n\r\n", 1)
    assert not dkim.verify(head + b"\r\n\r\n" + body.replace(b"5", b"6", 1), dnsfunc=dnsfunc)


def test_leaving_list_unsubscribe_unsigned_is_refused(key_pair):
    with pytest.raises(ValueError, match="List-Unsubscribe"):
        signed_digest(key_pair, headers_to_sign=["From", "To", "Subject", "Date"])


def test_bad_key_is_a_value_error():
    raw = bytes(build_message(digest(), now=NOW))
    with pytest.raises(ValueError, match="DKIM"):
        sign_message(raw, selector=SELECTOR, domain=DOMAIN, private_key_pem=b"not a key")


def test_signature_survives_the_smtp_hop(key_pair, dnsfunc, smtp_server, handler):
    signed = signed_digest(key_pair)
    with backend_from_url(f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test",
                          outbox_dir="/nonexistent") as backend:
        result = backend.send(signed, from_addr="bounces@news.example.org",
                              to_addrs=["li.lei@reader.example.com"])
    assert result.message_id and result.message_id.endswith("@news.example.org>")
    [got] = handler.received
    assert got.content.startswith(b"DKIM-Signature:")
    assert dkim.verify(got.content, dnsfunc=dnsfunc)

"""Loopback servers for the mail tests: SMTP with TLS and AUTH (tests/smtpsink.py), and Dovecot IMAP."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from smtpsink import start_server
from .dovecot import find_dovecot, start_dovecot


@dataclass(frozen=True)
class TLSFiles:
    cert: str
    key: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cert)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, written to PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feedsvc test SMTP")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return TLSFiles(str(cert_path), str(key_path))


@pytest.fixture
def starttls_server(handler, tls_files):
    """An SMTP server that requires STARTTLS and then AUTH as USERNAME / PASSWORD."""
    controller = start_server(
        handler,
        tls_context=tls_files.server_context(),
        require_starttls=True,
        authenticator=handler.authenticate,
        auth_required=True,
    )
    yield controller
    controller.stop()


@pytest.fixture
def smtps_server(handler, tls_files):
    """An SMTP server behind implicit TLS (the smtps:// of RFC 8314)."""
    controller = start_server(handler, ssl_context=tls_files.server_context())
    yield controller
    controller.stop()


# Read at import: the instance_path fixture removes every FEEDSVC_* variable from the tests' view.
REQUIRE_IMAP = os.environ.get("FEEDSVC_REQUIRE_IMAP") == "1"


@pytest.fixture(scope="session")
def dovecot_server(tmp_path_factory, tls_files):
    """A private Dovecot on 127.0.0.1 (tests/mail/dovecot.py); skipped where it is not installed.

    CI sets FEEDSVC_REQUIRE_IMAP=1: there a missing dovecot is a failure, not a skip.
    """
    binary, missing = find_dovecot()
    if binary is None:
        if REQUIRE_IMAP:
            pytest.fail(f"{missing}, and FEEDSVC_REQUIRE_IMAP=1 is set")
        pytest.skip(missing)
    server = start_dovecot(binary, tmp_path_factory.mktemp("dovecot"), tls_files.cert, tls_files.key)
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server):
    """An IMAP account of this test's own, its INBOX empty."""
    return dovecot_server.add_user()

"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, with TLS and AUTH when asked."""
from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USERNAME = "digest@news.example.org"
PASSWORD = "p@ss:w/rd %x"  # smtplib sends AUTH in ASCII only


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class RecordingHandler:
    """Stores every accepted message; replies with the codes a test sets instead of accepting."""

    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address -> reply to RCPT
    data_reply: str | None = None  # reply to the end of DATA, instead of accepting
    drop_after_data: bool = False  # close the connection right after accepting a message
    received: list[Received] = field(default_factory=list)
    data_attempts: int = 0
    sessions: list = field(default_factory=list)  # the session of each DATA; one per connection
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        self.sessions.append(session)
        if self.data_reply:
            return self.data_reply
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.drop_after_data:
            # Runs once the reply below is written: the server goes away between two messages.
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 Accepted"

    def connections(self) -> int:
        """How many SMTP connections carried a DATA command."""
        return len({id(session) for session in self.sessions})

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        """An aiosmtpd authenticator that accepts only USERNAME / PASSWORD."""
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((login, password))
            return AuthResult(success=(login, password) == (USERNAME, PASSWORD))
        return AuthResult(success=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(handler: RecordingHandler, **smtp_kwargs) -> Controller:
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="mx.test.example",  # skips a getfqdn() look-up
        **smtp_kwargs,
    )
    controller.start()
    return controller


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
def smtp_server(handler):
    """A plain SMTP server; yields its Controller (`.port`), the handler is the `handler` fixture."""
    controller = start_server(handler)
    yield controller
    controller.stop()


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

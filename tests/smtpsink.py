"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it accepts.

Shared by the mail, digest and delivery tests; the fixtures are in tests/conftest.py.
"""
from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

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
    mail_reply: str | None = None  # reply to MAIL FROM, instead of accepting the sender
    data_reply: str | None = None  # reply to the end of DATA, instead of accepting
    drop_after_data: bool = False  # close the connection right after accepting a message
    delay: float = 0.0  # seconds between the end of DATA and the reply: a message "on the wire"
    # Hold every DATA reply until this many connections have sent RCPT (a race made certain).
    wait_for_connections: int = 0
    rcpt_sessions: set = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    data_attempts: int = 0
    sessions: list = field(default_factory=list)  # the session of each DATA; one per connection
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_sessions.add(id(session))
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        self.sessions.append(session)
        for _ in range(3000):  # at most 30 s
            if len(self.rcpt_sessions) >= self.wait_for_connections:
                break
            await asyncio.sleep(0.01)
        if self.delay:
            await asyncio.sleep(self.delay)
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

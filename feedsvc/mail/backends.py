"""Deliver built messages: over SMTP, or into an outbox folder of .eml files; chosen by URL."""
from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from .failures import (  # noqa: F401  (the errors are part of this module's interface)
    BackendUnavailable, DeliveryError, PermanentFailure, TemporaryFailure, classify_smtp_error,
    refused_failure, reply_text,
)
from .message import normalise_address


# The Message-ID field of a header block, with its folded lines (RFC 5322 section 3.6.4).
_MESSAGE_ID_FIELD = re.compile(rb"(?im)^Message-ID[ \t]*:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)")


@dataclass(frozen=True)
class SendResult:
    """What a backend did with one message."""

    message_id: str | None
    accepted: tuple[str, ...]
    refused: Mapping[str, tuple[int, str]] = field(default_factory=dict)  # partial refusals
    path: Path | None = None  # where the file backend wrote it


class MailBackend(ABC):
    """A way to deliver messages; use as a context manager to open and close it once for many."""

    def open(self) -> None:
        """Get ready to send (connect); send() calls it when needed."""

    @abstractmethod
    def send(self, msg: EmailMessage | bytes, *, from_addr: str, to_addrs: Iterable[str],
             while_waiting: Callable[[], None] | None = None) -> SendResult:
        """Deliver one message to `to_addrs`, or raise TemporaryFailure / PermanentFailure.

        ``while_waiting`` is called at most once, when the message is on its way and the
        backend waits for the server's answer: work that overlaps that wait. A backend with
        nothing to wait for does not call it.
        """

    def close(self) -> None:
        """Release what open() acquired."""

    def __enter__(self) -> MailBackend:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _DotStuffing:
    """smtplib's DATA, which scans for lines to dot-stuff (RFC 5321 section 4.5.2) only when one needs it.

    smtplib runs a multi-line regular expression over every message, whether or not a line
    starts with a dot: a quarter of a digest's delivery time (39 KB messages, bench_digest's
    profile). Our messages' bodies are base64, whose lines never start with one, so a substring
    test settles nearly every message; a message that has such a line goes through smtplib.
    """

    while_waiting: Callable[[], None] | None = None  # set by SMTPBackend.send for one message

    def data(self, msg):
        if not isinstance(msg, bytes) or msg.startswith(b".") or b"\n." in msg:
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        ending = b".\r\n" if msg.endswith(b"\r\n") else b"\r\n.\r\n"
        self.send(msg + ending)  # one write: a second small one could wait on Nagle's algorithm
        if self.while_waiting is not None:
            # The server has the message now and may take long to answer (a relay's 20 ms).
            self.while_waiting()
        return self.getreply()


class _SMTP(_DotStuffing, smtplib.SMTP):
    pass


class _SMTP_SSL(_DotStuffing, smtplib.SMTP_SSL):
    pass


class SMTPBackend(MailBackend):
    """Sends over one SMTP connection, reused for every message until close()."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        implicit_tls: bool = False,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
        idle_probe_seconds: float = 5.0,
    ):
        self.host, self.port = host, port
        self.implicit_tls, self.starttls = implicit_tls, starttls
        self.username, self._password = username, password
        self.timeout = timeout
        if ssl_context is None and (implicit_tls or starttls):
            # smtplib's own default context checks no certificate, so always pass a verifying one.
            ssl_context = ssl.create_default_context()
        self.ssl_context = ssl_context
        self.local_hostname = local_hostname
        self.idle_probe_seconds = idle_probe_seconds
        self._smtp: smtplib.SMTP | None = None
        self._used = False
        self._last_used = 0.0

    def __repr__(self) -> str:
        return f"<SMTPBackend {self.host}:{self.port} user={self.username!r}>"

    def open(self) -> None:
        """Connect, say EHLO, start TLS and log in as configured."""
        if self._smtp is not None:
            return
        # The host goes to the constructor, not to connect(): only there does smtplib keep it
        # as the TLS server_hostname that the certificate is checked against.
        try:
            if self.implicit_tls:
                smtp = _SMTP_SSL(self.host, self.port, local_hostname=self.local_hostname,
                                        timeout=self.timeout, context=self.ssl_context)
            else:
                smtp = _SMTP(self.host, self.port, local_hostname=self.local_hostname,
                                    timeout=self.timeout)
        except (OSError, ValueError) as exc:
            raise classify_smtp_error(exc, stage="connect") from exc
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if self.username is not None:
                smtp.login(self.username, self._password or "")
        except (OSError, ValueError) as exc:
            smtp.close()
            raise classify_smtp_error(exc, stage="connect") from exc
        self._smtp, self._used = smtp, False

    def send(self, msg: EmailMessage | bytes, *, from_addr: str, to_addrs: Iterable[str],
             while_waiting: Callable[[], None] | None = None) -> SendResult:
        """Send one message on the open connection (reconnecting if it went idle and dropped)."""
        sender, recipients = _envelope(from_addr, to_addrs)
        data, message_id = _serialise(msg)
        self._ensure_connection()
        assert self._smtp is not None
        self._used = True
        try:
            self._smtp.while_waiting = while_waiting
            refused = self._smtp.sendmail(sender, recipients, data)
            self._last_used = time.monotonic()
        except smtplib.SMTPResponseException as exc:
            # smtplib has already reset the transaction (or closed the connection on 421).
            raise classify_smtp_error(exc, stage="send") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise refused_failure(exc.recipients) from exc
        except (OSError, ValueError) as exc:
            # The connection is in an unknown state mid-transaction: drop it, and let the
            # caller decide about this message (it may have been delivered).
            self._drop()
            raise classify_smtp_error(exc, stage="send") from exc
        refused = {addr: (code, reply_text(resp)) for addr, (code, resp) in refused.items()}
        accepted = tuple(addr for addr in recipients if addr not in refused)
        return SendResult(message_id=message_id, accepted=accepted, refused=refused)

    def close(self) -> None:
        """Say QUIT and close the connection; errors on the way out do not matter."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, ValueError):
            pass
        self._drop()

    def _ensure_connection(self) -> None:
        if self._smtp is not None and self._used:
            # The server may have closed an idle connection between two messages (RFC 5321
            # section 4.5.3.2.7 lets it after 5 minutes); NOOP finds out before a message is
            # sent. Back-to-back messages skip the probe: it would cost a round trip each.
            idle = time.monotonic() - self._last_used
            if self._smtp.sock is None or (idle >= self.idle_probe_seconds and not self._noop_ok()):
                self._drop()
        self.open()

    def _noop_ok(self) -> bool:
        assert self._smtp is not None
        try:
            code, _ = self._smtp.noop()
        except (OSError, ValueError):
            return False
        return code == 250

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None


class FileBackend(MailBackend):
    """Writes each message as an .eml file into a folder, atomically."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"<FileBackend {self.directory}>"

    def open(self) -> None:
        """Create the outbox folder if it is missing."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendUnavailable(f"cannot create outbox {self.directory}: {exc.strerror}") from exc

    def send(self, msg: EmailMessage | bytes, *, from_addr: str, to_addrs: Iterable[str],
             while_waiting: Callable[[], None] | None = None) -> SendResult:
        """Write the message to `<UTC timestamp>-<Message-ID>.eml` and return its path (no
        server to wait for: ``while_waiting`` is not called)."""
        _, recipients = _envelope(from_addr, to_addrs)
        data, message_id = _serialise(msg)
        self.open()
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{stamp}-{_safe_name(message_id)}.eml"
        tmp = None
        try:
            # A temporary name in the same folder, then os.replace: a reader of the outbox
            # never sees half a message, and the rename cannot cross file systems.
            with tempfile.NamedTemporaryFile(
                dir=self.directory, prefix=".tmp-", suffix=".part", delete=False
            ) as handle:
                tmp = Path(handle.name)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            raise BackendUnavailable(f"cannot write {path.name}: {exc.strerror or exc}") from exc
        return SendResult(message_id=message_id, accepted=recipients, path=path)


def _smtp_backend(url: SplitResult, params: dict[str, str], *, outbox_dir: Path,
                  ssl_context: ssl.SSLContext | None) -> MailBackend:
    implicit = url.scheme == "smtps"
    if not url.hostname:
        raise ValueError(f"{url.scheme} URL needs a host")
    starttls = _flag(params.pop("starttls", "0"), "starttls")
    if implicit and starttls:
        raise ValueError("smtps already uses TLS; starttls=1 applies to smtp:// only")
    try:
        timeout = float(params.pop("timeout", "30"))
        port = url.port or (465 if implicit else 25)
    except ValueError:
        raise ValueError("mail URL has an invalid port or timeout") from None
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    return SMTPBackend(
        url.hostname,
        port,
        implicit_tls=implicit,
        starttls=starttls,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        timeout=timeout,
        ssl_context=ssl_context,
        local_hostname=params.pop("helo", None),
    )


def _file_backend(url: SplitResult, params: dict[str, str], *, outbox_dir: Path,
                  ssl_context: ssl.SSLContext | None) -> MailBackend:
    if url.netloc or (url.path and not url.path.startswith("/")):
        raise ValueError("file URL must be file:// or file:///absolute/path")
    return FileBackend(Path(unquote(url.path)) if url.path else outbox_dir)


_BACKENDS: dict[str, Callable[..., MailBackend]] = {
    "smtp": _smtp_backend,
    "smtps": _smtp_backend,
    "file": _file_backend,
}


def backend_from_url(url: str, *, outbox_dir: Path,
                     ssl_context: ssl.SSLContext | None = None) -> MailBackend:
    """Make the backend a mail URL names: smtp://, smtps:// or file:// (the outbox folder)."""
    parts = urlsplit(url.strip())
    factory = _BACKENDS.get(parts.scheme)
    if factory is None:
        raise ValueError(f"mail URL scheme must be one of {', '.join(sorted(_BACKENDS))}")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    if any(len(values) > 1 for values in query.values()):
        raise ValueError("mail URL repeats a parameter")
    params = {name: values[0] for name, values in query.items()}
    backend = factory(parts, params, outbox_dir=Path(outbox_dir), ssl_context=ssl_context)
    if params:
        # Left over after the factory took what it knows: most likely a typo.
        raise ValueError(f"unknown mail URL parameter(s): {', '.join(sorted(params))}")
    return backend


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name} must be 1 or 0, not {value!r}")


# A mailing has one sender for every message unless VERP makes one per message: validated once.
_normalised_sender = lru_cache(maxsize=64)(normalise_address)


def _envelope(from_addr: str, to_addrs: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    if isinstance(to_addrs, str):
        to_addrs = [to_addrs]
    try:
        sender = _normalised_sender(from_addr)
        recipients = tuple(normalise_address(addr) for addr in to_addrs)
    except ValueError as exc:
        raise PermanentFailure(str(exc)) from exc
    if not recipients:
        raise PermanentFailure("no recipients")
    return sender, recipients


def _serialise(msg: EmailMessage | bytes) -> tuple[bytes, str | None]:
    if isinstance(msg, EmailMessage):
        data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    else:
        data = bytes(msg)
        # SMTP wants CRLF line ends (RFC 5321 section 2.3.8), whatever the bytes came with;
        # the scan is skipped for bytes that are CRLF already, as our own messages are.
        if data.count(b"\n") != data.count(b"\r\n"):
            data = re.sub(rb"\r?\n", b"\r\n", data)
    # Only the header block is read, and only for the Message-ID: the email package's header
    # parser cost a mailing as much as building each message did (issue 11).
    head = data.split(b"\r\n\r\n", 1)[0]
    found = _MESSAGE_ID_FIELD.search(head)
    if found is None:
        return data, None
    message_id = " ".join(found.group(1).decode("ascii", "replace").split())  # unfolded
    return data, message_id or None


def _safe_name(message_id: str | None) -> str:
    if not message_id:
        return "no-message-id"
    # Only these characters reach the file name: no separators, no leading dot, bounded.
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", message_id.strip("<>")).lstrip(".")[:120] or "id"

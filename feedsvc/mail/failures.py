"""What a failed send means: the failures every backend raises, and SMTP's replies read as them.

The outbox (feedsvc.mail.outbox) knows only these classes: a TemporaryFailure is tried again
later, a PermanentFailure counts against the recipient, and a BackendUnavailable stops the run.
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping


class DeliveryError(Exception):
    """A message was not delivered; `code` is the SMTP reply code when there was one."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message


class TemporaryFailure(DeliveryError):
    """Delivery may succeed later: the connection failed or the server answered 4xx."""


class PermanentFailure(DeliveryError):
    """Delivery will not succeed as it is: the server answered 5xx, or the request was invalid."""


class BackendUnavailable(TemporaryFailure):
    """The backend can send nothing now, whoever the recipient: stop the run (issue 12).

    The server is down, closing (421) or refuses us (our login, our certificate check, our
    sender), or the outbox folder cannot be written. No recipient is at fault, so no address
    is counted as bounced; the message waits in the outbox like any temporary failure. Each
    backend decides what this is, so the outbox needs to know no SMTP reply code.
    """


def classify_smtp_error(exc: Exception, *, stage: str) -> DeliveryError:
    if stage == "connect":
        # Nothing was said about any recipient yet: the server, our login, our TLS check or
        # our configuration failed, and every message would meet the same (issue 12).
        return BackendUnavailable(f"connect: {_reason(exc)}",
                                  getattr(exc, "smtp_code", None))
    if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code != 552:
        # MAIL FROM refused (our sender, or "authenticate first"): no message can go. 552 is
        # RFC 1870's "too large", about this message alone.
        return BackendUnavailable(f"{stage}: sender refused: {exc.smtp_code} {reply_text(exc.smtp_error)}",
                                  exc.smtp_code)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, f"{stage}: {exc.smtp_code} {reply_text(exc.smtp_error)}")
    if isinstance(exc, ValueError):
        return PermanentFailure(f"{stage}: {reply_text(str(exc))}")
    # Reset, timed out, disconnected mid-message: the connection, not this recipient.
    return BackendUnavailable(f"{stage}: {_reason(exc)}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {reply_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"server does not support it: {reply_text(str(exc))}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    # Refused, reset, timed out, name not resolved.
    return f"{type(exc).__name__}: {reply_text(str(exc)) or type(exc).__name__}"


def refused_failure(recipients: Mapping[str, tuple[int, bytes | str]]) -> DeliveryError:
    codes = [code for code, _ in recipients.values()]
    addr, (code, resp) = next(iter(recipients.items()))
    message = f"recipient refused: {addr}: {code} {reply_text(resp)}"
    if len(recipients) > 1:
        message += f" (and {len(recipients) - 1} more)"
    if 421 in codes:
        return BackendUnavailable(message, 421)  # the server is closing the connection
    # Permanent only when no recipient might be accepted on a later try.
    if all(500 <= c < 600 for c in codes):
        return PermanentFailure(message, code)
    return TemporaryFailure(message, next(c for c in codes if not 500 <= c < 600))


def _by_code(code: int, message: str) -> DeliveryError:
    if 500 <= code < 600:
        return PermanentFailure(message, code)
    if code == 421 or code <= 0:
        # 421: the server is closing the channel (RFC 5321 section 3.8); -1: smtplib could
        # not read a reply at all. Either way no next message would fare better.
        return BackendUnavailable(message, code if code > 0 else None)
    return TemporaryFailure(message, code)


def reply_text(resp: bytes | str) -> str:
    if isinstance(resp, bytes):
        resp = resp.decode("utf-8", "replace")
    return " ".join(resp.split())

"""Bounces and complaints we write about a message our SMTP sink received, as relays send them.

A relay that accepted a message and failed later returns a DSN (RFC 3464) to the envelope
sender; a mailbox provider's feedback loop sends an ARF report (RFC 5965) to the address
registered with it. Both quote the message, so they are built here from what the sink got.
"""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone

from smtpsink import Received

NOW = "Sat, 21 Nov 2026 09:15:00 +0800"


def returned_headers(received: Received) -> str:
    """The header block of the message as the relay kept it, with its Return-Path."""
    head = received.content.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8")
    return f"Return-Path: <{received.mail_from}>\n{head}\n"


def message_id(received: Received) -> str:
    return str(email.message_from_bytes(received.content, policy=email.policy.default)["Message-ID"])


def dsn(received: Received, *, status: str = "5.1.1", action: str = "failed",
        recipient: str | None = None, envelope_to: str | None = None,
        diagnostic: str = "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table") -> bytes:
    """A Postfix-like DSN for ``received``: a notice, a delivery-status part, the returned headers."""
    recipient = recipient or received.rcpt_tos[0]
    to = envelope_to or received.mail_from
    boundary = "B0UND.1795388409/relay.example.net"
    text = f"""Return-Path: <>
Delivered-To: {to}
Date: {NOW}
From: MAILER-DAEMON@relay.example.net (Mail Delivery System)
Subject: {"Delayed Mail (still being retried)" if action == "delayed" else "Undelivered Mail Returned to Sender"}
To: {to}
Auto-Submitted: auto-replied
Message-Id: <{datetime.now(timezone.utc).timestamp()}.dsn@relay.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.reader.example[198.51.100.7] said: {diagnostic}

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net
X-Postfix-Sender: rfc822; {received.mail_from}
Arrival-Date: {NOW}

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.reader.example
Diagnostic-Code: smtp; {diagnostic}

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{returned_headers(received)}
--{boundary}--
"""
    return text.encode("utf-8")


def arf(received: Received, *, redacted: bool = False, to: str = "bounces@news.example.org") -> bytes:
    """An ARF abuse report (RFC 5965) about ``received``, with the whole message returned."""
    boundary = "ARF-part-2026-11-21"
    recipient = "redacted@mailbox.example" if redacted else received.rcpt_tos[0]
    original = returned_headers(received).replace(received.rcpt_tos[0], recipient) if redacted else None
    body = received.content.replace(b"\r\n", b"\n").decode("utf-8")
    returned = original + "\n[body removed]\n" if redacted else f"Return-Path: <{received.mail_from}>\n{body}"
    rcpt_line = "" if redacted else f"Original-Rcpt-To: <{recipient}>\n"
    text = f"""Return-Path: <fbl@mailbox.example>
Delivered-To: {to}
From: Mailbox Feedback Loop <fbl@mailbox.example>
To: {to}
Subject: Complaint about a message from your network
Date: {NOW}
Message-ID: <fbl.{datetime.now(timezone.utc).timestamp()}@mailbox.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
\tboundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for a message received from your network.
A user of our service marked it as spam.

--{boundary}
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: MailboxFBL/2.1
Version: 1
Original-Mail-From: <{received.mail_from}>
{rcpt_line}Arrival-Date: {NOW}
Reported-Domain: news.example.org

--{boundary}
Content-Type: message/rfc822
Content-Disposition: inline

{returned}
--{boundary}--
"""
    return text.encode("utf-8")

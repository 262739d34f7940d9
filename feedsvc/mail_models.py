"""The returned-mail tables beside models.py: late bounces and complaints, and the messages read.

Registered on models.Base (models.py imports this module at its end), so migrations and
``Base.metadata`` see them like any other table.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .columns import EnumText, UTCDateTime
from .mail.bounce_text import Kind as ReturnKind
from .models import Base, Delivery, utcnow

__all__ = ["ProcessedMail", "ReturnKind", "ReturnedMail"]


class ReturnedMail(Base):
    """What a returned message said about one of our messages: a bounce, a delay, a complaint (issue 12).

    The subscriber's history and the delivery log show these rows. One per message and kind:
    a relay that reports the same failure twice counts once toward BOUNCE_LIMIT.
    """

    __tablename__ = "returned_mail"
    __table_args__ = (UniqueConstraint("delivery_id", "kind", name="uq_returned_mail_delivery_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[ReturnKind] = mapped_column(EnumText(ReturnKind))
    # SET NULL: old deliveries are pruned, the subscriber's history stays.
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(320))  # the address we sent to
    status: Mapped[str | None] = mapped_column(String(16))  # RFC 3463, e.g. "5.1.1"
    diagnostic: Mapped[str | None] = mapped_column(Text)  # the remote server's words, one line
    matched_by: Mapped[str] = mapped_column(String(16))  # "verp" or "message-id"

    delivery: Mapped[Delivery | None] = relationship()


class ProcessedMail(Base):
    """A returned message already read, by its key (a hash of its bytes): no scan counts it twice.

    The key is inserted in the transaction that records what the message said, so of two
    scans reading one message at once only one commits.
    """

    __tablename__ = "processed_mail"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    location: Mapped[str] = mapped_column(String(500), default="")  # where it was read, for people

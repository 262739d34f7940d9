"""The digest archive's table beside models.py: each date's distinct lists of articles.

Registered on models.Base (models.py imports this module at its end), so migrations and
``Base.metadata`` see it like any other table.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .columns import UTCDateTime
from .models import Base


class EditionList(Base):
    """One list of articles that editions of a date hold, once however many subscribers got it,
    with when the first and the last edition holding it were made: what the digest archive reads.

    There is an edition per subscriber per date, and subscribers with the same topics hold the
    same list; the archive's pages grouped all editions by date on every cache miss (a million
    rows for 100,000 subscribers over ten days). The key is the list's SHA-256: an index on the
    list itself would refuse long lists on PostgreSQL.
    """

    __tablename__ = "edition_lists"
    edition_date: Mapped[date] = mapped_column(Date, primary_key=True)
    list_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_ids: Mapped[str] = mapped_column(Text)  # as the editions hold it: JSON, newest first
    first_made: Mapped[datetime] = mapped_column(UTCDateTime)
    last_made: Mapped[datetime] = mapped_column(UTCDateTime)

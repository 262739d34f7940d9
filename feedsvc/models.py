"""The store: articles with their sources, categories and tags, subscribers, the outbox, jobs.

Status values are enums here; each is stored as its plain string (``"pending"``), so rows
written before the enums existed read back unchanged.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .columns import EnumText, UTCDateTime

# Constraint names fixed here so Alembic migrations name them the same on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(timezone.utc)


class SubscriberState(StrEnum):
    """Double opt-in: pending until the link is followed; later unsubscribed or bounced."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class Frequency(StrEnum):
    """How often a subscriber's digest comes: every day, or once a week on their weekday (issue 12)."""

    DAILY = "daily"
    WEEKLY = "weekly"


class DeliveryKind(StrEnum):
    """What an outbox message is."""

    DIGEST = "digest"
    CONFIRM = "confirm"
    TEST = "test"  # an operator's test send, built when queued


class DeliveryState(StrEnum):
    """An outbox message's way: pending -> sending -> sent, or failed, or cancelled."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until its lease runs out
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # no longer wanted (the subscriber left or was never confirmed)


# A failed digest or confirmation can be queued again; a failed test is sent anew instead.
RETRYABLE_KINDS = (DeliveryKind.DIGEST, DeliveryKind.CONFIRM)


class JobStatus(StrEnum):
    """How a scheduled job's last run ended."""

    OK = "ok"
    ERROR = "error"


class ImportOrigin(StrEnum):
    """Where one of our import runs came from (ImportRun.origin)."""

    CLI = "cli"
    DROP_FOLDER = "drop-folder"
    UPLOAD = "upload"
    DEMO = "demo"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class _Named:
    """What sources, categories and tags share: a unique name and the slug URLs use for it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Source(_Named, Base):
    """An outlet an article comes from (来源), so feeds can be cut by it."""

    __tablename__ = "sources"


class Category(_Named, Base):
    """A section of the site (e.g. a breadcrumb's last crumb)."""

    __tablename__ = "categories"


class Tag(_Named, Base):
    """A keyword, given by the file or extracted from the text."""

    __tablename__ = "tags"


article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # A tag's feed or page asks for its articles by tag: without it every article's tags were
    # read (50,000 rows at 10,000 articles) for each listing a cache misses.
    Index("ix_article_tags_tag_article", "tag_id", "article_id"),
)


class Article(Base):
    """One article; a reprint of another points at it through ``duplicate_of``."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("source_file", "source_index", name="uq_articles_source_file_index"),
        # The feeds' and pages' one hot query: visible canonical articles, newest first.
        Index("ix_articles_listing", "visible", "duplicate_of_id", "published_at"),
        # A feed's Last-Modified: without it max(updated_at) read the whole table (306 ms at
        # 100k articles, nearly all of a cache miss).
        Index("ix_articles_changed", "visible", "duplicate_of_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Never changes once given: feed GUIDs and tag: URIs are built from it.
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # False when the file gave no date and ``published_at`` is the time we first saw it.
    published_known: Mapped[bool] = mapped_column(Boolean, default=True)
    # True when the file gave a day and no time: ``published_at`` is that day's midnight in
    # the site's zone, and readers are shown the day alone.
    published_date_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[str | None] = mapped_column(String(200))
    author_affiliation: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    original_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    site_name: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # MinHash of the text's character shingles (feedsvc.text.signature).
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    source_file: Mapped[str] = mapped_column(String(1024))
    source_index: Mapped[int] = mapped_column(Integer, default=0)
    file_hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[str | None] = mapped_column(String(16))
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    duplicate_kind: Mapped[str | None] = mapped_column(String(8))  # 'exact' or 'near'

    source: Mapped[Source | None] = relationship(lazy="joined")
    category: Mapped[Category | None] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, lazy="selectin", order_by=Tag.name)
    duplicate_of: Mapped[Article | None] = relationship(remote_side=[id])


class ArticleBand(Base):
    """One LSH band of an article's MinHash, indexed so near-duplicate candidates are a lookup."""

    __tablename__ = "article_bands"
    # The lookup reads only article ids by band: with them in the index it never visits the
    # table (SQLite's index on band alone held rowids, one table read per row found).
    __table_args__ = (Index("ix_article_bands_band_article", "band", "article_id"),)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[str] = mapped_column(String(32), primary_key=True)


class ImportRun(Base):
    """What one import did, for the operators' dashboard."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    # An ImportOrigin for our own runs; the importer takes any name a caller gives it.
    origin: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str] = mapped_column(Text, default="")  # one "file: message" per line


class StoreVersion(Base):
    """A counter bumped in every transaction that changes what feeds show.

    Rendered feeds are cached per process under this number, so an import in another
    process (the worker, the CLI) invalidates every web worker's cache at once.
    """

    __tablename__ = "store_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# Built once and run on the table, not through the ORM: an import bumps it for every article,
# and building it each time cost more than the UPDATE itself (issue 11).
_BUMP = (
    update(StoreVersion.__table__).where(StoreVersion.__table__.c.id == 1)
    .values(version=StoreVersion.__table__.c.version + 1)
)


def bump_store_version(session) -> None:
    """Mark the published content as changed, in the caller's transaction."""
    session.execute(_BUMP)


def current_store_version(session) -> int:
    """The number bumped by every change to what feeds show."""
    return session.scalar(select(StoreVersion.version).where(StoreVersion.id == 1)) or 0


class Subscriber(Base):
    """An email subscriber and their preferences."""

    __tablename__ = "subscribers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    state: Mapped[SubscriberState] = mapped_column(
        EnumText(SubscriberState), default=SubscriberState.PENDING, index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    timezone: Mapped[str] = mapped_column(String(64))
    delivery_hour: Mapped[int] = mapped_column(Integer, default=7)
    # Server defaults: the rows of before issue 12 stay daily (weekday 1, ISO Monday, is unused then).
    frequency: Mapped[Frequency] = mapped_column(EnumText(Frequency), default=Frequency.DAILY,
                                                 server_default=Frequency.DAILY.value)
    weekday: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # ISO: 1 Monday … 7 Sunday
    # JSON list of "category:slug" / "source:slug" / "tag:slug"; empty means everything.
    topics: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Articles added after this instant are due in the next digest (None: the last 24 hours).
    digest_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounce_count: Mapped[int] = mapped_column(Integer, default=0)


class Edition(Base):
    """One subscriber's digest for one local date; the unique key makes a second build harmless."""

    __tablename__ = "editions"
    __table_args__ = (UniqueConstraint("subscriber_id", "edition_date", name="uq_editions_subscriber_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    edition_date: Mapped[date] = mapped_column(Date)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    article_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, newest first
    # What the subscriber chose when it was built: a weekly edition keeps its wording if they change.
    frequency: Mapped[Frequency] = mapped_column(EnumText(Frequency), default=Frequency.DAILY,
                                                 server_default=Frequency.DAILY.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(lazy="joined")


class Delivery(Base):
    """The outbox: one row per message, moving pending -> sending -> sent / failed."""

    __tablename__ = "deliveries"
    # By state, then when made: today's messages by state (the dashboard), the last week's
    # failures, and pruning the sent ones read a range each instead of every message kept.
    __table_args__ = (Index("ix_deliveries_state_created", "state", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeliveryKind] = mapped_column(EnumText(DeliveryKind))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    # At most one message per edition: a second attempt to create it fails on this key.
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), unique=True
    )
    to_addr: Mapped[str] = mapped_column(String(320))
    # Fixed when the row is made, so a resend after a crash carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The whole message when it was built as it was queued (an admin's test send: there is no
    # edition to rebuild it from); None: built from the edition or subscriber when sent.
    raw_message: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[DeliveryState] = mapped_column(EnumText(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    subscriber: Mapped[Subscriber | None] = relationship()
    edition: Mapped[Edition | None] = relationship()

    @property
    def retryable(self) -> bool:
        """True for a failed message an operator may queue again."""
        return self.state == DeliveryState.FAILED and self.kind in RETRYABLE_KINDS


class RateHit(Base):
    """A fixed-window request counter (subscribe, login), shared by every process."""

    __tablename__ = "rate_hits"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class AdminUser(Base):
    """An operator who signs in at /admin; the password is stored as a werkzeug hash."""

    __tablename__ = "admin_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuditEntry(Base):
    """Who changed what, and when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))  # an admin's email, or "cli", "worker"
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    """Settings operators change without a deploy (digest wording), as JSON values."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobSchedule(Base):
    """A scheduled job: how often it runs (editable while the worker runs) and how it last went."""

    __tablename__ = "job_schedules"
    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[JobStatus | None] = mapped_column(EnumText(JobStatus))
    last_message: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


from . import archive_models, mail_models, operator_models  # noqa: E402,F401  (register their tables on Base)

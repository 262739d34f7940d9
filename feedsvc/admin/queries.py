"""What the admin pages read and change in the store; plain SQLAlchemy, no Flask."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..articles import like_pattern, shown
# The importer's get-or-create of names, so an edit and an import name things alike.
from ..ingest.store import get_or_create_named as named
from ..mail_models import ReturnedMail
from ..models import (
    RETRYABLE_KINDS, Article, Category, Delivery, DeliveryKind, DeliveryState, ImportRun, JobSchedule,
    JobStatus, Source, Subscriber, Tag, bump_store_version, utcnow,
)
from ..text.summary import summarize

ARTICLE_STATES = ("visible", "hidden", "duplicate")
CHART_DAYS = 30
RETURNED_DAYS = 7  # the dashboard's count of late bounces and complaints


def find_articles(session: Session, *, q: str = "", source: str = "", category: str = "",
                  state: str = "", limit: int = 20, offset: int = 0) -> tuple[list[Article], int]:
    """Articles of every state matching the filters, newest first, and their count."""
    conditions = []
    terms = " ".join(q.split())
    if terms:
        pattern = like_pattern(terms)
        conditions.append(or_(Article.title.ilike(pattern, escape="\\"),
                              Article.body_text.ilike(pattern, escape="\\")))
    if source:
        conditions.append(Article.source_id.in_(select(Source.id).where(Source.slug == source)))
    if category:
        conditions.append(Article.category_id.in_(select(Category.id).where(Category.slug == category)))
    if state == "visible":
        conditions += shown()
    elif state == "hidden":
        conditions.append(Article.visible.is_(False))
    elif state == "duplicate":
        conditions.append(Article.duplicate_of_id.is_not(None))
    return _paged(session, Article, conditions, (Article.added_at.desc(), Article.id.desc()),
                  limit=limit, offset=offset)


def facet_choices(session: Session, model) -> list[tuple[str, str]]:
    """(slug, name) of every source or category, by name."""
    return [tuple(r) for r in session.execute(select(model.slug, model.name).order_by(model.name))]


def edit_article(session: Session, article: Article, *, title: str, summary: str,
                 category: str | None, tags: list[str]) -> list[str]:
    """Apply an operator's edit (values already validated); returns the names of changed fields."""
    changed = []
    if article.title != title:
        article.title = title
        changed.append("title")
    if article.summary != summary:
        article.summary, article.summary_generated = summary, False
        changed.append("summary")
    if (article.category.name if article.category else None) != category:
        article.category = named(session, Category, category)
        changed.append("category")
    if sorted(t.name for t in article.tags) != tags:  # ``tags`` comes sorted
        article.tags = [named(session, Tag, name) for name in tags]
        changed.append("tags")
    if changed:
        _touched(session, article)
    return changed


def set_visible(session: Session, article: Article, visible: bool) -> bool:
    """Show or hide an article in feeds, pages and digests; False when it already was so."""
    if article.visible == visible:
        return False
    article.visible = visible
    _touched(session, article)
    return True


def regenerate_summary(session: Session, article: Article, *, max_chars: int) -> None:
    """Replace the summary with a fresh extractive one of the article's text."""
    article.summary = summarize(article.body_text, max_chars=max_chars)
    article.summary_generated = True
    _touched(session, article)


def _touched(session: Session, article: Article) -> None:
    # Feeds are cached per process under the store version; bumping it here, in the same
    # transaction, makes every worker drop the old rendering at once.
    article.updated_at = utcnow()
    bump_store_version(session)


def find_subscribers(session: Session, *, q: str = "", state: str = "", limit: int = 20,
                     offset: int = 0) -> tuple[list[Subscriber], int]:
    """Subscribers whose address contains ``q``, in ``state`` if given; newest first, and their count."""
    conditions = []
    if q.strip():
        conditions.append(Subscriber.email.like(like_pattern(q.strip().lower()), escape="\\"))
    if state:
        conditions.append(Subscriber.state == state)
    return _paged(session, Subscriber, conditions, (Subscriber.id.desc(),), limit=limit, offset=offset)


def find_deliveries(session: Session, *, state: str = "", kind: str = "", subscriber_id: int | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[Delivery], int]:
    """Outbox messages, newest first, and their count."""
    conditions = []
    if state:
        conditions.append(Delivery.state == state)
    if kind:
        conditions.append(Delivery.kind == kind)
    if subscriber_id is not None:
        conditions.append(Delivery.subscriber_id == subscriber_id)
    return _paged(session, Delivery, conditions, (Delivery.id.desc(),), limit=limit, offset=offset)


def returned_mail(session: Session, *, subscriber_id: int, limit: int = 100) -> list[ReturnedMail]:
    """The subscriber's late bounces and complaints, newest first, pruned messages' included."""
    return list(session.scalars(
        select(ReturnedMail).where(ReturnedMail.subscriber_id == subscriber_id)
        .order_by(ReturnedMail.received_at.desc(), ReturnedMail.id.desc()).limit(limit)))


def returned_by_delivery(session: Session, deliveries: list[Delivery]) -> dict[int, list[ReturnedMail]]:
    """The late bounces and complaints about each of ``deliveries`` (a page of the log), by delivery id."""
    found: dict[int, list[ReturnedMail]] = {}
    rows = session.scalars(select(ReturnedMail).where(ReturnedMail.delivery_id.in_([d.id for d in deliveries]))
                           .order_by(ReturnedMail.received_at, ReturnedMail.id))
    for row in rows:
        found.setdefault(row.delivery_id, []).append(row)
    return found


def _paged(session: Session, model, conditions: list, order_by: tuple, *, limit: int,
           offset: int) -> tuple[list, int]:
    """One page of the rows of ``model`` matching ``conditions``, in ``order_by``, and how many match."""
    total = session.scalar(select(func.count(model.id)).where(*conditions)) or 0
    rows = session.scalars(select(model).where(*conditions).order_by(*order_by).limit(limit).offset(offset))
    return list(rows), total


def retry_failed(session: Session, *, delivery_id: int | None = None, now: datetime | None = None) -> list[int]:
    """Put failed digest and confirmation messages back in the outbox, due now; returns their ids.

    Attempts are left as they are: a retried message that fails again is given up sooner.
    """
    conditions = [Delivery.state == DeliveryState.FAILED, Delivery.kind.in_(RETRYABLE_KINDS)]
    if delivery_id is not None:
        conditions.append(Delivery.id == delivery_id)
    return list(session.scalars(
        update(Delivery).where(*conditions)
        .values(state=DeliveryState.PENDING, next_attempt_at=now or utcnow(), lease_until=None)
        .returning(Delivery.id).execution_options(synchronize_session=False)
    ))


def dashboard_counts(session: Session, *, now: datetime, zone: tzinfo) -> dict:
    """Articles (shown, hidden, reprints), subscribers and today's deliveries by state, the last week's returned mail by kind."""
    start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    articles = dict(session.execute(
        select(Article.visible, func.count(Article.id))
        .where(Article.duplicate_of_id.is_(None)).group_by(Article.visible)
    ).all())
    reprints = session.scalar(select(func.count(Article.id)).where(Article.duplicate_of_id.is_not(None)))
    return {
        "articles": {"visible": articles.get(True, 0), "hidden": articles.get(False, 0),
                     "duplicate": reprints or 0},
        "subscribers": dict(session.execute(
            select(Subscriber.state, func.count(Subscriber.id)).group_by(Subscriber.state)).all()),
        # Every state named: each is a range of the (state, created_at) index, where "made
        # today" alone read every message kept (180 days of digests).
        "deliveries_today": dict(session.execute(
            select(Delivery.state, func.count(Delivery.id))
            .where(Delivery.state.in_(list(DeliveryState)), Delivery.created_at >= start)
            .group_by(Delivery.state)).all()),
        "returned": dict(session.execute(
            select(ReturnedMail.kind, func.count(ReturnedMail.id))
            .where(ReturnedMail.received_at >= now - timedelta(days=RETURNED_DAYS))
            .group_by(ReturnedMail.kind)).all()),
    }


def daily_series(session: Session, *, now: datetime, zone: tzinfo, days: int = CHART_DAYS) -> list[tuple[date, int, int]]:
    """(local date, articles added, digests sent) for each of the last ``days`` days, oldest first.

    Dates are grouped here rather than in SQL, where SQLite and PostgreSQL spell time zones
    differently; the queries read one timestamp column of the window only.
    """
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    added = Counter(t.astimezone(zone).date() for t in session.scalars(
        select(Article.added_at).where(Article.added_at >= start)))
    sent = Counter(t.astimezone(zone).date() for t in session.scalars(
        select(Delivery.sent_at).where(Delivery.kind == DeliveryKind.DIGEST, Delivery.sent_at >= start)))
    return [(first + timedelta(days=n), added[first + timedelta(days=n)], sent[first + timedelta(days=n)])
            for n in range(days)]


def attention(session: Session, *, now: datetime) -> dict:
    """What needs an operator: failed messages of the last week, jobs in error, the last import's failures."""
    week = now - timedelta(days=7)
    last_import = session.scalar(select(ImportRun).order_by(ImportRun.id.desc()).limit(1))
    return {
        "failed_deliveries": session.scalar(select(func.count(Delivery.id)).where(
            Delivery.state == DeliveryState.FAILED, Delivery.created_at >= week)) or 0,
        "failed_jobs": list(session.scalars(select(JobSchedule).where(JobSchedule.last_status == JobStatus.ERROR)
                                            .order_by(JobSchedule.job))),
        "last_import": last_import,
        "import_errors": [line for line in (last_import.errors if last_import else "").splitlines() if line][:10],
    }

"""Migrations build exactly the schema the models describe, and run down and up again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
import importlib

from sqlalchemy import Date, column, insert, select, table

from feedsvc import db
from feedsvc.columns import UTCDateTime
from feedsvc.archive_models import EditionList
from feedsvc.models import Article, ArticleBand, Base, Edition, Subscriber
from feedsvc.text.signature import band_keys, signature


def test_models_and_migrations_agree(app):
    with db.get_engine(app).connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": db.include_name, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_up_again(app):
    command.downgrade(db.alembic_config(app), "base")
    assert db.needs_upgrade(app)
    db.upgrade(app)
    assert not db.needs_upgrade(app)


def test_heads_read_from_the_files_are_alembics(app):
    # ensure_schema reads the heads without Alembic (issue 11); they must be the ones it finds.
    from alembic.script import ScriptDirectory

    assert db.head_revisions() == set(ScriptDirectory.from_config(db.alembic_config(app)).get_heads())


def test_a_database_behind_is_upgraded_by_ensure_schema_on_sqlite_only(app):
    engine = db.get_engine(app)
    command.downgrade(db.alembic_config(app), "-1")
    assert not db.at_head(engine)
    db.ensure_schema(app)
    # PostgreSQL is migrated by hand (feedsvc db upgrade), never by a command that happens to start.
    assert db.at_head(engine) == (engine.dialect.name == "sqlite")


def test_subscribers_and_editions_of_before_weekly_digests_stay_daily(app):
    """Issue 12's migration (0011): rows written before it are daily, weekday 1 (ISO Monday)."""
    command.downgrade(db.alembic_config(app), "0010")
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    subscribers = table("subscribers", *(column(name) for name in (
        "id", "email", "state", "language", "timezone", "delivery_hour", "topics", "bounce_count")),
        column("created_at", UTCDateTime()))
    editions = table("editions", column("id"), column("subscriber_id"), column("edition_date", Date()),
                     column("article_ids"), *(column(name, UTCDateTime()) for name in (
                         "window_start", "window_end", "created_at")))
    with db.get_engine(app).begin() as conn:
        conn.execute(insert(subscribers).values(
            id=1, email="old@example.com", state="confirmed", language="zh-CN", timezone="UTC", delivery_hour=7,
            topics="[]", bounce_count=0, created_at=now))
        conn.execute(insert(editions).values(id=1, subscriber_id=1, edition_date=now.date(), article_ids="[]",
                                             window_start=now, window_end=now, created_at=now))
    db.upgrade(app)
    with db.new_session(app) as session:
        assert (session.get(Subscriber, 1).frequency, session.get(Subscriber, 1).weekday) == ("daily", 1)
        assert session.get(Edition, 1).frequency == "daily"


def test_the_lists_of_editions_made_before_0016_are_gathered_for_the_archive(app):
    command.downgrade(db.alembic_config(app), "0015")
    made = [datetime(2026, 11, 20, 6, tzinfo=timezone.utc) + timedelta(minutes=m) for m in range(4)]
    subscribers = table("subscribers", *(column(name) for name in (
        "id", "email", "state", "language", "timezone", "delivery_hour", "topics", "bounce_count", "frequency",
        "weekday")), column("created_at", UTCDateTime()))
    editions = table("editions", column("id"), column("subscriber_id"), column("edition_date", Date()),
                     column("article_ids"), column("frequency"), *(column(name, UTCDateTime()) for name in (
                         "window_start", "window_end", "created_at")))
    day = made[0].date()
    with db.get_engine(app).begin() as conn:
        conn.execute(insert(subscribers), [dict(
            id=i, email=f"r{i}@example.com", state="confirmed", language="en", timezone="UTC", delivery_hour=7,
            topics="[]", bounce_count=0, frequency="daily", weekday=1, created_at=made[0]) for i in range(1, 5)])
        conn.execute(insert(editions), [dict(
            id=i, subscriber_id=i, edition_date=day, article_ids=ids, frequency="daily", window_start=made[0],
            window_end=made[0], created_at=made[i - 1]) for i, ids in enumerate(["[2, 1]", "[]", "[2, 1]", "[2, 1]"], 1)])
    db.upgrade(app)
    with db.new_session(app) as session:
        rows = session.execute(select(EditionList.article_ids, EditionList.first_made, EditionList.last_made)
                               .order_by(EditionList.article_ids)).all()
    assert rows == [("[2, 1]", made[0], made[3]), ("[]", made[1], made[1])]
    command.downgrade(db.alembic_config(app), "0015")
    db.upgrade(app)  # and down and up again


def _signatures(app) -> dict[int, tuple[bytes, set[str]]]:
    with db.new_session(app) as session:
        bands: dict[int, set[str]] = {}
        for article_id, band in session.execute(select(ArticleBand.article_id, ArticleBand.band)):
            bands.setdefault(article_id, set()).add(band)
        return {i: (sig, bands.get(i, set())) for i, sig in session.execute(select(Article.id, Article.signature))}


def test_articles_are_signed_again_down_and_up_0012(app, add_article):
    """Issue 11's migration (0012): signatures and band keys follow the signing code both ways."""
    texts = {"Metro line opens": "临江地铁三号线今天上午正式开通运营，全长二十四公里，设车站十八座。" * 3,
             "Ferry returns": "The harbour ferry resumed service on Monday after a month of repairs.",
             "Empty": "……"}
    for title, text in texts.items():
        add_article(title=title, text=text)
    with db.new_session(app) as session:
        bodies = dict(session.execute(select(Article.id, Article.body_text)).all())
    old = importlib.import_module("feedsvc.migrations.versions.0012_resign_articles")._blake2b_signature

    command.downgrade(db.alembic_config(app), "0011")
    assert _signatures(app) == {i: (old(t), set(band_keys(old(t)))) for i, t in bodies.items()}
    assert _signatures(app) != {i: (signature(t), set(band_keys(signature(t)))) for i, t in bodies.items()}
    db.upgrade(app)
    assert _signatures(app) == {i: (signature(t), set(band_keys(signature(t)))) for i, t in bodies.items()}

"""Statements run on SQLite's own connection write and read what Core would (both backends)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select, text

from feedsvc import db
from feedsvc.driver_sql import DriverInsert, DriverStatement
from feedsvc.models import Article

_articles = Article.__table__
_SHANGHAI = timezone(timedelta(hours=8))


def _values(name: str) -> dict:
    return {
        "uid": f"uid-{name}", "slug": f"slug-{name}", "title": "标题 “quoted” \x01", "body_text": "正文",
        "summary_generated": True, "published_at": datetime(2026, 3, 4, 8, 30, 15, 123456, tzinfo=_SHANGHAI),
        "published_known": False, "added_at": datetime(2026, 3, 4, 1, 0, tzinfo=timezone.utc),
        "updated_at": datetime(2026, 3, 4, 1, 0, tzinfo=timezone.utc), "author": None, "content_hash": "c" * 64,
        "signature": bytes(range(256)), "source_file": f"/in/{name}.txt", "file_hash": "f" * 64,
    }


def _row(conn, uid: str) -> dict:
    row = conn.execute(select(_articles).where(_articles.c.uid == uid)).mappings().one()
    return {k: v for k, v in row.items() if k not in ("id", "uid", "slug", "source_file")}


def test_an_insert_writes_the_row_core_writes_defaults_included(app):
    with db.get_engine(app).begin() as conn:
        core_id = conn.execute(insert(_articles), _values("core")).inserted_primary_key[0]
        ours_id = DriverInsert(_articles, tuple(_values("ours"))).insert(conn, _values("ours"))
        assert ours_id == core_id + 1
        ours, core = _row(conn, "uid-ours"), _row(conn, "uid-core")
    assert ours == core
    # What was left out took the model's defaults; the aware time was stored as the same instant.
    assert (ours["visible"], ours["body_html"], ours["source_index"]) == (True, "", 0)
    assert ours["published_at"] == datetime(2026, 3, 4, 0, 30, 15, 123456, tzinfo=timezone.utc)


def test_a_query_returns_tuples_and_carries_its_own_values(app):
    by_hash = DriverStatement(
        select(_articles.c.id, _articles.c.title).where(_articles.c.content_hash == bindparam("chash"))
        .order_by(_articles.c.id.desc()).limit(1)
    )
    with db.get_engine(app).begin() as conn:
        assert by_hash.first(conn, {"chash": "c" * 64}) is None
        ids = [DriverInsert(_articles, tuple(_values(n))).insert(conn, _values(n)) for n in ("a", "b")]
        assert by_hash.first(conn, {"chash": "c" * 64}) == (ids[1], "标题 “quoted” \x01")  # the LIMIT held


def test_all_rows_of_a_query_come_back_in_its_order(app):
    by_hash = DriverStatement(
        select(_articles.c.uid).where(_articles.c.content_hash == bindparam("chash")).order_by(_articles.c.id.desc())
    )
    with db.get_engine(app).begin() as conn:
        assert by_hash.all(conn, {"chash": "c" * 64}) == []
        for name in ("a", "b", "c"):
            DriverInsert(_articles, tuple(_values(name))).insert(conn, _values(name))
        assert by_hash.all(conn, {"chash": "c" * 64}) == [("uid-c",), ("uid-b",), ("uid-a",)]


def test_rows_go_in_with_the_callers_transaction_and_leave_with_it(app):
    engine = db.get_engine(app)
    with engine.connect() as conn:
        with conn.begin() as transaction:
            DriverInsert(_articles, tuple(_values("gone"))).insert(conn, _values("gone"))
            transaction.rollback()
        assert conn.execute(select(_articles.c.id)).first() is None


def test_many_rows_go_in_at_once_with_their_defaults_and_none_is_nothing(app):
    tags = Table("driver_sql_tags", MetaData(), Column("id", Integer, primary_key=True),
                 Column("name", String(20)), Column("kind", String(8), default="plain"),
                 Column("made_by", String(8), default=lambda: "callable"))
    engine = db.get_engine(app)
    tags.create(engine)
    many = DriverInsert(tags, ("name",))
    with engine.begin() as conn:
        many.insert_many(conn, [])
        many.insert_many(conn, [{"name": "经济"}, {"name": "体育"}])
        rows = conn.execute(text("SELECT name, kind, made_by FROM driver_sql_tags ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("经济", "plain", "callable"), ("体育", "plain", "callable")]


def test_a_default_it_cannot_fill_in_is_refused_up_front():
    from sqlalchemy import func

    table = Table("driver_sql_stamped", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", String(40), default=func.now()))
    with pytest.raises(ValueError, match="driver_sql_stamped"):
        DriverInsert(table, ("id",))


def test_a_statement_without_rows_runs_in_the_callers_transaction(app):
    from sqlalchemy import update

    resummarise = DriverStatement(update(_articles).where(_articles.c.uid == bindparam("article")).values(
        summary=bindparam("summary"), visible=False, updated_at=bindparam("at")))
    at = datetime(2026, 5, 6, 7, 8, 9, tzinfo=_SHANGHAI)
    engine = db.get_engine(app)
    with engine.begin() as conn:
        DriverInsert(_articles, tuple(_values("a"))).insert(conn, _values("a"))
    with engine.connect() as conn:
        with conn.begin() as transaction:
            resummarise.execute(conn, {"article": "uid-a", "summary": "改了又撤回", "at": at})
            transaction.rollback()
        with conn.begin():
            resummarise.execute(conn, {"article": "uid-a", "summary": "新摘要", "at": at})
        row = _row(conn, "uid-a")
    assert (row["summary"], row["visible"], row["updated_at"]) == ("新摘要", False, at.astimezone(timezone.utc))

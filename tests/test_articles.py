"""What readers may see and the topic filters: the one definition pages, feeds, digests and the admin use."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, update

from feedsvc import db
from feedsvc.articles import ALL, Scope, in_topics, list_articles, list_listed, resolve_scope, shown
from feedsvc.models import Article


def titles(app, *conditions):
    with db.new_session(app) as session:
        return sorted(session.scalars(select(Article.title).where(*conditions)))


def test_shown_leaves_out_hidden_articles_and_reprints(app, add_article):
    add_article(title="Shown")
    hidden = add_article(title="Hidden", text="A story nobody should read any more.")
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).where(Article.slug == hidden).values(visible=False))
    add_article(title="Reprint", text="The harbour ferry resumed service on Monday.")  # same text: a duplicate
    assert titles(app, *shown()) == ["Shown"]


def test_topics_match_any_kind(app, add_article):
    add_article(title="Ferry", text="The ferry runs again.", category="Transport", source_name="Bay Courier")
    add_article(title="Library", text="The library opens on Saturday.", category="City", tags=["books"])
    add_article(title="Market", text="Sixty stalls opened at the night market.", category="City")
    assert titles(app, in_topics(["category:transport"])) == ["Ferry"]
    assert titles(app, in_topics(["tag:books", "source:bay-courier"])) == ["Ferry", "Library"]
    assert titles(app, in_topics(["nonsense:x"])) == []


def test_listed_rows_say_what_the_articles_say(app, add_article):
    """The feeds' plain-value listing and the ORM one agree: order, page cuts, scope, names."""
    for day, (title, text, category, source, tags) in enumerate([
        ("Ferry", "The harbour ferry resumed service on Monday.", "Transport", "Bay Courier", ["boats", "harbour"]),
        ("Library", "The library opens on Saturday with a new reading room.", "City", None, ["books"]),
        ("Market", "Sixty stalls opened at the night market.", None, "Bay Courier", []),
        ("Tram", "Tram line four extends to the university by spring.", "Transport", "Rail Weekly", ["rail", "city"]),
    ], start=1):
        add_article(title=title, text=text, category=category,
                    source_name=source, tags=tags, published=datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc))
    with db.new_session(app) as session:
        scopes = [resolve_scope(session, kind, slug)
                  for kind, slug in (("category", "transport"), ("source", "bay-courier"), ("tag", "city"))]
        cuts = [(ALL, 10, 0), (ALL, 2, 1)] + [(scope, 10, 0) for scope in scopes]
        for scope, limit, offset in cuts + [(Scope("tag", "x", "x", -1), 5, 0)]:
            articles = list_articles(session, scope, limit=limit, offset=offset)
            listed = list_listed(session, scope, limit=limit, offset=offset)
            assert [a.slug for a in listed] == [a.slug for a in articles]
            assert listed or scope.id == -1  # every real cut lists something to compare
            for row, article in zip(listed, articles):
                assert (row.uid, row.title, row.summary, row.body_html, row.published_at, row.added_at) == (
                    article.uid, article.title, article.summary, article.body_html, article.published_at,
                    article.added_at)
                assert row.source_name == (article.source.name if article.source else None)
                assert row.category_name == (article.category.name if article.category else None)
                assert row.tag_names == tuple(t.name for t in article.tags)
        assert [a.title for a in list_listed(session, ALL)] == ["Tram", "Market", "Library", "Ferry"]
        assert list_listed(session, ALL)[0].tag_names == ("city", "rail")
        assert [a.title for a in list_listed(session, scopes[1])] == ["Market", "Ferry"]
        assert [a.title for a in list_listed(session, scopes[2])] == ["Tram"]


def test_a_tags_listing_reads_that_tags_rows_only(app):
    """Asked by tag, article_tags was read whole (every article's tags) on each cache miss."""
    from feedsvc.articles import _scoped

    with db.new_session(app) as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite's query plan")
        query = _scoped(select(func.count(Article.id)), Scope("tag", "books", "books", 1))
        sql = str(query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    assert "SEARCH article_tags USING COVERING INDEX ix_article_tags_tag_article (tag_id=?)" in plan

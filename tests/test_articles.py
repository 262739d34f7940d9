"""What readers may see and the topic filters: the one definition pages, feeds, digests and the admin use."""
from __future__ import annotations

from sqlalchemy import select, update

from feedsvc import db
from feedsvc.articles import in_topics, shown
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

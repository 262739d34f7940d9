"""The digest archive's dates and lists: noted once per distinct list when editions are built,
read without touching the editions (one per subscriber per date)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import delete, event, select

from archive_days import NOW, two_days
from feedsvc import db
from feedsvc.digest import archive
from feedsvc.archive_models import EditionList
from feedsvc.models import Subscriber

EMPTY, SOME, OTHER = json.dumps([]), json.dumps([3, 1]), json.dumps([5])
MADE = datetime(2026, 11, 10, 6, 0, tzinfo=timezone.utc)


def _note(app, made, lists):
    with db.new_session(app) as session, session.begin():
        archive.note_lists(session, made, lists)


def test_the_dates_listed_are_those_with_a_list_of_articles_newest_first(app):
    _note(app, MADE, [
        (date(2026, 11, 3), EMPTY), (date(2026, 11, 3), SOME), (date(2026, 11, 3), EMPTY),  # one list is enough
        (date(2026, 11, 5), EMPTY),  # a day without articles: a page, but not listed
        (date(2026, 11, 6), SOME), (date(2026, 11, 9), SOME), (date(2026, 11, 9), OTHER), (date(2026, 11, 10), EMPTY),
    ])
    with db.new_session(app) as session:
        assert archive.count_days(session) == 3
        assert archive.list_days(session, limit=10) == [date(2026, 11, 9), date(2026, 11, 6), date(2026, 11, 3)]
        assert archive.list_days(session, limit=1, offset=1) == [date(2026, 11, 6)]
        assert archive.list_days(session, limit=5, offset=3) == []
        assert set(archive.general_editions(session, [date(2026, 11, 5), date(2026, 11, 9), date(2026, 11, 7)])) == {
            date(2026, 11, 5), date(2026, 11, 9)}
        assert session.scalar(select(EditionList.article_ids).where(EditionList.edition_date == date(2026, 11, 5))) == EMPTY


def test_a_list_noted_again_widens_when_it_was_made(app):
    """Builders racing, or a past date built again: the first and last times only ever widen."""
    day = date(2026, 11, 3)
    for made in (MADE, MADE - timedelta(hours=1), MADE + timedelta(hours=2), MADE):
        _note(app, made, [(day, SOME)])
    with db.new_session(app) as session:
        rows = session.execute(select(EditionList.first_made, EditionList.last_made)).all()
        assert rows == [(MADE - timedelta(hours=1), MADE + timedelta(hours=2))]
        edition = archive.general_editions(session, [day])[day]
        assert (edition.published, edition.article_ids) == (MADE - timedelta(hours=1), ())  # 1 and 3 are not articles


def test_building_editions_notes_each_list_once_per_date(app, add_article):
    """Two readers of different topics over two days (archive_days): a list per reader per day,
    one of them empty (the English reader had nothing on the first day)."""
    slugs = two_days(app, add_article)
    with db.new_session(app) as session:
        ids = {slug: i for slug, i in session.execute(select(archive.Article.slug, archive.Article.id))}
        noted = {(d.isoformat(), tuple(json.loads(a))) for d, a in
                 session.execute(select(EditionList.edition_date, EditionList.article_ids))}
    first, second = (NOW - timedelta(days=1)).date().isoformat(), NOW.date().isoformat()
    assert noted == {(first, (ids[slugs["market"]],)), (first, ()),
                     (second, (ids[slugs["library"]],)), (second, (ids[slugs["ferry"]],))}


def test_the_archive_reads_no_edition_and_keeps_a_deleted_readers_lists(app, client, add_article):
    two_days(app, add_article)
    with db.new_session(app) as session, session.begin():
        session.execute(delete(Subscriber))  # their editions go with them (ON DELETE CASCADE)
    statements = []
    engine = db.get_engine(app)

    def listen(conn, cursor, statement, *rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        listed = client.get("/digests/")
        day = client.get(f"/digests/{NOW.date().isoformat()}")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert (listed.status_code, day.status_code) == (200, 200)
    assert "Harbour ferry returns" in day.get_data(as_text=True)
    # The archive's version asks for the newest edition's id, its primary key; nothing else reads them.
    assert [s for s in statements if "FROM editions" in s] == [
        s for s in statements if "FROM editions" in s and "max(editions.id)" in s]

"""The digest archive's store side: which dates have an edition, and each date's general edition.

Editions are made per subscriber (editions.py), each holding the articles of that reader's
topics. The archive shows one *general* edition per date: every article that any subscriber's
edition of that date carried (all their topics together: the digest of the whole list), that
readers may still see (an article hidden or found to be a reprint since leaves the archive too,
as it leaves the feeds). A reader's own mail of that date holds a part of it, and nothing here
says who received what.

Editions carry each reader's local date, as their mails do, so a date's general edition is
what the mails dated that day held. A date without any edition has no page. A date whose
editions were all empty has a page that says so (its mails link to it when DIGEST_SEND_EMPTY
sends them), but is not listed. Weekly editions count with the daily ones of their date: a
weekly mail's "View in browser" link leads to its date's page like a daily mail's, and that page
holds what the list received that day, the week's stories for its weekly readers included.

The archive reads none of the editions themselves, one per subscriber per date: building them
notes each distinct list of articles once per date (``note_lists``, EditionList). So it stays
what the list received: a subscriber deleted since takes their editions, not the archive's dates.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, distinct, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..articles import shown
from ..archive_models import EditionList
from ..models import Article, Edition

EMPTY = json.dumps([])  # an empty edition's article_ids, as editions.py writes them


@dataclass(frozen=True)
class GeneralEdition:
    """One date's edition for the whole list: its articles (unordered) and when it last changed."""

    day: date
    article_ids: tuple[int, ...]
    published: datetime  # its first edition was made
    updated: datetime  # its last edition was made, or one of its articles edited since


def note_lists(session: Session, made: datetime, lists: Iterable[tuple[date, str]]) -> None:
    """Note that editions of these (date, article_ids) were made at ``made``, in the caller's
    transaction: the archive reads these notes (EditionList), never the editions themselves.

    One upsert per distinct list, which SQLite and PostgreSQL both have; builders racing each
    other, or building a past date again, widen the times a list was made, never narrow them.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for day, article_ids in set(lists):
        statement = insert(EditionList).values(
            edition_date=day, list_key=hashlib.sha256(article_ids.encode()).hexdigest(), article_ids=article_ids,
            first_made=made, last_made=made,
        )
        session.execute(statement.on_conflict_do_update(
            index_elements=[EditionList.edition_date, EditionList.list_key],
            set_={
                "first_made": case((statement.excluded.first_made < EditionList.first_made,
                                    statement.excluded.first_made), else_=EditionList.first_made),
                "last_made": case((statement.excluded.last_made > EditionList.last_made,
                                   statement.excluded.last_made), else_=EditionList.last_made),
            },
        ))


def count_days(session: Session) -> int:
    """How many dates have an edition with articles."""
    return session.scalar(select(func.count(distinct(EditionList.edition_date)))
                          .where(EditionList.article_ids != EMPTY))


def list_days(session: Session, *, limit: int, offset: int = 0) -> list[date]:
    """The dates that have an edition with articles, newest first."""
    query = (select(EditionList.edition_date).where(EditionList.article_ids != EMPTY)
             .group_by(EditionList.edition_date)
             .order_by(EditionList.edition_date.desc()).limit(limit).offset(offset))
    return list(session.scalars(query))


def general_editions(session: Session, days: Iterable[date]) -> dict[date, GeneralEdition]:
    """The general edition of each of ``days`` that has any edition (two queries in all)."""
    rows = session.execute(
        select(EditionList.edition_date, EditionList.article_ids, EditionList.first_made, EditionList.last_made)
        .where(EditionList.edition_date.in_(set(days)))
    ).all()
    ids: dict[date, set[int]] = defaultdict(set)
    made: dict[date, list[datetime]] = defaultdict(list)
    for day, article_ids, first, last in rows:
        ids[day].update(json.loads(article_ids))
        made[day] += [first, last]
    every = set().union(*ids.values())
    changed = dict(session.execute(
        select(Article.id, Article.updated_at).where(Article.id.in_(every), *shown())
    ).all()) if every else {}
    return {
        day: GeneralEdition(
            day=day, article_ids=tuple(sorted(i for i in ids[day] if i in changed)), published=min(made[day]),
            updated=max([*made[day], *(changed[i] for i in ids[day] if i in changed)]),
        )
        for day in made
    }


def newest_edition(session: Session) -> int:
    """The id of the newest edition (0: none): the archive changes when it does, or the store does."""
    return session.scalar(select(func.max(Edition.id))) or 0

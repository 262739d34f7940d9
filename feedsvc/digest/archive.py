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
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ..articles import shown
from ..models import Article, Edition

EMPTY = json.dumps([])  # an empty edition's article_ids, as editions.py writes them


@dataclass(frozen=True)
class GeneralEdition:
    """One date's edition for the whole list: its articles (unordered) and when it last changed."""

    day: date
    article_ids: tuple[int, ...]
    published: datetime  # its first edition was made
    updated: datetime  # its last edition was made, or one of its articles edited since


def count_days(session: Session) -> int:
    """How many dates have an edition with articles."""
    return session.scalar(select(func.count(distinct(Edition.edition_date)))
                          .where(Edition.article_ids != EMPTY))


def list_days(session: Session, *, limit: int, offset: int = 0) -> list[date]:
    """The dates that have an edition with articles, newest first."""
    query = (select(Edition.edition_date).where(Edition.article_ids != EMPTY).group_by(Edition.edition_date)
             .order_by(Edition.edition_date.desc()).limit(limit).offset(offset))
    return list(session.scalars(query))


def general_editions(session: Session, days: Iterable[date]) -> dict[date, GeneralEdition]:
    """The general edition of each of ``days`` that has any edition (two queries in all)."""
    # Subscribers with the same topics share one list of articles: read each list once per date.
    rows = session.execute(
        select(Edition.edition_date, Edition.article_ids, func.min(Edition.created_at), func.max(Edition.created_at))
        .where(Edition.edition_date.in_(set(days)))
        .group_by(Edition.edition_date, Edition.article_ids)
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

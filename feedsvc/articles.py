"""Reading the article store: what readers may see, listings cut by category, source or tag,
subscribers' topics, lookups, search. Pages, feeds, digests and the admin all filter through here."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, bindparam, false, func, or_, select, text
from sqlalchemy.orm import Session

from .chinese import search_variants
from .models import Article, Category, Source, Tag, article_tags


@dataclass(frozen=True)
class Scope:
    """What a listing or feed is cut by: everything, or one category, source or tag."""

    kind: str = "all"
    slug: str | None = None
    name: str | None = None
    id: int | None = None


ALL = Scope()
# What a listing, a feed or a subscriber's topic is cut by.
KINDS = {"category": Category, "source": Source, "tag": Tag}
# The kinds the pages' navigation, OPML and the topic choices list (tags are too many).
LISTED_KINDS = ("category", "source")


def resolve_scope(session: Session, kind: str, slug: str) -> Scope | None:
    """The scope named by a URL, or None when there is no such category, source or tag."""
    model = KINDS.get(kind)
    if model is None:
        return None
    row = session.scalar(select(model).where(model.slug == slug))
    return Scope(kind, row.slug, row.name, row.id) if row else None


def shown() -> tuple[ColumnElement[bool], ...]:
    """The conditions of what readers see: visible canonical articles (a reprint appears once)."""
    return (Article.visible.is_(True), Article.duplicate_of_id.is_(None))


def in_topics(topics: Iterable[str]) -> ColumnElement[bool]:
    """Articles in any of ``topics`` ("category:slug", "source:slug", "tag:slug")."""
    slugs: dict[str, list[str]] = defaultdict(list)
    for topic in topics:
        kind, _, slug = topic.partition(":")
        slugs[kind].append(slug)
    conditions = [_of_kind(kind, select(KINDS[kind].id).where(KINDS[kind].slug.in_(names)))
                  for kind, names in slugs.items() if kind in KINDS]
    return or_(*conditions) if conditions else false()


def _of_kind(kind: str, ids) -> ColumnElement[bool]:
    """Articles of the categories, sources or tags with these ids (a list or a subquery)."""
    if kind == "category":
        return Article.category_id.in_(ids)
    if kind == "source":
        return Article.source_id.in_(ids)
    return Article.id.in_(select(article_tags.c.article_id).where(article_tags.c.tag_id.in_(ids)))


def _scoped(query: Select, scope: Scope) -> Select:
    query = query.where(*shown())
    return query if scope.kind == "all" else query.where(_of_kind(scope.kind, [scope.id]))


def list_articles(session: Session, scope: Scope = ALL, *, limit: int = 20, offset: int = 0) -> list[Article]:
    """Shown articles of ``scope``, newest first."""
    newest_first = (Article.published_at.desc(), Article.id.desc())
    # The page's ids come from the listing index alone, then only their rows are read: with
    # whole rows, OFFSET read every article it skipped (page 50 of a feed at 100,000 articles:
    # 5.1 ms, now 1.3 ms; issue 11).
    page = _scoped(select(Article.id), scope).order_by(*newest_first).limit(limit).offset(offset)
    return list(session.scalars(select(Article).where(Article.id.in_(page)).order_by(*newest_first)))


@dataclass(frozen=True)
class Listed:
    """A shown article as a feed lists it: its own columns and the names of its source,
    category and tags, read without building ORM objects."""

    id: int
    uid: str
    slug: str
    title: str
    summary: str
    body_html: str
    author: str | None
    published_at: datetime
    updated_at: datetime
    added_at: datetime
    original_url: str | None
    lang: str | None
    source_name: str | None
    category_name: str | None
    tag_names: tuple[str, ...] = ()


@lru_cache(maxsize=None)
def _listing_statements(kind: str) -> tuple[Select, Select]:
    """list_listed's two queries for one kind of scope, built once: constructing them took
    longer than SQLite took to answer them. Parameters: scope_id, limit, offset; ids."""
    newest_first = (Article.published_at.desc(), Article.id.desc())
    scope = Scope(kind, id=bindparam("scope_id")) if kind != "all" else ALL
    page = (_scoped(select(Article.id), scope).order_by(*newest_first)
            .limit(bindparam("limit")).offset(bindparam("offset")))
    rows = (
        select(
            Article.id, Article.uid, Article.slug, Article.title, Article.summary, Article.body_html,
            Article.author, Article.published_at, Article.updated_at, Article.added_at,
            Article.original_url, Article.lang, Source.name, Category.name,
        )
        .outerjoin(Source, Article.source_id == Source.id)
        .outerjoin(Category, Article.category_id == Category.id)
        .where(Article.id.in_(page)).order_by(*newest_first)
    )
    tags = (select(article_tags.c.article_id, Tag.name).join(Tag, Tag.id == article_tags.c.tag_id)
            .where(article_tags.c.article_id.in_(bindparam("ids", expanding=True))).order_by(Tag.name))
    return rows, tags


def list_listed(session: Session, scope: Scope = ALL, *, limit: int = 20, offset: int = 0) -> list[Listed]:
    """What list_articles shows, as plain values: a feed miss spent 2.6 of its 8 ms building
    Article objects, their relationships and identity map entries for twenty rows (issue 11)."""
    rows_query, tags_query = _listing_statements(scope.kind)
    # Core execution on the session's connection: these rows are values, not ORM entities.
    connection = session.connection()
    rows = connection.execute(rows_query, {"scope_id": scope.id, "limit": limit, "offset": offset}).all()
    tags: dict[int, list[str]] = defaultdict(list)
    if rows:
        for article_id, name in connection.execute(tags_query, {"ids": [row[0] for row in rows]}):
            tags[article_id].append(name)
    return [Listed(*row, tag_names=tuple(tags[row[0]])) for row in rows]


def count_articles(session: Session, scope: Scope = ALL) -> int:
    """How many articles ``scope`` shows."""
    return session.scalar(_scoped(select(func.count(Article.id)), scope)) or 0


def newest_change(session: Session, scope: Scope = ALL) -> datetime | None:
    """When anything ``scope`` shows last changed."""
    return session.scalar(_scoped(select(func.max(Article.updated_at)), scope))


def get_article(session: Session, slug: str) -> Article | None:
    """A visible article by slug (reprints included: their page names the canonical one)."""
    return session.scalar(select(Article).where(Article.slug == slug, Article.visible.is_(True)))


def reprints_of(session: Session, article: Article) -> list[Article]:
    """The visible reprints of a canonical article, oldest first (the story's other outlets)."""
    query = select(Article).where(Article.duplicate_of_id == article.id, Article.visible.is_(True))
    return list(session.scalars(query.order_by(Article.published_at, Article.id)))


def facet_counts(session: Session, kind: str) -> list[tuple[str, str, int]]:
    """(slug, name, article count) of every category or source that has shown articles."""
    model = KINDS[kind]
    column = Article.category_id if kind == "category" else Article.source_id
    query = (
        select(model.slug, model.name, func.count(Article.id))
        .join(Article, column == model.id)
        .where(*shown())
        .group_by(model.id, model.slug, model.name)
        .order_by(func.count(Article.id).desc(), model.name)
    )
    return [tuple(row) for row in session.execute(query)]


def search_articles(session: Session, terms: str, *, limit: int = 20, offset: int = 0) -> tuple[list[Article], int]:
    """Shown articles whose title or text contains ``terms``, newest first, and their count."""
    terms = " ".join(terms.split())
    if not terms:
        return [], 0
    condition = _match(session, terms)
    total = session.scalar(select(func.count(Article.id)).where(*shown(), condition)) or 0
    rows = session.scalars(
        select(Article).where(*shown(), condition)
        .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def like_pattern(terms: str) -> str:
    """A LIKE pattern that finds ``terms`` anywhere, its own % and _ taken literally (escape ``\\``)."""
    return "%" + terms.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _match(session: Session, terms: str):
    """A condition using each database's own index: FTS5 trigram on SQLite, pg_trgm on PostgreSQL.

    The terms are looked for in Simplified and Traditional alike (chinese.search_variants), so
    an article is found whichever script it or the query was written in.
    """
    variants = search_variants(terms)
    if session.get_bind().dialect.name == "sqlite":
        if len(terms) >= 3:  # the trigram index can only answer strings of three or more
            query = " OR ".join('"' + variant.replace('"', '""') + '"' for variant in variants)
            return Article.id.in_(
                select(text("rowid")).select_from(text("articles_fts"))
                .where(text("articles_fts MATCH :query").bindparams(query=query))
            )
        return or_(*(column.like(like_pattern(variant), escape="\\")
                     for variant in variants for column in (Article.title, Article.body_text)))
    # Same expression as the GIN index ix_articles_search, so the planner can use it.
    return or_(*((Article.title + " " + Article.body_text).ilike(like_pattern(variant), escape="\\")
                 for variant in variants))

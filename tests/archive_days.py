"""Two days of digests for readers of different topics, built as the worker builds them (for the
digest archive's tests; importable from any test folder, like pages.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from feedsvc import db
from feedsvc.models import Article, Subscriber
from feedsvc.services.digests import build_due

# 00:30 UTC is 08:30 in Shanghai: the readers' 07:00 digests are due.
NOW = datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc)
YESTERDAY = NOW - timedelta(days=1)
READERS = {"city@example.com": ("zh-CN", '["category:城市"]'), "ferry@example.com": ("en", '["category:transport"]')}
STORIES = {
    "market": ("滨江夜市周五开张", "滨江夜市本周五晚正式开张，首批六十个摊位以本地小吃和手工艺品为主。", "城市", "zh"),
    "library": ("新图书馆周六开放", "市图书馆新馆于本周六正式向公众开放，首批上架图书约四十万册。", "城市", "zh"),
    "ferry": ("Harbour ferry returns", "The harbour ferry resumed service on Monday after repairs.", "Transport", "en"),
    "museum": ("博物馆周五延时开放", "市博物馆整个冬季每周五开放至晚上十点，并推出夜间导览活动。", "城市", "zh"),
}


def subscribe(app, address: str, language: str, topics: str) -> None:
    """A confirmed reader in Shanghai whose digest is due at 07:00."""
    with db.new_session(app) as session, session.begin():
        session.add(Subscriber(email=address, state="confirmed", bounce_count=0, topics=topics,
                               timezone="Asia/Shanghai", delivery_hour=7, language=language))


def add_story(app, add_article, key: str, added: datetime) -> str:
    """One of STORIES, added (and published) at ``added``; returns its slug."""
    title, text, category, lang = STORIES[key]
    slug = add_article(title=title, text=text, category=category, lang=lang, source_name="滨海晚报",
                       published=added)
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).where(Article.slug == slug).values(added_at=added))
    return slug


def two_days(app, add_article) -> dict[str, str]:
    """20 November's editions (the night market, for the city reader only), then 21 November's
    (the library for the city reader, the ferry for the English one); returns the slugs."""
    for address, (language, topics) in READERS.items():
        subscribe(app, address, language, topics)
    slugs = {"market": add_story(app, add_article, "market", YESTERDAY - timedelta(hours=3))}
    build_due(app, now=YESTERDAY)
    slugs["library"] = add_story(app, add_article, "library", NOW - timedelta(hours=2))
    slugs["ferry"] = add_story(app, add_article, "ferry", NOW - timedelta(hours=3))
    build_due(app, now=NOW)
    return slugs

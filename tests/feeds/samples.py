"""Invented feed metadata and articles for the feed tests."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from feedsvc.feeds.render import FeedEntry, FeedMeta

BEIJING = timezone(timedelta(hours=8), "CST")
BASE = "https://news.example.org"

_STORIES = [
    dict(
        title="江城地铁五号线今日通车",
        summary="全长二十八公里的五号线今晨六点开通，沿线设站二十二座。",
        content_html="<p>全长二十八公里的五号线今晨六点开通。</p><p>首班车载客约三百人。</p>",
        author="林晓",
        categories=("城市", "交通"),
        original_url="https://metro.example.cn/news/5?from=rss&lang=zh",
        source_name="江城日报",
        lang="zh-CN",
    ),
    dict(
        title="Harbour council approves night-ferry trial",
        summary="A six-month trial of ferries after midnight starts in March.",
        content_html="<p>The council voted 7 to 2 for the trial.</p>",
        author="Dana Whitfield",
        categories=("transport",),
        original_url="http://harbour.example.com/ferries",
        source_name=None,
        lang="en",
    ),
    dict(
        title="山区小学的第一座天文台",
        summary="志愿者用三个月时间在校园里搭起一座小型天文台。",
        content_html="",
        author=None,
        categories=(),
        original_url=None,
        source_name=None,
        lang=None,
    ),
]


def make_meta(**changes) -> FeedMeta:
    """A feed's metadata, with ``changes`` applied."""
    meta = FeedMeta(
        id="tag:news.example.org,2024:feed/all",
        title="要闻 Headlines",
        subtitle="每日新闻摘要 / Daily news digest",
        link=f"{BASE}/",
        self_url=f"{BASE}/feeds/all.atom",
        updated=datetime(2024, 5, 3, 9, 30, tzinfo=BEIJING),
        language="zh-CN",
        generator="feedsvc-test",
    )
    return replace(meta, **changes)


def make_entry(n: int = 0, **changes) -> FeedEntry:
    """The ``n``-th invented article (cycling through three stories), with ``changes`` applied."""
    story = dict(_STORIES[n % len(_STORIES)])
    story.update(changes)
    published = datetime(2024, 5, 3, 8, 0, tzinfo=BEIJING) - timedelta(hours=n)
    defaults = dict(
        id=f"tag:news.example.org,2024:article/{n}",
        link=f"{BASE}/articles/{n}",
        published=published,
        updated=published + timedelta(minutes=15),
    )
    defaults.update(story)
    return FeedEntry(**defaults)

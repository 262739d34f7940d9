"""An invented digest message for the mail tests."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from feedsvc.mail.message import OutgoingMessage, list_headers

NOW = datetime(2025, 3, 1, 15, 30, 5, tzinfo=timezone(timedelta(hours=8)))
FROM = '"江岸新闻 Digest" <digest@news.example.org>'
SUBJECT = "江岸新闻每日摘要：江城地铁五号线今日通车，沿线设站二十二座"
TEXT = (
    "今日要闻\n\n"
    "江城地铁五号线今日通车。全长二十八公里的五号线今晨六点开通，首班车载客约三百人。\n"
    "Harbour council approves night-ferry trial.\n"
)
HTML = (
    "<!doctype html><html lang=\"zh-CN\"><body><h1>今日要闻</h1>"
    "<p>江城地铁五号线今日通车。</p><p>Harbour council approves night-ferry trial.</p></body></html>"
)
UNSUBSCRIBE_URL = "https://news.example.org/unsubscribe/9f86d081884c7d659a2feaa0c55ad015?list=daily"
UNSUBSCRIBE_MAILTO = "mailto:unsubscribe@news.example.org?subject=unsubscribe%209f86d081"
LIST_HEADERS = list_headers("daily.news.example.org", UNSUBSCRIBE_URL, UNSUBSCRIBE_MAILTO)


def digest(**changes) -> OutgoingMessage:
    """The sample digest to 李雷, with any field replaced."""
    message = OutgoingMessage(
        to="李雷 <li.lei@reader.example.com>",
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        from_addr=FROM,
        reply_to="editors@news.example.org",
        headers=LIST_HEADERS,
    )
    return replace(message, **changes)

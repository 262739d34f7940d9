"""Weekly digests (issue 12): once a week on the subscriber's ISO weekday, at their hour in their
zone, holding everything added since their last digest, each story once; through a real SMTP server."""
from __future__ import annotations

import email
import email.policy
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html
from sqlalchemy import select, update

from feedsvc import db
from feedsvc.models import Article, Delivery, Edition, Subscriber
from feedsvc.services import outbox
from feedsvc.services.digests import build_due

SHANGHAI, LOS_ANGELES = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Los_Angeles")
# The simulated week: Tuesday 24 November 2026, 00:00 in Shanghai, to Monday 30 November, 23:00.
START = datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI).astimezone(timezone.utc)
DAYS = [datetime(2026, 11, 24, 3, 0, tzinfo=SHANGHAI) + timedelta(days=n) for n in range(7)]
TITLES = [f"Story of {day:%A %d %B}" for day in DAYS]
# Texts far enough apart that the importer takes none for a reprint of another.
TEXTS = ["The harbour ferry resumed service after a month of repairs to its engines.",
         "A new library branch opened with forty thousand books and a children's room.",
         "Night market stalls returned to the riverside with sixty vendors on Friday.",
         "The city council approved a budget for cycling lanes along the main avenue.",
         "Schools will close early next week because of the expected heavy snowfall.",
         "A local bakery won the national bread award for its sourdough loaves.",
         "Museum visitors can now see the restored bronze bells from the old temple.",
         "Old news about the weather that everyone had already read last week.",
         "The football club signed a young goalkeeper from the regional academy."]


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def reader(app, address, *, cursor=None, **prefs):
    with db.new_session(app) as session, session.begin():
        session.add(Subscriber(**({"email": address, "state": "confirmed", "bounce_count": 0, "topics": "[]",
                                   "timezone": "Asia/Shanghai", "delivery_hour": 7, "language": "zh-CN",
                                   "digest_cursor": cursor} | prefs)))


def added(app, add_article, title: str, at: datetime, text: str) -> None:
    """An article added to the store at ``at`` (in the future of the simulation: it shows up then)."""
    slug = add_article(title=title, text=text, published=at)
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).where(Article.slug == slug).values(added_at=at))


def mails(handler) -> dict[str, list]:
    """Each recipient's messages, parsed, in the order the server got them."""
    found: dict[str, list] = {}
    for item in handler.received:
        found.setdefault(item.rcpt_tos[0], []).append(
            email.message_from_bytes(item.content, policy=email.policy.default))
    return found


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def editions(app, address) -> list[Edition]:
    with db.new_session(app) as session:
        return list(session.scalars(select(Edition).join(Subscriber).where(Subscriber.email == address)
                                    .order_by(Edition.edition_date)))


def test_a_simulated_week(app, handler, add_article):
    # Their last digests: Monday 23 November at 07:00 in Shanghai, Sunday 22 at 20:00 in Los Angeles.
    last_monday = datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI)
    reader(app, "weekly@example.com", frequency="weekly", weekday=1, cursor=last_monday)
    reader(app, "daily@example.com", cursor=last_monday)
    reader(app, "sunday@example.com", frequency="weekly", weekday=7, delivery_hour=20, language="en",
           timezone="America/Los_Angeles", cursor=datetime(2026, 11, 22, 20, 0, tzinfo=LOS_ANGELES))
    added(app, add_article, "Old news", last_monday - timedelta(hours=2), TEXTS[7])  # in last week's digests
    for title, day, text in zip(TITLES, DAYS, TEXTS):
        added(app, add_article, title, day, text)
    late = datetime(2026, 11, 30, 13, 0, tzinfo=SHANGHAI)  # after both weekly digests went out
    added(app, add_article, "After the weekly digest", late, TEXTS[8])

    for hour in range(7 * 24):  # what the worker's jobs do each hour
        now = START + timedelta(hours=hour)
        build_due(app, now=now)
        outbox.run_delivery(app, now=lambda: now)

    got = mails(handler)
    [weekly] = got["weekly@example.com"]
    assert "每周摘要" in weekly["Subject"] and "7 篇" in weekly["Subject"]
    text = text_of(weekly)
    assert all(text.count(title) == 1 for title in TITLES), "the week's articles, each once"
    assert "Old news" not in text and "After the weekly digest" not in text
    assert "订阅了每周摘要" in text, "its footer says what was subscribed to"
    [edition] = editions(app, "weekly@example.com")
    assert (edition.edition_date.isoweekday(), str(edition.edition_date), edition.frequency) == (1, "2026-11-30", "weekly")
    with db.new_session(app) as session:
        sent = session.scalar(select(Delivery.sent_at).where(Delivery.to_addr == "weekly@example.com"))
    assert sent.astimezone(SHANGHAI) == datetime(2026, 11, 30, 7, 0, tzinfo=SHANGHAI), "at their hour"

    daily = got["daily@example.com"]
    assert len(daily) == 7 and all("每日摘要" in m["Subject"] for m in daily)
    assert [[t for t in TITLES if t in text_of(m)] for m in daily] == [[t] for t in TITLES], "one day's each"

    [sunday] = got["sunday@example.com"]
    assert "Weekly digest" in sunday["Subject"] and "7 articles" in sunday["Subject"]
    assert "subscribed to the weekly digest" in text_of(sunday)
    assert [str(e.edition_date) for e in editions(app, "sunday@example.com")] == ["2026-11-29"], "Sunday, their time"

    # The next Monday's edition holds what came after this one, and nothing it held.
    next_monday = datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)
    build_due(app, now=next_monday, only=[edition.subscriber_id])
    ids = json.loads(editions(app, "weekly@example.com")[-1].article_ids)
    with db.new_session(app) as session:
        assert list(session.scalars(select(Article.title).where(Article.id.in_(ids)))) == ["After the weekly digest"]


def test_a_weekly_mails_view_in_browser_link_shows_its_week(app, client, handler, add_article):
    reader(app, "weekly@example.com", frequency="weekly", weekday=1, cursor=datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI))
    for title, day, text in zip(TITLES, DAYS, TEXTS):
        added(app, add_article, title, day, text)
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=SHANGHAI)
    build_due(app, now=monday)
    outbox.run_delivery(app, now=lambda: monday)
    [weekly] = mails(handler)["weekly@example.com"]
    page = lxml_html.fromstring(weekly.get_body(("html",)).get_content())
    [url] = [a.get("href") for a in page.iter("a") if a.text_content() == "在浏览器中查看"]
    response = client.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert response.status_code == 200, "a date holding only weekly editions has its page too"
    shown = response.get_data(as_text=True)
    assert all(title in shown for title in TITLES) and "weekly@example.com" not in shown


def test_a_new_weekly_readers_first_edition_holds_the_week_before(app, add_article):
    wednesday = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    reader(app, "new-weekly@example.com", frequency="weekly", weekday=3)
    reader(app, "new-daily@example.com")
    added(app, add_article, "Six days ago", wednesday - timedelta(days=6), TEXTS[0])
    added(app, add_article, "Eight days ago", wednesday - timedelta(days=8), TEXTS[1])
    added(app, add_article, "This morning", wednesday - timedelta(hours=2), TEXTS[2])
    build_due(app, now=wednesday)
    with db.new_session(app) as session:
        titles = {address: [session.get(Article, i).title for i in json.loads(ids)]
                  for address, ids in session.execute(select(Subscriber.email, Edition.article_ids).join(Edition))}
    assert titles == {"new-weekly@example.com": ["This morning", "Six days ago"],
                      "new-daily@example.com": ["This morning"]}


def test_sending_now_ignores_the_hour_but_not_the_weekday(app):
    thursday_night = datetime(2026, 12, 3, 1, 0, tzinfo=SHANGHAI)
    reader(app, "thursday@example.com", frequency="weekly", weekday=4, delivery_hour=22)
    reader(app, "friday@example.com", frequency="weekly", weekday=5, delivery_hour=0)
    reader(app, "daily@example.com", delivery_hour=22)
    report = build_due(app, now=thursday_night, ignore_hours=True)
    assert (report.created, report.not_due) == (2, 1)
    assert [e.edition_date.isoweekday() for e in editions(app, "thursday@example.com")] == [4]
    assert editions(app, "friday@example.com") == []

"""Hostile input to every page and API: a 4xx, never a 500 (issue 14, defects 1 and 2).

The app fixture runs with TESTING, so an exception in a view is raised here rather than
turned into a 500 page: each request below either answers below 500 or fails the test.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedsvc import db
from feedsvc.models import Delivery, RateHit, Subscriber

HUGE = "99999999999999999999"


def count(app, model) -> int:
    with db.new_session(app) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("field", "value"), [
    ("topics", [1, 2]),
    ("topics", 5),
    ("topics", True),
    ("topics", False),
    ("topics", 0),
    ("topics", [["x"]]),
    ("topics", {"category": "x"}),
    ("topics", ["category:\u0000x"]),
    ("delivery_hour", 1e400),
    ("delivery_hour", 7.9),
    ("delivery_hour", True),
    ("delivery_hour", "7.5"),
    ("delivery_hour", [7]),
    ("delivery_hour", float("nan")),
    ("timezone", 5),
    ("timezone", ["UTC"]),
    ("language", {"en": 1}),
    # Issue 12's weekly digests: the same checks for how often and on which day.
    ("frequency", 1),
    ("frequency", True),
    ("frequency", ["weekly"]),
    ("frequency", {"weekly": 1}),
    ("frequency", "monthly"),
    ("frequency", "Weekly"),
    ("weekday", 0),
    ("weekday", 8),
    ("weekday", 1.5),
    ("weekday", True),
    ("weekday", "Monday"),
    ("weekday", [1]),
    ("weekday", float("nan")),
    ("email", 5),
    ("email", ["a@example.com"]),
    ("email", "a\u0000b@example.com"),
])
def test_wrongly_typed_json_is_a_400_naming_the_field(app, client, field, value):
    body = {"email": "reader@example.com", field: value}
    response = client.post("/api/subscribe", json=body)
    assert response.status_code == 400
    assert response.is_json and field in response.get_json()["errors"]
    assert count(app, Subscriber) == 0 and count(app, Delivery) == 0
    assert count(app, RateHit) == 0, "a request refused as malformed uses no rate-limit hit"


def test_a_whole_hour_given_as_a_number_is_fine_and_null_is_not_given(app, client):
    assert client.post("/api/subscribe", json={"email": "a@example.com", "delivery_hour": 7.0}).status_code == 202
    assert client.post("/api/subscribe", json={"email": "b@example.com", "delivery_hour": "8"}).status_code == 202
    assert client.post("/api/subscribe", json={"email": "c@example.com", "delivery_hour": None,
                                               "topics": None, "timezone": None}).status_code == 202
    with db.new_session(app) as session:
        assert sorted(session.scalars(select(Subscriber.delivery_hour))) == [7, 7, 8]


def test_weekly_on_a_day_given_as_number_or_digits(app, client):
    for address, body in (("a@example.com", {"frequency": "weekly", "weekday": 5}),
                          ("b@example.com", {"frequency": "weekly", "weekday": "7"}),
                          ("c@example.com", {"frequency": "daily", "weekday": 3.0}),
                          ("d@example.com", {"frequency": None, "weekday": None})):
        assert client.post("/api/subscribe", json={"email": address, **body}).status_code == 202
    with db.new_session(app) as session:
        assert session.execute(select(Subscriber.frequency, Subscriber.weekday).order_by(Subscriber.email)).all() == [
            ("weekly", 5), ("weekly", 7), ("daily", 3), ("daily", 1)]


@pytest.mark.parametrize("body", [b"[1", b"\xff\xfe", b"[]", b'"x"', b"null", b"{" * 5000 + b"}" * 5000])
def test_a_body_that_is_no_json_object_is_a_json_400(app, client, body):
    response = client.post("/api/subscribe", data=body, content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert count(app, RateHit) == 0


def test_api_errors_answer_in_json(client):
    for response in (client.get("/api/subscribe"), client.post("/api/subscribe", data="x")):
        assert response.status_code in (400, 405) and response.is_json, response.data[:100]


PUBLIC = [
    "/search?q=abc%00", "/search?q=%00", "/search?q=abc&page=" + HUGE, "/search?q=abc&page=-3",
    "/search?q=abc&page=x", "/search?q=%01%02%03abc", "/search?q=" + "a" * 5000, "/?page=" + HUGE,
    "/?page=0", "/category/%00", "/tag/a%00b", "/source/x?page=" + HUGE, "/articles/%00",
    "/feeds/rss.xml?page=" + HUGE + "&limit=" + HUGE, "/feeds/atom.xml?limit=-1&page=-1",
    "/feeds/tag/%00/feed.json", "/feeds.opml?page=%00", "/confirm/%00", "/unsubscribe/a%00",
    "/preferences/%00", "/subscribe?x=%00",
    "/digests/?page=" + HUGE, "/digests/?page=-1", "/digests/?page=x", "/digests/%00", "/digests/9999-99-99",
    "/digests/2026-11-21?lang=%00", "/digests/2026-11-21?lang=" + "x" * 5000, "/digests/" + HUGE,
    "/digests/atom.xml?page=" + HUGE, "/digests/atom.xml?lang=%00", "/digests/atom.xml?lang=xx&page=-5",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_refuse_hostile_queries_without_a_500(client, add_article, url):
    add_article(title="Harbour ferry returns", category="Transport", tags=["ferry"])
    response = client.get(url)
    assert response.status_code < 500
    assert response.status_code in (200, 400, 404), url


ADMIN = [
    "/admin/articles?page=" + HUGE, "/admin/subscribers?page=" + HUGE, "/admin/digests?page=" + HUGE,
    "/admin/articles?q=abc%00", "/admin/articles?source=%00&category=%00", "/admin/subscribers?q=%00",
    "/admin/digests?subscriber=a%00@example.com", "/admin/articles/" + HUGE, "/admin/subscribers/" + HUGE,
    "/admin/articles?page=-1", "/admin/subscribers?page=abc", "/admin/digests?page=1e9",
]


@pytest.mark.parametrize("url", ADMIN)
def test_admin_pages_refuse_hostile_queries_without_a_500(signed_in, url):
    response = signed_in.get(url)
    assert response.status_code in (200, 400, 404), url


def test_huge_pages_are_clamped_not_refused(client, signed_in, add_article):
    add_article()
    for url in ("/search?q=ferry&page=" + HUGE, "/?page=" + HUGE, "/admin/articles?page=" + HUGE):
        assert signed_in.get(url).status_code == 200, url


def test_form_posts_with_control_characters_are_refused(app, client, signed_in, csrf):
    token = csrf("/admin/digests")
    response = signed_in.post("/admin/digests/retry", data={"csrf_token": token, "delivery_id": HUGE})
    assert response.status_code in (302, 400)
    response = signed_in.post("/admin/digests/test", data={"csrf_token": token, "to": "a\u0000@example.com",
                                                           "subscriber": "x\u0000"})
    assert response.status_code == 400
    page = client.get("/subscribe")
    assert page.status_code == 200
    from pages import csrf_from
    refused = client.post("/subscribe", data={"csrf_token": csrf_from(client, "/subscribe"),
                                              "email": "a@example.com", "topics": ["category:\u0000"]})
    assert refused.status_code == 400 and count(app, Subscriber) == 0

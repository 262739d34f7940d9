"""Daily or weekly, and on which day (issue 12): the subscribe form and the preferences page."""
from __future__ import annotations

from lxml import html as lxml_html
from sqlalchemy import select

from feedsvc import db
from feedsvc.models import Subscriber
from feedsvc.signing import make_token
from pages import csrf_from


def stored(app, address) -> tuple:
    with db.new_session(app) as session:
        return session.execute(select(Subscriber.frequency, Subscriber.weekday)
                               .where(Subscriber.email == address)).one()


def test_the_subscribe_form_and_the_preferences_page_choose_weekly(app, client):
    token = csrf_from(client, "/subscribe")
    form = {"email": "w@example.com", "frequency": "weekly", "weekday": "3", "csrf_token": token}
    assert client.post("/subscribe", data=form).status_code == 200
    assert stored(app, "w@example.com") == ("weekly", 3)
    with db.new_session(app) as session:
        sid = session.scalar(select(Subscriber.id).where(Subscriber.email == "w@example.com"))
    url = f"/preferences/{make_token(app.config['SECRET_KEY'], 'preferences', sid, 'w@example.com')}"
    page = lxml_html.fromstring(client.get(url + "?lang=en").data)
    assert page.cssselect("select[name=frequency] option[selected]")[0].get("value") == "weekly"
    assert page.cssselect("select[name=weekday] option[selected]")[0].text_content() == "Wednesday"
    assert [o.get("value") for o in page.cssselect("select[name=weekday] option")] == [str(n) for n in range(1, 8)]
    choices = {"csrf_token": csrf_from(client, url), "timezone": "Asia/Shanghai", "delivery_hour": "7",
               "language": "zh-CN"}
    assert client.post(url, data=choices | {"frequency": "weekly", "weekday": "7"}).status_code == 200
    assert stored(app, "w@example.com") == ("weekly", 7)
    refused = client.post(url, data=choices | {"frequency": "weekly", "weekday": "9"})
    assert refused.status_code == 400 and "ISO weekday" in refused.get_data(as_text=True)
    assert client.post(url, data=choices | {"frequency": "hourly"}).status_code == 400
    assert client.post(url, data={k: v for k, v in choices.items() if k != "csrf_token"}
                       | {"frequency": "daily"}).status_code == 400, "no CSRF token"
    assert stored(app, "w@example.com") == ("weekly", 7)
    assert client.post(url, data=choices | {"frequency": "daily", "weekday": "7"}).status_code == 200
    assert stored(app, "w@example.com") == ("daily", 7)
    zh = lxml_html.fromstring(client.get(url + "?lang=zh-Hant").data)
    assert zh.cssselect("select[name=weekday] option[selected]")[0].text_content() == "星期日"

"""Every digest mail links the general edition of its date; the link answers, and shows no reader."""
from __future__ import annotations

import email
import email.policy

import pytest
from lxml import html as lxml_html

from archive_days import READERS, two_days
from feedsvc import jobs

BASE = "https://feeds.example.org"
LABELS = {"zh-CN": "在浏览器中查看", "en": "View in browser"}


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def test_each_mail_links_the_days_general_edition(app, client, handler, add_article):
    two_days(app, add_article)
    jobs.deliver_outbox(app)
    mails = [email.message_from_bytes(m.content, policy=email.policy.default) for m in handler.received]
    # 20 November: the city reader only (the other's edition was empty); 21 November: both.
    assert sorted(m["To"] for m in mails) == ["city@example.com", "city@example.com", "ferry@example.com"]
    for mail in mails:
        language = READERS[mail["To"]][0]
        label = LABELS[language]
        html = lxml_html.fromstring(mail.get_body(("html",)).get_content())
        [url] = [a.get("href") for a in html.iter("a") if a.text_content() == label]
        text = mail.get_body(("plain",)).get_content()
        assert f"{label}{'：' if language == 'zh-CN' else ': '}{url}" in text.splitlines()
        day = "2026-11-21" if "11月21日" in mail["Subject"] or "Nov 21" in mail["Subject"] else "2026-11-20"
        assert url == f"{BASE}/digests/{day}?lang={language}"

        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert lxml_html.fromstring(page).get("lang") == language
        for reader in READERS:
            assert reader not in page
        assert "token" not in page and "/unsubscribe/" not in page and "/preferences/" not in page
        # The mail's articles are all on the page (it holds the other readers' too).
        for item in html.cssselect("td.item h2 a"):
            assert item.text_content() in page

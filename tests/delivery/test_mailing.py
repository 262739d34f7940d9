"""A mailing as readers get it: each message, filled in from its group's stencil and sent over
several connections, is the message the email package builds for that reader (issue 11)."""
from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import dkim
from dkimkeys import dns_lookup, make_key_pair
from sqlalchemy import insert, select, update

from feedsvc import db
from feedsvc.digest.compose import DigestContent, compose_items
from feedsvc.digest.messages import digest_items
from feedsvc.digest.operator_wording import load_wording
from feedsvc.digest.render import personalise, render_digest
from feedsvc.mail.message import OutgoingMessage, build_message, list_headers
from feedsvc.mail.verp import parse_verp_address
from feedsvc.models import Article, Delivery, Subscriber
from feedsvc.services import outbox
from feedsvc.services.digests import build_due
from feedsvc.signing import matches_address, read_token
from feedsvc.web import external_url

from .conftest import NOW

READERS = [  # address, language, zone: four render groups, addresses short and long
    ("li.lei@example.com", "zh-CN", "UTC"),
    ("han.meimei@example.com", "zh-CN", "UTC"),
    ("x" * 64 + "@" + "y" * 60 + ".example.com", "zh-CN", "UTC"),
    ("reader.one@example.org", "en", "UTC"),
    ("reader.two+digest@example.org", "en", "UTC"),
    ("chen.jing@example.net", "zh-TW", "UTC"),
    ("tanaka@example.jp", "en", "Asia/Tokyo"),
]


def boundaryless(data: bytes) -> bytes:
    return re.sub(rb"===============\d+==", b"BOUNDARY", data)


def links_in(content: bytes) -> tuple[str, str]:
    """The unsubscribe and preferences links a received message carries."""
    msg = email.message_from_bytes(content, policy=email.policy.default)
    unsubscribe = re.search(r"<(https://[^>]+)>", str(msg["List-Unsubscribe"])).group(1)
    preferences = re.search(r"https://\S+/preferences/[\w.-]+", msg.get_body(("plain",)).get_content()).group(0)
    return unsubscribe, preferences


def the_old_way(app, session, row: Delivery, when, unsubscribe: str, preferences: str) -> bytes:
    """The reader's message as it was built before stencils: render, personalise, build_message."""
    settings, links, day = outbox.mail_settings(app), outbox.links(app), row.edition.edition_date
    reader = row.subscriber
    content = DigestContent(
        site_name=settings.site_name, site_url=settings.site_url, edition_date=day,
        language=reader.language, timezone=reader.timezone, archive_url=links.edition(day, reader.language),
        items=compose_items(digest_items(session, tuple(json.loads(row.edition.article_ids)), links,
                                         ZoneInfo(settings.site_timezone))),
    )
    rendered = render_digest(content, templates_dir=settings.templates_dir, wording=load_wording(session))
    mine = personalise(rendered, unsubscribe_url=unsubscribe, preferences_url=preferences)
    return build_message(OutgoingMessage(
        to=reader.email, subject=mine.subject, text=mine.text, html=mine.html, from_addr=settings.from_addr,
        reply_to=settings.reply_to, message_id=row.message_id,
        headers=list_headers(settings.list_id, unsubscribe, settings.unsubscribe_mailto),
    ), now=when).as_bytes()


def is_link_for(link: str, purpose: str, secret: str, reader: Subscriber) -> bool:
    subscriber_id, digest = read_token(secret, purpose, link.rsplit("/", 1)[1])
    return subscriber_id == reader.id and matches_address(digest, reader.email)


def test_a_mailing_is_what_the_email_package_builds_for_each_reader(app, handler, add_article):
    app.config.update(MAIL_CONNECTIONS=3, MAIL_FROM='"滨海新闻 Bench" <digest@feeds.example.org>',
                      MAIL_REPLY_TO="editors@feeds.example.org", MAIL_UNSUBSCRIBE_MAILTO="leave@feeds.example.org",
                      BOUNCE_ADDRESS="bounces@feeds.example.org")
    add_article(title="新图书馆周六开放", text="市图书馆新馆于本周六正式向公众开放，首批上架图书约四十万册。",
                lang="zh", original_url="https://www.example.org/library")
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.",
                lang="en", original_url="https://www.example.org/ferry?a=1&b=2")
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).values(added_at=NOW - timedelta(hours=2)))
        session.execute(insert(Subscriber), [
            {"email": address, "state": "confirmed", "timezone": zone, "delivery_hour": 0, "language": language,
             "topics": "[]", "bounce_count": 0, "created_at": NOW - timedelta(days=1)}
            for address, language, zone in READERS])
    build_due(app, now=NOW, ignore_hours=True)
    handler.wait_for_connections = 3  # each connection fills in stencils of its own
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.sent == len(READERS) and handler.connections() == 3

    secret = app.config["SECRET_KEY"]
    personal = {}
    with db.new_session(app) as session:
        rows = {row.id: row for row in session.scalars(select(Delivery))}
        for got in handler.received:
            # VERP: the envelope sender names the delivery, as before.
            delivery_id = parse_verp_address(got.mail_from, "bounces@feeds.example.org", secret.encode())
            row = rows[delivery_id]
            assert got.rcpt_tos == [row.to_addr]
            unsubscribe, preferences = links_in(got.content)
            assert is_link_for(unsubscribe, "unsubscribe", secret, row.subscriber)
            assert is_link_for(preferences, "preferences", secret, row.subscriber)
            when = parsedate_to_datetime(email.message_from_bytes(got.content)["Date"])
            # aiosmtpd hands over the content with the SMTP line ends and dot-stuffing undone.
            old = the_old_way(app, session, row, when, unsubscribe, preferences)
            assert boundaryless(got.content) == boundaryless(old)
            personal[delivery_id] = (got.content, (row.to_addr, row.message_id, unsubscribe, preferences))
    assert len(personal) == len(READERS)
    for mine, (content, _) in personal.items():
        for other, (_, values) in personal.items():
            if other != mine:
                assert not [v for v in values if v.encode() in content], "another reader's data"
    parsed = email.message_from_bytes(handler.received[0].content, policy=email.policy.default)
    assert not [d for part in parsed.walk() for d in part.defects]


def test_every_message_of_a_mailing_carries_its_own_dkim_signature(app, handler, populate, tmp_path):
    pem, record = make_key_pair()
    (tmp_path / "dkim.pem").write_bytes(pem)
    app.config.update(MAIL_CONNECTIONS=2, DKIM_KEY_FILE=str(tmp_path / "dkim.pem"), DKIM_SELECTOR="mail2026")
    n = populate(4)
    build_due(app, now=NOW)
    assert outbox.run_delivery(app, now=lambda: NOW).sent == n
    lookup = dns_lookup("mail2026", "feeds.example.org", record)
    assert len(handler.received) == n
    for got in handler.received:
        assert got.content.startswith(b"DKIM-Signature:") and dkim.verify(got.content, dnsfunc=lookup)


def test_personal_links_are_the_urls_the_routes_build(app):
    # links() builds each URL once and puts every reader's token in it (issue 11).
    reader = Subscriber(id=7, email="li.lei@example.com")
    links = outbox.links(app)
    for purpose, endpoint in (("unsubscribe", "public.unsubscribe"), ("preferences", "public.preferences"),
                              ("confirm", "public.confirm")):
        link = getattr(links, purpose)(reader)
        assert link == external_url(app, endpoint, token=link.rsplit("/", 1)[1])
        assert is_link_for(link, purpose, app.config["SECRET_KEY"], reader)

"""An app whose mail goes to the loopback SMTP server, with confirmed subscribers and news."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, update

from feedsvc import db
from feedsvc.models import Article, Subscriber

NOW = datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc)


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test&timeout=2"
    return app


@pytest.fixture
def populate(app, add_article):
    """Make ``n`` confirmed subscribers due at NOW and one article for them; returns n."""
    def make(n: int) -> int:
        add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.",
                    original_url="https://www.example.org/ferry")
        with db.new_session(app) as session, session.begin():
            session.execute(update(Article).values(added_at=NOW - timedelta(hours=2)))
            session.execute(insert(Subscriber), [
                {"email": f"reader{i}@example.com", "state": "confirmed", "timezone": "UTC",
                 "delivery_hour": 0, "language": "en", "topics": "[]", "bounce_count": 0,
                 "created_at": NOW - timedelta(days=1)}
                for i in range(n)
            ])
        return n
    return make

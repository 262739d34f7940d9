"""Behind a reverse proxy: FEEDSVC_TRUSTED_PROXIES says how many to believe (issue 14)."""
from __future__ import annotations

import pytest

from feedsvc import create_app, db


@pytest.fixture
def behind_nginx(instance_path, database_url, monkeypatch):
    """The app as deploy/ runs it: one nginx in front, FEEDSVC_TRUSTED_PROXIES=1."""
    monkeypatch.setenv("FEEDSVC_TRUSTED_PROXIES", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SUBSCRIBE_RATE_PER_HOUR": 2})
    db.ensure_schema(app)
    yield app
    db.get_engine(app).dispose()


def subscribe(client, n: int, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"} if forwarded_for else {}
    return client.post("/api/subscribe", json={"email": f"r{n}@example.com"}, headers=headers).status_code


def test_each_client_behind_the_proxy_has_its_own_limit(behind_nginx):
    client = behind_nginx.test_client()
    # nginx appends the address it saw to whatever the client sent: the last one is the truth.
    codes = [subscribe(client, n, f"198.51.100.{n % 3}, 203.0.113.{n % 2}") for n in range(4)]
    assert codes == [202, 202, 202, 202], "two clients, two requests each, within their own limits"
    assert subscribe(client, 9, "203.0.113.0") == 429, "the third from one client is over its limit"


def test_without_trusted_proxies_the_header_is_ignored(app, client):
    app.config["SUBSCRIBE_RATE_PER_HOUR"] = 2
    codes = [subscribe(client, n, f"203.0.113.{n}") for n in range(3)]
    assert codes == [202, 202, 429], "a client cannot pick its own address to dodge the limit"


def test_the_setting_must_be_a_count(instance_path, monkeypatch):
    monkeypatch.setenv("FEEDSVC_TRUSTED_PROXIES", "yes")
    with pytest.raises(RuntimeError, match="FEEDSVC_TRUSTED_PROXIES"):
        create_app({"DATABASE_URL": "sqlite://"})

"""``feedsvc admin create`` and the first account made on first start."""
from __future__ import annotations

import re

from sqlalchemy import select

from feedsvc import accounts, db
from feedsvc.models import AdminUser, AuditEntry
from feedsvc.services.accounts import ensure_first_admin


def stored(app):
    with db.new_session(app) as session:
        return {row.email: row.password_hash for row in session.scalars(select(AdminUser))}


def test_create_with_password(app, runner):
    result = runner.invoke(args=["admin", "create", "Ops@Feeds.Example.org", "--password", "long enough secret"])
    assert result.exit_code == 0 and "created ops@feeds.example.org" in result.output
    assert "long enough secret" not in result.output
    with db.new_session(app) as session:
        assert accounts.authenticate(session, "ops@feeds.example.org", "long enough secret") is not None
        assert session.scalar(select(AuditEntry.action)) == "admin.create"


def test_create_without_a_terminal_generates_and_prints_once(app, runner):
    result = runner.invoke(args=["admin", "create", "ops@feeds.example.org"], input="")
    assert result.exit_code == 0
    password = re.search(r"password: (\S+)", result.output).group(1)
    assert len(password) >= 16
    with db.new_session(app) as session:
        assert accounts.authenticate(session, "ops@feeds.example.org", password) is not None


def test_create_refuses_a_taken_address_and_bad_input(app, runner):
    runner.invoke(args=["admin", "create", "ops@feeds.example.org", "--password", "long enough secret"])
    again = runner.invoke(args=["admin", "create", "OPS@feeds.example.org", "--password", "another secret!"])
    assert again.exit_code == 1 and "exists already" in again.output
    short = runner.invoke(args=["admin", "create", "new@feeds.example.org", "--password", "short"])
    assert short.exit_code == 1 and "at least 10" in short.output
    bad = runner.invoke(args=["admin", "create", "not-an-address", "--password", "long enough secret"])
    assert bad.exit_code == 1
    assert list(stored(app)) == ["ops@feeds.example.org"]


def test_first_admin_is_created_once(app, runner):
    email, password = ensure_first_admin(app)
    assert email == "admin@feeds.example.org"
    with db.new_session(app) as session:
        assert accounts.authenticate(session, email, password) is not None
    assert ensure_first_admin(app) is None
    assert "exists already" in runner.invoke(args=["admin", "ensure"]).output
    assert list(stored(app)) == [email]

"""Fixtures for the admin pages: an operator account, a signed-in client, CSRF tokens from forms."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from feedsvc import accounts, db, jobs
from feedsvc.models import AdminUser, AuditEntry
from pages import csrf_from

EMAIL = "ops@feeds.example.org"
PASSWORD = "correct horse battery"


@pytest.fixture
def admin_user(app):
    """An operator account; returns its address.

    Its hash is a cheap PBKDF2 so that signing in costs milliseconds per test; the default
    (scrypt) is what test_password_is_stored_hashed and the CLI tests create.
    """
    with db.new_session(app) as session, session.begin():
        session.add(AdminUser(email=EMAIL, active=True,
                              password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")))
        accounts.audit(session, "cli", "admin.create", EMAIL)
    return EMAIL


@pytest.fixture
def csrf(client):
    """``csrf(url="/admin/")``: a valid CSRF token for the client's session."""
    return lambda url="/admin/": csrf_from(client, url)


@pytest.fixture
def signed_in(client, admin_user):
    """The test client, signed in as the operator."""
    response = client.post("/admin/login", data={
        "email": admin_user, "password": PASSWORD, "csrf_token": csrf_from(client, "/admin/login"),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def audit_log(app):
    """``audit_log()``: (actor, action, target) of every audit entry, oldest first."""
    def read():
        with db.new_session(app) as session:
            return [(e.actor, e.action, e.target) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    return read


@pytest.fixture
def worker(app, client):
    """``worker(response)``: the task a POST queued, run as the worker runs it; returns its finished page."""
    def run(response):
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        location = response.headers["Location"]
        assert location.startswith("/admin/tasks/"), location
        jobs.run_tasks(app)
        page = client.get(location)
        assert page.status_code == 200
        return page
    return run

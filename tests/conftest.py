"""Fixtures built on the app factory; the database is SQLite, or PostgreSQL when asked.

Set ``FEEDSVC_TEST_POSTGRES_URL`` (a role allowed to create databases) to run every test that
uses the ``app`` fixture against a fresh PostgreSQL database of its own.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from feedsvc import create_app, db
from feedsvc.config import site_timezone
from feedsvc.ingest.article import ParsedArticle
from feedsvc.ingest.enrich import complete_article
from feedsvc.ingest.settings import ImportSettings
from feedsvc.ingest.store import store_article
from feedsvc.models import Article
from smtpsink import RecordingHandler, start_server

SHARED_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
POSTGRES_URL = os.environ.get("FEEDSVC_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_template():
    """A migrated template database, copied for each test (much faster than migrating each)."""
    if not POSTGRES_URL:
        yield None
        return
    admin = create_engine(db.normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"feedsvc_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(db.normalise_url(POSTGRES_URL)).set(database=name)
    app = create_app({"DATABASE_URL": url.render_as_string(hide_password=False), "SECRET_KEY": "t"})
    db.upgrade(app)
    db.get_engine(app).dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_database(folder: Path, postgres_template):
    """Yield the URL of an empty, migrated database (a copy of the template on PostgreSQL); drop it after."""
    if postgres_template is None:
        yield f"sqlite:///{folder / 'test.sqlite3'}"
        return
    admin = create_engine(db.normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"feedsvc_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield make_url(db.normalise_url(POSTGRES_URL)).set(database=name).render_as_string(
        hide_password=False
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(tmp_path, postgres_template):
    """A URL of an empty, migrated database for one test."""
    yield from _fresh_database(tmp_path, postgres_template)


@pytest.fixture(scope="module")
def module_database_url(tmp_path_factory, postgres_template):
    """The same, shared by the tests of one module (for a scenario run once, as with real processes)."""
    yield from _fresh_database(tmp_path_factory.mktemp("db"), postgres_template)


@pytest.fixture
def instance_path(tmp_path, monkeypatch):
    """An instance folder of the test's own; no FEEDSVC_* setting of the developer leaks in."""
    for name in list(os.environ):
        if name.startswith("FEEDSVC_") and name != "FEEDSVC_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    path = tmp_path / "instance"
    monkeypatch.setenv("FEEDSVC_INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def app(instance_path, database_url):
    """The app on a migrated database of its own."""
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "BASE_URL": "https://feeds.example.org",
        "SITE_NAME": "测试站 Test Site",
        # Every request sees the store as it is: tests change it and look at once.
        "FEED_VERSION_CHECK_SECONDS": 0,
    })
    db.ensure_schema(app)  # SQLite: migrate now; PostgreSQL: the template is migrated already
    yield app
    db.get_engine(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def shared_samples():
    """The read-only samples beside the project; tests using them skip in a user's clone."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/samples is not present in this checkout")
    return SHARED_SAMPLES


@pytest.fixture
def add_article(app):
    """Store an article as the importer would, without a file; returns its slug."""
    settings = ImportSettings(tz=site_timezone(app))
    counter = iter(range(1, 1_000_000))

    def add(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.",
            **fields):
        fields.setdefault("published", datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
        parsed = complete_article(ParsedArticle(title=title, text=text, **fields), settings)
        n = next(counter)
        with db.new_session(app) as session, session.begin():
            store_article(session, parsed, source_file=f"test:{n}", index=0, file_hash=str(n),
                          settings=settings)
        with db.new_session(app) as session:
            return session.scalar(select(Article.slug).where(Article.source_file == f"test:{n}"))

    return add


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
def smtp_server(handler):
    """A plain SMTP server; yields its Controller (`.port`), the handler is the `handler` fixture."""
    controller = start_server(handler)
    yield controller
    controller.stop()

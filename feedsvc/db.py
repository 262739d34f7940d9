"""The database: one SQLAlchemy engine per app, a session per app context, Alembic migrations."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = "feedsvc:migrations"
VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
# The identifiers Alembic reads from each migration file: ``revision = "0009"``,
# ``down_revision = "0008"`` (None for the first, a tuple for a merge).
_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=(.*)$", re.M)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def normalise_url(url: str) -> str:
    """Map a plain ``postgresql://`` URL to the psycopg 3 driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str) -> Engine:
    """An engine with each backend's settings for many readers and one writer at a time."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers go on while the importer writes; NORMAL is durable under WAL on crash
    # of the process (only a power loss can drop the last commits).
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # With pysqlite's own transaction handling off, SELECTs run inside the transaction too,
    # so a request sees one consistent snapshot (SQLAlchemy docs, "pysqlite: Serializable
    # isolation / Savepoints / Transactional DDL"). Writers begin IMMEDIATE: a deferred
    # transaction that reads and then writes fails at once with "database is locked" when
    # another writer committed in between, whatever the busy timeout.
    options = connection.get_execution_options()
    _bulk_writes(connection, bool(options.get("sqlite_bulk_writes")))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")


# A bulk writer's page cache. Set per connection, before BEGIN: SQLite decides where a
# transaction keeps its savepoints' journal when the transaction begins.
BULK_CACHE_KIB = 32 * 1024


def _bulk_writes(connection, on: bool) -> None:
    """Tune a connection for a transaction that writes many rows under a savepoint each (the
    importer's batches, execution option ``sqlite_bulk_writes``), or back to SQLite's defaults.

    With the defaults, SQLite copied every page an article's savepoint changed into a temp file
    (its sub-journal spills to disk past 64 KiB: 200 KB an article, never read back unless the
    article fails) and re-read index pages its 2 MB cache had dropped. In memory with a larger
    cache, storing 10,000 text dumps into an empty store took 0.17-0.19 ms of system time an
    article instead of 0.44-0.50. The cache grows only as pages are read, and a pooled
    connection goes back to the defaults when a transaction that did not ask for this begins.
    """
    info = connection.connection.info  # lives as long as the DBAPI connection
    if info.get("bulk_writes", False) == on:
        return
    driver = connection.connection.driver_connection
    if on:
        info["default_cache_size"] = driver.execute("PRAGMA cache_size").fetchone()[0]
        driver.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        driver.execute("PRAGMA temp_store=MEMORY")
    else:
        driver.execute(f"PRAGMA cache_size={int(info['default_cache_size'])}")
        driver.execute("PRAGMA temp_store=DEFAULT")
    info["bulk_writes"] = on


def init_app(app: Flask) -> None:
    """Create the app's engine and close each app context's session when it ends."""
    engine = build_engine(app.config["DATABASE_URL"])
    app.extensions["feedsvc.engine"] = engine
    # Sessions that write take SQLite's write lock when they begin (see _sqlite_begin);
    # PostgreSQL ignores the option. Reads (GET requests) use the plain one.
    writer = engine.execution_options(sqlite_immediate=True)
    app.extensions["feedsvc.sessionmaker"] = sessionmaker(writer, expire_on_commit=False)
    app.extensions["feedsvc.read_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine."""
    return (app or current_app).extensions["feedsvc.engine"]


def get_session() -> Session:
    """The session of the current app context, created on first use (a writer unless a GET)."""
    if "db_session" not in g:
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        maker = "feedsvc.read_sessionmaker" if reading else "feedsvc.sessionmaker"
        g.db_session = current_app.extensions[maker]()
    return g.db_session


@contextmanager
def new_session(app: Flask | None = None) -> Iterator[Session]:
    """A session of its own (a writer), for work that commits in steps outside a request."""
    session = (app or current_app).extensions["feedsvc.sessionmaker"]()
    try:
        yield session
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def include_name(name, type_, parent_names) -> bool:
    """What Alembic compares: not the search index, made by raw SQL per database in 0002."""
    if type_ == "table" and name and name.startswith("articles_fts"):
        return False
    return not (type_ == "index" and name == "ix_articles_search")


def alembic_config(app: Flask):
    """An Alembic config bound to the app's engine, so the CLI and tests migrate the same way."""
    # Alembic is imported when a migration is looked at, not by every process that opens a session.
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["engine"] = get_engine(app)
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(app), revision)


def needs_upgrade(app: Flask) -> bool:
    """True when the database is not at the newest migration."""
    return not at_head(get_engine(app))


def head_revisions() -> set[str]:
    """The newest migrations, read from the files' ``revision``/``down_revision`` lines.

    What Alembic's ``ScriptDirectory.get_heads()`` answers, without importing Alembic (a
    tenth of a second at every command's start); tests/test_migrations.py checks they agree.
    """
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        found = {name: _QUOTED.findall(value) for name, value in _REVISION.findall(path.read_text(encoding="utf-8"))}
        revisions.update(found["revision"])
        parents.update(found.get("down_revision", ()))
    return revisions - parents


def at_head(engine: Engine) -> bool:
    """True when the database's ``alembic_version`` names exactly the newest migrations."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):  # a new database
            return False
        current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return current == head_revisions()


def ensure_schema(app: Flask) -> None:
    """On the embedded SQLite default, migrate on first use so nobody has to run it by hand.

    Alembic is imported only when a migration is due; the check reads one row.
    """
    engine = get_engine(app)
    if engine.dialect.name == "sqlite" and not at_head(engine):
        upgrade(app)

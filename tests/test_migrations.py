"""Migrations build exactly the schema the models describe, and run down and up again."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from feedsvc import db
from feedsvc.models import Base


def test_models_and_migrations_agree(app):
    with db.get_engine(app).connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": db.include_name, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_up_again(app):
    command.downgrade(db.alembic_config(app), "base")
    assert db.needs_upgrade(app)
    db.upgrade(app)
    assert not db.needs_upgrade(app)


def test_heads_read_from_the_files_are_alembics(app):
    # ensure_schema reads the heads without Alembic (issue 11); they must be the ones it finds.
    from alembic.script import ScriptDirectory

    assert db.head_revisions() == set(ScriptDirectory.from_config(db.alembic_config(app)).get_heads())


def test_a_database_behind_is_upgraded_by_ensure_schema_on_sqlite_only(app):
    engine = db.get_engine(app)
    command.downgrade(db.alembic_config(app), "-1")
    assert not db.at_head(engine)
    db.ensure_schema(app)
    # PostgreSQL is migrated by hand (feedsvc db upgrade), never by a command that happens to start.
    assert db.at_head(engine) == (engine.dialect.name == "sqlite")

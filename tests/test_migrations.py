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

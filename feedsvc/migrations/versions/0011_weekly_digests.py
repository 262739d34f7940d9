"""a subscriber's digest frequency (daily or weekly) and weekday, and each edition's frequency (issue 12)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with server defaults: every existing subscriber and edition stays daily,
    # weekday 1 (ISO Monday). Not a batch copy, so nothing else about the tables changes on SQLite.
    op.add_column("subscribers", sa.Column("frequency", sa.String(length=16), nullable=False,
                                           server_default="daily"))
    op.add_column("subscribers", sa.Column("weekday", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("editions", sa.Column("frequency", sa.String(length=16), nullable=False,
                                        server_default="daily"))


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place.
    op.drop_column("editions", "frequency")
    op.drop_column("subscribers", "weekday")
    op.drop_column("subscribers", "frequency")

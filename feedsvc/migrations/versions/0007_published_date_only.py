"""whether an article's file gave its day only, so pages and digests show no time it never had

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows imported before this column existed say False (a time shown as before); their
    # files are read again, and the column set, when they change. A plain ADD COLUMN, not a
    # batch copy: on SQLite a copied table would lose the search index's triggers.
    op.add_column("articles", sa.Column("published_date_only", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place, triggers and all.
    op.drop_column("articles", "published_date_only")

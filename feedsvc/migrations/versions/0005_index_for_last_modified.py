"""index for feeds' Last-Modified (max(updated_at) of shown articles)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_changed", ["visible", "duplicate_of_id", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_changed")

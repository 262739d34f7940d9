"""sign-in sessions kept on the server, so signing out ends them (issue 14)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import feedsvc.columns

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("admin_sessions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("admin_id", sa.Integer(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("password_key", sa.String(length=64), nullable=False),
    sa.Column("address", sa.String(length=64), nullable=False),
    sa.Column("created_at", feedsvc.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column("ended_at", feedsvc.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["admin_id"], ["admin_users.id"], name=op.f("fk_admin_sessions_admin_id_admin_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_sessions")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_admin_sessions_token_hash"))
    )
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_sessions_admin_id"), ["admin_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_sessions_admin_id"))
    op.drop_table("admin_sessions")

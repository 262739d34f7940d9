"""late bounces and complaints (returned_mail) and the returned messages already read (processed_mail) (issue 12)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import feedsvc.columns

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("returned_mail",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("received_at", feedsvc.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("delivery_id", sa.Integer(), nullable=True),
    sa.Column("subscriber_id", sa.Integer(), nullable=True),
    sa.Column("recipient", sa.String(length=320), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=True),
    sa.Column("diagnostic", sa.Text(), nullable=True),
    sa.Column("matched_by", sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], name=op.f("fk_returned_mail_delivery_id_deliveries"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["subscriber_id"], ["subscribers.id"], name=op.f("fk_returned_mail_subscriber_id_subscribers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_returned_mail")),
    sa.UniqueConstraint("delivery_id", "kind", name="uq_returned_mail_delivery_kind")
    )
    with op.batch_alter_table("returned_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_returned_mail_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_returned_mail_subscriber_id"), ["subscriber_id"], unique=False)

    op.create_table("processed_mail",
    sa.Column("key", sa.String(length=80), nullable=False),
    sa.Column("processed_at", feedsvc.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column("location", sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint("key", name=op.f("pk_processed_mail"))
    )


def downgrade() -> None:
    op.drop_table("processed_mail")
    with op.batch_alter_table("returned_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_returned_mail_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_returned_mail_received_at"))
    op.drop_table("returned_mail")

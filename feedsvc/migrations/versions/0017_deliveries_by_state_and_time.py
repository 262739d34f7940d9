"""deliveries indexed by state and creation time (issue 11)

The outbox keeps 180 days of messages: with 100,000 subscribers, 18 million rows. The
dashboard's count of today's messages by state read every one of them (the index on state
alone did not say when a message was made), and so did pruning the sent ones. The index on
(state, created_at) replaces the one on state, which every lookup by state still uses.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_state_created", "deliveries", ["state", "created_at"])
    op.drop_index("ix_deliveries_state", table_name="deliveries")


def downgrade() -> None:
    op.create_index("ix_deliveries_state", "deliveries", ["state"])
    op.drop_index("ix_deliveries_state_created", table_name="deliveries")

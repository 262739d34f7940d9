"""subscribers editions deliveries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa
import feedsvc.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_hits',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('window', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window', name=op.f('pk_rate_hits'))
    )
    op.create_table('subscribers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('delivery_hour', sa.Integer(), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('created_at', feedsvc.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', feedsvc.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', feedsvc.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('digest_cursor', feedsvc.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('bounce_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
    sa.UniqueConstraint('email', name=op.f('uq_subscribers_email'))
    )
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscribers_state'), ['state'], unique=False)

    op.create_table('editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('edition_date', sa.Date(), nullable=False),
    sa.Column('window_start', feedsvc.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('window_end', feedsvc.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('article_ids', sa.Text(), nullable=False),
    sa.Column('created_at', feedsvc.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_editions_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_editions')),
    sa.UniqueConstraint('subscriber_id', 'edition_date', name='uq_editions_subscriber_date')
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('to_addr', sa.String(length=320), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', feedsvc.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', feedsvc.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', feedsvc.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', feedsvc.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_deliveries_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_deliveries_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('edition_id', name=op.f('uq_deliveries_edition_id')),
    sa.UniqueConstraint('message_id', name=op.f('uq_deliveries_message_id'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_subscriber_id'), ['subscriber_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_subscriber_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_state'))
        batch_op.drop_index(batch_op.f('ix_deliveries_sent_at'))
        batch_op.drop_index(batch_op.f('ix_deliveries_next_attempt_at'))

    op.drop_table('deliveries')
    op.drop_table('editions')
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscribers_state'))

    op.drop_table('subscribers')
    op.drop_table('rate_hits')

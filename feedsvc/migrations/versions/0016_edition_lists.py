"""the distinct lists of articles each date's editions hold, for the digest archive (issue 11)

There is an edition per subscriber per date. The archive grouped every edition by date to list
the dates, count them, and gather a date's articles, on each page a cache missed: with 100,000
subscribers and ten dates (a million editions) the list of dates took 0.38 s and a date's page
0.18 s, growing with every digest sent. The lists are few (subscribers with the same topics hold
the same one), so the digest now notes each once per date, and the archive reads only those.
Existing editions are gathered here.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""
import hashlib

import sqlalchemy as sa
from alembic import op

import feedsvc.columns

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_editions = sa.table("editions", sa.column("edition_date", sa.Date()), sa.column("article_ids", sa.Text()),
                     sa.column("created_at", feedsvc.columns.UTCDateTime()))


def upgrade() -> None:
    lists = op.create_table(
        "edition_lists",
        sa.Column("edition_date", sa.Date(), nullable=False),
        sa.Column("list_key", sa.String(length=64), nullable=False),
        sa.Column("article_ids", sa.Text(), nullable=False),
        sa.Column("first_made", feedsvc.columns.UTCDateTime(), nullable=False),
        sa.Column("last_made", feedsvc.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("edition_date", "list_key", name=op.f("pk_edition_lists")),
    )
    # Few rows: a list per date per set of topics.
    gathered = op.get_bind().execute(
        sa.select(_editions.c.edition_date, _editions.c.article_ids,
                  sa.func.min(_editions.c.created_at), sa.func.max(_editions.c.created_at))
        .group_by(_editions.c.edition_date, _editions.c.article_ids)
    ).all()
    if gathered:
        op.bulk_insert(lists, [
            {"edition_date": day, "list_key": hashlib.sha256(ids.encode()).hexdigest(), "article_ids": ids,
             "first_made": first, "last_made": last}
            for day, ids, first, last in gathered
        ])


def downgrade() -> None:
    op.drop_table("edition_lists")

"""the band index holds the article ids, so finding near-duplicate candidates reads only it (issue 11)

Finding an article's near-duplicate candidates reads every article that holds one of its 20
band keys. The index on band alone gave SQLite rowids, and it read the table once per row
found for the article id. Where pages share phrasing, a band key is held by hundreds of
articles: storing a saved HTML page went from 0.8 to 4.0 ms as the store grew to 10,000, and
the band lookup was 1.0 ms of it (0.3 ms with this index).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_article_bands_band_article", "article_bands", ["band", "article_id"])
    op.drop_index("ix_article_bands_band", table_name="article_bands")


def downgrade() -> None:
    op.create_index("ix_article_bands_band", "article_bands", ["band"])
    op.drop_index("ix_article_bands_band_article", table_name="article_bands")

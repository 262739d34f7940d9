"""new articles indexed for search by the store, not by an INSERT trigger (issue 11)

FTS5 writes its pending terms out as a new index segment whenever a savepoint opens, and a
trigger runs its statement inside one: every article became a segment of its own, merged
again and again, which was 40% of storing an article (1.0 of 2.6 ms). The store now adds a
new article to the index itself, and the importer once per batch, outside the per-article
savepoints. Updates and deletes, rare, keep their triggers. SQLite only: PostgreSQL's
search index is an expression index that maintains itself.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS articles_fts_insert")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("""
            CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
              INSERT INTO articles_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
            END""")

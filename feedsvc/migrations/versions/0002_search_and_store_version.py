"""search index and the store version counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_version")),
    )
    op.execute("INSERT INTO store_version (id, version) VALUES (1, 0)")

    if op.get_bind().dialect.name == "sqlite":
        # Chinese has no spaces between words; the trigram tokenizer (SQLite >= 3.34) indexes
        # every three characters, so substrings match in any language.
        op.execute(
            "CREATE VIRTUAL TABLE articles_fts USING fts5("
            "title, body_text, content='articles', content_rowid='id', tokenize='trigram')"
        )
        op.execute("""
            CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
              INSERT INTO articles_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
            END""")
        op.execute("""
            CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
              INSERT INTO articles_fts(articles_fts, rowid, title, body_text)
              VALUES ('delete', old.id, old.title, old.body_text);
            END""")
        op.execute("""
            CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body_text ON articles BEGIN
              INSERT INTO articles_fts(articles_fts, rowid, title, body_text)
              VALUES ('delete', old.id, old.title, old.body_text);
              INSERT INTO articles_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
            END""")
        op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    else:
        # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_articles_search ON articles "
            "USING gin ((title || ' ' || body_text) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS articles_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
    op.drop_table("store_version")

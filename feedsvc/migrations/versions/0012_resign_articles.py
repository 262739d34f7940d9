"""articles re-signed with the numpy MinHash, their band keys rebuilt (issue 11)

The near-duplicate signature's shingle hash changed from a BLAKE2b digest per shingle to
arithmetic on code points in numpy. Stored signatures of the old kind would never match a
new article's, so every article is signed again from its stored text. A later change of the
algorithm needs a migration of its own: this one signs with whatever the code does.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
import hashlib

from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_BATCH = 500
_articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("body_text", sa.Text),
                     sa.column("signature", sa.LargeBinary))
_bands = sa.table("article_bands", sa.column("article_id", sa.Integer), sa.column("band", sa.String))


def upgrade() -> None:
    from feedsvc.text.signature import signature

    _resign(signature)


def downgrade() -> None:
    _resign(_blake2b_signature)


def _resign(sign) -> None:
    """Sign every article again and replace its band keys, a batch of rows at a time."""
    from feedsvc.text.signature import band_keys

    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(_articles.c.id, _articles.c.body_text).where(_articles.c.id > last)
                            .order_by(_articles.c.id).limit(_BATCH)).all()
        if not rows:
            return
        signed = [(article_id, sign(text or "")) for article_id, text in rows]
        conn.execute(_articles.update().where(_articles.c.id == sa.bindparam("key"))
                     .values(signature=sa.bindparam("sig")), [{"key": i, "sig": s} for i, s in signed])
        conn.execute(_bands.delete().where(_bands.c.article_id.in_([i for i, _ in signed])))
        keys = [{"article_id": i, "band": band} for i, s in signed for band in dict.fromkeys(band_keys(s))]
        if keys:
            conn.execute(_bands.insert(), keys)
        last = rows[-1].id


def _blake2b_signature(text: str) -> bytes:
    """The signature as revision 0011's code made it: a BLAKE2b digest per 5-character shingle."""
    from feedsvc.text.signature import SHINGLE_CHARS, SLOTS, normalize_text

    normalized = normalize_text(text)
    if len(normalized) <= SHINGLE_CHARS:
        shingles = {normalized} if normalized else set()
    else:
        shingles = {normalized[i:i + SHINGLE_CHARS] for i in range(len(normalized) - SHINGLE_CHARS + 1)}
    if not shingles:
        return b""
    drawn = [0xFFFFFFFF] * SLOTS
    for shingle in shingles:
        value = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        drawn[value % SLOTS] = min(drawn[value % SLOTS], value >> 32)
    filled = list(drawn)
    for slot in range(SLOTS):
        if drawn[slot] == 0xFFFFFFFF:
            distance = next(d for d in range(1, SLOTS) if drawn[(slot + d) % SLOTS] != 0xFFFFFFFF)
            filled[slot] = (drawn[(slot + distance) % SLOTS] + distance * 0x9E3779B9) & 0xFFFFFFFF
    return b"".join(value.to_bytes(4, "big") for value in filled)

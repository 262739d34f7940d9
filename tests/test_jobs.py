"""Each scheduled job can be called directly, as cron or a test would: job(app) -> summary."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedsvc import db, jobs
from feedsvc.models import Article, Delivery, utcnow


def test_scan_drop_folder_imports_and_reports(app):
    drop = Path(app.config["DROP_FOLDER"])
    drop.mkdir(parents=True, exist_ok=True)
    (drop / "tram.md").write_text("---\ntitle: Tram line extended\n---\n\nThe tram now runs to the port.\n")
    assert jobs.scan_drop_folder(app).startswith("1 new")
    (drop / "broken.json").write_text("[{")
    with pytest.raises(RuntimeError, match="1 failed; first error: The file is not valid JSON"):
        jobs.scan_drop_folder(app)
    with db.new_session(app) as session:
        assert session.scalar(select(func.count(Article.id))) == 1


def test_digest_jobs_on_an_empty_store(app):
    assert jobs.build_digests(app) == "0 new editions (0 empty), 0 not due"
    assert jobs.deliver_outbox(app) == "0 sent, 0 to retry, 0 failed"


def test_prune_keeps_recent_and_unsent_messages(app):
    old = utcnow() - timedelta(days=jobs.KEEP_DELIVERIES_DAYS + 1)
    with db.new_session(app) as session, session.begin():
        for n, (state, created) in enumerate([("sent", old), ("failed", old), ("sent", utcnow())]):
            session.add(Delivery(kind="test", to_addr="a@example.com", message_id=f"<{n}@x.example>",
                                 state=state, attempts=1, created_at=created, next_attempt_at=created))
    assert jobs.prune(app) == "0 counters, 1 deliveries, 0 sessions pruned"
    with db.new_session(app) as session:
        assert sorted(session.scalars(select(Delivery.state))) == ["failed", "sent"]

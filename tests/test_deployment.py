"""The production shape of docs/deploy.md: gunicorn web processes and a worker on one database.

Runs real processes: ``gunicorn -w 2 feedsvc.wsgi:app`` and ``feedsvc worker``, against the
test's database (PostgreSQL when FEEDSVC_TEST_POSTGRES_URL is set) and a loopback SMTP server.
"""
from __future__ import annotations

import email
import json
import os

import pytest
from sqlalchemy import insert

from feedsvc import db
from feedsvc.models import JobSchedule, Subscriber, utcnow
from procs import Processes, get, wait_for
from smtpsink import free_port


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started.start
    started.stop_all()


def test_web_processes_and_a_worker_share_one_database(app, add_article, smtp_server, handler,
                                                       processes, instance_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.",
                original_url="https://www.example.org/ferry")
    with db.new_session(app) as session, session.begin():
        session.execute(insert(Subscriber), [{
            "email": "reader@example.com", "state": "confirmed", "timezone": "UTC", "delivery_hour": 0,
            "language": "en", "topics": "[]", "bounce_count": 0, "created_at": utcnow()}])
        # Short intervals so the test needs seconds, not minutes (the admin allows >= 10 s).
        for job, seconds in (("scan_drop_folder", 1), ("build_digests", 1), ("deliver_outbox", 1),
                             ("prune", 3600)):
            session.add(JobSchedule(job=job, interval_seconds=seconds, enabled=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
    env.update({
        "FEEDSVC_INSTANCE_PATH": str(instance_path),
        "FEEDSVC_DATABASE_URL": app.config["DATABASE_URL"],
        "FEEDSVC_SECRET_KEY": app.config["SECRET_KEY"],
        "FEEDSVC_BASE_URL": base,
        "FEEDSVC_MAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test",
        "FEEDSVC_WORKER_SYNC_SECONDS": "1",
        "FEEDSVC_LOG_FORMAT": "json",
    })
    processes(["gunicorn", "feedsvc.wsgi:app", "-w", "2", "-b", f"127.0.0.1:{port}"], env)
    processes(["feedsvc", "worker"], env)

    assert b"Harbour ferry returns" in wait_for(lambda: get(f"{base}/feeds/atom.xml"))
    # The worker builds and sends the digest...
    wait_for(lambda: handler.received, timeout=60)
    digest = email.message_from_bytes(handler.received[0].content)
    assert digest["To"] == "reader@example.com"
    # ...and scans the drop folder; every web process sees the import at once.
    drop = instance_path / "articles"
    drop.mkdir(parents=True, exist_ok=True)
    (drop / "market.md").write_text("---\ntitle: Night market opens\n---\n\nSixty stalls opened on Friday.\n")
    for _ in range(6):  # several requests: they land on both gunicorn workers
        wait_for(lambda: b"Night market opens" in get(f"{base}/feeds/rss.xml"), timeout=60)
    health = json.loads(get(f"{base}/healthz"))
    assert health["database"] == "ok"
    assert wait_for(lambda: json.loads(get(f"{base}/healthz"))["scheduler"] == "running")

"""/healthz and structured logs."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from feedsvc import create_app, db, schedule
from feedsvc.logs import JsonFormatter
from feedsvc.models import JobSchedule, utcnow


def test_healthz_reports_database_and_scheduler(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "scheduler": "not started", "jobs": {}}
    schedule.ensure_schedules(app)
    with db.new_session(app) as session, session.begin():
        job = session.get(JobSchedule, "deliver_outbox")
        job.last_finished_at, job.last_status = utcnow() - timedelta(seconds=20), "ok"
    data = client.get("/healthz").get_json()
    assert data["scheduler"] == "running" and data["jobs"]["deliver_outbox"]["last_status"] == "ok"
    with db.new_session(app) as session, session.begin():
        session.get(JobSchedule, "deliver_outbox").last_finished_at = utcnow() - timedelta(hours=1)
    assert client.get("/healthz").get_json()["scheduler"] == "stale"


def test_healthz_is_503_when_the_database_is_gone(instance_path, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "error"


def test_json_log_lines_carry_extra_fields():
    record = logging.makeLogRecord({"name": "feedsvc.access", "levelname": "INFO", "msg": "GET %s",
                                    "args": ("/feeds/rss.xml",), "status": 200, "ms": 1.5})
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /feeds/rss.xml" and line["status"] == 200 and line["ms"] == 1.5
    assert line["level"] == "info" and line["time"].endswith("+00:00")


@pytest.fixture
def logged_app(app):
    """A second app on the same database with request logging on (it is read at start-up)."""
    logged = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                         "LOG_REQUESTS": True})
    yield logged
    db.get_engine(logged).dispose()


def test_request_log(logged_app, caplog):
    with caplog.at_level(logging.INFO, logger="feedsvc.access"):
        logged_app.test_client().get("/healthz")
    [record] = [r for r in caplog.records if r.name == "feedsvc.access"]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.ms >= 0

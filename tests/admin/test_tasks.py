"""Operators' long actions run by the worker, the page following them (issue 14, defect 4)."""
from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from lxml import html as lxml_html
from sqlalchemy import func, select, update

from feedsvc import db, jobs, taskqueue
from feedsvc.models import Article, utcnow
from feedsvc.operator_models import Task, TaskFile, TaskKind
from feedsvc.services import background

STORY = "---\ntitle: 河口湿地迎来首批候鸟\n---\n\n今年首批越冬候鸟已抵达河口湿地。\n".encode()


def count(app, model) -> int:
    with db.new_session(app) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_upload_is_queued_and_its_page_follows_the_worker(app, signed_in, csrf, audit_log):
    response = signed_in.post("/admin/articles/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf("/admin/articles"), "files": [(BytesIO(STORY), "候鸟.md"), (BytesIO(b"%PDF"), "x.pdf")]})
    assert response.status_code == 302
    url = response.headers["Location"]
    waiting = lxml_html.fromstring(signed_in.get(url).data)
    assert waiting.xpath("//meta[@http-equiv='refresh']"), "the page asks again until the task is done"
    assert waiting.cssselect("section.task")[0].get("data-state") == "queued"
    assert "不支持" in waiting.cssselect("table.results")[0].text_content(), "refusals are known at once"
    assert count(app, Article) == 0 and not (Path(app.instance_path) / "uploads").exists()

    assert jobs.run_tasks(app).startswith("task 1 (import-uploads): 2 files, 1 failed")
    done = lxml_html.fromstring(signed_in.get(url).data)
    assert not done.xpath("//meta[@http-equiv='refresh']")
    assert done.cssselect("section.task")[0].get("data-state") == "done"
    assert done.xpath("//progress/@value") == ["1"] and done.xpath("//progress/@max") == ["1"]
    assert "新增" in done.cssselect("table.results")[0].text_content()
    assert count(app, Article) == 1 and count(app, TaskFile) == 0, "the bytes go once they are imported"
    assert audit_log()[-1][:2] == ("ops@feeds.example.org", "import.upload")
    assert getattr(jobs.run_tasks(app), "idle", False), "nothing left: an idle run"


def test_a_failing_task_fails_alone(app, signed_in, csrf, monkeypatch):
    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setitem(background.RUNNERS, TaskKind.SCAN_DROP_FOLDER, broken)
    first = signed_in.post("/admin/articles/scan", data={"csrf_token": csrf("/admin/articles")})
    second = signed_in.post("/admin/digests/send", data={"csrf_token": csrf("/admin/digests")})
    summary = jobs.run_tasks(app)
    assert "failed: disk full" in summary and "(send-digests): 0 built" in summary
    page = lxml_html.fromstring(signed_in.get(first.headers["Location"]).data)
    assert page.cssselect("section.task")[0].get("data-state") == "failed"
    assert "disk full" in page.cssselect("p.error")[0].text_content()
    assert signed_in.get(second.headers["Location"]).status_code == 200


def test_a_task_left_by_a_dead_worker_is_run_again_then_given_up(app):
    with db.new_session(app) as session, session.begin():
        task_id = taskqueue.queue_task(session, TaskKind.SCAN_DROP_FOLDER, actor="ops@example.org").id
    for attempt in range(1, taskqueue.MAX_ATTEMPTS + 1):
        with db.new_session(app) as session, session.begin():
            claimed = taskqueue.claim_next(session, utcnow())
            assert claimed.id == task_id and claimed.attempts == attempt
            assert taskqueue.claim_next(session, utcnow()) is None, "leased: nobody else takes it"
        with db.new_session(app) as session, session.begin():  # the worker died; the lease runs out
            session.execute(update(Task).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert jobs.run_tasks(app) == "no tasks"
    with db.new_session(app) as session:
        task = session.get(Task, task_id)
        assert task.state == "failed" and "worker stopped" in task.error


def test_progress_reported_last_is_stored_before_the_task_ends(app):
    """The reporter's thread stores while the task goes on; close() leaves nothing behind."""
    with db.new_session(app) as session, session.begin():
        task_id = taskqueue.queue_task(session, TaskKind.SCAN_DROP_FOLDER, actor="ops@example.org").id
        taskqueue.claim_next(session, utcnow())
    maker = app.extensions["feedsvc.sessionmaker"]

    def slow_session():  # a write that takes a while: reports arrive while it runs
        time.sleep(0.05)
        return maker()

    for total in (3, 50):
        report = taskqueue.ProgressReporter(slow_session, task_id)
        for done in range(total + 1):
            report(done=done, total=total)
            time.sleep(0.01)
        report.close()
        with db.new_session(app) as session:
            task = session.get(Task, task_id)
            assert (task.done, task.total) == (total, total)

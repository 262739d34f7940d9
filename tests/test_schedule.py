"""The job schedule the pages read and change: defaults, limits, and how a run went."""
from __future__ import annotations

import pytest

from feedsvc import db, schedule
from feedsvc.jobs import JOBS
from feedsvc.models import JobSchedule


def test_every_job_gets_its_default_interval_once(app):
    schedule.ensure_schedules(app)
    schedule.set_schedule(app, "prune", interval_seconds=3600, enabled=False)
    schedule.ensure_schedules(app)
    rows = {row.job: row for row in schedule.list_jobs(app)}
    assert set(rows) == set(JOBS)
    assert rows["deliver_outbox"].interval_seconds == JOBS["deliver_outbox"].default_seconds
    assert (rows["prune"].interval_seconds, rows["prune"].enabled) == (3600, False)


@pytest.mark.parametrize("job, seconds", [("nonsense", 60), ("prune", 9), ("prune", 8 * 86400)])
def test_unknown_jobs_and_intervals_out_of_range_are_refused(app, job, seconds):
    with pytest.raises(ValueError):
        schedule.set_schedule(app, job, interval_seconds=seconds, enabled=True)


def test_a_run_is_recorded(app):
    schedule.ensure_schedules(app)
    schedule.record_run(app, "prune", last_status="error", last_message="disk full")
    with db.new_session(app) as session:
        row = session.get(JobSchedule, "prune")
        assert (row.last_status, row.last_message) == ("error", "disk full")

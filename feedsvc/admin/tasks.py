"""A queued task's page: how far the worker got with an upload, a scan or a send, and what it found."""
from __future__ import annotations

from flask import render_template

from ..operator_models import Task, TaskKind, TaskState
from ..taskqueue import result_of
from . import bp
from .helpers import get_or_404
from .uploads import shown_message

UNFINISHED = (TaskState.QUEUED, TaskState.RUNNING)


@bp.route("/tasks/<int:task_id>")
def task(task_id: int):
    """The task's state and progress, refreshing itself until it is done; then its results."""
    row = get_or_404(Task, task_id)
    result = result_of(row)
    files = []
    if row.kind != TaskKind.SEND_DIGESTS:
        files = [(name, outcomes, shown_message(message)) for name, outcomes, message in result]
    return render_template("admin/task.html", task=row, files=files,
                           counts=result if isinstance(result, dict) else {},
                           unfinished=row.state in UNFINISHED)

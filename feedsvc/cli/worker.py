"""``feedsvc worker``: the scheduler and sender, in the foreground until stopped."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the scheduler (drop folder, digests, delivery, pruning) until stopped."""
    from ..logs import configure
    from ..worker import run_worker

    app = current_app._get_current_object()
    configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    run_worker(app)

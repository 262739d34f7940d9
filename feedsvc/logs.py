"""Logging: one JSON object per line (FEEDSVC_LOG_FORMAT=json) or plain text, and request logs."""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, request

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Each record as one JSON line, with any ``extra={...}`` fields kept as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Send feedsvc's (and APScheduler's) logs to stderr in the chosen format, once."""
    root = logging.getLogger()
    if any(getattr(h, "_feedsvc", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._feedsvc = True
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())


def init_app(app: Flask) -> None:
    """Log every request as one line (method, path, status, milliseconds) when asked."""
    if not app.config["LOG_REQUESTS"]:
        return
    access = logging.getLogger("feedsvc.access")

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        elapsed = (time.perf_counter() - g.pop("request_started", time.perf_counter())) * 1000
        access.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "ms": round(elapsed, 2), "remote": request.remote_addr,
        })
        return response

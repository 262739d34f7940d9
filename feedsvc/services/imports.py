"""Imports for this app: settings from config, the import itself, and the WebSub ping after it."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable

from flask import Flask

from .. import config
from ..feeds.websub import ping_hub
from ..ingest.importer import ImportReport, ImportSettings, collect_files, import_files
from ..web import external_url

log = logging.getLogger(__name__)


def import_settings(app: Flask) -> ImportSettings:
    """ImportSettings from the app's configuration."""
    c = app.config
    return ImportSettings(
        tz=config.site_timezone(app), summary_chars=c["SUMMARY_CHARS"], auto_tags=c["AUTO_TAGS"],
        near_duplicate_threshold=c["NEAR_DUPLICATE_THRESHOLD"], max_bytes=c["IMPORT_MAX_BYTES"],
    )


def run_import(app: Flask, paths: Iterable[Path], *, origin: str,
               on_start: Callable[[int], None] | None = None,
               on_file: Callable | None = None) -> ImportReport:
    """Import files and folders; then, if readers' feeds changed, tell the WebSub hub."""
    files = collect_files(paths)
    if on_start:
        on_start(len(files))
    report = import_files(app.extensions["feedsvc.sessionmaker"], files,
                          settings=import_settings(app), origin=origin, on_file=on_file)
    if report.changed and app.config["WEBSUB_HUB"]:
        report.hub_errors = notify_hub(app)
    return report


def notify_hub(app: Flask) -> list[str]:
    """Ping the configured WebSub hub about the site-wide feeds; one line per failure."""
    topics = [external_url(app, "feeds.feed", name=name) for name in ("rss.xml", "atom.xml", "feed.json")]
    problems = ping_hub(app.config["WEBSUB_HUB"], topics)
    for problem in problems:
        log.warning("WebSub ping failed: %s", problem)
    return problems

"""Imports with this app's configuration: files, the drop folder, the demo articles; the WebSub ping."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Callable, Iterable

from flask import Flask

from .. import config, db
from ..demo import demo_dir
from ..feeds.formats import FORMATS
from ..feeds.websub import ping_hub
from ..ingest.importer import ImportReport, collect_files, import_files
from ..ingest.settings import ImportSettings
from ..ingest.store import store_is_empty
from ..languages import LANGUAGES
from ..models import ImportOrigin
from ..web import external_url

log = logging.getLogger(__name__)


def import_settings(app: Flask) -> ImportSettings:
    """ImportSettings from the app's configuration."""
    return config.import_settings(app.config)


def run_import(app: Flask, paths: Iterable[Path], *, origin: ImportOrigin,
               on_start: Callable[[int], None] | None = None,
               on_file: Callable | None = None, jobs: int | None = None) -> ImportReport:
    """Import files and folders; then, if readers' feeds changed, tell the WebSub hub.

    ``jobs`` processes parse (default: the machine's cores); one process stores.
    """
    files = collect_files(paths)
    if on_start:
        on_start(len(files))
    report = import_files(app.extensions["feedsvc.sessionmaker"], files,
                          settings=import_settings(app), origin=origin, on_file=on_file, jobs=jobs)
    if report.changed and app.config["WEBSUB_HUB"]:
        report.hub_errors = notify_hub(app)
    return report


def store_upload(root: Path, name: str, data: bytes) -> Path:
    """Keep an uploaded file as ``root/<sha256 of its bytes>/<name>``, where the importer reads it.

    Keyed by content, a re-uploaded file has the same path, which the importer keys articles
    by, so it is "unchanged" rather than new. Files are kept: the path is the article's origin.
    ``name`` is a safe name (admin.uploads.upload_name); a name that would leave its folder
    raises ValueError all the same.
    """
    folder = root / hashlib.sha256(data).hexdigest()
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise ValueError("The file name is not allowed.")
    folder.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written aside and renamed into place, so the importer never reads half a file.
        partial = folder / f".{name}.{os.getpid()}.part"
        partial.write_bytes(data)
        partial.replace(path)
    return path


def drop_folder(app: Flask) -> Path:
    """The drop folder (FEEDSVC_DROP_FOLDER), created if it is missing."""
    folder = Path(app.config["DROP_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scan_drop_folder(app: Flask, **hooks) -> ImportReport:
    """Import what is new or changed in the drop folder (``hooks``: those of run_import)."""
    return run_import(app, (drop_folder(app),), origin=ImportOrigin.DROP_FOLDER, **hooks)


def import_demo(app: Flask, **hooks) -> ImportReport | None:
    """On first start: the demo articles, while the store is empty; None when it has articles."""
    with db.new_session(app) as session:
        if not store_is_empty(session):
            return None
    return run_import(app, (demo_dir(),), origin=ImportOrigin.DEMO, **hooks)


def notify_hub(app: Flask) -> list[str]:
    """Ping the configured WebSub hub about the site-wide feeds; one line per failure.

    Each feed is a topic as written and in each script it is served in (?lang=), the ones the
    pages name.
    """
    scripts = [{}] + [{"lang": language.code} for language in LANGUAGES if language.opencc]
    topics = [external_url(app, "feeds.feed", name=f.file_name, **lang) for lang in scripts for f in FORMATS]
    problems = ping_hub(app.config["WEBSUB_HUB"], topics)
    for problem in problems:
        log.warning("WebSub ping failed: %s", problem)
    return problems

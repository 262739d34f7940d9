"""The import loop: files in, one outcome per article out; a broken file never stops the rest."""
from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ..models import Article, ImportRun, utcnow
from .article import ParseError
from .enrich import prepare_articles
from .formats import is_importable
from .parse import check_size
from .settings import ImportSettings
from .store import Outcome, store_article

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """Counts per outcome (one per article; one per file that failed) and the failures."""

    counts: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    hub_errors: list[str] = field(default_factory=list)  # WebSub pings that failed afterwards

    @property
    def failed(self) -> int:
        return self.counts[Outcome.FAILED]

    @property
    def changed(self) -> bool:
        """True when the import added or changed what readers see."""
        return bool(self.counts[Outcome.NEW] or self.counts[Outcome.UPDATED])

    def summary_line(self) -> str:
        return ", ".join(f"{self.counts[o]} {o.value}" for o in Outcome)


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and importable files under folders (recursively, hidden ones skipped).

    Inside a folder, a file whose real path lies outside it (a symlink to /etc/passwd, say)
    is skipped: whoever can write to the drop folder must not read the rest of the disk.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            root_real = path.resolve()
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root) / f for f in sorted(files)
                    if not f.startswith(".") and is_importable(f)
                    and (Path(root) / f).resolve().is_relative_to(root_real)
                )
        else:
            found.append(path)
    return found


def import_files(
    make_session: sessionmaker,
    files: list[Path],
    *,
    settings: ImportSettings,
    origin: str,
    on_file: Callable[[Path, list[Outcome]], None] | None = None,
) -> ImportReport:
    """Import each file on its own; a broken file is reported and the rest go on."""
    report = ImportReport()
    started = utcnow()
    for path in files:
        try:
            outcomes = import_file(make_session, path, settings=settings)
        except (ParseError, OSError) as exc:
            outcomes = [Outcome.FAILED]
            report.errors.append((str(path), error_line(exc)))
        except Exception as exc:  # a bug must not stop the other files
            # The report gets one line; the trace is for developers, with debug logging on.
            log.debug("importing %s failed", path, exc_info=True)
            outcomes = [Outcome.FAILED]
            report.errors.append((str(path), f"internal error: {error_line(exc)}"))
        report.counts.update(outcomes)
        if on_file:
            on_file(path, outcomes)
    with make_session() as session, session.begin():
        session.add(ImportRun(
            origin=origin,
            started_at=started,
            finished_at=utcnow(),
            errors="\n".join(f"{p}: {m}" for p, m in report.errors),
            **{o.value: report.counts[o] for o in Outcome},
        ))
    return report


def import_file(make_session: sessionmaker, path: Path, *, settings: ImportSettings) -> list[Outcome]:
    """Import the article(s) in one file, each in its own transaction."""
    check_size(path.stat().st_size, settings.max_bytes)  # before reading: a huge file never loads
    data = path.read_bytes()
    file_hash = hashlib.sha256(data).hexdigest()
    key = str(path.resolve())
    with make_session() as session:
        known = session.scalars(select(Article.file_hash).where(Article.source_file == key)).all()
    if known and all(h == file_hash for h in known):
        return [Outcome.UNCHANGED] * len(known)
    articles = prepare_articles(data, path.name, settings=settings)
    outcomes = []
    for index, article in enumerate(articles):
        with make_session() as session, session.begin():
            outcomes.append(store_article(
                session, article, source_file=key, index=index, file_hash=file_hash,
                settings=settings,
            ))
    return outcomes


def error_line(exc: BaseException) -> str:
    """An exception as one line fit for a user's report."""
    return " ".join(str(exc).split()) or type(exc).__name__

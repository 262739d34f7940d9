"""What the importer's parsing processes do with a file: read, parse, complete; no database.

Kept apart from the importer so a worker process imports only the parsers: SQLAlchemy and
the models were a third of a spawned worker's start-up (issue 11).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.enrich import prepare_articles
from feedsvc.ingest.parse import check_size
from feedsvc.ingest.settings import ImportSettings
from feedsvc.text.signature import text_keys

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What a worker made of one file: its articles (and each text's content hash and
    signature, worked out here rather than in the writer), or that it is unchanged, or why it failed."""

    file_hash: str = ""
    articles: list[ParsedArticle] = field(default_factory=list)
    keys: list[tuple[str, bytes]] = field(default_factory=list)
    unchanged: int = 0
    error: str | None = None


def prepare_file(path: Path, known: list[str], settings: ImportSettings) -> Prepared:
    """Read and parse one file (in a worker process or the importer's); never raises for bad input."""
    try:
        check_size(path.stat().st_size, settings.max_bytes)  # before reading: a huge file never loads
        data = path.read_bytes()
        file_hash = hashlib.sha256(data).hexdigest()
        if known and all(h == file_hash for h in known):
            return Prepared(file_hash, unchanged=len(known))
        articles = prepare_articles(data, path.name, settings=settings)
        return Prepared(file_hash, articles, [text_keys(article.text) for article in articles])
    except (ParseError, OSError) as exc:
        return Prepared(error=error_line(exc))
    except Exception as exc:  # a bug must not stop the other files
        # The report gets one line; the trace is for developers, with debug logging on.
        log.debug("importing %s failed", path, exc_info=True)
        return Prepared(error=f"internal error: {error_line(exc)}")


def prepare_files(tasks: list[tuple[Path, list[str]]], settings: ImportSettings) -> list[Prepared]:
    """``prepare_file`` for each (path, known hashes): a worker's task is several files, so
    handing out tasks and sending results back costs a fraction of what one per file did."""
    return [prepare_file(path, known, settings) for path, known in tasks]


def error_line(exc: BaseException) -> str:
    """An exception as one line fit for a user's report."""
    return " ".join(str(exc).split()) or type(exc).__name__

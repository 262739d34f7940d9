"""The import loop: files in, one outcome per article out; a broken file never stops the rest.

Files are read and parsed in parallel (``jobs`` processes: parsing is pure and CPU-bound) and
stored in file order by this process alone, in batches: one transaction per batch, a savepoint
per article, so an article that cannot be stored leaves nothing half-written and the others in
its batch still land.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter, deque
from itertools import islice
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..models import Article, ImportRun, bump_store_version, utcnow
from .formats import is_importable
from .prepare import Prepared, error_line, prepare_file, prepare_files
from .settings import ImportSettings
from .store import NameIds, Outcome, index_for_search, store_article

log = logging.getLogger(__name__)

# Articles stored per transaction: a commit per article was a third of an import's time. A
# batch is also committed once it has been open this long, whether the writer is storing or
# waiting for the parsing workers: SQLite has one write lock, and subscribing, signing in or
# an operator's edit must not wait long on an import.
BATCH = 200
_OPEN_SECONDS = 0.2
# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_FROM = 32
# Files parsed ahead of the writer per worker: enough to keep the workers busy while the
# writer commits a batch (tens of ms), few enough that a slow store never piles a corpus of
# parsed articles up in memory. At 16 the workers ran dry during commits: 10,000 text dumps
# on 2 cores kept 1.78 cores busy; at 64, 1.91 (articles/s, three runs each, interleaved:
# 391, 543, 482 -> 441, 595, 630).
_AHEAD = 64
# Files handed to a worker at once: one task per file cost the writer's process a tenth of
# its time in submitting tasks and taking results in (issue 11).
_CHUNK = 8


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
    jobs: int | None = None,
) -> ImportReport:
    """Import each file on its own; a broken file is reported and the rest go on.

    ``jobs`` worker processes parse (default: the machine's cores; 1 parses in this process).
    """
    report = ImportReport()
    started = utcnow()
    keys = [str(path.resolve()) for path in files]
    known = _known_hashes(make_session, keys)
    with _Writer(make_session, settings) as writer:
        prepared_files = _prepare_all(files, keys, known, settings, jobs, idle=writer.commit, due=writer.due)
        for path, key, prepared in zip(files, keys, prepared_files):
            if prepared.error is not None:
                outcomes = [Outcome.FAILED]
                report.errors.append((str(path), prepared.error))
            elif prepared.unchanged:
                outcomes = [Outcome.UNCHANGED] * prepared.unchanged
            else:
                outcomes = writer.store_file(key, prepared, report, str(path))
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


def _known_hashes(make_session: sessionmaker, keys: list[str]) -> dict[str, list[str]]:
    """The stored file hashes of these files' articles, in one query per thousand files."""
    known: dict[str, list[str]] = {}
    with make_session() as session:
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            rows = session.execute(
                select(Article.source_file, Article.file_hash).where(Article.source_file.in_(chunk))
            )
            for source_file, file_hash in rows:
                known.setdefault(source_file, []).append(file_hash)
    return known


def _prepare_all(files: list[Path], keys: list[str], known: dict[str, list[str]], settings: ImportSettings,
                 jobs: int | None, *, idle: Callable[[], None], due: Callable[[], float | None]) -> Iterator[Prepared]:
    """Each file's preparation, in file order, from worker processes when that pays.

    ``idle`` ends the writer's open batch. Parsing here, it is called before each file, as
    a file may take long to parse; waiting for the workers, once the batch is ``due`` (the
    seconds it may stay open, None when none is).
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < _PARALLEL_FROM:
        for path, key in zip(files, keys):
            idle()
            yield prepare_file(path, known.get(key, []), settings)
        return
    # A small import still gives each worker a few tasks.
    chunk = max(1, min(_CHUNK, len(files) // (jobs * 4)))
    with parsing_pool(jobs) as pool:
        yield from _in_order(pool, [(path, known.get(key, [])) for path, key in zip(files, keys)],
                             settings, chunk=chunk, ahead=max(2, jobs * _AHEAD // chunk), idle=idle, due=due)


def parsing_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` parsing processes, at a lower priority than the writer.

    The writer is the one stage that cannot run in parallel, and ``--jobs`` defaults to the
    cores, so the workers and the writer are one process more than the machine runs at once.
    At equal priority the workers took the writer's time slices and it stored at two thirds
    of a core; below it, the workers parse on what the writer leaves: 10,000 text dumps, 2
    cores, 294 -> 390 articles/s (bench_import, same hour).
    """
    # spawn, not fork: the worker process also runs scheduler and database threads.
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_below_the_writer)


def _below_the_writer() -> None:
    if hasattr(os, "nice"):
        os.nice(10)


def _in_order(pool: Executor, tasks: list[tuple[Path, list[str]]], settings: ImportSettings, *, chunk: int,
              ahead: int, idle: Callable[[], None], due: Callable[[], float | None]) -> Iterator[Prepared]:
    """Results in task order, ``chunk`` tasks to a worker's call, with at most ``ahead`` calls
    submitted and not yet consumed; the writer's batch ends when due while it waits."""
    chunks = (tasks[start:start + chunk] for start in range(0, len(tasks), chunk))
    pending: deque[Future] = deque(pool.submit(prepare_files, c, settings) for c in islice(chunks, ahead))
    while pending:
        results = _when_done(pending.popleft(), idle, due)
        following = next(chunks, None)
        if following is not None:
            pending.append(pool.submit(prepare_files, following, settings))
        yield from results


def _when_done(future: Future, idle: Callable[[], None], due: Callable[[], float | None]):
    """The future's result, ending the writer's batch if it falls due meanwhile.

    Not at once: the writer waits for the workers for a moment many times a second, and a
    commit at each wait made batches of 26 articles on average (10,000 text dumps, 2 cores).
    Each commit writes the tables' and the search index's last pages again: storing an
    article took 1.67 ms of the writer's CPU in batches of 26, 1.30 ms in batches of 115.
    """
    left = due()
    if left is not None and not future.done():
        try:
            return future.result(timeout=max(0.0, left))
        except TimeoutError:
            idle()
    return future.result()


class _Writer:
    """Stores articles in batches: a transaction per BATCH articles, a savepoint per article."""

    def __init__(self, make_session: sessionmaker, settings: ImportSettings):
        self.make_session, self.settings = make_session, settings
        self.names = NameIds()
        self.unindexed: list[int] = []  # this batch's new articles, indexed for search at commit
        self.session: Session | None = None
        self.pending = 0
        self.changed = False
        self.opened = 0.0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        elif self.session is not None:
            self.session.close()
            self.unindexed.clear()

    def store_file(self, key: str, prepared: Prepared, report: ImportReport, shown: str) -> list[Outcome]:
        """Store one file's articles; one outcome per article, FAILED for one that could not be."""
        outcomes = []
        for index, article in enumerate(prepared.articles):
            session = self._session()
            unindexed = list(self.unindexed)
            try:
                with session.begin_nested():
                    outcomes.append(store_article(
                        session, article, source_file=key, index=index, file_hash=prepared.file_hash,
                        settings=self.settings, keys=prepared.keys[index], names=self.names, bump=False,
                        search_later=self.unindexed,
                    ))
                    self.changed = self.changed or outcomes[-1] is not Outcome.UNCHANGED
            except Exception as exc:  # the savepoint is gone; the batch and the other files go on
                self.unindexed[:] = unindexed  # what the savepoint took back is as it was
                self.names.forget()  # it may have created a name the savepoint took back
                log.debug("storing %s failed", shown, exc_info=True)
                outcomes.append(Outcome.FAILED)
                report.errors.append((shown, f"internal error: {error_line(exc)}"))
            self.pending += 1
        if self.pending >= BATCH or time.monotonic() - self.opened >= _OPEN_SECONDS:
            self.commit()
        return outcomes

    def commit(self) -> None:
        """End the open batch (if any), releasing the database's write lock."""
        if self.session is not None:
            index_for_search(self.session.connection(), self.unindexed)
            if self.changed:  # once for the batch: an UPDATE per article was a tenth of storing it
                bump_store_version(self.session)
            self.session.commit()
            self.session.close()
            self.session, self.pending, self.changed = None, 0, False
            self.unindexed.clear()

    def due(self) -> float | None:
        """Seconds the open batch may stay open (0 when overdue); None when none is open."""
        if self.session is None:
            return None
        return max(0.0, _OPEN_SECONDS - (time.monotonic() - self.opened))

    def _session(self) -> Session:
        if self.session is None:
            self.session = self.make_session()
            self.session.begin()
            self.session.connection(execution_options={"sqlite_bulk_writes": True})  # see db._bulk_writes
            self.opened = time.monotonic()
        return self.session
